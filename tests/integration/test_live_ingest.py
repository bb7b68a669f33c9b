"""RTMP ingest into a program's archive, with real publishers: an nginx
with Debian's nginx-rtmp (conf/rtmp-ingest.conf.in) whose callbacks reach
mediaplaned, ffmpeg publishing testsrc2 + sine (H.264 + AAC) to the
channel's Input endpoint URL + a stream name, and the archive checked after
Program Stop: ffprobe reads each file, the archived video decodes to the
same frames (framemd5) as the publisher's own encoded stream (kept by
ffmpeg's tee muxer), and the asset has its Files.  Refusals: an unknown
stream key, a client outside the IP allow list, a stopped channel."""

import getpass
import re
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from conftest import NGINX, free_port
from isobmff import find, walk
from platform_harness import TOP, Daemon, client_for, locations_snippet, render
from test_api_live import act, run

RTMP_MODULE = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
LIVE_MAX_PROGRAMS = 4         # the daemon's live_max_programs in this module

pytestmark = pytest.mark.skipif(not RTMP_MODULE.exists() or shutil.which("ffmpeg") is None,
                                reason="needs libnginx-mod-rtmp and ffmpeg")


class RtmpServer:
    def __init__(self, prefix: Path, api_port: int):
        self.prefix = prefix
        self.port = free_port()
        (prefix / "logs").mkdir(parents=True, exist_ok=True)
        self.conf = prefix / "rtmp.conf"
        self.conf.write_text(render(TOP / "conf" / "rtmp-ingest.conf.in", {
            "RTMP_MODULE": RTMP_MODULE, "PREFIX": prefix, "DAEMON": "off",
            "RTMP_LISTEN": "127.0.0.1:%d" % self.port, "API_LISTEN": "127.0.0.1:%d" % api_port}))
        self.proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(self.conf)],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(prefix / "logs" / "stderr.log", "ab"))
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx-rtmp did not start: %s" % (prefix / "logs").glob("*"))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def error_log(self) -> str:
        p = self.prefix / "logs" / "rtmp-error.log"
        return p.read_text(errors="replace") if p.exists() else ""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("live")
    api_port = free_port()
    rtmp = RtmpServer(root / "rtmp", api_port)
    url = "rtmp://127.0.0.1:%d/" % rtmp.port
    daemon = Daemon(root / "data", api_port, "http://127.0.0.1:%d/" % free_port(),
                    extra={"rtmp_url": url, "rtmp_local_url": url,
                           "live_max_programs": LIVE_MAX_PROGRAMS}).start()
    yield type("Live", (), {"rtmp": rtmp, "daemon": daemon, "root": root,
                            "ams": client_for("http://127.0.0.1:%d" % api_port)})
    daemon.stop()
    rtmp.stop()
    assert not daemon.crashes(), daemon.crashes()


def channel(ams, allow):
    body = {"Name": "ch-%s" % uuid.uuid4().hex[:10],
            "Input": {"StreamingProtocol": "RTMP",
                      "AccessControl": {"IP": {"Allow": allow}}}}
    r = ams.post("Channels", body)
    assert r.status == 202, r
    ch = run(ams, "Channels", r.json["Id"], "Start")
    return ch, ch["Input"]["Endpoints"][0]["Url"]


def wait_player(live, url: str, plays: int = 1, timeout: float = 30) -> None:
    """Until the program's archiver has played the channel's stream `plays`
    times (nginx-rtmp logs each play): then a publish is archived from its
    first frame, however slow the machine is."""
    needle = "play: name='%s'" % url.rsplit("/", 1)[1]
    deadline = time.time() + timeout
    while live.rtmp.error_log().count(needle) < plays:
        assert time.time() < deadline, "no archiver played %s" % needle
        time.sleep(0.1)
    time.sleep(0.3)


def wait_archived(live, program_id: str, sessions: int = 1, timeout: float = 30) -> None:
    """Until the program's archiver has ended `sessions` times by itself (its
    publisher left and it wrote its last fragment): a Stop after that cannot
    cut the tail of a publish the archiver is still reading."""
    needle = "live: archiver of %s ended" % program_id
    deadline = time.time() + timeout
    while live.daemon.log().count(needle) < sessions:
        assert time.time() < deadline, "the archiver of %s did not end" % program_id
        time.sleep(0.1)


