"""Smooth / fragmented-MP4 ingest (controlplane/live/live_smooth_ingest.c)
with ffmpeg's ismv muxer as the encoder: `-f ismv -movflags
isml+frag_keyframe` over a chunked HTTP POST to the channel's Input
endpoint + `/Streams(<name>)`, through the origin's nginx
(conf/platform-locations.conf.in) to mediaplaned.  The pushed clip is
testsrc2 + sine (20 s of H.264 2 s GOPs + AAC) encoded once beforehand and pushed
stream-copied in real time, so what was pushed is a file to compare with:
the origin serves the growing archive live (HLS, DASH read by ffmpeg), and
after Program Stop as VoD decoding to exactly the clip's frames.  Then
redundant encoders (duplicates dropped), refusals (403), malformed bodies
(dropped, the channel unaffected) and every bound at its value."""

import re
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from conftest import free_port
from isobmff import walk
from media import http_get
from platform_harness import Daemon, client_for, locations_snippet
from test_api_live import run

MAX_BOX = 2 * 1024 * 1024       # smooth_max_box in this module
MAX_FRAGMENTS = 30              # smooth_max_fragments
MAX_STREAMS = 3                 # smooth_max_streams
IDLE_TIMEOUT = 20               # client_body_timeout of the ingest location
LOOPBACK = [{"Name": "lo", "Address": "127.0.0.0", "SubnetPrefixLength": 8}]

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


@pytest.fixture(scope="module")
def smooth(tmp_path_factory, origin_factory):
    root = tmp_path_factory.mktemp("smooth")
    api_port = free_port()
    daemon = Daemon(root / "data", api_port, "http://127.0.0.1:%d/" % free_port(),
                    extra={"smooth_max_box": "2m", "smooth_max_fragments": MAX_FRAGMENTS,
                           "smooth_max_streams": MAX_STREAMS}).start()
    origin = origin_factory(server_extra=locations_snippet(api_port, daemon.data_dir))
    clip = root / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "20",
                    "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "veryfast",
                    "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "128k", "-y", str(clip)], check=True)
    yield type("Smooth", (), {"daemon": daemon, "origin": origin, "root": root, "clip": clip,
                              "ams": client_for("http://127.0.0.1:%d" % api_port)})
    daemon.stop()
    assert not daemon.crashes(), daemon.crashes()


def channel(s, allow=LOOPBACK, protocol="FragmentedMP4"):
    """A Running channel and its ingest URL, pointed at the test's origin."""
    r = s.ams.post("Channels", {"Name": "sm-%s" % uuid.uuid4().hex[:10],
                                "Input": {"StreamingProtocol": protocol,
                                          "AccessControl": {"IP": {"Allow": allow}}}})
    assert r.status == 202, r
    ch = run(s.ams, "Channels", r.json["Id"], "Start")
    [ep] = ch["Input"]["Endpoints"]
    if protocol == "RTMP":
        return ch, ep["Url"]
    assert ep["Protocol"] == "FragmentedMP4"
    m = re.fullmatch(r"http://127\.0\.0\.1:\d+/([0-9a-f]{32})/ingest\.isml", ep["Url"])
    assert m, ep
    return ch, s.origin.url("/%s/ingest.isml" % m.group(1))


def program(s, ch, manifest="show"):
    asset = s.ams.create("Assets", {"Name": "smooth-%s" % uuid.uuid4().hex[:8]})
    r = s.ams.post("Programs", {"Name": "p%s" % uuid.uuid4().hex[:8], "ChannelId": ch["Id"],
                                "AssetId": asset["Id"], "ArchiveWindowLength": "PT5M",
                                "ManifestName": manifest})
    assert r.status == 202, r
    pg = run(s.ams, "Programs", r.json["Id"], "Start")
    folder = s.daemon.data_dir / "media" / ("asset-" + asset["Id"].split(":")[-1])
    return pg, asset, folder


