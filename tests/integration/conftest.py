"""pytest fixtures for mediaplane's integration tests.

Run with Debian's python:  /usr/bin/python3 -m pytest -q tests/integration
(./build.sh test does this after building build/ngx_http_mediaplane_module.so).

Fixtures
  media_root      session  directory used as mediaplane_root; assets live in
                           <media_root>/media/<name>/ so URLs are /media/<name>/...
  media_factory   session  media_factory(name, **make_abr_set_kwargs) -> AbrSet
                           (generated once, cached by parameters)
  abr_set         session  the default asset "abr": 1280x720@2500k + 640x360@800k,
                           10 s, 2 s GOPs, separate AAC audio (eng), abr.ism
  origin_factory  session  origin_factory(location_extra="...", http_extra="...",
                           server_extra="...", main_extra="...", workers=2) ->
                           a running nginx with the module (one per distinct config)
  origin          session  origin_factory() with the default configuration
  nginx_check     session  nginx_check(**same kwargs) -> CompletedProcess of
                           `nginx -t` on such a config (for directive tests)
  platform        session  a whole installation: mediaplaned (ASan build) behind
                           an nginx with conf/platform-locations.conf.in (API
                           proxy + catalog mode); .daemon, .origin, .client()
  ams             function an AmsClient (minimal metadata) for `platform`
  hd_clip         session  a 20 s 1920x1080 30 fps clip with stereo AAC
                           (testsrc2 + noise, encode_checks.make_clip): the
                           named presets' input (test_presets_e2e, test_encoder)

Every test is also checked for nginx worker crashes ("exited on signal" in the
error log of any running origin), and the session fails at teardown if one
happened at any time.

Environment
  MEDIAPLANE_BUILD       build dir holding ngx_http_mediaplane_module.so (./build)
  MEDIAPLANE_NGINX       nginx binary (/usr/sbin/nginx)
  MEDIAPLANE_TEST_MEDIA  media cache dir kept across sessions (<build>/test-media)
  MEDIAPLANE_KEEP=1      keep nginx prefixes (configs and logs) after the run
"""

import getpass
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from media import AbrSet, make_abr_set  # noqa: F401  (re-exported for tests)
from platform_harness import (AmsClient, Daemon, TLS_DIR, client_for, locations_snippet,  # noqa: F401
                              render)

TOP = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("MEDIAPLANE_BUILD", str(TOP / "build")))
MODULE = BUILD / "ngx_http_mediaplane_module.so"
NGINX = os.environ.get("MEDIAPLANE_NGINX", "/usr/sbin/nginx")
TEMPLATE = TOP / "conf" / "mediaplane.conf.in"
BROWSER_DIR = TOP / "tests" / "browser"

CRASH_RE = re.compile(r"exited on signal|\bsegfault\b|AddressSanitizer", re.I)

_ORIGINS = []  # every Origin started in this session (for crash checks)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_conf(values: dict, template: Path = TEMPLATE) -> str:
    """Fill @NAME@ placeholders; unset @..._EXTRA@ placeholders become empty."""
    return render(template, values, blank_extra=True)


