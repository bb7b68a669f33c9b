"""AMS storage encryption end to end, the way the .NET SDK v2 uploaded a
storage-encrypted asset (AssetCreationOptions.StorageEncrypted): a random
32-byte StorageEncryption (1) ContentKey wrapped with the protection key,
linked to an asset with Options 1; each file encrypted client-side with
AES-256-CTR whose counter block is the file's 64-bit InitializationVector
big-endian then the 16-byte block number big-endian (FileEncryptionTransform;
computed here with python3-cryptography's AES-256-ECB, independent of the
daemon and the origin); uploaded; then the AssetFile updated with
IsEncrypted, EncryptionScheme "StorageEncryption", EncryptionVersion "1.0",
the IV as a decimal string and EncryptionKeyId.  The origin decrypts only
what it reads: HLS, DASH and Smooth of the encrypted asset are byte for byte
those of the same files uploaded clear, ffmpeg decodes the source's frames,
progressive download serves the clear bytes (Range too), and the key is
never handed out by the key service.  Wrong fields are 400 with a message;
a wrong IV is a 415 with a reason, never a crash.
"""

import base64
import random
import uuid

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from clients import HLS_INPUT
from media import framemd5, http_get, http_head
from test_api_content_keys import dotnet_checksum, new_key, openssl
from test_cenc_delivery import link
from test_jobs_run import clips, create_job, outputs_of, task, tasks_of, wait_state  # noqa: F401

ALL_PROTOCOLS = 1 | 2 | 4 | 16          # Smooth, DASH, HLS, progressive download


def sdk_encrypt(data: bytes, key: bytes, iv: int) -> bytes:
    """FileEncryptionTransform of the AMS .NET SDK v2: keystream block n is
    AES-256-ECB(key, BE64(iv) || BE64(n)); data XOR keystream."""
    blocks = (len(data) + 15) // 16
    counters = b"".join(iv.to_bytes(8, "big") + n.to_bytes(8, "big") for n in range(blocks))
    ks = Cipher(algorithms.AES(key), modes.ECB()).encryptor().update(counters)[:len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(ks, "big")).to_bytes(len(data), "big")


def storage_key(ams, tmp_path):
    body, key = new_key(ams, tmp_path, key_type=1, size=32)
    r = ams.post("ContentKeys", body)
    assert r.status == 201, r
    return body["Id"], key


def encrypted_fields(kid, iv):
    return {"IsEncrypted": True, "EncryptionScheme": "StorageEncryption",
            "EncryptionVersion": "1.0", "InitializationVector": str(iv), "EncryptionKeyId": kid}


def clear_policy(ams, asset_id):
    pol = ams.create("AssetDeliveryPolicies", {"Name": "clear", "AssetDeliveryPolicyType": 2,
                                               "AssetDeliveryProtocol": ALL_PROTOCOLS})
    link(ams, "Assets", asset_id, "DeliveryPolicies", "AssetDeliveryPolicies", pol["Id"])


def upload_encrypted(ams, tmp_path, sources, iv_of=None):
    """The SDK's steps; sources: {name: Path}.  Returns (asset, kid, key, ivs)."""
    kid, key = storage_key(ams, tmp_path)
    ivs = {name: random.getrandbits(64) for name in sources}
    files = {name: sdk_encrypt(p.read_bytes(), key, ivs[name]) for name, p in sources.items()}
    asset = ams.upload_asset("storage-encrypted", files, Options=1)
    link(ams, "Assets", asset["Id"], "ContentKeys", "ContentKeys", kid)
    for f in ams.values("Assets%s/Files" % ams.key(asset["Id"])):
        iv = (iv_of or ivs)[f["Name"]]
        r = ams.merge("Files" + ams.key(f["Id"]), encrypted_fields(kid, iv))
        assert r.status == 204, r
    return asset, kid, key, ivs


def set_files(abr_set):
    files = {abr_set.ism.name: abr_set.ism}
    files.update({p.name: p for p in abr_set.files})
    return files


@pytest.fixture(scope="module")
def published(platform, abr_set, tmp_path_factory):
    """The same files: storage-encrypted, and clear (the reference)."""
    ams = platform.client()
    asset, kid, key, ivs = upload_encrypted(ams, tmp_path_factory.mktemp("keys"), set_files(abr_set))
    clear_policy(ams, asset["Id"])
    clear = ams.upload_asset("clear", set_files(abr_set))
    return ams, asset, kid, ams.publish(asset["Id"]), ams.publish(clear["Id"])


