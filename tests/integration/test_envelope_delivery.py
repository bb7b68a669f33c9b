"""AES-128 envelope encryption end to end, as an AMS client sets it up: an
EnvelopeEncryption ContentKey with an Open authorization policy, linked to
an asset with a DynamicEnvelopeEncryption delivery policy for HLS, published
with an origin locator.  The origin encrypts HLS (TS and fMP4) with the key,
its playlists name the key service, and the key service (the origin itself,
reading the catalog) hands the key out; ffmpeg plays the encrypted HLS over
HTTP and decodes the source's frames.  Other protocols of the asset are
refused, never clear; a token-restricted key is not handed out; a key
removed from the asset stops being delivered at once; and everything keeps
working while mediaplaned is stopped.
"""

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.parse

import pytest

from clients import HLS_INPUT
from media import framemd5, http_get
from test_api_content_keys import new_key

HLS, DASH, SMOOTH = 4, 2, 1


def create_key(ams, tmp_path, auth_policy_id):
    body, key = new_key(ams, tmp_path, key_type=4)
    body["AuthorizationPolicyId"] = auth_policy_id
    r = ams.post("ContentKeys", body)
    assert r.status == 201, r
    return body["Id"], key


def auth_policy(ams, restriction_type, requirements=None):
    pol = ams.create("ContentKeyAuthorizationPolicies", {"Name": "p"})
    req = requirements
    if restriction_type == 1 and req is None:
        from test_api_key_policies import template
        req = template()
    opt = ams.create("ContentKeyAuthorizationPolicyOptions", {
        "Name": "o", "KeyDeliveryType": 2, "KeyDeliveryConfiguration": None,
        "Restrictions": [{"Name": "r", "KeyRestrictionType": restriction_type,
                          "Requirements": req}]})
    r = ams.post("ContentKeyAuthorizationPolicies%s/$links/Options" % ams.key(pol["Id"]),
                 {"uri": ams.api + "ContentKeyAuthorizationPolicyOptions" + ams.key(opt["Id"])})
    assert r.status == 204, r
    return pol["Id"]


def protected_asset(ams, tmp_path, abr_set, restriction_type=0, config=None, requirements=None):
    files = {abr_set.ism.name: abr_set.ism}
    files.update({p.name: p for p in abr_set.files})
    asset = ams.upload_asset("envelope", files)
    kid, key = create_key(ams, tmp_path, auth_policy(ams, restriction_type, requirements))
    r = ams.post("Assets%s/$links/ContentKeys" % ams.key(asset["Id"]),
                 {"uri": ams.api + "ContentKeys" + ams.key(kid)})
    assert r.status == 204, r
    body = {"Name": "env", "AssetDeliveryProtocol": HLS, "AssetDeliveryPolicyType": 3}
    if config is not None:
        body["AssetDeliveryConfiguration"] = config
    pol = ams.create("AssetDeliveryPolicies", body)
    r = ams.post("Assets%s/$links/DeliveryPolicies" % ams.key(asset["Id"]),
                 {"uri": ams.api + "AssetDeliveryPolicies" + ams.key(pol["Id"])})
    assert r.status == 204, r
    loc = ams.publish(asset["Id"])
    return asset, kid, key, loc


def key_uri(playlist):
    return re.findall(r'#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)"', playlist)[0]


def media_playlist(base, fmt):
    master = http_get(base + "Manifest(format=%s)" % fmt)
    assert master.status == 200, master.text
    first = [l for l in master.text.splitlines() if l and not l.startswith("#")][0]
    media = http_get(base + first)
    assert media.status == 200
    return base + first, media.text


@pytest.fixture(scope="module")
def open_asset(platform, abr_set, tmp_path_factory):
    ams = platform.client()
    return (ams,) + protected_asset(ams, tmp_path_factory.mktemp("keys"), abr_set)


