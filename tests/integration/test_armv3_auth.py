"""The v3 (ARM) API's transport and identity: the daemon's HTTPS listener
(tls_listen, build/tls's loopback certificate), OpenID discovery as MSAL
reads it, the client-credentials token endpoint issuing RS256 JWTs whose
signature checks against the published JWKS, and the bearer check of ARM
calls (signature, expiry, audience)."""

import base64
import http.client
import json
import socket
import ssl

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from armv3 import TENANT, ArmClient, call, get_token, tls_context
from platform_harness import CLIENT_ID


def b64url(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def test_https_listener_with_the_local_ca(arm_url, platform):
    host, port = "127.0.0.1", platform.daemon.tls_port
    conn = http.client.HTTPSConnection(host, port, context=tls_context(), timeout=10)
    conn.request("GET", "/healthz")
    r = conn.getresponse()
    assert (r.status, r.read()) == (200, b"ok\n")
    cert = conn.sock.getpeercert()
    assert ("IP Address", "127.0.0.1") in cert["subjectAltName"]
    conn.close()
    # an unknown CA is refused by a verifying client
    with pytest.raises(ssl.SSLCertVerificationError):
        c2 = http.client.HTTPSConnection(host, port, context=ssl.create_default_context(),
                                         timeout=10)
        c2.request("GET", "/healthz")
    # plain http on the TLS port gets no HTTP answer
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(5)
        try:
            data = s.recv(100)
        except (ConnectionResetError, socket.timeout):
            data = b""
        assert not data.startswith(b"HTTP/1.1 200")


def test_openid_configuration(arm_url):
    status, headers, doc = call("GET", "%s/%s/v2.0/.well-known/openid-configuration"
                                % (arm_url, TENANT))
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert doc["issuer"] == "%s/%s/v2.0" % (arm_url, TENANT)
    assert doc["token_endpoint"] == "%s/%s/oauth2/v2.0/token" % (arm_url, TENANT)
    assert doc["authorization_endpoint"].startswith(arm_url + "/")
    assert doc["jwks_uri"] == "%s/%s/discovery/v2.0/keys" % (arm_url, TENANT)


def test_token_is_an_rs256_jwt_signed_by_the_jwks_key(arm_url):
    status, _, body = get_token(arm_url)
    assert status == 200, body
    assert body["token_type"] == "Bearer" and body["expires_in"] > 60
    token = body["access_token"]
    head, claims, sig = token.split(".")
    header = json.loads(b64url(head))
    payload = json.loads(b64url(claims))
    assert header["alg"] == "RS256"
    assert payload["aud"] == arm_url and payload["appid"] == CLIENT_ID
    assert payload["tid"] == TENANT and payload["exp"] > payload["iat"]
    _, _, jwks = call("GET", "%s/%s/discovery/v2.0/keys" % (arm_url, TENANT))
    [jwk] = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    pub = rsa.RSAPublicNumbers(int.from_bytes(b64url(jwk["e"]), "big"),
                               int.from_bytes(b64url(jwk["n"]), "big")).public_key()
    pub.verify(b64url(sig), (head + "." + claims).encode(), padding.PKCS1v15(), hashes.SHA256())


def test_token_refusals(arm_url):
    status, _, body = get_token(arm_url, secret="wrong")
    assert status == 401 and body["error"] == "invalid_client"
    status, _, body = get_token(arm_url, scope="https://management.azure.com/.default")
    assert status == 400 and body["error"] == "invalid_scope"
    status, _, body = call("POST", "%s/%s/oauth2/v2.0/token" % (arm_url, TENANT),
                           form={"grant_type": "password"})
    assert status == 400 and body["error"] == "unsupported_grant_type"


def test_arm_calls_need_a_valid_v3_token(arm_url, platform):
    arm = ArmClient(arm_url)
    status, headers, body = arm.req("GET", "", api_version="2021-11-01")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert body["name"] == "mediaplane" and body["type"] == "Microsoft.Media/mediaservices"
    status, _, body = call("GET", arm.base + "?api-version=2021-11-01")
    assert status == 401 and body["error"]["code"] == "AuthenticationFailed"
    head, claims, sig = arm.token.split(".")
    forged = json.loads(b64url(claims))
    forged["aud"] = "https://elsewhere"
    forged_claims = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
    for bad in (head + "." + forged_claims + "." + sig,          # signature no longer matches
                head + "." + claims + "." + sig[:-4] + "AAAA",
                "x" * 9000):                                   # beyond the bound
        status, _, body = arm.req("GET", "", api_version="2021-11-01", token=bad)
        assert status == 401 and body["error"]["code"] == "InvalidAuthenticationToken", body
    # a v2 (SWT) token is not a v3 one
    v2 = platform.client()
    status, _, body = arm.req("GET", "", api_version="2021-11-01", token=v2.token())
    assert status == 401


def test_arm_path_and_api_version_errors(arm_url):
    arm = ArmClient(arm_url)
    status, _, body = arm.req("GET", "", api_version=None)
    assert status == 400 and body["error"]["code"] == "MissingApiVersionParameter"
    status, _, body = arm.req("GET", "", api_version="1999-01-01")
    assert status == 400 and body["error"]["code"] == "InvalidApiVersionParameter"
    assert "2021-11-01" in body["error"]["message"]
    # the SDK spells the account segment both ways; words match in any case
    url = arm.base.replace("/mediaServices/", "/MEDIASERVICES/").replace(
        "/resourceGroups/", "/resourcegroups/") + "?api-version=2021-11-01"
    status, _, body = call("GET", url, headers={"Authorization": "Bearer " + arm.token})
    assert status == 200, body
    other = ArmClient(arm_url, account="someoneelse")
    status, _, body = other.req("GET", "", api_version="2021-11-01")
    assert status == 404 and body["error"]["code"] == "ResourceNotFound"
    status, _, body = arm.req("GET", "notACollection", api_version="2022-08-01")
    assert status == 404


def test_v3_assets_are_v2_assets(arm_url, platform):
    """PUT/GET/list/DELETE through v3 on the v2 records; listContainerSas
    gives a SAS URL the blob upload takes."""
    import urllib.request
    arm = ArmClient(arm_url)
    status, _, body = arm.req("PUT", "assets/v3-crud", {"properties": {"description": "d1"}})
    assert status == 201, body
    assert body["name"] == "v3-crud" and body["type"] == "Microsoft.Media/mediaservices/assets"
    guid = body["properties"]["assetId"]
    assert body["properties"]["container"] == "asset-" + guid
    assert body["properties"]["description"] == "d1"
    assert body["id"].endswith("/mediaservices/mediaplane/assets/v3-crud")
    status, _, body = arm.req("PUT", "assets/V3-CRUD", {"properties": {"alternateId": "alt"}})
    assert status == 200 and body["properties"]["assetId"] == guid, body   # same asset
    status, _, body = arm.req("GET", "assets/v3-crud")
    assert status == 200 and body["properties"]["alternateId"] == "alt"
    assert "v3-crud" in arm.names("assets")
    # v2 sees it
    v2 = platform.client()
    a = v2.get("Assets('nb:cid:UUID:%s')" % guid).json
    a = a.get("d", a)
    assert a["Name"] == "v3-crud" and a["AlternateId"] == "alt"
    # SAS upload
    status, _, body = arm.req("POST", "assets/v3-crud/listContainerSas",
                              {"permissions": "ReadWrite", "expiryTime": "2099-01-01T00:00:00.000Z"})
    assert status == 400, body                                       # beyond the bound
    import datetime
    exp = (datetime.datetime.utcnow() + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    status, _, body = arm.req("POST", "assets/v3-crud/listContainerSas",
                              {"permissions": "ReadWrite", "expiryTime": exp})
    assert status == 200, body
    [url] = body["assetContainerSasUrls"]
    base, query = url.split("?", 1)
    assert base.endswith("/asset-" + guid)
    req = urllib.request.Request(base + "/hello.txt?" + query, data=b"hello", method="PUT",
                                 headers={"x-ms-blob-type": "BlockBlob", "x-ms-version": "2026-04-06"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 201
    with urllib.request.urlopen(base + "/hello.txt?" + query, timeout=10) as r:
        assert r.read() == b"hello"
    status, _, body = arm.req("DELETE", "assets/v3-crud")
    assert status == 200
    status, _, body = arm.req("GET", "assets/v3-crud")
    assert status == 404 and body["error"]["code"] == "ResourceNotFound"
    status, _, _ = arm.req("DELETE", "assets/v3-crud")
    assert status == 204
    status, _, body = arm.req("PUT", "assets/bad%20name", {"properties": {}})
    assert status == 400 and body["error"]["code"] == "InvalidResourceName"


def test_tls_settings_are_checked(tmp_path):
    """mediaplaned -t: tls_listen needs both PEM files; arm_url must be https;
    a certificate that is not PEM stops the start with a message."""
    import subprocess
    from platform_harness import DAEMON_OPT, DAEMON_SAN, TLS_DIR
    daemon = str(DAEMON_SAN if DAEMON_SAN.exists() else DAEMON_OPT)
    conf = tmp_path / "d.conf"
    conf.write_text("listen 127.0.0.1:0\ndata_dir %s\nclient a %s\n" % (tmp_path / "data", "s" * 16))

    def check(*overrides, test_only=True):
        args = [daemon, "-c", str(conf)] + [a for o in overrides for a in ("-o", o)]
        return subprocess.run(args + (["-t"] if test_only else []), capture_output=True,
                              text=True, timeout=30)
    r = check("tls_listen=127.0.0.1:0")
    assert r.returncode != 0 and "tls_certificate" in r.stderr
    r = check("tls_listen=127.0.0.1:0", "tls_certificate=%s" % (TLS_DIR / "server.pem"),
              "tls_certificate_key=%s" % (TLS_DIR / "server.key"))
    assert r.returncode == 0, r.stderr
    r = check("arm_url=http://127.0.0.1:1")
    assert r.returncode != 0 and "https" in r.stderr
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    r = check("tls_listen=127.0.0.1:0", "tls_certificate=%s" % bad,
              "tls_certificate_key=%s" % (TLS_DIR / "server.key"), test_only=False)
    assert r.returncode != 0 and "PEM" in r.stderr, r.stderr
    r = check("tls_listen=127.0.0.1:0", "tls_certificate=%s" % (TLS_DIR / "ca.pem"),
              "tls_certificate_key=%s" % (TLS_DIR / "server.key"), test_only=False)
    assert r.returncode != 0 and "certificate/key" in r.stderr, r.stderr   # not a pair
