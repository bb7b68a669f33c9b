"""Real-client checks shared by the packaging tests: ffmpeg/ffprobe with the
options our extension-less AMS URLs need, GStreamer playbin3 and a GStreamer
frame-checksum reader for Smooth Streaming (ffmpeg has no Smooth demuxer)."""

import math
import shutil
import subprocess
from typing import List

from media import FFMPEG, decoded_frames, decoded_pcm, framemd5, run

# ffmpeg's HLS demuxer refuses segment URLs without a media file extension
# unless told not to be picky; AMS URLs (Fragments(video=0,format=...)) have none.
HLS_INPUT = ["-extension_picky", "0"]

FORMATS = {
    "hls-fmp4": "m3u8-aapl",
    "hls-cmaf": "m3u8-cmaf",
    "hls-ts": "m3u8-aapl-v3",
    "dash-csf": "mpd-time-csf",
    "dash-cmaf": "mpd-time-cmaf",
}


def input_opts(fmt: str) -> List[str]:
    return HLS_INPUT if fmt.startswith("m3u8") else []


def manifest_suffix(fmt: str) -> str:
    return "Manifest" if not fmt else "Manifest(format=%s)" % fmt


def video_hashes(src) -> List[str]:
    return framemd5(src, "v:0")


# HLS TS audio vs its source after the first frame: the difference's RMS
# at most 0.1 % (-60 dB) of the source's.
TS_AUDIO_TOLERANCE = 1e-3


def rms_ratio(got, want) -> float:
    """RMS of got - want relative to the RMS of want (over want's length)."""
    err = sum((a - b) ** 2 for a, b in zip(got, want))
    ref = sum(b * b for b in want)
    return math.sqrt(err / ref) if ref else (0.0 if err == 0 else float("inf"))


def ts_audio_deviation(url: str, src, spec: str = "a:0", frame: int = 1) -> float:
    """How far HLS TS audio (ffmpeg reading url) is from the source's:
    rms_ratio from the given frame on (frame 0 = all of it); inf when the
    lengths differ.  TS leaves out the priming frame the source's edit list
    hides (README, *Audio priming*), so the decoder starts without its
    overlap and the first frame fades in; the rest is not bit-exact either:
    ffmpeg's AAC encoder uses perceptual noise substitution, and the
    decoder's noise generator has run one frame less than when the priming
    frame is decoded too (measured: -87 to -94 dB, single samples up to
    -53 dB of the peak, at 96 and 128 kb/s)."""
    want = decoded_pcm(src, spec)
    got = decoded_pcm(url, "a:0", extra_input=HLS_INPUT)
    _, frames = decoded_frames(url, "a:0", extra_input=HLS_INPUT)
    if len(got) != len(want) or not frames:
        return float("inf")
    per_frame = len(got) * frames[0].duration // sum(f.duration for f in frames)
    return rms_ratio(got[per_frame * frame:], want[per_frame * frame:])


def decode_ok(url: str, fmt: str) -> subprocess.CompletedProcess:
    return run([FFMPEG, "-nostdin", "-v", "error", "-xerror"] + input_opts(fmt)
               + ["-i", url, "-f", "null", "-"], timeout=300, check=False)


def gst_play(url: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """playbin3 (hlsdemux2 / dashdemux2 / mssdemux2) decodes every stream."""
    return subprocess.run(["gst-launch-1.0", "-q", "playbin3", "uri=" + url,
                           "video-sink=fakesink", "audio-sink=fakesink"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)


def gst_video_md5(url: str, timeout: float = 180) -> List[str]:
    """MD5 of every decoded I420 frame, in presentation order, as GStreamer
    sees the stream (the same bytes ffmpeg's framemd5 hashes for yuv420p)."""
    p = subprocess.run(["gst-launch-1.0", "-q", "uridecodebin", "uri=" + url, "caps=video/x-raw",
                        "!", "videoconvert", "!", "video/x-raw,format=I420", "!",
                        "checksumsink", "hash=0"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    assert p.returncode == 0, p.stdout.decode(errors="replace")[-2000:]
    return [line.split()[1] for line in p.stdout.decode().splitlines() if len(line.split()) == 2]


def have_gst() -> bool:
    return shutil.which("gst-launch-1.0") is not None
