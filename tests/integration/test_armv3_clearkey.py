"""v3 Predefined_ClearKey: a content key policy (ClearKey configuration,
open restriction) and a streaming locator with it set up AES-128 envelope
encryption of the asset's HLS through the v2 key, delivery policy and the
origin's key service; ffmpeg plays it fetching the key, the segments are
not clear, and the refusals (a token restriction without a key, no policy,
clear + ClearKey locators on one asset) answer 400/409."""

import re
import uuid


from clients import decode_ok
from media import http_get

CLEAR_KEY = "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"
OPEN = "#Microsoft.Media.ContentKeyPolicyOpenRestriction"


def v3_asset(arm, name, abr_set):
    arm.upload_asset(name, {p.name: p.read_bytes() for p in abr_set.files + [abr_set.ism]})


def test_clear_key_locator_plays_encrypted_hls(platform, arm, abr_set):
    run = uuid.uuid4().hex[:6]
    policy = "ckp-" + run
    status, _, body = arm.req("PUT", "contentKeyPolicies/" + policy, {"properties": {
        "description": "open", "options": [{"name": "clearKey", "configuration": {
            "@odata.type": CLEAR_KEY}, "restriction": {"@odata.type": OPEN}}]}})
    assert status == 201, body
    assert body["properties"]["options"][0]["restriction"]["@odata.type"] == OPEN
    status, _, body = arm.req("POST", "contentKeyPolicies/%s/getPolicyPropertiesWithSecrets"
                              % policy)
    assert status == 200 and body["options"][0]["name"] == "clearKey", body
    asset = "ck-" + run
    v3_asset(arm, asset, abr_set)
    status, _, body = arm.req("PUT", "streamingLocators/nopolicy-" + run, {"properties": {
        "assetName": asset, "streamingPolicyName": "Predefined_ClearKey"}})
    assert status == 400 and "defaultContentKeyPolicyName" in body["error"]["message"]
    loc_name = "ckloc-" + run
    status, _, loc = arm.req("PUT", "streamingLocators/" + loc_name, {"properties": {
        "assetName": asset, "streamingPolicyName": "Predefined_ClearKey",
        "defaultContentKeyPolicyName": policy}})
    assert status == 201, loc
    [key] = loc["properties"]["contentKeys"]
    assert key["type"] == "EnvelopeEncryption" and key["policyName"] == policy
    status, _, keys = arm.req("POST", "streamingLocators/%s/listContentKeys" % loc_name)
    assert status == 200 and keys["contentKeys"][0]["id"] == key["id"]
    status, _, paths = arm.req("POST", "streamingLocators/%s/listPaths" % loc_name)
    assert status == 200, paths
    [hls] = paths["streamingPaths"]
    assert hls["streamingProtocol"] == "Hls" and hls["encryptionScheme"] == "EnvelopeEncryption"
    base = platform.origin.base
    master_url = base + hls["paths"][0]
    master = http_get(master_url)
    assert master.status == 200, master.text
    variant = [l for l in master.text.splitlines() if l and not l.startswith("#")][0]
    media_url = master_url.rsplit("/", 1)[0] + "/" + variant
    media = http_get(media_url)
    assert re.search(r'#EXT-X-KEY:METHOD=AES-128,URI="[^"]+"', media.text), media.text
    segment = [l for l in media.text.splitlines() if l and not l.startswith("#")][0]
    raw = http_get(media_url.rsplit("/", 1)[0] + "/" + segment).body
    assert raw[:1] != b"\x47" or raw[188:189] != b"\x47"        # not clear MPEG-TS
    r = decode_ok(master_url, "m3u8-aapl")                       # ffmpeg gets the key
    assert r.returncode == 0, r.stderr[-2000:]
    # the asset is encrypted now: a clear locator next to it is refused, as is a second
    status, _, body = arm.req("PUT", "streamingLocators/clear-" + run, {"properties": {
        "assetName": asset, "streamingPolicyName": "Predefined_ClearStreamingOnly"}})
    assert status == 409 and "encrypted" in body["error"]["message"], body


def test_refusals(arm, abr_set):
    run = uuid.uuid4().hex[:6]
    status, _, body = arm.req("PUT", "contentKeyPolicies/tok-" + run, {"properties": {
        "options": [{"name": "o", "configuration": {"@odata.type": CLEAR_KEY}, "restriction": {
            "@odata.type": "#Microsoft.Media.ContentKeyPolicyTokenRestriction", "issuer": "i",
            "audience": "a", "restrictionTokenType": "Jwt"}}]}})
    assert status == 400 and "primaryVerificationKey" in body["error"]["message"]   # no key
    status, _, body = arm.req("GET", "contentKeyPolicies/nosuch-" + run)
    assert status == 404
    # a ClearKey locator on an asset that already streams in the clear: 409
    asset = "mix-" + run
    v3_asset(arm, asset, abr_set)
    arm.req("PUT", "contentKeyPolicies/p-" + run, {"properties": {"options": [
        {"name": "o", "configuration": {"@odata.type": CLEAR_KEY},
         "restriction": {"@odata.type": OPEN}}]}})
    status, _, _ = arm.req("PUT", "streamingLocators/clear-" + run, {"properties": {
        "assetName": asset, "streamingPolicyName": "Predefined_ClearStreamingOnly"}})
    assert status == 201
    status, _, body = arm.req("PUT", "streamingLocators/ck-" + run, {"properties": {
        "assetName": asset, "streamingPolicyName": "Predefined_ClearKey",
        "defaultContentKeyPolicyName": "p-" + run}})
    assert status == 409, body
    assert "p-" + run in arm.names("contentKeyPolicies")
    status, _, _ = arm.req("DELETE", "contentKeyPolicies/p-" + run)
    assert status == 200
