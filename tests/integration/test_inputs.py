"""Tricky inputs, checked by real clients.

Every case is generated at test time (tricky_media.py, media.make_abr_set) and
goes through the same checks as the default asset in test_packaging.py:
ffprobe reads each manifest, the video decoded from HLS (fMP4 and TS) and
DASH is frame-for-frame the source's (framemd5), GStreamer's playbin3 plays
HLS, DASH and Smooth.  Cases:

  late_ism, late_single   moov after mdat (no faststart): .ism set, single MP4
  co64                    chunk offsets in co64 (rewritten from stco)
  bf3, offset, offset_ism x264 -bf 3 (ctts + edit lists); video delayed 0.5 s
                          by an empty edit: A/V offsets as in the source
  vfr                     variable frame rate, forced 2 s key frames
  langs_ism, langsmux_ism, langsmux_single
                          three audio languages, separate files / one MP4
  audio_only, video_only  sets with only <audio> / only <video>
  hevc                    HEVC (hvc1): fMP4 only, TS answers 415
  ac3, eac3               Dolby audio passed through in fMP4
  mixed                   E-AC-3 listed before AAC: TS muxes the AAC track
  muxed                   one MP4 with video + audio; progressive download
Malformed inputs (truncated moov, random bytes, stsz overclaiming, samples
past the end of the file, broken .ism files) answer 404/415 with a reason in
the error log and never crash a worker.
"""

import http.client
import re
import urllib.error
import urllib.parse
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

import tricky_media as tm
from clients import (FORMATS, HLS_INPUT, TS_AUDIO_TOLERANCE, gst_play, gst_video_md5, input_opts,
                     manifest_suffix, ts_audio_deviation)
from media import FFPROBE, ffprobe_json, framemd5, http_get, run

DASH_NS = {"d": "urn:mpeg:dash:schema:mpd:2011"}
SYNC_TOLERANCE = 0.050  # seconds: A/V start offset packaged vs source


# ---------------------------------------------------------------- cases


class Case:
    """One asset as a URL prefix plus what its tracks must decode to."""

    def __init__(self, cid: str, url_path: str, videos: List[Tuple[int, Path, str]],
                 audios: List[Tuple[Path, str]], vcodec: Optional[str] = "h264",
                 acodec: Optional[str] = "aac", formats: Optional[List[str]] = None,
                 smooth: bool = True):
        self.id = cid
        self.url_path = url_path          # "/media/x/x.ism" or "/media/x/f.mp4"
        self.videos = videos              # (width, source file, ffmpeg stream spec)
        self.audios = audios              # (source file, ffmpeg stream spec), manifest order
        self.vcodec = vcodec
        self.acodec = acodec
        self.formats = formats if formats is not None else sorted(FORMATS)
        self.smooth = smooth

    def url(self, origin, suffix: str) -> str:
        return origin.url(self.url_path + "/" + suffix)


def _rel(media_root: Path, path: Path) -> str:
    return "/" + Path(path).relative_to(media_root).as_posix()


def _abr_case(cid, media_root, aset, **kw) -> Case:
    videos = [(r.width, r.path, "v:0") for r in aset.renditions]
    audios = []
    for a in aset.audio:
        spec = "a:0" if aset.params["separate_audio"] else "a:%d" % (a.track_id - 2)
        audios.append((a.path, spec))
    return Case(cid, _rel(media_root, aset.ism), videos, audios, **kw)


