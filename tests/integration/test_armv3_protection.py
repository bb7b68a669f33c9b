"""v3 content protection over the v2 machinery: token-restricted content
key policies (JWT HS256 checked by the origin's key service: 401 without a
token, the key with one in `Authorization: Bearer` or `token=`; ffmpeg
decodes the AES-128 HLS to the source's frames with the token), DRM
configurations stored with their secrets hidden from GET,
Predefined_MultiDrmCencStreaming and Predefined_MultiDrmStreaming locators
(DASH signals PlayReady, Widevine and ClearKey with the key listContentKeys
gives; every DASH video segment decrypts with that key to the source's
frames; HLS of MultiDrmStreaming is cbcs with FairPlay), custom streaming
policies (round trip, given keys, URL templates), getEncryptionKey of a
storage-encrypted v2 upload, and 400s that name the field."""

import base64
import re
import uuid
import xml.etree.ElementTree as ET

import pytest

import isobmff
from clients import HLS_INPUT, decode_ok
from media import framemd5, http_get
from test_envelope_delivery import KID_CLAIM, OTHER_KEY, SIGNING_KEY, good_jwt_claims, jwt

CLEAR_KEY = "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"
WIDEVINE = "#Microsoft.Media.ContentKeyPolicyWidevineConfiguration"
FAIRPLAY = "#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration"
OPEN = "#Microsoft.Media.ContentKeyPolicyOpenRestriction"
TOKEN = "#Microsoft.Media.ContentKeyPolicyTokenRestriction"
SYMMETRIC = "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey"
RSA = "#Microsoft.Media.ContentKeyPolicyRsaTokenKey"
X509 = "#Microsoft.Media.ContentKeyPolicyX509CertificateTokenKey"
NS = {"d": "urn:mpeg:dash:schema:mpd:2011", "cenc": "urn:mpeg:cenc:2013",
      "dashif": "https://dashif.org/CPS"}
CLEARKEY_SCHEME = "urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e"
WIDEVINE_SCHEME = "urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"
PLAYREADY_SCHEME = "urn:uuid:9a04f079-9840-4286-ab92-e65be0885f95"


def run_id():
    return uuid.uuid4().hex[:8]


def b64(data):
    return base64.b64encode(data).decode()


def token_restriction(**over):
    r = {"@odata.type": TOKEN, "issuer": "http://issuer/", "audience": "urn:test",
         "primaryVerificationKey": {"@odata.type": SYMMETRIC, "keyValue": b64(SIGNING_KEY)},
         "alternateVerificationKeys": [{"@odata.type": SYMMETRIC, "keyValue": b64(b"a" * 32)}],
         "requiredClaims": [{"claimType": KID_CLAIM}], "restrictionTokenType": "Jwt"}
    r.update(over)
    return r


def put_key_policy(arm, name, options):
    return arm.req("PUT", "contentKeyPolicies/" + name, {"properties": {"options": options}})


def open_policy(arm, name):
    status, _, body = put_key_policy(arm, name, [
        {"name": "ck", "configuration": {"@odata.type": CLEAR_KEY}, "restriction": {"@odata.type": OPEN}},
        {"name": "wv", "configuration": {"@odata.type": WIDEVINE, "widevineTemplate": "{}"},
         "restriction": {"@odata.type": OPEN}}])
    assert status == 201, body


def v3_asset(arm, name, abr_set):
    arm.upload_asset(name, {p.name: p.read_bytes() for p in abr_set.files + [abr_set.ism]})


def locator(arm, name, **props):
    status, _, body = arm.req("PUT", "streamingLocators/" + name, {"properties": props})
    assert status == 201, body
    return body


def list_keys(arm, loc):
    status, _, body = arm.req("POST", "streamingLocators/%s/listContentKeys" % loc)
    assert status == 200, body
    return body["contentKeys"]


def list_paths(arm, loc):
    status, _, body = arm.req("POST", "streamingLocators/%s/listPaths" % loc)
    assert status == 200, body
    return {p["streamingProtocol"]: p for p in body["streamingPaths"]}


