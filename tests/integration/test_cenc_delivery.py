"""Common encryption end to end, as an AMS client sets it up: a
CommonEncryption (0) or CommonEncryptionCbcs (6) ContentKey with a
token-restricted (JWT) authorization policy, linked to an asset with a
DynamicCommonEncryption (4) or ...Cbcs (5) delivery policy for DASH and
HLS, published with an origin locator.  The origin serves encrypted fMP4
(ffmpeg decrypts every DASH segment with the key to the source's frames),
signals it (DASH ContentProtection with cenc:default_KID and the ClearKey
license URL, HLS EXT-X-KEY per key system), and its ClearKey license service
hands the key out as a JWK set to a request with a valid JWT only.  Smooth
and progressive download of such an asset are refused, never clear; HLS
MPEG-TS is refused (SAMPLE-AES TS is not served); the license keeps being
served while mediaplaned is stopped.
"""

import base64
import json
import re
import uuid
import xml.etree.ElementTree as ET

import pytest

import isobmff
from media import framemd5, http_get
from test_api_content_keys import new_key
from test_envelope_delivery import b64url, jwt, good_jwt_claims, SIGNING_KEY, OTHER_KEY

HLS, DASH, SMOOTH, PROGRESSIVE = 4, 2, 1, 16
NS = {"d": "urn:mpeg:dash:schema:mpd:2011", "cenc": "urn:mpeg:cenc:2013",
      "dashif": "https://dashif.org/CPS"}
CLEARKEY_SCHEME = "urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e"
WIDEVINE_URL = "https://widevine.example/proxy"
FAIRPLAY_URL = "https://fairplay.example/FairPlay/"


def link(ams, src_set, src_id, nav, dst_set, dst_id):
    r = ams.post("%s%s/$links/%s" % (src_set, ams.key(src_id), nav),
                 {"uri": ams.api + dst_set + ams.key(dst_id)})
    assert r.status == 204, r


def token_policy(ams):
    from test_api_key_policies import template
    pol = ams.create("ContentKeyAuthorizationPolicies", {"Name": "cenc"})
    req = template(primary=base64.b64encode(SIGNING_KEY).decode())
    opt = ams.create("ContentKeyAuthorizationPolicyOptions", {
        "Name": "widevine", "KeyDeliveryType": 3, "KeyDeliveryConfiguration": None,
        "Restrictions": [{"Name": "jwt", "KeyRestrictionType": 1, "Requirements": req}]})
    link(ams, "ContentKeyAuthorizationPolicies", pol["Id"], "Options",
         "ContentKeyAuthorizationPolicyOptions", opt["Id"])
    return pol["Id"]


def common_asset(ams, tmp_path, abr_set, cbcs):
    files = {abr_set.ism.name: abr_set.ism}
    files.update({p.name: p for p in abr_set.files})
    asset = ams.upload_asset("cbcs" if cbcs else "cenc", files)
    body, key = new_key(ams, tmp_path, key_type=6 if cbcs else 0)
    body["AuthorizationPolicyId"] = token_policy(ams)
    assert ams.post("ContentKeys", body).status == 201
    link(ams, "Assets", asset["Id"], "ContentKeys", "ContentKeys", body["Id"])
    cfg = json.dumps([{"Key": 7, "Value": WIDEVINE_URL}] +
                     ([{"Key": 9, "Value": FAIRPLAY_URL}] if cbcs else []))
    pol = ams.create("AssetDeliveryPolicies", {
        "Name": "common", "AssetDeliveryProtocol": DASH | HLS | SMOOTH | PROGRESSIVE,
        "AssetDeliveryPolicyType": 5 if cbcs else 4, "AssetDeliveryConfiguration": cfg})
    link(ams, "Assets", asset["Id"], "DeliveryPolicies", "AssetDeliveryPolicies", pol["Id"])
    loc = ams.publish(asset["Id"])
    kid = uuid.UUID(body["Id"].split(":")[-1])
    return {"base": loc["Path"] + abr_set.ism.name + "/", "kid": kid, "key": key,
            "loc": loc, "cbcs": cbcs, "asset": asset["Id"]}


