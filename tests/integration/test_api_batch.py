"""mediaplaned: POST /api/$batch as OData v3 / WCF Data Services clients send
it — query operations, changesets that are applied atomically (one catalog
transaction), Content-ID references ($1) and malformed bodies.  Responses are
read with Python's email parser (an independent MIME reader)."""

import email
import email.policy
import json
import urllib.parse
import uuid

import pytest

JSON = "application/json;odata=minimalmetadata"


def part(method, url, body=None, content_id=None, headers=None):
    lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary", "",
             "%s %s HTTP/1.1" % (method, url)]
    if content_id is not None:
        lines.append("Content-ID: %s" % content_id)
    for k, v in dict({"Accept": JSON}, **(headers or {})).items():
        lines.append("%s: %s" % (k, v))
    if body is not None:
        lines.append("Content-Type: " + JSON)
    lines.append("")
    lines.append(json.dumps(body) if isinstance(body, (dict, list)) else (body or ""))
    return "\r\n".join(lines)


def changeset(*parts):
    b = "changeset_" + str(uuid.uuid4())
    inner = "".join("--%s\r\n%s\r\n" % (b, p) for p in parts) + "--%s--" % b
    return "Content-Type: multipart/mixed; boundary=%s\r\n\r\n%s" % (b, inner)


def batch(ams, *items, boundary=None, raw=None, content_type=None):
    b = boundary or "batch_" + str(uuid.uuid4())
    body = raw if raw is not None else (
        "".join("--%s\r\n%s\r\n" % (b, i) for i in items) + "--%s--\r\n" % b)
    ct = content_type or "multipart/mixed; boundary=%s" % b
    return ams.call("POST", "$batch", body, headers={"Content-Type": ct})


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def json(self):
        return json.loads(self.body)


def http_answer(payload: bytes) -> Answer:
    head, _, body = payload.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    assert lines[0].startswith("HTTP/1.1 ")
    headers = dict(l.split(": ", 1) for l in lines[1:])
    # the line break before the next delimiter belongs to the delimiter
    assert int(headers["Content-Length"]) == len(body)
    return Answer(status, headers, body)


def answers(r):
    """[Answer | [Answer…] (a changeset)] from a $batch response."""
    assert r.status == 202, r
    ct = r.headers["Content-Type"]
    assert ct.startswith("multipart/mixed; boundary=batchresponse_")
    msg = email.message_from_bytes(b"Content-Type: " + ct.encode() + b"\r\n\r\n" + r.body,
                                   policy=email.policy.HTTP)
    assert msg.is_multipart() and not msg.defects, msg.defects
    out = []
    for p in msg.get_payload():
        if p.get_content_type() == "multipart/mixed":
            out.append([http_answer(q.get_payload(decode=True)) for q in p.get_payload()])
        else:
            assert p.get_content_type() == "application/http"
            out.append(http_answer(p.get_payload(decode=True)))
    return out


def test_query_operations(ams):
    a = ams.create("Assets", {"Name": "batch-query"})
    key = ams.key(a["Id"])
    r = batch(ams, part("GET", "Assets" + key),
              part("GET", ams.api + "Assets?$filter=" + urllib.parse.quote("Name eq 'batch-query'")),
              part("GET", "/api/Assets('nb:cid:UUID:00000000-0000-0000-0000-000000000000')"),
              part("GET", "Assets" + key + "/Name", headers={"Accept": "application/json;odata=verbose"}),
              part("GET", "$metadata"))
    got = answers(r)
    assert [g.status for g in got] == [200, 200, 404, 200, 200]
    assert got[0].json["Name"] == "batch-query"
    assert [v["Id"] for v in got[1].json["value"]] == [a["Id"]]
    assert "odata.error" in got[2].json
    assert got[3].json == {"d": {"Name": "batch-query"}}
    assert got[4].headers["Content-Type"].startswith("application/xml")
    assert b"EntityContainer" in got[4].body


def test_changeset_creates_assets_and_links_with_content_id(ams):
    name = "batch-" + str(uuid.uuid4())[:8]
    r = batch(ams, changeset(
        part("POST", "Assets", {"Name": name + "-parent"}, content_id=1),
        part("POST", ams.api + "Assets", {"Name": name + "-child"}, content_id=2),
        part("POST", "$2/$links/ParentAssets", {"uri": "$1"}, content_id=3),
        part("MERGE", "$1", {"AlternateId": "merged"}, content_id=4)))
    [cs] = answers(r)
    assert isinstance(cs, list) and [x.status for x in cs] == [201, 201, 204, 204]
    assert [x.headers.get("Content-ID") for x in cs] == ["1", "2", "3", "4"]
    parent, child = cs[0].json, cs[1].json
    assert cs[0].headers["Location"].endswith(ams.key(parent["Id"]))
    got = ams.values("Assets" + ams.key(child["Id"]) + "/ParentAssets")
    assert [p["Id"] for p in got] == [parent["Id"]]
    assert ams.entity("Assets", parent["Id"]).json["AlternateId"] == "merged"


