"""Bulk ingest the AMS v2 way: IngestManifests → IngestManifestAssets (an
existing asset each) → IngestManifestFiles (names) → upload into the
manifest's BlobStorageUriForUpload; each listed file moves into its asset as
it arrives (a Files row, as CreateFileInfos) and the manifest's Statistics
and State follow, as AMS reported them."""

import re

GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _stats(ams, manifest_id):
    m = ams.entity("IngestManifests", manifest_id).json
    s = m["Statistics"]
    return m["State"], (s["PendingFilesCount"], s["FinishedFilesCount"], s["ErrorFilesCount"])


def _manifest_asset(ams, manifest_id, asset_id, verbose=False):
    if verbose:                                  # the .NET SDK's form: a deferred link
        body = {"ParentIngestManifestId": manifest_id,
                "Asset": {"__metadata": {"uri": ams.api + "Assets" + ams.key(asset_id)}}}
        r = ams.post("IngestManifestAssets", body, fmt="verbose")
        assert r.status == 201, r
        return r.json["d"]
    return ams.create("IngestManifestAssets", {"ParentIngestManifestId": manifest_id,
                                               "Asset": {"Id": asset_id}})


def _file(ams, manifest_id, ima_id, name, **extra):
    body = dict({"Name": name, "MimeType": "video/mp4", "ParentIngestManifestId": manifest_id,
                 "ParentIngestManifestAssetId": ima_id, "IsEncrypted": "false"}, **extra)
    return ams.post("IngestManifestFiles", body)


def _files_of(ams, asset_id):
    return sorted(f["Name"] for f in ams.values("Assets%s/Files" % ams.key(asset_id)))


def test_bulk_ingest_moves_files_and_counts_them(ams):
    m = ams.create("IngestManifests", {"Name": "bulk"})
    assert re.fullmatch("nb:mid:UUID:" + GUID, m["Id"])
    assert m["State"] == 0 and m["StorageAccountName"]
    assert m["Statistics"] == {"PendingFilesCount": 0, "FinishedFilesCount": 0,
                               "ErrorFilesCount": 0, "ErrorFilesDetails": ""}
    up = {"Path": m["BlobStorageUriForUpload"]}
    assert "/upload/ingest-%s?" % m["Id"].split(":")[-1] in up["Path"] and "sig=" in up["Path"]
    a1, a2 = (ams.create("Assets", {"Name": n}) for n in ("bulk-1", "bulk-2"))
    ima1 = _manifest_asset(ams, m["Id"], a1["Id"])
    ima2 = _manifest_asset(ams, m["Id"], a2["Id"], verbose=True)
    assert re.fullmatch("nb:maid:UUID:" + GUID, ima1["Id"])
    for ima, name in ((ima1, "a.mp4"), (ima2, "b.mp4"), (ima2, "c.vtt")):
        r = _file(ams, m["Id"], ima["Id"], name)
        assert r.status == 201 and r.json["State"] == 0, r
        assert re.fullmatch("nb:mfid:UUID:" + GUID, r.json["Id"])
    assert _stats(ams, m["Id"]) == (1, (3, 0, 0))             # Activated, 3 pending
    # uploads into the manifest's container: whole blob, blocks; each moves
    assert ams.put_blob(up, "a.mp4", b"A" * 5000).status == 201
    assert _stats(ams, m["Id"]) == (1, (2, 1, 0))
    assert _files_of(ams, a1["Id"]) == ["a.mp4"]
    assert ams.put_blob(up, "b.mp4", b"B" * 300000, block_size=100000).status == 201
    assert ams.put_blob(up, "c.vtt", b"WEBVTT\n").status == 201
    assert _stats(ams, m["Id"]) == (2, (0, 3, 0))             # Finished
    assert _files_of(ams, a2["Id"]) == ["b.mp4", "c.vtt"]
    sizes = {f["Name"]: int(f["ContentFileSize"]) for f in
             ams.values("Assets%s/Files" % ams.key(a2["Id"]))}
    assert sizes == {"b.mp4": 300000, "c.vtt": 7}
    files = ams.values("IngestManifests%s/IngestManifestFiles" % ams.key(m["Id"]))
    assert sorted((f["Name"], f["State"]) for f in files) == [
        ("a.mp4", 1), ("b.mp4", 1), ("c.vtt", 1)]
    # navigations
    imas = ams.values("IngestManifests%s/IngestManifestAssets" % ams.key(m["Id"]))
    assert sorted(i["Id"] for i in imas) == sorted([ima1["Id"], ima2["Id"]])
    assert ams.get("IngestManifestAssets%s/Asset" % ams.key(ima1["Id"])).json["Id"] == a1["Id"]
    assert len(ams.values("IngestManifestAssets%s/IngestManifestFiles" % ams.key(ima2["Id"]))) == 2
    # a blob the manifest does not list stays where it is
    assert ams.put_blob(up, "unlisted.bin", b"x").status == 201
    assert _stats(ams, m["Id"]) == (2, (0, 3, 0))