LOOPBACK = [{"Name": "lo", "Address": "127.0.0.0", "SubnetPrefixLength": 8}]


def publish(url: str, seconds: int, local: Path = None, timeout: float = 60, source="testsrc2"):
    """ffmpeg publishing H.264 (2 s GOPs) + AAC in real time to url; with
    local, the same encoded stream is also written there (tee muxer)."""
    return subprocess.run(publish_args(url, seconds, local, source), capture_output=True,
                          text=True, timeout=timeout)


def publish_args(url: str, seconds: int, local: Path = None, source="testsrc2") -> list:
    args = ["ffmpeg", "-v", "error", "-nostdin", "-re",
            "-f", "lavfi", "-i", "%s=size=640x360:rate=25" % source,
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", str(seconds), "-map", "0:v", "-map", "1:a",
            "-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-keyint_min", "50",
            "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k"]
    if local is not None:
        args += ["-flags", "+global_header", "-f", "tee",
                 "[f=flv:onfail=abort]%s|[f=mp4]%s" % (url, local)]
    else:
        args += ["-f", "flv", url]
    return args


def frame_hashes(path: Path) -> list:
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v:0",
                          "-f", "framemd5", "-"], capture_output=True, text=True, check=True).stdout
    return [l.split(",")[-1].strip() for l in out.splitlines() if l and not l.startswith("#")]


def probe(path: Path) -> str:
    return subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                           "stream=codec_name:format=duration", "-of", "compact", str(path)],
                          capture_output=True, text=True, check=True).stdout