class Origin:
    """A private nginx (system binary + our module) on a free loopback port."""

    def __init__(self, media_root: Path, prefix: Path, main_extra: str = "", http_extra: str = "",
                 server_extra: str = "", location_extra: str = "", workers: int = 2,
                 template: Path = TEMPLATE):
        self.media_root = Path(media_root)
        self.prefix = Path(prefix)
        self.port = None
        self.proc = None
        self.values = dict(MODULE=MODULE, DAEMON="off", WORKER_USER=getpass.getuser(), WORKERS=workers, PREFIX=self.prefix,
                           MEDIA_ROOT=self.media_root, WWW_ROOT=self.prefix / "www",
                           MAIN_EXTRA=main_extra, HTTP_EXTRA=http_extra,
                           SERVER_EXTRA=server_extra, LOCATION_EXTRA=location_extra)
        self.template = template
        self.conf_path = self.prefix / "nginx.conf"
        self._log_seen = 0

    # -- lifecycle

    def _prepare(self, port: int) -> None:
        for d in ("logs", "tmp", "www"):
            (self.prefix / d).mkdir(parents=True, exist_ok=True)
        nm = BROWSER_DIR / "node_modules"
        link = self.prefix / "www" / "node_modules"
        if nm.is_dir() and not link.exists():
            link.symlink_to(nm)
        v = dict(self.values, LISTEN="127.0.0.1:%d" % port)
        self.conf_path.write_text(render_conf(v, self.template))

    def start(self, timeout: float = 15) -> "Origin":
        if not MODULE.exists():
            pytest.fail("%s missing: run ./build.sh build first" % MODULE)
        last_err = ""
        for _attempt in range(3):  # the free port may be taken in between
            port = free_port()
            self._prepare(port)
            stderr = open(self.prefix / "logs" / "stderr.log", "ab")
            self.proc = subprocess.Popen([NGINX, "-p", str(self.prefix), "-c", str(self.conf_path)],
                                         stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr)
            stderr.close()
            deadline = time.time() + timeout
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        self.port = port
                        _ORIGINS.append(self)
                        return self
                except OSError:
                    time.sleep(0.05)
            if self.proc.poll() is None:
                self._kill()
            last_err = self.startup_output()
            if "Address already in use" not in last_err:
                break
        pytest.fail("nginx did not start (%s):\n%s\n--- config %s ---\n%s" % (
            self.conf_path, last_err, self.conf_path, self.conf_path.read_text()))

    def startup_output(self) -> str:
        out = ""
        for name in ("stderr.log", "error.log"):
            p = self.prefix / "logs" / name
            if p.exists():
                out += p.read_text(errors="replace")[-4000:]
        return out

    def _kill(self) -> None:
        try:
            self.proc.kill()
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        """Graceful shutdown (SIGQUIT), then SIGTERM/SIGKILL if it hangs."""
        if self.proc is None or self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGQUIT, timeout), (signal.SIGTERM, 5)):
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                pass
        self._kill()

    def reload(self, timeout: float = 10) -> None:
        """SIGHUP: re-read the config, start new workers."""
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if "reconfiguring" in self.error_log():
                break
            time.sleep(0.05)
        time.sleep(0.3)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- access

    @property
    def base(self) -> str:
        return "http://127.0.0.1:%d" % self.port

    def url(self, path: str) -> str:
        """Absolute URL for a path ('/media/abr/abr.ism/Manifest')."""
        return self.base + (path if path.startswith("/") else "/" + path)

    def asset_url(self, aset: AbrSet, suffix: str = "Manifest") -> str:
        """URL below an asset's .ism, e.g. asset_url(abr_set,
        'Manifest(format=m3u8-aapl)')."""
        return self.url(aset.rel(self.media_root) + "/" + suffix.lstrip("/"))

    def error_log(self) -> str:
        p = self.prefix / "logs" / "error.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def access_log(self) -> str:
        p = self.prefix / "logs" / "access.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def crashes(self, text: str = None) -> list:
        text = self.error_log() if text is None else text
        return [line for line in text.splitlines() if CRASH_RE.search(line)]

    def new_log(self) -> str:
        """Error log text written since the previous call."""
        text = self.error_log()
        new = text[self._log_seen:]
        self._log_seen = len(text)
        return new


def _check_config(prefix: Path, **kw) -> subprocess.CompletedProcess:
    o = Origin(kw.pop("media_root"), prefix, **kw)
    o._prepare(free_port())
    return subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(o.conf_path)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def media_root() -> Path:
    root = Path(os.environ.get("MEDIAPLANE_TEST_MEDIA", str(BUILD / "test-media")))
    (root / "media").mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture(scope="session")
def media_factory(media_root):
    def make(name: str, **kw) -> AbrSet:
        return make_abr_set(media_root / "media" / name, name, **kw)
    return make


@pytest.fixture(scope="session")
def abr_set(media_factory) -> AbrSet:
    return media_factory("abr")


