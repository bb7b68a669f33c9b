"""Dynamic manifests: v2 Filters / AssetFilters and v3 accountFilters /
assetFilters (two views of the same rows) applied by the origin for
filter=a;b — tracks selected by Type/Bitrate/Language, the timeline cut at
segment boundaries, combined filters — read by ffprobe in HLS and DASH;
validation (400 naming the field), the documented bounds, unknown names in
URLs (400), and manifests following a changed filter at once (the manifest
cache keys on the filter's rules)."""

import os
import re
import shutil
import urllib.parse
import uuid
from pathlib import Path

import pytest

from armv3 import GROUP, SUBSCRIPTION, TENANT
from clients import decode_ok, input_opts
from media import ffprobe_json, http_get, run_node_workflow
from platform_harness import CLIENT_ID, CLIENT_SECRET, TLS_DIR

SDK_DIR = Path(__file__).resolve().parents[1] / "armv3-sdk"

ACCOUNT_MAX = 64
ASSET_MAX = 32
SELECTIONS_MAX = 16
CONDITIONS_MAX = 8
NAME_MAX = 64


@pytest.fixture(scope="module")
def published(platform, abr_set):
    ams = platform.client()
    files = {abr_set.ism.name: abr_set.ism}
    files.update({p.name: p for p in abr_set.files})
    asset = ams.upload_asset("filters-" + uuid.uuid4().hex[:6], files, block_size=256 * 1024)
    loc = ams.publish(asset["Id"])
    return ams, asset, loc


def url(loc, abr_set, opts):
    return loc["Path"] + abr_set.ism.name + "/Manifest(%s)" % opts


def cond(prop, value, op="Equal"):
    return {"Property": prop, "Value": value, "Operator": op}


def account_filter(ams, name, **rules):
    r = ams.post("Filters", dict(Name=name, **rules))
    assert r.status == 201, r
    return r.json


def asset_filter(ams, asset, name, **rules):
    r = ams.post("AssetFilters", dict(ParentAssetId=asset["Id"], Name=name, **rules))
    assert r.status == 201, r
    return r.json


def streams(u, fmt):
    info = ffprobe_json(u, extra=input_opts(fmt) + ["-show_format"])
    return info


def unique(prefix):
    return prefix + uuid.uuid4().hex[:6]


# ---------------------------------------------------------------- API


def test_v2_filter_crud(published):
    ams, asset, _ = published
    name = unique("audio")
    f = account_filter(ams, name, Tracks=[{"PropertyConditions": [cond("type", "audio", "equal")]}])
    assert f["Name"] == name
    assert f["Tracks"] == [{"PropertyConditions": [cond("Type", "audio")]}]   # AMS spelling
    r = ams.entity("Filters", name)
    assert r.status == 200 and r.json["Tracks"][0]["PropertyConditions"][0]["Value"] == "audio"
    assert name in [x["Name"] for x in ams.values("Filters")]
    r = ams.merge("Filters" + ams.key(name), {"FirstQuality": {"Bitrate": 800000}})
    assert r.status == 204, r
    assert ams.entity("Filters", name).json["FirstQuality"] == {"Bitrate": 800000}
    assert ams.post("Filters", {"Name": name}).status == 409
    assert ams.delete("Filters" + ams.key(name)).status == 204
    assert ams.entity("Filters", name).status == 404


def test_v2_asset_filter_ids_and_navigation(published):
    ams, asset, _ = published
    name = unique("cut")
    f = asset_filter(ams, asset, name, PresentationTimeRange={
        "StartTimestamp": "20000000", "EndTimestamp": 60000000, "Timescale": "10000000"})
    assert f["Id"] == asset["Id"] + "__#$#__" + name
    assert f["ParentAssetId"] == asset["Id"]
    assert f["PresentationTimeRange"]["StartTimestamp"] == "20000000"
    assert f["PresentationTimeRange"]["EndTimestamp"] == "60000000"
    listed = ams.values("Assets%s/AssetFilters" % ams.key(asset["Id"]))
    assert name in [x["Name"] for x in listed]
    assert ams.entity("AssetFilters", f["Id"]).status == 200
    assert ams.post("AssetFilters", {"ParentAssetId": asset["Id"], "Name": name}).status == 409
    r = ams.post("AssetFilters", {"ParentAssetId": "nb:cid:UUID:00000000-0000-0000-0000-000000000000",
                                  "Name": "x"})
    assert r.status == 400 and "ParentAssetId" in r.error_message()
    assert ams.delete("AssetFilters" + ams.key(f["Id"])).status == 204