def test_publish_is_archived_frame_exact(live):
    ams = live.ams
    ch, url = channel(ams, LOOPBACK)
    assert re.fullmatch(r"rtmp://127\.0\.0\.1:\d+/live/[0-9a-f]{32}", url)
    asset = ams.create("Assets", {"Name": "live-archive"})
    r = ams.post("Programs", {"Name": "show", "ChannelId": ch["Id"], "AssetId": asset["Id"],
                              "ArchiveWindowLength": "PT10M", "ManifestName": "show"})
    assert r.status == 202, r
    program = run(ams, "Programs", r.json["Id"], "Start")
    assert program["State"] == "Running"
    wait_player(live, url)   # the archiver is waiting on the stream before the publisher comes
    local = live.root / "published.mp4"
    res = publish(url + "/stream1", 10, local)
    assert res.returncode == 0, res.stderr
    wait_archived(live, program["Id"])
    run(ams, "Programs", program["Id"], "Stop")

    folder = live.daemon.data_dir / "media" / ("asset-" + asset["Id"].split(":")[-1])
    video, audio, ism = folder / "show_video.mp4", folder / "show_audio.mp4", folder / "show.ism"
    assert "codec_name=h264" in probe(video)
    assert "codec_name=aac" in probe(audio)
    text = ism.read_text()
    assert 'src="show_video.mp4"' in text and 'src="show_audio.mp4"' in text
    # fragmented MP4 as ffmpeg writes it: ftyp, moov with mvex, a moof + mdat
    # per GOP (10 s at 2 s GOPs), and the fragment index (mfra) at the end
    for path, fragments in ((video, 5), (audio, 5)):
        boxes = [p for (p, _, _) in walk(path.read_bytes()) if "/" not in p]
        assert boxes[:2] == ["ftyp", "moov"] and boxes[-1] == "mfra", boxes
        assert boxes[2:-1] == ["moof", "mdat"] * (len(boxes[2:-1]) // 2), boxes
        assert len(boxes[2:-1]) // 2 >= fragments, boxes
        assert find(path.read_bytes(), "moov/mvex")

    # the archive is the publisher's encoded stream from the frame it began
    # with: the archiver waits on the stream before the publish, so it gets
    # every frame from the first keyframe on (offset 0 expected)
    want, got = frame_hashes(local), frame_hashes(video)
    assert got, "no frames archived"
    offset = want.index(got[0])
    assert got == want[offset:offset + len(got)]
    assert offset == 0 and len(got) >= len(want) - 2, (offset, len(got), len(want))

    live.archive = folder          # for test_origin_plays_the_archive
    files = {f["Name"]: f for f in ams.values("Assets%s/Files" % ams.key(asset["Id"]))}
    assert set(files) == {"show.ism", "show_video.mp4", "show_audio.mp4"}
    assert files["show.ism"]["IsPrimary"]
    assert int(files["show_video.mp4"]["ContentFileSize"]) == video.stat().st_size
    assert "publish accepted" in live.daemon.log()
    assert "rtmp publish ended: channel '%s'" % ch["Name"] in live.daemon.log()
    assert url.rsplit("/", 1)[1] not in live.daemon.log()      # the stream key is never logged
    run(ams, "Channels", ch["Id"], "Stop")


def refused(url: str):
    res = publish(url, 2, timeout=30)
    assert res.returncode != 0, "publish to %s was accepted" % url
    return res


def test_unknown_stream_key_is_refused(live):
    ch, url = channel(live.ams, LOOPBACK)
    wrong = re.sub(r"[0-9a-f]{32}$", uuid.uuid4().hex, url)
    refused(wrong + "/s")
    assert re.search(r"rtmp connect refused: unknown stream key", live.daemon.log())
    refused(url.rsplit("/", 1)[0] + "/s")            # no key at all
    run(live.ams, "Channels", ch["Id"], "Stop")


def test_client_outside_allow_list_is_refused(live):
    ch, url = channel(live.ams, [{"Name": "lan", "Address": "10.0.0.0", "SubnetPrefixLength": 8}])
    refused(url + "/s")
    assert re.search(r"refused: the client address is outside the channel's IP allow list "
                     r"\(channel '%s', client 127\.0\.0\.1\)" % ch["Name"], live.daemon.log())
    run(live.ams, "Channels", ch["Id"], "Stop")
    ch2, url2 = channel(live.ams, [])                 # empty list: nobody
    refused(url2 + "/s")
    run(live.ams, "Channels", ch2["Id"], "Stop")


def test_fragmented_mp4_channel_refuses_rtmp(live):
    """A FragmentedMP4 (Smooth ingest) channel's key is no RTMP stream key."""
    r = live.ams.post("Channels", {"Name": "ch-%s" % uuid.uuid4().hex[:10],
                                   "Input": {"StreamingProtocol": "FragmentedMP4",
                                             "AccessControl": {"IP": {"Allow": LOOPBACK}}}})
    assert r.status == 202, r
    ch = run(live.ams, "Channels", r.json["Id"], "Start")
    key = re.search(r"/([0-9a-f]{32})/ingest\.isml$", ch["Input"]["Endpoints"][0]["Url"]).group(1)
    refused("rtmp://127.0.0.1:%d/live/%s/s" % (live.rtmp.port, key))
    assert "the channel's Input.StreamingProtocol is not RTMP (channel '%s'" % ch["Name"] \
        in live.daemon.log()
    run(live.ams, "Channels", ch["Id"], "Stop")


def test_stopped_channel_refuses(live):
    ch, url = channel(live.ams, LOOPBACK)
    run(live.ams, "Channels", ch["Id"], "Stop")
    refused(url + "/s")
    assert "the channel is not Running" in live.daemon.log()


def test_archive_goes_on_through_a_daemon_sigkill(live):
    """The archiver is detached from the daemon: a SIGKILLed daemon leaves it
    archiving, the restarted daemon adopts it (pid file + command line), and
    Program Stop then finalizes the archive with every frame."""
    ams = live.ams
    ch, url = channel(ams, LOOPBACK)
    asset = ams.create("Assets", {"Name": "live-archive-kill"})
    r = ams.post("Programs", {"Name": "killed", "ChannelId": ch["Id"], "AssetId": asset["Id"],
                              "ArchiveWindowLength": "PT10M"})
    program = run(ams, "Programs", r.json["Id"], "Start")
    wait_player(live, url)
    local = live.root / "published-kill.mp4"
    pub = subprocess.Popen(publish_args(url + "/s", 10, local), stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(4)
    live.daemon.kill()
    live.daemon.start()
    assert pub.wait(timeout=60) == 0
    wait_archived(live, program["Id"])
    assert "adopted archiver" in live.daemon.log()
    run(ams, "Programs", program["Id"], "Stop")
    folder = live.daemon.data_dir / "media" / ("asset-" + asset["Id"].split(":")[-1])
    want, got = frame_hashes(local), frame_hashes(folder / "killed_video.mp4")
    assert got == want, (len(got), len(want))
    assert "codec_name=aac" in probe(folder / "killed_audio.mp4")
    run(ams, "Channels", ch["Id"], "Stop")


def test_reconnect_continues_the_archive(live):
    """An encoder that disconnects and publishes again: each publish session
    is archived, and Program Stop joins them into one timeline (the second
    session's frames follow the first's, timestamps continuous, the time
    the encoder was away left out)."""
    ams = live.ams
    ch, url = channel(ams, LOOPBACK)
    asset = ams.create("Assets", {"Name": "live-archive-reconnect"})
    r = ams.post("Programs", {"Name": "again", "ChannelId": ch["Id"], "AssetId": asset["Id"],
                              "ArchiveWindowLength": "PT10M"})
    program = run(ams, "Programs", r.json["Id"], "Start")
    wait_player(live, url)
    first, second = live.root / "session1.mp4", live.root / "session2.mp4"
    assert publish(url + "/s", 4, first).returncode == 0
    wait_player(live, url, 2)      # the next archiver waits for the next publish
    assert publish(url + "/s", 4, second, source="testsrc").returncode == 0
    wait_archived(live, program["Id"], 2)
    run(ams, "Programs", program["Id"], "Stop")
    folder = live.daemon.data_dir / "media" / ("asset-" + asset["Id"].split(":")[-1])
    video = folder / "again_video.mp4"
    got, want = frame_hashes(video), frame_hashes(first) + frame_hashes(second)
    assert got == want, (len(got), len(want))
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "packet=dts_time", "-of", "csv=p=0", str(video)],
                         capture_output=True, text=True, check=True).stdout
    dts = [float(x) for x in out.split()]
    steps = [b - a for a, b in zip(dts, dts[1:])]
    assert min(steps) > 0 and max(steps) < 0.081, (min(steps), max(steps))   # 25 fps: 0.04
    assert "codec_name=aac" in probe(folder / "again_audio.mp4")
    assert "joined 2 publish sessions" in live.daemon.log()
    files = {f["Name"] for f in ams.values("Assets%s/Files" % ams.key(asset["Id"]))}
    assert files == {"again.ism", "again_video.mp4", "again_audio.mp4"}
    run(ams, "Channels", ch["Id"], "Stop")