class Assets:
    """Builds the cases on first use (a -k selection generates only what it
    needs); generated media are cached across sessions."""

    def __init__(self, media_root: Path, media_factory):
        self.root = media_root
        self.media = media_root / "media"
        self.factory = media_factory
        self._cases: Dict[str, Case] = {}
        self._raw: Dict[str, object] = {}

    def _once(self, key, fn):
        if key not in self._raw:
            self._raw[key] = fn()
        return self._raw[key]

    # sets built by make_abr_set
    def late(self):
        return self._once("late", lambda: self.factory(
            "t_late", renditions=((640, 360, 600), (320, 180, 250)), duration=tm.DURATION,
            faststart=False, audio_kbps=96))

    def single(self, faststart: bool):
        name = "t_muxed" if faststart else "t_single"
        return self._once(name, lambda: self.factory(
            name, renditions=((480, 270, 500),), duration=tm.DURATION, separate_audio=False,
            faststart=faststart, audio_kbps=96))

    def langs(self):
        return self._once("langs", lambda: self.factory(
            "t_langs", renditions=((320, 180, 250),), duration=tm.DURATION,
            audio_langs=("eng", "fra", "deu"), audio_kbps=96))

    def langsmux(self):
        return self._once("langsmux", lambda: self.factory(
            "t_langsmux", renditions=((320, 180, 250),), duration=tm.DURATION,
            audio_langs=("eng", "fra", "deu"), separate_audio=False, audio_kbps=96))

    def co64_file(self) -> Path:
        def make():
            src = self.single(False).renditions[0].path
            return tm.generate(src.parent, "co64", dict(src=src.name, size=src.stat().st_size),
                               lambda d: (tm.stco_to_co64(src, d / "t_single_co64.mp4"),
                                          {"co64": d / "t_single_co64.mp4"})[1])["co64"]
        return self._once("co64", make)

    def partial_sets(self) -> Dict[str, Path]:
        """audio_only.ism / video_only.ism next to the language set's files."""
        def make():
            aset = self.langs()
            audio = tm.write_ism(aset.dir / "audio_only.ism", [],
                                 [(a.path.name, a.kbps * 1000, 1, a.lang) for a in aset.audio])
            r = aset.renditions[0]
            video = tm.write_ism(aset.dir / "video_only.ism", [(r.path.name, r.kbps * 1000, 1)], [])
            return {"audio": audio, "video": video}
        return self._once("partial", make)

    def bad(self) -> Dict[str, Path]:
        return self._once("bad", lambda: tm.bad_assets(self.media,
                                                       self.single(True).renditions[0].path))

    def case(self, cid: str) -> Case:
        if cid not in self._cases:
            self._cases[cid] = getattr(self, "_case_" + cid)()
        return self._cases[cid]

    # case builders
    def _case_late_ism(self):
        return _abr_case("late_ism", self.root, self.late())

    def _single_case(self, cid, path, aset):
        return Case(cid, _rel(self.root, path), [(aset.renditions[0].width, path, "v:0")],
                    [(path, "a:0")])

    def _case_late_single(self):
        aset = self.single(False)
        return self._single_case("late_single", aset.renditions[0].path, aset)

    def _case_muxed(self):
        aset = self.single(True)
        return self._single_case("muxed", aset.renditions[0].path, aset)

    def _case_co64(self):
        return self._single_case("co64", self.co64_file(), self.single(False))

    def _case_bf3(self):
        f = tm.sync_assets(self.media)["bf3"]
        return Case("bf3", _rel(self.root, f), [(320, f, "v:0")], [(f, "a:0")])

    def _case_offset(self):
        f = tm.sync_assets(self.media)["offset"]
        return Case("offset", _rel(self.root, f), [(320, f, "v:0")], [(f, "a:0")])

    def _case_offset_ism(self):
        a = tm.sync_assets(self.media)
        f = a["offset"]
        return Case("offset_ism", _rel(self.root, a["offset_ism"]), [(320, f, "v:0")], [(f, "a:0")])

    def _case_vfr(self):
        f = tm.vfr_assets(self.media)["vfr"]
        return Case("vfr", _rel(self.root, f), [(320, f, "v:0")], [(f, "a:0")])

    def _case_langs_ism(self):
        return _abr_case("langs_ism", self.root, self.langs())

    def _case_langsmux_ism(self):
        return _abr_case("langsmux_ism", self.root, self.langsmux())

    def _case_langsmux_single(self):
        aset = self.langsmux()
        f = aset.renditions[0].path
        return Case("langsmux_single", _rel(self.root, f), [(320, f, "v:0")],
                    [(f, "a:%d" % i) for i in range(3)])

    def _case_audio_only(self):
        aset = self.langs()
        return Case("audio_only", _rel(self.root, self.partial_sets()["audio"]), [],
                    [(a.path, "a:0") for a in aset.audio], vcodec=None)

    def _case_video_only(self):
        aset = self.langs()
        r = aset.renditions[0]
        return Case("video_only", _rel(self.root, self.partial_sets()["video"]),
                    [(r.width, r.path, "v:0")], [], acodec=None)

    def _case_hevc(self):
        a = tm.hevc_assets(self.media)
        return Case("hevc", _rel(self.root, a["hevc_ism"]), [(320, a["video"], "v:0")],
                    [(a["audio"], "a:0")], vcodec="hevc", smooth=False,
                    formats=["hls-fmp4", "hls-cmaf", "dash-csf", "dash-cmaf"])

    def _dolby_case(self, codec):
        a = tm.dolby_assets(self.media)
        return Case(codec, _rel(self.root, a[codec + "_ism"]), [(320, a["video"], "v:0")],
                    [(a[codec], "a:0")], acodec=codec, smooth=False,
                    formats=["hls-fmp4", "hls-cmaf", "dash-csf", "dash-cmaf"])

    def _case_ac3(self):
        return self._dolby_case("ac3")

    def _case_eac3(self):
        return self._dolby_case("eac3")

    def _case_mixed(self):
        a = tm.dolby_assets(self.media)
        return Case("mixed", _rel(self.root, a["mixed_ism"]), [(320, a["video"], "v:0")],
                    [(a["eac3"], "a:0"), (a["aac"], "a:0")], acodec=None, smooth=False)


CASES = ["late_ism", "late_single", "co64", "bf3", "offset", "offset_ism", "vfr", "langs_ism",
         "langsmux_ism", "langsmux_single", "audio_only", "video_only", "hevc", "ac3", "eac3",
         "mixed", "muxed"]

# GStreamer's mssdemux (1.22) knows only H264/WVC1 and AACL/WMAP FourCCs: with
# HVC1, AC-3 or EC-3 it hangs instead of failing, so Smooth is checked there by
# comparing fragment payloads with the source samples instead.
NO_GST_SMOOTH = ["hevc", "ac3", "eac3", "mixed"]
GST_TIMEOUT = 90


@pytest.fixture(scope="module")
def origin(origin_factory):
    """2 s HLS segments (one per GOP): the 6 s default would make every HLS
    playlist of these 6 s assets a single segment, and GStreamer 1.22's
    hlsdemux2 then fails now and then ("Can't push EOS on non-exposed pad":
    the stream ends before its pad is exposed), ~1 run in 30."""
    return origin_factory(location_extra="mediaplane_segment_duration 2s;")


