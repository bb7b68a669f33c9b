"""Fragmented MP4 as packaging input (moov + mvex, then moof/mdat pairs):
the same clip (H.264 with B-frames + AAC, and HEVC + AAC) remuxed by ffmpeg
into every fragmented layout a live archive or an upload may have, served as
an asset in direct mode, and uploaded through the API and published (catalog
mode).  Every manifest is read by ffprobe, the decoded frames equal the
source's (framemd5, video and audio), progressive download returns the file
as is, a malformed fragment answers 415 with a reason, mediaplane_max_fragments
holds at its bound, and the index is built once (metadata cache).

  dbm      -movflags +frag_keyframe+empty_moov+default_base_moof
  base     +frag_keyframe+empty_moov (tfhd base-data-offset, no default-base-is-moof)
  fdur     -frag_duration 0.7 s: fragments cut between key frames
  ismv     -f ismv: one file, both tracks, Smooth tfxd boxes, 10 MHz timescale
  pertrack one fragmented file per track and an .ism naming them
  hevc     HEVC (hvc1) + AAC, frag_keyframe+empty_moov+default_base_moof (fMP4 only)
"""

import struct
from pathlib import Path
from typing import Dict

import pytest

import tricky_media as tm
from clients import FORMATS, HLS_INPUT, input_opts, manifest_suffix
from media import ffprobe_json, framemd5, http_get

DURATION = 6
SIZE = (320, 240)
FRAG_FLAGS = {
    "dbm": ["-movflags", "+frag_keyframe+empty_moov+default_base_moof"],
    "base": ["-movflags", "+frag_keyframe+empty_moov"],
    "fdur": ["-frag_duration", "700000", "-movflags", "+empty_moov+default_base_moof"],
    "ismv": ["-f", "ismv"],
}
H264_CASES = ["dbm", "base", "fdur", "ismv", "pertrack"]


def _source(d: Path, hevc: bool) -> Path:
    src = d / ("src_hevc.mp4" if hevc else "src.mp4")
    video = (["-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-tag:v", "hvc1",
              "-x265-params", "keyint=50:min-keyint=50:scenecut=0:bframes=2:log-level=error",
              "-b:v", "300k"] if hevc else tm.x264(gop=50, bframes=2))
    tm.ffmpeg(*(tm.testsrc(*SIZE, DURATION, fps=25) + tm.sine(440, DURATION) + video + tm.aac()
                + ["-movflags", "+faststart", str(src)]))
    return src


def _build(d: Path) -> Dict[str, Path]:
    src, hevc_src = _source(d, False), _source(d, True)
    out = {"src": src, "hevc_src": hevc_src}
    for name, flags in FRAG_FLAGS.items():
        out[name] = d / ("%s.mp4" % name)      # single-file assets are .mp4 URLs
        tm.ffmpeg("-i", src, "-c", "copy", *flags, out[name])
    out["hevc"] = d / "hevc.mp4"
    tm.ffmpeg("-i", hevc_src, "-c", "copy", *FRAG_FLAGS["dbm"], out["hevc"])
    out["pt_video"], out["pt_audio"] = d / "pt_video.ismv", d / "pt_audio.ismv"
    tm.ffmpeg("-i", src, "-map", "0:v", "-c", "copy", "-f", "ismv", out["pt_video"])
    tm.ffmpeg("-i", src, "-map", "0:a", "-c", "copy", "-f", "ismv", out["pt_audio"])
    out["pertrack"] = tm.write_ism(d / "pertrack.ism", [(out["pt_video"].name, 300000, 1)],
                                   [(out["pt_audio"].name, 96000, 1, "und")])
    data = out["dbm"].read_bytes()
    # a file cut in the middle of its second moof
    moofs = [off for off, typ in _top_boxes(data) if typ == b"moof"]
    out["bad_truncated"] = d / "bad_truncated.mp4"
    out["bad_truncated"].write_bytes(data[:moofs[1] + 40])
    # the first trun's first sample size made larger than its mdat
    out["bad_trun"] = d / "bad_trun.mp4"
    out["bad_trun"].write_bytes(_patch_first_sample_size(data, 0x00020000))
    return out


def _top_boxes(data: bytes):
    off = 0
    while off + 8 <= len(data):
        size, typ = struct.unpack(">I4s", data[off:off + 8])
        if size == 1:
            size = struct.unpack(">Q", data[off + 8:off + 16])[0]
        yield off, typ
        if size < 8:
            return
        off += size