def test_asset_filters_go_with_their_asset(published):
    ams, _, _ = published
    other = ams.create("Assets", {"Name": unique("gone")})
    f = asset_filter(ams, other, "f1", Tracks=[{"PropertyConditions": [cond("Type", "audio")]}])
    assert ams.entity("AssetFilters", f["Id"]).status == 200
    assert ams.delete("Assets" + ams.key(other["Id"])).status == 204
    assert ams.entity("AssetFilters", f["Id"]).status == 404
    assert f["Id"] not in [x["Id"] for x in ams.values("AssetFilters")]


def v3_asset_name(arm, asset):
    """The v3 name of a v2 asset (looked up by its id: the shared
    installation may hold more assets than one 1000-entry page)."""
    guid = asset["Id"].split(":")[-1]
    status, _, page = arm.req("GET", "assets?$filter=" + urllib.parse.quote(
        "properties/assetId eq '%s'" % guid))
    assert status == 200, page
    return [a["name"] for a in page["value"] if a["properties"]["assetId"] == guid][0]


def test_v2_and_v3_are_one_filter(published, arm):
    ams, asset, _ = published
    name = unique("both")
    account_filter(ams, name, PresentationTimeRange={"StartTimestamp": "0", "Timescale": "1000"},
                   Tracks=[{"PropertyConditions": [cond("Bitrate", "0-1000000"),
                                                   cond("Type", "video")]}],
                   FirstQuality={"Bitrate": 800000})
    status, _, v3 = arm.req("GET", "accountFilters/" + name)
    assert status == 200, v3
    assert v3["type"] == "Microsoft.Media/mediaservices/accountFilters"
    assert v3["properties"]["presentationTimeRange"]["timescale"] == 1000
    assert v3["properties"]["firstQuality"] == {"bitrate": 800000}
    assert v3["properties"]["tracks"] == [{"trackSelections": [
        {"property": "Bitrate", "operation": "Equal", "value": "0-1000000"},
        {"property": "Type", "operation": "Equal", "value": "video"}]}]
    assert name in arm.names("accountFilters")
    # a v3 PUT replaces the rules; v2 sees it
    status, _, v3 = arm.req("PUT", "accountFilters/" + name, {"properties": {
        "tracks": [{"trackSelections": [{"property": "Type", "operation": "Equal",
                                         "value": "Audio"}]}]}})
    assert status == 200, v3
    v2 = ams.entity("Filters", name).json
    assert v2["FirstQuality"] is None and v2["PresentationTimeRange"] is None
    assert v2["Tracks"] == [{"PropertyConditions": [cond("Type", "Audio")]}]
    # PATCH changes only what it names
    status, _, v3 = arm.req("PATCH", "accountFilters/" + name,
                            {"properties": {"firstQuality": {"bitrate": 128000}}})
    assert status == 200 and v3["properties"]["tracks"][0]["trackSelections"][0]["value"] == "Audio"
    assert ams.entity("Filters", name).json["FirstQuality"] == {"Bitrate": 128000}
    assert arm.req("DELETE", "accountFilters/" + name)[0] == 200
    assert arm.req("DELETE", "accountFilters/" + name)[0] == 204
    assert ams.entity("Filters", name).status == 404
    # asset filters: a v3 PUT under the asset is the v2 AssetFilter
    aname = v3_asset_name(arm, asset)
    fname = unique("v3cut")
    status, _, v3 = arm.req("PUT", "assets/%s/assetFilters/%s" % (aname, fname), {"properties": {
        "presentationTimeRange": {"startTimestamp": 40000000, "endTimestamp": 80000000,
                                  "timescale": 10000000, "forceEndTimestamp": False}}})
    assert status == 201, v3
    assert v3["id"].endswith("/assets/%s/assetFilters/%s" % (aname, fname))
    v2 = ams.entity("AssetFilters", asset["Id"] + "__#$#__" + fname)
    assert v2.status == 200 and v2.json["PresentationTimeRange"]["EndTimestamp"] == "80000000"
    assert fname in arm.names("assets/%s/assetFilters" % aname)
    assert arm.req("GET", "assets/%s/assetFilters/nope" % aname)[0] == 404
    assert arm.req("DELETE", "assets/%s/assetFilters/%s" % (aname, fname))[0] == 200