def test_files_are_ciphertext_on_disk(published, platform, abr_set):
    ams, asset, kid, loc, _ = published
    folder = platform.daemon.data_dir / "media" / ("asset-" + asset["Id"].split(":")[-1])
    for src in abr_set.files:
        stored = (folder / src.name).read_bytes()
        assert len(stored) == src.stat().st_size and stored[4:8] != b"ftyp"
        assert stored != src.read_bytes()
    f = ams.values("Assets%s/Files" % ams.key(asset["Id"]))[0]
    assert f["IsEncrypted"] is True and f["EncryptionScheme"] == "StorageEncryption"


@pytest.mark.parametrize("path", [
    "Manifest", "Manifest(format=mpd-time-csf)", "Manifest(format=m3u8-aapl)",
    "QualityLevels({bitrate})/Fragments(video=0)",
    "QualityLevels({bitrate})/Fragments(video=0,format=mpd-time-csf)",
    "QualityLevels({bitrate})/Fragments(video=0,format=m3u8-aapl-v3)",
    "QualityLevels({bitrate})/Fragments(video=i,format=mpd-time-csf)",
])
def test_packaged_bytes_equal_the_clear_assets(published, abr_set, path):
    ams, asset, kid, loc, clear_loc = published
    path = path.format(bitrate=abr_set.renditions[0].kbps * 1000)
    got = http_get(loc["Path"] + abr_set.ism.name + "/" + path)
    want = http_get(clear_loc["Path"] + abr_set.ism.name + "/" + path)
    assert want.status == 200, want.text
    assert got.status == 200, got.text
    guid, clear_guid = loc["Id"].split(":")[-1], clear_loc["Id"].split(":")[-1]
    assert got.body == want.body.replace(clear_guid.encode(), guid.encode())


def test_ffmpeg_decodes_the_source_frames_over_hls_and_dash(published, abr_set):
    ams, asset, kid, loc, clear_loc = published
    base = loc["Path"] + abr_set.ism.name + "/"
    want = framemd5(abr_set.renditions[0].path, "v:0")
    hls = http_get(base + "Manifest(format=m3u8-aapl)").text
    first = [l for l in hls.splitlines() if l and not l.startswith("#")][0]
    assert framemd5(base + first, "v:0", HLS_INPUT) == want
    dash = base + "Manifest(format=mpd-time-csf)"
    assert framemd5(dash, "v:0") == framemd5(clear_loc["Path"] + abr_set.ism.name
                                             + "/Manifest(format=mpd-time-csf)", "v:0")


