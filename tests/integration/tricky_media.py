"""Tricky test inputs for mediaplane's integration tests (test_inputs.py).

Everything is generated at test time with ffmpeg (lavfi testsrc2 / sine) and
cached in the media root like media.make_abr_set does: a stamp file with the
generation parameters sits next to the outputs and generation is skipped when
it matches.  Besides the ffmpeg recipes this module holds a minimal ISO BMFF
box reader/rewriter (standard library only) used to

  * verify what ffmpeg wrote (edit lists, stco vs co64, moov position);
  * turn stco into co64 (ffmpeg only writes co64 for files > 4 GB);
  * damage files on purpose (truncated moov, stsz claiming extra samples).

    generate(dir, name, params, build)   -> dict of output paths (cached)
    ffmpeg(*args)                        run ffmpeg quietly, raise on failure
    boxes(data) / find_box(data, path)   walk boxes
    stco_to_co64(src, dst)               rewrite chunk offsets as 64-bit
"""

import json
import struct
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from media import FFMPEG, ism_xml, run

# Containers whose children the rewriter walks (down to the sample tables).
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf"}


# ---------------------------------------------------------------- caching


def generate(dir: Union[str, Path], name: str, params: dict,
             build: Callable[[Path], Dict[str, Path]], force: bool = False) -> Dict[str, Path]:
    """Run build(dir) -> {key: path} unless a stamp '.<name>.params.json' in
    dir records the same params and every listed output still exists."""
    dir = Path(dir)
    params = json.loads(json.dumps(params))     # tuples -> lists, as stored
    stamp = dir / (".%s.params.json" % name)
    if not force and stamp.exists():
        try:
            saved = json.loads(stamp.read_text())
            if saved.get("params") == params:
                outs = {k: dir / v for k, v in saved["outputs"].items()}
                if all(p.exists() for p in outs.values()):
                    return outs
        except (ValueError, KeyError, AttributeError):
            pass
    dir.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    outs = build(dir)
    stamp.write_text(json.dumps({"params": params,
                                 "outputs": {k: Path(p).name for k, p in outs.items()}}))
    return {k: Path(p) for k, p in outs.items()}


def ffmpeg(*args: str, timeout: float = 120) -> None:
    run([FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"] + [str(a) for a in args],
        timeout=timeout)


def testsrc(w: int, h: int, duration: float, fps: int = 30) -> List[str]:
    return ["-f", "lavfi", "-i", "testsrc2=size=%dx%d:rate=%d:duration=%s" % (w, h, fps, duration)]


def sine(freq: int, duration: float, rate: int = 48000) -> List[str]:
    return ["-f", "lavfi", "-i", "sine=frequency=%d:sample_rate=%d:duration=%s" % (freq, rate, duration)]


def x264(gop: int = 60, bframes: int = 2, kbps: int = 300) -> List[str]:
    return ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", str(gop),
            "-keyint_min", str(gop), "-sc_threshold", "0", "-bf", str(bframes),
            "-b:v", "%dk" % kbps, "-maxrate", "%dk" % kbps, "-bufsize", "%dk" % (2 * kbps)]


def aac(kbps: int = 96) -> List[str]:
    return ["-c:a", "aac", "-b:a", "%dk" % kbps, "-ar", "48000", "-ac", "2"]


def write_ism(path: Path, videos: Sequence[Tuple[str, int, int]],
              audios: Sequence[Tuple[str, int, int, str]]) -> Path:
    """videos: (src, bps, trackID); audios: (src, bps, trackID, lang)."""
    path.write_text(ism_xml(videos, audios), encoding="utf-8")
    return path


# ---------------------------------------------------------------- ISO BMFF


def boxes(data: bytes, start: int = 0,
          end: Optional[int] = None) -> Iterator[Tuple[bytes, int, int, int]]:
    """Yield (type, offset, size, header_len) of the boxes in data[start:end]."""
    end = len(data) if end is None else end
    off = start
    while off + 8 <= end:
        size, typ = struct.unpack(">I4s", data[off:off + 8])
        hdr = 8
        if size == 1:
            size = struct.unpack(">Q", data[off + 8:off + 16])[0]
            hdr = 16
        elif size == 0:
            size = end - off
        if size < hdr or off + size > end:
            raise ValueError("box %r at %d: bad size %d" % (typ, off, size))
        yield typ, off, size, hdr
        off += size