@pytest.fixture(scope="module")
def assets(media_root, media_factory) -> Assets:
    return Assets(media_root, media_factory)


_HASHES: Dict[Tuple[str, str], List[str]] = {}


def source_frames(path: Path, spec: str) -> List[str]:
    key = (str(path), spec)
    if key not in _HASHES:
        _HASHES[key] = framemd5(path, spec)
    return _HASHES[key]


def case_params(kind: str):
    """(case, format) pairs: kind 'manifest' = every format the case supports,
    'lossless' = HLS fMP4, HLS TS and DASH, 'play' = those plus Smooth."""
    wanted = {"manifest": sorted(FORMATS), "lossless": ["hls-fmp4", "hls-ts", "dash-csf"],
              "play": ["hls-fmp4", "hls-ts", "dash-csf", "smooth"]}[kind]
    return [(c, f) for c in CASES for f in wanted]


# ---------------------------------------------------------------- helpers


def hls_variants(text: str) -> List[Tuple[str, str]]:
    """(EXT-X-STREAM-INF attributes, URI) of a master playlist."""
    lines = text.splitlines()
    return [(lines[i], lines[i + 1]) for i, line in enumerate(lines)
            if line.startswith("#EXT-X-STREAM-INF:")]


def first_segment(origin, case: "Case", playlist_uri: str) -> str:
    """URL of the first segment of the media playlist at playlist_uri
    (relative to the asset, as the master lists it)."""
    media = http_get(case.url(origin, playlist_uri))
    assert media.status == 200, playlist_uri
    seg = [line for line in media.text.splitlines() if line.startswith("Fragments(")][0]
    return case.url(origin, playlist_uri.rsplit("/", 1)[0] + "/" + seg)


def hls_media(text: str) -> List[str]:
    return [line for line in text.splitlines() if line.startswith("#EXT-X-MEDIA:")]


def attr(line: str, name: str) -> Optional[str]:
    m = re.search(r'(?:^|[:,])%s=("[^"]*"|[^,]*)' % re.escape(name), line)
    return m.group(1).strip('"') if m else None


def probe_streams(url: str, fmt: str) -> List[dict]:
    return ffprobe_json(url, extra=input_opts(fmt))["streams"]


_CODECS: Dict[Tuple[str, str], str] = {}


def source_codec(path: Path, spec: str) -> str:
    key = (str(path), spec)
    if key not in _CODECS:
        p = run([FFPROBE, "-v", "error", "-select_streams", spec, "-show_entries",
                 "stream=codec_name", "-of", "default=nw=1:nk=1", str(path)])
        _CODECS[key] = p.stdout.decode().split()[0]
    return _CODECS[key]


def audio_matches(got: List[str], src: List[str], codec: str = "aac") -> bool:
    """Packaged audio carries the encoder delay the source's edit list hides:
    a whole AAC priming frame (got starts up to 2 frames later), or for AC-3
    and E-AC-3 256 samples of the first frame (ffmpeg trims that frame of the
    source, so only its hash differs)."""
    n = len(src)
    for k in range(0, 3):
        if got[k:k + n] == src:
            return True
        if codec in ("ac3", "eac3") and n > 2 and got[k + 1:k + n] == src[1:]:
            return True
    return False


def start_times(url: str, fmt: str = "") -> Dict[str, float]:
    """Earliest start_time per codec_type as ffprobe sees the input."""
    out: Dict[str, float] = {}
    for s in probe_streams(url, fmt):
        if s.get("start_time") not in (None, "N/A"):
            t = float(s["start_time"])
            out[s["codec_type"]] = min(t, out.get(s["codec_type"], t))
    return out


def gst_ok(url: str) -> None:
    p = gst_play(url, timeout=GST_TIMEOUT)
    assert p.returncode == 0, p.stdout.decode(errors="replace")[-2000:]


class LogWatch:
    """Error-log text written after construction (without consuming what the
    conftest crash check reads)."""

    def __init__(self, origin):
        self.origin = origin
        self.start = len(origin.error_log())

    def text(self) -> str:
        return self.origin.error_log()[self.start:]


# ---------------------------------------------------------------- generic checks


@pytest.mark.parametrize("cid,fmt", case_params("manifest"))
def test_ffprobe_reads_manifest(origin, assets, cid, fmt):
    case = assets.case(cid)
    if fmt not in case.formats:
        pytest.skip("%s is not offered for %s (see the dedicated test)" % (fmt, cid))
    info = ffprobe_json(case.url(origin, manifest_suffix(FORMATS[fmt])),
                        extra=input_opts(FORMATS[fmt]))
    streams = info["streams"]
    video = sorted(s.get("width") for s in streams if s["codec_type"] == "video")
    if fmt.startswith("hls"):
        video = sorted(set(video))   # one variant per video track and audio group
    assert video == sorted({w for w, _, _ in case.videos}), streams
    if case.vcodec:
        assert {s["codec_name"] for s in streams if s["codec_type"] == "video"} == {case.vcodec}
    audio = [s for s in streams if s["codec_type"] == "audio"]
    if fmt == "hls-ts":
        # TS muxes the default audio into the video variants; an audio-only
        # set lists every language as a variant of its own
        assert len(audio) >= (1 if case.audios else 0), streams
    else:
        assert len(audio) == len(case.audios), streams
    if case.acodec:
        assert {s["codec_name"] for s in audio} == {case.acodec}
    src = case.videos[0][1] if case.videos else case.audios[0][0]
    want = float(ffprobe_json(src)["format"]["duration"])
    got = float(info["format"]["duration"])
    # ffmpeg's DASH demuxer truncates mediaPresentationDuration to whole
    # seconds, and an HLS playlist starts at the first segment (0.5 s into
    # the 'offset' presentation): a coarse check, the frame checks are exact
    assert abs(got - want) < 1.0, (got, want)