def test_v3_sdk_filters(published, arm, arm_url, abr_set):
    """@azure/arm-mediaservices, unmodified (tests/armv3-sdk/filters.js)."""
    ams, asset, loc = published
    if not (SDK_DIR / "node_modules" / "@azure/arm-mediaservices").is_dir() or not shutil.which("node"):
        pytest.fail("tests/armv3-sdk/node_modules or node missing: run ./build.sh deps")
    run = uuid.uuid4().hex[:8]
    env = dict(os.environ, MP_ARM_URL=arm_url, MP_TENANT=TENANT, MP_SUBSCRIPTION=SUBSCRIPTION,
               MP_GROUP=GROUP, MP_ACCOUNT="mediaplane", MP_CLIENT_ID=CLIENT_ID,
               MP_CLIENT_SECRET=CLIENT_SECRET, MP_RUN=run, MP_ASSET=v3_asset_name(arm, asset),
               NODE_EXTRA_CA_CERTS=str(TLS_DIR / "ca.pem"))
    env.pop("NODE_TLS_REJECT_UNAUTHORIZED", None)
    out = run_node_workflow(SDK_DIR / "filters.js", env, timeout=300)
    sd, audio = out["names"]["account"], out["names"]["asset"]
    assert out["accountCreated"] == {"name": sd, "type": "Microsoft.Media/mediaservices/accountFilters",
                                     "start": 40000000, "firstQuality": 800000,
                                     "selections": [2, 1]}
    assert sd in out["accountFilters"]
    assert out["accountPatched"] == {"firstQuality": 2500000, "selections": 2}
    assert out["accountGot"] == 2500000
    assert out["assetCreated"]["name"] == audio and audio in out["assetFilters"]
    assert out["assetCreated"]["type"] == "Microsoft.Media/mediaservices/assets/assetFilters"
    assert out["badRule"]["status"] == 400 and "Operator" in out["badRule"]["message"]
    # the v2 view and the origin apply what the SDK made
    v2 = ams.entity("Filters", sd).json
    assert v2["FirstQuality"] == {"Bitrate": 2500000}
    info = streams(url(loc, abr_set, "format=mpd-time-csf,filter=" + sd), "mpd-time-csf")
    assert [s["height"] for s in info["streams"] if s["codec_type"] == "video"] == [360]
    assert abs(float(info["format"]["duration"]) - 6.0) <= 2.1
    info = streams(url(loc, abr_set, "format=m3u8-aapl,filter=" + audio), "m3u8-aapl")
    assert {s["codec_type"] for s in info["streams"]} == {"audio"}
    assert arm.req("DELETE", "accountFilters/" + sd)[0] == 200


