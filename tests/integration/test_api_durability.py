"""mediaplaned durability: SIGKILL in the middle of a stream of writes loses
no acknowledged write and leaves a consistent catalog; bad input never
crashes the daemon."""

import os
import threading
import time

import pytest

from conftest import free_port
from platform_harness import Daemon, client_for


@pytest.fixture
def lone_daemon(_prefix_root):
    port = free_port()
    d = Daemon(_prefix_root / ("lone-%d" % port), port, "http://127.0.0.1:%d" % port).start()
    yield d
    d.stop()
    assert not d.crashes(), d.crashes()


def writer(client, tag, acked, stop):
    i = 0
    while not stop.is_set():
        name = "%s-%d" % (tag, i)
        try:
            r = client.post("Assets", {"Name": name})
            if r.status != 201:
                continue
            asset = r.json
            r = client.post("Files", {"Name": "f.mp4", "ParentAssetId": asset["Id"]})
            acked.append((name, asset["Id"], r.json["Id"] if r.status == 201 else None))
        except OSError:
            return                                   # the daemon is gone
        i += 1


def test_sigkill_during_writes_loses_nothing_acknowledged(lone_daemon):
    base = "http://127.0.0.1:%d" % lone_daemon.port
    clients = [client_for(base) for _ in range(3)]
    for c in clients:
        c.token()
    acked, stop = [], threading.Event()
    threads = [threading.Thread(target=writer, args=(c, "w%d" % n, acked, stop))
               for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    time.sleep(2.0)
    lone_daemon.kill()                               # SIGKILL mid-stream
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acked) > 20, "too few writes to mean anything: %d" % len(acked)

    lone_daemon.start()
    c = client_for(base)
    names = {a["Name"]: a for a in c.all_values("Assets")}
    assert int(c.get("Assets/$count").body) == len(names)
    missing = [n for n, _, _ in acked if n not in names]
    assert not missing, "acknowledged but lost: %s" % missing[:10]
    media = lone_daemon.data_dir / "media"
    for name, asset_id, file_id in acked:
        assert names[name]["Id"] == asset_id
        assert (media / ("asset-" + asset_id.split(":")[-1])).is_dir()
        if file_id is not None:
            files = c.values("Assets%s/Files" % c.key(asset_id))
            assert [f["Id"] for f in files] == [file_id]
    # every file row still points at an existing asset (no half-written pairs)
    for f in c.all_values("Files"):
        assert c.entity("Assets", f["ParentAssetId"]).status == 200
    # and the daemon keeps working
    assert c.post("Assets", {"Name": "after"}).status == 201


def test_restart_sweeps_leftover_folders_and_uploads(lone_daemon):
    """What a SIGKILL can leave on disk (found by tests/campaigns/crash_consistency):
    an asset folder whose create never committed or whose delete committed
    without removing it, and a temp upload written in the very second of the
    restart.  The start-up sweep removes them; folders of live assets stay."""
    base = "http://127.0.0.1:%d" % lone_daemon.port
    c = client_for(base)
    keep = c.post("Assets", {"Name": "kept"}).json
    media = lone_daemon.data_dir / "media"
    lone_daemon.kill()
    orphan = media / "asset-00000000-0000-4000-8000-000000000001"   # no such asset
    orphan.mkdir()
    (orphan / "a.mp4").write_bytes(b"x" * 100)
    keep_dir = media / ("asset-" + keep["Id"].split(":")[-1])
    (keep_dir / "a.mp4").write_bytes(b"kept")
    incoming = keep_dir / ".incoming"
    incoming.mkdir(exist_ok=True)
    (incoming / "cut-upload").write_bytes(b"partial")   # mtime: this second
    lone_daemon.start()
    assert not orphan.exists()
    assert not list(incoming.iterdir())
    assert (keep_dir / "a.mp4").read_bytes() == b"kept"
    assert c.entity("Assets", keep["Id"]).status == 200
    assert "the folder of no asset" in lone_daemon.log()


def test_garbage_never_crashes_the_daemon(lone_daemon):
    import socket
    base = "http://127.0.0.1:%d" % lone_daemon.port
    c = client_for(base)
    tok = c.token()
    payloads = [b"\x00" * 100, b"{" * 10000, b'{"Name":"\xff\xfe"}', b'{"Name":' + b"[" * 5000,
                os.urandom(4096), b'{"Options":99999999999999999999}', b'{"__metadata":5}',
                b'{"d":{"Name":"nested"}}', b'{"Name":"\\ud800"}']
    for body in payloads:
        for path in ("Assets", "Files", "Locators", "AccessPolicies", "Assets('x')",
                     "Assets('nb%3Acid%3AUUID%3A" + "0" * 40 + "')/$links/ParentAssets",
                     "CreateFileInfos?assetid=%27zzz%27"):
            r = c.call("POST", path, body)
            assert 200 <= r.status < 500, (path, body[:20], r)
    for path in ("Assets('" + "a" * 5000 + "')", "Assets(" , "Assets('x')/$links/",
                 "Assets?$filter=" + "(" * 3000, "Assets?$orderby=" + "Name," * 2000,
                 "Assets?$skip=99999999999999999999999", "Assets('x')/Files('y')/Z"):
        r = c.get(path)
        assert 400 <= r.status < 500, (path, r)
    # libmicrohttpd cuts a decoded path at %00: whatever is left is answered
    assert c.get("%00").status < 500
    # raw malformed HTTP
    for raw in (b"GET /api/Assets HTTP/1.1\r\nAuthorization: Bearer " + tok.encode() +
                b"\r\nContent-Length: -5\r\n\r\n", b"\x16\x03\x01garbage\r\n\r\n",
                b"POST /api/Assets HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
        with socket.create_connection(("127.0.0.1", lone_daemon.port), timeout=5) as s:
            s.sendall(raw)
            try:
                s.recv(4096)
            except OSError:
                pass
    assert lone_daemon.running
    assert c.get("Assets").status == 200
