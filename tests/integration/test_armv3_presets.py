"""v3 StandardEncoderPreset JSON and input clips through the ARM API: a
transform with H.264 layers (pixels and percentages, labels, buffer window),
AAC and JPEG thumbnails runs as a job on a clipped JobInputAsset; the origin
streams the result over HLS and DASH (ffprobe sees the requested layer sizes),
the MP4s have the requested bitrates and the clip's length, the thumbnails
exist; fields the encoder cannot honour are refused naming the field."""

import uuid

import pytest

from clients import decode_ok, input_opts
from encode_checks import make_clip, video_bitrate_kbps
from media import ffprobe_json

STANDARD = "#Microsoft.Media.StandardEncoderPreset"
API = "2022-07-01"


def jreq(arm, method, rel, body=None):
    return arm.req(method, rel, body, api_version=API)


def preset(**over):
    p = {"@odata.type": STANDARD,
         "codecs": [
             {"@odata.type": "#Microsoft.Media.H264Video", "keyFrameInterval": "PT2S",
              "complexity": "Speed", "layers": [
                  {"bitrate": 900000, "maxBitrate": 1200000, "width": "854", "height": "480",
                   "label": "hd", "bufferWindow": "PT4S", "profile": "High"},
                  {"bitrate": 400000, "width": "50%", "height": "50%", "label": "sd"}]},
             {"@odata.type": "#Microsoft.Media.AacAudio", "channels": 2, "samplingRate": 48000,
              "bitrate": 96000, "profile": "AacLc", "label": "aud"},
             {"@odata.type": "#Microsoft.Media.JpgImage", "start": "PT1S", "step": "PT2S",
              "range": "PT5S", "layers": [{"width": "320", "height": "180", "quality": 80}]}],
         "formats": [
             {"@odata.type": "#Microsoft.Media.Mp4Format",
              "filenamePattern": "Video-{Basename}-{Label}-{Bitrate}{Extension}"},
             {"@odata.type": "#Microsoft.Media.JpgFormat",
              "filenamePattern": "Thumb-{Basename}-{Index}{Extension}"}]}
    p.update(over)
    return p


def put_transform(arm, name, p):
    return jreq(arm, "PUT", "transforms/" + name, {"properties": {"outputs": [{"preset": p}]}})


@pytest.fixture(scope="module")
def clip10(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("v3clip") / "v3src.mp4", "1280x720", 10)


def wait_final(arm, t, j, timeout=400):
    return arm.wait_job(t, j, timeout)


def container_dir(platform, arm, asset):
    status, _, body = arm.req("GET", "assets/" + asset)
    assert status == 200, body
    return platform.daemon.data_dir / "media" / body["properties"]["container"]