def push_args(clip: Path, url: str, realtime=True) -> list:
    """ffmpeg as a Smooth encoder: the clip stream-copied, in real time."""
    return (["ffmpeg", "-v", "error", "-nostdin"] + (["-re"] if realtime else [])
            + ["-i", str(clip), "-map", "0", "-c", "copy", "-f", "ismv",
               "-movflags", "isml+frag_keyframe", url])


def push(clip: Path, url: str, realtime=True, timeout=90):
    return subprocess.run(push_args(clip, url, realtime), capture_output=True, text=True,
                          timeout=timeout)


def frame_hashes(path) -> list:
    picky = ["-extension_picky", "0"] if "m3u8" in str(path) else []
    out = subprocess.run(["ffmpeg", "-v", "error"] + picky + ["-i", str(path), "-map", "0:v:0",
                          "-f", "framemd5", "-"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [l.split(",")[-1].strip() for l in out.stdout.splitlines()
            if l and not l.startswith("#")]


def wait_log(s, needle: str, count: int = 1, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while s.daemon.log().count(needle) < count:
        assert time.time() < deadline, "no %r in the daemon's log" % needle
        time.sleep(0.1)


def moofs(path: Path) -> int:
    return sum(1 for (p, _, _) in walk(path.read_bytes()) if p == "moof")


def test_push_plays_live_then_as_vod(smooth):
    """ffmpeg pushes; while the program runs the origin serves the growing
    archive live (HLS without ENDLIST, growing; DASH dynamic; ffmpeg reads
    both); after Stop the same URLs are VoD, the archive and the origin's
    HLS decode to exactly the pushed clip's frames."""
    s = smooth
    ch, url = channel(s)
    pg, asset, folder = program(s, ch)
    loc = s.ams.publish(asset["Id"])
    base = s.origin.url("/%s/show.ism/" % loc["Id"].split(":")[-1])
    pub = subprocess.Popen(push_args(s.clip, url + "/Streams(stream1)"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 40
        while True:    # until one whole segment is archived
            m = http_get(base + "Manifest(format=m3u8-aapl)")
            if m.status == 200 and b"Manifest(video" in m.body:
                line = [l for l in m.body.decode().splitlines() if "Manifest(video" in l][0]
                media = base + line
                first = http_get(media)
                if first.status == 200 and b"#EXTINF:" in first.body:
                    break
            assert time.time() < deadline and pub.poll() is None, (m.status, m.body[:300])
            time.sleep(0.5)
        text = first.body.decode()
        assert "#EXT-X-ENDLIST" not in text, text
        mpd = http_get(base + "Manifest(format=mpd-time-csf)")
        assert mpd.status == 200 and b'type="dynamic"' in mpd.body, mpd
        assert len(decoded_live(media)) >= 25
        assert len(decoded_live(base + "Manifest(format=mpd-time-csf)")) >= 25
        deadline = time.time() + 30
        while http_get(media).body.decode().count("#EXTINF:") <= text.count("#EXTINF:"):
            assert time.time() < deadline, "the live playlist did not grow"
            time.sleep(0.5)
        assert pub.wait(timeout=60) == 0, pub.stderr.read()
    finally:
        if pub.poll() is None:
            pub.kill()
    wait_log(s, "smooth ingest ended: channel '%s', stream 'stream1'" % ch["Name"])
    run(s.ams, "Programs", pg["Id"], "Stop")
    want = frame_hashes(s.clip)
    assert frame_hashes(folder / "show_video.mp4") == want
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name",
                            "-of", "csv=p=0", str(folder / "show_audio.mp4")],
                           capture_output=True, text=True, check=True).stdout
    assert probe.strip() == "aac"
    m = http_get(base + "Manifest(format=m3u8-aapl)").body.decode()
    media = base + [l for l in m.splitlines() if "Manifest(video" in l][0]
    assert http_get(media).body.decode().rstrip().endswith("#EXT-X-ENDLIST")
    assert b'type="static"' in http_get(base + "Manifest(format=mpd-time-csf)").body
    assert frame_hashes(media) == want
    files = {f["Name"] for f in s.ams.values("Assets%s/Files" % s.ams.key(asset["Id"]))}
    assert files == {"show.ism", "show_video.mp4", "show_audio.mp4"}
    token = url.split("/")[-2]
    assert token not in s.daemon.log()          # the ingest token is a secret
    run(s.ams, "Channels", ch["Id"], "Stop")


def decoded_live(url: str) -> list:
    """2 s of the live stream at url decoded by ffmpeg (framemd5 lines)."""
    picky = ["-extension_picky", "0"] if "m3u8" in url else []
    out = subprocess.run(["ffmpeg", "-v", "error"] + picky + ["-i", url, "-map", "0:v:0", "-t", "2",
                          "-f", "framemd5", "-"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [l for l in out.stdout.splitlines() if l and not l.startswith("#")]


def test_redundant_encoders_and_a_resend_are_deduplicated(smooth):
    """Two encoders push the same stream at once (AMS's redundant encoders)
    and then one re-sends it all: the archive holds every frame once."""
    s = smooth
    ch, url = channel(s)
    pg, asset, folder = program(s, ch, "dup")
    pubs = [subprocess.Popen(push_args(s.clip, url + "/Streams(enc%d)" % i),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for i in (1, 2)]
    for p in pubs:
        assert p.wait(timeout=90) == 0, p.stderr.read()
    wait_log(s, "smooth ingest ended: channel '%s'" % ch["Name"], 2)
    size = (folder / "dup_video.mp4").stat().st_size
    res = push(s.clip, url + "/Streams(enc1)", realtime=False)        # a re-POST of it all
    assert res.returncode == 0, res.stderr
    wait_log(s, "smooth ingest ended: channel '%s'" % ch["Name"], 3)
    last = [l for l in s.daemon.log().splitlines()
            if "smooth ingest ended: channel '%s'" % ch["Name"] in l][-1]
    assert re.search(r": (\d+) fragments, 0 archived, \1 duplicates dropped", last), last
    assert (folder / "dup_video.mp4").stat().st_size == size
    run(s.ams, "Programs", pg["Id"], "Stop")
    assert frame_hashes(folder / "dup_video.mp4") == frame_hashes(s.clip)
    dropped = sum(int(x) for x in re.findall(
        r"smooth ingest ended: channel '%s'.* (\d+) duplicates dropped" % ch["Name"],
        s.daemon.log())[:2])
    assert dropped > 0          # the two encoders overlapped
    run(s.ams, "Channels", ch["Id"], "Stop")


def raw_post(s, path: str, chunks, finish=True, timeout=30) -> bytes:
    """A chunked POST through the origin's nginx; returns what came back
    (the status line first; b"" when closed without an answer)."""
    with socket.create_connection(("127.0.0.1", s.origin.port), timeout=timeout) as c:
        c.sendall(("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                   "Content-Type: application/octet-stream\r\n\r\n" % path).encode())
        try:
            for chunk in chunks:
                c.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                time.sleep(0.05)
            if finish:
                c.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        got = b""
        try:
            while True:
                b = c.recv(65536)
                if not b:
                    break
                got += b
                if b"\r\n\r\n" in got:
                    break
        except (ConnectionResetError, socket.timeout):
            pass
        return got


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def box(typ: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + typ + payload


FTYP = box(b"ftyp", b"isml" + bytes(4) + b"piffiso2")


def test_refusals_are_403(smooth):
    """An unknown token, a client outside the allow list (and an empty
    list), an RTMP channel's token, a stopped channel: 403 before any
    body; a URL without Streams(<name>): 400."""
    s = smooth
    ch, url = channel(s)
    wrong = url.replace(url.split("/")[-2], uuid.uuid4().hex)
    for u in (wrong, ):
        assert raw_post(s, path_of(u) + "/Streams(x)", [FTYP]).startswith(b"HTTP/1.1 403")
    assert "smooth ingest refused: unknown ingest token" in s.daemon.log()
    assert raw_post(s, path_of(url) + "/x", [FTYP]).startswith(b"HTTP/1.1 400")
    lan, lan_url = channel(s, [{"Name": "lan", "Address": "10.0.0.0", "SubnetPrefixLength": 8}])
    nobody, nobody_url = channel(s, [])
    for u in (lan_url, nobody_url):
        assert raw_post(s, path_of(u) + "/Streams(x)", [FTYP]).startswith(b"HTTP/1.1 403")
    assert re.search(r"smooth ingest refused: the client address is outside the channel's IP "
                     r"allow list \(channel '%s', client 127\.0\.0\.1\)" % lan["Name"],
                     s.daemon.log())
    rtmp, rtmp_url = channel(s, protocol="RTMP")
    token = rtmp_url.rsplit("/", 1)[1]
    assert raw_post(s, "/%s/ingest.isml/Streams(x)" % token, [FTYP]).startswith(b"HTTP/1.1 403")
    assert "is not FragmentedMP4" in s.daemon.log()
    run(s.ams, "Channels", ch["Id"], "Stop")
    assert raw_post(s, path_of(url) + "/Streams(x)", [FTYP]).startswith(b"HTTP/1.1 403")
    assert "smooth ingest refused: the channel is not Running (channel '%s'" % ch["Name"] \
        in s.daemon.log()
    for c in (lan, nobody, rtmp):
        run(s.ams, "Channels", c["Id"], "Stop")


def ismv_boxes(s) -> list:
    """The clip as ffmpeg's ismv muxer writes it: [(type, bytes)] top-level."""
    path = s.root / "clip.ismv"
    if not path.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-i", str(s.clip), "-map", "0", "-c", "copy",
                        "-f", "ismv", "-movflags", "isml+frag_keyframe", "-y", str(path)],
                       check=True)
    data = path.read_bytes()
    return [(data[o + 4:o + 8], data[o:o + n]) for (p, o, n) in walk(data) if "/" not in p]


def test_malformed_bodies_are_dropped_channel_unaffected(smooth):
    """A moov that is not one, a fragment whose samples lie outside its
    mdat, a moof before any moov, garbage: each push is dropped at once
    with its reason logged; the channel then archives a good encoder's
    push frame-exact, and nothing crashed (the fixture checks)."""
    s = smooth
    ch, url = channel(s)
    pg, asset, folder = program(s, ch, "bad")
    boxes = ismv_boxes(s)
    head = b"".join(b for (t, b) in boxes if t != b"moof" and t != b"mdat" and t != b"mfra")
    moof = [b for (t, b) in boxes if t == b"moof"][0]
    short_mdat = box(b"mdat", bytes(64))
    cases = [
        ([FTYP, box(b"moov", b"\x00\x00\x00\x09trak\x00")], "bad moov"),
        ([head, moof, short_mdat], "bad fragment of track"),
        ([FTYP, moof], "a fragment before the moov"),
        ([b"\x00\x00\x00\x04abcd"], "a box smaller than its header"),
        ([FTYP, box(b"mdat", bytes(16))], "an mdat without a moof"),
    ]
    for i, (chunks, reason) in enumerate(cases):
        got = raw_post(s, path_of(url) + "/Streams(bad%d)" % i, chunks, finish=False)
        assert not got.startswith(b"HTTP/1.1 200"), got
        wait_log(s, "smooth ingest dropped: %s" % reason)
    res = push(s.clip, url + "/Streams(good)")
    assert res.returncode == 0, res.stderr
    wait_log(s, "smooth ingest ended: channel '%s', stream 'good'" % ch["Name"])
    run(s.ams, "Programs", pg["Id"], "Stop")
    assert frame_hashes(folder / "bad_video.mp4") == frame_hashes(s.clip)
    run(s.ams, "Channels", ch["Id"], "Stop")


def test_box_size_bound(smooth):
    """smooth_max_box: a box of exactly the bound is taken, one byte more
    drops the push before its body is read."""
    s = smooth
    ch, url = channel(s)
    path = path_of(url) + "/Streams(big)"
    at_bound = MAX_BOX.to_bytes(4, "big") + b"free"
    body = [FTYP, at_bound] + [bytes(65536)] * ((MAX_BOX - 8) // 65536) + [bytes((MAX_BOX - 8) % 65536)]
    assert raw_post(s, path, body).startswith(b"HTTP/1.1 200")
    wait_log(s, "smooth ingest ended: channel '%s', stream 'big'" % ch["Name"])
    over = (MAX_BOX + 1).to_bytes(4, "big") + b"free"
    got = raw_post(s, path, [FTYP, over], finish=False)
    assert not got.startswith(b"HTTP/1.1 200"), got
    wait_log(s, "smooth ingest dropped: a box of %d bytes (smooth_max_box: %d)" % (MAX_BOX + 1, MAX_BOX))
    run(s.ams, "Channels", ch["Id"], "Stop")


def test_fragments_per_push_bound(smooth):
    """smooth_max_fragments: a push of more fragments is dropped at the
    next one; the archive holds exactly the bound's fragments."""
    s = smooth
    ch, url = channel(s)
    pg, asset, folder = program(s, ch, "many")
    long_clip = s.root / "long.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-stream_loop", "1", "-i", str(s.clip), "-c", "copy",
                    "-y", str(long_clip)], check=True)        # 40 s: 20 fragments a track
    push(long_clip, url + "/Streams(many)", realtime=False)    # ffmpeg may not see the drop
    wait_log(s, "smooth ingest dropped: more than %d fragments in one POST "
                "(smooth_max_fragments)" % MAX_FRAGMENTS)
    run(s.ams, "Programs", pg["Id"], "Stop")
    assert moofs(folder / "many_video.mp4") + moofs(folder / "many_audio.mp4") == MAX_FRAGMENTS
    run(s.ams, "Channels", ch["Id"], "Stop")


def test_streams_per_channel_bound(smooth):
    """smooth_max_streams pushes at once per channel: one more is refused
    (503) until one ends."""
    s = smooth
    ch, url = channel(s)
    path = path_of(url)
    socks = []
    try:
        for i in range(MAX_STREAMS):
            c = socket.create_connection(("127.0.0.1", s.origin.port), timeout=10)
            c.sendall(("POST %s/Streams(s%d) HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
                       "\r\n\r\n" % (path, i)).encode() + b"%x\r\n" % len(FTYP) + FTYP + b"\r\n")
            socks.append(c)
        wait_log(s, "smooth ingest accepted: channel '%s'" % ch["Name"], MAX_STREAMS)
        got = raw_post(s, path + "/Streams(one-more)", [FTYP])
        assert got.startswith(b"HTTP/1.1 503"), got
        assert "has smooth_max_streams pushes already" in s.daemon.log()
        socks.pop().close()
        deadline = time.time() + 30
        while not raw_post(s, path + "/Streams(again)", [FTYP]).startswith(b"HTTP/1.1 200"):
            assert time.time() < deadline, "the stream count was not released"
            time.sleep(0.5)
    finally:
        for c in socks:
            c.close()
    run(s.ams, "Channels", ch["Id"], "Stop")


def test_idle_push_is_dropped(smooth):
    """An encoder that goes silent is dropped after the ingest location's
    client_body_timeout (20 s)."""
    s = smooth
    ch, url = channel(s)
    started = time.time()
    with socket.create_connection(("127.0.0.1", s.origin.port), timeout=IDLE_TIMEOUT + 30) as c:
        c.sendall(("POST %s/Streams(idle) HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
                   "\r\n\r\n" % path_of(url)).encode() + b"%x\r\n" % len(FTYP) + FTYP + b"\r\n")
        got = b""
        try:
            while True:
                b = c.recv(65536)
                if not b:
                    break
                got += b
        except ConnectionResetError:
            pass
    waited = time.time() - started
    assert IDLE_TIMEOUT - 1 <= waited < IDLE_TIMEOUT + 25, waited
    assert not got.startswith(b"HTTP/1.1 200"), got
    wait_log(s, "smooth ingest connection closed: channel '%s', stream 'idle'" % ch["Name"])
    run(s.ams, "Channels", ch["Id"], "Stop")


def test_archive_survives_a_daemon_sigkill(smooth):
    """mediaplaned SIGKILLed during a push: what was archived stays (each
    append was synced before the next), a fragment a crash left half-written
    is cut off when the file is next written, and the encoder pushing its
    stream again after the restart completes the archive (the fragments
    already there are dropped as duplicates): it decodes to exactly the
    clip's frames."""
    s = smooth
    ch, url = channel(s)
    pg, asset, folder = program(s, ch, "kill")
    video = folder / "kill_video.mp4"
    pub = subprocess.Popen(push_args(s.clip, url + "/Streams(k)"), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 40
        while not video.exists() or moofs(video) < 3:
            assert time.time() < deadline and pub.poll() is None, "nothing archived"
            time.sleep(0.2)
        s.daemon.kill()
    finally:
        pub.kill()
        pub.wait()
    kept = moofs(video)
    with open(video, "ab") as f:          # a crash in the middle of an append
        f.write((5000).to_bytes(4, "big") + b"moof" + bytes(100))
    s.daemon.start()
    res = push(s.clip, url + "/Streams(k)", realtime=False)
    assert res.returncode == 0, res.stderr
    wait_log(s, "smooth ingest ended: channel '%s', stream 'k'" % ch["Name"])
    assert re.search(r"kill_video\.mp4 ended in 108 bytes of a fragment cut short: cut off",
                     s.daemon.log())
    line = [l for l in s.daemon.log().splitlines()
            if "smooth ingest ended: channel '%s'" % ch["Name"] in l][-1]
    archived = int(re.search(r"(\d+) archived", line).group(1))
    assert 0 < archived < 20, line         # only what the killed push had not archived
    run(s.ams, "Programs", pg["Id"], "Stop")
    assert moofs(video) >= kept
    assert frame_hashes(video) == frame_hashes(s.clip)
    run(s.ams, "Channels", ch["Id"], "Stop")


def test_one_post_per_track(smooth):
    """An encoder pushing each track in its own POST (both tracks numbered
    1 in their moovs, as AMS-era encoders did): the video POST fills the
    video archive, the audio POST the audio one."""
    s = smooth
    ch, url = channel(s)
    pg, asset, folder = program(s, ch, "split")
    res = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-re", "-i", str(s.clip),
                          "-map", "0:v", "-c", "copy", "-f", "ismv", "-movflags", "isml+frag_keyframe",
                          url + "/Streams(video)",
                          "-map", "0:a", "-c", "copy", "-f", "ismv", "-movflags", "isml",
                          "-frag_duration", "2000000", url + "/Streams(audio)"], capture_output=True, text=True, timeout=90)
    assert res.returncode == 0, res.stderr
    for stream in ("video", "audio"):
        wait_log(s, "smooth ingest ended: channel '%s', stream '%s'" % (ch["Name"], stream))
    run(s.ams, "Programs", pg["Id"], "Stop")
    assert frame_hashes(folder / "split_video.mp4") == frame_hashes(s.clip)
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name",
                            "-of", "csv=p=0", str(folder / "split_audio.mp4")],
                           capture_output=True, text=True, check=True).stdout
    assert probe.strip() == "aac"
    assert moofs(folder / "split_audio.mp4") >= 9
    run(s.ams, "Channels", ch["Id"], "Stop")


def test_channel_stop_drops_a_push(smooth):
    """A push to a channel that is stopped meanwhile is dropped at its next
    fragment (the channel is checked again at every fragment)."""
    s = smooth
    ch, url = channel(s)
    pub = subprocess.Popen(push_args(s.clip, url + "/Streams(s)"), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        wait_log(s, "smooth ingest accepted: channel '%s', stream 's'" % ch["Name"])
        run(s.ams, "Channels", ch["Id"], "Stop")
        wait_log(s, "smooth ingest dropped: the channel is not Running (channel '%s'"
                 % ch["Name"], timeout=20)
    finally:
        pub.kill()
        pub.wait()
