"""mediaplaned: OAuth2 client-credentials tokens and bearer checks."""

import urllib.parse

import pytest

from conftest import free_port
from platform_harness import AMS_SCOPE, CLIENT_ID, CLIENT_SECRET, Daemon, client_for


def token_request(ams, **fields):
    form = urllib.parse.urlencode(fields).encode()
    return ams.http("POST", ams.base + "/oauth2/token", form,
                    {"Content-Type": "application/x-www-form-urlencoded"})


def test_token_endpoint_issues_swt_bearer_tokens(ams):
    r = token_request(ams, grant_type="client_credentials", client_id=CLIENT_ID,
                      client_secret=CLIENT_SECRET, scope=AMS_SCOPE)
    assert r.status == 200, r
    j = r.json
    assert j["token_type"].endswith("swt-token-profile-1.0")
    assert int(j["expires_in"]) > 3600
    assert j["scope"] == AMS_SCOPE
    assert "HMACSHA256=" in j["access_token"] and "ExpiresOn=" in j["access_token"]
    # the ACS path AMS clients were configured with works too
    r2 = ams.http("POST", ams.base + "/v2/OAuth2-13", urllib.parse.urlencode(dict(
        grant_type="client_credentials", client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
        scope=AMS_SCOPE)).encode(), {"Content-Type": "application/x-www-form-urlencoded"})
    assert r2.status == 200


def test_bad_credentials_are_refused_and_secrets_not_logged(ams, platform):
    r = token_request(ams, grant_type="client_credentials", client_id=CLIENT_ID,
                      client_secret="wrong-secret-value", scope=AMS_SCOPE)
    assert r.status == 400 and r.json["error"] == "invalid_client"
    r = token_request(ams, grant_type="password", client_id=CLIENT_ID,
                      client_secret=CLIENT_SECRET)
    assert r.status == 400 and r.json["error"] == "unsupported_grant_type"
    r = token_request(ams, grant_type="client_credentials", client_id=CLIENT_ID,
                      client_secret=CLIENT_SECRET, scope="urn:other")
    assert r.status == 400 and r.json["error"] == "invalid_scope"
    log = platform.daemon.log()
    assert CLIENT_SECRET not in log and "wrong-secret-value" not in log
    assert ams.token() not in log


def test_api_needs_a_valid_token(ams):
    assert ams.get("Assets").status == 200
    r = ams.get("Assets", token=False)
    assert r.status == 401 and "Bearer" in r.error_message()
    assert "Bearer" in r.headers.get("WWW-Authenticate", "")
    tok = ams.token()
    for bad in ("garbage", tok[:-4] + "AAAA", tok.replace("ExpiresOn=", "ExpiresOn=9"),
                tok.replace("Audience=urn%3aWindowsAzureMediaServices", "Audience=urn%3aother")):
        r = ams.get("Assets", token=False, headers={"Authorization": "Bearer " + bad})
        assert r.status == 401, bad
    # a token signed by another installation (another key) is refused
    other = client_for(ams.base)
    other._token = tok.split("&HMACSHA256=")[0] + "&HMACSHA256=" + \
        urllib.parse.quote("A" * 43 + "=")
    assert other.get("Assets").status == 401


def test_requests_without_token_never_reach_a_handler(ams):
    # even a malformed body gets 401 first, not 400
    r = ams.call("POST", "Assets", "{not json", token=False)
    assert r.status == 401


@pytest.fixture
def throttled_daemon(_prefix_root):
    port = free_port()
    d = Daemon(_prefix_root / ("throttle-%d" % port), port, "http://127.0.0.1:%d" % port,
               extra={"token_failure_limit": "3"}).start()
    yield d
    d.stop()
    assert not d.crashes(), d.crashes()


def test_failed_token_requests_are_throttled_per_address(throttled_daemon):
    """token_failure_limit 3: the fourth request of an address that failed
    three times within the minute gets 429 + Retry-After, even with the right
    secret; another client address (X-Real-IP from the loopback proxy) is not
    affected."""
    ams = client_for(throttled_daemon.public_url)
    good = dict(grant_type="client_credentials", client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET, scope=AMS_SCOPE)
    bad = dict(good, client_secret="guess-number-%d")
    viewer = {"X-Real-IP": "203.0.113.7"}

    def request(fields, headers=None):
        form = urllib.parse.urlencode(fields).encode()
        h = dict({"Content-Type": "application/x-www-form-urlencoded"}, **(headers or {}))
        return ams.http("POST", ams.base + "/oauth2/token", form, h)

    assert request(good, viewer).status == 200
    for i in range(3):
        r = request(dict(bad, client_secret="guess-number-%d" % i), viewer)
        assert r.status == 400 and r.json["error"] == "invalid_client"
    r = request(good, viewer)
    assert r.status == 429, r
    assert r.json["error"] == "temporarily_unavailable"
    assert 0 < int(r.headers["Retry-After"]) <= 60
    # the daemon's own loopback address (another client) still gets tokens
    assert request(good).status == 200
    assert request(good, {"X-Real-IP": "203.0.113.8"}).status == 200
    # a header that is not an address is ignored: the peer counts
    assert request(good, {"X-Real-IP": "evil; rm"}).status == 200
    assert "203.0.113.7" in throttled_daemon.log()


def test_short_client_secrets_are_refused_at_start(_prefix_root):
    port = free_port()
    d = Daemon(_prefix_root / ("short-secret-%d" % port), port, "http://127.0.0.1:%d" % port,
               extra={"client": "weak " + "x" * 15})
    with pytest.raises(Exception):
        d.start(timeout=5)
    assert "16 to 255 characters" in d.log()
