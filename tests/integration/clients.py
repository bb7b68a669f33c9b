"""Real-client checks shared by the packaging tests: ffmpeg/ffprobe with the
options our extension-less AMS URLs need, GStreamer playbin3 and a GStreamer
frame-checksum reader for Smooth Streaming (ffmpeg has no Smooth demuxer)."""

import shutil
import subprocess
from typing import List

from media import FFMPEG, framemd5, run

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