def first_variant(url):
    text = http_get(url).text
    return url.rsplit("/", 1)[0] + "/" + [l for l in text.splitlines() if l and not l.startswith("#")][0]


def mpd_of(url):
    r = http_get(url)
    assert r.status == 200, r.text
    return ET.fromstring(r.body)


def protection_of(aset):
    return {cp.get("schemeIdUri"): cp for cp in aset.findall("d:ContentProtection", NS)}


def dash_video_frames(mpd_url, abr_set, key, tmp_path):
    """Decrypts every video segment of the first rendition (init + that
    segment alone: see test_cenc_core) and returns the decoded frames."""
    doc = mpd_of(mpd_url)
    vset = [s for s in doc.findall(".//d:AdaptationSet", NS) if s.get("contentType") == "video"][0]
    times, t = [], 0
    for s in vset.find("d:SegmentTemplate", NS).find("d:SegmentTimeline", NS):
        t = int(s.get("t", t))
        for _ in range(int(s.get("r", 0)) + 1):
            times.append(t)
            t += int(s.get("d"))
    base = mpd_url.rsplit("/", 1)[0] + "/"
    q = "QualityLevels(%d)/Fragments(video=" % (abr_set.renditions[0].kbps * 1000)
    init = http_get(base + q + "i,format=mpd-time-csf)").body
    frames = []
    for t in times:
        seg = http_get(base + q + "%d,format=mpd-time-csf)" % t)
        assert seg.status == 200
        n = sum(isobmff.trun_sizes(seg.body))
        (tmp_path / "s.mp4").write_bytes(init + seg.body)
        assert n > 0
        frames += framemd5(tmp_path / "s.mp4", "v:0", ["-decryption_key", key.hex()])
    return init, frames


# ---- token restriction (JWT) with Predefined_ClearKey

def test_token_restricted_clear_key_locator(platform, arm, abr_set):
    run = run_id()
    policy = "jwt-" + run
    status, _, body = put_key_policy(arm, policy, [{"name": "jwt", "configuration": {
        "@odata.type": CLEAR_KEY}, "restriction": token_restriction()}])
    assert status == 201, body
    got = body["properties"]["options"][0]["restriction"]
    assert got["primaryVerificationKey"]["keyValue"] == ""            # GET hides secrets
    assert got["alternateVerificationKeys"][0]["keyValue"] == ""
    assert got["issuer"] == "http://issuer/" and got["restrictionTokenType"] == "Jwt"
    status, _, body = arm.req("GET", "contentKeyPolicies/" + policy)
    assert body["properties"]["options"][0]["restriction"]["primaryVerificationKey"]["keyValue"] == ""
    status, _, body = arm.req("POST", "contentKeyPolicies/%s/getPolicyPropertiesWithSecrets" % policy)
    assert status == 200
    assert body["options"][0]["restriction"]["primaryVerificationKey"]["keyValue"] == b64(SIGNING_KEY)

    asset = "jwt-" + run
    v3_asset(arm, asset, abr_set)
    loc = locator(arm, "jwtloc-" + run, assetName=asset, streamingPolicyName="Predefined_ClearKey",
                  defaultContentKeyPolicyName=policy)
    [key] = list_keys(arm, "jwtloc-" + run)
    assert key["id"] == loc["properties"]["contentKeys"][0]["id"] and key["policyName"] == policy
    assert "value" not in loc["properties"]["contentKeys"][0]
    value = base64.b64decode(key["value"])
    assert len(value) == 16

    hls = list_paths(arm, "jwtloc-" + run)["Hls"]
    master = platform.origin.base + hls["paths"][0]
    media = first_variant(master)
    key_url = re.search(r'#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)"', http_get(media).text).group(1)
    token = jwt(good_jwt_claims(key["id"]))
    assert http_get(key_url).status == 401
    assert http_get(key_url, headers={"Authorization": "Bearer " + jwt(
        good_jwt_claims(key["id"]), key=OTHER_KEY)}).status == 401
    assert http_get(key_url, headers={"Authorization": "Bearer " + jwt(
        good_jwt_claims(str(uuid.uuid4())))}).status == 401                 # another key's token
    r = http_get(key_url, headers={"Authorization": "Bearer " + token})
    assert r.status == 200 and r.body == value
    r = http_get(key_url + "&token=" + token)
    assert r.status == 200 and r.body == value
    # the alternate key signs too
    assert http_get(key_url + "&token=" + jwt(good_jwt_claims(key["id"]), key=b"a" * 32)).status == 200
    # ffmpeg fetches the key with the token and decodes the source's frames
    assert decode_ok(media, "m3u8-aapl").returncode != 0                # no token, no key
    want = framemd5(abr_set.renditions[0].path, "v:0")
    got = framemd5(media, "v:0", HLS_INPUT + ["-headers", "Authorization: Bearer %s\r\n" % token])
    assert got == want