def _patch_first_sample_size(data: bytes, size: int) -> bytes:
    """The first moof's first trun must carry per-sample sizes (flag 0x200)."""
    moof = next(off for off, typ in _top_boxes(data) if typ == b"moof")
    trun = data.index(b"trun", moof) - 4
    flags = struct.unpack(">I", data[trun + 8:trun + 12])[0] & 0xffffff
    assert flags & 0x200, hex(flags)
    at = trun + 16 + (4 if flags & 1 else 0) + (4 if flags & 4 else 0) + (4 if flags & 0x100 else 0)
    return data[:at] + struct.pack(">I", size) + data[at + 4:]


@pytest.fixture(scope="module")
def frag(media_root) -> Dict[str, Path]:
    return tm.generate(media_root / "media" / "t_fragmented", "fragmented",
                       dict(size=SIZE, duration=DURATION, v=3), _build)


_HASHES: Dict[tuple, list] = {}


def _source_frames(path: Path, spec: str) -> list:
    if (path, spec) not in _HASHES:
        _HASHES[(path, spec)] = framemd5(path, spec)
    return _HASHES[(path, spec)]


def _url(origin, frag, case: str, suffix: str) -> str:
    rel = "/" + frag[case].relative_to(origin.media_root).as_posix()
    return origin.url(rel + "/" + suffix)


def _src(frag, case: str) -> Path:
    return frag["hevc_src"] if case == "hevc" else frag["src"]


def test_fragmented_layouts_differ(frag):
    """The layouts really are what the cases claim."""
    def tfhd_flags(path):
        data = path.read_bytes()
        at = data.index(b"tfhd")
        return struct.unpack(">I", data[at + 4:at + 8])[0] & 0xffffff
    assert tfhd_flags(frag["dbm"]) & 0x020000
    assert tfhd_flags(frag["base"]) & 0x000001 and not tfhd_flags(frag["base"]) & 0x020000
    assert b"\x6d\x1d\x9b\x05\x42\xd5\x44\xe6" in frag["ismv"].read_bytes()     # tfxd
    for case in ("dbm", "fdur"):
        assert b"mvex" in frag[case].read_bytes()[:4096]
    # -frag_duration cuts more fragments than there are key frames (3)
    assert sum(1 for _, t in _top_boxes(frag["fdur"].read_bytes()) if t == b"moof") > 6


@pytest.mark.parametrize("case", H264_CASES + ["hevc"])
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_ffprobe_reads_fragmented_manifests(origin, frag, case, fmt):
    if case == "hevc" and fmt == "hls-ts":
        pytest.skip("HEVC is fMP4 only (TS answers 415)")
    url = _url(origin, frag, case, manifest_suffix(FORMATS[fmt]))
    info = ffprobe_json(url, extra=input_opts(FORMATS[fmt]))
    kinds = sorted({(s["codec_type"], s["codec_name"]) for s in info["streams"]})
    want_video = "hevc" if case == "hevc" else "h264"
    assert kinds == [("audio", "aac"), ("video", want_video)], kinds
    assert abs(float(info["format"]["duration"]) - DURATION) < 0.5, info["format"]


@pytest.mark.parametrize("case", H264_CASES + ["hevc"])
@pytest.mark.parametrize("fmt", ["hls-fmp4", "hls-ts", "dash-csf"])
def test_fragmented_input_is_lossless(origin, frag, case, fmt):
    if case == "hevc" and fmt == "hls-ts":
        pytest.skip("HEVC is fMP4 only (TS answers 415)")
    src = _src(frag, case)
    url = _url(origin, frag, case, manifest_suffix(FORMATS[fmt]))
    extra = input_opts(FORMATS[fmt])
    assert framemd5(url, "v:0", extra_input=extra) == _source_frames(src, "v:0"), url
    want = _source_frames(src, "a:0")
    got = framemd5(url, "a:0", extra_input=extra)
    # fragments carry the AAC priming frame the progressive source's edit list hides
    assert [k for k in range(0, 3) if got[k:k + len(want)] == want], (len(want), len(got))


def test_smooth_of_fragmented_input(origin, frag):
    """Smooth: the manifest's timeline names fragments that carry the
    source's samples (ffmpeg has no Smooth demuxer: fetch and compare)."""
    import xml.etree.ElementTree as ET
    for case in H264_CASES:
        mss = ET.fromstring(http_get(_url(origin, frag, case, "Manifest")).body)
        assert sorted(si.get("Type") for si in mss.iter("StreamIndex")) == ["audio", "video"]
        video = next(si for si in mss.iter("StreamIndex") if si.get("Type") == "video")
        chunks = list(video.iter("c"))
        assert sum(int(c.get("d")) * int(c.get("r", "1")) for c in chunks) == DURATION * 10000000
        level = video.find("QualityLevel").get("Bitrate")
        t = int(chunks[0].get("t", "0"))
        r = http_get(_url(origin, frag, case, "QualityLevels(%s)/Fragments(video=%d)" % (level, t)))
        assert r.status == 200 and r.body[4:8] == b"moof", (case, r.status)


