"""mediaplane-encoder (Media Encoder Standard presets) driven as the daemon's
scheduler drives it: the real binary, real ffmpeg/x264.

The named ladders ("H264 Multiple Bitrate 1080p/720p/16x9 SD", "H264 Single
Bitrate 720p", "AAC Good Quality Audio", "Adaptive Streaming" on a 1080p
input) are checked end to end through the API in test_presets_e2e.py (key
frames, bitrates, durations, playback); this file covers what only the binary
shows: names and options, content-aware ladders (simple vs hard title), a JSON
preset with clipping and thumbnails, the failure codes, --check-config and
cancel.

Media (generated once per session):
  * hd_clip (conftest): the 20 s 1080p clip of test_presets_e2e -- the cancel
    test runs the 720p ladder on it;
  * a 4 s 1080p clip for "H264 Single Bitrate 720p", "AAC Good Quality Audio"
    and a custom JSON preset (clip + JPEG thumbnails + PNG sprite + WebVTT);
  * a 4 s 640x360 clip at ~600 kbps for the rate-control modes;
  * 3 s 640x360 clips for content-aware encoding: a busy one (testsrc2 +
    heavy noise) and a still slide;
  * an audio-only file and a corrupt file for the failure tests.
"""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BUILD
from clients import manifest_suffix
from encode_checks import (FPS, check_quality_report, decode_stats, key_times, make_clip, probe,
                           stream, video_bitrate_kbps)
from media import FFMPEG, run

ENCODER = BUILD / "mediaplane-encoder"
# The tests encode at Speed (x264 veryfast), named on the command line as the
# daemon names its encoder_complexity; without it the encoder runs Balanced.
SPEED = ["--complexity", "Speed"]


@pytest.fixture(scope="session")
def enc_media(tmp_path_factory):
    d = tmp_path_factory.mktemp("encoder-media")
    if not ENCODER.exists():
        pytest.fail("%s missing: run make encoder" % ENCODER)
    media = {
        "short": make_clip(d / "short1080.mp4", "1920x1080", 4),
        "small": make_clip(d / "small360.mp4", "640x360", 4, noise=4, crf=30),
        "busy": make_clip(d / "busy360.mp4", "640x360", 3, noise=30, crf=20, audio=False),
        "slide": d / "slide360.mp4",
        "audio": d / "tone.m4a",
        "corrupt": d / "corrupt.mp4",
    }
    run([FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440",
         "-t", "3", "-c:a", "aac", str(media["audio"])])
    media["corrupt"].write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4096))
    # a still slide (one testsrc frame held), as easy as a title gets
    run([FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
         "testsrc=size=640x360:rate=1", "-vf", "fps=%d" % FPS, "-t", "3", "-c:v", "libx264",
         "-preset", "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p", str(media["slide"])])
    return media


class Result:
    def __init__(self, proc: subprocess.CompletedProcess, out: Path, times: list):
        self.rc = proc.returncode
        self.stdout = proc.stdout.decode()
        self.stderr = proc.stderr.decode(errors="replace")
        self.out = out
        self.lines = self.stdout.splitlines()
        self.times = times  # arrival time of every stdout line

    def events(self, kind):
        return [line.split(" ", 1)[1] for line in self.lines if line.startswith(kind + " ")]

    @property
    def files(self):
        return sorted(p.name for p in self.out.iterdir())


