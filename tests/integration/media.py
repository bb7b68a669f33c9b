"""Test media and client helpers for mediaplane's integration tests.

Standard library only (tests run under Debian's /usr/bin/python3 with
python3-pytest; there is no PyPI).  Media are generated with ffmpeg at test
time; nothing binary is committed.

    make_abr_set(dir, name, ...)      -> AbrSet   (per-rendition MP4s + .ism)
    http_get(url, headers=None)       -> Response (status, headers, body)
    ffprobe_json(url_or_file)         -> dict     (ffprobe -show_format -show_streams)
    framemd5(url_or_file, 'v:0')      -> [hash, ...] one per decoded frame
    decoded_frames(url_or_file, 'a:0')-> (time base, [Frame(pts, duration, md5), ...])
    decoded_pcm(url_or_file, 'a:0')   -> array('f') of interleaved float samples
    ffmpeg_decode(url_or_file)        -> CompletedProcess of a full -xerror decode
"""

import array
import json
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

FFMPEG = os.environ.get("MEDIAPLANE_FFMPEG", "ffmpeg")
FFPROBE = os.environ.get("MEDIAPLANE_FFPROBE", "ffprobe")

# Distinct tones per audio language so tracks can be told apart by ear or hash.
_LANG_FREQ = {"eng": 440, "fra": 554, "deu": 659, "spa": 740, "ita": 880, "jpn": 988}

DEFAULT_RENDITIONS = ((1280, 720, 2500), (640, 360, 800))


# ---------------------------------------------------------------- media


@dataclass
class Rendition:
    width: int
    height: int
    kbps: int
    path: Path  # the MP4 file


@dataclass
class AudioTrack:
    lang: str
    kbps: int
    path: Path  # the MP4 file holding this track
    track_id: int = 1  # trackID inside that file


@dataclass
class AbrSet:
    """An AMS-style asset: one MP4 per video rendition, audio per language
    (separate files, or muxed into every video file), and a .ism manifest."""

    name: str
    dir: Path
    ism: Path
    duration: float
    fps: int
    gop: int
    renditions: List[Rendition] = field(default_factory=list)
    audio: List[AudioTrack] = field(default_factory=list)
    params: Dict = field(default_factory=dict)

    def rel(self, root: Union[str, Path]) -> str:
        """URL path of the .ism relative to a mediaplane_root, e.g.
        '/media/abr/abr.ism' (append '/Manifest(format=m3u8-aapl)' etc.)."""
        return "/" + self.ism.relative_to(Path(root)).as_posix()

    @property
    def files(self) -> List[Path]:
        out = [r.path for r in self.renditions]
        out += [a.path for a in self.audio if a.path not in out]
        return out


def _kbps(v: Union[int, str]) -> int:
    if isinstance(v, str):
        m = re.fullmatch(r"\s*(\d+)\s*([kKmM]?)\s*", v)
        if not m:
            raise ValueError("bad bitrate %r" % v)
        n = int(m.group(1))
        return n * 1000 if m.group(2) in ("m", "M") else n
    return int(v)


def run(cmd: Sequence[str], timeout: float = 300, check: bool = True, **kw) -> subprocess.CompletedProcess:
    """subprocess.run with captured text output and a useful error message."""
    p = subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise RuntimeError("command failed (%d): %s\n%s" % (
            p.returncode, " ".join(map(str, cmd)),
            p.stderr.decode("utf-8", "replace")[-4000:]))
    return p


