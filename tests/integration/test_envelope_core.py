"""HLS AES-128 envelope encryption as the format core produces it, checked by
a real client: build/tools/mp_get (the origin without nginx) writes an
encrypted HLS rendition -- media playlist with EXT-X-KEY, every segment
AES-128-CBC encrypted whole -- into a folder with the key file, and ffmpeg's
HLS demuxer fetches the key, decrypts and decodes: the frames must be those
of the clear rendition (framemd5), for MPEG-TS (v3) and fMP4 (v4) segments,
with the IV implied by the media sequence number and with a fixed IV.  The
wrong key must not decode.  (Wiring the key from the catalog into nginx and
the key service is the next slice; see README.)
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

from media import framemd5, run

BUILD = Path(os.environ.get("MEDIAPLANE_BUILD",
                            str(Path(__file__).resolve().parents[2] / "build")))
MP_GET = BUILD / "tools" / "mp_get"
KEY = bytes(range(16))
IV = bytes(range(100, 116))


def mp_get(root, uri, env_extra=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    p = subprocess.run([str(MP_GET), str(root), uri], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=120)
    return p


def write_rendition(root, asset, quality, fmt, out, env_extra):
    """The media playlist of one rendition and everything it names, as files."""
    out.mkdir(parents=True, exist_ok=True)
    base = "%s/%s" % (asset, quality)
    pl = mp_get(root, "%s/Manifest(%s)" % (base, fmt), env_extra)
    assert pl.returncode == 0, pl.stderr.decode()
    text = pl.stdout.decode()
    (out / "media.m3u8").write_text(text)
    names = [l for l in text.splitlines() if l and not l.startswith("#")]
    names += re.findall(r'#EXT-X-MAP:URI="([^"]+)"', text)
    for name in names:
        seg = mp_get(root, "%s/%s" % (base, name), env_extra)
        assert seg.returncode == 0, seg.stderr.decode()
        (out / name).write_bytes(seg.stdout)
    return text, names


def hls_input():
    return ["-allowed_extensions", "ALL", "-allowed_segment_extensions", "ALL",
            "-extension_picky", "0", "-protocol_whitelist", "file,crypto,data"]


@pytest.fixture(scope="module")
def asset(media_root, media_factory):
    if not MP_GET.exists():
        pytest.fail("%s missing: run ./build.sh build" % MP_GET)
    s = media_factory("envelope", duration=8, renditions=[(640, 360, 600)], bframes=2)
    return s


@pytest.mark.parametrize("fmt", ["format=m3u8-aapl-v3", "format=m3u8-aapl"])
@pytest.mark.parametrize("fixed_iv", [False, True])
def test_ffmpeg_decrypts_envelope_hls(asset, media_root, tmp_path, fmt, fixed_iv):
    uri = asset.rel(media_root)
    quality = "QualityLevels(%d)" % (asset.renditions[0].kbps * 1000)
    clear_text, _ = write_rendition(media_root, uri, quality, "video," + fmt,
                                    tmp_path / "clear", {})
    env = {"MP_GET_AES128_KEY": KEY.hex(), "MP_GET_KEY_URI": "key.bin"}
    if fixed_iv:
        env["MP_GET_AES128_IV"] = IV.hex()
    enc_dir = tmp_path / "enc"
    text, names = write_rendition(media_root, uri, quality, "video," + fmt, enc_dir, env)
    (enc_dir / "key.bin").write_bytes(KEY)

    key_lines = [l for l in text.splitlines() if l.startswith("#EXT-X-KEY")]
    assert len(key_lines) == 1
    assert key_lines[0].startswith('#EXT-X-KEY:METHOD=AES-128,URI="key.bin"')
    assert ("IV=0x" + IV.hex().upper() in key_lines[0]) == fixed_iv
    if "v3" not in fmt:       # the init section stays clear: EXT-X-MAP precedes EXT-X-KEY
        assert text.index("#EXT-X-MAP") < text.index("#EXT-X-KEY")
    assert "#EXT-X-KEY" not in clear_text

    # every segment is encrypted whole: padded to 16 bytes, unlike its clear self
    for name in names:
        if name.startswith("Fragments") and "=i," not in name:
            enc = (enc_dir / name).read_bytes()
            clear = (tmp_path / "clear" / name).read_bytes()
            assert len(enc) == (len(clear) // 16 + 1) * 16
            assert enc[:64] != clear[:64]

    want = framemd5(tmp_path / "clear" / "media.m3u8", "v:0", hls_input())
    got = framemd5(enc_dir / "media.m3u8", "v:0", hls_input())
    assert len(want) == asset.duration * asset.fps
    assert got == want

    # the wrong key: nothing decodes to the same frames
    (enc_dir / "key.bin").write_bytes(bytes(16))
    p = run(["ffmpeg", "-nostdin", "-v", "error"] + hls_input()
            + ["-i", str(enc_dir / "media.m3u8"), "-map", "0:v:0", "-f", "framemd5", "-"],
            check=False, timeout=120)
    frames = [l.rsplit(",", 1)[-1].strip() for l in p.stdout.decode().splitlines()
              if l and not l.startswith("#")]
    assert frames != want


def test_envelope_never_serves_other_protocols_in_the_clear(asset, media_root):
    env = {"MP_GET_AES128_KEY": KEY.hex()}
    uri = asset.rel(media_root)
    for req in ("Manifest(format=mpd-time-csf)", "Manifest",
                "QualityLevels(600000)/Fragments(video=0,format=mpd-time-csf)"):
        p = mp_get(media_root, "%s/%s" % (uri, req), env)
        assert p.returncode != 0 and p.stdout == b""
        assert b"served over HLS only" in p.stderr
