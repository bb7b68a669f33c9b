"""Every named Media Encoder Standard preset end to end through the API.

One 20 s 1920x1080 30 fps clip with audio (testsrc2 + temporal noise, so the
bitrates are realistic; sine audio) is uploaded once through the API (SAS
locator + CreateFileInfos); the module fixture submits one job per preset at
once, so the scheduler (CurrentReservedUnits 1: one job at a time) encodes
while earlier presets' outputs are checked.  Per preset:

  * the job reaches Finished; the output asset's Files rows are exactly the
    expected layers + AAC + .ism (primary) + .ismc, and match the disk;
  * video layers (sizes and bitrates from the preset; "Adaptive Streaming":
    the ladder the content-aware analysis chose, checked against its rules
    in content_aware_ladder()): H.264 at the
    layer's size, key frames every 2 s at the same times in every layer
    (ffprobe), bitrate within 20 % of the target, duration within one frame
    of the source's; the .ism lists them with their bitrates;
  * the quality report (<name>_quality.json, one entry per layer, summarised
    in the task's PerfMessage);
  * audio: AAC-LC stereo 48 kHz, bitrate within 20 % of 128 kbps, duration
    within 50 ms of the source's;
  * published with an origin locator, the output plays as HLS (m3u8-aapl)
    and DASH (mpd-time-csf) through ffmpeg (-xerror, every frame) and as
    Smooth through GStreamer playbin3 (ffmpeg has no Smooth demuxer).

The encodes run at Speed (x264 veryfast): the harness sets the daemon's
encoder_complexity, as an operator would."""

import json
import re
import urllib.parse
import xml.etree.ElementTree as ET

import pytest

from clients import gst_play, have_gst, manifest_suffix
from encode_checks import (FPS, check_quality_report, decode_stats, expected_key_times,
                           key_times, probe, stream, video_bitrate_kbps)
from platform_harness import ENCODER

BASENAME = "presets1080"      # the uploaded file's name without extension
AUDIO_KBPS = 128
TOLERANCE = 0.20              # bitrates within 20 % of target
GOP = 2.0

# the ladders of the AMS reference (section 5): (width, height, kbps)
LADDERS = {
    "H264 Multiple Bitrate 1080p": [(1920, 1080, 6000), (1920, 1080, 4700), (1280, 720, 3400),
                                    (960, 540, 2250), (960, 540, 1500), (640, 360, 1000),
                                    (640, 360, 650), (320, 180, 400)],
    "H264 Multiple Bitrate 720p": [(1280, 720, 3400), (960, 540, 2250), (960, 540, 1500),
                                   (640, 360, 1000), (640, 360, 650), (320, 180, 400)],
    "H264 Multiple Bitrate 16x9 SD": [(848, 480, 1900), (848, 480, 1300), (640, 360, 900),
                                      (640, 360, 650), (432, 240, 400)],
    "H264 Single Bitrate 720p": [(1280, 720, 4500)],
    "AAC Good Quality Audio": [],
    "Adaptive Streaming": None,            # content-aware: content_aware_ladder()
}
PRESETS = list(LADDERS)
FINAL = {3, 4, 5}
# "Adaptive Streaming" is content-aware: its ladder comes from the analysis.
# What must hold (README, Encoder): the top rung is the input's size, every
# rung within 200 kbps .. the fixed ladders' bits for the top size (6250
# kbps at 1080p) and never above the input's bitrate, heights never grow,
# neighbouring rungs at least 1.7x apart in bits, at most 6 rungs.
CAE_MIN_KBPS, CAE_MAX_KBPS_1080P, CAE_MAX_LAYERS = 200, 6250, 6
LAYER_RE = re.compile(r"_(\d+)x(\d+)_(\d+)\.mp4$")


def content_aware_ladder(container, source) -> list:
    """The ladder the encoder chose, from the .ism, checked against the rules."""
    root = ET.parse(container / (BASENAME + ".ism")).getroot()
    ns = {"s": "http://www.w3.org/2001/SMIL20/Language"}
    rungs = []
    for v in root.findall(".//s:video", ns):
        m = LAYER_RE.search(v.get("src"))
        assert m, v.get("src")
        rungs.append(tuple(int(x) for x in m.groups()))
    assert 1 <= len(rungs) <= CAE_MAX_LAYERS, rungs
    assert rungs[0][:2] == (source["width"], source["height"]), rungs
    for i, (w, h, kbps) in enumerate(rungs):
        assert CAE_MIN_KBPS <= kbps <= min(CAE_MAX_KBPS_1080P, source["video_kbps"]), rungs
        if i:
            assert h <= rungs[i - 1][1] and rungs[i - 1][2] >= 1.7 * kbps, rungs
    return rungs


def layer_name(w: int, h: int, kbps: int) -> str:
    return "%s_%dx%d_%d.mp4" % (BASENAME, w, h, kbps)