def test_rsa_and_x509_token_keys_are_taken(arm):
    from test_rs256_delivery import certificate, rsa_key
    from cryptography.hazmat.primitives import serialization
    key = rsa_key()
    nums = key.public_key().public_numbers()
    as_b64 = lambda i: b64(i.to_bytes((i.bit_length() + 7) // 8, "big"))
    der = certificate(key).public_bytes(serialization.Encoding.DER)
    name = "rsa-" + run_id()
    status, _, body = put_key_policy(arm, name, [{"configuration": {"@odata.type": CLEAR_KEY},
                                                  "restriction": token_restriction(
        primaryVerificationKey={"@odata.type": X509, "rawBody": b64(der)},
        alternateVerificationKeys=[{"@odata.type": RSA, "exponent": as_b64(nums.e),
                                    "modulus": as_b64(nums.n)}])}])
    assert status == 201, body
    # Swt with RSA keys is refused by the v2 template rules, naming the option
    status, _, body = put_key_policy(arm, name + "s", [{"configuration": {"@odata.type": CLEAR_KEY},
                                                        "restriction": token_restriction(
        restrictionTokenType="Swt",
        primaryVerificationKey={"@odata.type": X509, "rawBody": b64(der)})}])
    assert status == 400 and "options[0].restriction" in body["error"]["message"], body


def test_drm_configurations_are_stored_with_secrets_hidden(arm):
    name = "drm-" + run_id()
    fairplay = {"@odata.type": FAIRPLAY, "ask": b64(bytes(range(16))), "fairPlayPfx": "UEZY",
                "fairPlayPfxPassword": "secret", "rentalAndLeaseKeyType": "Undefined",
                "rentalDuration": 0}
    playready = {"@odata.type": "#Microsoft.Media.ContentKeyPolicyPlayReadyConfiguration",
                 "licenses": [{"allowTestDevices": False, "licenseType": "NonPersistent",
                               "contentKeyLocation": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader"},
                               "contentType": "Unspecified"}]}
    status, _, body = put_key_policy(arm, name, [
        {"name": "fp", "configuration": fairplay, "restriction": {"@odata.type": OPEN}},
        {"name": "pr", "configuration": playready, "restriction": token_restriction()},
        {"name": "wv", "configuration": {"@odata.type": WIDEVINE, "widevineTemplate": "{}"},
         "restriction": {"@odata.type": OPEN}}])
    assert status == 201, body
    status, _, body = arm.req("GET", "contentKeyPolicies/" + name)
    fp = body["properties"]["options"][0]["configuration"]
    assert fp["ask"] == "" and fp["fairPlayPfx"] == "" and fp["fairPlayPfxPassword"] == ""
    assert body["properties"]["options"][1]["configuration"]["licenses"][0]["licenseType"] == "NonPersistent"
    status, _, body = arm.req("POST", "contentKeyPolicies/%s/getPolicyPropertiesWithSecrets" % name)
    assert body["options"][0]["configuration"]["ask"] == fairplay["ask"]
    assert body["options"][0]["configuration"]["fairPlayPfxPassword"] == "secret"
    # an update (200) replaces the options
    status, _, body = put_key_policy(arm, name, [{"configuration": {"@odata.type": CLEAR_KEY},
                                                  "restriction": {"@odata.type": OPEN}}])
    assert status == 200 and len(body["properties"]["options"]) == 1, body
    assert arm.req("DELETE", "contentKeyPolicies/" + name)[0] == 200


# ---- multi-DRM predefined policies

@pytest.fixture(scope="module")
def cenc_locator(arm, abr_set):
    run = run_id()
    open_policy(arm, "drmopen-" + run)
    v3_asset(arm, "cenc-" + run, abr_set)
    loc = locator(arm, "cencloc-" + run, assetName="cenc-" + run,
                  streamingPolicyName="Predefined_MultiDrmCencStreaming",
                  defaultContentKeyPolicyName="drmopen-" + run)
    return "cencloc-" + run, loc


def test_multi_drm_cenc_locator_keys_and_paths(platform, arm, cenc_locator):
    name, loc = cenc_locator
    [key] = list_keys(arm, name)
    assert key["type"] == "CommonEncryptionCenc" and key["labelReferenceInStreamingPolicy"] == "cencDefaultKey"
    assert loc["properties"]["contentKeys"][0]["id"] == key["id"]
    paths = list_paths(arm, name)
    assert set(paths) == {"Hls", "Dash", "SmoothStreaming"}
    assert {p["encryptionScheme"] for p in paths.values()} == {"CommonEncryptionCenc"}
    base = platform.origin.base
    smooth = http_get(base + paths["SmoothStreaming"]["paths"][0])         # PlayReady Smooth
    assert smooth.status == 200 and b"<ProtectionHeader" in smooth.body
    for path in paths["Hls"]["paths"]:                                     # fMP4 SAMPLE-AES-CTR
        media = http_get(first_variant(base + path)).text
        assert "METHOD=SAMPLE-AES-CTR" in media and "KEYID=0x" + uuid.UUID(key["id"]).hex.upper() in media
        assert "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed" in media.lower()    # Widevine
    status, _, pol = arm.req("GET", "streamingPolicies/Predefined_MultiDrmCencStreaming")
    assert status == 200 and "commonEncryptionCenc" in pol["properties"], pol


def test_multi_drm_cenc_dash_signals_and_decrypts(platform, arm, abr_set, cenc_locator, tmp_path):
    name, _ = cenc_locator
    [key] = list_keys(arm, name)
    mpd_url = platform.origin.base + [p for p in list_paths(arm, name)["Dash"]["paths"]
                                      if "mpd-time-csf" in p][0]
    doc = mpd_of(mpd_url)
    kd = platform.origin.base + "/keydelivery/"
    for aset in doc.findall(".//d:AdaptationSet", NS):
        cps = protection_of(aset)
        mp4 = cps["urn:mpeg:dash:mp4protection:2011"]
        assert mp4.get("value") == "cenc"
        assert mp4.get("{urn:mpeg:cenc:2013}default_KID") == key["id"]
        assert cps[CLEARKEY_SCHEME].find("dashif:Laurl", NS).text == kd + "ClearKey/"
        wv = cps[WIDEVINE_SCHEME]
        assert wv.find("dashif:Laurl", NS).text == kd + "Widevine/?KID=" + key["id"]
        assert PLAYREADY_SCHEME in cps
    # Widevine licenses stay external: the key service answers 501
    assert http_get(kd + "Widevine/?KID=" + key["id"]).status == 501
    init, frames = dash_video_frames(mpd_url, abr_set, base64.b64decode(key["value"]), tmp_path)
    assert isobmff.scheme(init) == "cenc" and isobmff.tenc(init)["kid"] == uuid.UUID(key["id"])
    assert frames == framemd5(abr_set.renditions[0].path, "v:0")


def test_multi_drm_streaming_is_cenc_dash_and_cbcs_fairplay_hls(platform, arm, abr_set):
    run = run_id()
    open_policy(arm, "mdrm-" + run)
    v3_asset(arm, "mdrm-" + run, abr_set)
    locator(arm, "mdrmloc-" + run, assetName="mdrm-" + run,
            streamingPolicyName="Predefined_MultiDrmStreaming", defaultContentKeyPolicyName="mdrm-" + run)
    keys = {k["type"]: k for k in list_keys(arm, "mdrmloc-" + run)}
    assert set(keys) == {"CommonEncryptionCenc", "CommonEncryptionCbcs"}
    assert keys["CommonEncryptionCbcs"]["labelReferenceInStreamingPolicy"] == "cbcsDefaultKey"
    paths = list_paths(arm, "mdrmloc-" + run)
    assert paths["Hls"]["encryptionScheme"] == "CommonEncryptionCbcs"
    assert paths["Dash"]["encryptionScheme"] == "CommonEncryptionCenc"
    assert paths["SmoothStreaming"]["encryptionScheme"] == "CommonEncryptionCenc"
    base = platform.origin.base
    media = http_get(first_variant(base + paths["Hls"]["paths"][0])).text
    cbcs = keys["CommonEncryptionCbcs"]["id"]
    assert 'URI="skd://%s/keydelivery/FairPlay/?KID=%s"' % (base.split("://", 1)[1], cbcs) in media
    assert "KEYID=0x" + uuid.UUID(cbcs).hex.upper() in media
    mp4 = protection_of(mpd_of(base + paths["Dash"]["paths"][0]).find(".//d:AdaptationSet", NS))
    assert mp4["urn:mpeg:dash:mp4protection:2011"].get("{urn:mpeg:cenc:2013}default_KID") == \
        keys["CommonEncryptionCenc"]["id"]
    # the asset is encrypted now: no clear locator beside it
    status, _, body = arm.req("PUT", "streamingLocators/clear-" + run, {"properties": {
        "assetName": "mdrm-" + run, "streamingPolicyName": "Predefined_ClearStreamingOnly"}})
    assert status == 409, body


def test_new_locator_replaces_what_a_deleted_one_set_up(platform, arm, abr_set):
    run = run_id()
    open_policy(arm, "swap-" + run)
    v3_asset(arm, "swap-" + run, abr_set)
    locator(arm, "a-" + run, assetName="swap-" + run, streamingPolicyName="Predefined_ClearKey",
            defaultContentKeyPolicyName="swap-" + run)
    assert arm.req("DELETE", "streamingLocators/a-" + run)[0] == 200
    locator(arm, "b-" + run, assetName="swap-" + run, streamingPolicyName="Predefined_ClearStreamingOnly")
    dash = list_paths(arm, "b-" + run)["Dash"]
    assert dash["encryptionScheme"] == "NoEncryption"
    assert http_get(platform.origin.base + dash["paths"][0]).status == 200


# ---- custom streaming policies

def test_custom_policy_round_trip_with_given_key(platform, arm, abr_set):
    run = run_id()
    open_policy(arm, "cpol-" + run)
    policy = "custom-" + run
    props = {"commonEncryptionCbcs": {
        "enabledProtocols": {"download": False, "dash": True, "hls": True, "smoothStreaming": False},
        "drm": {"fairPlay": {"customLicenseAcquisitionUrlTemplate":
                             "https://fp.example/{ContentKeyId}/{AlternativeMediaId}",
                             "allowPersistentLicense": False},
                "widevine": {"customLicenseAcquisitionUrlTemplate": "https://wv.example/{ContentKeyId}"}},
        "contentKeys": {"defaultKey": {"label": "mine", "policyName": "cpol-" + run}}}}
    status, _, body = arm.req("PUT", "streamingPolicies/" + policy, {"properties": props})
    assert status == 201, body
    assert body["properties"]["commonEncryptionCbcs"] == props["commonEncryptionCbcs"]
    assert arm.req("PUT", "streamingPolicies/" + policy, {"properties": props})[0] == 409
    assert policy in arm.names("streamingPolicies")
    status, _, body = arm.req("GET", "streamingPolicies/" + policy)
    assert status == 200 and body["name"] == policy

    v3_asset(arm, "custom-" + run, abr_set)
    kid, value = str(uuid.uuid4()), bytes(range(100, 116))
    loc = locator(arm, "cloc-" + run, assetName="custom-" + run, streamingPolicyName=policy,
                  alternativeMediaId="media 7",
                  contentKeys=[{"id": kid, "value": b64(value), "labelReferenceInStreamingPolicy": "mine"}])
    assert loc["properties"]["alternativeMediaId"] == "media 7"
    [key] = list_keys(arm, "cloc-" + run)
    assert (key["id"], key["type"], key["labelReferenceInStreamingPolicy"], key["policyName"]) == \
        (kid, "CommonEncryptionCbcs", "mine", "cpol-" + run)
    assert base64.b64decode(key["value"]) == value
    paths = list_paths(arm, "cloc-" + run)
    assert set(paths) == {"Hls", "Dash"}
    base = platform.origin.base
    media = http_get(first_variant(base + paths["Hls"]["paths"][0])).text
    assert 'URI="skd://fp.example/%s/media%%207"' % kid in media, media     # percent-encoded
    cps = protection_of(mpd_of(base + paths["Dash"]["paths"][0]).find(".//d:AdaptationSet", NS))
    assert cps[WIDEVINE_SCHEME].find("dashif:Laurl", NS).text == "https://wv.example/" + kid
    assert cps["urn:mpeg:dash:mp4protection:2011"].get("value") == "cbcs"
    # the locator keeps its copy of the policy
    assert arm.req("DELETE", "streamingPolicies/" + policy)[0] == 200
    assert arm.req("GET", "streamingPolicies/" + policy)[0] == 404
    assert arm.req("DELETE", "streamingPolicies/" + policy)[0] == 204
    assert set(list_paths(arm, "cloc-" + run)) == {"Hls", "Dash"}
    assert arm.req("DELETE", "streamingPolicies/Predefined_ClearKey")[0] == 400


def test_custom_envelope_hls_beside_clear_dash(platform, arm, abr_set):
    run = run_id()
    open_policy(arm, "env-" + run)
    no = {"download": False, "dash": False, "hls": False, "smoothStreaming": False}
    status, _, body = arm.req("PUT", "streamingPolicies/env-" + run, {"properties": {
        "defaultContentKeyPolicyName": "env-" + run,
        "envelopeEncryption": {"enabledProtocols": dict(no, hls=True),
                               "customKeyAcquisitionUrlTemplate": "https://keys.example/{ContentKeyId}?m={AlternativeMediaId}"},
        "noEncryption": {"enabledProtocols": dict(no, dash=True)}}})
    assert status == 201, body
    v3_asset(arm, "env-" + run, abr_set)
    loc = locator(arm, "envloc-" + run, assetName="env-" + run, streamingPolicyName="env-" + run)
    [key] = list_keys(arm, "envloc-" + run)
    assert key["type"] == "EnvelopeEncryption" and key["policyName"] == "env-" + run
    paths = list_paths(arm, "envloc-" + run)
    assert {p: e["encryptionScheme"] for p, e in paths.items()} == {
        "Hls": "EnvelopeEncryption", "Dash": "NoEncryption"}
    base = platform.origin.base
    media = http_get(first_variant(base + paths["Hls"]["paths"][0])).text
    locator_id = loc["properties"]["streamingLocatorId"]        # no alternativeMediaId: the id
    assert 'URI="https://keys.example/%s?m=%s"' % (key["id"], locator_id) in media, media
    dash = base + paths["Dash"]["paths"][0]
    assert framemd5(dash, "v:0") == framemd5(abr_set.renditions[0].path, "v:0")   # clear DASH
    smooth = dash.rsplit("/", 1)[0] + "/Manifest"
    assert http_get(smooth).status == 403                       # in no scheme: refused


# ---- getEncryptionKey

def test_get_encryption_key_of_a_storage_encrypted_upload(platform, arm, abr_set, tmp_path):
    from test_storage_encryption import set_files, upload_encrypted
    ams = platform.client()
    asset, kid, key, ivs = upload_encrypted(ams, tmp_path, set_files(abr_set))
    name = "se-" + run_id()
    assert ams.merge("Assets" + ams.key(asset["Id"]), {"Name": name}).status == 204
    status, _, body = arm.req("POST", "assets/%s/getEncryptionKey" % name)
    assert status == 200, body
    assert base64.b64decode(body["key"]) == key
    files = {f["Name"]: f for f in ams.values("Assets%s/Files" % ams.key(asset["Id"]))}
    got = {m["assetFileName"]: m for m in body["assetFileEncryptionMetadata"]}
    assert set(got) == set(ivs)
    for fname, meta in got.items():
        assert meta["initializationVector"] == str(ivs[fname])
        assert meta["assetFileId"] == files[fname]["Id"].split(":")[-1]
    clear = "clear-" + run_id()
    v3_asset(arm, clear, abr_set)
    status, _, body = arm.req("POST", "assets/%s/getEncryptionKey" % clear)
    assert status == 400 and "not storage-encrypted" in body["error"]["message"], body


# ---- 400s naming the field

@pytest.mark.parametrize("restriction,words", [
    (token_restriction(issuer=None), "restriction.issuer"),
    (token_restriction(restrictionTokenType="Saml"), "restrictionTokenType"),
    (token_restriction(openIdConnectDiscoveryDocument="https://idp.example/.well-known/openid-configuration"),
     "openIdConnectDiscoveryDocument"),
    (token_restriction(primaryVerificationKey=None), "primaryVerificationKey"),
    (token_restriction(primaryVerificationKey={"@odata.type": SYMMETRIC, "keyValue": b64(b"short")}),
     "PrimaryVerificationKey"),
    (token_restriction(primaryVerificationKey={"@odata.type": RSA, "exponent": "AQAB"}),
     "primaryVerificationKey.modulus"),
    (token_restriction(primaryVerificationKey={"@odata.type": RSA, "exponent": "AQAB", "modulus": "AQAB"}),
     "options[0].restriction"),
    (token_restriction(requiredClaims=[{"claimValue": "x"}]), "requiredClaims[0].claimType"),
    ({"@odata.type": "#Microsoft.Media.ContentKeyPolicyIpRestriction"}, "options[0].restriction"),
])
def test_bad_restrictions_are_400(arm, restriction, words):
    restriction = {k: v for k, v in restriction.items() if v is not None}
    status, _, body = put_key_policy(arm, "bad-" + run_id(), [
        {"configuration": {"@odata.type": CLEAR_KEY}, "restriction": restriction}])
    assert status == 400 and words in body["error"]["message"], body
    if "openIdConnect" in words:
        assert body["error"]["code"] == "NotSupported"


@pytest.mark.parametrize("configuration,words", [
    ({"@odata.type": "#Microsoft.Media.ContentKeyPolicyUnknownConfiguration"}, "configuration"),
    ({"@odata.type": FAIRPLAY, "fairPlayPfx": "x", "fairPlayPfxPassword": "y"}, "configuration.ask"),
    ({"@odata.type": WIDEVINE}, "widevineTemplate"),
])
def test_bad_configurations_are_400(arm, configuration, words):
    status, _, body = put_key_policy(arm, "bad-" + run_id(), [
        {"configuration": configuration, "restriction": {"@odata.type": OPEN}}])
    assert status == 400 and words in body["error"]["message"], body


PROTOCOLS = {"download": False, "dash": True, "hls": True, "smoothStreaming": True}


@pytest.mark.parametrize("props,words", [
    ({"commonEncryptionCenc": {"enabledProtocols": {"dash": True}}}, "enabledProtocols.download"),
    ({"commonEncryptionCenc": {"enabledProtocols": PROTOCOLS},
      "noEncryption": {"enabledProtocols": dict(PROTOCOLS, download=True)}}, "two schemes"),
    ({"commonEncryptionCenc": {"enabledProtocols": PROTOCOLS, "drm": {"widevine": {
        "customLicenseAcquisitionUrlTemplate": "widevine.example/x"}}}},
     "commonEncryptionCenc.drm.widevine.customLicenseAcquisitionUrlTemplate"),
    ({"envelopeEncryption": {"enabledProtocols": PROTOCOLS,
                             "customKeyAcquisitionUrlTemplate": 'https://k.example/"><x'}},
     "envelopeEncryption.customKeyAcquisitionUrlTemplate"),
    ({"commonEncryptionCenc": {"enabledProtocols": PROTOCOLS, "clearTracks": [{"trackSelections": []}]}},
     "clearTracks"),
    ({}, "properties needs one of"),
])
def test_bad_streaming_policies_are_400(arm, props, words):
    status, _, body = arm.req("PUT", "streamingPolicies/bad-" + run_id(), {"properties": props})
    assert status == 400 and words in body["error"]["message"], body


def test_bad_locator_bodies_are_400(arm, abr_set):
    run = run_id()
    open_policy(arm, "lp-" + run)
    v3_asset(arm, "lb-" + run, abr_set)
    base = {"assetName": "lb-" + run, "streamingPolicyName": "Predefined_MultiDrmCencStreaming",
            "defaultContentKeyPolicyName": "lp-" + run}
    for extra, words in [
        ({"defaultContentKeyPolicyName": None}, "defaultContentKeyPolicyName"),
        ({"contentKeys": [{"labelReferenceInStreamingPolicy": "nope"}]}, "labelReferenceInStreamingPolicy"),
        ({"contentKeys": [{"labelReferenceInStreamingPolicy": "cencDefaultKey", "value": b64(b"x" * 8)}]},
         "contentKeys[].value"),
        ({"contentKeys": [{"labelReferenceInStreamingPolicy": "cencDefaultKey", "id": "not-a-guid"}]},
         "contentKeys[].id"),
        ({"streamingLocatorId": "nope"}, "streamingLocatorId"),
        ({"streamingPolicyName": "NoSuchPolicy"}, "streamingPolicyName"),
    ]:
        props = {k: v for k, v in dict(base, **extra).items() if v is not None}
        status, _, body = arm.req("PUT", "streamingLocators/bad-" + run_id(), {"properties": props})
        assert status == 400 and words in body["error"]["message"], (extra, body)
    # nothing was left behind: a good locator still works on the asset
    locator(arm, "good-" + run, **base)


# ---- real players: EME ClearKey with a JWT, on v3 multi-DRM locators

@pytest.fixture(scope="module")
def jwt_drm_locators(arm, abr_set):
    run = run_id()
    status, _, body = put_key_policy(arm, "pjwt-" + run, [
        {"name": "ck", "configuration": {"@odata.type": CLEAR_KEY}, "restriction": token_restriction()}])
    assert status == 201, body
    out = {}
    for policy in ("Predefined_MultiDrmCencStreaming", "Predefined_MultiDrmStreaming"):
        name = "%s-%s" % (policy.split("_")[1].lower(), run)
        v3_asset(arm, name, abr_set)
        locator(arm, name, assetName=name, streamingPolicyName=policy,
                defaultContentKeyPolicyName="pjwt-" + run)
        out[policy] = name
    return out


BROWSER_CASES = [("shaka", "Predefined_MultiDrmCencStreaming", "Dash", "mpd-time-csf"),
                 ("hls", "Predefined_MultiDrmStreaming", "Hls", "m3u8-cmaf")]


@pytest.mark.browser
@pytest.mark.parametrize("player,policy,protocol,fmt", BROWSER_CASES,
                         ids=["%s-%s" % (c[0], c[1]) for c in BROWSER_CASES])
def test_players_decrypt_v3_locators_with_a_jwt(platform, arm, jwt_drm_locators, player, policy,
                                                protocol, fmt):
    from test_browser import play
    name = jwt_drm_locators[policy]
    entry = list_paths(arm, name)[protocol]
    url = platform.origin.base + [p for p in entry["paths"] if fmt in p][0]
    key = [k for k in list_keys(arm, name)
           if k["type"] == ("CommonEncryptionCbcs" if protocol == "Hls" and "Cenc" not in policy
                            else "CommonEncryptionCenc")][0]
    license_url = platform.origin.base + "/keydelivery/ClearKey/"
    r = play(player, url, extra=["--clearkey=" + license_url,
                                 "--token=" + jwt(good_jwt_claims(key["id"]))])
    assert r["ok"], "%s could not play %s:\n%s" % (player, url, r)
    assert r["frames"] > 0 and r["currentTime"] >= 3
    r = play(player, url, timeout=20, extra=["--clearkey=" + license_url])
    assert not r["ok"] and r["currentTime"] < 1, r                     # no token, no key