@pytest.fixture(scope="module")
def assets(platform, abr_set, tmp_path_factory):
    ams = platform.client()
    return {name: common_asset(ams, tmp_path_factory.mktemp(name), abr_set, name == "cbcs")
            for name in ("cenc", "cbcs")}


def bearer(kid):
    return {"Authorization": "Bearer " + jwt(good_jwt_claims(str(kid)))}


def license_request(kids, typ="temporary"):
    return json.dumps({"kids": [b64url(k.bytes) for k in kids], "type": typ}).encode()


def mpd(asset):
    r = http_get(asset["base"] + "Manifest(format=mpd-time-csf)")
    assert r.status == 200, r.text
    return ET.fromstring(r.body)


@pytest.mark.parametrize("name", ["cenc", "cbcs"])
def test_dash_signals_the_key_and_the_license_service(assets, platform, name):
    a = assets[name]
    doc = mpd(a)
    sets = doc.findall(".//d:AdaptationSet", NS)
    assert len(sets) >= 2
    for s in sets:
        cps = s.findall("d:ContentProtection", NS)
        schemes = {cp.get("schemeIdUri"): cp for cp in cps}
        mp4 = schemes["urn:mpeg:dash:mp4protection:2011"]
        assert mp4.get("value") == name
        assert mp4.get("{urn:mpeg:cenc:2013}default_KID") == str(a["kid"])
        laurl = schemes[CLEARKEY_SCHEME].find("dashif:Laurl", NS).text
        assert laurl == platform.origin.base + "/keydelivery/ClearKey/"
        wv = schemes["urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"]
        assert wv.find("dashif:Laurl", NS).text == WIDEVINE_URL
        box = base64.b64decode(wv.find("cenc:pssh", NS).text)
        assert box[4:8] == b"pssh" and a["kid"].bytes in box


@pytest.mark.parametrize("name", ["cenc", "cbcs"])
def test_ffmpeg_decrypts_dash_to_the_source_frames(assets, abr_set, tmp_path, name):
    a = assets[name]
    doc = mpd(a)
    vset = [s for s in doc.findall(".//d:AdaptationSet", NS) if s.get("contentType") == "video"][0]
    tmpl = vset.find("d:SegmentTemplate", NS)
    times, t = [], 0
    for s in tmpl.find("d:SegmentTimeline", NS):
        t = int(s.get("t", t))
        for _ in range(int(s.get("r", 0)) + 1):
            times.append(t)
            t += int(s.get("d"))
    rend = abr_set.renditions[0]
    q = "QualityLevels(%d)/Fragments(video=" % (rend.kbps * 1000)
    init = http_get(a["base"] + q + "i,format=mpd-time-csf)").body
    tenc = isobmff.tenc(init)
    assert tenc["kid"] == a["kid"] and isobmff.scheme(init) == name
    frames = []
    for t in times:
        seg = http_get(a["base"] + q + "%d,format=mpd-time-csf)" % t)
        assert seg.status == 200 and int(seg.headers["Content-Length"]) == len(seg.body)
        (tmp_path / "s.mp4").write_bytes(init + seg.body)
        frames += framemd5(tmp_path / "s.mp4", "v:0", ["-decryption_key", a["key"].hex()])
    assert frames == framemd5(rend.path, "v:0")


