"""Publishing: an asset uploaded through the API and published with an
OnDemandOrigin locator streams from nginx in catalog mode
(/<locator guid>/<name>.ism/Manifest(...)), and stops when the locator
expires or goes away — within a second, without reloading nginx."""

import time
import urllib.parse

import pytest

from clients import HLS_INPUT, decode_ok, input_opts
from media import ffprobe_json, framemd5, http_get


@pytest.fixture(scope="module")
def published(platform, abr_set):
    ams = platform.client()
    files = {abr_set.ism.name: abr_set.ism}
    files.update({p.name: p for p in abr_set.files})
    asset = ams.upload_asset("abr", files, block_size=256 * 1024)
    loc = ams.publish(asset["Id"])
    return ams, asset, loc


def stream_url(loc, abr_set, suffix="Manifest"):
    return loc["Path"] + abr_set.ism.name + "/" + suffix


def test_origin_locator_shape(published, platform):
    ams, asset, loc = published
    guid = loc["Id"].split(":")[-1]
    assert loc["Type"] == 2
    assert loc["Path"] == platform.origin.base + "/" + guid + "/"
    assert loc["BaseUri"] == platform.origin.base
    assert loc["ContentAccessComponent"] == guid
    files = ams.values("Assets%s/Files" % ams.key(asset["Id"]))
    primary = [f["Name"] for f in files if f["IsPrimary"]]
    assert primary == ["abr.ism"]


@pytest.mark.parametrize("fmt", ["m3u8-aapl", "m3u8-aapl-v3", "mpd-time-csf"])
def test_published_asset_is_lossless(published, abr_set, fmt):
    _, _, loc = published
    url = stream_url(loc, abr_set, "Manifest(format=%s)" % fmt)
    info = ffprobe_json(url, extra=input_opts(fmt))
    assert {s["codec_type"] for s in info["streams"]} >= {"video", "audio"}
    src = framemd5(abr_set.renditions[0].path, "v:0")
    assert framemd5(url, "v:0", extra_input=input_opts(fmt)) == src


def test_published_smooth_and_progressive(published, abr_set):
    _, _, loc = published
    r = http_get(stream_url(loc, abr_set))
    assert r.status == 200 and b"<SmoothStreamingMedia" in r.body
    mp4 = abr_set.renditions[1].path
    r = http_get(loc["Path"] + mp4.name)
    assert r.status == 200 and r.body == mp4.read_bytes()
    assert http_get(loc["Path"] + abr_set.ism.name).status == 404      # never the raw .ism
    assert decode_ok(stream_url(loc, abr_set, "Manifest(format=mpd-time-cmaf)"),
                     "mpd-time-cmaf").returncode == 0


def test_unknown_and_malformed_locators(platform, abr_set):
    base = platform.origin.base
    for path in ("/00000000-0000-0000-0000-000000000000/abr.ism/Manifest",
                 "/not-a-guid/abr.ism/Manifest", "/abr.ism/Manifest",
                 "/00000000-0000-0000-0000-00000000000g/abr.ism/Manifest"):
        assert http_get(base + path).status == 404, path


def wait_status(url, want, timeout=3.0):
    deadline = time.time() + timeout
    status = None
    while time.time() < deadline:
        status = http_get(url).status
        if status == want:
            return time.time()
        time.sleep(0.05)
    raise AssertionError("%s: still %s after %.1fs, wanted %s" % (url, status, timeout, want))


def test_expiry_and_deletion_stop_playback(published, abr_set):
    ams, asset, _ = published
    loc = ams.publish(asset["Id"])
    url = stream_url(loc, abr_set, "Manifest(format=mpd-time-csf)")
    assert http_get(url).status == 200
    past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    t0 = time.time()
    assert ams.merge("Locators" + ams.key(loc["Id"]), {"ExpirationDateTime": past}).status == 204
    assert wait_status(url, 404) - t0 < 1.0
    future = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    assert ams.merge("Locators" + ams.key(loc["Id"]), {"ExpirationDateTime": future}).status == 204
    wait_status(url, 200, 1.0)
    t0 = time.time()
    assert ams.delete("Locators" + ams.key(loc["Id"])).status == 204
    assert wait_status(url, 404) - t0 < 1.0


