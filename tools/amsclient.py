"""amsclient — a small Azure Media Services v2 REST client (Python standard
library only), enough for mediaplane's demo, tools and tests: OAuth2 client
credentials, OData JSON in the three formats, SAS blob uploads (whole blobs or
Put Block + Put Block List), CreateFileInfos and origin locators.

    c = AmsClient("http://127.0.0.1:8080", client_id, client_secret)
    asset = c.upload_asset("clip", {"clip.mp4": Path("clip.mp4")})
    locator = c.publish(asset["Id"])
    print(locator["Path"] + "clip.ism/Manifest(format=m3u8-aapl)")
"""

import base64
import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

AMS_SCOPE = "urn:WindowsAzureMediaServices"


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        return json.loads(self.body.decode()) if self.body else None

    def error_message(self) -> str:
        j = self.json or {}
        err = j.get("odata.error") or j.get("error") or {}
        return (err.get("message") or {}).get("value", "")

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.body[:300])


FORMATS = {
    "verbose": "application/json;odata=verbose",
    "minimal": "application/json;odata=minimalmetadata",
    "none": "application/json;odata=nometadata",
}


def _xml_attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;"))


class AmsClient:
    """A small AMS v2 REST client (what the .NET SDK of the time did over HTTP)."""

    def __init__(self, base: str, client_id: str, secret: str, fmt: str = "minimal"):
        self.base = base.rstrip("/")
        self.api = self.base + "/api/"
        self.client_id = client_id
        self.secret = secret
        self.fmt = fmt
        self._token = None

    # -- raw HTTP

    @staticmethod
    def http(method: str, url: str, body=None, headers=None, timeout: float = 60) -> Response:
        data = body
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
        elif isinstance(body, str):
            data = body.encode()
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return Response(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, e.headers, e.read())

    def token(self, refresh=False) -> str:
        if self._token is None or refresh:
            form = urllib.parse.urlencode({
                "grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self.secret, "scope": AMS_SCOPE}).encode()
            r = self.http("POST", self.base + "/oauth2/token", form,
                          {"Content-Type": "application/x-www-form-urlencoded"})
            assert r.status == 200, r
            self._token = r.json["access_token"]
        return self._token

    def call(self, method: str, path: str, body=None, fmt=None, headers=None,
             token=True) -> Response:
        h = {"Accept": FORMATS[fmt or self.fmt], "DataServiceVersion": "3.0",
             "MaxDataServiceVersion": "3.0", "x-ms-version": "2.19"}
        if body is not None:
            h["Content-Type"] = FORMATS[fmt or self.fmt]
        if token:
            h["Authorization"] = "Bearer " + self.token()
        h.update(headers or {})
        url = path if path.startswith("http") else self.api + path.lstrip("/")
        return self.http(method, url, body, h)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body if body is not None else {}, **kw)

    def merge(self, path, body, **kw):
        return self.call("MERGE", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    # -- entity helpers (minimal metadata bodies)

    def create(self, set_name: str, body: dict) -> dict:
        r = self.post(set_name, body)
        assert r.status == 201, r
        return r.json

    @staticmethod
    def key(entity_id: str) -> str:
        return "('%s')" % urllib.parse.quote(entity_id, safe="")

    def entity(self, set_name: str, entity_id: str) -> Response:
        return self.get(set_name + self.key(entity_id))

    def values(self, path: str) -> list:
        r = self.get(path)
        assert r.status == 200, r
        return r.json["value"]

    def all_values(self, path: str) -> list:
        """Every row of a collection, following odata.nextLink (1000 per page)."""
        out, url = [], path
        while url:
            r = self.get(url)
            assert r.status == 200, r
            out += r.json["value"]
            url = r.json.get("odata.nextLink")
        return out

    # -- workflow helpers

    def write_locator(self, asset_id: str, minutes: float = 60) -> dict:
        policy = self.create("AccessPolicies", {"Name": "upload", "DurationInMinutes": minutes,
                                                "Permissions": 2})
        return self.create("Locators", {"AccessPolicyId": policy["Id"], "AssetId": asset_id,
                                        "Type": 1})

    @staticmethod
    def blob_url(locator: dict, name: str, extra: str = "") -> str:
        base, _, query = locator["Path"].partition("?")
        return "%s/%s?%s%s" % (base, urllib.parse.quote(name), query, extra)

    def put_blob(self, locator: dict, name: str, data: bytes, block_size: int = 0,
                 md5: bool = True) -> Response:
        if not block_size:
            h = {"x-ms-blob-type": "BlockBlob", "Content-Type": "application/octet-stream"}
            if md5:
                h["Content-MD5"] = base64.b64encode(hashlib.md5(data).digest()).decode()
            return self.http("PUT", self.blob_url(locator, name), data, h)
        ids = []
        for i in range(0, len(data), block_size):
            bid = base64.b64encode(b"block-%06d" % len(ids)).decode()
            r = self.http("PUT", self.blob_url(locator, name, "&comp=block&blockid=" +
                                               urllib.parse.quote(bid, safe="")),
                          data[i:i + block_size])
            if r.status != 201:
                return r
            ids.append(bid)
        xml = '<?xml version="1.0" encoding="utf-8"?><BlockList>%s</BlockList>' % "".join(
            "<Latest>%s</Latest>" % b for b in ids)
        return self.http("PUT", self.blob_url(locator, name, "&comp=blocklist"), xml)

    def upload_asset(self, name: str, files: dict, block_size: int = 0, **asset_props) -> dict:
        """files: {blob name: bytes or Path}; asset_props: more Asset properties
        (e.g. Options=1); returns the asset after CreateFileInfos."""
        asset = self.create("Assets", dict({"Name": name}, **asset_props))
        loc = self.write_locator(asset["Id"])
        for fname, content in files.items():
            data = Path(content).read_bytes() if isinstance(content, (str, Path)) else content
            r = self.put_blob(loc, fname, data, block_size)
            assert r.status == 201, r
        r = self.get("CreateFileInfos?assetid='%s'" % asset["Id"])
        assert r.status == 204, r
        assert self.delete("Locators" + self.key(loc["Id"])).status == 204
        return asset

    # -- encoding

    JOB_FINAL = {3: "Finished", 4: "Error", 5: "Canceled"}

    def processor_id(self, name: str = "Media Encoder Standard") -> str:
        rows = self.values("MediaProcessors?$filter=" +
                           urllib.parse.quote("Name eq '%s'" % name))
        assert rows, "no media processor named %r" % name
        return rows[0]["Id"]

    def submit_job(self, asset_id: str, configuration: str, name: str = "",
                   output_name: str = "", processor: str = "Media Encoder Standard",
                   priority: int = 0) -> dict:
        """POST /api/Jobs inline, the way the SDKs did: one task reading
        JobInputAsset(0) and producing JobOutputAsset(0)."""
        out_attr = ' assetName="%s"' % _xml_attr(output_name) if output_name else ""
        body = {
            "Name": name or "encode", "Priority": priority,
            "InputMediaAssets": [{"__metadata": {"uri": self.api + "Assets" + self.key(asset_id)}}],
            "Tasks": [{
                "Name": "task", "Configuration": configuration,
                "MediaProcessorId": self.processor_id(processor),
                "TaskBody": "<taskBody><inputAsset>JobInputAsset(0)</inputAsset>"
                            "<outputAsset assetCreationOptions=\"0\"%s>JobOutputAsset(0)</outputAsset>"
                            "</taskBody>" % out_attr,
            }],
        }
        return self.create("Jobs", body)

    def wait_job(self, job_id: str, timeout: float = 1800, on_progress=None) -> dict:
        """Polls a job until Finished/Error/Canceled; on_progress(job, tasks)
        is called after each poll.  Returns the final job."""
        deadline = time.time() + timeout
        while True:
            r = self.entity("Jobs", job_id)
            assert r.status == 200, r
            job = r.json
            if on_progress is not None:
                on_progress(job, self.values("Jobs%s/Tasks" % self.key(job_id)))
            if job["State"] in self.JOB_FINAL:
                return job
            if time.time() > deadline:
                raise TimeoutError("job %s still in state %s" % (job_id, job["State"]))
            time.sleep(1)

    def publish(self, asset_id: str, minutes: float = 60, start_offset_min: float = -5) -> dict:
        policy = self.create("AccessPolicies", {"Name": "stream", "DurationInMinutes": minutes,
                                                "Permissions": 1})
        start = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                              time.gmtime(time.time() + start_offset_min * 60))
        return self.create("Locators", {"AccessPolicyId": policy["Id"], "AssetId": asset_id,
                                        "Type": 2, "StartTime": start})
