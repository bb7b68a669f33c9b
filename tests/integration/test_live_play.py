"""Live playback of a running program in real players, and the DVR window.

Real players in headless Chromium (tests/browser/play.js --live) play a
program while ffmpeg publishes to its channel over RTMP: hls.js (TS and
fMP4 HLS), dash.js and shaka (dynamic DASH), each for >= 20 s of playback
counted from where it began, with no stall (no 'waiting' event, currentTime
never standing still, no stall report from the player) and no error.

The DVR window (ArchiveWindowLength, 5 min at least) is measured in media
time, not wall-clock time: a publisher reading its source 10x faster than
real time fills it in half a minute.  Then the manifests slide (HLS
EXT-X-MEDIA-SEQUENCE, DASH's first S@t), a segment that left the window
answers 404, the window's first segment decodes (ffmpeg from the playlist's
first segment: frames equal to the publisher's), and after Program Stop the
variant URLs a player already had still answer (the .ism keeps the bit
rates it was started with).

Deadlines are polled and generous: the machine has 2 shared cores."""

import json
import os
import re
import shutil
import socket
import struct
import subprocess
import time
from pathlib import Path

import pytest

from media import http_get
from test_api_live import run
from test_browser import CHROMIUM, play_once
from test_live_ingest import (LOOPBACK, RTMP_MODULE, channel, frame_hashes, live,  # noqa: F401
                              live_origin, publish_args, wait_archived, wait_player)

pytestmark = pytest.mark.skipif(not RTMP_MODULE.exists() or shutil.which("ffmpeg") is None,
                                reason="needs libnginx-mod-rtmp and ffmpeg")


def poll(what: str, check, timeout: float, every: float = 0.5):
    """check() until it returns something true; fails with `what` after timeout."""
    deadline = time.time() + timeout
    while True:
        got = check()
        if got:
            return got
        assert time.time() < deadline, "timed out (%d s) waiting for %s" % (timeout, what)
        time.sleep(every)


def variant(base: str, master_format: str, kind: str) -> str:
    """The URL of the first variant playlist of `kind` (video/audio) in a master playlist."""
    m = http_get(base + "Manifest(format=%s)" % master_format)
    assert m.status == 200, m
    uris = [l for l in m.body.decode().splitlines() + re.findall(r'URI="([^"]+)"', m.body.decode())
            if "Manifest(%s" % kind in l and not l.startswith("#")]
    return base + uris[0]


def segments(playlist: str) -> list:
    return [l for l in playlist.splitlines() if l and not l.startswith("#")]


def count_segments(playlist_url: str) -> int:
    r = http_get(playlist_url)
    return r.body.decode().count("#EXTINF:") if r.status == 200 else 0


def media_sequence(playlist: str) -> int:
    return int(re.search(r"^#EXT-X-MEDIA-SEQUENCE:(\d+)$", playlist, re.M).group(1))


class Show:
    """A Running program on its own channel with a publisher streaming to it."""

    def __init__(self, live, name: str, window: str = "PT5M"):
        self.live, self.ams = live, live.ams
        self.channel, self.ingest = channel(self.ams, LOOPBACK)
        self.asset = self.ams.create("Assets", {"Name": "live-%s" % name})
        r = self.ams.post("Programs", {"Name": name, "ChannelId": self.channel["Id"],
                                       "AssetId": self.asset["Id"], "ArchiveWindowLength": window,
                                       "ManifestName": "show"})
        assert r.status == 202, r
        self.program = run(self.ams, "Programs", r.json["Id"], "Start")
        loc = self.ams.publish(self.asset["Id"])
        self.base = live.live_origin.url("/%s/show.ism/" % loc["Id"].split(":")[-1])
        self.pub = None

    def publish(self, args: list):
        wait_player(self.live, self.ingest)
        self.pub = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True)

    def end(self):
        if self.pub is not None and self.pub.poll() is None:
            self.pub.kill()
            self.pub.wait()
        if self.ams.entity("Programs", self.program["Id"]).json["State"] == "Running":
            run(self.ams, "Programs", self.program["Id"], "Stop")
        run(self.ams, "Channels", self.channel["Id"], "Stop")