def test_standard_preset_job_streams_with_the_requested_layers(platform, arm, clip10):
    run = uuid.uuid4().hex[:6]
    t = "std-" + run
    status, _, body = put_transform(arm, t, preset())
    assert status == 201, body
    assert body["properties"]["outputs"][0]["preset"]["codecs"][0]["layers"][1]["width"] == "50%"
    arm.upload_asset("stdin-" + run, {"v3src.mp4": clip10.read_bytes()})
    arm.req("PUT", "assets/stdout-" + run, {"properties": {}})
    status, _, job = jreq(arm, "PUT", "transforms/%s/jobs/j-%s" % (t, run), {"properties": {
        "input": {"@odata.type": "#Microsoft.Media.JobInputAsset", "assetName": "stdin-" + run,
                  "start": {"@odata.type": "#Microsoft.Media.AbsoluteClipTime", "time": "PT2S"},
                  "end": {"@odata.type": "#Microsoft.Media.AbsoluteClipTime", "time": "PT8S"}},
        "outputs": [{"@odata.type": "#Microsoft.Media.JobOutputAsset",
                     "assetName": "stdout-" + run}]}})
    assert status == 201, job
    assert job["properties"]["input"]["start"]["time"] == "PT2S"
    job = wait_final(arm, t, "j-" + run)
    assert job["properties"]["state"] == "Finished", job

    out = container_dir(platform, arm, "stdout-" + run)
    names = sorted(p.name for p in out.iterdir())
    hd, sd = out / "Video-v3src-hd-900.mp4", out / "Video-v3src-sd-400.mp4"
    assert hd.exists() and sd.exists(), names
    thumbs = [n for n in names if n.startswith("Thumb-v3src-") and n.endswith(".jpg")]
    assert len(thumbs) >= 2, names
    info = ffprobe_json(out / thumbs[0])["streams"][0]
    assert (info["width"], info["height"]) == (320, 180)
    for path, size, kbps in ((hd, (854, 480), 900), (sd, (640, 360), 400)):
        probe = ffprobe_json(path)
        v = [s for s in probe["streams"] if s["codec_type"] == "video"][0]
        assert (v["width"], v["height"]) == size, (path.name, v)
        assert v["profile"] == "High"
        assert 5.5 <= float(probe["format"]["duration"]) <= 6.5, probe["format"]   # the clip
        assert 0.6 * kbps <= video_bitrate_kbps(path) <= 1.4 * kbps, path.name
    audio = [n for n in names if n.endswith(".mp4") and "aud" in n]
    assert audio, names
    a = ffprobe_json(out / audio[0])["streams"][0]
    assert a["codec_name"] == "aac" and int(a["sample_rate"]) == 48000 and a["channels"] == 2

    loc = "stdloc-" + run
    status, _, body = arm.req("PUT", "streamingLocators/" + loc, {"properties": {
        "assetName": "stdout-" + run, "streamingPolicyName": "Predefined_ClearStreamingOnly"}})
    assert status == 201, body
    status, _, paths = arm.req("POST", "streamingLocators/%s/listPaths" % loc)
    assert status == 200, paths
    by_proto = {p["streamingProtocol"]: p["paths"] for p in paths["streamingPaths"]}
    for proto, fmt in (("Hls", "m3u8-aapl"), ("Dash", "mpd-time-csf")):
        url = platform.origin.base + by_proto[proto][0]
        sizes = {(s.get("width"), s.get("height"))
                 for s in ffprobe_json(url, extra=input_opts(fmt))["streams"]
                 if s["codec_type"] == "video"}
        assert sizes == {(854, 480), (640, 360)}, (proto, sizes)
        r = decode_ok(url, fmt)
        assert r.returncode == 0, (proto, r.stderr[-2000:])


@pytest.mark.parametrize("change, field", [
    (lambda p: p["codecs"][0]["layers"][0].update(slices=4), "layers[0].slices"),
    (lambda p: p["codecs"][0]["layers"][0].update(profile="Baseline"), "layers[0].profile"),
    (lambda p: p["codecs"][0]["layers"][0].update(referenceFrames=3), "layers[0].referenceFrames"),
    (lambda p: p["codecs"][0]["layers"][0].update(width="wide"), "layers[0].width"),
    (lambda p: p["codecs"][0]["layers"][0].pop("bitrate"), "layers[0].bitrate"),
    (lambda p: p["codecs"][0].update(sceneChangeDetection=True), "codecs[0].sceneChangeDetection"),
    (lambda p: p["codecs"][0].update(keyFrameInterval="PT30S"), "codecs[0].keyFrameInterval"),
    (lambda p: p["codecs"][1].update(profile="HeAacV1"), "codecs[1].profile"),
    (lambda p: p["codecs"].append({"@odata.type": "#Microsoft.Media.DDAudio"}), "codecs[3].@odata.type"),
    (lambda p: p.update(filters={"rotation": "Rotate90"}), "preset.filters"),
    (lambda p: p.update(experimentalOptions={"a": "b"}), "preset.experimentalOptions"),
    (lambda p: p["formats"].append({"@odata.type": "#Microsoft.Media.TransportStreamFormat",
                                    "filenamePattern": "{Basename}{Extension}"}), "formats[2].@odata.type"),
    (lambda p: p["formats"][0].update(filenamePattern="{Basename}{Frame}.mp4"), "formats[0].filenamePattern"),
    (lambda p: p["formats"][0].update(outputFiles=[{"labels": ["hd", "aud"]}]), "formats[0].outputFiles[0]"),
    (lambda p: p["formats"][0].update(outputFiles=[{"labels": ["nosuch"]}]), "formats[0].outputFiles[0]"),
    (lambda p: p.update(formats=[p["formats"][1]]), "preset.formats"),
])
def test_standard_preset_refusals_name_the_field(arm, change, field):
    p = preset()
    change(p)
    status, _, body = put_transform(arm, "bad-" + uuid.uuid4().hex[:6], p)
    assert status == 400, body
    assert field in body["error"]["message"], body