def audio_name() -> str:
    return "%s_AACAudio_%d.mp4" % (BASENAME, AUDIO_KBPS)


# ------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def source(hd_clip):
    info = probe(hd_clip)
    v, a = stream(info, "video"), stream(info, "audio")
    return {"path": hd_clip, "width": v["width"], "height": v["height"],
            "video_duration": float(v["duration"]), "audio_duration": float(a["duration"]),
            "frames": int(v["nb_frames"]), "video_kbps": int(v["bit_rate"]) // 1000}


@pytest.fixture(scope="module")
def ladders(source, finished):
    """ladders[preset] -> [(w, h, kbps)]; the content-aware one is read from
    the finished job's output (and checked) on first use."""
    class Ladders(dict):
        def __missing__(self, preset):
            self[preset] = content_aware_ladder(finished(preset)["dir"], source)
            return self[preset]
    return Ladders((k, v) for k, v in LADDERS.items() if v is not None)


@pytest.fixture(scope="module")
def jobs(platform, source):
    """Upload the clip once and submit every preset at once (in test order)."""
    if not ENCODER.exists():
        pytest.fail("%s missing: run ./build.sh build" % ENCODER)
    ams = platform.client()
    ru = ams.values("EncodingReservedUnitTypes")[0]
    key = "EncodingReservedUnitTypes(guid'%s')" % ru["AccountId"]
    assert ams.merge(key, {"CurrentReservedUnits": 1}).status == 204
    src = ams.upload_asset("presets-source", {source["path"].name: source["path"]})
    ids = {}
    for i, preset in enumerate(PRESETS):
        ids[preset] = ams.submit_job(src["Id"], preset, name=preset,
                                     output_name="preset-%d" % i)["Id"]
    yield ids
    ams = platform.client() if platform.daemon.running else None
    for job_id in ids.values():               # a failed test leaves nothing running
        if ams is not None and ams.entity("Jobs", job_id).json["State"] not in FINAL:
            ams.get("CancelJob?jobid=%s" % urllib.parse.quote("'%s'" % job_id))


@pytest.fixture(scope="module")
def finished(platform, jobs):
    """finished(preset) -> the job's task, output asset, Files rows and
    container directory, once the job is Finished (waited for once)."""
    cache = {}

    def get(preset):
        if preset not in cache:
            ams = platform.client()
            job = ams.wait_job(jobs[preset], timeout=900)
            tasks = ams.values("Jobs%s/Tasks" % ams.key(job["Id"]))
            assert job["State"] == 3, (preset, job["State"],
                                       [(t["State"], t["ErrorDetails"]) for t in tasks])
            out = ams.values("Jobs%s/OutputMediaAssets" % ams.key(job["Id"]))
            assert len(tasks) == 1 and len(out) == 1, (tasks, out)
            files = ams.values("Assets%s/Files" % ams.key(out[0]["Id"]))
            container = platform.daemon.data_dir / "media" / ("asset-" + out[0]["Id"].split(":")[-1])
            cache[preset] = {"task": tasks[0], "asset": out[0], "files": files,
                             "dir": container}
        return cache[preset]
    return get


# ------------------------------------------------------------ tests


@pytest.mark.parametrize("preset", PRESETS)
def test_job_finishes_with_registered_outputs(preset, finished, ladders):
    r = finished(preset)
    t = r["task"]
    assert t["State"] == 3 and t["Progress"] == 100 and t["ErrorDetails"] == []
    layers = ladders[preset]
    if layers:
        assert ", %d layers + AAC" % len(layers) in t["PerfMessage"], t["PerfMessage"]
    else:
        assert "of audio" in t["PerfMessage"], t["PerfMessage"]
    want = {layer_name(*l) for l in layers} | {audio_name(), BASENAME + ".ism",
                                               BASENAME + ".ismc"}
    if layers:
        want.add(BASENAME + "_quality.json")        # the quality report
        assert "PSNR-Y/SSIM-Y per layer: " in t["PerfMessage"], t["PerfMessage"]
    names = sorted(f["Name"] for f in r["files"])
    assert names == sorted(want)
    assert [f["Name"] for f in r["files"] if f["IsPrimary"]] == [BASENAME + ".ism"]
    on_disk = {p.name: p.stat().st_size for p in r["dir"].iterdir()}
    assert on_disk == {f["Name"]: int(f["ContentFileSize"]) for f in r["files"]}
    assert all(f["MimeType"] == "video/mp4" for f in r["files"] if f["Name"].endswith(".mp4"))
    if layers:
        check_quality_report(r["dir"], BASENAME, [layer_name(*l) for l in layers],
                             r["dir"], independent=0)


@pytest.mark.parametrize("preset", PRESETS)
def test_video_layers(preset, finished, ladders, source):
    layers = ladders[preset]
    if not layers:
        pytest.skip("%s is audio only: no video layers (sizes, key frames, bitrates)" % preset)
    r = finished(preset)
    want_keys = expected_key_times(source["video_duration"], GOP)
    assert len(want_keys) >= 10          # the clip is ~20 s: the check has teeth
    errors = []
    for w, h, kbps in layers:
        path = r["dir"] / layer_name(w, h, kbps)
        info = probe(path)
        assert [s["codec_type"] for s in info["streams"]] == ["video"], path.name
        v = stream(info, "video")
        assert (v["codec_name"], v["width"], v["height"]) == ("h264", w, h), path.name
        duration = float(v["duration"])
        if abs(duration - source["video_duration"]) > 1.0 / FPS + 1e-6:
            errors.append("%s: duration %.3f s, source %.3f s"
                          % (path.name, duration, source["video_duration"]))
        keys = key_times(path)
        if keys != want_keys:
            errors.append("%s: key frames at %s" % (path.name, keys))
        got = video_bitrate_kbps(path)
        if abs(got - kbps) > TOLERANCE * kbps:
            errors.append("%s: %.0f kbps for a target of %d" % (path.name, got, kbps))
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("preset", PRESETS)
def test_audio_and_server_manifest(preset, finished, ladders, source):
    r = finished(preset)
    info = probe(r["dir"] / audio_name())
    assert [s["codec_type"] for s in info["streams"]] == ["audio"]
    a = stream(info, "audio")
    assert (a["codec_name"], a["profile"], a["channels"], a["sample_rate"]) == \
        ("aac", "LC", 2, "48000")
    assert abs(float(a["duration"]) - source["audio_duration"]) < 0.05, a["duration"]
    kbps = int(a["bit_rate"]) / 1000.0
    assert abs(kbps - AUDIO_KBPS) <= TOLERANCE * AUDIO_KBPS, kbps
    root = ET.parse(r["dir"] / (BASENAME + ".ism")).getroot()
    ns = {"s": "http://www.w3.org/2001/SMIL20/Language"}
    videos = [(v.get("src"), v.get("systemBitrate")) for v in root.findall(".//s:video", ns)]
    assert videos == [(layer_name(*l), str(l[2] * 1000)) for l in ladders[preset]]
    assert [x.get("src") for x in root.findall(".//s:audio", ns)] == [audio_name()]
    assert ET.parse(r["dir"] / (BASENAME + ".ismc")).getroot().tag == "SmoothStreamingMedia"


@pytest.mark.parametrize("preset", PRESETS)
def test_plays_through_origin(preset, finished, ladders, source, ams):
    r = finished(preset)
    loc = ams.publish(r["asset"]["Id"])
    base = loc["Path"] + urllib.parse.quote(BASENAME + ".ism") + "/"
    video = bool(ladders[preset])
    # the audio-only asset: HLS is what the requirement asks of it
    for fmt in ("m3u8-aapl", "mpd-time-csf") if video else ("m3u8-aapl",):
        p, frames, seconds = decode_stats(base + manifest_suffix(fmt), fmt)
        assert p.returncode == 0 and not p.stderr, (fmt, p.stderr[-2000:])
        if video:
            assert frames == source["frames"], (fmt, frames)
        assert abs(seconds - source["audio_duration"]) < 0.1, (fmt, seconds)
    if not video:
        return
    if not have_gst():
        pytest.skip("gst-launch-1.0 missing: Smooth (playbin3) not checked")
    p = gst_play(base + manifest_suffix(""))
    assert p.returncode == 0, p.stdout[-2000:]


def test_invalid_rate_control_field_named_by_the_api(platform):
    """A job whose JSON preset has a bad rate-control field is refused when it
    is created (the daemon asks the encoder's --check-config), naming the field."""
    ams = platform.client()
    src = ams.upload_asset("rc-source", {"clip.mp4": b"not really a movie"})
    preset = {"Codecs": [{"Type": "H264Video", "RateControlMode": "CRF", "TwoPass": True,
                          "H264Layers": [{"Type": "H264Layer", "Bitrate": 500}]}],
              "Outputs": [{"FileName": "{Basename}.mp4", "Format": {"Type": "MP4Format"}}]}
    body = {"Name": "bad rc", "InputMediaAssets": [{"__metadata": {"uri": ams.api + "Assets"
                                                                    + ams.key(src["Id"])}}],
            "Tasks": [{"Name": "task", "Configuration": json.dumps(preset),
                       "MediaProcessorId": ams.processor_id("Media Encoder Standard"),
                       "TaskBody": "<taskBody><inputAsset>JobInputAsset(0)</inputAsset>"
                                   "<outputAsset>JobOutputAsset(0)</outputAsset></taskBody>"}]}
    r = ams.post("Jobs", body)
    assert r.status == 400, r
    msg = r.json["odata.error"]["message"]["value"]
    assert "invalid preset field Codecs[0].TwoPass: two passes need a bitrate target" in msg, msg