@pytest.mark.parametrize("name", ["cenc", "cbcs"])
def test_hls_names_the_key_systems(assets, platform, name):
    a = assets[name]
    master = http_get(a["base"] + "Manifest(format=m3u8-cmaf)")
    assert master.status == 200, master.text
    first = [l for l in master.text.splitlines() if l and not l.startswith("#")][0]
    text = http_get(a["base"] + first).text
    method = "SAMPLE-AES" if name == "cbcs" else "SAMPLE-AES-CTR"
    keys = re.findall(r"#EXT-X-KEY:(.*)", text)
    assert len(keys) == 3
    if name == "cbcs":                    # FairPlay: the policy's URL as skd://
        fp = keys.pop()
        assert fp.startswith('METHOD=SAMPLE-AES,URI="skd://fairplay.example/FairPlay/"') \
            and 'KEYFORMAT="com.apple.streamingkeydelivery"' in fp
    if name == "cbcs":                    # MPEG-TS: SAMPLE-AES with the raw key
        v3 = http_get(a["base"] + "Manifest(format=m3u8-aapl-v3)")
        first_v3 = [l for l in v3.text.splitlines() if l and not l.startswith("#")][0]
        ts_keys = re.findall(r"#EXT-X-KEY:(.*)", http_get(a["base"] + first_v3).text)
        assert len(ts_keys) == 2 and "skd://fairplay.example" in ts_keys[1]
        assert ts_keys[0].startswith(
            'METHOD=SAMPLE-AES,URI="%s/keydelivery/?KID=%s",IV=0x' % (platform.origin.base, a["kid"]))
    assert keys[0] == ('METHOD=%s,URI="%s/keydelivery/ClearKey/",KEYID=0x%s,'
                       'KEYFORMAT="org.w3.clearkey",KEYFORMATVERSIONS="1"'
                       % (method, platform.origin.base, a["kid"].hex.upper()))
    assert "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed" in keys[-1]
    if name == "cenc":
        assert http_get(a["base"] + "Manifest(format=m3u8-aapl-v3)").status == 400
        assert keys[1] == 'METHOD=SAMPLE-AES-CTR,URI="%s/keydelivery/?KID=%s",KEYFORMAT="identity"' \
            % (platform.origin.base, a["kid"])


def test_clearkey_license_needs_a_valid_token(assets, platform):
    url = platform.origin.base + "/keydelivery/ClearKey/"
    a, b = assets["cenc"], assets["cbcs"]
    r = http_get(url, method="POST", data=license_request([a["kid"]]), headers=bearer(a["kid"]))
    assert r.status == 200, r.text
    got = json.loads(r.body)
    assert got["type"] == "temporary"
    assert got["keys"] == [{"kty": "oct", "kid": b64url(a["kid"].bytes), "k": b64url(a["key"])}]
    assert "no-store" in r.headers.get("Cache-Control", "")
    assert r.headers.get("Access-Control-Allow-Origin") == "*"
    # the token may also come as ?token=
    r = http_get(url + "?token=" + jwt(good_jwt_claims(str(a["kid"]))), method="POST",
                 data=license_request([a["kid"]]))
    assert r.status == 200
    # no token, a token signed with another key, a token for another key: 401, no key
    for headers in ({}, {"Authorization": "Bearer " + jwt(good_jwt_claims(str(a["kid"])), key=OTHER_KEY)},
                    bearer(b["kid"])):
        r = http_get(url, method="POST", data=license_request([a["kid"]]), headers=headers)
        assert r.status == 401, (headers, r.text)
        assert b64url(a["key"]).encode() not in r.body


def test_clearkey_license_errors(assets, platform):
    url = platform.origin.base + "/keydelivery/ClearKey/"
    kid = assets["cenc"]["kid"]
    assert http_get(url, method="POST", data=license_request([uuid.uuid4()]),
                    headers=bearer(kid)).status == 404
    for body in (b"", b"not json", b'{"kids":[]}', b'{"kids":["abc"]}', b'{"kids":"x"}',
                 json.dumps({"kids": [b64url(kid.bytes)] * 17}).encode()):
        r = http_get(url, method="POST", data=body, headers=bearer(kid))
        assert r.status == 400, (body, r.status, r.text)
    # at the bound: 16 key ids are answered, a body of 4096 bytes is read, 4097 is not
    assert http_get(url, method="POST", data=license_request([kid] * 16),
                    headers=bearer(kid)).status == 200
    padded = license_request([kid])[:-1] + b"," + b'"pad":"' + b"x" * 4096
    at = padded[:4096 - 2] + b'"}'
    assert len(at) == 4096
    assert http_get(url, method="POST", data=at, headers=bearer(kid)).status == 200
    r = http_get(url, method="POST", data=at[:-2] + b'x"}', headers=bearer(kid))
    assert r.status == 413 and b"4096" in r.body
    assert http_get(url).status == 405
    r = http_get(url, method="OPTIONS")
    assert r.status == 204 and "Content-Type" in r.headers.get("Access-Control-Allow-Headers")