@pytest.mark.parametrize("cid,fmt", case_params("lossless"))
def test_video_is_lossless(origin, assets, cid, fmt):
    case = assets.case(cid)
    if fmt not in case.formats:
        pytest.skip("%s is not offered for %s" % (fmt, cid))
    if not case.videos:
        pytest.skip("no video")
    f = FORMATS[fmt]
    if fmt.startswith("hls"):
        master = http_get(case.url(origin, manifest_suffix(f)))
        assert master.status == 200, master.status
        variants = hls_variants(master.text)
        for width, src, spec in case.videos:
            uris = [uri for inf, uri in variants
                    if (attr(inf, "RESOLUTION") or "").startswith("%dx" % width)]
            assert uris, (width, master.text)
            got = framemd5(case.url(origin, uris[0]), "v:0", extra_input=HLS_INPUT)
            assert got == source_frames(src, spec), (width, len(got))
    else:
        url = case.url(origin, manifest_suffix(f))
        streams = [s for s in probe_streams(url, f) if s["codec_type"] == "video"]
        by_width = {w: (src, spec) for w, src, spec in case.videos}
        assert sorted(s["width"] for s in streams) == sorted(by_width)
        for index, s in enumerate(streams):
            src, spec = by_width[s["width"]]
            got = framemd5(url, "v:%d" % index)
            assert got == source_frames(src, spec), (s["width"], len(got))


@pytest.mark.parametrize("cid,fmt", case_params("play"))
def test_gstreamer_plays(origin, assets, cid, fmt):
    case = assets.case(cid)
    if fmt != "smooth" and fmt not in case.formats:
        pytest.skip("%s is not offered for %s" % (fmt, cid))
    if fmt == "smooth" and not case.smooth:
        pytest.skip("GStreamer cannot play Smooth %s (see test_smooth_fragments_carry_source_samples)"
                    % cid)
    gst_ok(case.url(origin, manifest_suffix(FORMATS.get(fmt, ""))))


@pytest.mark.parametrize("cid", CASES)
def test_dash_audio_is_lossless(origin, assets, cid):
    """Every audio track decoded from the MPD (-map 0:a:N, in manifest order)
    equals its source, up to the encoder delay the source hides."""
    case = assets.case(cid)
    if not case.audios:
        pytest.skip("no audio")
    url = case.url(origin, manifest_suffix("mpd-time-csf"))
    for n, (src, spec) in enumerate(case.audios):
        want = source_frames(src, spec)
        got = framemd5(url, "a:%d" % n)
        assert audio_matches(got, want, source_codec(src, spec)), (n, src.name, spec, len(got),
                                                                    len(want))


@pytest.mark.parametrize("cid", ["late_ism", "co64", "vfr", "bf3", "offset"])
def test_smooth_decodes_source_frames(origin, assets, cid):
    case = assets.case(cid)
    got = gst_video_md5(case.url(origin, "Manifest"), timeout=GST_TIMEOUT)
    (_, src, spec), = case.videos[-1:]
    known = set()
    for _, s, sp in case.videos:
        known |= set(source_frames(s, sp))
    assert len(got) == len(source_frames(src, spec))
    assert set(got) <= known


def smooth_payloads(origin, case: Case) -> Dict[str, List[bytes]]:
    """Walk the Smooth manifest; per StreamIndex the mdat payloads of its
    first QualityLevel's fragments, in order."""
    base = case.url(origin, "")
    mss = ET.fromstring(http_get(base + "Manifest").body)
    out: Dict[str, List[bytes]] = {}
    for si in mss.iter("StreamIndex"):
        bitrate = next(si.iter("QualityLevel")).get("Bitrate")
        t, frags = 0, []
        for c in si.iter("c"):
            t = int(c.get("t", t))
            for _ in range(int(c.get("r", 1))):
                url = base + si.get("Url").replace("{bitrate}", bitrate).replace("{start time}", str(t))
                r = http_get(url)
                assert r.status == 200, url
                assert tm.top_level(r.body) == ["moof", "mdat"], url
                off, size, hdr = tm.find_box(r.body, "mdat")
                frags.append(r.body[off + hdr:off + size])
                t += int(c.get("d"))
        out[si.get("Name")] = frags
    return out


def source_samples(path: Path, spec: str) -> bytes:
    """Every sample of a track, in decode order, as stored in the MP4."""
    p = run(["ffmpeg", "-nostdin", "-v", "error", "-ignore_editlist", "1", "-i", str(path),
             "-map", "0:" + spec, "-c", "copy", "-f", "data", "-"])
    return p.stdout


