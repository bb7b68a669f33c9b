"""NotificationEndPoints and webhook delivery: the entity in both JSON
formats with its rules, the signing key wrapped like the .NET SDK does it
(RSA-OAEP with the ConfigurationEncryption protection certificate) and never
returned, messages delivered to a local receiver with an ms-signature the
test recomputes, retries after a receiver error, and messages that survive a
daemon restart in the outbox."""

import base64
import hashlib
import hmac
import json
import os
import time

import pytest

from conftest import free_port
from platform_harness import Daemon, client_for
from test_api_content_keys import protection_cert, wrap
from webhook_receiver import WebhookReceiver

SET = "NotificationEndPoints"


@pytest.fixture
def receiver():
    r = WebhookReceiver()
    yield r
    r.close()


def endpoint_body(address, **over):
    body = {"Name": "hook", "EndPointType": 3, "EndPointAddress": address}
    body.update(over)
    return body


def signed_body(ams, tmp_path, address, key):
    thumb, pub = protection_cert(ams, tmp_path, key_type=2)    # ConfigurationEncryption
    return endpoint_body(address, CredentialType=1, EncryptedEndPointCredential=wrap(pub, key),
                         ProtectionKeyId=thumb, ProtectionKeyType=0)


def check_message(raw, headers, key=None, endpoint_id=None):
    msg = json.loads(raw)
    assert list(msg) == ["MessageVersion", "ETag", "EventType", "TimeStamp", "Properties"]
    assert msg["MessageVersion"] == "1.1"
    assert headers["Content-Type"].startswith("application/json")
    content = {k: v for k, v in msg.items() if k != "ETag"}
    assert msg["ETag"] == hashlib.sha256(
        json.dumps(content, separators=(",", ":")).encode()).hexdigest()
    props = msg["Properties"]
    assert props["AccountName"] == "mediaplane"
    assert headers["ms-mediaservices-accountid"] == props["AccountId"]
    if endpoint_id:
        assert props["NotificationEndPointId"] == endpoint_id
    if key is None:
        assert "ms-signature" not in headers
    else:
        want = "sha256=" + hmac.new(key, raw, hashlib.sha256).hexdigest().upper()
        assert headers["ms-signature"] == want
    return msg


@pytest.mark.parametrize("fmt", ["minimal", "verbose"])
def test_endpoint_crud_both_formats(platform, fmt, receiver):
    ams = platform.client(fmt=fmt)
    r = ams.post(SET, endpoint_body(receiver.url, Name="crud-" + fmt))
    assert r.status == 201, r
    e = r.json["d"] if fmt == "verbose" else r.json
    eid = e["Id"]
    assert eid.startswith("nb:nepid:UUID:")
    assert e["EndPointType"] == 3 and e["EndPointAddress"] == receiver.url
    assert e["CredentialType"] == 0 and e["EncryptedEndPointCredential"] is None
    if fmt == "verbose":
        assert e["__metadata"]["type"].endswith(".NotificationEndPoint")
        assert e["Created"].startswith("/Date(")
    got = ams.entity(SET, eid)
    assert got.status == 200
    listed = ams.get(SET + "?$filter=Name%%20eq%%20'crud-%s'" % fmt)
    rows = listed.json["d"]["results"] if fmt == "verbose" else listed.json["value"]
    assert [x["Id"] for x in rows] == [eid]
    assert ams.merge(SET + ams.key(eid), {"Name": "renamed"}).status == 204
    got = ams.entity(SET, eid).json
    assert (got["d"] if fmt == "verbose" else got)["Name"] == "renamed"
    assert ams.merge(SET + ams.key(eid), {"EndPointAddress": "http://other/"}).status == 400
    assert ams.merge(SET + ams.key(eid), {"EndPointType": 1}).status == 400
    assert ams.delete(SET + ams.key(eid)).status == 204
    assert ams.entity(SET, eid).status == 404
    assert ams.delete(SET + ams.key(eid)).status == 404