@pytest.mark.parametrize("name", ["cenc", "cbcs"])
def test_never_clear_and_the_encryption_option(assets, abr_set, name):
    a = assets[name]
    q = "QualityLevels(%d)/Fragments(video=0," % (abr_set.renditions[0].kbps * 1000)
    refused = []
    if name == "cbcs":                    # Smooth is PlayReady 'cenc' only
        refused += ["Manifest", q[:-1] + ")"]
        assert http_get(a["base"] + q + "format=m3u8-aapl-v3)").status == 200   # SAMPLE-AES
    else:                                 # 'cenc' has no MPEG-TS form
        refused += [q + "format=m3u8-aapl-v3)"]
        smooth = http_get(a["base"] + "Manifest")
        assert smooth.status == 200 and b"<ProtectionHeader" in smooth.body
        frag = http_get(a["base"] + q[:-1] + ")")
        assert frag.status == 200 and isobmff.piff_senc(frag.body)
    for path in refused:
        assert http_get(a["base"] + path).status in (400, 403), path
    assert http_get(a["loc"]["Path"] + abr_set.renditions[0].path.name).status == 403
    ok = "cbcs-aapl" if name == "cbcs" else "cenc"
    other = "cenc" if name == "cbcs" else "cbcs-aapl"
    assert http_get(a["base"] + "Manifest(format=mpd-time-csf,encryption=%s)" % ok).status == 200
    assert http_get(a["base"] + "Manifest(format=mpd-time-csf,encryption=%s)" % other).status == 404
    assert http_get(a["base"] + "Manifest(format=mpd-time-csf,encryption=cbc)").status == 404


def test_license_survives_a_stopped_daemon(assets, platform):
    a = assets["cbcs"]
    url = platform.origin.base + "/keydelivery/ClearKey/"
    platform.daemon.stop()
    try:
        r = http_get(url, method="POST", data=license_request([a["kid"]]), headers=bearer(a["kid"]))
        assert r.status == 200 and json.loads(r.body)["keys"][0]["k"] == b64url(a["key"])
        assert http_get(a["base"] + "Manifest(format=mpd-time-csf)").status == 200
    finally:
        platform.daemon.start()


def test_publishing_without_a_common_key_is_400(platform, abr_set):
    ams = platform.client()
    asset = ams.upload_asset("nokey", {abr_set.ism.name: abr_set.ism})
    pol = ams.create("AssetDeliveryPolicies", {"Name": "c", "AssetDeliveryProtocol": DASH,
                                               "AssetDeliveryPolicyType": 4})
    link(ams, "Assets", asset["Id"], "DeliveryPolicies", "AssetDeliveryPolicies", pol["Id"])
    r = ams.post("Locators", {"AssetId": asset["Id"], "AccessPolicyId": ams.create(
        "AccessPolicies", {"Name": "r", "DurationInMinutes": 60, "Permissions": 1})["Id"],
        "Type": 2})
    assert r.status == 400 and b"CommonEncryption (0)" in r.body, r


# ---- real players: EME with the W3C ClearKey key system and our license service

BROWSER_CASES = [
    ("shaka", "cenc", "Manifest(format=mpd-time-csf)"),
    ("dash", "cenc", "Manifest(format=mpd-time-csf)"),
    ("shaka", "cbcs", "Manifest(format=mpd-time-cmaf)"),
    ("dash", "cbcs", "Manifest(format=mpd-time-cmaf)"),
    ("hls", "cenc", "Manifest(format=m3u8-cmaf)"),
    ("hls", "cbcs", "Manifest(format=m3u8-cmaf)"),
    ("shaka", "cenc", "Manifest(format=m3u8-cmaf)"),
    ("shaka", "cenc", "Manifest(format=m3u8-aapl)"),
    ("hls", "cbcs", "Manifest(format=m3u8-aapl-v3)"),     # SAMPLE-AES MPEG-TS
]
# shaka reads ClearKey in HLS only as KEYFORMAT identity, which is written for
# 'cenc' alone (see hls_manifest.c): shaka plays cbcs over DASH above.


@pytest.mark.browser
@pytest.mark.parametrize("player,name,manifest", BROWSER_CASES,
                         ids=["%s-%s-%s" % c for c in BROWSER_CASES])