def ism_xml(videos: Sequence[Tuple[str, int, int]], audios: Sequence[Tuple[str, int, int, str]]) -> str:
    """The SMIL server manifest.  videos: (src, bps, trackID); audios:
    (src, bps, trackID, lang)."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<smil xmlns="http://www.w3.org/2001/SMIL20/Language">',
        "  <head>",
        '    <meta name="formats" content="mp4" />',
        "  </head>",
        "  <body>",
        "    <switch>",
    ]
    for src, bps, tid in videos:
        lines += [
            '      <video src="%s" systemBitrate="%d">' % (src, bps),
            '        <param name="trackID" value="%d" valuetype="data" />' % tid,
            "      </video>",
        ]
    for src, bps, tid, lang in audios:
        lines += [
            '      <audio src="%s" systemBitrate="%d" systemLanguage="%s">' % (src, bps, lang),
            '        <param name="trackID" value="%d" valuetype="data" />' % tid,
            "      </audio>",
        ]
    lines += ["    </switch>", "  </body>", "</smil>", ""]
    return "\n".join(lines)


def make_abr_set(dir: Union[str, Path], name: str,
                 renditions: Sequence[Tuple[int, int, Union[int, str]]] = DEFAULT_RENDITIONS,
                 duration: float = 10, audio_langs: Sequence[str] = ("eng",),
                 separate_audio: bool = True, fps: int = 30, gop: int = 60,
                 audio_kbps: int = 128, audio_rate: int = 48000, audio_channels: int = 2,
                 bframes: int = 2, preset: str = "ultrafast", faststart: bool = True,
                 video_codec: str = "libx264", extra_video_args: Sequence[str] = (),
                 write_ism: bool = True, force: bool = False) -> AbrSet:
    """Generate an ABR asset in dir (created): '<name>_<W>x<H>_<kbps>.mp4' per
    rendition (testsrc2, closed aligned GOPs of `gop` frames: -g/-keyint_min,
    -sc_threshold 0), '<name>_aac_<lang>.mp4' per audio language (sine tone,
    language tag set) when separate_audio, else the audio tracks are muxed into
    every video file (track 1 video, tracks 2.. audio), and '<name>.ism'.

    bframes=2 by default so that composition offsets (ctts) are exercised;
    faststart=True puts the moov first (False leaves it at the end, ffmpeg's
    default).  Results are cached: a stamp with the parameters is kept in dir
    and generation is skipped when it matches (force=True regenerates)."""
    dir = Path(dir)
    rends = [(int(w), int(h), _kbps(b)) for (w, h, b) in renditions]
    params = dict(name=name, renditions=rends, duration=duration, audio_langs=list(audio_langs),
                  separate_audio=separate_audio, fps=fps, gop=gop, audio_kbps=audio_kbps,
                  audio_rate=audio_rate, audio_channels=audio_channels, bframes=bframes,
                  preset=preset, faststart=faststart, video_codec=video_codec,
                  extra_video_args=list(extra_video_args), write_ism=write_ism, v=1)
    stamp = dir / (".%s.params.json" % name)

    vfiles = [dir / ("%s_%dx%d_%d.mp4" % (name, w, h, k)) for (w, h, k) in rends]
    if separate_audio:
        audio = [AudioTrack(lang, audio_kbps, dir / ("%s_aac_%s.mp4" % (name, lang)), 1)
                 for lang in audio_langs]
    else:
        audio = [AudioTrack(lang, audio_kbps, vfiles[0], i + 2) for i, lang in enumerate(audio_langs)]
    aset = AbrSet(name=name, dir=dir, ism=dir / ("%s.ism" % name), duration=duration, fps=fps,
                  gop=gop, renditions=[Rendition(w, h, k, p) for (w, h, k), p in zip(rends, vfiles)],
                  audio=audio, params=params)

    if not force and stamp.exists():
        try:
            if json.loads(stamp.read_text()) == params and all(p.exists() for p in aset.files):
                return aset
        except ValueError:
            pass
    dir.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)

    vopts = ["-c:v", video_codec, "-preset", preset, "-pix_fmt", "yuv420p",
             "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
             "-bf", str(bframes)] + list(extra_video_args)
    mov = ["-movflags", "+faststart"] if faststart else []
    aopts = ["-c:a", "aac", "-b:a", "%dk" % audio_kbps, "-ar", str(audio_rate),
             "-ac", str(audio_channels)]

    # One ffmpeg run encodes every rendition from a single testsrc2 source.
    maxw = max(w for w, _, _ in rends)
    maxh = max(h for _, h, _ in rends)
    cmd = [FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
           "-f", "lavfi", "-i", "testsrc2=size=%dx%d:rate=%d:duration=%s" % (maxw, maxh, fps, duration)]
    if not separate_audio:
        for lang in audio_langs:
            cmd += ["-f", "lavfi", "-i", "sine=frequency=%d:sample_rate=%d:duration=%s"
                    % (_LANG_FREQ.get(lang, 500), audio_rate, duration)]
    n = len(rends)
    labels = ["v%d" % i for i in range(n)]
    fc = "[0:v]split=%d%s" % (n, "".join("[s%d]" % i for i in range(n))) if n > 1 else "[0:v]null[s0]"
    for i, (w, h, _) in enumerate(rends):
        fc += ";[s%d]scale=%d:%d,setsar=1[%s]" % (i, w, h, labels[i])
    cmd += ["-filter_complex", fc]
    for i, ((w, h, k), path) in enumerate(zip(rends, vfiles)):
        cmd += ["-map", "[%s]" % labels[i]]
        if not separate_audio:
            for j, lang in enumerate(audio_langs):
                cmd += ["-map", "%d:a:0" % (j + 1)]
        cmd += vopts + ["-b:v", "%dk" % k, "-maxrate", "%dk" % k, "-bufsize", "%dk" % (2 * k)]
        if not separate_audio:
            cmd += aopts
            for j, lang in enumerate(audio_langs):
                cmd += ["-metadata:s:a:%d" % j, "language=%s" % lang]
        cmd += mov + [str(path)]
    run(cmd, timeout=max(120, duration * 20))

    if separate_audio:
        for a in audio:
            run([FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                 "-f", "lavfi", "-i", "sine=frequency=%d:sample_rate=%d:duration=%s"
                 % (_LANG_FREQ.get(a.lang, 500), audio_rate, duration)]
                + aopts + ["-metadata:s:a:0", "language=%s" % a.lang] + mov + [str(a.path)])

    if write_ism:
        videos = [(p.name, k * 1000, 1) for (_, _, k), p in zip(rends, vfiles)]
        audios = [(a.path.name, a.kbps * 1000, a.track_id, a.lang) for a in audio]
        aset.ism.write_text(ism_xml(videos, audios), encoding="utf-8")
    stamp.write_text(json.dumps(params))
    return aset


# ---------------------------------------------------------------- HTTP


@dataclass
class Response:
    status: int
    headers: "object"  # http.client.HTTPMessage: case-insensitive .get()
    body: bytes
    url: str = ""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        return self.headers.get(name, default)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http_get(url: str, headers: Optional[Dict[str, str]] = None, method: str = "GET",
             data: Optional[bytes] = None, timeout: float = 30) -> Response:
    """One HTTP request via urllib; never raises for HTTP error statuses and
    does not follow redirects.  Returns Response(status, headers, body)."""
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    try:
        with _opener.open(req, timeout=timeout) as r:
            return Response(r.status, r.headers, r.read(), url)
    except urllib.error.HTTPError as e:
        body = e.read() if e.fp is not None else b""
        return Response(e.code, e.headers, body, url)


def http_head(url: str, headers: Optional[Dict[str, str]] = None, timeout: float = 30) -> Response:
    return http_get(url, headers=headers, method="HEAD", timeout=timeout)


# ---------------------------------------------------------------- ffmpeg clients


def ffprobe_json(src: Union[str, Path], extra: Sequence[str] = (), timeout: float = 120) -> dict:
    """ffprobe -show_format -show_streams as a dict (raises on ffprobe errors)."""
    p = run([FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
            + list(extra) + [str(src)], timeout=timeout)
    return json.loads(p.stdout.decode("utf-8"))


@dataclass
class Frame:
    pts: int          # in the stream's time base
    duration: int
    md5: str


def decoded_frames(src: Union[str, Path], stream: str = "v:0", extra_input: Sequence[str] = (),
                   timeout: float = 300) -> Tuple[Fraction, List[Frame]]:
    """Decode one stream (ffmpeg map specifier relative to input 0, e.g. 'v:0',
    'a:0') through ffmpeg's framemd5 muxer: the output time base and every
    decoded frame's pts, duration and MD5 (audio: of its PCM samples)."""
    p = run([FFMPEG, "-nostdin", "-v", "error"] + list(extra_input)
            + ["-i", str(src), "-map", "0:%s" % stream, "-f", "framemd5", "-"], timeout=timeout)
    tb, out = Fraction(1), []
    for line in p.stdout.decode("utf-8").splitlines():
        if line.startswith("#tb 0:"):
            tb = Fraction(line.split(":", 1)[1].strip())
        if not line or line.startswith("#"):
            continue
        cols = [c.strip() for c in line.split(",")]
        out.append(Frame(int(cols[2]), int(cols[3]), cols[5]))
    return tb, out