BAD_RULES = [
    ({"Tracks": [{"PropertyConditions": [cond("Codec", "avc1")]}]}, "Property"),
    ({"Tracks": [{"PropertyConditions": [cond("Type", "audio", "GreaterThan")]}]}, "Operator"),
    ({"Tracks": [{"PropertyConditions": [cond("Type", "subtitles")]}]}, "Value"),
    ({"Tracks": [{"PropertyConditions": [cond("Bitrate", "fast")]}]}, "Value"),
    ({"Tracks": [{"PropertyConditions": [cond("Bitrate", "9-1")]}]}, "Value"),
    ({"Tracks": [{"PropertyConditions": [cond("Name", "a b")]}]}, "Value"),
    ({"Tracks": [{"PropertyConditions": []}]}, "PropertyConditions"),
    ({"PresentationTimeRange": {"StartTimestamp": "50", "EndTimestamp": "40"}}, "EndTimestamp"),
    ({"PresentationTimeRange": {"StartTimestamp": "-1"}}, "StartTimestamp"),
    ({"PresentationTimeRange": {"Timescale": "0"}}, "Timescale"),
    ({"PresentationTimeRange": {"PresentationWindowDuration": "600000000"}},
     "PresentationWindowDuration"),
    ({"PresentationTimeRange": {"LiveBackoffDuration": "3010000000"}}, "LiveBackoffDuration"),
    ({"FirstQuality": {"Bitrate": 0}}, "FirstQuality"),
]


@pytest.mark.parametrize("rules,field", BAD_RULES)
def test_bad_filters_are_400_naming_the_field(published, rules, field):
    ams, asset, _ = published
    r = ams.post("Filters", dict(Name=unique("bad"), **rules))
    assert r.status == 400 and field in r.error_message(), r
    r = ams.post("AssetFilters", dict(ParentAssetId=asset["Id"], Name=unique("bad"), **rules))
    assert r.status == 400 and field in r.error_message(), r


def test_bad_names_and_v3_bodies(published, arm):
    ams, _, _ = published
    for name in ("a b", "a;b", "x" * (NAME_MAX + 1), ""):
        r = ams.post("Filters", {"Name": name})
        assert r.status == 400 and "Name" in r.error_message(), (name, r)
    assert ams.post("Filters", {"Name": "n" * NAME_MAX}).status == 201
    assert ams.delete("Filters" + ams.key("n" * NAME_MAX)).status == 204
    status, _, body = arm.req("PUT", "accountFilters/" + unique("v3bad"), {"properties": {
        "tracks": [{"trackSelections": [{"property": "Type", "operation": "Like",
                                         "value": "video"}]}]}})
    assert status == 400 and "Operator" in body["error"]["message"], body
    status, _, body = arm.req("PUT", "accountFilters/" + unique("v3bad"),
                              {"properties": {"tracks": {"no": 1}}})
    assert status == 400, body
    status, _, _ = arm.req("PUT", "accountFilters/a~b;c", {"properties": {}})
    assert status in (400, 404)


def test_bounds_of_one_filter(published):
    ams, _, _ = published
    full = [{"PropertyConditions": [cond("Bitrate", str(i), "NotEqual")
                                    for i in range(CONDITIONS_MAX)]}] * SELECTIONS_MAX
    name = unique("full")
    account_filter(ams, name, Tracks=full)
    r = ams.post("Filters", {"Name": unique("over"), "Tracks": full + full[:1]})
    assert r.status == 400 and "Tracks" in r.error_message()
    over = [{"PropertyConditions": full[0]["PropertyConditions"] + [cond("Type", "video")]}]
    r = ams.post("Filters", {"Name": unique("over"), "Tracks": over})
    assert r.status == 400 and "PropertyConditions" in r.error_message()
    assert ams.delete("Filters" + ams.key(name)).status == 204


def test_filter_count_bounds(published):
    ams, asset, _ = published
    have = len(ams.values("Filters"))
    made = []
    for _ in range(ACCOUNT_MAX - have):
        made.append(account_filter(ams, unique("n"))["Name"])
    r = ams.post("Filters", {"Name": unique("n")})
    assert r.status == 409 and str(ACCOUNT_MAX) in r.error_message()
    for name in made:
        assert ams.delete("Filters" + ams.key(name)).status == 204
    have = len(ams.values("Assets%s/AssetFilters" % ams.key(asset["Id"])))
    made = [asset_filter(ams, asset, unique("a"))["Id"] for _ in range(ASSET_MAX - have)]
    r = ams.post("AssetFilters", {"ParentAssetId": asset["Id"], "Name": unique("a")})
    assert r.status == 409 and str(ASSET_MAX) in r.error_message()
    for fid in made:
        assert ams.delete("AssetFilters" + ams.key(fid)).status == 204