@pytest.fixture(scope="module")
def on_air(live, live_origin):
    """A program publishing 640x360 testsrc2 + sine in real time for as long
    as the module runs, with >= 4 HLS segments (24 s) archived."""
    live.live_origin = live_origin
    show = Show(live, "onair")
    show.publish(publish_args(show.ingest + "/stream1", 900))
    media = poll("a video playlist", lambda: variant(show.base, "m3u8-aapl", "video")
                 if b"Manifest(video" in http_get(show.base + "Manifest(format=m3u8-aapl)").body
                 else None, 60)
    poll("4 segments in the live playlist",
         lambda: count_segments(media) >= 4 or show.pub.poll() is not None, 120)
    assert show.pub.poll() is None, show.pub.stderr.read()
    yield show
    show.end()


PLAYERS = [
    ("hls", "m3u8-aapl-v3"),
    ("hls", "m3u8-aapl"),
    ("dash", "mpd-time-csf"),
    ("shaka", "mpd-time-csf"),
]


@pytest.mark.browser
@pytest.mark.parametrize("player,fmt", PLAYERS, ids=["%s-%s" % c for c in PLAYERS])
def test_player_plays_live_without_stall(on_air, player, fmt):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("needs chromium")
    url = on_air.base + "Manifest(format=%s)" % fmt
    r = play_once(player, url, 20, 120, ["--live"] + (["--verbose"] if os.environ.get("MP_PLAY_VERBOSE") else []))
    assert r["ok"], "%s could not play %s live:\n%s" % (player, url, json.dumps(r, indent=1))
    assert r["currentTime"] - r["startedAt"] >= 20 and r["frames"] > 0 and not r["stalls"], r
    assert on_air.pub.poll() is None, "the publisher ended during the test"


def fast_publish_args(url: str, seconds: int, local: Path, rate: float) -> list:
    """ffmpeg publishing a small H.264 (2 s GOPs) + AAC stream `rate` times
    faster than real time, the same encoded stream kept in `local`."""
    return ["ffmpeg", "-v", "error", "-nostdin", "-readrate", str(rate),
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
            "-readrate", str(rate), "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", str(seconds), "-map", "0:v", "-map", "1:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-keyint_min", "50",
            "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k",
            "-flags", "+global_header", "-f", "tee",
            "[f=flv:onfail=abort]%s|[f=mp4]%s" % (url, local)]