def encode(config: str, out: Path, *inputs: Path, extra=(), complexity="Speed") -> Result:
    """Run the encoder to completion, recording when each stdout line arrived
    (complexity None: no --complexity, the encoder's own default)."""
    out.mkdir(parents=True, exist_ok=True)
    cfg = out.parent / (out.name + ".config")
    cfg.write_text(config)
    cmd = [str(ENCODER), "--config-file", str(cfg), "--output-dir", str(out)] + list(extra)
    if complexity is not None:
        cmd += ["--complexity", complexity]
    for i in inputs:
        cmd += ["--input", str(i)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines, times = [], []
    for raw in p.stdout:
        lines.append(raw)
        times.append(time.monotonic())
    err = p.stderr.read()
    p.wait(timeout=600)
    return Result(subprocess.CompletedProcess(cmd, p.returncode, b"".join(lines), err), out, times)


def assert_progress(r: Result, max_gap: float = 1.3):
    values = [float(v) for v in r.events("progress")]
    assert values and values[-1] == 100.0, r.stdout
    assert values == sorted(values), "progress not monotonic: %s" % values
    ptimes = [t for t, line in zip(r.times, r.lines) if line.startswith("progress")]
    gaps = [b - a for a, b in zip(ptimes, ptimes[1:])]
    assert max(gaps, default=0) <= max_gap, "progress gap %.2f s" % max(gaps)


# ------------------------------------------------------------ presets


def test_single_bitrate_720p(enc_media, tmp_path):
    r = encode("H264 Single Bitrate 720p", tmp_path / "out", enc_media["short"])
    assert r.rc == 0, r.stdout + r.stderr[-2000:]
    assert r.files == ["short1080.ism", "short1080.ismc", "short1080_1280x720_4500.mp4",
                       "short1080_AACAudio_128.mp4", "short1080_quality.json"]
    assert sorted(r.events("output")) == r.files          # the stdout protocol
    assert len(r.events("perf")) == 1 and "1 layers + AAC" in r.events("perf")[0]
    assert "libx264 veryfast (Speed)" in r.events("perf")[0], r.events("perf")
    # the quality report: in the output, PSNR as ffmpeg measures it, summarised in perf
    report = check_quality_report(r.out, "short1080", ["short1080_1280x720_4500.mp4"],
                                  enc_media["short"])
    layer = report["layers"][0]
    assert "1280x720@%dk %.2f dB %.4f" % (layer["kbps"], layer["psnrY"], layer["ssimY"]) \
        in r.events("perf")[0], r.events("perf")
    assert not r.events("error")
    assert_progress(r)
    assert key_times(r.out / "short1080_1280x720_4500.mp4") == [0.0, 2.0]


def test_aac_good_quality_audio(enc_media, tmp_path):
    r = encode("aac good quality audio", tmp_path / "out", enc_media["short"],
               extra=["--basename", "My Song (live)"])
    assert r.rc == 0, r.stdout + r.stderr[-2000:]
    assert r.files == ["My_Song__live_.ism", "My_Song__live_.ismc",
                       "My_Song__live__AACAudio_128.mp4"]
    s = probe(r.out / "My_Song__live__AACAudio_128.mp4")["streams"]
    assert [x["codec_type"] for x in s] == ["audio"]


def _ladder(r: Result, basename: str) -> list:
    """(width, height, target kbps) of every layer, from the quality report."""
    report = json.loads((r.out / (basename + "_quality.json")).read_text())
    return [(l["width"], l["height"], l["targetKbps"]) for l in report["layers"]]


def test_content_aware_simple_vs_hard(enc_media, tmp_path):
    """"Adaptive Streaming" is content-aware: a still slide gets a smaller
    ladder (fewer bits in total) than a noisy, busy clip of the same size,
    both top out at the input's size and never above its bitrate; the v3
    ContentAwareEncoding preset keeps its configurations' limits."""
    ladders = {}
    for name in ("slide", "busy"):
        src = enc_media[name]
        r = encode("Adaptive Streaming", tmp_path / name, src)
        assert r.rc == 0, r.stdout + r.stderr[-2000:]
        assert "content-aware ladder from probes 360p" in r.events("perf")[0], r.events("perf")
        ladders[name] = _ladder(r, src.stem)
        src_kbps = video_bitrate_kbps(src)
        assert ladders[name][0][:2] == (640, 360), ladders[name]        # the input's size
        assert all(k <= max(src_kbps, 200) for _, _, k in ladders[name]), (ladders, src_kbps)
    total = {k: sum(r[2] for r in v) for k, v in ladders.items()}
    assert total["slide"] < total["busy"], ladders
    assert len(ladders["slide"]) <= len(ladders["busy"]), ladders
    v3 = {"presetName": "ContentAwareEncoding",
          "configurations": {"maxLayers": 2, "minBitrateBps": 250000, "maxBitrateBps": 700000,
                             "minHeight": 180, "maxHeight": 270}}
    r = encode(json.dumps(v3), tmp_path / "v3", enc_media["busy"])
    assert r.rc == 0, r.stdout + r.stderr[-2000:]
    got = _ladder(r, "busy360")
    assert 1 <= len(got) <= 2, got
    assert all(180 <= h <= 270 and 250 <= k <= 700 for _, h, k in got), got


def test_content_aware_long_gop_one_decode(enc_media, tmp_path):
    """A title whose key frames are further apart than its analysis stretches
    (x264's default 250-frame GOP over 9 s) is analysed in one decode over
    the stretches, not a seek per stretch, and gets a valid ladder."""
    src = tmp_path / "longgop360.mp4"
    run([FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
         "testsrc2=size=640x360:rate=%d" % FPS, "-t", "9", "-c:v", "libx264", "-preset",
         "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p", str(src)])
    r = encode("ContentAwareEncoding", tmp_path / "out", src)
    assert r.rc == 0, r.stdout + r.stderr[-2000:]
    analysis = [line for line in r.stderr.splitlines() if "probe-0.h264" in line]
    assert len(analysis) == 1 and analysis[0].count(" -i ") == 1, analysis
    assert "select='gte(t,0.000)*lt(t," in analysis[0], analysis
    ladder = _ladder(r, "longgop360")
    assert ladder and ladder[0][:2] == (640, 360), ladder
    assert "content-aware ladder from probes 360p" in r.events("perf")[0], r.events("perf")


THUMB_PRESET = {
    "Version": 1.0,
    "Sources": [{"StartTime": "00:00:01", "Duration": "00:00:02.5"}],
    "Codecs": [
        {"Type": "H264Video", "KeyFrameInterval": "00:00:02", "SceneChangeDetection": False,
         "H264Layers": [{"Type": "H264Layer", "Bitrate": 500, "Width": "426", "Height": "240"}]},
        {"Type": "AACAudio", "Profile": "AACLC", "Channels": 2, "SamplingRate": 48000,
         "Bitrate": 96},
        {"Type": "JpgImage", "Start": "00:00:00", "Step": "00:00:01", "Range": "00:00:02",
         "JpgLayers": [{"Type": "JpgLayer", "Width": "25%", "Height": "25%", "Quality": 80}]},
        {"Type": "PngImage", "Start": "0", "Step": "20%", "SpriteColumn": 3,
         "PngLayers": [{"Type": "PngLayer", "Width": "160", "Height": "90"}]},
    ],
    "Outputs": [
        {"FileName": "{Basename}_{Height}p.mp4", "Format": {"Type": "MP4Format"}},
        {"FileName": "{Basename}_{Index}{Extension}", "Format": {"Type": "JpgFormat"}},
        {"FileName": "{Basename}_sprite{Extension}", "Format": {"Type": "PngFormat"}},
    ],
}


def test_json_preset_clip_thumbnails_sprite(enc_media, tmp_path):
    r = encode(json.dumps(THUMB_PRESET), tmp_path / "out", enc_media["short"],
               extra=["--basename", "show"])
    assert r.rc == 0, r.stdout + r.stderr[-2000:]
    assert r.files == ["show.ism", "show.ismc", "show_000001.jpg", "show_000002.jpg",
                       "show_000003.jpg", "show_240p.mp4", "show_AACAudio_96.mp4",
                       "show_quality.json", "show_sprite.png", "show_sprite.vtt"]
    check_quality_report(r.out, "show", ["show_240p.mp4"], enc_media["short"], independent=0)
    v = probe(r.out / "show_240p.mp4")["streams"][0]
    assert abs(float(v["duration"]) - 2.5) <= 1.0 / FPS + 1e-6
    j = probe(r.out / "show_000001.jpg")["streams"][0]
    assert (j["codec_name"], j["width"], j["height"]) == ("mjpeg", 480, 270)
    s = probe(r.out / "show_sprite.png")["streams"][0]
    assert (s["codec_name"], s["width"], s["height"]) == ("png", 480, 180)   # 5 tiles, 3x2
    vtt = (r.out / "show_sprite.vtt").read_text()
    assert vtt.startswith("WEBVTT\n")
    assert vtt.count("show_sprite.png#xywh=") == 5
    assert "00:00:02.000 --> 00:00:02.500\nshow_sprite.png#xywh=160,90,160,90" in vtt


def _tiny(complexity=None):
    """1 s of one 320x180 layer (cheap at any complexity)."""
    codec = {"Type": "H264Video", "H264Layers": [{"Type": "H264Layer", "Bitrate": 300,
                                                 "Width": "320", "Height": "180"}]}
    if complexity:
        codec["Complexity"] = complexity
    return json.dumps({"Version": 1.0, "Sources": [{"Duration": "00:00:01"}], "Codecs": [codec],
                       "Outputs": [{"FileName": "{Basename}_{Height}p.mp4",
                                    "Format": {"Type": "MP4Format"}}]})


def _x264_preset(r: Result) -> str:
    cmd = [l for l in r.stderr.splitlines() if l.startswith("running: ")][0].split()
    return cmd[cmd.index("-preset") + 1]


def test_complexity_default_and_preset_override(enc_media, tmp_path):
    """Without --complexity the encoder runs Balanced (x264 medium); the
    daemon's setting (--complexity) applies to presets without their own;
    a preset's Complexity wins over it."""
    r = encode(_tiny(), tmp_path / "a", enc_media["short"], complexity=None)
    assert r.rc == 0, r.stdout + r.stderr[-2000:]
    assert _x264_preset(r) == "medium" and "libx264 medium (Balanced)" in r.events("perf")[0]
    r = encode(_tiny(), tmp_path / "b", enc_media["short"], complexity="Speed")
    assert r.rc == 0 and _x264_preset(r) == "veryfast", r.stderr[-2000:]
    r = encode(_tiny("Quality"), tmp_path / "c", enc_media["short"], complexity="Speed")
    assert r.rc == 0 and _x264_preset(r) == "slow", r.stderr[-2000:]
    assert "libx264 slow (Quality)" in r.events("perf")[0]
    r = encode(_tiny("Fastest"), tmp_path / "d", enc_media["short"])
    assert_failed(r, "InvalidConfiguration",
                  "invalid preset field Codecs[0].Complexity: expected \"Speed\"")
    bad = subprocess.run([str(ENCODER), "--config-file", "x", "--output-dir", str(tmp_path),
                          "--input", "x", "--complexity", "fast"], stderr=subprocess.DEVNULL)
    assert bad.returncode == 2


H265_PRESET = {
    "Version": 1.0,
    "Codecs": [
        {"Type": "H265Video", "KeyFrameInterval": "00:00:02", "SceneChangeDetection": False,
         "H265Layers": [{"Type": "H265Layer", "Bitrate": 600, "Width": "640", "Height": "360"},
                        {"Type": "H265Layer", "Bitrate": 250, "Width": "320", "Height": "180"}]},
        {"Type": "AACAudio", "Profile": "AACLC", "Channels": 2, "SamplingRate": 48000,
         "Bitrate": 96},
    ],
    "Outputs": [{"FileName": "{Basename}_{Height}p.mp4", "Format": {"Type": "MP4Format"}},
                {"FileName": "{Basename}_audio.mp4", "Format": {"Type": "MP4Format"}}],
}


def test_h265_layers_play_through_origin(enc_media, tmp_path, origin, media_root):
    """H265Video/H265Layers: libx265 with hvc1 sample entries, key frames every
    2 s at the same times in both layers; the origin serves the result as
    HLS fMP4, CMAF and DASH and ffmpeg decodes every frame."""
    r = encode(json.dumps(H265_PRESET), tmp_path / "out", enc_media["short"],
               extra=["--basename", "hevc"])
    assert r.rc == 0, r.stdout + r.stderr[-2000:]
    assert r.files == ["hevc.ism", "hevc.ismc", "hevc_180p.mp4", "hevc_360p.mp4",
                       "hevc_audio.mp4", "hevc_quality.json"]
    assert "libx265 ultrafast (Speed)" in r.events("perf")[0], r.events("perf")
    frames = None
    for name, (w, h) in (("hevc_360p.mp4", (640, 360)), ("hevc_180p.mp4", (320, 180))):
        v = stream(probe(r.out / name), "video")
        assert (v["codec_name"], v["codec_tag_string"], v["width"], v["height"]) == \
            ("hevc", "hvc1", w, h), v
        assert key_times(r.out / name) == [0.0, 2.0], name
        frames = frames or int(v["nb_frames"])
        assert int(v["nb_frames"]) == frames
    check_quality_report(r.out, "hevc", ["hevc_360p.mp4", "hevc_180p.mp4"], enc_media["short"])
    dest = media_root / "media" / "enc-hevc"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(r.out, dest)
    base = origin.url("/media/enc-hevc/hevc.ism/")
    for fmt in ("m3u8-aapl", "m3u8-cmaf", "mpd-time-csf"):
        p, got, seconds = decode_stats(base + manifest_suffix(fmt), fmt)
        assert p.returncode == 0 and not p.stderr, (fmt, p.stderr[-2000:])
        assert got == frames and abs(seconds - 4.0) < 0.1, (fmt, got, seconds)


def _rc_preset(codec_fields: dict, layer_fields: dict) -> str:
    codec = dict({"Type": "H264Video", "H264Layers": [dict({"Type": "H264Layer", "Bitrate": 400,
                                                           "Width": "320", "Height": "180"},
                                                          **layer_fields)]}, **codec_fields)
    return json.dumps({"Version": 1.0, "Sources": [{"Duration": "00:00:02"}], "Codecs": [codec],
                       "Outputs": [{"FileName": "{Basename}_{Height}p.mp4",
                                    "Format": {"Type": "MP4Format"}}]})


def test_rate_control_modes(enc_media, tmp_path):
    """Two-pass ABR (two ffmpeg runs, no stats file left in the output), CRF
    capped at MaxBitrate, CBR, and an invalid RateControlMode failing the task
    with the field named."""
    r = encode(_rc_preset({"TwoPass": True}, {}), tmp_path / "two", enc_media["small"])
    assert r.rc == 0, r.stdout + r.stderr[-2000:]
    assert r.files == ["small360.ism", "small360.ismc", "small360_180p.mp4",
                       "small360_quality.json"]
    runs = [l for l in r.stderr.splitlines() if l.startswith("running: ") and "libx264" in l]
    assert len(runs) == 2 and "-pass 1" in runs[0] and "-pass 2" in runs[1], runs
    assert "two-pass" in r.events("perf")[0]
    assert_progress(r)
    r = encode(_rc_preset({"RateControlMode": "CRF"}, {"Crf": 30, "MaxBitrate": 500}),
               tmp_path / "crf", enc_media["small"])
    assert r.rc == 0, r.stdout + r.stderr[-2000:]
    assert "-crf 30 -maxrate 500k" in r.stderr
    assert video_bitrate_kbps(r.out / "small360_180p.mp4") <= 500 * 1.1
    r = encode(_rc_preset({"RateControlMode": "CBR"}, {}), tmp_path / "cbr", enc_media["small"])
    assert r.rc == 0, r.stdout + r.stderr[-2000:]
    assert "-minrate 400k -maxrate 400k" in r.stderr and "nal-hrd=cbr" in r.stderr
    assert abs(video_bitrate_kbps(r.out / "small360_180p.mp4") - 400) <= 400 * 0.15
    r = encode(_rc_preset({"RateControlMode": "VBR"}, {}), tmp_path / "bad", enc_media["small"])
    assert_failed(r, "InvalidConfiguration", "invalid preset field Codecs[0].RateControlMode: ")
    r = encode(_rc_preset({}, {"Crf": 20}), tmp_path / "bad2", enc_media["small"])
    assert_failed(r, "InvalidConfiguration",
                  "invalid preset field Codecs[0].H264Layers[0].Crf: only with RateControlMode")


# ------------------------------------------------------------ failures


def assert_failed(r: Result, code: str, text: str):
    assert r.rc == 1, r.stdout + r.stderr[-2000:]
    errors = r.events("error")
    assert len(errors) == 1 and errors[0].startswith(code + " "), r.stdout
    assert text in errors[0], errors[0]
    assert r.files == [], "left on disk: %s" % r.files


def test_corrupt_input(enc_media, tmp_path):
    r = encode("H264 Single Bitrate 720p", tmp_path / "out", enc_media["corrupt"])
    assert_failed(r, "InvalidInput", "input is not a media file: corrupt.mp4: ")


def test_playlist_and_concat_inputs_are_refused(enc_media, tmp_path):
    """An upload that is an HLS playlist or an ffmpeg concat list would make
    ffmpeg open further files or URLs (the daemon's keys, internal hosts):
    the encoder's format and protocol whitelists refuse it before anything is
    fetched, with a message that says why."""
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    secret = tmp_path / "token.key"
    secret.write_bytes(b"0123456789abcdef")
    hls = tmp_path / "playlist.mp4"
    hls.write_text("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nhttp://127.0.0.1:%d/a.ts\n"
                   "#EXTINF:2,\nfile://%s\n#EXT-X-ENDLIST\n" % (port, secret))
    concat = tmp_path / "list.mp4"
    concat.write_text("ffconcat version 1.0\nfile '%s'\nfile 'http://127.0.0.1:%d/b.mp4'\n"
                      % (enc_media["short"], port))
    try:
        for name, src in (("hls", hls), ("concat", concat)):
            r = encode("H264 Single Bitrate 720p", tmp_path / name / "out", src)
            assert_failed(r, "InvalidInput", "playlists, concat lists and image sequences are refused")
        try:
            conn, _ = listener.accept()
            conn.close()
            raise AssertionError("the encoder connected to a URL named in an input")
        except socket.timeout:
            pass
    finally:
        listener.close()


def test_audio_only_input_with_video_preset(enc_media, tmp_path):
    r = encode("H264 Multiple Bitrate 720p", tmp_path / "out", enc_media["audio"])
    assert_failed(r, "InvalidInput", "input has no video stream")


def test_bad_preset_field(enc_media, tmp_path):
    bad = json.loads(json.dumps(THUMB_PRESET))
    bad["Codecs"][0]["H264Layers"][0]["Foo"] = 1
    r = encode(json.dumps(bad), tmp_path / "out", enc_media["short"])
    assert_failed(r, "InvalidConfiguration", "unsupported preset field Codecs[0].H264Layers[0].Foo")
    r = encode("<Preset/>", tmp_path / "out2", enc_media["short"])
    assert_failed(r, "InvalidConfiguration", "XML presets are not supported")


def test_ffmpeg_failure_is_encoding_failed(enc_media, tmp_path):
    """A truncated MP4 (moov first, media cut) opens, then ffmpeg fails on it
    (-xerror): EncodingFailed with ffmpeg's last stderr line."""
    trunc = tmp_path / "trunc.mp4"
    run([FFMPEG, "-nostdin", "-v", "error", "-y", "-i", str(enc_media["short"]), "-c", "copy",
         "-movflags", "+faststart", str(trunc)])
    data = trunc.read_bytes()
    trunc.write_bytes(data[: len(data) // 3])
    r = encode("H264 Single Bitrate 720p", tmp_path / "out", trunc)
    assert_failed(r, "EncodingFailed", "trunc.mp4: corrupt input packet in stream")


def test_check_config(tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.write_text(json.dumps(THUMB_PRESET))
    bad.write_text("H264 Multiple Bitrate 4K")
    assert subprocess.run([str(ENCODER), "--check-config", str(good)]).returncode == 0
    p = subprocess.run([str(ENCODER), "--check-config", str(bad)], stdout=subprocess.PIPE, text=True)
    assert p.returncode == 1
    assert p.stdout.startswith("error InvalidConfiguration unknown preset")
    assert subprocess.run([str(ENCODER), "--bogus"], stderr=subprocess.DEVNULL).returncode == 2


# ------------------------------------------------------------ cancel


def _children(pid: int) -> list:
    try:
        text = Path("/proc/%d/task/%d/children" % (pid, pid)).read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def test_cancel(hd_clip, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    cfg = tmp_path / "cfg"
    cfg.write_text("H264 Multiple Bitrate 720p")
    p = subprocess.Popen([str(ENCODER), "--config-file", str(cfg), "--output-dir", str(out),
                          "--input", str(hd_clip)] + SPEED,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    children = []
    deadline = time.monotonic() + 60
    for raw in p.stdout:
        children = children or _children(p.pid)
        if raw.startswith(b"progress") and float(raw.split()[1]) > 5:
            break
        assert time.monotonic() < deadline
    assert children, "no ffmpeg child seen"
    assert any(out.iterdir()), "nothing written yet"
    t0 = time.monotonic()
    p.send_signal(signal.SIGTERM)
    rest = p.stdout.read().decode()
    rc = p.wait(timeout=5)
    assert time.monotonic() - t0 < 2.0
    assert rc == 3
    assert rest.strip().splitlines()[-1].startswith("error Canceled")
    assert list(out.iterdir()) == []
    for c in children:
        assert not Path("/proc/%d" % c).exists() or "Z" in Path("/proc/%d/stat" % c).read_text().split()[2], \
            "ffmpeg %d still running" % c
