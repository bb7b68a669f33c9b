"""mediaplaned: the upload limits of SAS blob uploads (issue 12), each hit
exactly — at the bound accepted, one byte over refused with an Azure Storage
error body — and the issue's measured amplification attack (one 10 MiB block
named 300 times in a block list) refused before a byte is copied."""

import base64
import http.client
import os
import time
import urllib.parse

import pytest

from conftest import free_port
from platform_harness import Daemon, client_for

MIB = 1 << 20
LIMITS = {"upload_max_blob_size": "3m", "upload_max_container_size": "5m",
          "upload_max_staged_size": "4m"}


def start_daemon(root, extra):
    port = free_port()
    d = Daemon(root / ("limits-%d" % port), port, "http://127.0.0.1:%d" % port,
               extra=extra).start()
    return d, client_for("http://127.0.0.1:%d" % port)


@pytest.fixture
def limited(_prefix_root):
    d, c = start_daemon(_prefix_root, LIMITS)
    yield d, c
    d.stop()
    assert not d.crashes(), d.crashes()


def sas(ams):
    asset = ams.create("Assets", {"Name": "limits"})
    return asset, ams.write_locator(asset["Id"])


def block_id(n):
    return base64.b64encode(b"block-%06d" % n).decode()


def put_block(ams, loc, name, n, data):
    return ams.http("PUT", ams.blob_url(loc, name, "&comp=block&blockid=" +
                                        urllib.parse.quote(block_id(n), safe="")), data)


def put_list(ams, loc, name, ids):
    xml = '<?xml version="1.0" encoding="utf-8"?><BlockList>%s</BlockList>' % "".join(
        "<Latest>%s</Latest>" % i for i in ids)
    return ams.http("PUT", ams.blob_url(loc, name, "&comp=blocklist"), xml)


class Answer:
    def __init__(self, r):
        self.status, self.headers, self.body = r.status, r.headers, r.read()