def test_players_decrypt_with_the_clearkey_license(assets, platform, player, name, manifest):
    from test_browser import play
    a = assets[name]
    token = jwt(good_jwt_claims(str(a["kid"])))
    url = a["base"] + manifest
    r = play(player, url, extra=["--clearkey=" + platform.origin.base + "/keydelivery/ClearKey/",
                                 "--token=" + token])
    assert r["ok"], "%s could not play %s:\n%s" % (player, url, json.dumps(r, indent=1))
    assert r["frames"] > 0 and r["currentTime"] >= 3


@pytest.mark.browser
def test_player_without_a_token_gets_no_key(assets, platform):
    from test_browser import play
    a = assets["cenc"]
    r = play("shaka", a["base"] + "Manifest(format=mpd-time-csf)", timeout=20,
             extra=["--clearkey=" + platform.origin.base + "/keydelivery/ClearKey/"])
    assert not r["ok"] and r["currentTime"] < 1, r


@pytest.mark.parametrize("cfg,words", [
    ([{"Key": 11, "Value": base64.b64encode(b"short").decode()}], b"CommonEncryptionIVForCbcs"),
    ([{"Key": 7, "Value": "widevine.example/no-scheme"}], b"absolute http(s) URL"),
    ([{"Key": 10, "Value": "skd://not-http"}], b"absolute http(s) URL"),
])
def test_bad_common_configuration_is_400(platform, cfg, words):
    ams = platform.client()
    r = ams.post("AssetDeliveryPolicies", {"Name": "bad", "AssetDeliveryProtocol": DASH,
                                           "AssetDeliveryPolicyType": 5,
                                           "AssetDeliveryConfiguration": json.dumps(cfg)})
    assert r.status == 400 and words in r.body, r


def test_cbcs_iv_from_the_policy(platform, abr_set, tmp_path):
    """CommonEncryptionIVForCbcs is the constant IV of tenc; without it the
    origin derives one (the same on every request)."""
    ams = platform.client()
    a = common_asset(ams, tmp_path, abr_set, cbcs=True)
    q = "QualityLevels(%d)/Fragments(video=i,format=mpd-time-csf)" % (abr_set.renditions[0].kbps * 1000)
    derived = isobmff.tenc(http_get(a["base"] + q).body)["constant_iv"]
    assert derived == isobmff.tenc(http_get(a["base"] + q).body)["constant_iv"] != bytes(16)
    iv = bytes(range(16, 32))
    files = {abr_set.ism.name: abr_set.ism}
    files.update({p.name: p for p in abr_set.files})
    asset = ams.upload_asset("cbcs-iv", files)
    body, key = new_key(ams, tmp_path, key_type=6)
    assert ams.post("ContentKeys", body).status == 201
    link(ams, "Assets", asset["Id"], "ContentKeys", "ContentKeys", body["Id"])
    pol = ams.create("AssetDeliveryPolicies", {
        "Name": "iv", "AssetDeliveryProtocol": DASH, "AssetDeliveryPolicyType": 5,
        "AssetDeliveryConfiguration": json.dumps([{"Key": 11, "Value": base64.b64encode(iv).decode()}])})
    link(ams, "Assets", asset["Id"], "DeliveryPolicies", "AssetDeliveryPolicies", pol["Id"])
    loc = ams.publish(asset["Id"])
    init = http_get(loc["Path"] + abr_set.ism.name + "/" + q).body
    assert isobmff.tenc(init)["constant_iv"] == iv


def test_removed_key_stops_being_licensed(platform, abr_set, tmp_path):
    ams = platform.client()
    a = common_asset(ams, tmp_path, abr_set, cbcs=False)
    url = platform.origin.base + "/keydelivery/ClearKey/"
    assert http_get(url, method="POST", data=license_request([a["kid"]]),
                    headers=bearer(a["kid"])).status == 200
    r = ams.delete("Assets%s/$links/ContentKeys%s" % (ams.key(a["asset"]),
                                                      ams.key("nb:kid:UUID:%s" % a["kid"])))
    assert r.status == 204, r
    assert http_get(url, method="POST", data=license_request([a["kid"]]),
                    headers=bearer(a["kid"])).status == 404
    assert http_get(a["base"] + "Manifest(format=mpd-time-csf)").status == 403