# ---------------------------------------------------------------- origin


def test_audio_only_filter_in_hls_and_dash(published, abr_set):
    ams, _, loc = published
    name = unique("aonly")
    account_filter(ams, name, Tracks=[{"PropertyConditions": [cond("Type", "audio")]}])
    master = http_get(url(loc, abr_set, "format=m3u8-aapl,filter=" + name))
    assert master.status == 200
    assert "RESOLUTION=" not in master.text
    assert "filter=%s)" % name in master.text          # media playlists keep the filter
    for fmt in ("m3u8-aapl", "mpd-time-csf"):
        info = streams(url(loc, abr_set, "format=%s,filter=%s" % (fmt, name)), fmt)
        assert {s["codec_type"] for s in info["streams"]} == {"audio"}, fmt
    smooth = http_get(url(loc, abr_set, "filter=" + name)).text
    assert 'Type="video"' not in smooth and 'Type="audio"' in smooth


def test_bitrate_filter_keeps_one_rung(published, abr_set):
    ams, _, loc = published
    name = unique("low")
    account_filter(ams, name, Tracks=[
        {"PropertyConditions": [cond("Type", "video"), cond("Bitrate", "0-1000000")]},
        {"PropertyConditions": [cond("Type", "audio")]}])
    master = http_get(url(loc, abr_set, "format=m3u8-aapl,filter=" + name)).text
    assert master.count("#EXT-X-STREAM-INF") == 1 and "RESOLUTION=640x360" in master
    for fmt in ("m3u8-aapl", "m3u8-aapl-v3", "mpd-time-csf"):
        info = streams(url(loc, abr_set, "format=%s,filter=%s" % (fmt, name)), fmt)
        video = [s for s in info["streams"] if s["codec_type"] == "video"]
        assert [(s["width"], s["height"]) for s in video] == [(640, 360)], fmt
    mpd = http_get(url(loc, abr_set, "format=mpd-time-csf,filter=" + name)).text
    assert mpd.count("<Representation ") == 2
    # a removed rung's playlist is not there under the filter
    gone = loc["Path"] + abr_set.ism.name + \
        "/QualityLevels(2500000)/Manifest(video,format=m3u8-aapl,filter=%s)" % name
    assert http_get(gone).status == 404


def duration(u, fmt):
    return float(streams(u, fmt)["format"]["duration"])


def test_time_range_trims_at_segment_boundaries(published, abr_set):
    ams, asset, loc = published
    name, tail = unique("mid"), unique("tail")
    # 4 s .. 8 s of the 10 s asset: DASH/Smooth fragments are 2 s
    asset_filter(ams, asset, name, PresentationTimeRange={
        "StartTimestamp": "4000", "EndTimestamp": "8000", "Timescale": "1000"})
    full = duration(url(loc, abr_set, "format=mpd-time-csf"), "mpd-time-csf")
    got = duration(url(loc, abr_set, "format=mpd-time-csf,filter=" + name), "mpd-time-csf")
    assert abs(full - abr_set.duration) < 0.5
    assert abs(got - 4.0) <= 2.0 + 0.1, got              # +-1 fragment
    mpd = http_get(url(loc, abr_set, "format=mpd-time-csf,filter=" + name)).text
    pto = int(re.search(r'presentationTimeOffset="(\d+)"', mpd).group(1))
    assert 20000000 <= pto <= 41000000, pto
    assert decode_ok(url(loc, abr_set, "format=mpd-time-csf,filter=" + name),
                     "mpd-time-csf").returncode == 0
    smooth = http_get(url(loc, abr_set, "filter=" + name)).text
    assert 't="0"' not in smooth and "<c " in smooth
    # HLS segments are 6 s: from 7 s on leaves the last one (6 s .. 10 s)
    asset_filter(ams, asset, tail, PresentationTimeRange={"StartTimestamp": "70000000"})
    hls = url(loc, abr_set, "format=m3u8-aapl,filter=" + tail)
    got = duration(hls, "m3u8-aapl")
    assert abs(got - 4.0) <= 0.5, got
    r = decode_ok(hls, "m3u8-aapl")
    assert r.returncode == 0, r.stderr[-2000:]