@pytest.mark.parametrize("fmt", ["m3u8-aapl-v3", "m3u8-aapl"])
def test_ffmpeg_plays_envelope_hls_from_the_key_service(open_asset, platform, abr_set, fmt):
    ams, asset, kid, key, loc = open_asset
    base = loc["Path"] + abr_set.ism.name + "/"
    url, text = media_playlist(base, fmt)
    guid = kid.split(":")[-1]
    keys = re.findall(r'#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)"', text)
    assert keys == [platform.origin.base + "/keydelivery/?KID=" + guid]

    got = http_get(keys[0])
    assert got.status == 200 and got.body == key
    assert got.headers.get("Access-Control-Allow-Origin") == "*"
    assert "no-store" in got.headers.get("Cache-Control", "")

    seg = [l for l in text.splitlines() if l and not l.startswith("#")][0]
    body = http_get(url.rsplit("/", 1)[0] + "/" + seg).body
    assert len(body) % 16 == 0 and not body.startswith(b"\x47")   # not clear TS

    # the first rendition of the variant: ffmpeg fetches the key, decrypts, decodes
    want = framemd5(abr_set.renditions[0].path, "v:0")
    got_frames = framemd5(url, "v:0", HLS_INPUT)
    assert got_frames == want


def test_envelope_asset_never_serves_other_protocols(open_asset, abr_set):
    ams, asset, kid, key, loc = open_asset
    base = loc["Path"] + abr_set.ism.name + "/"
    for path in ("Manifest(format=mpd-time-csf)", "Manifest",
                 "QualityLevels(%d)/Fragments(video=0,format=mpd-time-csf)"
                 % (abr_set.renditions[0].kbps * 1000)):
        assert http_get(base + path).status == 403
    assert http_get(loc["Path"] + abr_set.renditions[0].path.name).status == 403


def test_key_service_errors(open_asset, platform):
    base = platform.origin.base + "/keydelivery/"
    assert http_get(base).status == 400
    assert http_get(base + "?KID=not-a-guid").status == 400
    assert http_get(base + "?KID=00000000-0000-0000-0000-000000000000").status == 404
    r = http_get(base + "PlayReady/")
    assert r.status == 501 and b"license server" in r.body
    r = http_get(base + "?KID=x", method="OPTIONS")
    assert r.status == 204 and "Authorization" in r.headers.get("Access-Control-Allow-Headers")


def test_keys_and_segments_survive_a_stopped_daemon(open_asset, platform, abr_set):
    ams, asset, kid, key, loc = open_asset
    base = loc["Path"] + abr_set.ism.name + "/"
    url, text = media_playlist(base, "m3u8-aapl-v3")
    key_url = key_uri(text)
    platform.daemon.stop()
    try:
        assert http_get(key_url).body == key
        seg = [l for l in text.splitlines() if l and not l.startswith("#")][-1]
        assert http_get(url.rsplit("/", 1)[0] + "/" + seg).status == 200
    finally:
        platform.daemon.start()


# ---- token-restricted keys: JWT (HS256) and SWT as the AMS SDKs issued them

KID_CLAIM = "urn:microsoft:azure:mediaservices:contentkeyidentifier"
SIGNING_KEY = bytes(range(64))
OTHER_KEY = bytes(range(1, 65))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims, key=SIGNING_KEY, alg="HS256"):
    head = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    if alg == "none":
        return "%s.%s." % (head, body)
    sig = hmac.new(key, ("%s.%s" % (head, body)).encode(), hashlib.sha256).digest()
    return "%s.%s.%s" % (head, body, b64url(sig))


def swt(fields, key=SIGNING_KEY):
    text = "&".join("%s=%s" % (urllib.parse.quote(k, safe=""), urllib.parse.quote(str(v), safe=""))
                    for k, v in fields)
    sig = base64.b64encode(hmac.new(key, text.encode(), hashlib.sha256).digest()).decode()
    return text + "&HMACSHA256=" + urllib.parse.quote(sig, safe="")


@pytest.fixture(scope="module")
def token_assets(platform, abr_set, tmp_path_factory):
    from test_api_key_policies import template
    ams = platform.client()
    out = {}
    for kind in ("JWT", "SWT"):
        req = template(primary=base64.b64encode(SIGNING_KEY).decode(),
                       alternates=(base64.b64encode(b"a" * 32).decode(),), token_type=kind)
        asset, kid, key, loc = protected_asset(ams, tmp_path_factory.mktemp(kind), abr_set,
                                               restriction_type=1, requirements=req)
        _, text = media_playlist(loc["Path"] + abr_set.ism.name + "/", "m3u8-aapl")
        out[kind] = (kid.split(":")[-1], key, key_uri(text))
    return out


