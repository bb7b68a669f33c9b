"""mediaplaned: uploads through SAS locators, like Azure blob storage
(Put Blob, Put Block + Put Block List, Content-MD5, SAS checks), then
CreateFileInfos and the Files rules."""

import base64
import hashlib
import os
import time
import urllib.parse


def upload_locator(ams, minutes=60, perms=2):
    asset = ams.create("Assets", {"Name": "upload"})
    pol = ams.create("AccessPolicies", {"Name": "u", "DurationInMinutes": minutes,
                                        "Permissions": perms})
    loc = ams.create("Locators", {"AccessPolicyId": pol["Id"], "AssetId": asset["Id"],
                                  "Type": 1})
    return asset, loc


def test_sas_locator_shape(ams):
    asset, loc = upload_locator(ams)
    guid = asset["Id"].split(":")[-1]
    assert loc["Type"] == 1
    assert loc["BaseUri"] == ams.base + "/upload/asset-" + guid
    assert loc["Path"].startswith(loc["BaseUri"] + "?")
    q = urllib.parse.parse_qs(loc["Path"].split("?", 1)[1])
    assert q["sr"] == ["c"] and q["sp"] == ["w"] and q["si"] == [loc["Id"].split(":")[-1]]
    assert loc["ContentAccessComponent"] == "?" + loc["Path"].split("?", 1)[1]
    assert loc["ExpirationDateTime"] > loc["ExpirationDateTime"][:4]


def test_whole_blob_then_create_file_infos(ams, platform):
    asset, loc = upload_locator(ams)
    data = os.urandom(3 << 20)
    r = ams.put_blob(loc, "movie.mp4", data)
    assert r.status == 201, r
    assert r.headers["Content-MD5"] == base64.b64encode(hashlib.md5(data).digest()).decode()
    ism = b"<smil/>"
    assert ams.put_blob(loc, "movie.ism", ism).status == 201
    assert ams.get("CreateFileInfos?assetid='%s'" % asset["Id"]).status == 204
    files = {f["Name"]: f for f in ams.values("Assets%s/Files" % ams.key(asset["Id"]))}
    assert set(files) == {"movie.mp4", "movie.ism"}
    assert files["movie.mp4"]["ContentFileSize"] == str(len(data))
    assert files["movie.mp4"]["MimeType"] == "video/mp4"
    assert files["movie.ism"]["IsPrimary"] is True and files["movie.mp4"]["IsPrimary"] is False
    # the bytes on disk are the bytes sent
    on_disk = platform.daemon.data_dir / "media" / ("asset-" + asset["Id"].split(":")[-1])
    assert (on_disk / "movie.mp4").read_bytes() == data
    # the origin's workers (the daemon's group) may read media and the catalog
    # but write nothing except their reader slots in lock.mdb
    import stat
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)
    assert mode(on_disk / "movie.mp4") == 0o640 and mode(on_disk) == 0o750
    catalog = platform.daemon.data_dir / "catalog"
    assert mode(catalog / "data.mdb") == 0o640 and mode(catalog / "lock.mdb") == 0o660
    # idempotent: calling again creates no duplicates
    assert ams.get("CreateFileInfos?assetid='%s'" % asset["Id"]).status == 204
    assert len(ams.values("Assets%s/Files" % ams.key(asset["Id"]))) == 2


def test_blocks_and_block_list(ams, platform):
    asset, loc = upload_locator(ams)
    data = os.urandom(5 * 1024 * 1024 + 123)
    r = ams.put_blob(loc, "big.mp4", data, block_size=1024 * 1024)
    assert r.status == 201, r
    on_disk = platform.daemon.data_dir / "media" / ("asset-" + asset["Id"].split(":")[-1])
    assert (on_disk / "big.mp4").read_bytes() == data
    # a list naming a block that was never staged
    bid = base64.b64encode(b"missing-00000").decode()
    xml = "<?xml version='1.0'?><BlockList><Latest>%s</Latest></BlockList>" % bid
    r = ams.http("PUT", ams.blob_url(loc, "other.mp4", "&comp=blocklist"), xml)
    assert r.status == 400 and b"InvalidBlockList" in r.body
    r = ams.http("PUT", ams.blob_url(loc, "other.mp4", "&comp=blocklist"), "<BlockList><Latest>")
    assert r.status == 400