def test_locator_that_expires_by_itself(published, abr_set):
    ams, asset, _ = published
    loc = ams.publish(asset["Id"], minutes=0.05, start_offset_min=0)   # 3 s from now
    url = stream_url(loc, abr_set, "Manifest(format=m3u8-aapl)")
    assert http_get(url).status == 200
    wait_status(url, 404, timeout=6.0)
    ams.delete("Locators" + ams.key(loc["Id"]))


def test_locator_not_started_yet(published, abr_set):
    ams, asset, _ = published
    loc = ams.publish(asset["Id"], start_offset_min=60)
    assert http_get(stream_url(loc, abr_set)).status == 404
    ams.delete("Locators" + ams.key(loc["Id"]))


def test_client_supplied_locator_id_keeps_urls_stable(published, abr_set):
    ams, asset, _ = published
    guid = "0badc0de-1234-4abc-8def-0123456789ab"
    pol = ams.create("AccessPolicies", {"Name": "s", "DurationInMinutes": 60, "Permissions": 1})
    loc = ams.create("Locators", {"Id": "nb:lid:UUID:" + guid.upper(), "AccessPolicyId": pol["Id"],
                                  "AssetId": asset["Id"], "Type": 2})
    assert loc["Id"] == "nb:lid:UUID:" + guid
    assert http_get(loc["Path"] + abr_set.ism.name + "/Manifest").status == 200
    # the URL works whatever the case of the GUID
    assert http_get(loc["Path"].replace(guid, guid.upper()) + abr_set.ism.name + "/Manifest").status == 200
    dup = ams.post("Locators", {"Id": loc["Id"], "AccessPolicyId": pol["Id"],
                                "AssetId": asset["Id"], "Type": 2})
    assert dup.status == 409
    ams.delete("Locators" + ams.key(loc["Id"]))


def test_locator_rules(ams):
    empty = ams.create("Assets", {"Name": "empty"})
    read = ams.create("AccessPolicies", {"Name": "r", "DurationInMinutes": 60, "Permissions": 1})
    write = ams.create("AccessPolicies", {"Name": "w", "DurationInMinutes": 60, "Permissions": 2})
    r = ams.post("Locators", {"AccessPolicyId": read["Id"], "AssetId": empty["Id"], "Type": 2})
    assert r.status == 400 and "no files" in r.error_message()
    asset = ams.upload_asset("rules", {"a.mp4": b"x" * 100})
    r = ams.post("Locators", {"AccessPolicyId": write["Id"], "AssetId": asset["Id"], "Type": 2})
    assert r.status == 400 and "Read" in r.error_message()
    r = ams.post("Locators", {"AccessPolicyId": read["Id"], "AssetId": asset["Id"], "Type": 7})
    assert r.status == 400
    r = ams.post("Locators", {"AccessPolicyId": read["Id"],
                              "AssetId": "nb:cid:UUID:00000000-0000-0000-0000-000000000000", "Type": 2})
    assert r.status == 400
    sas = ams.create("Locators", {"AccessPolicyId": write["Id"], "AssetId": asset["Id"], "Type": 1})
    r = ams.merge("Locators" + ams.key(sas["Id"]), {"ExpirationDateTime": "2099-01-01T00:00:00Z"})
    assert r.status == 400 and "SAS" in r.error_message()
    for _ in range(4):
        ams.create("Locators", {"AccessPolicyId": read["Id"], "AssetId": asset["Id"], "Type": 2})
    r = ams.post("Locators", {"AccessPolicyId": read["Id"], "AssetId": asset["Id"], "Type": 2})
    assert r.status == 409 and "5" in r.error_message()
    locs = ams.values("Assets%s/Locators" % ams.key(asset["Id"]))
    assert len(locs) == 5
    # deleting the asset deletes its locators (and unpublishes them)
    assert ams.delete("Assets" + ams.key(asset["Id"])).status == 204
    for l in locs:
        assert ams.entity("Locators", l["Id"]).status == 404
