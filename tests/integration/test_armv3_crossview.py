"""v2 and v3 are two views of one catalog: an asset uploaded through v3
(listContainerSas) is published with a v2 origin locator, and one uploaded
through v2 with a v3 streaming locator; both play through ffmpeg on the
origin, and each view lists the other's locator."""

import datetime
import urllib.parse
import urllib.request
import uuid


from clients import decode_ok


def abr_files(abr_set) -> dict:
    return {p.name: p.read_bytes() for p in abr_set.files + [abr_set.ism]}


def sas_put(url: str, name: str, data: bytes) -> None:
    base, query = url.split("?", 1)
    req = urllib.request.Request("%s/%s?%s" % (base, urllib.parse.quote(name), query), data=data,
                                 method="PUT", headers={"x-ms-blob-type": "BlockBlob",
                                                        "x-ms-version": "2026-04-06"})
    with urllib.request.urlopen(req, timeout=60) as r:
        assert r.status == 201


def test_v3_asset_published_by_a_v2_locator(platform, arm, abr_set):
    ams = platform.client()
    name = "xv3-" + uuid.uuid4().hex[:8]
    status, _, asset = arm.req("PUT", "assets/" + name, {"properties": {}})
    assert status == 201, asset
    expiry = (datetime.datetime.utcnow() + datetime.timedelta(minutes=30)).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z")
    status, _, sas = arm.req("POST", "assets/%s/listContainerSas" % name,
                             {"permissions": "ReadWrite", "expiryTime": expiry})
    assert status == 200, sas
    for fname, data in abr_files(abr_set).items():
        sas_put(sas["assetContainerSasUrls"][0], fname, data)
    # the v2 view: the same asset, its files registered the v2 way
    asset_id = "nb:cid:UUID:" + asset["properties"]["assetId"]
    v2 = ams.entity("Assets", asset_id)
    assert v2.status == 200 and v2.json["Name"] == name
    assert ams.get("CreateFileInfos?assetid='%s'" % asset_id).status == 204
    files = {f["Name"] for f in ams.values("Assets%s/Files" % ams.key(asset_id))}
    assert files == set(abr_files(abr_set))
    loc = ams.publish(asset_id)
    url = "%s%s/Manifest(format=m3u8-aapl)" % (loc["Path"], abr_set.ism.name)
    r = decode_ok(url, "m3u8-aapl")
    assert r.returncode == 0, (url, r.stderr[-2000:])
    # and v3 lists the v2 locator (named by its GUID when it has no Name)
    guid = loc["Id"].split(":")[-1]
    status, _, listed = arm.req("POST", "assets/%s/listStreamingLocators" % name)
    assert status == 200 and [l["streamingLocatorId"] for l in listed["streamingLocators"]] == [guid]
    status, _, paths = arm.req("POST", "streamingLocators/%s/listPaths" % listed["streamingLocators"][0]["name"])
    assert status == 200, paths
    hls = [p for p in paths["streamingPaths"] if p["streamingProtocol"] == "Hls"][0]["paths"][0]
    assert hls == "/%s/%s/manifest(format=m3u8-aapl)" % (guid, abr_set.ism.name)
    assert [p["streamingProtocol"] for p in paths["streamingPaths"]] == [
        "Hls", "Dash", "SmoothStreaming"]
    assert paths["downloadPaths"] == []               # a v2 locator: ClearStreamingOnly


def test_v2_asset_published_by_a_v3_locator(platform, arm, abr_set):
    ams = platform.client()
    name = "xv2-" + uuid.uuid4().hex[:8]
    asset = ams.upload_asset(name, abr_files(abr_set))
    status, _, v3 = arm.req("GET", "assets/" + name)
    assert status == 200 and v3["properties"]["assetId"] == asset["Id"].split(":")[-1], v3
    assert name in arm.names("assets")
    loc_name = "loc-" + name
    status, _, loc = arm.req("PUT", "streamingLocators/" + loc_name, {"properties": {
        "assetName": name, "streamingPolicyName": "Predefined_DownloadAndClearStreaming"}})
    assert status == 201, loc
    status, _, paths = arm.req("POST", "streamingLocators/%s/listPaths" % loc_name)
    assert status == 200, paths
    host = platform.origin.base
    by_protocol = {p["streamingProtocol"]: p["paths"][0] for p in paths["streamingPaths"]}
    for protocol, fmt in (("Hls", "m3u8-aapl"), ("Dash", "mpd-time-csf")):
        r = decode_ok(host + by_protocol[protocol], fmt)
        assert r.returncode == 0, (protocol, r.stderr[-2000:])
    assert sorted(p.rsplit("/", 1)[1] for p in paths["downloadPaths"]) == sorted(
        p.name for p in abr_set.files)
    first = abr_set.files[0]
    [dl] = [p for p in paths["downloadPaths"] if p.endswith("/" + first.name)]
    with urllib.request.urlopen(host + dl, timeout=30) as r:     # progressive download
        assert r.read() == first.read_bytes()
    # the v2 view lists the v3 locator: an origin locator on the same GUID
    v2_locs = ams.values("Assets%s/Locators" % ams.key(asset["Id"]))
    assert [(l["Type"], l["Id"].split(":")[-1], l["Name"]) for l in v2_locs] == [
        (2, loc["properties"]["streamingLocatorId"], loc_name)]
    # deleting it through v3 unpublishes it from the origin
    status, _, _ = arm.req("DELETE", "streamingLocators/" + loc_name)
    assert status == 200
    r = decode_ok(host + by_protocol["Hls"], "m3u8-aapl")
    assert r.returncode != 0
    assert ams.values("Assets%s/Locators" % ams.key(asset["Id"])) == []