def test_output_files_with_one_label_each_and_h265(arm):
    p = preset()
    p["formats"][0]["outputFiles"] = [{"labels": ["hd"]}, {"labels": ["sd"]}, {"labels": ["aud"]}]
    status, _, body = put_transform(arm, "of-" + uuid.uuid4().hex[:6], p)
    assert status == 201, body
    p = preset()
    p["codecs"][0]["@odata.type"] = "#Microsoft.Media.H265Video"
    p["codecs"][0]["layers"][0]["profile"] = "Main"
    status, _, body = put_transform(arm, "h265-" + uuid.uuid4().hex[:6], p)
    assert status == 201, body


def test_clip_refusals(arm):
    run = uuid.uuid4().hex[:6]
    t = "clipbad-" + run
    assert put_transform(arm, t, preset())[0] == 201
    arm.req("PUT", "assets/cin-" + run, {"properties": {}})
    arm.req("PUT", "assets/cout-" + run, {"properties": {}})

    def job(inp):
        return jreq(arm, "PUT", "transforms/%s/jobs/j%s" % (t, uuid.uuid4().hex[:6]), {
            "properties": {"input": inp, "outputs": [
                {"@odata.type": "#Microsoft.Media.JobOutputAsset", "assetName": "cout-" + run}]}})

    base = {"@odata.type": "#Microsoft.Media.JobInputAsset", "assetName": "cin-" + run}
    utc = dict(base, start={"@odata.type": "#Microsoft.Media.UtcClipTime",
                            "time": "2026-01-01T00:00:00Z"})
    status, _, body = job(utc)
    assert status == 400 and body["error"]["code"] == "NotSupported", body
    assert "UtcClipTime" in body["error"]["message"]
    backwards = dict(base, start={"@odata.type": "#Microsoft.Media.AbsoluteClipTime", "time": "PT9S"},
                     end={"@odata.type": "#Microsoft.Media.AbsoluteClipTime", "time": "PT3S"})
    status, _, body = job(backwards)
    assert status == 400 and "end must be after start" in body["error"]["message"], body
    bad_time = dict(base, start={"@odata.type": "#Microsoft.Media.AbsoluteClipTime", "time": "10s"})
    status, _, body = job(bad_time)
    assert status == 400 and "ISO-8601" in body["error"]["message"], body
    too_far = dict(base, end={"@odata.type": "#Microsoft.Media.AbsoluteClipTime", "time": "P11D"})
    status, _, body = job(too_far)
    assert status == 400, body
    status, _, body = job(dict(base, inputDefinitions=[]))
    assert status == 400 and "inputDefinitions" in body["error"]["message"], body
    status, _, body = job({"@odata.type": "#Microsoft.Media.JobInputSequence", "inputs": []})
    assert status == 400 and body["error"]["code"] == "NotSupported", body
    status, _, body = job({"@odata.type": "#Microsoft.Media.JobInputs", "inputs": [base, base]})
    assert status == 400 and body["error"]["code"] == "NotSupported", body
    status, _, body = job({"@odata.type": "#Microsoft.Media.JobInputs", "inputs": [base] * 9})
    assert status == 400, body
    status, _, body = job(dict(base, files=["a/b.mp4"]))
    assert status == 400 and "files[0]" in body["error"]["message"], body


