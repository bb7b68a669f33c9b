"""The origin's bounds on what one media file may cost to index (issue 12):
samples per track (mediaplane_max_samples), packaged tracks per file
(mediaplane_max_tracks) and index bytes per file (mediaplane_max_index_size),
each hit exactly through the real nginx — at the bound served, one over
answered 415 with a body naming the directive — and the issue's file (a
video track claiming 300,000,000 samples in a moov of under 1 KB, the file
300 MB sparse) refused at once without the worker growing."""

import os
import struct
import threading
import time
from pathlib import Path

import pytest

from media import http_get
import tricky_media as tm

HUGE = 300_000_000
SLOW = 30_000_000          # a legitimate but long cold build (~360 MB of index)


def full_box(version_flags: int, *values: int) -> bytes:
    return struct.pack(">I%dI" % len(values), version_flags, *values)


def claim_samples(src: bytes, count: int) -> bytes:
    """src (ffmpeg, one video track, no B-frames, moov last) with its sample
    tables replaced by ones claiming `count` one-byte samples in one chunk at
    the first chunk's offset."""
    stco = tm.find_box(src, "moov/trak/mdia/minf/stbl/stco")
    first_chunk = struct.unpack(">I", src[stco[0] + stco[2] + 8:stco[0] + stco[2] + 12])[0]
    tables = {
        b"stsz": full_box(0, 1, count),                 # fixed size 1, count
        b"stts": full_box(0, 1, count, 512),
        b"stss": full_box(0, 1, 1),
        b"stsc": full_box(0, 1, 1, count, 1),
        b"stco": full_box(0, 1, first_chunk),
    }

    def convert(typ, body):
        if typ in tables:
            return typ, tables[typ]
        if typ in (b"ctts", b"sdtp", b"sgpd", b"sbgp"):
            return b"free", b""
        return None
    return tm.rewrite_moov(src, convert)


@pytest.fixture(scope="module")
def files(media_root):
    """{name: path} under media_root/media/t_limits: 'huge' (the issue's
    file), 'at' and 'over' (1000 and 1001 samples), 'slow' (30M samples),
    'muxed' (video + audio)."""
    d = media_root / "media" / "t_limits"
    d.mkdir(parents=True, exist_ok=True)
    clip = d / "clip.mp4"
    if not clip.exists():
        tm.ffmpeg(*tm.testsrc(160, 90, 2), "-an", *tm.x264(gop=30, bframes=0), clip)
    src = clip.read_bytes()
    out = {}
    for name, count in (("huge", HUGE), ("at", 1000), ("over", 1001), ("slow", SLOW)):
        data = claim_samples(src, count)
        out[name + "_moov"] = tm.find_box(data, "moov")[1]
        path = d / ("%s.mp4" % name)
        path.write_bytes(data)
        os.truncate(path, len(data) + count)              # sparse: every sample "fits"
        out[name] = path
    muxed = d / "muxed.mp4"
    if not muxed.exists():
        tm.ffmpeg(*tm.testsrc(160, 90, 2), *tm.sine(440, 2), *tm.x264(gop=30), *tm.aac(), muxed)
    out["muxed"] = muxed
    return out


def url(origin, path: Path, suffix="Manifest(format=m3u8-aapl)"):
    return origin.url("/media/t_limits/%s/%s" % (path.name, suffix))