def test_content_md5_mismatch_stores_nothing(ams, platform):
    asset, loc = upload_locator(ams)
    r = ams.http("PUT", ams.blob_url(loc, "bad.mp4"), b"hello world",
                 {"Content-MD5": base64.b64encode(hashlib.md5(b"other").digest()).decode()})
    assert r.status == 400 and b"Md5Mismatch" in r.body
    on_disk = platform.daemon.data_dir / "media" / ("asset-" + asset["Id"].split(":")[-1])
    assert not (on_disk / "bad.mp4").exists()
    assert ams.get("CreateFileInfos?assetid='%s'" % asset["Id"]).status == 204
    assert ams.values("Assets%s/Files" % ams.key(asset["Id"])) == []


def test_sas_is_checked(ams):
    asset, loc = upload_locator(ams)
    base, _, query = loc["Path"].partition("?")
    q = dict(urllib.parse.parse_qsl(query))
    # tampered signature, permissions or expiry
    for key, value in (("sig", "AAAA" + q["sig"][4:]), ("sp", "rwdl"),
                       ("se", "2099-01-01T00:00:00Z")):
        bad = dict(q, **{key: value})
        r = ams.http("PUT", base + "/x.mp4?" + urllib.parse.urlencode(bad), b"x")
        assert r.status == 403, (key, r)
    # no SAS at all
    assert ams.http("PUT", base + "/x.mp4", b"x").status == 403
    # another asset's container with this SAS
    other = ams.create("Assets", {"Name": "other"})
    other_base = base.rsplit("/", 1)[0] + "/asset-" + other["Id"].split(":")[-1]
    assert ams.http("PUT", other_base + "/x.mp4?" + query, b"x").status == 403
    # a write SAS cannot read or list
    assert ams.put_blob(loc, "a.mp4", b"abc").status == 201
    assert ams.http("GET", ams.blob_url(loc, "a.mp4")).status == 403
    # deleting the locator revokes the SAS
    assert ams.delete("Locators" + ams.key(loc["Id"])).status == 204
    assert ams.put_blob(loc, "b.mp4", b"abc").status == 403


def test_recreated_locator_id_does_not_revive_old_urls(ams):
    """A SAS URL is bound to the locator instance it was issued for: deleting
    the locator revokes it even when a client re-creates a locator under the
    same Id with a wider policy (AMS lets clients choose locator Ids)."""
    asset = ams.create("Assets", {"Name": "revoke"})
    write = ams.create("AccessPolicies", {"Name": "w", "DurationInMinutes": 60, "Permissions": 2})
    every = ams.create("AccessPolicies", {"Name": "rwdl", "DurationInMinutes": 600,
                                          "Permissions": 15})
    chosen = "nb:lid:UUID:7f3c2a10-5b6e-4c1d-9a8b-0123456789ab"
    first = ams.create("Locators", {"Id": chosen, "AccessPolicyId": write["Id"],
                                    "AssetId": asset["Id"], "Type": 1})
    assert first["Id"] == chosen
    assert ams.put_blob(first, "a.mp4", b"abc").status == 201
    assert ams.delete("Locators" + ams.key(chosen)).status == 204
    again = ams.create("Locators", {"Id": chosen, "AccessPolicyId": every["Id"],
                                    "AssetId": asset["Id"], "Type": 1})
    assert again["Id"] == chosen and again["Path"] != first["Path"]
    r = ams.put_blob(first, "b.mp4", b"abc")
    assert r.status == 403 and b"signature" in r.body, r
    # the same URL re-created with the original policy's shape is still dead
    ams.delete("Locators" + ams.key(chosen))
    same = ams.create("Locators", {"Id": chosen, "AccessPolicyId": write["Id"],
                                   "AssetId": asset["Id"], "Type": 1})
    assert ams.put_blob(first, "c.mp4", b"abc").status == 403
    assert ams.put_blob(same, "d.mp4", b"abc").status == 201