@pytest.mark.skipif(shutil.which("gst-launch-1.0") is None, reason="needs GStreamer")
def test_gstreamer_rtmp2sink_publish(live):
    """GStreamer's rtmp2sink (its own RTMP client: app = the path up to the
    last '/') publishes an H.264 + AAC clip stream-copied from an MP4; the
    archive holds exactly the clip's frames."""
    ams = live.ams
    ch, url = channel(ams, LOOPBACK)
    asset = ams.create("Assets", {"Name": "live-archive-gst"})
    r = ams.post("Programs", {"Name": "gst", "ChannelId": ch["Id"], "AssetId": asset["Id"],
                              "ArchiveWindowLength": "PT10M"})
    program = run(ams, "Programs", r.json["Id"], "Start")
    clip = live.root / "gst-clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
                    "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=48000", "-t", "6",
                    "-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-keyint_min", "50",
                    "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-y", str(clip)],
                   check=True)
    wait_player(live, url)
    pipeline = ("filesrc location=%s ! qtdemux name=d "
                "d.video_0 ! queue ! h264parse ! m.video "
                "d.audio_0 ! queue ! aacparse ! m.audio "
                "flvmux name=m streamable=true ! identity sync=true ! "
                "rtmp2sink location=%s/gst-stream" % (clip, url))
    res = subprocess.run(["gst-launch-1.0", "-q", "-e"] + pipeline.split(), capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0, res.stderr + res.stdout
    wait_archived(live, program["Id"])
    run(ams, "Programs", program["Id"], "Stop")
    folder = live.daemon.data_dir / "media" / ("asset-" + asset["Id"].split(":")[-1])
    assert frame_hashes(folder / "gst_video.mp4") == frame_hashes(clip)
    assert "codec_name=aac" in probe(folder / "gst_audio.mp4")
    assert re.search(r"publish accepted: channel '%s', stream 'gst-stream'" % ch["Name"],
                     live.daemon.log())
    run(ams, "Channels", ch["Id"], "Stop")


def malformed_rtmp(port: int) -> bytes:
    """A client that completes the RTMP handshake and then sends a chunk
    claiming a 16 MB message (over max_message): returns what the server
    sent after that (b"" once it closed the connection)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"\x03" + bytes(1536))                 # C0 + C1 (plain handshake)
        got = b""
        while len(got) < 1 + 1536 * 2:                    # S0 + S1 + S2
            chunk = s.recv(65536)
            assert chunk, "closed during the handshake"
            got += chunk
        s.sendall(bytes(1536))                            # C2
        # chunk stream 3, fmt 0: timestamp 0, length 0xFFFFFF, type 20 (AMF0 command)
        s.sendall(b"\x03" + b"\x00\x00\x00" + b"\xff\xff\xff" + b"\x14" + bytes(4) + bytes(128))
        rest = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                return rest
            if not chunk:
                return rest
            rest += chunk


def test_malformed_rtmp_is_dropped_others_unaffected(live):
    """A malformed RTMP connection is dropped with a logged reason while
    another channel's publish and archive go on untouched, and the channel
    still takes a proper publish afterwards."""
    ams = live.ams
    ch, url = channel(ams, LOOPBACK)
    other, other_url = channel(ams, LOOPBACK)
    asset = ams.create("Assets", {"Name": "live-archive-other"})
    r = ams.post("Programs", {"Name": "other", "ChannelId": other["Id"], "AssetId": asset["Id"],
                              "ArchiveWindowLength": "PT10M"})
    program = run(ams, "Programs", r.json["Id"], "Start")
    wait_player(live, other_url)
    local = live.root / "other.mp4"
    pub = subprocess.Popen(publish_args(other_url + "/s", 6, local), stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)
    assert malformed_rtmp(live.rtmp.port) == b""
    assert re.search(r"too big message", live.rtmp.error_log())
    assert pub.wait(timeout=60) == 0
    wait_archived(live, program["Id"])
    run(ams, "Programs", program["Id"], "Stop")
    folder = live.daemon.data_dir / "media" / ("asset-" + asset["Id"].split(":")[-1])
    assert frame_hashes(folder / "other_video.mp4") == frame_hashes(local)
    res = publish(url + "/s", 2)
    assert res.returncode == 0, res.stderr
    for c in (ch, other):
        run(ams, "Channels", c["Id"], "Stop")


def test_readme_live_session(live, tmp_path):
    """README, Live channels: the curl + ffmpeg session runs as written (after
    the API guide's first block: token, headers, uri), publish shortened."""
    from test_readme_examples import README
    from platform_harness import CLIENT_ID, CLIENT_SECRET
    text = README.read_text()
    start, end = text.index("<!-- live-session -->"), text.index("<!-- /live-session -->")
    [block] = re.findall(r"^```sh\n(.*?)^```$", text[start:end], re.S | re.M)
    setup = "set -euo pipefail\n" + re.findall(r"^```sh\n(.*?)^```$", text[text.index(
        "<!-- api-session -->"):], re.S | re.M)[0]
    script = setup + "\n" + block.replace("-t 20", "-t 4")
    env = {"BASE": "http://127.0.0.1:%d" % live.daemon.port, "CLIENT_ID": CLIENT_ID,
           "CLIENT_SECRET": CLIENT_SECRET, "PATH": "/usr/bin:/bin"}
    r = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, "stdout:\n%s\nstderr:\n%s" % (r.stdout, r.stderr)
    lines = r.stdout.split()
    assert lines.count("Succeeded") == 4, r.stdout
    assert re.search(r"^rtmp://127\.0\.0\.1:\d+/live/[0-9a-f]{32}$", r.stdout, re.M)
    for line in ("show.ism true", "show_video.mp4 false", "show_audio.mp4 false"):
        assert re.search("^%s$" % line, r.stdout, re.M), r.stdout


def test_origin_plays_the_archive(live, origin, media_root):
    """The finished archive is a VoD asset for the origin: its HLS (fMP4)
    decodes to exactly the archive's frames.  Needs an origin that reads
    fragmented MP4 (skipped with the 415 of one that does not yet)."""
    folder = getattr(live, "archive", None)
    if folder is None:
        pytest.skip("needs test_publish_is_archived_frame_exact's archive")
    name = "live-%s" % uuid.uuid4().hex[:8]
    shutil.copytree(folder, Path(media_root) / "media" / name)
    url = origin.url("/media/%s/show.ism/Manifest(format=m3u8-aapl)" % name)
    from media import http_get
    r = http_get(url)
    if r.status == 415:
        pytest.skip("this origin does not package fragmented MP4 input yet")
    assert r.status == 200, r
    out = subprocess.run(["ffmpeg", "-v", "error", "-extension_picky", "0", "-i", url, "-map", "0:v:0",
                          "-f", "framemd5", "-"], capture_output=True, text=True, check=True).stdout
    got = [l.split(",")[-1].strip() for l in out.splitlines() if l and not l.startswith("#")]
    assert got == frame_hashes(folder / "show_video.mp4")


def test_running_programs_bounded_by_live_max_programs(live):
    """live_max_programs bounds the archivers of the whole installation: at
    the bound, one more Start is refused (403) until a program stops."""
    ams = live.ams
    channels = [channel(ams, LOOPBACK)[0] for _ in range(2)]
    programs = []
    for i in range(LIVE_MAX_PROGRAMS + 1):
        asset = ams.create("Assets", {"Name": "bound-%d" % i})
        r = ams.post("Programs", {"Name": "b%d" % i, "ChannelId": channels[i % 2]["Id"],
                                  "AssetId": asset["Id"], "ArchiveWindowLength": "PT10M"})
        assert r.status == 202, r
        programs.append(r.json)
    for p in programs[:LIVE_MAX_PROGRAMS]:
        assert run(ams, "Programs", p["Id"], "Start")["State"] == "Running"
    r = act(ams, "Programs", programs[-1]["Id"], "Start")
    assert r.status == 403, r
    assert "at most %d programs may run at once" % LIVE_MAX_PROGRAMS in r.error_message()
    run(ams, "Programs", programs[0]["Id"], "Stop")
    assert run(ams, "Programs", programs[-1]["Id"], "Start")["State"] == "Running"
    for p in programs[1:]:
        run(ams, "Programs", p["Id"], "Stop")
    for c in channels:
        run(ams, "Channels", c["Id"], "Stop")


def test_channel_stop_drops_its_publisher(live):
    """Stopping a channel (or narrowing its allow list) drops a publisher
    already streaming within nginx-rtmp's update interval (5 s)."""
    ams = live.ams
    ch, url = channel(ams, LOOPBACK)
    started = time.time()
    pub = subprocess.Popen(publish_args(url + "/s", 20), stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3)
    assert pub.poll() is None, "the publish did not start"
    run(ams, "Channels", ch["Id"], "Stop")
    rc = pub.wait(timeout=30)
    assert rc != 0 and time.time() - started < 12, (rc, time.time() - started)
    assert re.search(r"rtmp update refused: the channel is not Running \(channel '%s'" % ch["Name"],
                     live.daemon.log())


@pytest.fixture(scope="module")
def live_origin(live, origin_factory):
    """A catalog-mode origin over the live daemon's catalog and media."""
    return origin_factory(server_extra=locations_snippet(live.daemon.port, live.daemon.data_dir))


def decoded(url: str, seconds: float = None) -> list:
    """framemd5 of the first video stream ffmpeg reads from url."""
    picky = ["-extension_picky", "0"] if "m3u8" in url else []    # an HLS demuxer option
    args = ["ffmpeg", "-v", "error"] + picky + ["-i", url, "-map", "0:v:0"]
    if seconds is not None:
        args += ["-t", str(seconds)]
    out = subprocess.run(args + ["-f", "framemd5", "-"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return [l.split(",")[-1].strip() for l in out.stdout.splitlines()
            if l and not l.startswith("#")]


def test_origin_serves_a_running_program_live(live, live_origin):
    """While a program runs, its origin locator serves the growing archive as
    live: HLS (TS and fMP4) without EXT-X-ENDLIST, growing between fetches,
    DASH type="dynamic" with the DVR window, Smooth IsLive; short manifest
    Cache-Control; ffmpeg reads the live HLS and DASH.  After Program Stop
    the same URLs are VoD and decode to exactly the archive's frames."""
    from media import http_get
    ams = live.ams
    ch, url = channel(ams, LOOPBACK)
    asset = ams.create("Assets", {"Name": "live-origin"})
    r = ams.post("Programs", {"Name": "liveshow", "ChannelId": ch["Id"], "AssetId": asset["Id"],
                              "ArchiveWindowLength": "PT5M", "ManifestName": "show"})
    assert r.status == 202, r
    program = run(ams, "Programs", r.json["Id"], "Start")
    loc = ams.publish(asset["Id"])          # a locator created while the program runs
    base = live_origin.url("/%s/show.ism/" % loc["Id"].split(":")[-1])
    wait_player(live, url)
    pub = subprocess.Popen(publish_args(url + "/stream1", 30), stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 30
        while True:    # until two key frames (one whole segment) are archived
            m = http_get(base + "Manifest(format=m3u8-aapl)")
            if m.status == 200 and b"Manifest(video" in m.body:
                video_pl = [l for l in m.body.decode().splitlines() if "Manifest(video" in l][0]
                media = base + video_pl
                # from every worker: one whose open file cache still holds the
                # file's older size (open_file_cache_valid) lists nothing yet
                fetched = [http_get(media) for _ in range(4)]
                if all(f.status == 200 and b"#EXTINF:" in f.body for f in fetched):
                    first = fetched[-1]
                    break
            assert time.time() < deadline, (m.status, m.body[:300])
            time.sleep(1)
        text = first.body.decode()
        assert "#EXT-X-ENDLIST" not in text and "PLAYLIST-TYPE" not in text, text
        assert "#EXTINF:" in text, text
        assert first.headers["Cache-Control"] == "max-age=1"
        mpd = http_get(base + "Manifest(format=mpd-time-csf)")
        assert mpd.status == 200, mpd
        assert b'type="dynamic"' in mpd.body and b'timeShiftBufferDepth="PT300.000S"' in mpd.body
        assert b"UTCTiming" in mpd.body
        ism = http_get(base + "Manifest")
        assert b'IsLive="TRUE"' in ism.body and b'DVRWindowLength="3000000000"' in ism.body
        # a segment not yet there: 404, not 500
        assert http_get(base + "QualityLevels(1)/Fragments(video=999999999999)").status == 404
        # ffmpeg plays the live HLS (fMP4 and TS) and DASH
        assert len(decoded(media, 2)) >= 25
        assert len(decoded(base + "Manifest(format=m3u8-aapl-v3)", 2)) >= 25
        assert len(decoded(base + "Manifest(format=mpd-time-csf)", 2)) >= 25
        deadline = time.time() + 20    # a segment is 6 s of media: poll, don't guess
        while True:
            later = http_get(media).body.decode()
            if later.count("#EXTINF:") > text.count("#EXTINF:"):
                break
            assert time.time() < deadline and pub.poll() is None, (text, later)
            time.sleep(1)
        assert pub.wait(timeout=60) == 0, pub.stderr.read()
    finally:
        if pub.poll() is None:
            pub.kill()
    wait_archived(live, program["Id"])
    run(ams, "Programs", program["Id"], "Stop")
    # the variant URL a live player holds answers after Stop too (the .ism
    # keeps its bit rates), and the master playlist names it still
    m = http_get(base + "Manifest(format=m3u8-aapl)").body.decode()
    assert media == base + [l for l in m.splitlines() if "Manifest(video" in l][0], m
    text = http_get(media).body.decode()
    assert text.rstrip().endswith("#EXT-X-ENDLIST"), text
    assert b'type="static"' in http_get(base + "Manifest(format=mpd-time-csf)").body
    folder = live.daemon.data_dir / "media" / ("asset-" + asset["Id"].split(":")[-1])
    assert decoded(media) == frame_hashes(folder / "show_video.mp4")
    run(ams, "Channels", ch["Id"], "Stop")
