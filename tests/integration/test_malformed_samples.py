"""Malformed sample data that the origin can only find while streaming
(issue 12, the zzuf campaign's finding): an HLS TS segment is muxed chunk by
chunk after its Content-Length went out, so a NAL length prefix that does
not fit its sample, deep in the segment, is found mid-stream.  That request
is cut short (nothing better is possible once the headers are out: the
client sees a short body, never a wrong one) and logged; the segment is
remembered as malformed, so every later request for it is answered 415
before its first byte; the other segments of the file are unaffected."""

import http.client
import json
import subprocess
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from media import http_get
import tricky_media as tm


def packets(path: Path):
    """(pts_time, pos, size) of the video packets, from ffprobe."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "packet=pts_time,pos,size", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True)
    return [(float(p["pts_time"]), int(p["pos"]), int(p["size"]))
            for p in json.loads(out.stdout)["packets"]]


@pytest.fixture(scope="module")
def broken(media_root):
    """A 12 s clip (two 6 s segments of ~1.5 MB, far more than one 256 KB
    chunk) whose video sample at ~5 s claims a first NAL unit longer than the
    sample."""
    d = media_root / "media" / "t_malformed"
    d.mkdir(parents=True, exist_ok=True)
    good = d / "good.mp4"
    if not good.exists():
        tm.ffmpeg(*tm.testsrc(640, 360, 12), *tm.sine(440, 12),
                  *tm.x264(gop=60, bframes=0, kbps=2000), *tm.aac(), good)
    data = bytearray(good.read_bytes())
    t, pos, size = min(packets(good), key=lambda p: abs(p[0] - 5.0))
    assert size > 16
    data[pos:pos + 4] = b"\xff\xff\xff\xf0"        # NAL length far beyond the sample
    bad = d / "bad.mp4"
    bad.write_bytes(bytes(data))
    return bad


def get_whole(url: str):
    """(status, declared length, bytes received, complete?) of one GET."""
    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.request("GET", u.path + ("?" + u.query if u.query else ""))
        r = conn.getresponse()
        declared = int(r.getheader("Content-Length") or -1)
        try:
            body = r.read()
            return r.status, declared, len(body), True
        except http.client.IncompleteRead as e:
            return r.status, declared, len(e.partial), False
    finally:
        conn.close()


def test_segment_found_malformed_mid_stream_is_refused_next_time(origin, broken):
    base = origin.url("/media/t_malformed/%s/" % broken.name)
    master = http_get(base + "Manifest(format=m3u8-aapl-v3)")
    assert master.status == 200, master
    variant = [l for l in master.body.decode().splitlines() if l and not l.startswith("#")][0]
    media = base + variant
    playlist = http_get(media).body.decode()
    segments = [urljoin(media, l) for l in playlist.splitlines() if l and not l.startswith("#")]
    assert len(segments) == 2, playlist
    first = segments[0]

    status, declared, got, complete = get_whole(first)
    # either refused at once (the fault in the first chunk) or cut short:
    # never a complete body of the announced length
    assert (status == 415) or (status == 200 and not complete and got < declared), \
        (status, declared, got, complete)
    again = http_get(first)
    assert again.status == 415, again
    # the other segment of the same file is served whole
    status, declared, got, complete = get_whole(segments[1])
    assert status == 200 and complete and got == declared > 188 * 1000
    log = (Path(origin.prefix) / "logs" / "error.log").read_text()
    assert "samples are malformed" in log
