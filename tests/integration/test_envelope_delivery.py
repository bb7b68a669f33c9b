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
import re

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


def auth_policy(ams, restriction_type):
    pol = ams.create("ContentKeyAuthorizationPolicies", {"Name": "p"})
    req = None
    if restriction_type == 1:
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


def protected_asset(ams, tmp_path, abr_set, restriction_type=0, config=None):
    files = {abr_set.ism.name: abr_set.ism}
    files.update({p.name: p for p in abr_set.files})
    asset = ams.upload_asset("envelope", files)
    kid, key = create_key(ams, tmp_path, auth_policy(ams, restriction_type))
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


def test_token_restricted_key_is_not_handed_out(platform, abr_set, tmp_path):
    ams = platform.client()
    asset, kid, key, loc = protected_asset(ams, tmp_path, abr_set, restriction_type=1)
    base = loc["Path"] + abr_set.ism.name + "/"
    url, text = media_playlist(base, "m3u8-aapl")
    r = http_get(key_uri(text))
    assert r.status == 401 and b"token" in r.body and key not in r.body
    assert r.headers.get("WWW-Authenticate") == "Bearer"


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