def find_box(data: bytes, path: str, start: int = 0, end: Optional[int] = None,
             index: int = 0) -> Optional[Tuple[int, int, int]]:
    """(offset, size, header_len) of the box at 'moov/trak/mdia/...'; index
    picks the n-th match of the first path element (e.g. the n-th trak when
    called as find_box(moov_body..., 'trak/...'))."""
    first, _, rest = path.partition("/")
    n = 0
    for typ, off, size, hdr in boxes(data, start, end):
        if typ == first.encode():
            if n == index:
                if not rest:
                    return off, size, hdr
                return find_box(data, rest, off + hdr, off + size)
            n += 1
    return None


def box_types(data: bytes, path: str) -> List[str]:
    """Types of the children of the box at path (e.g. 'moov/trak/mdia/minf/stbl')
    for every trak: a flat list."""
    out = []
    moov = find_box(data, "moov")
    if moov is None:
        return out
    i = 0
    while True:
        trak = find_box(data, "trak", moov[0] + moov[2], moov[0] + moov[1], index=i)
        if trak is None:
            return out
        sub = path.split("/", 2)[-1] if path.startswith("moov/trak/") else path
        box = find_box(data, sub, trak[0] + trak[2], trak[0] + trak[1])
        if box is not None:
            out += [t.decode("latin-1") for t, *_ in boxes(data, box[0] + box[2], box[0] + box[1])]
        i += 1


def top_level(data: bytes) -> List[str]:
    return [t.decode("latin-1") for t, *_ in boxes(data)]


def elst_entries(data: bytes, track_index: int) -> List[Tuple[int, int]]:
    """(segment_duration, media_time) of a trak's edit list."""
    moov = find_box(data, "moov")
    trak = find_box(data, "trak", moov[0] + moov[2], moov[0] + moov[1], index=track_index)
    elst = find_box(data, "edts/elst", trak[0] + trak[2], trak[0] + trak[1])
    if elst is None:
        return []
    b = data[elst[0] + elst[2]:elst[0] + elst[1]]
    version, count = b[0], struct.unpack(">I", b[4:8])[0]
    out = []
    for i in range(count):
        if version == 1:
            d, t = struct.unpack(">Qq", b[8 + 20 * i:8 + 20 * i + 16])
        else:
            d, t = struct.unpack(">Ii", b[8 + 12 * i:8 + 12 * i + 8])
        out.append((d, t))
    return out


def _rebuild(data: bytes, off: int, size: int, hdr: int, convert: Callable) -> bytes:
    typ = data[off + 4:off + 8]
    body = data[off + hdr:off + size]
    if typ in CONTAINERS:
        body = b"".join(_rebuild(data, o, s, h, convert)
                        for _t, o, s, h in boxes(data, off + hdr, off + size))
    else:
        replaced = convert(typ, body)
        if replaced is not None:
            typ, body = replaced
    return struct.pack(">I4s", 8 + len(body), typ) + body


def rewrite_moov(data: bytes, convert: Callable[[bytes, bytes], Optional[Tuple[bytes, bytes]]]) -> bytes:
    """Rebuild the moov with convert(type, body) -> (type, body) | None applied
    to every leaf box below it; parent sizes are recomputed.  The moov must be
    the last box with media after it nowhere (sample offsets are kept as is)."""
    moov = find_box(data, "moov")
    if moov is None:
        raise ValueError("no moov")
    off, size, hdr = moov
    mdat = find_box(data, "mdat")
    if mdat is None or mdat[0] > off:
        raise ValueError("moov must follow mdat (a file written without faststart)")
    return data[:off] + _rebuild(data, off, size, hdr, convert) + data[off + size:]


def stco_to_co64(src: Path, dst: Path) -> None:
    """Copy src to dst with every stco turned into a co64 (same offsets)."""
    def convert(typ, body):
        if typ != b"stco":
            return None
        count = struct.unpack(">I", body[4:8])[0]
        offsets = struct.unpack(">%dI" % count, body[8:8 + 4 * count])
        return b"co64", body[:8] + struct.pack(">%dQ" % count, *offsets)
    data = Path(src).read_bytes()
    Path(dst).write_bytes(rewrite_moov(data, convert))