def framemd5(src: Union[str, Path], stream: str = "v:0", extra_input: Sequence[str] = (),
             timeout: float = 300) -> List[str]:
    """The per-frame MD5 hashes of decoded_frames() only (timestamps
    legitimately differ between source and packaged media)."""
    return [f.md5 for f in decoded_frames(src, stream, extra_input, timeout)[1]]


def decoded_pcm(src: Union[str, Path], stream: str = "a:0", extra_input: Sequence[str] = (),
                timeout: float = 300) -> array.array:
    """Decode one audio stream to interleaved 32-bit float samples, as the
    decoder produced them (no resampling, no downmix)."""
    p = run([FFMPEG, "-nostdin", "-v", "error"] + list(extra_input)
            + ["-i", str(src), "-map", "0:%s" % stream, "-f", "f32le", "-"], timeout=timeout)
    return array.array("f", p.stdout)


def ffmpeg_decode(src: Union[str, Path], extra_input: Sequence[str] = (),
                  timeout: float = 300) -> subprocess.CompletedProcess:
    """Decode every stream with -xerror (fails on any decode/demux error);
    returns the CompletedProcess (check .returncode / .stderr)."""
    return run([FFMPEG, "-nostdin", "-v", "error", "-xerror"] + list(extra_input)
               + ["-i", str(src), "-f", "null", "-"], timeout=timeout, check=False)


def make_sdk_clip(path: Path) -> Path:
    """A 6 s 640x360 H.264/AAC MP4: what the SDK workflow tests upload."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=640x360:rate=30:duration=6", "-f", "lavfi", "-i",
                    "sine=frequency=440:sample_rate=48000:duration=6", "-c:v", "libx264",
                    "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    str(path)], check=True, timeout=120)
    return path


def run_node_workflow(script: Path, env: dict, timeout: float) -> dict:
    """Run a tests/*-sdk workflow.js; its last stdout line is a JSON summary."""
    p = subprocess.run(["node", str(script)], capture_output=True, text=True, env=env,
                       timeout=timeout)
    assert p.returncode == 0, "workflow.js failed:\n%s\n%s" % (p.stdout, p.stderr)
    return json.loads(p.stdout.strip().splitlines()[-1])


def have(tool: str) -> bool:
    return shutil.which(tool) is not None