def test_job_input_asset_files_pick_the_input(platform, arm, clip10, tmp_path):
    """files on a JobInputAsset: only the named file is encoded (the other,
    not a video, would fail the job); a name the asset lacks fails the job."""
    run = uuid.uuid4().hex[:6]
    t = "files-" + run
    small = preset(codecs=[{"@odata.type": "#Microsoft.Media.H264Video", "layers": [
        {"bitrate": 300000, "width": "320", "height": "180"}]}],
        formats=[{"@odata.type": "#Microsoft.Media.Mp4Format",
                  "filenamePattern": "{Basename}_{Bitrate}{Extension}"}])
    assert put_transform(arm, t, small)[0] == 201
    arm.upload_asset("fin-" + run, {"v3src.mp4": clip10.read_bytes(), "aaa.mp4": b"junk" * 500})
    for out in ("fout-", "fout2-"):
        arm.req("PUT", "assets/%s%s" % (out, run), {"properties": {}})
    inp = {"@odata.type": "#Microsoft.Media.JobInputAsset", "assetName": "fin-" + run,
           "files": ["v3src.mp4"],
           "end": {"@odata.type": "#Microsoft.Media.AbsoluteClipTime", "time": "PT3S"}}
    status, _, job = jreq(arm, "PUT", "transforms/%s/jobs/ok-%s" % (t, run), {"properties": {
        "input": inp, "outputs": [{"@odata.type": "#Microsoft.Media.JobOutputAsset",
                                   "assetName": "fout-" + run}]}})
    assert status == 201, job
    status, _, job2 = jreq(arm, "PUT", "transforms/%s/jobs/missing-%s" % (t, run), {"properties": {
        "input": dict(inp, files=["nosuch.mp4"]), "outputs": [
            {"@odata.type": "#Microsoft.Media.JobOutputAsset", "assetName": "fout2-" + run}]}})
    assert status == 201, job2
    job = wait_final(arm, t, "ok-" + run)
    assert job["properties"]["state"] == "Finished", job
    out = container_dir(platform, arm, "fout-" + run) / "v3src_300.mp4"
    assert 2.5 <= float(ffprobe_json(out)["format"]["duration"]) <= 3.5
    job2 = wait_final(arm, t, "missing-" + run)
    assert job2["properties"]["state"] == "Error", job2
    assert "nosuch.mp4" in job2["properties"]["outputs"][0]["error"]["message"], job2


def test_h265_and_png_preset_job(platform, arm, clip10):
    """H265Video layers and PngImage thumbnails on a built clip's first 2 s."""
    run = uuid.uuid4().hex[:6]
    t = "h265job-" + run
    p = {"@odata.type": STANDARD,
         "codecs": [{"@odata.type": "#Microsoft.Media.H265Video", "complexity": "Speed",
                     "keyFrameInterval": "PT1S",
                     "layers": [{"bitrate": 300000, "width": "480", "height": "270",
                                 "label": "small", "profile": "Main"}]},
                    {"@odata.type": "#Microsoft.Media.PngImage", "start": "50%",
                     "layers": [{"width": "160", "height": "90"}]}],
         "formats": [{"@odata.type": "#Microsoft.Media.Mp4Format",
                      "filenamePattern": "{Basename}-{Codec}-{Resolution}{Extension}"},
                     {"@odata.type": "#Microsoft.Media.PngFormat",
                      "filenamePattern": "{Basename}-{Codec}-{Index}{Extension}"}]}
    assert put_transform(arm, t, p)[0] == 201
    arm.upload_asset("h5in-" + run, {"v3src.mp4": clip10.read_bytes()})
    arm.req("PUT", "assets/h5out-" + run, {"properties": {}})
    status, _, job = jreq(arm, "PUT", "transforms/%s/jobs/j" % t, {"properties": {
        "input": {"@odata.type": "#Microsoft.Media.JobInputAsset", "assetName": "h5in-" + run,
                  "end": {"@odata.type": "#Microsoft.Media.AbsoluteClipTime", "time": "PT2S"}},
        "outputs": [{"@odata.type": "#Microsoft.Media.JobOutputAsset",
                     "assetName": "h5out-" + run}]}})
    assert status == 201, job
    job = wait_final(arm, t, "j")
    assert job["properties"]["state"] == "Finished", job
    out = container_dir(platform, arm, "h5out-" + run)
    names = sorted(x.name for x in out.iterdir())
    assert "v3src-H265-480x270.mp4" in names, names
    v = ffprobe_json(out / "v3src-H265-480x270.mp4")["streams"][0]
    assert v["codec_name"] == "hevc" and (v["width"], v["height"]) == (480, 270), v
    pngs = [n for n in names if n.startswith("v3src-PngImage-") and n.endswith(".png")]
    assert len(pngs) == 1, names
    img = ffprobe_json(out / pngs[0])["streams"][0]
    assert (img["codec_name"], img["width"], img["height"]) == ("png", 160, 90)