@pytest.mark.parametrize("cid", NO_GST_SMOOTH)
def test_smooth_fragments_carry_source_samples(origin, assets, cid):
    case = assets.case(cid)
    frags = smooth_payloads(origin, case)
    (video,) = [v for k, v in frags.items() if k == "video"]
    assert len(video) == 3
    assert b"".join(video) == source_samples(case.videos[0][1], "v:0")
    audio = [v for k, v in frags.items() if k.startswith("audio")]
    assert len(audio) == 1                   # one StreamIndex per language
    assert b"".join(audio[0]) == source_samples(*case.audios[0])


# ---------------------------------------------------------------- 1. moov at the end, 2. co64


def test_inputs_have_the_intended_layout(assets):
    for path in [r.path for r in assets.late().renditions] + [assets.late().audio[0].path,
                                                             assets.single(False).renditions[0].path]:
        top = tm.top_level(path.read_bytes())
        assert top.index("moov") > top.index("mdat"), (path.name, top)
    top = tm.top_level(assets.single(True).renditions[0].path.read_bytes())
    assert top.index("moov") < top.index("mdat")


def test_co64_is_really_there(assets):
    data = assets.co64_file().read_bytes()
    tables = tm.box_types(data, "moov/trak/mdia/minf/stbl")
    assert tables.count("co64") == 2 and "stco" not in tables, tables
    orig = tm.box_types(assets.single(False).renditions[0].path.read_bytes(),
                        "moov/trak/mdia/minf/stbl")
    assert orig.count("stco") == 2
    info = run(["mediainfo", "--Details=1", str(assets.co64_file())], check=False).stdout.decode()
    if info:
        assert "co64" in info or "Chunk offset (64" in info
    probe = run([str(Path(__file__).resolve().parents[2] / "build" / "tools" / "mp_probe"),
                 str(assets.co64_file())], check=False)
    assert probe.returncode == 0 and b"samples=180" in probe.stdout, probe.stdout


# ---------------------------------------------------------------- 3. B-frames and edit lists


def test_sync_inputs_have_edit_lists(assets):
    a = tm.sync_assets(assets.media)
    bf3 = a["bf3"].read_bytes()
    (d, t), = tm.elst_entries(bf3, 0)
    assert t > 0, "B-frame delay edit on the video"
    assert "ctts" in tm.box_types(bf3, "moov/trak/mdia/minf/stbl")
    off = tm.elst_entries(a["offset"].read_bytes(), 0)
    assert off[0][1] == -1 and off[1][1] > 0, off     # empty edit, then the media
    (_, priming), = tm.elst_entries(a["offset"].read_bytes(), 1)
    assert priming == 1024
    src = start_times(a["offset"])
    assert abs(src["video"] - src["audio"] - 0.5) < 0.01, src


@pytest.mark.parametrize("cid", ["bf3", "offset", "offset_ism", "late_ism", "vfr"])
@pytest.mark.parametrize("fmt", ["m3u8-aapl", "m3u8-aapl-v3", "mpd-time-csf"])
def test_av_offset_is_kept(origin, assets, cid, fmt):
    """The first video PTS minus the first audio PTS, as ffprobe sees it, is
    the source's (edit lists applied) within SYNC_TOLERANCE."""
    case = assets.case(cid)
    src_video = start_times(case.videos[0][1])["video"]
    src_audio = start_times(case.audios[0][0])["audio"]
    got = start_times(case.url(origin, manifest_suffix(fmt)), fmt)
    want = src_video - src_audio
    assert abs((got["video"] - got["audio"]) - want) <= SYNC_TOLERANCE, (got, want)


# ---------------------------------------------------------------- 5. variable frame rate


def test_vfr_input_is_variable(assets):
    f = tm.vfr_assets(assets.media)["vfr"]
    p = run([FFPROBE, "-v", "error", "-select_streams", "v", "-show_entries", "packet=dts",
             "-of", "csv=p=0", str(f)])
    dts = [int(x) for x in p.stdout.decode().split()]
    deltas = {b - a for a, b in zip(dts, dts[1:])}
    assert len(deltas) >= 3, deltas


def test_vfr_segments_follow_key_frames(origin, assets):
    """One DASH segment per GOP.  Segment times are decode times (+ the
    presentation shift): with VFR the key frames' composition offsets differ
    (here 12000, 12000, 18000, 15000 at 90 kHz), so durations are 2 s give or
    take a frame or two, not exactly the 2 s between the key frames' PTS."""
    case = assets.case("vfr")
    mpd = ET.fromstring(http_get(case.url(origin, manifest_suffix("mpd-time-csf"))).body)
    s = mpd.findall(".//d:AdaptationSet[@contentType='video']//d:S", DASH_NS)
    durations = []
    for e in s:
        durations += [int(e.get("d"))] * (int(e.get("r", 0)) + 1)
    assert len(durations) == 4, durations          # key frames at 0, 2, 4, 6.07 s
    assert all(abs(d - 20000000) <= 1000000 for d in durations[:3]), durations
    info = ffprobe_json(case.videos[0][1])
    (v,) = [st for st in info["streams"] if st["codec_type"] == "video"]
    assert abs(sum(durations) / 1e7 - float(v["duration"])) < 0.01, (durations, v["duration"])


# ---------------------------------------------------------------- 6. several languages


