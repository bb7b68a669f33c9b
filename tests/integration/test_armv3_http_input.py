"""v3 JobInputHttp: the encoder downloads the input (before its sandbox)
from a local HTTP server, bounded by the daemon's http_input_max_bytes
(tested at the byte: a file of exactly the cap passes, one byte more fails,
with and without Content-Length), http_input_timeout (a slow server), the
redirect cap, http/https only, and http_input_private (off by default: a
loopback URL fails the job on the shared platform daemon; the daemon here opts
in).  Failures are Error jobs with AMS's DownloadNotAccessible /
DownloadTransientError codes."""

import http.server
import threading
import time
import uuid

import pytest

from armv3 import ArmClient
from conftest import free_port
from encode_checks import make_clip
from media import ffprobe_json
from platform_harness import Daemon

API = "2022-07-01"
TIMEOUT_S = 5
SMALL = {"@odata.type": "#Microsoft.Media.StandardEncoderPreset",
         "codecs": [{"@odata.type": "#Microsoft.Media.H264Video", "complexity": "Speed",
                     "layers": [{"bitrate": 300000, "width": "320", "height": "180"}]}],
         "formats": [{"@odata.type": "#Microsoft.Media.Mp4Format",
                      "filenamePattern": "{Basename}_{Bitrate}{Extension}"}]}


class Media(http.server.BaseHTTPRequestHandler):
    """/f/<name>: the file; /chunked/<name>: without Content-Length;
    /slow/<seconds>/<name>: the file spread over that many seconds;
    /hop/<n>/<name>: n redirects, then the file; /gone: 404; /busy: 503."""
    files = {}
    aborted = []            # paths whose client hung up mid-body
    log = []                # ("start", path, time) of every request

    def log_message(self, *a):
        pass

    def send_file(self, data, chunked=False, seconds=0.0):
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        pieces = 20 if seconds > 0 else 1
        step = (len(data) + pieces - 1) // pieces
        for i in range(0, len(data), step):
            part = data[i:i + step]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
            self.wfile.flush()
            if seconds > 0:
                time.sleep(seconds / pieces)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def do_GET(self):
        Media.log.append(("start", self.path, time.time()))
        parts = self.path.split("?")[0].split("/")
        try:
            if parts[1] == "f":
                return self.send_file(self.files[parts[2]])
            if parts[1] == "chunked":
                return self.send_file(self.files[parts[2]], chunked=True)
            if parts[1] == "slow":
                return self.send_file(self.files[parts[3]], seconds=float(parts[2]))
            if parts[1] == "hop":
                n = int(parts[2])
                self.send_response(302)
                self.send_header("Location", "/f/%s" % parts[3] if n <= 1
                                 else "/hop/%d/%s" % (n - 1, parts[3]))
                self.send_header("Content-Length", "0")
                return self.end_headers()
            if parts[1] == "busy":
                self.send_response(503)
                self.send_header("Content-Length", "0")
                return self.end_headers()
        except (BrokenPipeError, ConnectionResetError):
            Media.aborted.append(self.path)
            return
        except (KeyError, IndexError, ValueError):
            pass
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def media_server(tmp_path_factory):
    clip = make_clip(tmp_path_factory.mktemp("httpin") / "httpsrc.mp4", "640x360", 4)
    data = clip.read_bytes()
    Media.files = {"httpsrc.mp4": data, "over.mp4": data + b"\0"}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Media)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:%d" % server.server_address[1], len(data)
    server.shutdown()


@pytest.fixture(scope="module")
def fetch_daemon(_prefix_root, media_server):
    """A daemon that may fetch from loopback, capped at the clip's size."""
    port = free_port()
    d = Daemon(_prefix_root / ("httpin-%d" % port), port, "http://127.0.0.1:%d" % port,
               tls_port=free_port(),
               extra={"http_input_private": "on", "http_input_max_bytes": str(media_server[1]),
                      "http_input_timeout": "%ds" % TIMEOUT_S}).start()
    yield d
    d.stop()
    assert not d.crashes(), d.crashes()


