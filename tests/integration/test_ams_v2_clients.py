"""mediaplaned as AMS-era v2 clients really called it (issue 14): the
date-time strings they sent, the paths they built and the names they used,
driven over HTTP through nginx."""

import base64
import datetime
import time
import urllib.parse

import pytest


def _policy(ams, permissions=1, minutes=60):
    return ams.create("AccessPolicies", {"Name": "p", "DurationInMinutes": minutes,
                                         "Permissions": permissions})


def _utc(minutes_from_now):
    return (datetime.datetime.now(datetime.timezone.utc)
            + datetime.timedelta(minutes=minutes_from_now)).replace(microsecond=0)


@pytest.mark.parametrize("fmt", [
    "%-m/%-d/%Y %I:%M:%S %p",     # azure-media: moment 'M/D/YYYY hh:mm:ss A'
    "%m/%d/%Y %I:%M:%S %p",       # azure-media: moment 'MM/DD/YYYY hh:mm:ss A'
    "%m/%d/%Y %H:%M:%S",          # .NET DateTime.ToString(InvariantCulture)
    "%a, %d %b %Y %H:%M:%S GMT",  # JavaScript toUTCString()
    "%Y-%m-%dT%H:%M:%SZ",
])
def test_locator_start_time_as_clients_wrote_it(ams, fmt):
    asset = ams.create("Assets", {"Name": "dates"})
    start = _utc(-10)
    r = ams.post("Locators", {"AccessPolicyId": _policy(ams, 2)["Id"], "AssetId": asset["Id"],
                              "Type": 1, "StartTime": start.strftime(fmt)})
    assert r.status == 201, r
    assert r.json["StartTime"] == start.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _asset_with_file(ams, name):
    asset = ams.create("Assets", {"Name": name})
    assert ams.put_blob(ams.write_locator(asset["Id"]), "a.mp4", b"\0" * 1000).status == 201
    assert ams.get("CreateFileInfos?assetid='%s'" % asset["Id"]).status == 204
    return asset


def test_expiration_date_time_and_verbose_ms_date(ams):
    asset = _asset_with_file(ams, "dates-verbose")
    body = ('{"AccessPolicyId":"%s","AssetId":"%s","Type":2,"StartTime":"\\/Date(%d+0100)\\/"}'
            % (_policy(ams)["Id"], asset["Id"], int(time.time() * 1000) - 60000))
    r = ams.call("POST", "Locators", body, fmt="verbose")
    assert r.status == 201, r
    key = ams.key(r.json["d"]["Id"])
    end = _utc(120).replace(second=0)
    r = ams.merge("Locators" + key, {"ExpirationDateTime": end.strftime("%-m/%-d/%Y %-I:%M %p")})
    assert r.status == 204, r
    got = ams.get("Locators" + key).json
    assert got["ExpirationDateTime"] == end.strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.mark.parametrize("text", ["yesterday", "13/7/2026 05:44:15 AM", "12/7/2026 13:00 PM",
                                  "2026-12-07T05:44:15Zjunk", "Tue, 07 Dec 2026 05:44:15 GMT"])
def test_garbage_date_is_a_clear_400(ams, text):
    asset = ams.create("Assets", {"Name": "bad-date"})
    r = ams.post("Locators", {"AccessPolicyId": _policy(ams)["Id"], "AssetId": asset["Id"],
                              "Type": 1, "StartTime": text})
    assert r.status == 400, r
    msg = r.error_message()
    assert "'StartTime' must be a date-time" in msg and "12/7/2026 5:44:15 AM" in msg
    assert text in msg


def test_empty_path_segments_collapse(ams):
    """azure-media joins base_url '…/api/' with '/CreateFileInfos'."""
    asset = ams.create("Assets", {"Name": "double-slash"})
    assert ams.put_blob(ams.write_locator(asset["Id"]), "a.mp4", b"\0" * 1000).status == 201
    r = ams.get(ams.api + "/CreateFileInfos?assetid='%s'" % asset["Id"])
    assert r.status == 204, r
    files = ams.values("Assets%s//Files" % ams.key(asset["Id"]))
    assert [f["Name"] for f in files] == ["a.mp4"]
    assert ams.get(ams.api + "//Assets" + ams.key(asset["Id"])).status == 200


