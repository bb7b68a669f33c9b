"""The origin's two ways to read media give the same bytes.

Segments whose media bytes are all in the page cache (the kernel says so
through cachestat(2)) are muxed (MPEG-TS) or sendfile()d (fMP4) on nginx's
event loop; otherwise, or with `mediaplane_cached_inline off`, the reads run
in thread-pool tasks.  Every HLS TS and HLS fMP4 segment of the default set
(video and audio) must come out byte for byte the same from an origin on each
path, and after the media files are dropped from the page cache (the kernel
confirming it) the thread path must serve the same bytes again.
"""

import ctypes
import os
import time
import urllib.parse
from pathlib import Path
from typing import List

import pytest

from media import http_get

NR_CACHESTAT = 451            # same number on every architecture (Linux 6.5)


class _CachestatRange(ctypes.Structure):
    _fields_ = [("off", ctypes.c_uint64), ("len", ctypes.c_uint64)]


class _Cachestat(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in
                ("nr_cache", "nr_dirty", "nr_writeback", "nr_evicted", "nr_recently_evicted")]


def cached_pages(path) -> int:
    """Pages of path in the page cache, or -1 when the kernel cannot say."""
    libc = ctypes.CDLL(None, use_errno=True)
    rng, cs = _CachestatRange(0, 0), _Cachestat()
    fd = os.open(path, os.O_RDONLY)
    try:
        rc = libc.syscall(NR_CACHESTAT, fd, ctypes.byref(rng), ctypes.byref(cs), 0)
    finally:
        os.close(fd)
    return int(cs.nr_cache) if rc == 0 else -1


def drop_from_page_cache(path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def _mappers(files) -> List[str]:
    """Processes that map one of files (their pages cannot be dropped)."""
    out = []
    for maps in Path("/proc").glob("[0-9]*/maps"):
        try:
            text = maps.read_text()
        except OSError:
            continue
        out += ["%s: %s" % (maps.parent.name, str(f)) for f in files if str(f) in text]
    return out


@pytest.fixture(scope="module")
def threads_origin(origin_factory):
    return origin_factory(location_extra="mediaplane_cached_inline off;")


def segment_paths(origin, abr_set, fmt: str) -> List[str]:
    """Every media segment path (video and audio) of the set in HLS format fmt."""
    master_url = origin.asset_url(abr_set, "Manifest(format=%s)" % fmt)
    master = http_get(master_url).body.decode()
    playlists = []
    for line in master.splitlines():
        if line.startswith("#EXT-X-MEDIA") and 'URI="' in line:
            playlists.append(line.split('URI="', 1)[1].split('"', 1)[0])
        elif line and not line.startswith("#"):
            playlists.append(line)
    paths = []
    for pl in playlists:
        pl_url = urllib.parse.urljoin(master_url, pl)
        r = http_get(pl_url)
        assert r.status == 200, pl_url
        paths += [urllib.parse.urlsplit(urllib.parse.urljoin(pl_url, l)).path
                  for l in r.body.decode().splitlines() if l and not l.startswith("#")]
    assert len(paths) >= 4, paths
    return paths


@pytest.mark.parametrize("fmt", ["m3u8-aapl-v3", "m3u8-aapl"])
def test_event_loop_and_threads_agree(origin, threads_origin, abr_set, fmt):
    for path in segment_paths(origin, abr_set, fmt):
        a, b = http_get(origin.url(path)), http_get(threads_origin.url(path))
        assert a.status == b.status == 200, (path, a.status, b.status)
        assert int(a.header("Content-Length")) == len(a.body), path
        assert a.body == b.body, path


@pytest.mark.parametrize("fmt", ["m3u8-aapl-v3", "m3u8-aapl"])
def test_uncached_media_are_read_in_threads(origin, abr_set, fmt):
    paths = segment_paths(origin, abr_set, fmt)
    expected = {p: http_get(origin.url(p)).body for p in paths}
    files = abr_set.files
    states = []
    for _ in range(50):
        # pages sent with sendfile() stay referenced by socket buffers the
        # kernel frees lazily, on later network activity
        http_get(origin.url("/healthz"))
        for f in files:
            drop_from_page_cache(f)
        states = [cached_pages(f) for f in files]
        if -1 in states or max(states) == 0:
            break
        time.sleep(0.1)
    if -1 in states:
        pytest.skip("cachestat(2) unavailable: the origin always uses its thread pool here")
    # at least one file entirely out of the cache: its segments must take the
    # thread path (pages a socket still holds can keep another one cached)
    assert min(states) == 0, (states, _mappers(files))
    for p in paths:
        r = http_get(origin.url(p))
        assert r.status == 200 and r.body == expected[p], p
    assert not origin.crashes()
