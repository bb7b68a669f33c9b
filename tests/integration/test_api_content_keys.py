"""ContentKeys the AMS way: GetProtectionKeyId → GetProtectionKey (X.509
certificate) → RSA-OAEP-encrypt a random key with it (here with the openssl
CLI, an implementation independent of the daemon) → POST ContentKeys with the
.NET SDK's Checksum → link to an asset.  Keys are sealed at rest."""

import base64
import os
import subprocess
import uuid

import pytest


def openssl(*args, data=None):
    return subprocess.run(["openssl"] + list(args), input=data, capture_output=True,
                          check=True).stdout


def protection_cert(ams, tmp_path, key_type=0):
    kid = ams.get("GetProtectionKeyId?contentKeyType=%d" % key_type)
    assert kid.status == 200, kid
    thumb = kid.json["value"]
    cert = ams.get("GetProtectionKey?ProtectionKeyId='%s'" % thumb)
    assert cert.status == 200, cert
    der = tmp_path / "cert.der"
    der.write_bytes(base64.b64decode(cert.json["value"]))
    pub = tmp_path / "pub.pem"
    pub.write_bytes(openssl("x509", "-inform", "der", "-in", str(der), "-noout", "-pubkey"))
    fingerprint = openssl("x509", "-inform", "der", "-in", str(der), "-noout",
                          "-fingerprint", "-sha1").decode()
    assert fingerprint.split("=", 1)[1].strip().replace(":", "") == thumb.upper()
    return thumb, pub


def wrap(pub, key):
    return base64.b64encode(openssl("pkeyutl", "-encrypt", "-pubin", "-inkey", str(pub),
                                    "-pkeyopt", "rsa_padding_mode:oaep", data=key)).decode()


def dotnet_checksum(key, kid):
    cipher = "-aes-128-ecb" if len(key) == 16 else "-aes-256-ecb"
    enc = openssl("enc", cipher, "-nopad", "-K", key.hex(), data=kid.bytes_le)
    return base64.b64encode(enc[:8]).decode()


def new_key(ams, tmp_path, key_type=0, size=16, checksum=True, **over):
    thumb, pub = protection_cert(ams, tmp_path, key_type)
    key, kid = os.urandom(size), uuid.uuid4()
    body = {"Id": "nb:kid:UUID:%s" % kid, "ContentKeyType": key_type,
            "EncryptedContentKey": wrap(pub, key), "ProtectionKeyId": thumb,
            "ProtectionKeyType": 0, "Name": "k"}
    if checksum:
        body["Checksum"] = dotnet_checksum(key, kid)
    body.update(over)
    return body, key


def test_content_key_lifecycle(ams, tmp_path, platform):
    body, key = new_key(ams, tmp_path)
    r = ams.post("ContentKeys", body)
    assert r.status == 201, r
    got = r.json
    assert got["Id"] == body["Id"] and got["Checksum"] == body["Checksum"]
    assert got["EncryptedContentKey"] == body["EncryptedContentKey"]
    assert "_Sealed" not in got
    # the raw key is nowhere in the catalog (sealed under the master key)
    catalog = (platform.daemon.data_dir / "catalog" / "data.mdb").read_bytes()
    assert key not in catalog and base64.b64encode(key) not in catalog
    assert ams.post("ContentKeys", body).status == 409
    # link it to an asset (clear asset: dynamic encryption) and delete the asset:
    # the orphaned key goes too
    asset = ams.create("Assets", {"Name": "keyed"})
    link = {"uri": ams.api + "ContentKeys" + ams.key(got["Id"])}
    assert ams.post("Assets%s/$links/ContentKeys" % ams.key(asset["Id"]), link).status == 204
    keys = ams.values("Assets%s/ContentKeys" % ams.key(asset["Id"]))
    assert [k["Id"] for k in keys] == [got["Id"]]
    assert ams.delete("Assets" + ams.key(asset["Id"])).status == 204
    assert ams.entity("ContentKeys", got["Id"]).status == 404


def test_key_shared_by_two_assets_survives_one(ams, tmp_path):
    body, _ = new_key(ams, tmp_path, checksum=False)
    k = ams.create("ContentKeys", body)
    assert len(k["Checksum"]) == 12                       # computed when not sent
    a1, a2 = ams.create("Assets", {"Name": "a1"}), ams.create("Assets", {"Name": "a2"})
    link = {"uri": ams.api + "ContentKeys" + ams.key(k["Id"])}
    for a in (a1, a2):
        assert ams.post("Assets%s/$links/ContentKeys" % ams.key(a["Id"]), link).status == 204
    assert ams.delete("Assets" + ams.key(a1["Id"])).status == 204
    assert ams.entity("ContentKeys", k["Id"]).status == 200
    assert ams.delete("Assets" + ams.key(a2["Id"])).status == 204
    assert ams.entity("ContentKeys", k["Id"]).status == 404


def test_storage_key_is_32_bytes_and_only_for_storage_encrypted_assets(ams, tmp_path):
    body, _ = new_key(ams, tmp_path, key_type=1, size=32)
    k = ams.create("ContentKeys", body)
    clear = ams.create("Assets", {"Name": "clear"})
    enc = ams.create("Assets", {"Name": "enc", "Options": 1})
    link = {"uri": ams.api + "ContentKeys" + ams.key(k["Id"])}
    r = ams.post("Assets%s/$links/ContentKeys" % ams.key(clear["Id"]), link)
    assert r.status == 400 and "ContentKeyType" in r.error_message()
    assert ams.post("Assets%s/$links/ContentKeys" % ams.key(enc["Id"]), link).status == 204
    short, _ = new_key(ams, tmp_path, key_type=1, size=16)
    r = ams.post("ContentKeys", short)
    assert r.status == 400 and "32" in r.error_message()


@pytest.mark.parametrize("change, words", [
    ({"Checksum": "AAAAAAAAAAA="}, "Checksum"),
    ({"EncryptedContentKey": base64.b64encode(b"x" * 256).decode()}, "decrypted"),
    ({"EncryptedContentKey": "not base64!"}, "decrypted"),
    ({"ProtectionKeyId": "0" * 40}, "ProtectionKeyId"),
    ({"ContentKeyType": 5}, "ContentKeyType"),
    ({"Id": "nb:kid:UUID:not-a-guid"}, "Id"),
    ({"Id": None}, "Id"),
])
def test_bad_content_keys(ams, tmp_path, change, words):
    body, _ = new_key(ams, tmp_path)
    body.update(change)
    if body.get("Id") is None:
        del body["Id"]
    r = ams.post("ContentKeys", body)
    assert r.status == 400, r
    assert words in r.error_message(), r


def test_protection_key_functions(ams):
    r = ams.get("GetProtectionKeyId?contentKeyType=0", fmt="verbose")
    assert r.status == 200 and len(r.json["d"]["GetProtectionKeyId"]) == 40
    assert ams.get("GetProtectionKeyId").status == 400
    assert ams.get("GetProtectionKeyId?contentKeyType=99").status == 400
    assert ams.get("GetProtectionKey?ProtectionKeyId='%s'" % ("F" * 40)).status == 404