def test_failed_changeset_keeps_nothing(ams):
    name = "batch-fail-" + str(uuid.uuid4())[:8]
    before = len(ams.all_values("Assets"))
    r = batch(ams,
              changeset(part("POST", "Assets", {"Name": name}, content_id=1),
                        part("POST", "Assets", {"Name": name, "NoSuchProperty": 1}, content_id=2),
                        part("POST", "Assets", {"Name": name}, content_id=3)),
              part("GET", "Assets?$filter=" + urllib.parse.quote("Name eq '%s'" % name)),
              changeset(part("POST", "Assets", {"Name": name + "-ok"}, content_id=1)))
    failed, query, ok = answers(r)
    # the changeset's answer is the failing operation alone
    assert not isinstance(failed, list) and failed.status == 400
    assert failed.headers.get("Content-ID") == "2"
    assert "NoSuchProperty" in failed.json["odata.error"]["message"]["value"]
    assert query.status == 200 and query.json["value"] == []
    assert isinstance(ok, list) and ok[0].status == 201
    names = [a["Name"] for a in ams.all_values("Assets")]
    assert name not in names and name + "-ok" in names
    assert len(names) == before + 1


def test_failed_delete_rolls_back_earlier_deletes(ams):
    a = ams.create("Assets", {"Name": "keep-me"})
    r = batch(ams, changeset(
        part("DELETE", "Assets" + ams.key(a["Id"])),
        part("DELETE", "Assets('nb:cid:UUID:00000000-0000-0000-0000-000000000001')")))
    [failed] = answers(r)
    assert failed.status == 404
    assert ams.entity("Assets", a["Id"]).status == 200
    # a reference to an unknown Content-ID fails the changeset too
    [bad] = answers(batch(ams, changeset(part("POST", "$9/$links/ParentAssets", {"uri": "$1"}))))
    assert bad.status == 400 and "$9" in bad.json["odata.error"]["message"]["value"]


def test_lf_line_ends_and_quoted_boundary(ams):
    body = ("--b 1\n"
            "Content-Type: application/http\n\n"
            "GET Assets?$top=1 HTTP/1.1\n"
            "Accept: application/json;odata=nometadata\n\n"
            "--b 1--\n")
    [got] = answers(batch(ams, raw=body, content_type='multipart/mixed; boundary="b 1"'))
    assert got.status == 200 and "value" in got.json


@pytest.mark.parametrize("content_type,body,needle", [
    ("application/json", "{}", "multipart/mixed"),
    ("multipart/mixed; boundary=x", "no parts at all", "delimiter"),
    ("multipart/mixed; boundary=x", "--x\r\nContent-Type: application/http\r\n\r\nGET Assets HTTP/1.1\r\n",
     "does not end"),
    ("multipart/mixed; boundary=x", "--x\r\nContent-Type: application/http\r\n\r\nPOST Assets HTTP/1.1"
     "\r\n\r\n{}\r\n--x--", "outside a changeset"),
    ("multipart/mixed; boundary=x", "--x\r\nContent-Type: multipart/mixed; boundary=y\r\n\r\n--y\r\n"
     "Content-Type: application/http\r\n\r\nGET Assets HTTP/1.1\r\n--y--\r\n--x--", "GET inside"),
    ("multipart/mixed; boundary=x", "--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n--x--", "text/plain"),
    ("multipart/mixed; boundary=x", "--x\r\nContent-Type: application/http\r\n\r\nGET\r\n--x--",
     "METHOD URL"),
])
def test_malformed_batches_are_400(ams, content_type, body, needle):
    r = batch(ams, raw=body, content_type=content_type)
    assert r.status == 400, r
    assert needle in r.json["odata.error"]["message"]["value"]


def test_too_many_operations(ams):
    b = "batch_many"
    body = "".join("--%s\r\n%s\r\n" % (b, part("GET", "Assets?$top=0")) for _ in range(1001))
    r = batch(ams, raw=body + "--%s--" % b, content_type="multipart/mixed; boundary=" + b)
    assert r.status == 400 and "1000" in r.json["odata.error"]["message"]["value"]


def test_batch_needs_token_and_post(ams):
    assert ams.call("POST", "$batch", "x", token=False,
                    headers={"Content-Type": "multipart/mixed; boundary=x"}).status == 401
    assert ams.get("$batch").status == 405
    [inner] = answers(batch(ams, part("GET", "$batch")))
    assert inner.status == 400