def test_entity_set_and_function_names_in_any_case(ams):
    asset = ams.create("assets", {"Name": "lower-case"})
    assert asset["odata.metadata"].endswith("$metadata#Assets/@Element")
    got = ams.get("ASSETS" + ams.key(asset["Id"]))
    assert got.status == 200 and got.json["Name"] == "lower-case"
    names = {a["Id"] for a in ams.values("assets?$top=1000")}
    assert asset["Id"] in names
    assert ams.get("createfileinfos?assetid='%s'" % asset["Id"]).status == 204
    assert ams.get("Asset").status == 404


def test_api_prefix_in_any_case(ams):
    """azure-media's default base URL is https://media.windows.net/API/."""
    r = ams.get(ams.base + "/API/Assets?$top=1")
    assert r.status == 200 and "value" in r.json, r


# ---- RebindContentKey (the .NET SDK's ContentKey.GetClearKeyValue and
# GetEncryptedKeyValue(cert)): RSA-OAEP for the caller's certificate


def _content_key(ams, tmp_path, size=16, key_type=0):
    from test_api_content_keys import new_key
    body, key = new_key(ams, tmp_path, key_type=key_type, size=size)
    assert ams.post("ContentKeys", body).status == 201
    return body["Id"], key


def _client_cert(tmp_path, bits=2048):
    """A client's own certificate and private key, made with the openssl CLI."""
    from test_api_content_keys import openssl
    key, der = tmp_path / ("client%d.key" % bits), tmp_path / ("client%d.der" % bits)
    openssl("req", "-x509", "-newkey", "rsa:%d" % bits, "-nodes", "-keyout", str(key),
            "-outform", "der", "-out", str(der), "-days", "2", "-subj", "/CN=rebind client")
    return base64.b64encode(der.read_bytes()).decode(), key


def _rebind(ams, key_id, cert, **kw):
    return ams.get("RebindContentKey?id='%s'&x509Certificate='%s'"
                   % (urllib.parse.quote(key_id), urllib.parse.quote(cert, safe="")), **kw)


def test_rebind_content_key_clear(ams, tmp_path):
    key_id, key = _content_key(ams, tmp_path)
    r = _rebind(ams, key_id, "")
    assert r.status == 200, r
    assert r.json["odata.metadata"].endswith("$metadata#Edm.String")
    assert base64.b64decode(r.json["value"]) == key
    r = _rebind(ams, key_id, "", fmt="verbose")
    assert base64.b64decode(r.json["d"]["RebindContentKey"]) == key
    storage_id, storage_key = _content_key(ams, tmp_path, size=32, key_type=1)
    assert base64.b64decode(_rebind(ams, storage_id, "").json["value"]) == storage_key


def test_rebind_content_key_for_a_certificate(ams, tmp_path):
    from test_api_content_keys import openssl
    key_id, key = _content_key(ams, tmp_path)
    cert, private = _client_cert(tmp_path)
    r = _rebind(ams, key_id, cert)
    assert r.status == 200, r
    wrapped = base64.b64decode(r.json["value"])
    assert len(wrapped) == 256 and key not in wrapped
    plain = openssl("pkeyutl", "-decrypt", "-inkey", str(private),
                    "-pkeyopt", "rsa_padding_mode:oaep", data=wrapped)
    assert plain == key
    # a '+' the client did not encode arrives as a blank: still the certificate
    r = ams.get("RebindContentKey?id='%s'&x509Certificate='%s'"
                % (urllib.parse.quote(key_id), cert.replace("+", "%20").replace("/", "%2F")))
    assert r.status == 200, r


@pytest.mark.parametrize("cert,code", [("bm90IGEgY2VydA==", 400), ("!!!", 400)])
def test_rebind_content_key_errors(ams, tmp_path, cert, code):
    key_id, _ = _content_key(ams, tmp_path)
    r = _rebind(ams, key_id, cert)
    assert r.status == code and "x509Certificate must be the base64 DER" in r.error_message(), r
    r = ams.get("RebindContentKey?id='%s'" % urllib.parse.quote(key_id))
    assert r.status == 400 and "x509Certificate" in r.error_message()
    r = _rebind(ams, "nb:kid:UUID:00000000-0000-0000-0000-000000000000", "")
    assert r.status == 404
    assert ams.get("RebindContentKey?x509Certificate=''").status == 400
