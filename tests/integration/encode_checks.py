"""Encoder-output checks shared by test_encoder.py (the binary run directly)
and test_presets_e2e.py (named presets run as jobs through the API).

    make_clip(path, size, seconds, ...) -> path  testsrc2 + temporal noise (so
                                                 x264 has real work and bitrates
                                                 can be checked), 440 Hz stereo AAC
    probe(path)                         -> dict  ffprobe -show_format -show_streams
    stream(info, "video" | "audio")     -> dict  the first stream of that type
    key_times(path)                     -> [s]   pts of every key frame (video)
    expected_key_times(duration, gop)   -> [s]   0, gop, 2 gop, ... below duration
    video_bitrate_kbps(path)            -> float the video stream's bit rate
    decode_stats(url, fmt)              -> (CompletedProcess, frames, seconds)
                                                 a full ffmpeg -xerror decode
    ffmpeg_psnr_y(layer, source, w, h)  -> float ffmpeg's own PSNR summary (luma) of a
                                                 layer against the source scaled to w x h
    check_quality_report(dir, name, layers, source)  the encoder's <name>_quality.json:
                                                 one entry per layer, numbers sane, the
                                                 first layer's PSNR within 0.1 dB of
                                                 ffmpeg_psnr_y
"""

import json
import os
import re
from pathlib import Path

from clients import input_opts
from media import FFMPEG, FFPROBE, run

FPS = 30


def make_clip(path: Path, size: str, seconds: int, noise: int = 8, audio: bool = True,
              crf: int = 23) -> Path:
    """Generate once (kept if it exists; written under a temporary name first
    so an interrupted run never leaves a short clip behind)."""
    if path.exists():
        return path
    tmp = path.with_name(".part-" + path.name)
    cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
           "testsrc2=size=%s:rate=%d,noise=alls=%d:allf=t" % (size, FPS, noise)]
    if audio:
        cmd += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-ac", "2",
                "-c:a", "aac", "-b:a", "192k"]
    cmd += ["-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-crf", str(crf),
            "-pix_fmt", "yuv420p", "-f", "mp4", str(tmp)]
    run(cmd, timeout=300)
    os.replace(tmp, path)
    return path


def probe(path: Path) -> dict:
    p = run([FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
             str(path)])
    return json.loads(p.stdout)


def stream(info: dict, kind: str) -> dict:
    found = [s for s in info["streams"] if s["codec_type"] == kind]
    assert found, "no %s stream in %s" % (kind, [s["codec_type"] for s in info["streams"]])
    return found[0]


def key_times(path: Path) -> list:
    p = run([FFPROBE, "-v", "error", "-select_streams", "v:0", "-skip_frame", "nokey",
             "-show_entries", "frame=pts_time", "-of", "csv=p=0", str(path)])
    return [round(float(x.strip(",")), 3) for x in p.stdout.decode().split() if x.strip(",")]


def expected_key_times(duration: float, gop: float = 2.0) -> list:
    n = 0
    times = []
    while n * gop < duration - 1e-6:
        times.append(round(n * gop, 3))
        n += 1
    return times


def video_bitrate_kbps(path: Path) -> float:
    return int(stream(probe(path), "video")["bit_rate"]) / 1000.0


_PROGRESS_RE = re.compile(r"^(frame|out_time_us)=(\d+)$", re.M)


def decode_stats(url: str, fmt: str, timeout: float = 300):
    """Decode the first video (or audio) stream of url completely with
    -xerror; returns (process, frames decoded, seconds decoded)."""
    p = run([FFMPEG, "-nostdin", "-v", "error", "-xerror", "-nostats", "-progress", "pipe:1"]
            + input_opts(fmt) + ["-i", url, "-f", "null", "-"], timeout=timeout, check=False)
    values = {}
    for key, value in _PROGRESS_RE.findall(p.stdout.decode(errors="replace")):
        values[key] = int(value)            # the last report wins
    return p, values.get("frame", 0), values.get("out_time_us", 0) / 1e6


_PSNR_RE = re.compile(r"PSNR y:([0-9.]+) ")


def ffmpeg_psnr_y(layer: Path, source: Path, w: int, h: int) -> float:
    """An independent measurement: ffmpeg -lavfi psnr, the source scaled to
    the layer's size (bicubic, as the encode scales)."""
    p = run([FFMPEG, "-nostdin", "-hide_banner", "-i", str(layer), "-i", str(source), "-lavfi",
             "[1:v]scale=%d:%d:flags=bicubic[r];[0:v][r]psnr" % (w, h), "-f", "null", "-"],
            timeout=300)
    m = _PSNR_RE.findall(p.stderr.decode(errors="replace"))
    assert m, p.stderr[-2000:]
    return float(m[-1])


def check_quality_report(out_dir: Path, basename: str, layers: list, source: Path,
                         independent: int = 1) -> dict:
    """layers: the layer file names in ladder order.  Returns the report."""
    report = json.loads((out_dir / (basename + "_quality.json")).read_text())
    got = report["layers"]
    assert [l["file"] for l in got] == layers, got
    for l in got:
        assert l["frames"] > 0 and l["kbps"] > 0, l
        assert 20 < l["psnrY"] < 70 and 0.5 < l["ssimY"] <= 1.0, l
    assert report["totalKbps"] == sum(l["kbps"] for l in got)
    for l in got[:independent]:
        want = ffmpeg_psnr_y(out_dir / l["file"], source, l["width"], l["height"])
        assert abs(l["psnrY"] - want) <= 0.1, (l, want)
    return report
