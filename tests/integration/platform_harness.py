"""A whole mediaplane installation for tests: mediaplaned (the ASan build)
behind the test nginx, whose server also carries conf/platform-locations.conf.in
(API proxy + catalog-mode streaming), and an AMS v2 REST client that speaks to
it the way AMS-era clients did (tools/amsclient.py: OAuth2 client credentials,
OData JSON, SAS blob uploads)."""

import base64
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import sys
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tools"))
from amsclient import AMS_SCOPE, AmsClient, Response  # noqa: E402,F401  (re-exported)
BUILD = Path(os.environ.get("MEDIAPLANE_BUILD", str(TOP / "build")))
DAEMON_SAN = BUILD / "san" / "mediaplaned"
DAEMON_OPT = BUILD / "mediaplaned"
# The daemon runs the real encoder (a missing one fails the tests: no
# stand-in here; the runner's unit tests use tests/controlplane's).
ENCODER = BUILD / "mediaplane-encoder"
# The local CA and loopback certificate ./build.sh build makes (build_tls_cert)
TLS_DIR = BUILD / "tls"
CLIENT_ID = "test-client"
CLIENT_SECRET = "t0p-s3cret-for-tests"


def client_for(base: str, **kw) -> AmsClient:
    """An AmsClient with the test installation's credentials."""
    return AmsClient(base, CLIENT_ID, CLIENT_SECRET, **kw)
DAEMON_CRASH_RE = re.compile(r"AddressSanitizer|runtime error:|LeakSanitizer|Segmentation", re.I)


def render(template: Path, values: dict, blank_extra: bool = False) -> str:
    """Fill a template's @NAME@ placeholders (the ones of conf/*.in); with
    blank_extra, unset @..._EXTRA@ placeholders become empty."""
    text = template.read_text()
    for k, v in values.items():
        text = text.replace("@%s@" % k, str(v))
    if blank_extra:
        text = re.sub(r"@[A-Z_]+_EXTRA@", "", text)
    left = sorted(set(re.findall(r"@[A-Z_]+@", text)))
    if left:
        raise ValueError("unfilled placeholders in %s: %s" % (template, left))
    return text


def ensure_origin_key(data_dir: Path) -> Path:
    """The origin key nginx reads at start, made before mediaplaned runs (it
    loads an existing one): 32 random bytes, mode 0600."""
    path = Path(data_dir) / "origin.key"
    if not path.exists():
        Path(data_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(32))
    return path


def locations_snippet(api_port: int, data_dir: Path) -> str:
    return render(TOP / "conf" / "platform-locations.conf.in", {
        "API_UPSTREAM": "127.0.0.1:%d" % api_port,
        "CATALOG_DIR": data_dir / "catalog",
        "ASSET_ROOT": data_dir / "media",
        "ORIGIN_KEY": ensure_origin_key(data_dir),
    })


class Daemon:
    """mediaplaned on a loopback port with its own data directory."""

    def __init__(self, data_dir: Path, port: int, public_url: str, binary: Path = None,
                 extra: dict = None, tls_port: int = None):
        """tls_port: also serve HTTPS there (tls_listen) with build/tls's
        certificate; the v3 (ARM) API is then at self.arm_url."""
        self.data_dir = Path(data_dir)
        self.port = port
        self.tls_port = tls_port
        self.arm_url = "https://127.0.0.1:%d" % tls_port if tls_port else None
        self.public_url = public_url
        self.binary = binary or (DAEMON_SAN if DAEMON_SAN.exists() else DAEMON_OPT)
        self.extra = extra or {}
        self.proc = None
        self.log_path = self.data_dir.parent / (self.data_dir.name + "-daemon.log")
        self.conf_path = self.data_dir.parent / (self.data_dir.name + "-daemon.conf")

    def write_conf(self) -> None:
        text = render(TOP / "conf" / "mediaplaned.conf.in", {
            "LISTEN": "127.0.0.1:%d" % self.port, "DATA_DIR": self.data_dir,
            "MEDIA_ROOT": self.data_dir / "media", "PUBLIC_URL": self.public_url,
            "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET})
        if not ENCODER.exists():
            raise RuntimeError("%s missing: run make encoder (./build.sh build)" % ENCODER)
        # the tests' encodes run at Speed (x264 veryfast), set like any operator would
        extra = dict({"encoder_path": ENCODER, "encoder_complexity": "Speed"}, **self.extra)
        if self.tls_port:
            if not (TLS_DIR / "server.pem").exists():
                raise RuntimeError("%s missing: run ./build.sh build" % (TLS_DIR / "server.pem"))
            extra.update({"tls_listen": "127.0.0.1:%d" % self.tls_port,
                          "tls_certificate": TLS_DIR / "server.pem",
                          "tls_certificate_key": TLS_DIR / "server.key"})
        for k, v in extra.items():
            text += "\n%s %s\n" % (k, v)
        self.conf_path.write_text(text)

    def start(self, timeout: float = 20) -> "Daemon":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.write_conf()
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=0",
                   UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([str(self.binary), "-c", str(self.conf_path)],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)
        log.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("mediaplaned exited:\n" + self.log()[-3000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
                if self.tls_port:
                    with socket.create_connection(("127.0.0.1", self.tls_port), timeout=0.5):
                        pass
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mediaplaned did not listen:\n" + self.log()[-3000:])

    def stop(self, sig=signal.SIGTERM, timeout: float = 15) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(timeout=10)

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def crashes(self) -> list:
        return [l for l in self.log().splitlines() if DAEMON_CRASH_RE.search(l)]