def test_segments_listed_by_a_filter_are_the_unfiltered_bytes(published, abr_set):
    ams, asset, loc = published
    name = unique("tail")
    asset_filter(ams, asset, name, PresentationTimeRange={"StartTimestamp": "60000000"})
    base = loc["Path"] + abr_set.ism.name + "/"
    playlist = http_get(base + "QualityLevels(800000)/Manifest(video,format=m3u8-aapl,filter=%s)"
                        % name).text
    segs = [l for l in playlist.splitlines() if l.startswith("Fragments(")]
    whole = http_get(base + "QualityLevels(800000)/Manifest(video,format=m3u8-aapl)").text
    all_segs = [l for l in whole.splitlines() if l.startswith("Fragments(")]
    assert segs and segs == all_segs[len(all_segs) - len(segs):] and len(segs) < len(all_segs)
    assert "#EXT-X-MEDIA-SEQUENCE:%d" % (len(all_segs) - len(segs)) in playlist
    for s in segs:
        a = http_get(base + "QualityLevels(800000)/" + s)
        b = http_get(base + "QualityLevels(800000)/" + s.replace(")", ",filter=%s)" % name))
        assert a.status == 200 and a.body == b.body


def test_two_filters_combine(published, abr_set):
    ams, asset, loc = published
    low, cut = unique("low"), unique("cut")
    account_filter(ams, low, Tracks=[{"PropertyConditions": [cond("Bitrate", "2500000", "NotEqual")]}])
    asset_filter(ams, asset, cut, PresentationTimeRange={"StartTimestamp": "40000000",
                                                         "EndTimestamp": "80000000"})
    u = url(loc, abr_set, "format=mpd-time-csf,filter=%s;%s" % (low, cut))
    info = streams(u, "mpd-time-csf")
    video = [s for s in info["streams"] if s["codec_type"] == "video"]
    assert [s["height"] for s in video] == [360]
    assert {s["codec_type"] for s in info["streams"]} == {"video", "audio"}
    assert abs(float(info["format"]["duration"]) - 4.0) <= 2.1
    hls = url(loc, abr_set, "format=m3u8-aapl,filter=%s;%s" % (low, cut))
    master = http_get(hls).text
    assert master.count("#EXT-X-STREAM-INF") == 1 and "filter=%s;%s)" % (low, cut) in master
    assert decode_ok(hls, "m3u8-aapl").returncode == 0


def test_first_quality_leads_the_hls_master(published, abr_set):
    ams, _, loc = published
    name = unique("fq")
    account_filter(ams, name, FirstQuality={"Bitrate": 800000})
    plain = http_get(url(loc, abr_set, "format=m3u8-aapl")).text
    first = http_get(url(loc, abr_set, "format=m3u8-aapl,filter=" + name)).text
    res = lambda text: re.findall(r"RESOLUTION=(\d+x\d+)", text)   # noqa: E731
    assert res(plain) == ["1280x720", "640x360"]
    assert res(first) == ["640x360", "1280x720"]


def test_asset_filter_wins_over_account_filter(published, abr_set):
    ams, asset, loc = published
    name = unique("same")
    account_filter(ams, name, Tracks=[{"PropertyConditions": [cond("Type", "audio")]}])
    u = url(loc, abr_set, "format=mpd-time-csf,filter=" + name)
    assert "<Representation " in http_get(u).text and 'mimeType="video' not in http_get(u).text
    f = asset_filter(ams, asset, name, Tracks=[{"PropertyConditions": [cond("Type", "video")]}])
    mpd = http_get(u).text
    assert 'mimeType="audio' not in mpd and 'mimeType="video' in mpd
    assert ams.delete("AssetFilters" + ams.key(f["Id"])).status == 204
    assert 'mimeType="video' not in http_get(u).text