def test_progressive_download_serves_clear_bytes_with_ranges(published, abr_set):
    ams, asset, kid, loc, _ = published
    src = abr_set.renditions[0].path
    clear = src.read_bytes()
    url = loc["Path"] + src.name
    whole = http_get(url)
    assert whole.status == 200 and whole.body == clear
    size = len(clear)
    for rng, lo, hi in [("bytes=1000-5000", 1000, 5000), ("bytes=17-17", 17, 17),
                        ("bytes=%d-" % (size - 333), size - 333, size - 1),
                        ("bytes=-100", size - 100, size - 1),
                        ("bytes=%d-%d" % (size // 2 + 5, size + 99), size // 2 + 5, size - 1)]:
        r = http_get(url, {"Range": rng})
        assert r.status == 206, (rng, r.status)
        assert r.body == clear[lo:hi + 1], rng
        assert r.header("Content-Range") == "bytes %d-%d/%d" % (lo, hi, size)
    multi = http_get(url, {"Range": "bytes=0-9,20-29"})      # nginx's range filter
    assert multi.status == 206 and clear[0:10] in multi.body and clear[20:30] in multi.body
    assert http_get(url, {"Range": "bytes=%d-" % (size + 10)}).status == 416
    head = http_head(url)
    assert head.status == 200 and int(head.header("Content-Length")) == size


def test_key_service_never_hands_out_the_storage_key(published, platform):
    ams, asset, kid, loc, _ = published
    r = http_get(platform.origin.base + "/keydelivery/?KID=" + kid.split(":")[-1])
    assert 400 <= r.status < 500


def test_asset_file_fields_are_checked(ams, tmp_path, abr_set):
    kid, key = storage_key(ams, tmp_path)
    asset = ams.upload_asset("fields", {"a.mp4": b"x" * 100}, Options=1)
    fid = ams.values("Assets%s/Files" % ams.key(asset["Id"]))[0]["Id"]
    env_body, _ = new_key(ams, tmp_path, key_type=4)
    assert ams.post("ContentKeys", env_body).status == 201
    bad = [({"EncryptionScheme": "CommonEncryption"}, "EncryptionScheme"),
           ({"EncryptionVersion": "2.0"}, "EncryptionVersion"),
           ({"InitializationVector": "-5"}, "InitializationVector"),
           ({"InitializationVector": "18446744073709551616"}, "InitializationVector"),
           ({"InitializationVector": "0x12"}, "InitializationVector"),
           ({"EncryptionKeyId": "nb:kid:UUID:%s" % uuid.uuid4()}, "not an existing"),
           ({"EncryptionKeyId": env_body["Id"]}, "StorageEncryption (1)")]
    for over, words in bad:
        body = dict(encrypted_fields(kid, 5), **over)
        r = ams.merge("Files" + ams.key(fid), body)
        assert r.status == 400 and words in r.error_message(), (over, r)
    r = ams.merge("Files" + ams.key(fid), encrypted_fields(kid, 18446744073709551615))
    assert r.status == 204, r
    # the key is not linked to the asset: it cannot be published
    clear_policy(ams, asset["Id"])
    policy = ams.create("AccessPolicies", {"Name": "s", "DurationInMinutes": 60, "Permissions": 1})
    r = ams.post("Locators", {"AccessPolicyId": policy["Id"], "AssetId": asset["Id"], "Type": 2})
    assert r.status == 400 and "not linked to the asset" in r.error_message(), r


def test_wrong_iv_is_a_clear_error_not_a_crash(platform, abr_set, tmp_path):
    ams = platform.client()
    src = abr_set.renditions[0].path
    asset, kid, key, ivs = upload_encrypted(ams, tmp_path, {src.name: src},
                                            iv_of={src.name: 12345})
    clear_policy(ams, asset["Id"])
    loc = ams.publish(asset["Id"])
    r = http_get(loc["Path"] + src.name + "/Manifest")
    assert r.status == 415, r.status
    assert "mediaplane: cannot package" in platform.origin.error_log()
    assert platform.origin.running and not platform.origin.crashes()


def test_deleted_key_is_refused_by_the_origin_and_fails_jobs(platform, abr_set, tmp_path):
    ams = platform.client()
    src = abr_set.renditions[0].path
    asset, kid, key, ivs = upload_encrypted(ams, tmp_path, {src.name: src})
    clear_policy(ams, asset["Id"])
    loc = ams.publish(asset["Id"])
    assert http_get(loc["Path"] + src.name + "/Manifest").status == 200
    assert ams.delete("ContentKeys" + ams.key(kid)).status == 204
    for path in ("/Manifest(format=mpd-time-csf)", ""):          # cold file, progressive
        r = http_get(loc["Path"] + src.name + path)
        assert r.status == 403, (path, r.status)
    assert "is storage-encrypted but its key" in platform.origin.error_log()
    assert platform.origin.running and not platform.origin.crashes()
    job = create_job(ams, [asset["Id"]], [task()])
    done = wait_state(ams, job["Id"], {3, 4, 5}, timeout=300)
    assert done["State"] == 4
    details = tasks_of(ams, job["Id"])[0]["ErrorDetails"]
    assert "storage-encrypted" in details[0]["Message"], details


def video_frames_of_outputs(ams, platform, job_id):
    out = outputs_of(ams, job_id)[0]
    folder = platform.daemon.data_dir / "media" / ("asset-" + out["Id"].split(":")[-1])
    mp4 = sorted(p for p in folder.iterdir() if p.suffix == ".mp4")
    assert mp4, list(folder.iterdir())
    return [(p.name, framemd5(p, "a:0" if "Audio" in p.name else "v:0")) for p in mp4]


def test_job_decrypts_storage_encrypted_input(platform, clips, tmp_path):
    ams = platform.client()
    src = clips["clip"]
    enc, kid, key, ivs = upload_encrypted(ams, tmp_path, {src.name: src})
    clear = ams.upload_asset("clear-input", {src.name: src})
    jobs = [create_job(ams, [a["Id"]], [task()]) for a in (enc, clear)]
    done = [wait_state(ams, j["Id"], {3, 4, 5}, timeout=600) for j in jobs]
    assert [d["State"] for d in done] == [3, 3], [tasks_of(ams, j["Id"]) for j in jobs]
    # x264 runs are not bit-exact here: the same files, the source's frame count
    got, want = (video_frames_of_outputs(ams, platform, j["Id"]) for j in jobs)
    assert [n for n, _ in got] == [n for n, _ in want]
    frames = len(framemd5(src, "v:0"))
    assert all(len(h) == frames for n, h in got if "Audio" not in n)


def test_job_with_a_wrong_iv_is_an_error_with_a_message(platform, clips, tmp_path):
    ams = platform.client()
    src = clips["clip"]
    enc, kid, key, ivs = upload_encrypted(ams, tmp_path, {src.name: src}, iv_of={src.name: 99})
    job = create_job(ams, [enc["Id"]], [task()])
    done = wait_state(ams, job["Id"], {3, 4, 5}, timeout=300)
    assert done["State"] == 4
    details = tasks_of(ams, job["Id"])[0]["ErrorDetails"]
    assert details and details[0]["Message"], details


def test_job_writes_storage_encrypted_outputs(platform, clips, tmp_path):
    """assetCreationOptions 1 on the output: a new StorageEncryption key
    linked to the output asset, every output encrypted on disk with its own
    IV (recorded on its Files row); the key, unwrapped here with the
    daemon's protection key (openssl), decrypts them as the SDK would, and
    the origin streams the asset: its frames are those of the decrypted
    files."""
    ams = platform.client()
    src = clips["clip"]
    clear_in = ams.upload_asset("clear-input", {src.name: src})
    body = ("<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset "
            "assetCreationOptions=\"1\">JobOutputAsset(0)</outputAsset></taskBody>")
    job = create_job(ams, [clear_in["Id"]], [task(body=body)])
    done = wait_state(ams, job["Id"], {3, 4, 5}, timeout=600)
    assert done["State"] == 3, tasks_of(ams, job["Id"])
    out = outputs_of(ams, job["Id"])[0]
    assert out["Options"] == 1
    keys = ams.values("Assets%s/ContentKeys" % ams.key(out["Id"]))
    assert [k["ContentKeyType"] for k in keys] == [1]
    pem = platform.daemon.data_dir / "keys" / "protection.pem"
    key = openssl("pkeyutl", "-decrypt", "-inkey", str(pem), "-pkeyopt", "rsa_padding_mode:oaep",
                  data=base64.b64decode(keys[0]["EncryptedContentKey"]))
    assert len(key) == 32
    assert keys[0]["Checksum"] == dotnet_checksum(key, uuid.UUID(keys[0]["Id"].split(":")[-1]))
    folder = platform.daemon.data_dir / "media" / ("asset-" + out["Id"].split(":")[-1])
    files = ams.values("Assets%s/Files" % ams.key(out["Id"]))
    assert files and all(f["IsEncrypted"] and f["EncryptionKeyId"] == keys[0]["Id"]
                         and f["EncryptionScheme"] == "StorageEncryption" for f in files)
    ivs = {f["Name"]: int(f["InitializationVector"]) for f in files}
    assert len(set(ivs.values())) == len(ivs)
    clear_dir = tmp_path / "decrypted"
    clear_dir.mkdir()
    for name, iv in ivs.items():
        stored = (folder / name).read_bytes()
        clear = sdk_encrypt(stored, key, iv)
        if name.endswith(".mp4"):
            assert stored[4:8] != b"ftyp" and clear[4:8] == b"ftyp", name
        (clear_dir / name).write_bytes(clear)
    video = sorted(n for n in ivs if n.endswith(".mp4") and "Audio" not in n)
    ism = [n for n in ivs if n.endswith(".ism")][0]
    clear_policy(ams, out["Id"])
    loc = ams.publish(out["Id"])
    base = loc["Path"] + ism + "/"
    hls = http_get(base + "Manifest(format=m3u8-aapl)")
    assert hls.status == 200, hls.text
    playlists = [l for l in hls.text.splitlines() if l and not l.startswith("#")]
    want = {framemd5(clear_dir / v, "v:0")[0]: framemd5(clear_dir / v, "v:0") for v in video}
    got = framemd5(base + playlists[0], "v:0", HLS_INPUT)
    assert got == want[got[0]]
    r = http_get(loc["Path"] + video[0], {"Range": "bytes=0-99"})
    assert r.status == 206 and r.body == (clear_dir / video[0]).read_bytes()[:100]