@pytest.mark.parametrize("case", ["dbm", "ismv"])
def test_progressive_download_is_the_file(origin, frag, case):
    rel = "/" + frag[case].relative_to(origin.media_root).as_posix()
    r = http_get(origin.url(rel))
    assert r.status == 200 and r.body == frag[case].read_bytes()


@pytest.mark.parametrize("key,reason", [
    ("bad_truncated", "truncated or malformed"),
    ("bad_trun", "runs past the end of its mdat"),
])
def test_malformed_fragment_is_415(origin, frag, key, reason):
    for suffix in ("Manifest", "Manifest(format=m3u8-aapl)", "Manifest(format=mpd-time-csf)"):
        r = http_get(_url(origin, frag, key, suffix))
        assert r.status == 415, (key, suffix, r.status)
        assert reason in r.body.decode(errors="replace"), r.body[:200]
    assert not origin.crashes()


def test_fragment_limit_at_the_bound(origin_factory, frag):
    """mediaplane_max_fragments: a file with exactly that many moofs is
    packaged, one more answers 415 naming the directive."""
    moofs = sum(1 for _, t in _top_boxes(frag["fdur"].read_bytes()) if t == b"moof")
    ok = origin_factory(location_extra="mediaplane_max_fragments %d;" % moofs)
    assert http_get(_url(ok, frag, "fdur", "Manifest")).status == 200
    low = origin_factory(location_extra="mediaplane_max_fragments %d;" % (moofs - 1))
    r = http_get(_url(low, frag, "fdur", "Manifest"))
    assert r.status == 415
    assert r.body == b"more than %d fragments (mediaplane_max_fragments)\n" % (moofs - 1)


def test_fragmented_index_is_cached(origin, frag):
    """A fragmented file is indexed once, not rescanned per request: after
    its moofs are broken in place (same inode, size and mtime, so the same
    metadata-cache key) manifests still come from the cached index, while a
    fresh index of the file would fail."""
    import os
    import shutil
    probe = frag["fdur"].parent / "cache_probe.mp4"
    shutil.copyfile(frag["fdur"], probe)
    rel = "/" + probe.relative_to(origin.media_root).as_posix()
    url = origin.url(rel + "/Manifest(format=mpd-time-csf)")
    first = http_get(url)
    assert first.status == 200
    st = probe.stat()
    data = probe.read_bytes()
    with open(probe, "r+b") as f:
        for off, typ in _top_boxes(data):
            if typ == b"moof":
                f.seek(off + 4)
                f.write(b"free")
    os.utime(probe, ns=(st.st_atime_ns, st.st_mtime_ns))
    for _ in range(3):
        again = http_get(url)
        assert again.status == 200 and again.body == first.body
    fresh = probe.parent / "cache_probe_copy.mp4"
    shutil.copyfile(probe, fresh)
    r = http_get(origin.url("/" + fresh.relative_to(origin.media_root).as_posix() + "/Manifest"))
    assert r.status == 415, r.status


# ---------------------------------------------------------------- through the API (catalog mode)


@pytest.mark.parametrize("case", ["pertrack", "dbm"])
def test_uploaded_fragmented_asset_streams(platform, frag, case):
    """Fragmented MP4 uploaded as a VoD asset (one fragmented file per track
    with an .ism, as AMS's live archives; a single fragmented .mp4) and
    published with an origin locator: HLS and DASH decode to the source's
    frames, progressive download returns the .mp4."""
    ams = platform.client()
    files = ({p.name: p for p in (frag["pertrack"], frag["pt_video"], frag["pt_audio"])}
             if case == "pertrack" else {frag["dbm"].name: frag["dbm"]})
    asset = ams.upload_asset("frag_" + case, files, block_size=256 * 1024)
    loc = ams.publish(asset["Id"])
    primary = frag[case].name
    for fmt in ("m3u8-aapl", "m3u8-aapl-v3", "mpd-time-csf"):
        url = loc["Path"] + primary + "/Manifest(format=%s)" % fmt
        got = framemd5(url, "v:0", extra_input=input_opts(fmt))
        assert got == _source_frames(frag["src"], "v:0"), (case, fmt)
    if case == "dbm":           # progressive download serves .mp4 files (as AMS)
        r = http_get(loc["Path"] + frag["dbm"].name)
        assert r.status == 200 and r.body == frag["dbm"].read_bytes()