def put_raw(url, data, chunked=False, chunk=64 * 1024):
    """A PUT that reads the answer even when the daemon refuses the body
    before it has all arrived (and closes: the send then breaks)."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    body = (data[i:i + chunk] for i in range(0, len(data), chunk)) if chunked else data
    try:
        conn.request("PUT", u.path + "?" + u.query, body=body, encode_chunked=chunked,
                     headers={"x-ms-blob-type": "BlockBlob"})
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        return Answer(conn.getresponse())
    finally:
        conn.close()


def container_dir(daemon, asset):
    return daemon.data_dir / "media" / ("asset-" + asset["Id"].split(":")[-1])


def test_attack_repeated_block_fails_fast(ams, platform):
    """The issue measured a 3 GB blob written in 19 s from one 10 MiB block
    and a 7.5 KB list naming it 300 times; now the list is refused at once."""
    asset, loc = sas(ams)
    assert put_block(ams, loc, "amp.mp4", 0, os.urandom(10 * MIB)).status == 201
    t0 = time.monotonic()
    r = put_list(ams, loc, "amp.mp4", [block_id(0)] * 300)
    elapsed = time.monotonic() - t0
    print("\n300 x one 10 MiB block: %d in %.3f s" % (r.status, elapsed))
    assert r.status == 400 and r.headers["x-ms-error-code"] == "InvalidBlockList", r
    assert b"more than once" in r.body
    assert elapsed < 1.0
    assert not (container_dir(platform.daemon, asset) / "amp.mp4").exists()
    # an unknown id is refused the same way, the staged block is still usable
    r = put_list(ams, loc, "amp.mp4", [block_id(0), block_id(1)])
    assert r.status == 400 and r.headers["x-ms-error-code"] == "InvalidBlockList"
    assert put_list(ams, loc, "amp.mp4", [block_id(0)]).status == 201


def test_blob_size_limit(limited):
    daemon, ams = limited
    asset, loc = sas(ams)
    assert ams.put_blob(loc, "at.mp4", b"a" * (3 * MIB)).status == 201
    r = put_raw(ams.blob_url(loc, "over.mp4"), b"a" * (3 * MIB + 1))
    assert r.status == 413 and r.headers["x-ms-error-code"] == "RequestBodyTooLarge", r
    assert b"upload_max_blob_size" in r.body and b"<Error><Code>" in r.body
    # no Content-Length: the body is cut at the limit
    asset, loc = sas(ams)
    assert put_raw(ams.blob_url(loc, "c.mp4"), b"c" * (3 * MIB), chunked=True).status == 201
    assert put_raw(ams.blob_url(loc, "c.mp4"), b"C" * (3 * MIB + 1), chunked=True).status == 413
    assert (container_dir(daemon, asset) / "c.mp4").read_bytes() == b"c" * (3 * MIB)
    # a block list is judged from its blocks' sizes before the join
    asset, loc = sas(ams)
    assert put_block(ams, loc, "b.mp4", 0, b"x" * (2 * MIB)).status == 201
    assert put_block(ams, loc, "b.mp4", 1, b"y" * (MIB + 1)).status == 201
    r = put_list(ams, loc, "b.mp4", [block_id(0), block_id(1)])
    assert r.status == 413 and r.headers["x-ms-error-code"] == "RequestBodyTooLarge", r
    assert put_block(ams, loc, "b.mp4", 1, b"y" * MIB).status == 201
    assert put_list(ams, loc, "b.mp4", [block_id(0), block_id(1)]).status == 201
    assert (container_dir(daemon, asset) / "b.mp4").stat().st_size == 3 * MIB


def test_container_size_limit(limited):
    daemon, ams = limited
    asset, loc = sas(ams)
    assert ams.put_blob(loc, "a.mp4", b"a" * (3 * MIB)).status == 201
    assert ams.put_blob(loc, "b.mp4", b"b" * (2 * MIB)).status == 201     # exactly 5 MiB
    r = ams.put_blob(loc, "c.mp4", b"c")
    assert r.status == 413 and r.headers["x-ms-error-code"] == "ContainerQuotaExceeded", r
    assert b"upload_max_container_size" in r.body
    assert ams.put_blob(loc, "b.mp4", b"B" * (2 * MIB)).status == 201     # replacing: fine
    assert ams.get("CreateFileInfos?assetid='%s'" % asset["Id"]).status == 204
    # another asset has its own budget
    other, loc2 = sas(ams)
    assert ams.put_blob(loc2, "a.mp4", b"a" * (3 * MIB)).status == 201


def test_staged_size_limit(limited):
    daemon, ams = limited
    asset, loc = sas(ams)
    assert put_block(ams, loc, "s.mp4", 0, b"s" * (2 * MIB)).status == 201
    assert put_block(ams, loc, "t.mp4", 0, b"t" * (2 * MIB)).status == 201   # exactly 4 MiB
    r = put_block(ams, loc, "s.mp4", 1, b"s")
    assert r.status == 409, r
    assert r.headers["x-ms-error-code"] == "RequestEntityTooLargeBlockCountExceedsLimit"
    assert b"upload_max_staged_size" in r.body
    # committing frees the staged bytes
    assert put_list(ams, loc, "s.mp4", [block_id(0)]).status == 201
    assert put_block(ams, loc, "u.mp4", 0, b"u" * (2 * MIB)).status == 201


def test_free_space_floor(_prefix_root):
    """Below the floor uploads get 507 while the catalog keeps working (the
    exact bound is in tests/controlplane/test_blob_quota.c)."""
    free = os.statvfs(str(_prefix_root)).f_bavail * os.statvfs(str(_prefix_root)).f_frsize
    floor = "%dm" % (free // MIB + 1024)                      # 1 GiB more than there is
    daemon, ams = start_daemon(_prefix_root, {"upload_min_free_space": floor})
    try:
        asset, loc = sas(ams)
        r = ams.put_blob(loc, "a.mp4", b"a")
        assert r.status == 507 and r.headers["x-ms-error-code"] == "InsufficientStorage", r
        assert b"upload_min_free_space" in r.body
        assert put_block(ams, loc, "a.mp4", 0, b"a").status == 507
        assert ams.post("Assets", {"Name": "still writable"}).status == 201
    finally:
        daemon.stop()
    assert not daemon.crashes(), daemon.crashes()


def test_limit_settings_are_checked(_prefix_root):
    import subprocess
    port = free_port()
    d = Daemon(_prefix_root / ("cfg-%d" % port), port, "http://127.0.0.1:%d" % port,
               extra={"upload_max_blob_size": "2000000t"})
    d.data_dir.mkdir(parents=True)
    d.write_conf()
    r = subprocess.run([str(d.binary), "-c", str(d.conf_path), "-t"], capture_output=True, text=True)
    assert r.returncode != 0 and "upload_max_blob_size" in r.stderr
    d.extra = {"upload_max_blob_size": "0", "upload_max_container_size": "1t",
               "upload_staged_expiry": "1h", "upload_min_free_space": "512m"}
    d.write_conf()
    r = subprocess.run([str(d.binary), "-c", str(d.conf_path), "-t"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_block_list_join_runs_off_the_request_threads(_prefix_root):
    """A Put Block List copies every listed block into the blob: with one
    HTTP polling thread (`threads 1`) a join on it stalled every other
    connection for as long.  The join now runs on the daemon's deferral
    pool: while a 512 MiB join is under way, other requests are answered."""
    d, ams = start_daemon(_prefix_root, {"threads": "1"})
    try:
        asset, loc = sas(ams)
        block = os.urandom(MIB) * 64                   # 64 MiB, 8 distinct blocks
        for n in range(8):
            r = put_block(ams, loc, "big.bin", n, block[:-1] + bytes([n]))
            assert r.status == 201, (r.status, r.body)
        done = {}

        def join():
            r = put_list(ams, loc, "big.bin", [block_id(n) for n in range(8)])
            done["status"], done["t"] = r.status, time.monotonic()

        import threading
        t = threading.Thread(target=join)
        t.start()
        time.sleep(0.3)                               # the join has begun
        answered = []
        for _ in range(5):                            # on new connections
            r = ams.http("GET", "http://127.0.0.1:%d/healthz" % d.port)
            answered.append((r.status, time.monotonic()))
        t.join(timeout=300)
        assert done.get("status") == 201, done
        assert all(s == 200 for s, _ in answered), answered
        assert answered[-1][1] < done["t"], \
            "requests waited for the join (%.2f s after it)" % (answered[-1][1] - done["t"])
        blob = container_dir(d, asset) / "big.bin"
        assert blob.stat().st_size == 8 * 64 * MIB
    finally:
        d.stop()
    assert not d.crashes(), d.crashes()