@pytest.mark.parametrize("cid", ["langs_ism", "langsmux_ism", "langsmux_single"])
def test_languages_in_manifests(origin, assets, cid):
    case = assets.case(cid)
    master = http_get(case.url(origin, "Manifest(format=m3u8-aapl)")).text
    media = hls_media(master)
    assert [attr(m, "LANGUAGE") for m in media] == ["en", "fr", "de"], master
    assert [attr(m, "NAME") for m in media] == ["English", "French", "German"]
    assert [attr(m, "DEFAULT") for m in media] == ["YES", "NO", "NO"]
    assert len({attr(m, "URI") for m in media}) == 3
    for m in media:
        r = http_get(case.url(origin, attr(m, "URI")))
        assert r.status == 200 and "#EXT-X-MAP" in r.text

    mpd = ET.fromstring(http_get(case.url(origin, "Manifest(format=mpd-time-csf)")).body)
    sets = mpd.findall(".//d:AdaptationSet[@contentType='audio']", DASH_NS)
    assert [s.get("lang") for s in sets] == ["en", "fr", "de"]
    assert all(len(s.findall("d:Representation", DASH_NS)) == 1 for s in sets)

    mss = ET.fromstring(http_get(case.url(origin, "Manifest")).body)
    names = [si.get("Name") for si in mss.iter("StreamIndex") if si.get("Type") == "audio"]
    assert names == ["audio_eng", "audio_fra", "audio_deu"]
    langs = [si.get("Language") for si in mss.iter("StreamIndex") if si.get("Type") == "audio"]
    assert all(langs), langs


def test_languages_differ(assets):
    """The three sources are distinct tones, so the per-language equality in
    test_dash_audio_is_lossless cannot pass with the tracks mixed up."""
    case = assets.case("langsmux_single")
    hashes = [tuple(source_frames(src, spec)[5:10]) for src, spec in case.audios]
    assert len(set(hashes)) == 3


@pytest.mark.parametrize("cid", ["langs_ism", "langsmux_single"])
def test_each_language_over_hls(origin, assets, cid):
    case = assets.case(cid)
    master = http_get(case.url(origin, "Manifest(format=m3u8-aapl)")).text
    for m, (src, spec) in zip(hls_media(master), case.audios):
        got = framemd5(case.url(origin, attr(m, "URI")), "a:0", extra_input=HLS_INPUT)
        assert audio_matches(got, source_frames(src, spec)), attr(m, "NAME")


# ---------------------------------------------------------------- 7. audio-only, video-only


def test_audio_only_set(origin, assets):
    case = assets.case("audio_only")
    for fmt in ("m3u8-aapl", "m3u8-aapl-v3"):
        master = http_get(case.url(origin, manifest_suffix(fmt))).text
        variants = hls_variants(master)
        assert len(variants) == 3, master
        assert all("RESOLUTION" not in inf and attr(inf, "CODECS") == "mp4a.40.2"
                   for inf, _ in variants), master
        # TS: each audio playlist is made of audio-only TS segments
        for (inf, uri), (src, spec) in zip(variants, case.audios):
            if fmt == "m3u8-aapl-v3":
                assert ts_audio_deviation(case.url(origin, uri), src, spec) <= TS_AUDIO_TOLERANCE, uri
                continue
            got = framemd5(case.url(origin, uri), "a:0", extra_input=HLS_INPUT)
            assert audio_matches(got, source_frames(src, spec)), (fmt, uri)
    mss = ET.fromstring(http_get(case.url(origin, "Manifest")).body)
    assert [si.get("Type") for si in mss.iter("StreamIndex")] == ["audio"] * 3


@pytest.mark.parametrize("fmt", ["m3u8-aapl", "m3u8-aapl-v3"])
def test_audio_only_has_no_sliver_segment(origin, assets, fmt):
    """With audio as the reference track every frame is a key frame; the last
    boundary used to fall one 256-sample AAC frame (5 ms) before the end, and
    GStreamer's TS path failed on that one-frame segment."""
    case = assets.case("audio_only")
    master = http_get(case.url(origin, manifest_suffix(fmt))).text
    for _, uri in hls_variants(master):
        media = http_get(case.url(origin, uri)).text
        durations = [float(x) for x in re.findall(r"#EXTINF:([0-9.]+),", media)]
        assert durations and min(durations) >= 0.5, (uri, durations)
        assert abs(sum(durations) - tm.DURATION) < 0.1, durations


def test_video_only_set(origin, assets):
    case = assets.case("video_only")
    master = http_get(case.url(origin, "Manifest(format=m3u8-aapl)")).text
    assert "#EXT-X-MEDIA" not in master and "AUDIO=" not in master
    (inf, _), = hls_variants(master)
    assert re.fullmatch(r"avc1\.[0-9a-f]{6}", attr(inf, "CODECS")), inf
    ts = http_get(case.url(origin, "Manifest(format=m3u8-aapl-v3)")).text
    (inf, _), = hls_variants(ts)
    assert "mp4a" not in attr(inf, "CODECS"), ts
    mpd = ET.fromstring(http_get(case.url(origin, "Manifest(format=mpd-time-csf)")).body)
    assert [s.get("contentType") for s in mpd.findall(".//d:AdaptationSet", DASH_NS)] == ["video"]


# ---------------------------------------------------------------- 8. HEVC


def test_hevc_manifests(origin, assets):
    case = assets.case("hevc")
    master = http_get(case.url(origin, "Manifest(format=m3u8-aapl)")).text
    (inf, _), = hls_variants(master)
    assert re.match(r'hvc1\.1\.6\.L\d+\.[0-9A-F]+(\.[0-9A-F]+)*,mp4a\.40\.2$', attr(inf, "CODECS")), inf
    mpd = http_get(case.url(origin, "Manifest(format=mpd-time-cmaf)")).text
    assert 'codecs="hvc1.1.6.L' in mpd
    mss = http_get(case.url(origin, "Manifest")).text
    assert 'FourCC="HVC1"' in mss


