"""mediaplaned as AMS-era v2 clients really called it (issue 14): the
date-time strings they sent, the paths they built and the names they used,
driven over HTTP through nginx."""

import base64
import datetime
import time
import urllib.parse

import pytest

from test_api_jobs import paused  # noqa: F401  (the scheduler-paused fixture)


def _policy(ams, permissions=1, minutes=60):
    return ams.create("AccessPolicies", {"Name": "p", "DurationInMinutes": minutes,
                                         "Permissions": permissions})


def _utc(minutes_from_now):
    return (datetime.datetime.now(datetime.timezone.utc)
            + datetime.timedelta(minutes=minutes_from_now)).replace(microsecond=0)


@pytest.mark.parametrize("fmt", [
    "%-m/%-d/%Y %I:%M:%S %p",     # azure-media: moment 'M/D/YYYY hh:mm:ss A'
    "%m/%d/%Y %I:%M:%S %p",       # azure-media: moment 'MM/DD/YYYY hh:mm:ss A'
    "%m/%d/%Y %H:%M:%S",          # .NET DateTime.ToString(InvariantCulture)
    "%a, %d %b %Y %H:%M:%S GMT",  # JavaScript toUTCString()
    "%Y-%m-%dT%H:%M:%SZ",
])
def test_locator_start_time_as_clients_wrote_it(ams, fmt):
    asset = ams.create("Assets", {"Name": "dates"})
    start = _utc(-10)
    r = ams.post("Locators", {"AccessPolicyId": _policy(ams, 2)["Id"], "AssetId": asset["Id"],
                              "Type": 1, "StartTime": start.strftime(fmt)})
    assert r.status == 201, r
    assert r.json["StartTime"] == start.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _asset_with_file(ams, name):
    asset = ams.create("Assets", {"Name": name})
    assert ams.put_blob(ams.write_locator(asset["Id"]), "a.mp4", b"\0" * 1000).status == 201
    assert ams.get("CreateFileInfos?assetid='%s'" % asset["Id"]).status == 204
    return asset


def test_expiration_date_time_and_verbose_ms_date(ams):
    asset = _asset_with_file(ams, "dates-verbose")
    body = ('{"AccessPolicyId":"%s","AssetId":"%s","Type":2,"StartTime":"\\/Date(%d+0100)\\/"}'
            % (_policy(ams)["Id"], asset["Id"], int(time.time() * 1000) - 60000))
    r = ams.call("POST", "Locators", body, fmt="verbose")
    assert r.status == 201, r
    key = ams.key(r.json["d"]["Id"])
    end = _utc(120).replace(second=0)
    r = ams.merge("Locators" + key, {"ExpirationDateTime": end.strftime("%-m/%-d/%Y %-I:%M %p")})
    assert r.status == 204, r
    got = ams.get("Locators" + key).json
    assert got["ExpirationDateTime"] == end.strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.mark.parametrize("text", ["yesterday", "13/7/2026 05:44:15 AM", "12/7/2026 13:00 PM",
                                  "2026-12-07T05:44:15Zjunk", "Tue, 07 Dec 2026 05:44:15 GMT"])
def test_garbage_date_is_a_clear_400(ams, text):
    asset = ams.create("Assets", {"Name": "bad-date"})
    r = ams.post("Locators", {"AccessPolicyId": _policy(ams)["Id"], "AssetId": asset["Id"],
                              "Type": 1, "StartTime": text})
    assert r.status == 400, r
    msg = r.error_message()
    assert "'StartTime' must be a date-time" in msg and "12/7/2026 5:44:15 AM" in msg
    assert text in msg


def test_empty_path_segments_collapse(ams):
    """azure-media joins base_url '…/api/' with '/CreateFileInfos'."""
    asset = ams.create("Assets", {"Name": "double-slash"})
    assert ams.put_blob(ams.write_locator(asset["Id"]), "a.mp4", b"\0" * 1000).status == 201
    r = ams.get(ams.api + "/CreateFileInfos?assetid='%s'" % asset["Id"])
    assert r.status == 204, r
    files = ams.values("Assets%s//Files" % ams.key(asset["Id"]))
    assert [f["Name"] for f in files] == ["a.mp4"]
    assert ams.get(ams.api + "//Assets" + ams.key(asset["Id"])).status == 200