def patch_stsz_count(src: Path, dst: Path, extra: int, track_index: int = 0) -> None:
    """Copy src to dst with the sample count of a trak's stsz raised by extra
    (the table itself unchanged: it claims samples that do not exist)."""
    data = bytearray(Path(src).read_bytes())
    moov = find_box(data, "moov")
    trak = find_box(data, "trak", moov[0] + moov[2], moov[0] + moov[1], index=track_index)
    stsz = find_box(data, "mdia/minf/stbl/stsz", trak[0] + trak[2], trak[0] + trak[1])
    at = stsz[0] + stsz[2] + 8          # version/flags, sample_size, sample_count
    count = struct.unpack(">I", data[at:at + 4])[0]
    data[at:at + 4] = struct.pack(">I", count + extra)
    Path(dst).write_bytes(bytes(data))


def truncate_in_moov(src: Path, dst: Path) -> None:
    """Copy src (moov first) to dst cut in the middle of its moov."""
    data = Path(src).read_bytes()
    off, size, _ = find_box(data, "moov")
    Path(dst).write_bytes(data[:off + size // 2])


# ---------------------------------------------------------------- recipes
#
# Each recipe takes the directory that maps to /media/ (media_root/"media") and
# returns {key: path}; keys ending in "_ism" are server manifests.  Small
# pictures and a few seconds keep the whole module fast on two cores.

DURATION = 6
SMALL = (320, 180)


def sync_assets(media: Path) -> Dict[str, Path]:
    """B-frames and edit lists: 'bf3' (x264 -bf 3, AAC: ctts + media_time edit
    lists on both tracks) and 'offset' (the same with the video delayed by
    0.5 s: an empty edit before its media_time edit), each video + AAC muxed in
    one MP4; 'offset_ism' addresses the tracks of 'offset' as an .ism set."""
    params = dict(size=SMALL, duration=DURATION, bframes=3, offset=0.5, v=1)

    def build(d: Path) -> Dict[str, Path]:
        out = {}
        for key, lead in (("bf3", []), ("offset", ["-itsoffset", "0.5"])):
            path = d / ("%s.mp4" % key)
            ffmpeg(*(lead + testsrc(*SMALL, DURATION) + sine(440, DURATION)
                     + ["-map", "0:v", "-map", "1:a"] + x264(bframes=3)
                     + ["-fps_mode", "passthrough"] + aac()
                     + ["-metadata:s:a:0", "language=eng", str(path)]))
            out[key] = path
        out["offset_ism"] = write_ism(d / "offset.ism", [("offset.mp4", 300000, 1)],
                                      [("offset.mp4", 96000, 2, "eng")])
        return out
    return generate(media / "t_sync", "sync", params, build)


def vfr_assets(media: Path) -> Dict[str, Path]:
    """Variable frame rate: testsrc2 at 30 fps with irregular frames dropped
    (select) and the second half slowed down (setpts, 90 kHz timebase), kept
    as is (-fps_mode vfr); key frames forced every 2 s; AAC muxed."""
    params = dict(size=SMALL, duration=DURATION, v=1)

    def build(d: Path) -> Dict[str, Path]:
        path = d / "vfr.mp4"
        fc = ("[0:v]select='not(eq(mod(n\\,5)\\,2))*not(eq(mod(n\\,7)\\,3))',settb=1/90000,"
              "setpts='if(lt(T\\,3)\\,PTS\\,(3+(T-3)*1.5)/TB)'[v]")
        ffmpeg(*(testsrc(*SMALL, DURATION) + sine(440, DURATION * 1.25)
                 + ["-filter_complex", fc, "-map", "[v]", "-map", "1:a",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-bf", "2",
                    "-force_key_frames", "expr:gte(t,n_forced*2)", "-sc_threshold", "0",
                    "-fps_mode", "vfr", "-video_track_timescale", "90000"]
                 + aac() + ["-shortest", str(path)]))
        return {"vfr": path}
    return generate(media / "t_vfr", "vfr", params, build)


def hevc_assets(media: Path) -> Dict[str, Path]:
    """HEVC (libx265, hvc1 sample entry, 2 s closed GOPs) + separate AAC, as
    'hevc_ism'."""
    params = dict(size=SMALL, duration=DURATION, v=1)

    def build(d: Path) -> Dict[str, Path]:
        video, audio = d / "hevc_320x180.mp4", d / "hevc_aac_eng.mp4"
        ffmpeg(*(testsrc(*SMALL, DURATION)
                 + ["-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    "-x265-params", "keyint=60:min-keyint=60:scenecut=0:open-gop=0:log-level=error",
                    "-b:v", "300k", "-tag:v", "hvc1", "-movflags", "+faststart", str(video)]))
        ffmpeg(*(sine(440, DURATION) + aac() + ["-metadata:s:a:0", "language=eng",
                                                 "-movflags", "+faststart", str(audio)]))
        ism = write_ism(d / "hevc.ism", [(video.name, 300000, 1)], [(audio.name, 96000, 1, "eng")])
        return {"video": video, "audio": audio, "hevc_ism": ism}
    return generate(media / "t_hevc", "hevc", params, build)


def dolby_assets(media: Path) -> Dict[str, Path]:
    """H.264 video with AC-3 ('ac3_ism') or E-AC-3 ('eac3_ism') audio in
    separate MP4s (ffmpeg's ac3/eac3 encoders, 192 kb/s stereo), and
    'mixed_ism': the video with E-AC-3 listed first, then AAC."""
    params = dict(size=SMALL, duration=DURATION, v=2)

    def build(d: Path) -> Dict[str, Path]:
        video = d / "dolby_320x180.mp4"
        ffmpeg(*(testsrc(*SMALL, DURATION) + x264() + ["-movflags", "+faststart", str(video)]))
        out = {"video": video}
        for codec in ("ac3", "eac3"):
            audio = d / ("dolby_%s_eng.mp4" % codec)
            ffmpeg(*(sine(440, DURATION) + ["-c:a", codec, "-b:a", "192k", "-ac", "2",
                                             "-metadata:s:a:0", "language=eng",
                                             "-movflags", "+faststart", str(audio)]))
            out[codec] = audio
            out[codec + "_ism"] = write_ism(d / ("%s.ism" % codec), [(video.name, 300000, 1)],
                                            [(audio.name, 192000, 1, "eng")])
        out["aac"] = d / "dolby_aac_eng.mp4"
        ffmpeg(*(sine(440, DURATION) + aac() + ["-metadata:s:a:0", "language=eng",
                                                 "-movflags", "+faststart", str(out["aac"])]))
        out["mixed_ism"] = write_ism(d / "mixed.ism", [(video.name, 300000, 1)],
                                     [(out["eac3"].name, 192000, 1, "eng"),
                                      (out["aac"].name, 96000, 1, "eng")])
        return out
    return generate(media / "t_dolby", "dolby", params, build)


def bad_assets(media: Path, good_mp4: Path) -> Dict[str, Path]:
    """Malformed inputs derived from good_mp4 (video + audio muxed, moov
    first): 'truncated' (cut in the middle of the moov), 'random' (random
    bytes named .mp4), 'empty' (0 bytes), 'stsz' (stsz claims 1000 more samples than its table
    and the chunks hold), 'beyond' (cut in the mdat: samples past the end of
    the file), 'video' (video-only copy for .ism tests), and server manifests
    'missing_ism' (names a file that does not exist), 'notrack_ism' (an
    <audio> from a file without audio), 'badtrack_ism' (a trackID the file
    does not have), 'notxml_ism' (not XML)."""
    params = dict(src=good_mp4.name, size=good_mp4.stat().st_size, v=3)

    def build(d: Path) -> Dict[str, Path]:
        out = {k: d / ("%s.mp4" % k)
               for k in ("truncated", "random", "empty", "stsz", "beyond", "video")}
        out["empty"].write_bytes(b"")
        truncate_in_moov(good_mp4, out["truncated"])
        out["random"].write_bytes(bytes((i * 7919 + 13) % 251 for i in range(100000)))
        patch_stsz_count(good_mp4, out["stsz"], 1000)
        data = good_mp4.read_bytes()
        mdat = find_box(data, "mdat")
        out["beyond"].write_bytes(data[:mdat[0] + mdat[1] // 2])
        ffmpeg("-i", good_mp4, "-map", "0:v", "-c", "copy", "-movflags", "+faststart", out["video"])
        out["missing_ism"] = write_ism(d / "missing.ism", [("video.mp4", 300000, 1)],
                                       [("nope.mp4", 96000, 1, "eng")])
        out["notrack_ism"] = write_ism(d / "notrack.ism", [("video.mp4", 300000, 1)],
                                       [("video.mp4", 96000, 0, "eng")])
        out["badtrack_ism"] = write_ism(d / "badtrack.ism", [("video.mp4", 300000, 7)], [])
        out["notxml_ism"] = d / "notxml.ism"
        out["notxml_ism"].write_bytes(b"\x00\x01 this is not { xml ]]\n" * 20)
        return out
    return generate(media / "t_bad", "bad", params, build)