@pytest.mark.parametrize("body, status, words", [
    (endpoint_body("queue-name", EndPointType=1), 400, "not supported: use WebHook"),
    (endpoint_body("http://127.0.0.1/x", EndPointType=2), 400, "EndPointType"),
    (endpoint_body("ftp://127.0.0.1/x"), 400, "http or https"),
    (endpoint_body("not a url"), 400, "http or https"),
    (endpoint_body("/relative/path"), 400, "http or https"),
    ({"EndPointType": 3, "EndPointAddress": "http://127.0.0.1/x"}, 400, "Name"),
    ({"Name": "x", "EndPointType": 3}, 400, "EndPointAddress"),
    (endpoint_body("http://127.0.0.1/x", CredentialType=1), 400, "EncryptedEndPointCredential"),
    (endpoint_body("http://127.0.0.1/x", CredentialType=7), 400, "CredentialType"),
    (endpoint_body("http://127.0.0.1/x", EncryptedEndPointCredential="AAAA"), 400, "CredentialType 1"),
    (endpoint_body("http://127.0.0.1/x", CredentialType=1, EncryptedEndPointCredential="AAAA",
                   ProtectionKeyId="00" * 20), 400, "ProtectionKeyId"),
    (endpoint_body("http://127.0.0.1/x", ProtectionKeyType=1), 400, "ProtectionKeyType"),
    (endpoint_body("http://127.0.0.1/x", Bogus=1), 400, "Bogus"),
])
def test_endpoint_validation(ams, body, status, words):
    r = ams.post(SET, body)
    assert r.status == status, r
    assert words in r.error_message(), r.error_message()


def test_credential_not_decryptable(ams, tmp_path):
    thumb, _ = protection_cert(ams, tmp_path, key_type=2)
    r = ams.post(SET, endpoint_body("http://127.0.0.1/x", CredentialType=1, ProtectionKeyId=thumb,
                                    EncryptedEndPointCredential=base64.b64encode(os.urandom(256)).decode()))
    assert r.status == 400 and "cannot be decrypted" in r.error_message(), r


def test_signed_test_message_delivered(ams, tmp_path, receiver, platform):
    key = os.urandom(64)
    r = ams.post(SET, signed_body(ams, tmp_path, receiver.url, key))
    assert r.status == 201, r
    e = r.json
    assert e["CredentialType"] == 1 and e["EncryptedEndPointCredential"] is None
    raw_record = ams.entity(SET, e["Id"]).body
    assert b"SigningKey" not in raw_record and base64.b64encode(key) not in raw_record
    assert ams.post(SET + ams.key(e["Id"]) + "/Test").status == 204
    path, headers, body, _ = receiver.wait(1)[0]
    assert path == "/hook"
    msg = check_message(body, headers, key=key, endpoint_id=e["Id"])
    assert msg["EventType"] == 0 and msg["Properties"]["Test"]
    # a receiver with the wrong key would reject it
    assert headers["ms-signature"] != "sha256=" + hmac.new(b"x" * 64, body, hashlib.sha256).hexdigest().upper()
    log = platform.daemon.log()
    assert base64.b64encode(key).decode() not in log and key.hex() not in log.lower()
    assert headers["ms-signature"][7:] not in log


def test_unsigned_messages_in_order(ams, receiver):
    e = ams.create(SET, endpoint_body(receiver.url))
    for _ in range(5):
        assert ams.post(SET + ams.key(e["Id"]) + "/Test").status == 204
    calls = receiver.wait(5)
    stamps = []
    for _, headers, body, _ in calls:
        msg = check_message(body, headers, key=None, endpoint_id=e["Id"])
        stamps.append(msg["TimeStamp"])
    assert stamps == sorted(stamps)


def test_retry_after_receiver_error(ams, platform):
    rec = WebhookReceiver(statuses=[500, 503])
    try:
        e = ams.create(SET, endpoint_body(rec.url))
        assert ams.post(SET + ams.key(e["Id"]) + "/Test").status == 204
        calls = rec.wait(3, timeout=30)            # 500, 503, then 200 (retries 2 s, 4 s)
        assert [c[3] for c in calls[:3]] == [500, 503, 200]
        assert calls[0][2] == calls[1][2] == calls[2][2]      # the same message, byte for byte
        time.sleep(1)
        assert len(rec.requests) == 3
        assert "attempt 1 failed (HTTP 500)" in platform.daemon.log()
    finally:
        rec.close()