@pytest.fixture(scope="module")
def farm(fetch_daemon):
    return ArmClient(fetch_daemon.arm_url)


def run_job(arm, inp, run, transform=None):
    t = transform or "http-" + run
    status, _, body = arm.req("PUT", "transforms/" + t, {"properties": {"outputs": [
        {"preset": SMALL}]}}, api_version=API)
    assert status in (200, 201), body
    out = "hout-" + run
    assert arm.req("PUT", "assets/" + out, {"properties": {}})[0] == 201
    status, _, job = arm.req("PUT", "transforms/%s/jobs/j-%s" % (t, run), {"properties": {
        "input": inp, "outputs": [{"@odata.type": "#Microsoft.Media.JobOutputAsset",
                                   "assetName": out}]}}, api_version=API)
    assert status == 201, job
    return arm.wait_job(t, "j-" + run), out


def http_input(base, *files, **kw):
    return dict({"@odata.type": "#Microsoft.Media.JobInputHttp", "baseUri": base,
                 "files": list(files)}, **kw)


def output_file(daemon, arm, asset, name):
    status, _, body = arm.req("GET", "assets/" + asset)
    assert status == 200
    return daemon.data_dir / "media" / body["properties"]["container"] / name


def test_http_input_at_the_size_cap_is_encoded_with_its_clip(fetch_daemon, farm, media_server):
    base, _ = media_server
    run = uuid.uuid4().hex[:6]
    job, out = run_job(farm, http_input(base + "/f/", "httpsrc.mp4",
                                        start={"@odata.type": "#Microsoft.Media.AbsoluteClipTime",
                                               "time": "PT1S"}), run)
    assert job["properties"]["state"] == "Finished", job
    assert job["properties"]["input"]["baseUri"] == base + "/f/"
    mp4 = output_file(fetch_daemon, farm, out, "httpsrc_300.mp4")
    info = ffprobe_json(mp4)
    assert 2.5 <= float(info["format"]["duration"]) <= 3.5        # 4 s from 1 s
    v = [s for s in info["streams"] if s["codec_type"] == "video"][0]
    assert (v["width"], v["height"]) == (320, 180)


@pytest.mark.parametrize("path, code, words", [
    ("/f/over.mp4", "DownloadNotAccessible", "http_input_max_bytes"),          # cap + 1 byte
    ("/chunked/over.mp4", "DownloadNotAccessible", "http_input_max_bytes"),    # no length
    ("/slow/%d/httpsrc.mp4" % (TIMEOUT_S + 4), "DownloadTransientError", "http_input_timeout"),
    ("/hop/6/httpsrc.mp4", "DownloadNotAccessible", "redirect"),
    ("/gone", "DownloadNotAccessible", "404"),
    ("/busy", "DownloadTransientError", "503"),
])
def test_http_input_failures(farm, media_server, path, code, words):
    base, _ = media_server
    job, _ = run_job(farm, http_input(None, base + path), uuid.uuid4().hex[:6])
    assert job["properties"]["state"] == "Error", job
    err = job["properties"]["outputs"][0]["error"]
    assert err["code"] == code and words.lower() in err["message"].lower(), err


def test_http_input_within_the_bounds(farm, media_server):
    """Five redirects and a download slower than a second but inside the time
    cap (and chunked at exactly the cap) succeed."""
    base, _ = media_server
    for path in ("/hop/5/httpsrc.mp4", "/slow/%d/httpsrc.mp4" % (TIMEOUT_S - 3)):
        job, _ = run_job(farm, http_input(None, base + path), uuid.uuid4().hex[:6])
        assert job["properties"]["state"] == "Finished", (path, job)


def test_job_inputs_of_http_files(farm, media_server):
    base, _ = media_server
    inp = {"@odata.type": "#Microsoft.Media.JobInputs", "inputs": [
        http_input(base + "/f", "httpsrc.mp4")]}                 # no trailing '/': one is added
    job, _ = run_job(farm, inp, uuid.uuid4().hex[:6])
    assert job["properties"]["state"] == "Finished", job