def test_file_already_uploaded_moves_when_listed(ams):
    m = ams.create("IngestManifests", {"Name": "upload-first"})
    asset = ams.create("Assets", {"Name": "late"})
    ima = _manifest_asset(ams, m["Id"], asset["Id"])
    assert ams.put_blob({"Path": m["BlobStorageUriForUpload"]}, "early.mp4", b"E" * 10).status == 201
    r = _file(ams, m["Id"], ima["Id"], "early.mp4")
    assert r.status == 201, r
    assert ams.entity("IngestManifestFiles", r.json["Id"]).json["State"] == 1
    assert _stats(ams, m["Id"]) == (2, (0, 1, 0))
    assert _files_of(ams, asset["Id"]) == ["early.mp4"]


def test_ingest_errors(ams):
    m = ams.create("IngestManifests", {"Name": "errors"})
    other = ams.create("IngestManifests", {"Name": "other"})
    asset = ams.create("Assets", {"Name": "err"})
    ima = _manifest_asset(ams, m["Id"], asset["Id"])
    r = _file(ams, m["Id"], ima["Id"], "enc.mp4", IsEncrypted=True)
    assert r.status == 400 and "not supported" in r.error_message(), r
    assert _file(ams, m["Id"], ima["Id"], "dup.mp4").status == 201
    assert _file(ams, m["Id"], ima["Id"], "dup.mp4").status == 409
    r = _file(ams, other["Id"], ima["Id"], "x.mp4")
    assert r.status == 400 and "another manifest" in r.error_message(), r
    r = _file(ams, m["Id"], ima["Id"], "a/b.mp4")
    assert r.status == 400, r
    r = ams.post("IngestManifestAssets", {"ParentIngestManifestId": m["Id"]})
    assert r.status == 400 and "Asset is required" in r.error_message(), r
    r = ams.post("IngestManifestAssets", {"ParentIngestManifestId": m["Id"],
                                          "Asset": {"Id": "nb:cid:UUID:00000000-0000-0000-0000-000000000000"}})
    assert r.status == 400, r
    r = ams.post("IngestManifestAssets", {"ParentIngestManifestId":
                                          "nb:mid:UUID:00000000-0000-0000-0000-000000000000",
                                          "Asset": {"Id": asset["Id"]}})
    assert r.status == 400, r
    r = ams.post("IngestManifests", {"Name": "x", "StorageAccountName": "elsewhere"})
    assert r.status == 400 and "storage account" in r.error_message(), r


def test_deleting_a_manifest(ams):
    m = ams.create("IngestManifests", {"Name": "gone"})
    asset = ams.create("Assets", {"Name": "kept"})
    ima = _manifest_asset(ams, m["Id"], asset["Id"])
    f = _file(ams, m["Id"], ima["Id"], "never.mp4").json
    up = {"Path": m["BlobStorageUriForUpload"]}
    # a deleted file leaves the counts
    assert ams.delete("IngestManifestFiles" + ams.key(f["Id"])).status == 204
    assert _stats(ams, m["Id"]) == (0, (0, 0, 0))
    assert ams.delete("IngestManifests" + ams.key(m["Id"])).status == 204
    assert ams.entity("IngestManifestAssets", ima["Id"]).status == 404
    assert ams.entity("Assets", asset["Id"]).status == 200        # the asset stays
    r = ams.put_blob(up, "late.mp4", b"x")
    assert r.status == 403, r                                      # its SAS died with it
