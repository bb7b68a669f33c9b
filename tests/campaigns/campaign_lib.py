"""Helpers shared by the hardening campaigns (tests/campaigns/*): imports of
the integration harness (tests/integration's conftest Origin, platform_harness,
media), process RSS from /proc, nginx worker pids, a keep-alive HTTP getter
that never raises on a status.

The campaigns run with Debian's /usr/bin/python3 (python3-pytest is needed
only because conftest imports it)."""

import http.client
import os
import sys
import time
import re
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "integration"))
sys.path.insert(0, str(TOP / "tools"))

import conftest  # noqa: E402  (Origin, free_port, CRASH_RE)
import media  # noqa: E402,F401
import platform_harness  # noqa: E402,F401

Origin = conftest.Origin
free_port = conftest.free_port
BUILD = conftest.BUILD


def rss_kb(pid: int) -> int:
    """VmRSS of a process in kB (0 when it is gone)."""
    try:
        for line in Path("/proc/%d/status" % pid).read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list:
    """Child pids of a process (nginx master -> workers)."""
    out = []
    for task in Path("/proc/%d/task" % pid).glob("*"):
        try:
            out += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return sorted(out)


def worker_pids(origin) -> list:
    """The nginx workers of an Origin (cache manager/loader excluded)."""
    pids = []
    for p in children(origin.proc.pid):
        try:
            cmd = Path("/proc/%d/cmdline" % p).read_bytes()
        except OSError:
            continue
        if b"worker process" in cmd:
            pids.append(p)
    return pids


def wait_workers(origin, count: int, timeout: float = 10) -> list:
    """The worker pids once `count` workers run."""
    deadline = time.time() + timeout
    pids = worker_pids(origin)
    while len(pids) < count and time.time() < deadline:
        time.sleep(0.05)
        pids = worker_pids(origin)
    return pids


CUT = "200 cut mid-body"


class Getter:
    """One keep-alive HTTP/1.1 connection to a loopback origin; get(path)
    returns (status, body) and reconnects after errors (status 0 = the
    connection failed or was closed without an answer, CUT = a status line
    and headers, then the connection closed before the whole body)."""

    def __init__(self, port: int, timeout: float = 30):
        self.port = port
        self.timeout = timeout
        self.conn = None

    def get(self, path: str, method: str = "GET"):
        # references from mutated manifests may hold any byte: sent escaped
        path = urllib.parse.quote(path, safe="/()=,;:?&%!$'*+@~-._")
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path)
                r = self.conn.getresponse()
                try:
                    body = r.read()
                except http.client.IncompleteRead:
                    self.close()
                    return CUT, b""       # the status went out, the body was cut short
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return r.status, body
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == 1:
                    return 0, b""
        return 0, b""

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def join(base_path: str, ref: str) -> str:
    """A manifest's relative reference resolved against the manifest's path."""
    return urllib.parse.urljoin(base_path, ref)


HLS_FORMATS = ("m3u8-aapl", "m3u8-aapl-v3")
DASH_FORMAT = "mpd-time-csf"


# ---------------------------------------------------------------- the walk

URI_ATTR = re.compile(r'URI="([^"]+)"')


def playlist_refs(text: str) -> list:
    lines = [l.strip() for l in text.splitlines()]
    refs = [m.group(1) for l in lines if l.startswith("#EXT-X-MEDIA") or l.startswith("#EXT-X-MAP")
            for m in [URI_ATTR.search(l)] if m]
    firsts = [l for l in lines if l and not l.startswith("#")]
    return refs + firsts[:1]


def dash_refs(text: str) -> list:
    ns = {"d": "urn:mpeg:dash:schema:mpd:2011"}
    out = []
    root = ET.fromstring(text)
    for aset in root.iter("{%s}AdaptationSet" % ns["d"]):
        reps = aset.findall("d:Representation", ns)
        if not reps:
            continue
        rep = reps[0]
        tmpl = rep.find("d:SegmentTemplate", ns)
        if tmpl is None:
            tmpl = aset.find("d:SegmentTemplate", ns)
        if tmpl is None:
            continue
        s = tmpl.find("d:SegmentTimeline/d:S", ns)
        t = s.get("t", "0") if s is not None else "0"
        number = tmpl.get("startNumber", "1")
        for key in ("initialization", "media"):
            v = tmpl.get(key)
            if v:
                v = (v.replace("$RepresentationID$", rep.get("id", ""))
                     .replace("$Bandwidth$", rep.get("bandwidth", "0"))
                     .replace("$Time$", t).replace("$Number$", number))
                out.append(v)
    return out


def smooth_refs(text: str) -> list:
    out = []
    root = ET.fromstring(text)
    for si in root.iter("StreamIndex"):
        url, ql, c = si.get("Url"), si.find("QualityLevel"), si.find("c")
        if not url or ql is None:
            continue
        t = c.get("t", "0") if c is not None else "0"
        out.append(url.replace("{bitrate}", ql.get("Bitrate", "0"))
                   .replace("{Bitrate}", ql.get("Bitrate", "0"))
                   .replace("{start time}", t).replace("{start_time}", t))
    return out


def walk(g: Getter, base: str, progressive: list, fallback: dict, statuses: list) -> dict:
    """Requests every protocol below base ('/media/x/abr.ism/'); appends
    (path, status) to statuses; returns {manifest key: refs} of what parsed."""
    parsed = {}

    def get(path):
        st, body = g.get(path)
        statuses.append((path, st))
        return st, body

    def follow(key, manifest_path, parse, depth):
        st, body = get(manifest_path)
        refs = None
        if st == 200:
            try:
                refs = parse(body.decode("utf-8", "replace"))
            except Exception:  # a mangled manifest: fall back to the clean one's refs
                refs = None
        if refs is not None:
            parsed[key] = refs
        else:
            refs = fallback.get(key, [])
        for ref in refs:
            p = join(manifest_path, ref)
            if depth and ("Manifest(" in ref or ref.split("?")[0].endswith(".m3u8")):
                follow(key + "|" + ref, p, playlist_refs, depth - 1)
            else:
                get(p)

    for fmt in HLS_FORMATS:
        follow(fmt, base + "Manifest(format=%s)" % fmt, playlist_refs, 1)
    follow("dash", base + "Manifest(format=%s)" % DASH_FORMAT, dash_refs, 0)
    follow("smooth", base + "Manifest", smooth_refs, 0)
    for p in progressive:
        get(p)
    return parsed


def fmt_kb(kb: int) -> str:
    return "%.1f MB" % (kb / 1024.0)


def now() -> float:
    return time.monotonic()