def test_entity_set_and_function_names_in_any_case(ams):
    asset = ams.create("assets", {"Name": "lower-case"})
    assert asset["odata.metadata"].endswith("$metadata#Assets/@Element")
    got = ams.get("ASSETS" + ams.key(asset["Id"]))
    assert got.status == 200 and got.json["Name"] == "lower-case"
    names = {a["Id"] for a in ams.values("assets?$top=1000")}
    assert asset["Id"] in names
    assert ams.get("createfileinfos?assetid='%s'" % asset["Id"]).status == 204
    assert ams.get("Asset").status == 404


def test_api_prefix_in_any_case(ams):
    """azure-media's default base URL is https://media.windows.net/API/."""
    r = ams.get(ams.base + "/API/Assets?$top=1")
    assert r.status == 200 and "value" in r.json, r


# ---- RebindContentKey (the .NET SDK's ContentKey.GetClearKeyValue and
# GetEncryptedKeyValue(cert)): RSA-OAEP for the caller's certificate


def _content_key(ams, tmp_path, size=16, key_type=0):
    from test_api_content_keys import new_key
    body, key = new_key(ams, tmp_path, key_type=key_type, size=size)
    assert ams.post("ContentKeys", body).status == 201
    return body["Id"], key


def _client_cert(tmp_path, bits=2048):
    """A client's own certificate and private key, made with the openssl CLI."""
    from test_api_content_keys import openssl
    key, der = tmp_path / ("client%d.key" % bits), tmp_path / ("client%d.der" % bits)
    openssl("req", "-x509", "-newkey", "rsa:%d" % bits, "-nodes", "-keyout", str(key),
            "-outform", "der", "-out", str(der), "-days", "2", "-subj", "/CN=rebind client")
    return base64.b64encode(der.read_bytes()).decode(), key


def _rebind(ams, key_id, cert, **kw):
    return ams.get("RebindContentKey?id='%s'&x509Certificate='%s'"
                   % (urllib.parse.quote(key_id), urllib.parse.quote(cert, safe="")), **kw)


def test_rebind_content_key_clear(ams, tmp_path):
    key_id, key = _content_key(ams, tmp_path)
    r = _rebind(ams, key_id, "")
    assert r.status == 200, r
    assert r.json["odata.metadata"].endswith("$metadata#Edm.String")
    assert base64.b64decode(r.json["value"]) == key
    r = _rebind(ams, key_id, "", fmt="verbose")
    assert base64.b64decode(r.json["d"]["RebindContentKey"]) == key
    storage_id, storage_key = _content_key(ams, tmp_path, size=32, key_type=1)
    assert base64.b64decode(_rebind(ams, storage_id, "").json["value"]) == storage_key


def test_rebind_content_key_for_a_certificate(ams, tmp_path):
    from test_api_content_keys import openssl
    key_id, key = _content_key(ams, tmp_path)
    cert, private = _client_cert(tmp_path)
    r = _rebind(ams, key_id, cert)
    assert r.status == 200, r
    wrapped = base64.b64decode(r.json["value"])
    assert len(wrapped) == 256 and key not in wrapped
    plain = openssl("pkeyutl", "-decrypt", "-inkey", str(private),
                    "-pkeyopt", "rsa_padding_mode:oaep", data=wrapped)
    assert plain == key
    # a '+' the client did not encode arrives as a blank: still the certificate
    r = ams.get("RebindContentKey?id='%s'&x509Certificate='%s'"
                % (urllib.parse.quote(key_id), cert.replace("+", "%20").replace("/", "%2F")))
    assert r.status == 200, r


@pytest.mark.parametrize("cert,code", [("bm90IGEgY2VydA==", 400), ("!!!", 400)])
def test_rebind_content_key_errors(ams, tmp_path, cert, code):
    key_id, _ = _content_key(ams, tmp_path)
    r = _rebind(ams, key_id, cert)
    assert r.status == code and "x509Certificate must be the base64 DER" in r.error_message(), r
    r = ams.get("RebindContentKey?id='%s'" % urllib.parse.quote(key_id))
    assert r.status == 400 and "x509Certificate" in r.error_message()
    r = _rebind(ams, "nb:kid:UUID:00000000-0000-0000-0000-000000000000", "")
    assert r.status == 404
    assert ams.get("RebindContentKey?x509Certificate=''").status == 400


# ---- "Azure Media Encoder": AMS-era preset names run as MES presets