def good_jwt_claims(guid, **over):
    c = {"iss": "http://issuer/", "aud": "urn:test", "exp": int(time.time()) + 600,
         "nbf": int(time.time()) - 10, KID_CLAIM: guid}
    c.update(over)
    return c


def test_jwt_token_gets_the_key(token_assets):
    guid, key, url = token_assets["JWT"]
    r = http_get(url, headers={"Authorization": "Bearer " + jwt(good_jwt_claims(guid))})
    assert r.status == 200 and r.body == key
    # players that cannot set headers: ?token=; "aud" may be a list
    t = jwt(good_jwt_claims(guid, aud=["x", "urn:test"]))
    r = http_get(url + "&token=" + urllib.parse.quote(t, safe=""))
    assert r.status == 200 and r.body == key


@pytest.mark.parametrize("case, words", [
    ("none", "send a token"),
    ("alg-none", "HS256"),
    ("wrong-key", "signature"),
    ("tampered", "signature"),
    ("expired", "expired"),
    ("no-exp", "expiry"),
    ("not-yet", "not valid yet"),
    ("audience", "audience"),
    ("issuer", "issuer"),
    ("other-kid", "requested key"),
    ("no-kid-claim", "required claim"),
    ("garbage", "JWT"),
])
def test_bad_jwt_tokens_get_401_and_no_key(token_assets, case, words):
    guid, key, url = token_assets["JWT"]
    c = good_jwt_claims(guid)
    tokens = {
        "none": None,
        "alg-none": jwt(c, alg="none"),
        "wrong-key": jwt(c, key=OTHER_KEY),
        "expired": jwt(good_jwt_claims(guid, exp=int(time.time()) - 3600)),
        "not-yet": jwt(good_jwt_claims(guid, nbf=int(time.time()) + 3600)),
        "audience": jwt(good_jwt_claims(guid, aud="urn:other")),
        "issuer": jwt(good_jwt_claims(guid, iss="http://evil/")),
        "other-kid": jwt(good_jwt_claims(guid, **{KID_CLAIM: "00000000-0000-0000-0000-000000000001"})),
        "garbage": "not-a-token",
    }
    if case == "tampered":
        head, body, sig = jwt(c).split(".")
        forged = dict(c, aud="urn:test", exp=int(time.time()) + 86400 * 365)
        tokens[case] = "%s.%s.%s" % (head, b64url(json.dumps(forged).encode()), sig)
    elif case == "no-exp":
        del c["exp"]
        tokens[case] = jwt(c)
    elif case == "no-kid-claim":
        del c[KID_CLAIM]
        tokens[case] = jwt(c)
    headers = {"Authorization": "Bearer " + tokens[case]} if tokens[case] else {}
    r = http_get(url, headers=headers)
    assert r.status == 401 and words.encode() in r.body, (r.status, r.body)
    assert key not in r.body and r.headers.get("WWW-Authenticate") == "Bearer"


def test_swt_token_gets_the_key_and_bad_ones_do_not(token_assets):
    guid, key, url = token_assets["SWT"]
    good = [("Issuer", "http://issuer/"), ("Audience", "urn:test"),
            ("ExpiresOn", int(time.time()) + 600), (KID_CLAIM, guid)]
    r = http_get(url, headers={"Authorization": "Bearer " + swt(good)})
    assert r.status == 200 and r.body == key
    for bad, words in ((swt(good, key=OTHER_KEY), b"signature"),
                       (swt(good[:2] + [("ExpiresOn", int(time.time()) - 3600)] + good[3:]),
                        b"expired"),
                       (swt(good[:3] + [(KID_CLAIM, "00000000-0000-0000-0000-000000000001")]),
                        b"requested key"),
                       (jwt(good_jwt_claims(guid)), b"no JWT")):   # a JWT for an SWT policy
        r = http_get(url, headers={"Authorization": "Bearer " + bad})
        assert r.status == 401 and words in r.body and key not in r.body, r.body