def test_changed_filter_changes_cached_manifests(published, abr_set):
    ams, _, loc = published
    name = unique("chg")
    account_filter(ams, name, Tracks=[{"PropertyConditions": [cond("Type", "audio")]}])
    u = url(loc, abr_set, "format=m3u8-aapl,filter=" + name)
    assert "RESOLUTION=" not in http_get(u).text
    assert "RESOLUTION=" not in http_get(u).text         # now from the manifest cache
    r = ams.merge("Filters" + ams.key(name),
                  {"Tracks": [{"PropertyConditions": [cond("Type", "audio", "NotEqual")]}]})
    assert r.status == 204, r
    assert "RESOLUTION=" in http_get(u).text
    assert ams.delete("Filters" + ams.key(name)).status == 204
    assert http_get(u).status == 400


def test_unknown_or_malformed_filters_in_urls_are_400(published, abr_set):
    ams, _, loc = published
    name = unique("ok")
    account_filter(ams, name)
    assert http_get(url(loc, abr_set, "format=m3u8-aapl,filter=" + name)).status == 200
    for opts in ("format=m3u8-aapl,filter=nosuchfilter",
                 "format=mpd-time-csf,filter=%s;nosuchfilter" % name,
                 "filter=nosuchfilter",
                 "format=m3u8-aapl,filter=a;b;c;d",
                 "format=m3u8-aapl,filter=",
                 "format=m3u8-aapl,filter=" + "x" * (NAME_MAX + 1)):
        assert http_get(url(loc, abr_set, opts)).status == 400, opts
    # an impossible filter (no track left, no segment left) is 400 too
    none = unique("none")
    account_filter(ams, none, Tracks=[{"PropertyConditions": [cond("Type", "text")]}])
    assert http_get(url(loc, abr_set, "format=m3u8-aapl,filter=" + none)).status == 400
    late = unique("late")
    account_filter(ams, late, PresentationTimeRange={"StartTimestamp": "3600",
                                                     "Timescale": "1"})
    assert http_get(url(loc, abr_set, "format=mpd-time-csf,filter=" + late)).status == 400
    # fragments ignore filter= (the same bytes as without it)
    frag = loc["Path"] + abr_set.ism.name + \
        "/QualityLevels(800000)/Fragments(video=0,format=m3u8-aapl,filter=nosuchfilter)"
    assert http_get(frag).status in (200, 404)


def test_hls_ts_and_cmaf_through_a_filter(published, abr_set):
    ams, _, loc = published
    name = unique("ts")
    account_filter(ams, name, Tracks=[{"PropertyConditions": [cond("Bitrate", "800000"),
                                                              cond("Type", "video")]},
                                      {"PropertyConditions": [cond("Language", "en")]}])
    for fmt in ("m3u8-aapl-v3", "m3u8-cmaf", "mpd-time-cmaf"):
        u = url(loc, abr_set, "format=%s,filter=%s" % (fmt, name))
        info = streams(u, fmt)
        kinds = sorted(s["codec_type"] for s in info["streams"])
        # (an HLS v3 master adds its audio-only variant: the audio twice)
        assert set(kinds) == {"audio", "video"} and kinds.count("video") == 1, (fmt, kinds)
        assert [s["height"] for s in info["streams"] if s["codec_type"] == "video"] == [360]
        assert decode_ok(u, fmt).returncode == 0, fmt


def test_direct_mode_refuses_filters(origin, abr_set):
    rel = abr_set.rel(origin.media_root)
    assert http_get(origin.base + rel + "/Manifest(format=m3u8-aapl)").status == 200
    assert http_get(origin.base + rel + "/Manifest(format=m3u8-aapl,filter=x)").status == 400
