"""A small v3 (ARM) client for the tests: HTTPS to the daemon's tls_listen
with build/tls's CA, the OIDC client-credentials token, JSON calls."""

import datetime
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request

from platform_harness import CLIENT_ID, CLIENT_SECRET, TLS_DIR

JOBS_API = "2022-07-01"    # transforms and jobs (the rest: 2022-08-01)

TENANT = "00000000-1111-2222-3333-444444444444"
SUBSCRIPTION = "55555555-6666-7777-8888-999999999999"
GROUP = "media-rg"


def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(TLS_DIR / "ca.pem"))


def call(method: str, url: str, body=None, headers=None, form=None, timeout=30):
    """(status, headers, parsed JSON or raw text)."""
    data = None
    hdrs = dict(headers or {})
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        hdrs["Content-Type"] = "application/x-www-form-urlencoded;charset=utf-8"
    elif body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, context=tls_context(), timeout=timeout) as r:
            status, rh, raw = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, rh, raw = e.code, e.headers, e.read()
    text = raw.decode("utf-8", "replace")
    try:
        return status, rh, json.loads(text) if text else None
    except ValueError:
        return status, rh, text


def get_token(arm_url: str, client_id=CLIENT_ID, secret=CLIENT_SECRET, scope=None):
    return call("POST", "%s/%s/oauth2/v2.0/token" % (arm_url, TENANT), form={
        "client_id": client_id, "client_secret": secret, "grant_type": "client_credentials",
        "scope": scope if scope is not None else arm_url + "/.default",
        "client-request-id": "x", "x-client-SKU": "msal.js.node"})


class ArmClient:
    def __init__(self, arm_url: str, account: str = "mediaplane"):
        self.arm_url = arm_url
        status, _, body = get_token(arm_url)
        assert status == 200, body
        self.token = body["access_token"]
        self.base = "%s/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Media/" \
                    "mediaServices/%s" % (arm_url, SUBSCRIPTION, GROUP, account)

    def names(self, rel: str, api_version="2022-08-01") -> list:
        """Every entry's name of a list, following @odata.nextLink as the SDK does."""
        status, _, page = self.req("GET", rel, api_version=api_version)
        out = []
        while True:
            assert status == 200, page
            out += [e["name"] for e in page["value"]]
            if "@odata.nextLink" not in page:
                return out
            status, _, page = call("GET", page["@odata.nextLink"],
                                   headers={"Authorization": "Bearer " + self.token})

    def upload_asset(self, name: str, files: dict) -> None:
        """Create asset `name` and Put Blob each {file name: bytes} through the
        SAS URL listContainerSas gives, as @azure/storage-blob would."""
        status, _, body = self.req("PUT", "assets/" + name, {"properties": {}})
        assert status == 201, body
        expiry = (datetime.datetime.utcnow() + datetime.timedelta(minutes=30)).strftime(
            "%Y-%m-%dT%H:%M:%S.000Z")
        status, _, sas = self.req("POST", "assets/%s/listContainerSas" % name,
                                  {"permissions": "ReadWrite", "expiryTime": expiry})
        assert status == 200, sas
        base, query = sas["assetContainerSasUrls"][0].split("?", 1)
        for fname, data in files.items():
            req = urllib.request.Request("%s/%s?%s" % (base, urllib.parse.quote(fname), query),
                                         data=data, method="PUT",
                                         headers={"x-ms-blob-type": "BlockBlob"})
            with urllib.request.urlopen(req, timeout=60) as r:
                assert r.status == 201

    def req(self, method: str, rel: str, body=None, api_version="2022-08-01", token=None):
        url = self.base + ("/" + rel if rel else "")
        if api_version is not None:
            url += ("&" if "?" in url else "?") + "api-version=" + api_version
        return call(method, url, body=body,
                    headers={"Authorization": "Bearer " + (token or self.token),
                             "Accept": "application/json"})

    def wait_job(self, transform: str, job: str, timeout: float = 300) -> dict:
        """The v3 job once it is Finished, Error or Canceled (polled)."""
        import time
        deadline = time.time() + timeout
        while True:
            status, _, body = self.req("GET", "transforms/%s/jobs/%s" % (transform, job),
                                       api_version=JOBS_API)
            assert status == 200, body
            if body["properties"]["state"] in ("Finished", "Error", "Canceled"):
                return body
            assert time.time() < deadline, body
            time.sleep(0.3)