def test_expired_sas_is_refused(ams):
    asset, loc = upload_locator(ams, minutes=0.02)      # 1.2 s
    assert ams.put_blob(loc, "early.mp4", b"abc").status == 201
    time.sleep(1.5)
    assert ams.put_blob(loc, "late.mp4", b"abc").status == 403


def test_path_traversal_and_bad_names(ams, platform):
    asset, loc = upload_locator(ams)
    base, _, query = loc["Path"].partition("?")
    for name in ("..%2Fescape.mp4", ".hidden", "a%00b", "%2E%2E", "dir%2Ffile.mp4"):
        r = ams.http("PUT", base + "/" + name + "?" + query, b"x")
        assert r.status in (400, 403, 404), (name, r)
    assert not list(platform.daemon.data_dir.glob("media/escape.mp4"))
    assert not list(platform.daemon.data_dir.glob("**/escape.mp4"))


def test_read_sas_download_and_list(ams):
    asset = ams.upload_asset("dl", {"one.mp4": b"1" * 1000, "two.mp4": b"2" * 2000})
    pol = ams.create("AccessPolicies", {"Name": "r", "DurationInMinutes": 10, "Permissions": 9})
    loc = ams.create("Locators", {"AccessPolicyId": pol["Id"], "AssetId": asset["Id"], "Type": 1})
    r = ams.http("GET", ams.blob_url(loc, "two.mp4"))
    assert r.status == 200 and r.body == b"2" * 2000
    base, _, query = loc["Path"].partition("?")
    r = ams.http("GET", base + "?" + query + "&restype=container&comp=list")
    assert r.status == 200 and b"<Name>one.mp4</Name>" in r.body and b"<Name>two.mp4</Name>" in r.body
    assert ams.http("GET", ams.blob_url(loc, "nope.mp4")).status == 404


def test_files_rules(ams):
    asset = ams.create("Assets", {"Name": "files"})
    f = ams.create("Files", {"Name": "a.mp4", "ParentAssetId": asset["Id"], "IsPrimary": True})
    assert f["ContentFileSize"] == "0"
    assert ams.merge("Files" + ams.key(f["Id"]), {"ContentFileSize": "1234"}).status == 204
    assert ams.entity("Files", f["Id"]).json["ContentFileSize"] == "1234"
    assert ams.merge("Files" + ams.key(f["Id"]), {"ContentFileSize": 99}).status == 204
    assert ams.entity("Files", f["Id"]).json["ContentFileSize"] == "99"
    r = ams.post("Files", {"Name": "a.mp4", "ParentAssetId": asset["Id"]})
    assert r.status == 409 and "a.mp4" in r.error_message()
    r = ams.post("Files", {"Name": "b.mp4", "ParentAssetId": asset["Id"], "IsPrimary": True})
    assert r.status == 409 and "primary" in r.error_message()
    r = ams.post("Files", {"Name": "../c.mp4", "ParentAssetId": asset["Id"]})
    assert r.status == 400
    r = ams.post("Files", {"Name": "d.mp4", "ParentAssetId": "nb:cid:UUID:00000000-0000-0000-0000-000000000000"})
    assert r.status == 400
    r = ams.merge("Files" + ams.key(f["Id"]), {"Name": "renamed.mp4"})
    assert r.status == 400                       # write-once
    # deleting the asset deletes its files
    assert ams.delete("Assets" + ams.key(asset["Id"])).status == 204
    assert ams.entity("Files", f["Id"]).status == 404