AME_ID = "nb:mpid:UUID:1b1da727-93ae-4e46-a8a1-268828765609"
WAME_ID = "nb:mpid:UUID:70bdc2c3-ebf4-42a9-8542-5afc1e55d217"
AME_PRESETS = [
    "H264 Adaptive Bitrate MP4 Set 1080p", "H264 Adaptive Bitrate MP4 Set 720p",
    "H264 Adaptive Bitrate MP4 Set SD 16x9", "H264 Adaptive Bitrate MP4 Set 720p for iOS Cellular Only",
    "H264 Smooth Streaming 1080p", "H264 Smooth Streaming 720p", "H264 Smooth Streaming SD 16x9",
    "H264 Smooth Streaming 720p for 3G or 4G", "H264 Broadband 1080p", "H264 Broadband 720p",
    "H264 Broadband SD 16x9", "H.264 HD 720p VBR", "AAC Good Quality Audio", "AAC Audio",
]


def _ame_job(ams, asset_id, preset, processor=AME_ID):
    return ams.post("Jobs", {
        "Name": "ame", "InputMediaAssets": [{"__metadata": {"uri": ams.api + "Assets"
                                                            + ams.key(asset_id)}}],
        "Tasks": [{"Configuration": preset, "MediaProcessorId": processor,
                   "TaskBody": "<?xml version=\"1.0\" encoding=\"utf-8\"?><taskBody><inputAsset>"
                               "JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)"
                               "</outputAsset></taskBody>"}]})


def test_azure_media_encoder_is_listed(ams):
    by_id = {m["Id"]: m for m in ams.values("MediaProcessors")}
    assert by_id[AME_ID]["Name"] == "Azure Media Encoder"
    assert by_id[WAME_ID]["Name"] == "Windows Azure Media Encoder"
    # azure-media's getCurrentByName: $top=1, Name eq, $orderby=Version desc
    q = urllib.parse.quote("Name eq 'Windows Azure Media Encoder'")
    rows = ams.values("MediaProcessors?$top=1&$filter=%s&$orderby=Version%%20desc" % q)
    assert [r["Id"] for r in rows] == [WAME_ID]


def test_every_mapped_ame_preset_is_accepted(paused):
    ams = paused
    src = ams.upload_asset("ame-src", {"clip.mp4": b"not really a movie"})
    for i, preset in enumerate(AME_PRESETS):
        r = _ame_job(ams, src["Id"], preset, AME_ID if i % 2 else WAME_ID)
        assert r.status == 201, (preset, r)
        task = ams.values("Jobs%s/Tasks" % ams.key(r.json["Id"]))[0]
        assert task["Configuration"] == preset          # kept as the client sent it
        assert ams.get("CancelJob?jobid='%s'" % r.json["Id"]).status == 204


@pytest.mark.parametrize("preset", ["VC1 Smooth Streaming 720p", "H264 Multiple Bitrate 720p",
                                    "<Preset Version=\"4.0\"/>", ""])
def test_unmapped_ame_preset_is_a_clear_400(paused, preset):
    ams = paused
    src = ams.upload_asset("ame-bad", {"clip.mp4": b"not really a movie"})
    r = _ame_job(ams, src["Id"], preset)
    assert r.status == 400, r
    msg = r.error_message()
    assert "Azure Media Encoder" in msg
    if preset:
        assert "'H264 Broadband 720p'" in msg and "Media Encoder Standard" in msg


def test_windows_azure_media_encoder_broadband_720p_runs(ams, tmp_path):
    """What azure-media's encodeVideo sends: 'Windows Azure Media Encoder' +
    'H264 Broadband 720p' → MES 'H264 Single Bitrate 720p': one 1280x720 video."""
    import subprocess
    clip = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=320x180:rate=30:duration=2", "-f", "lavfi", "-i",
                    "sine=frequency=440:sample_rate=48000:duration=2", "-c:v", "libx264",
                    "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    str(clip)], check=True, timeout=120)
    src = ams.upload_asset("wame-src", {"clip.mp4": clip.read_bytes()})
    r = _ame_job(ams, src["Id"], "H264 Broadband 720p", WAME_ID)
    assert r.status == 201, r
    job = ams.wait_job(r.json["Id"], timeout=600)
    assert job["State"] == 3, job
    out = ams.values("Jobs%s/OutputMediaAssets" % ams.key(job["Id"]))[0]
    names = [f["Name"] for f in ams.values("Assets%s/Files" % ams.key(out["Id"]))]
    videos = [n for n in names if n.endswith(".mp4") and "AACAudio" not in n]
    assert videos == ["clip_1280x720_4500.mp4"], names


# ---- progressive download through a SAS (Type 1) read locator: Range, HEAD