def test_hevc_is_refused_in_ts(origin, assets):
    """AMS kept HEVC out of MPEG-TS.  mediaplane still lists the variant in the
    m3u8-aapl-v3 master (the TS muxer, not the manifest, knows the codec
    limits) and answers 415 for its segments, with the reason in the log."""
    case = assets.case("hevc")
    watch = LogWatch(origin)
    master = http_get(case.url(origin, "Manifest(format=m3u8-aapl-v3)"))
    assert master.status == 200
    (inf, uri), = [v for v in hls_variants(master.text) if "RESOLUTION" in v[0]]
    assert attr(inf, "CODECS").startswith("hvc1."), inf
    url = first_segment(origin, case, uri)
    r = http_get(url)
    assert r.status == 415, (r.status, r.body[:100])
    path = url[len(origin.base):]
    assert [line for line in watch.text().splitlines() if "[error]" in line and path in line]
    assert not origin.crashes()


# ---------------------------------------------------------------- 9. AC-3 / E-AC-3


@pytest.mark.parametrize("codec,fourcc", [("ac3", "ac-3"), ("eac3", "ec-3")])
def test_dolby_codecs_in_manifests(origin, assets, codec, fourcc):
    case = assets.case(codec)
    for fmt in ("m3u8-aapl", "m3u8-cmaf"):
        master = http_get(case.url(origin, manifest_suffix(fmt))).text
        (inf, _), = hls_variants(master)
        assert attr(inf, "CODECS").endswith("," + fourcc), inf
        (m,) = hls_media(master)
        assert attr(m, "CHANNELS") == "2"
    mpd = ET.fromstring(http_get(case.url(origin, "Manifest(format=mpd-time-csf)")).body)
    (rep,) = mpd.findall(".//d:AdaptationSet[@contentType='audio']/d:Representation", DASH_NS)
    assert rep.get("codecs") == fourcc
    mss = http_get(case.url(origin, "Manifest")).text
    assert 'FourCC="%s"' % fourcc.upper() in mss


def test_ts_muxes_the_aac_track(origin, assets):
    """HLS v3 carries AAC only: with E-AC-3 listed before AAC in the .ism, the
    TS variants mux the AAC track (they used to take the first audio track and
    answer 415 for every segment)."""
    case = assets.case("mixed")
    master = http_get(case.url(origin, "Manifest(format=m3u8-aapl-v3)")).text
    variants = hls_variants(master)
    assert [attr(inf, "CODECS") for inf, _ in variants] == ["avc1.4d400d,mp4a.40.2", "mp4a.40.2"]
    for _, uri in variants:
        streams = probe_streams(case.url(origin, uri), "m3u8-aapl-v3")
        assert "aac" in {st["codec_name"] for st in streams}, uri
    url = case.url(origin, variants[0][1])
    assert ts_audio_deviation(url, case.audios[1][0]) <= TS_AUDIO_TOLERANCE
    # fMP4 keeps both: one audio group per codec family
    fmp4 = http_get(case.url(origin, "Manifest(format=m3u8-aapl)")).text
    assert sorted(attr(m, "GROUP-ID") for m in hls_media(fmp4)) == ["audio_aac", "audio_ec3"]


@pytest.mark.parametrize("cid", ["ac3", "eac3"])
def test_dolby_only_is_refused_in_ts(origin, assets, cid):
    """Without an AAC track the TS variants still name the Dolby codec and
    their segments answer 415 (the TS muxer carries H.264 + AAC only)."""
    case = assets.case(cid)
    master = http_get(case.url(origin, "Manifest(format=m3u8-aapl-v3)")).text
    for inf, uri in hls_variants(master):
        assert attr(inf, "CODECS").endswith({"ac3": "ac-3", "eac3": "ec-3"}[cid]), inf
        assert http_get(first_segment(origin, case, uri)).status == 415, uri


# ---------------------------------------------------------------- 10. single MP4, progressive download


def test_progressive_download_ranges(origin, assets):
    path = assets.single(True).renditions[0].path
    url = origin.url(_rel(assets.root, path))
    data = path.read_bytes()
    full = http_get(url)
    assert full.status == 200 and full.body == data
    for spec, lo, hi in (("bytes=1000-1999", 1000, 1999), ("bytes=-500", len(data) - 500, len(data) - 1),
                         ("bytes=%d-" % (len(data) - 10), len(data) - 10, len(data) - 1)):
        r = http_get(url, headers={"Range": spec})
        assert r.status == 206, (spec, r.status)
        assert r.body == data[lo:hi + 1], spec
        assert r.header("Content-Range") == "bytes %d-%d/%d" % (lo, hi, len(data)), spec
        assert int(r.header("Content-Length")) == hi - lo + 1
    r = http_get(url, headers={"Range": "bytes=%d-" % (len(data) + 10)})
    assert r.status == 416


def test_single_mp4_stream_names(origin, assets):
    case = assets.case("muxed")
    mss = ET.fromstring(http_get(case.url(origin, "Manifest")).body)
    assert sorted(si.get("Type") for si in mss.iter("StreamIndex")) == ["audio", "video"]