def test_policy_configuration_sets_key_url_and_iv(platform, abr_set, tmp_path):
    ams = platform.client()
    iv = bytes(range(16))
    cfg = ('[{"Key":1,"Value":"https://keys.example/k?id=1"},'
           '{"Key":3,"Value":"%s"}]' % base64.b64encode(iv).decode())
    asset, kid, key, loc = protected_asset(ams, tmp_path, abr_set, config=cfg)
    url, text = media_playlist(loc["Path"] + abr_set.ism.name + "/", "m3u8-aapl-v3")
    assert ('#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/k?id=1",IV=0x%s'
            % iv.hex().upper()) in text


@pytest.mark.parametrize("cfg, words", [
    ('[{"Key":3,"Value":"AAEC"}]', "16 bytes"),
    ('[{"Key":1,"Value":"keys.example/k"}]', "http(s) URL"),
])
def test_bad_envelope_configuration_is_400(platform, cfg, words):
    ams = platform.client()
    r = ams.post("AssetDeliveryPolicies", {"Name": "bad", "AssetDeliveryProtocol": HLS,
                                           "AssetDeliveryPolicyType": 3,
                                           "AssetDeliveryConfiguration": cfg})
    assert r.status == 400 and words in r.error_message(), r


def test_publishing_without_an_envelope_key_is_400(platform, abr_set):
    ams = platform.client()
    files = {abr_set.ism.name: abr_set.ism}
    files.update({p.name: p for p in abr_set.files})
    asset = ams.upload_asset("nokey", files)
    pol = ams.create("AssetDeliveryPolicies", {"Name": "env", "AssetDeliveryProtocol": HLS,
                                               "AssetDeliveryPolicyType": 3})
    r = ams.post("Assets%s/$links/DeliveryPolicies" % ams.key(asset["Id"]),
                 {"uri": ams.api + "AssetDeliveryPolicies" + ams.key(pol["Id"])})
    assert r.status == 204
    access = ams.create("AccessPolicies", {"Name": "stream", "DurationInMinutes": 60,
                                           "Permissions": 1})
    r = ams.post("Locators", {"AccessPolicyId": access["Id"], "AssetId": asset["Id"], "Type": 2})
    assert r.status == 400 and "EnvelopeEncryption" in r.error_message(), r


def test_removed_key_stops_being_delivered(platform, abr_set, tmp_path):
    ams = platform.client()
    asset, kid, key, loc = protected_asset(ams, tmp_path, abr_set)
    base = loc["Path"] + abr_set.ism.name + "/"
    url, text = media_playlist(base, "m3u8-aapl-v3")
    key_url = key_uri(text)
    seg = url.rsplit("/", 1)[0] + "/" + [l for l in text.splitlines()
                                         if l and not l.startswith("#")][0]
    assert http_get(key_url).body == key
    r = ams.delete("Assets%s/$links/ContentKeys%s" % (ams.key(asset["Id"]), ams.key(kid)))
    assert r.status == 204, r
    # the catalog's commit is what the next request reads: no delay
    assert http_get(key_url).status == 404
    assert http_get(seg).status == 403


def test_encryption_url_option(open_asset, platform, abr_set):
    """encryption=cbc picks the envelope; what the asset is not delivered
    with (cenc, cbcs-aapl; cbc on a clear asset) is 404, a protocol its
    policies block stays 403, never clear; an unknown value 400."""
    ams, asset, kid, key, loc = open_asset
    base = loc["Path"] + abr_set.ism.name + "/"
    ok = http_get(base + "Manifest(format=m3u8-aapl-v3,encryption=cbc)")
    assert ok.status == 200
    for enc in ("cenc", "cbcs-aapl"):
        assert http_get(base + "Manifest(format=m3u8-aapl-v3,encryption=%s)" % enc).status == 404
        # DASH is not among the asset's protocols at all: blocked, whatever the option
        assert http_get(base + "Manifest(format=mpd-time-csf,encryption=%s)" % enc).status == 403
    assert http_get(base + "Manifest(format=m3u8-aapl-v3,encryption=nope)").status == 400
    files = {abr_set.ism.name: abr_set.ism}
    files.update({p.name: p for p in abr_set.files})
    clear = ams.upload_asset("clear", files)
    cloc = ams.publish(clear["Id"])
    cbase = cloc["Path"] + abr_set.ism.name + "/"
    assert http_get(cbase + "Manifest(format=m3u8-aapl-v3)").status == 200
    assert http_get(cbase + "Manifest(format=m3u8-aapl-v3,encryption=cbc)").status == 404