def _read_locator(ams, data, name="movie.mp4"):
    asset = ams.create("Assets", {"Name": "sas-download"})
    assert ams.put_blob(ams.write_locator(asset["Id"]), name, data).status == 201
    assert ams.get("CreateFileInfos?assetid='%s'" % asset["Id"]).status == 204
    return ams.create("Locators", {"AccessPolicyId": _policy(ams, 1)["Id"],
                                   "AssetId": asset["Id"], "Type": 1})


def test_sas_download_range_and_head(ams):
    data = bytes(range(256)) * 4000                      # 1,024,000 bytes
    loc = _read_locator(ams, data)
    url = ams.blob_url(loc, "movie.mp4")
    full = ams.http("GET", url)
    assert full.status == 200 and full.body == data
    assert full.headers["Accept-Ranges"] == "bytes"
    assert full.headers["Content-Type"] == "video/mp4"
    r = ams.http("GET", url, headers={"Range": "bytes=1000-1999"})
    assert r.status == 206 and r.body == data[1000:2000]
    assert r.headers["Content-Range"] == "bytes 1000-1999/%d" % len(data)
    assert r.headers["Content-Length"] == "1000"
    r = ams.http("GET", url, headers={"Range": "bytes=1023000-"})
    assert r.status == 206 and r.body == data[1023000:]
    r = ams.http("GET", url, headers={"Range": "bytes=-24"})
    assert r.status == 206 and r.body == data[-24:]
    # Azure's own header wins over Range
    r = ams.http("GET", url, headers={"x-ms-range": "bytes=0-9", "Range": "bytes=10-19"})
    assert r.status == 206 and r.body == data[:10]
    r = ams.http("GET", url, headers={"Range": "bytes=%d-" % len(data)})
    assert r.status == 416 and r.headers["Content-Range"] == "bytes */%d" % len(data)
    assert b"InvalidRange" in r.body
    # several ranges: the whole blob (allowed by RFC 9110)
    r = ams.http("GET", url, headers={"Range": "bytes=0-1,5-6"})
    assert r.status == 200 and r.body == data
    head = ams.http("HEAD", url)
    assert head.status == 200 and head.body == b""
    assert head.headers["Content-Length"] == str(len(data))
    assert head.headers["Content-Type"] == "video/mp4" and head.headers["ETag"]
    head = ams.http("HEAD", url, headers={"Range": "bytes=0-99"})
    assert head.status == 206 and head.headers["Content-Length"] == "100"


def test_sas_download_played_by_ffmpeg_with_seeks(ams, tmp_path):
    """ffmpeg reads an MP4 over HTTP with ranged requests (moov at the end)."""
    import subprocess
    clip = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=320x180:rate=30:duration=3", "-c:v", "libx264", "-preset",
                    "ultrafast", "-pix_fmt", "yuv420p", str(clip)], check=True, timeout=120)
    loc = _read_locator(ams, clip.read_bytes(), "clip.mp4")
    r = subprocess.run(["ffmpeg", "-v", "error", "-ss", "1.5", "-i",
                        ams.blob_url(loc, "clip.mp4"), "-f", "null", "-"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]


# ---- StorageAccounts: the installation's one account, read-only


def test_storage_accounts(ams):
    rows = ams.values("StorageAccounts")
    assert len(rows) == 1, rows
    acct = rows[0]
    assert acct["IsDefault"] is True and acct["BytesUsed"] is None
    name = acct["Name"]
    one = ams.get("StorageAccounts('%s')" % name)
    assert one.status == 200 and one.json["Name"] == name
    v = ams.get("StorageAccounts('%s')" % name, fmt="verbose").json["d"]
    assert v["__metadata"]["type"] == "Microsoft.Cloud.Media.Vod.Rest.Data.Models.StorageAccount"
    assert v["__metadata"]["uri"].endswith("StorageAccounts('%s')" % name)
    asset = ams.create("Assets", {"Name": "in-account"})
    assert asset["StorageAccountName"] == name
    ref = ams.get("Assets%s/StorageAccount" % ams.key(asset["Id"]))
    assert ref.status == 200 and ref.json["Name"] == name, ref
    assert ams.post("StorageAccounts", {"Name": "other"}).status == 405
    assert ams.delete("StorageAccounts('%s')" % name).status == 405
    assert ams.get("StorageAccounts('nope')").status == 404
    meta = ams.get("$metadata").body.decode()
    assert 'EntitySet Name="StorageAccounts"' in meta and 'EntityType Name="StorageAccount"' in meta