# ---------------------------------------------------------------- 11. malformed inputs


BAD_MP4 = {
    "truncated": "truncated or malformed",
    "random": "",
    "empty": "empty file",
    "stsz": "stsz sample count",
    "beyond": "beyond the end of the file",
}


@pytest.mark.parametrize("key", sorted(BAD_MP4))
def test_malformed_mp4_is_415(origin, assets, key):
    path = assets.bad()[key]
    watch = LogWatch(origin)
    for suffix in ("Manifest", "Manifest(format=m3u8-aapl)", "Manifest(format=mpd-time-csf)",
                   "QualityLevels(1000)/Fragments(video=0,format=m3u8-aapl-v3)"):
        r = http_get(origin.url(_rel(assets.root, path) + "/" + suffix))
        assert r.status == 415, (key, suffix, r.status)
    log = watch.text()
    lines = [line for line in log.splitlines() if path.name in line and "[error]" in line]
    assert lines, log[-2000:]
    assert BAD_MP4[key] in lines[0], lines[0]
    assert not origin.crashes()


@pytest.mark.parametrize("key,status,reason", [
    ("missing_ism", 404, 'names "nope.mp4", which cannot be opened'),
    ("notrack_ism", 415, "video.mp4 has no audio track"),
    ("badtrack_ism", 415, "video.mp4 has no video track with the trackID the .ism names"),
    ("notxml_ism", 415, "server manifest: no <smil> root element"),
])
def test_broken_server_manifest(origin, assets, key, status, reason):
    path = assets.bad()[key]
    watch = LogWatch(origin)
    for suffix in ("Manifest", "Manifest(format=m3u8-aapl)", "Manifest(format=mpd-time-csf)"):
        r = http_get(origin.url(_rel(assets.root, path) + "/" + suffix))
        assert r.status == status, (key, suffix, r.status)
    assert reason in watch.text(), watch.text()[-2000:]
    assert not origin.crashes()


def test_damaged_files_in_parallel(origin, assets):
    """Many concurrent requests for the damaged files keep every worker up."""
    bad = assets.bad()
    urls = [origin.url(_rel(assets.root, bad[k]) + "/Manifest(format=m3u8-aapl)")
            for k in ("truncated", "random", "empty", "stsz", "beyond", "missing_ism", "notrack_ism",
                      "badtrack_ism", "notxml_ism")] * 8
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda u: http_get(u).status, urls))
    assert set(statuses) <= {404, 415}, statuses
    assert http_get(origin.url("/healthz")).status == 200
    assert not origin.crashes()


def _shrunk_copy(assets, name: str, faststart: bool) -> Path:
    """A private copy of a single MP4 (moov first or last) to cut short."""
    src = assets.single(faststart).renditions[0].path
    dst = assets.media / "shrink" / name
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(src.read_bytes())
    return dst


def _cut_in_place(path: Path, size: int) -> None:
    """Truncate the same inode (what a writer overwriting a file does); nginx's
    open file cache keeps serving the old size for up to 2 s."""
    with open(path, "r+b") as f:
        f.truncate(size)


def test_file_shrinking_before_parse(origin, assets):
    """The moov is parsed from a mapping of the file.  A file cut after nginx
    opened it fails the request with 415 and the reason -- the size nginx
    sees, or pages past the new end (SIGBUS under the guard) -- and the
    worker lives."""
    path = _shrunk_copy(assets, "late.mp4", faststart=False)
    url = origin.url(_rel(assets.root, path))
    size = path.stat().st_size
    assert http_get(url, method="HEAD").status == 200          # opened and cached, not parsed
    _cut_in_place(path, size // 2)
    watch = LogWatch(origin)
    r = http_get(url + "/Manifest(format=m3u8-aapl)")
    assert r.status == 415, r.status
    assert re.search(r"the file shrank while it was indexed|truncated or malformed",
                     watch.text()), watch.text()[-2000:]
    assert http_get(origin.url("/healthz")).status == 200
    assert not origin.crashes()


def test_file_shrinking_under_segments(origin, assets):
    """An index cached before the file was cut: TS segments (muxed from a
    mapping) fail without killing the worker, and the cut-off fMP4 payload is
    never reported as complete."""
    path = _shrunk_copy(assets, "fast.mp4", faststart=True)
    base = origin.url(_rel(assets.root, path))
    playlist = http_get(base + "/QualityLevels(%d)/Manifest(video,format=m3u8-aapl-v3)"
                        % _first_bitrate(base))
    assert playlist.status == 200
    segs = [l for l in playlist.body.decode().splitlines() if l and not l.startswith("#")]
    last = urllib.parse.urljoin(playlist.url, segs[-1])
    _cut_in_place(path, path.stat().st_size // 2)
    try:
        r = http_get(last)
        assert r.status != 200 or len(r.body) < int(r.header("Content-Length")), r.status
    except (ConnectionError, http.client.HTTPException, urllib.error.URLError):
        pass                                                  # aborted mid-body: also right
    assert http_get(origin.url("/healthz")).status == 200
    assert not origin.crashes()


def _first_bitrate(base: str) -> int:
    master = http_get(base + "/Manifest(format=m3u8-aapl-v3)").body.decode()
    return int(re.search(r"QualityLevels\((\d+)\)", master).group(1))