@pytest.fixture(scope="session")
def _prefix_root():
    keep = os.environ.get("MEDIAPLANE_KEEP") == "1"
    d = Path(tempfile.mkdtemp(prefix="mediaplane-it-"))
    yield d
    if not keep:
        shutil.rmtree(d, ignore_errors=True)
    else:
        print("\nnginx prefixes kept in %s" % d)


@pytest.fixture(scope="session")
def origin_factory(media_root, _prefix_root):
    started = {}

    def factory(main_extra: str = "", http_extra: str = "", server_extra: str = "",
                location_extra: str = "", workers: int = 2, media_root_override=None) -> Origin:
        key = (main_extra, http_extra, server_extra, location_extra, workers,
               str(media_root_override))
        o = started.get(key)
        if o is not None and o.running:
            return o
        prefix = _prefix_root / ("origin%d" % len(started))
        o = Origin(media_root_override or media_root, prefix, main_extra=main_extra,
                   http_extra=http_extra, server_extra=server_extra,
                   location_extra=location_extra, workers=workers).start()
        started[key] = o
        return o

    yield factory

    crashed = []
    for o in started.values():
        o.stop()
        crashed += ["%s: %s" % (o.prefix, line) for line in o.crashes()]
    assert not crashed, "nginx workers crashed during the session:\n" + "\n".join(crashed)


@pytest.fixture(scope="session")
def origin(origin_factory) -> Origin:
    return origin_factory()


@pytest.fixture(scope="session")
def nginx_check(media_root, _prefix_root):
    count = [0]

    def check(**kw) -> subprocess.CompletedProcess:
        count[0] += 1
        kw.setdefault("media_root", media_root)
        return _check_config(_prefix_root / ("check%d" % count[0]), **kw)
    return check


@pytest.fixture(autouse=True)
def _no_worker_crash():
    """Fail the test during which an nginx worker crashed."""
    for o in _ORIGINS:
        o.new_log()
    yield
    problems = []
    for o in _ORIGINS:
        problems += o.crashes(o.new_log())
    if problems:
        pytest.fail("nginx worker crashed during this test:\n" + "\n".join(problems))


# ---------------------------------------------------------------- platform


class Platform:
    def __init__(self, origin: Origin, daemon: Daemon):
        self.origin = origin
        self.daemon = daemon

    def client(self, **kw) -> AmsClient:
        return client_for(self.origin.base, **kw)


@pytest.fixture(scope="session")
def platform(origin_factory, _prefix_root):
    data_dir = _prefix_root / "platform-data"
    api_port = free_port()
    origin = origin_factory(server_extra=locations_snippet(api_port, data_dir))
    # HTTPS (and with it the v3 API) when ./build.sh build made the certificate
    tls_port = free_port() if (TLS_DIR / "server.pem").exists() else None
    daemon = Daemon(data_dir, api_port, origin.base, tls_port=tls_port).start()
    yield Platform(origin, daemon)
    daemon.stop()
    crashes = daemon.crashes()
    assert not crashes, "mediaplaned crashed or sanitizers fired:\n" + "\n".join(crashes)


@pytest.fixture(scope="module")
def arm_url(platform) -> str:
    """The daemon's v3 (ARM) base URL on its HTTPS listener."""
    if not platform.daemon.running:
        platform.daemon.start()
    assert platform.daemon.arm_url, "build/tls/server.pem missing: run ./build.sh build"
    return platform.daemon.arm_url


@pytest.fixture(scope="module")
def arm(arm_url):
    """An ArmClient (tests/integration/armv3.py) for the v3 API."""
    from armv3 import ArmClient
    return ArmClient(arm_url)


@pytest.fixture(scope="session")
def hd_clip(tmp_path_factory) -> Path:
    from encode_checks import make_clip
    return make_clip(tmp_path_factory.mktemp("hd-clip") / "presets1080.mp4", "1920x1080", 20)


@pytest.fixture
def ams(platform) -> AmsClient:
    if not platform.daemon.running:
        platform.daemon.start()
    return platform.client()