def worker_peak_rss_kb(origin) -> int:
    """The largest VmHWM of the origin's workers."""
    peak = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            status = Path("/proc", pid, "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(origin.proc.pid) and "VmHWM" in fields:
            peak = max(peak, int(fields["VmHWM"].split()[0]))
    return peak


def test_tiny_moov_claiming_300m_samples(origin, files):
    moov_size = files["huge_moov"]
    assert moov_size < 1024 and files["huge"].stat().st_size > HUGE
    before = worker_peak_rss_kb(origin)
    for _ in range(3):                                  # nothing is cached, nothing grows
        t0 = time.monotonic()
        r = http_get(url(origin, files["huge"]))
        elapsed = time.monotonic() - t0
        assert r.status == 415, r.status
        assert b"300000000 samples exceed the limit of 10000000 (mediaplane_max_samples)" in r.body
        assert elapsed < 1.0, elapsed
    after = worker_peak_rss_kb(origin)
    print("\n300M-sample moov (%d bytes): 415 in %.3f s, worker peak RSS %d -> %d KB"
          % (moov_size, elapsed, before, after))
    assert after - before < 20 * 1024


def test_samples_at_the_bound(origin_factory, files):
    o = origin_factory(location_extra="mediaplane_max_samples 1000;")
    assert http_get(url(o, files["at"])).status == 200
    r = http_get(url(o, files["over"]))
    assert r.status == 415
    assert r.body == b"track 1: 1001 samples exceed the limit of 1000 (mediaplane_max_samples)\n"
    assert "mediaplane_max_samples" in o.error_log()


def test_index_size_bound(origin_factory, files):
    """Past the sample bound the index size still holds: the 300M-sample
    index would be ~3.6 GB; it is refused before anything is allocated."""
    o = origin_factory(location_extra="mediaplane_max_samples 4294967295;")
    before = worker_peak_rss_kb(o)
    r = http_get(url(o, files["huge"]))
    assert r.status == 415 and b"(mediaplane_max_index_size)" in r.body, r.body
    assert b"exceeds the limit of 134217728" in r.body
    assert worker_peak_rss_kb(o) - before < 20 * 1024
    # the 1001-sample index is some KB: find its size from the message at a
    # tiny limit, then serve it at exactly that size and refuse one byte less
    small = origin_factory(location_extra="mediaplane_max_index_size 1k;")
    r = http_get(url(small, files["over"]))
    assert r.status == 415, r.status
    size = int(r.body.split(b"index of ")[1].split(b" bytes")[0])
    at = origin_factory(location_extra="mediaplane_max_index_size %d;" % size)
    assert http_get(url(at, files["over"])).status == 200
    below = origin_factory(location_extra="mediaplane_max_index_size %d;" % (size - 1))
    assert http_get(url(below, files["over"])).status == 415


def test_tracks_at_the_bound(origin_factory, files):
    one = origin_factory(location_extra="mediaplane_max_tracks 1;")
    r = http_get(url(one, files["muxed"]))
    assert r.status == 415 and r.body == b"more than 1 media tracks (mediaplane_max_tracks)\n"
    two = origin_factory(location_extra="mediaplane_max_tracks 2;")
    assert http_get(url(two, files["muxed"])).status == 200


def test_directive_bounds(nginx_check):
    r = nginx_check(location_extra="mediaplane_max_tracks 33;")
    assert r.returncode != 0 and "value must be between 1 and 32" in r.stdout
    r = nginx_check(location_extra="mediaplane_max_samples 0;")
    assert r.returncode != 0
    r = nginx_check(location_extra="mediaplane_max_samples 1; mediaplane_max_tracks 32; "
                                   "mediaplane_max_index_size 64m;")
    assert r.returncode == 0, r.stdout


def test_cold_builds_per_worker(origin_factory, files):
    """With one cold build allowed per worker, a request needing another
    while the 30M-sample index is being built answers 503 + Retry-After; it
    is served once that build is over."""
    o = origin_factory(workers=1, location_extra="mediaplane_max_cold_builds 1; "
                       "mediaplane_max_samples 4294967295; mediaplane_max_index_size 1024m;")
    slow = {}

    def build():
        t0 = time.monotonic()
        slow["r"] = http_get(url(o, files["slow"]), timeout=120)
        slow["t"] = time.monotonic() - t0
    t = threading.Thread(target=build)
    t.start()
    time.sleep(0.15)
    busy = http_get(url(o, files["at"]))
    t.join()
    print("\n30M-sample cold build: %d in %.2f s; meanwhile: %d" % (slow["r"].status, slow["t"],
                                                                    busy.status))
    assert slow["r"].status == 200 and slow["t"] > 0.3, slow
    assert busy.status == 503 and busy.headers.get("Retry-After") == "1"
    assert "mediaplane_max_cold_builds 1" in o.error_log()
    assert http_get(url(o, files["at"])).status == 200