def test_delete_endpoint_drops_queue(ams):
    port = free_port()                          # nobody listens: every attempt fails
    e = ams.create(SET, endpoint_body("http://127.0.0.1:%d/hook" % port))
    assert ams.post(SET + ams.key(e["Id"]) + "/Test").status == 204
    assert ams.delete(SET + ams.key(e["Id"])).status == 204
    assert ams.post(SET + ams.key(e["Id"]) + "/Test").status == 404


@pytest.fixture
def lone_daemon(_prefix_root):
    port = free_port()
    d = Daemon(_prefix_root / ("notify-%d" % port), port, "http://127.0.0.1:%d" % port,
               extra={"notify_retry_ms": "300", "notify_max_attempts": "50",
                      "notify_timeout_ms": "2000"}).start()
    yield d
    d.stop()
    assert not d.crashes(), d.crashes()


def test_outbox_survives_restart(lone_daemon, tmp_path):
    rec = WebhookReceiver(statuses=[500] * 1000)     # down until told otherwise
    try:
        ams = client_for(lone_daemon.public_url)
        key = os.urandom(32)
        e = ams.create(SET, signed_body(ams, tmp_path, rec.url, key))
        for _ in range(3):
            assert ams.post(SET + ams.key(e["Id"]) + "/Test").status == 204
        rec.wait(2)                                   # attempts are being made
        assert lone_daemon.stop() == 0                # SIGTERM: clean stop
        with rec.lock:
            rec.statuses = []
            rec.requests = []
        lone_daemon.start()
        calls = rec.wait(3)
        time.sleep(1)
        ok = [c for c in rec.requests if c[3] == 200]
        assert len(ok) == 3, rec.requests
        for _, headers, body, _ in ok:
            check_message(body, headers, key=key, endpoint_id=e["Id"])
        stamps = [json.loads(c[2])["TimeStamp"] for c in ok]
        assert stamps == sorted(stamps) and len(calls) >= 3
    finally:
        rec.close()


def test_max_attempts_then_dropped(_prefix_root):
    port = free_port()
    d = Daemon(_prefix_root / ("notify-max-%d" % port), port, "http://127.0.0.1:%d" % port,
               extra={"notify_retry_ms": "100", "notify_max_attempts": "3"}).start()
    rec = WebhookReceiver(statuses=[500] * 100)
    try:
        ams = client_for(d.public_url)
        e = ams.create(SET, endpoint_body(rec.url))
        assert ams.post(SET + ams.key(e["Id"]) + "/Test").status == 204
        rec.wait(3)
        time.sleep(1.5)
        assert len(rec.requests) == 3
        assert "dropped after 3 attempts (last: HTTP 500)" in d.log()
    finally:
        rec.close()
        d.stop()
    assert not d.crashes(), d.crashes()


def test_webhook_deny_list(_prefix_root):
    """webhook_deny: a receiver on a denied address (loopback here) gets
    nothing, whatever name the URL uses; the log says why.  Without the
    list (AMS's behaviour, the other tests) loopback is delivered to."""
    port = free_port()
    d = Daemon(_prefix_root / ("deny-%d" % port), port, "http://127.0.0.1:%d" % port,
               extra={"webhook_deny": "10.0.0.0/8 127.0.0.0/8 ::1/128",
                      "notify_retry_ms": "100", "notify_max_attempts": "2"}).start()
    rec = WebhookReceiver()
    try:
        ams = client_for(d.public_url)
        for url in (rec.url, rec.url.replace("127.0.0.1", "localhost")):
            e = ams.create(SET, endpoint_body(url))
            assert ams.post(SET + ams.key(e["Id"]) + "/Test").status == 204
        time.sleep(2)
        assert rec.requests == []
        assert "is in webhook_deny" in d.log()
    finally:
        rec.close()
        d.stop()
    assert not d.crashes(), d.crashes()
    bad = Daemon(_prefix_root / ("deny-bad-%d" % port), free_port(), "http://127.0.0.1:1",
                 extra={"webhook_deny": "10.0.0.0/33"})
    with pytest.raises(Exception):
        bad.start(timeout=5)
