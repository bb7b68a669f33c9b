"""The AMS-era Node.js SDK, unmodified (azure-media 1.0.11 from npm, installed
by ./build.sh deps into tests/amsv2-sdk), through a whole VoD workflow against
a fresh installation (tests/amsv2-sdk/workflow.js): token on the ACS path,
upload through a SAS locator created with a .NET-style StartTime, its
"<base>//CreateFileInfos", an encode on "Windows Azure Media Encoder" with an
AMS-era preset name, outputs, an origin locator and a SAS download locator.
The download answers HEAD and a range; HLS, DASH and Smooth of the output play."""

import os
import shutil
import urllib.parse
from pathlib import Path

import pytest

from clients import decode_ok, gst_play, have_gst, manifest_suffix
from media import make_sdk_clip, run_node_workflow
from platform_harness import CLIENT_ID, CLIENT_SECRET

SDK_DIR = Path(__file__).resolve().parents[1] / "amsv2-sdk"


def run_workflow(base: str, clip: Path, preset: str) -> dict:
    if not (SDK_DIR / "node_modules" / "azure-media").is_dir():
        pytest.fail("tests/amsv2-sdk/node_modules missing: run ./build.sh deps")
    if shutil.which("node") is None:
        pytest.fail("node missing: run ./build.sh deps")
    env = dict(os.environ, MP_BASE=base, MP_CLIENT_ID=CLIENT_ID, MP_CLIENT_SECRET=CLIENT_SECRET,
               MP_CLIP=str(clip), MP_PRESET=preset, TZ="UTC")
    return run_node_workflow(SDK_DIR / "workflow.js", env, timeout=900)


@pytest.fixture(scope="module")
def sdk_clip(tmp_path_factory) -> Path:
    return make_sdk_clip(tmp_path_factory.mktemp("sdk") / "clip.mp4")


def test_azure_media_sdk_vod_workflow(platform, sdk_clip):
    base = platform.origin.base
    out = run_workflow(base, sdk_clip, "H264 Adaptive Bitrate MP4 Set 720p")
    assert out["inputFiles"] == ["clip.mp4"]               # CreateFileInfos through "//"
    assert out["jobState"] == 3, out
    ism = [f["Name"] for f in out["outputFiles"] if f["IsPrimary"]]
    assert len(ism) == 1 and ism[0].endswith(".ism"), out["outputFiles"]
    # getOriginURL made an origin locator (its manifest name guess is for
    # AME's "_manifest.xml" outputs; the locator part is what matters)
    origin = urllib.parse.urlsplit(out["originUrl"])
    locator = origin.path.strip("/").split("/")[0]
    manifest = "%s/%s/%s/" % (base, locator, urllib.parse.quote(ism[0]))
    for fmt in ("m3u8-aapl", "mpd-time-csf"):              # HLS, DASH through ffmpeg
        r = decode_ok(manifest + manifest_suffix(fmt), fmt)
        assert r.returncode == 0, (fmt, r.stderr[-2000:])
    if have_gst():                                          # Smooth: ffmpeg has no demuxer
        r = gst_play(manifest + manifest_suffix(""))
        assert r.returncode == 0, r.stdout[-2000:]
    # getDownloadURL's SAS read locator answered HEAD and a range
    dl = out["download"]
    assert dl["headStatus"] == 200 and int(dl["headLength"]) > 0, dl
    assert dl["rangeStatus"] == 206 and dl["rangeLength"] == 100, dl
    assert dl["contentRange"] == "bytes 0-99/%s" % dl["headLength"], dl