def test_http_input_refusals(farm):
    run = uuid.uuid4().hex[:6]
    t = "hbad-" + run
    assert farm.req("PUT", "transforms/" + t, {"properties": {"outputs": [{"preset": SMALL}]}},
                    api_version=API)[0] == 201
    assert farm.req("PUT", "assets/hb-" + run, {"properties": {}})[0] == 201

    def job(inp):
        return farm.req("PUT", "transforms/%s/jobs/j%s" % (t, uuid.uuid4().hex[:6]), {
            "properties": {"input": inp, "outputs": [
                {"@odata.type": "#Microsoft.Media.JobOutputAsset", "assetName": "hb-" + run}]}},
            api_version=API)

    for bad in (http_input("ftp://127.0.0.1/", "a.mp4"), http_input("file:///etc/", "passwd"),
                http_input(None, "a.mp4"), http_input("http://x/", *["f%d" % i for i in range(17)]),
                http_input("http://x/" + "a" * 2100, "b.mp4"), http_input("http://x/", "a b.mp4"),
                http_input("http://x/", "a.mp4", unknown=1)):
        status, _, body = job(bad)
        assert status == 400, (bad, body)
    mixed = {"@odata.type": "#Microsoft.Media.JobInputs", "inputs": [
        http_input("http://x/", "a.mp4"),
        {"@odata.type": "#Microsoft.Media.JobInputAsset", "assetName": "hb-" + run}]}
    status, _, body = job(mixed)
    assert status == 400 and body["error"]["code"] == "NotSupported", body


def test_private_addresses_are_refused_by_default(arm, media_server):
    """The shared platform daemon runs with the default http_input_private off."""
    base, _ = media_server
    job, _ = run_job(arm, http_input(base + "/f/", "httpsrc.mp4"), uuid.uuid4().hex[:6])
    assert job["properties"]["state"] == "Error", job
    err = job["properties"]["outputs"][0]["error"]
    assert err["code"] == "DownloadNotAccessible" and "http_input_private" in err["message"], err


def test_cancel_during_the_download(farm, media_server):
    """cancelJob while the encoder is still downloading: the transfer stops
    (the server sees the client hang up mid-body) and the job is Canceled."""
    base, _ = media_server
    run = uuid.uuid4().hex[:6]
    t = "hcancel-" + run
    assert farm.req("PUT", "transforms/" + t, {"properties": {"outputs": [{"preset": SMALL}]}},
                    api_version=API)[0] == 201
    assert farm.req("PUT", "assets/hc-" + run, {"properties": {}})[0] == 201
    started = time.time()
    path = "/slow/%d/httpsrc.mp4?%s" % (TIMEOUT_S - 1, run)
    status, _, job = farm.req("PUT", "transforms/%s/jobs/j" % t, {"properties": {
        "input": http_input(None, base + path),
        "outputs": [{"@odata.type": "#Microsoft.Media.JobOutputAsset",
                     "assetName": "hc-" + run}]}}, api_version=API)
    assert status == 201, job
    while not any(e[1] == path for e in Media.log):            # the body is on its way
        assert time.time() - started < 30, Media.log[-3:]
        time.sleep(0.05)
    job = farm.req("GET", "transforms/%s/jobs/j" % t, api_version=API)[2]
    assert job["properties"]["state"] == "Processing", job
    assert farm.req("POST", "transforms/%s/jobs/j/cancelJob" % t, api_version=API)[0] == 200
    while job["properties"]["state"] not in ("Canceled", "Error", "Finished"):
        time.sleep(0.1)
        job = farm.req("GET", "transforms/%s/jobs/j" % t, api_version=API)[2]
    assert job["properties"]["state"] == "Canceled", job
    # the server notices on its next writes (a piece every 0.2 s) – before the body's end
    deadline = time.time() + TIMEOUT_S
    while path not in Media.aborted and time.time() < deadline:
        time.sleep(0.1)
    assert path in Media.aborted, "the download was not interrupted"