def decoded_from_window_start(playlist_url: str, seconds: float) -> list:
    """framemd5 of ffmpeg reading a live HLS playlist from its first segment
    (-live_start_index 0: the oldest point of the DVR window)."""
    out = subprocess.run(["ffmpeg", "-v", "error", "-extension_picky", "0", "-live_start_index", "0",
                          "-i", playlist_url, "-map", "0:v:0", "-t", str(seconds),
                          "-f", "framemd5", "-"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [l.split(",")[-1].strip() for l in out.stdout.splitlines() if l and not l.startswith("#")]


def test_dvr_window_slides_and_seeks_back(live, live_origin, tmp_path):
    """A 5-minute DVR window over 7 minutes of media published 10x faster
    than real time: the playlists slide (EXT-X-MEDIA-SEQUENCE grows, the
    listed media spans the window), a segment that left the window answers
    404 (HLS and DASH), the oldest segment in the window decodes to the
    publisher's frames, and after Stop the variant URL a player had still
    answers with the whole archive."""
    live.live_origin = live_origin
    show = Show(live, "dvr", window="PT5M")
    local = tmp_path / "published.mp4"
    try:
        show.publish(fast_publish_args(show.ingest + "/s", 420, local, 10))
        media = poll("a video playlist",
                     lambda: variant(show.base, "m3u8-aapl-v3", "video")
                     if b"Manifest(video" in http_get(show.base + "Manifest(format=m3u8-aapl-v3)").body
                     else None, 60)
        poll("a first segment", lambda: count_segments(media) >= 1, 60)
        first = segments(http_get(media).body.decode())[0]
        first_url = media.rsplit("/", 1)[0] + "/" + first
        assert http_get(first_url).status == 200
        mpd0 = poll("a DASH timeline", lambda: re.search(
            r'<SegmentTemplate[^>]*media="QualityLevels\(\$Bandwidth\$\)/Fragments\(video=[^"]*"'
            r'[^>]*>\s*<SegmentTimeline>\s*<S t="(\d+)"',
            http_get(show.base + "Manifest(format=mpd-time-csf)").body.decode()), 60)
        dash_first = int(mpd0.group(1))

        # the window slides once more than 5 minutes of media are archived,
        # and keeps sliding while the publisher goes on
        seq = poll("the playlist to slide", lambda: media_sequence(http_get(media).body.decode()),
                   120)
        poll("the playlist to slide further",
             lambda: media_sequence(http_get(media).body.decode()) > seq, 60)
        assert http_get(first_url).status == 404          # left the window
        assert show.pub.wait(timeout=180) == 0, show.pub.stderr.read()
        wait_archived(live, show.program["Id"])

        # the publisher is gone, the program still runs: a window that stays put
        slid = http_get(media).body.decode()
        durations = [float(x) for x in re.findall(r"^#EXTINF:([\d.]+),", slid, re.M)]
        assert 299.9 <= sum(durations) < 300 + max(durations) + 0.1, sum(durations)
        assert "#EXT-X-ENDLIST" not in slid and first not in segments(slid)
        mpd = http_get(show.base + "Manifest(format=mpd-time-csf)").body.decode()
        assert 'timeShiftBufferDepth="PT300.000S"' in mpd and 'type="dynamic"' in mpd
        t0 = int(re.search(r"<SegmentTimeline>\s*<S t=\"(\d+)\"", mpd).group(1))
        assert t0 > dash_first + 100 * 10 ** 7, (t0, dash_first)
        video_rep = re.search(r'<AdaptationSet[^>]*contentType="video".*?bandwidth="(\d+)"', mpd, re.S)
        dash_base = show.base + "QualityLevels(%s)/" % video_rep.group(1)
        assert http_get(dash_base + "Fragments(video=%d,format=mpd-time-csf)" % t0).status == 200
        assert http_get(dash_base + "Fragments(video=%d,format=mpd-time-csf)"
                        % dash_first).status == 404

        # seek back: ffmpeg from the oldest segment of the window decodes
        # the publisher's frames from there on
        window_frames = decoded_from_window_start(media, 4)
        assert len(window_frames) >= 90, len(window_frames)
        want = frame_hashes(local)
        at = want.index(window_frames[0])
        assert 25 * 110 <= at <= 25 * 126, at               # 420 s - 300 s, a segment's slack
        assert window_frames == want[at:at + len(window_frames)]

        run(live.ams, "Programs", show.program["Id"], "Stop")
        # the variant URL from the live master playlist still answers: VoD now
        vod = http_get(media)
        assert vod.status == 200, vod
        text = vod.body.decode()
        assert text.rstrip().endswith("#EXT-X-ENDLIST") and media_sequence(text) == 0, text[:400]
        assert first in text and http_get(first_url).status == 200
        # the live window was the archive's whole segments but those before
        # it (EXT-X-MEDIA-SEQUENCE of them) and the one after the last key frame
        assert media_sequence(slid) + len(durations) in (len(segments(text)) - 1,
                                                         len(segments(text)) - 2), text[-300:]
    finally:
        show.end()


def amf_string(text: str) -> bytes:
    return b"\x02" + struct.pack(">H", len(text)) + text.encode()


def rtmp_message(csid: int, type_id: int, payload: bytes, chunk: int = 128) -> bytes:
    """An RTMP message in chunks (fmt 0 header, then fmt 3 continuations)."""
    out = bytes([csid]) + bytes(3) + struct.pack(">I", len(payload))[1:] + bytes([type_id]) + bytes(4)
    for i in range(0, len(payload), chunk):
        out += (b"" if i == 0 else bytes([0xC0 | csid])) + payload[i:i + chunk]
    return out


def garbage_after_connect(port: int, ingest_url: str) -> tuple:
    """An RTMP client that connects properly to a channel's URL (handshake,
    `connect` to app live/<key>, which the daemon accepts), then sends a
    command message that is not AMF.  Returns (what the server answered the
    connect with, seconds until the server closed the connection)."""
    app = ingest_url.split("/", 3)[3]
    connect = (amf_string("connect") + b"\x00" + struct.pack(">d", 1.0) + b"\x03"
               + b"".join(struct.pack(">H", len(k)) + k.encode() + amf_string(v)
                          for k, v in (("app", app), ("type", "nonprivate"),
                                       ("flashVer", "FMLE/3.0"), ("tcUrl", ingest_url)))
               + b"\x00\x00\x09")
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(b"\x03" + bytes(1536))
        got = b""
        while len(got) < 1 + 1536 * 2:
            chunk = s.recv(65536)
            assert chunk, "closed during the handshake"
            got += chunk
        s.sendall(bytes(1536) + rtmp_message(3, 0x14, connect))
        answer = b""
        while b"_result" not in answer:
            chunk = s.recv(65536)
            assert chunk, "connect refused: %r" % answer
            answer += chunk
        sent = time.time()
        s.sendall(rtmp_message(3, 0x14, b"\xff" * 64 + b"not AMF at all" * 8))
        try:
            while s.recv(65536):
                pass
        except ConnectionResetError:
            pass
        return answer, time.time() - sent


def bad_codec_publish_args(url: str, seconds: int) -> list:
    """A well-formed RTMP publish the archive cannot take: Sorenson H.263
    (FLV's own video codec) instead of H.264."""
    return ["ffmpeg", "-v", "error", "-nostdin", "-re",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-t", str(seconds), "-map", "0:v", "-map", "1:a", "-c:v", "flv", "-g", "50",
            "-c:a", "aac", "-f", "flv", url]


def test_non_h264_publish_is_dropped_others_unaffected(live, live_origin, tmp_path):
    """Garbage after a proper RTMP connect is dropped at once (nginx-rtmp
    logs it); a publish in a codec the archive cannot take (the archiver's
    ffmpeg fails on it) is dropped at the channel's next on_update with the
    reason in the daemon's log; another channel's program archives on
    untouched meanwhile, and the channel takes a proper publish afterwards."""
    live.live_origin = live_origin
    bad, good = Show(live, "badcodec"), Show(live, "goodcodec")
    local = tmp_path / "good.mp4"
    try:
        good.publish(publish_args(good.ingest + "/s", 16, local))
        # garbage after a proper connect: dropped at once (nginx-rtmp logs the
        # disconnect; the why is at its debug level)
        answer, closed_after = garbage_after_connect(live.rtmp.port, bad.ingest)
        assert closed_after < 5, closed_after
        conn = re.findall(r"\*(\d+) connect: app='live/%s' args='' flashver='FMLE/3\.0'"
                          % bad.ingest.rsplit("/", 1)[1], live.rtmp.error_log())[-1]
        assert re.search(r"\*%s disconnect" % conn, live.rtmp.error_log())
        wait_player(live, bad.ingest)
        started = time.time()
        res = subprocess.run(bad_codec_publish_args(bad.ingest + "/s", 40), capture_output=True,
                             text=True, timeout=90)
        assert res.returncode != 0 and time.time() - started < 25, (res.returncode, res.stderr)
        log = live.daemon.log()
        assert re.search(r"rtmp update refused: the stream cannot be archived \(H\.264 video and "
                         r"AAC audio only\): .*flv1.* \(channel '%s', client 127\.0\.0\.1\)"
                         % bad.channel["Name"], log), log[-3000:]
        assert good.pub.wait(timeout=60) == 0, good.pub.stderr.read()
        wait_archived(live, good.program["Id"])
        run(live.ams, "Programs", good.program["Id"], "Stop")
        folder = live.daemon.data_dir / "media" / ("asset-" + good.asset["Id"].split(":")[-1])
        assert frame_hashes(folder / "show_video.mp4") == frame_hashes(local)

        # a proper publish to the same channel is accepted and archived
        again = tmp_path / "again.mp4"
        res = subprocess.run(publish_args(bad.ingest + "/s", 8, again), capture_output=True,
                             text=True, timeout=90)
        assert res.returncode == 0, res.stderr
        poll("the archiver to finish the good publish",
             lambda: live.daemon.log().count("live: archiver of %s ended" % bad.program["Id"])
             > log.count("live: archiver of %s ended" % bad.program["Id"]), 30)
        run(live.ams, "Programs", bad.program["Id"], "Stop")
        folder = live.daemon.data_dir / "media" / ("asset-" + bad.asset["Id"].split(":")[-1])
        got, want = frame_hashes(folder / "show_video.mp4"), frame_hashes(again)
        assert len(got) >= len(want) // 2, (len(got), len(want))
        assert got == want[want.index(got[0]):want.index(got[0]) + len(got)]
    finally:
        bad.end()
        good.end()


@pytest.mark.skipif(shutil.which("gst-launch-1.0") is None, reason="needs GStreamer")
def test_gstreamer_live_publish_is_served_live(live, live_origin):
    """GStreamer as a live encoder (videotestsrc + audiotestsrc in real time,
    x264enc + voaacenc, flvmux, rtmp2sink): the program serves it live while
    it publishes (ffmpeg decodes the live HLS and DASH), and archives it."""
    if subprocess.run(["gst-inspect-1.0", "x264enc"], capture_output=True).returncode != 0:
        pytest.skip("needs x264enc (gstreamer1.0-plugins-ugly)")
    live.live_origin = live_origin
    show = Show(live, "gstlive")
    pipeline = ("videotestsrc is-live=true num-buffers=750 pattern=smpte ! "
                "video/x-raw,width=640,height=360,framerate=25/1 ! "
                "x264enc tune=zerolatency speed-preset=veryfast key-int-max=50 bitrate=800 ! "
                "video/x-h264,profile=main ! h264parse ! queue ! m.video "
                "audiotestsrc is-live=true wave=sine num-buffers=1407 ! "
                "audio/x-raw,rate=48000,channels=2 ! audioconvert ! voaacenc bitrate=128000 ! "
                "aacparse ! queue ! m.audio "
                "flvmux name=m streamable=true ! rtmp2sink location=%s/gst-live" % show.ingest)
    try:
        show.publish(["gst-launch-1.0", "-q", "-e"] + pipeline.split())
        media = poll("a live video playlist with 2 segments", lambda: (
            lambda v: v if count_segments(v) >= 2 else None)(variant(show.base, "m3u8-aapl", "video"))
            if b"Manifest(video" in http_get(show.base + "Manifest(format=m3u8-aapl)").body
            else None, 90)
        text = http_get(media).body.decode()
        assert "#EXT-X-ENDLIST" not in text, text
        for url in (media, show.base + "Manifest(format=mpd-time-csf)"):
            picky = ["-extension_picky", "0"] if "m3u8" in url else []
            out = subprocess.run(["ffmpeg", "-v", "error"] + picky + ["-i", url, "-map", "0:v:0",
                                  "-t", "2", "-f", "framemd5", "-"],
                                 capture_output=True, text=True, timeout=120)
            assert out.returncode == 0, out.stderr
            assert len([l for l in out.stdout.splitlines() if l and not l.startswith("#")]) >= 45
        assert show.pub.wait(timeout=90) == 0, show.pub.stderr.read()
        wait_archived(live, show.program["Id"])
        run(live.ams, "Programs", show.program["Id"], "Stop")
        folder = live.daemon.data_dir / "media" / ("asset-" + show.asset["Id"].split(":")[-1])
        assert len(frame_hashes(folder / "show_video.mp4")) >= 700
        assert re.search(r"publish accepted: channel '%s', stream 'gst-live'" % show.channel["Name"],
                         live.daemon.log())
    finally:
        show.end()


def mpd_facts(base: str) -> tuple:
    """(availabilityStartTime, publishTime as unix seconds, end of the last
    listed video segment in presentation seconds) of a live MPD."""
    from datetime import datetime
    mpd = http_get(base + "Manifest(format=mpd-time-csf)").body.decode()

    def utc(name):
        text = re.search(r' %s="([^"]+)Z"' % name, mpd).group(1)
        return datetime.fromisoformat(text + "+00:00").timestamp()
    video = mpd[mpd.index('contentType="video"'):mpd.index("</AdaptationSet>")]
    pto = int((re.search(r'presentationTimeOffset="(\d+)"', video) or [0, 0])[1]) / 1e7
    end = 0
    for s in re.finditer(r'<S(?: t="(\d+)")? d="(\d+)"(?: r="(\d+)")?/>', video):
        t = int(s.group(1)) if s.group(1) else end
        end = t + int(s.group(2)) * (1 + int(s.group(3) or 0))
    return utc("availabilityStartTime"), utc("publishTime"), end / 1e7 - pto


def test_dash_availability_start_is_stable(on_air):
    """The live MPD's availabilityStartTime stays put while segments are
    added (DASH: it must not change between updates; the origin anchors it
    at the archive's write time, not at the moment of the request), and
    every listed segment is available by it (ends before publishTime)."""
    facts = [mpd_facts(on_air.base)]
    while len({f[2] for f in facts}) < 4:          # three more segments listed
        assert len(facts) < 200, facts
        time.sleep(0.25)
        facts.append(mpd_facts(on_air.base))
    starts = [f[0] for f in facts]
    assert max(starts) - min(starts) <= 1.0, (min(starts), max(starts))
    for ast, published, end in facts:
        assert ast + end <= published + 0.05, (ast, published, end)