def test_sas_signature_not_in_access_log(ams, platform):
    """SAS signatures are credentials: nginx logs the request line with
    sig=REDACTED (the map in conf/mediaplane.conf.in and conf/nginx.conf)."""
    asset, loc = upload_locator(ams)
    sig = dict(urllib.parse.parse_qsl(loc["Path"].split("?", 1)[1]))["sig"]
    assert ams.put_blob(loc, "logged.mp4", b"abc").status == 201
    deadline = time.time() + 5              # nginx logs once the response is out
    while True:
        log = platform.origin.access_log()
        lines = [l for l in log.splitlines() if "/logged.mp4?" in l]
        if lines or time.time() > deadline:
            break
        time.sleep(0.05)
    assert lines, log[-2000:]
    assert all("sig=REDACTED" in l for l in lines), lines
    assert sig not in log and urllib.parse.quote(sig, safe="") not in log
    assert "&se=" in lines[0] and "HTTP/1.1" in lines[0]     # the rest of the line is kept


def test_example_nginx_conf_is_valid(tmp_path):
    """conf/nginx.conf (with this build's module and writable paths) passes nginx -t."""
    import re
    import subprocess
    from conftest import MODULE, NGINX, TOP
    text = (TOP / "conf" / "nginx.conf").read_text()
    text = re.sub(r"(?m)^load_module .*;", "load_module %s;" % MODULE, text)
    text = re.sub(r"(?m)^user .*;", "", text)
    text = text.replace("/var/log/nginx/", str(tmp_path) + "/").replace(
        "/run/nginx-mediaplane.pid", str(tmp_path / "nginx.pid")).replace(
        "/var/lib/mediaplane", str(tmp_path / "lib"))
    (tmp_path / "lib" / "data" / "catalog").mkdir(parents=True)
    (tmp_path / "lib" / "vod").mkdir(parents=True)
    (tmp_path / "lib" / "data" / "origin.key").write_bytes(os.urandom(32))
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    r = subprocess.run([str(NGINX), "-t", "-p", str(tmp_path), "-c", str(conf)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def _nginx_t(tmp_path, direct_root, catalog_root, extra=""):
    import subprocess
    from conftest import MODULE, NGINX
    (tmp_path / "catalog").mkdir(exist_ok=True)
    conf = tmp_path / "overlap.conf"
    conf.write_text("""load_module %s;
error_log %s/error.log;
pid %s/nginx.pid;
events {}
http {
  access_log off;
  server {
    listen 127.0.0.1:1;
    location /media/ { mediaplane on; mediaplane_root %s; %s }
    location / { mediaplane on; mediaplane_catalog %s/catalog; mediaplane_root %s; }
  }
}
""" % (MODULE, tmp_path, tmp_path, direct_root, extra, tmp_path, catalog_root))
    return subprocess.run([str(NGINX), "-t", "-p", str(tmp_path), "-c", str(conf)],
                          capture_output=True, text=True)


def test_direct_root_overlapping_the_catalog_media_root_is_refused(tmp_path):
    """A direct-mode location whose root contains (or is inside) the catalog
    location's media root would serve unpublished assets: nginx -t fails
    with the reason, unless mediaplane_direct_catalog_overlap is on."""
    lib = tmp_path / "lib"
    (lib / "data" / "media").mkdir(parents=True)
    (lib / "vod").mkdir()
    (tmp_path / "alias").symlink_to(lib / "data")
    media = lib / "data" / "media"
    for direct in (lib, media, media / "asset-x", tmp_path / "alias"):
        r = _nginx_t(tmp_path, direct, media)
        assert r.returncode != 0, direct
        assert "overlaps" in r.stderr and "mediaplane_direct_catalog_overlap" in r.stderr
    assert _nginx_t(tmp_path, lib / "vod", media).returncode == 0
    assert _nginx_t(tmp_path, lib / "dat", lib / "data").returncode == 0   # a prefix, not a parent
    assert _nginx_t(tmp_path, lib, media, "mediaplane_direct_catalog_overlap on;").returncode == 0
