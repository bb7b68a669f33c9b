"""mediaplaned: OData v3 entity operations, formats, query options, rules and
errors, driven over HTTP through nginx like an AMS v2 client."""

import re
import time
import urllib.parse

import pytest

MES_ID = "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56"
GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def test_asset_crud_in_json_light(ams):
    a = ams.create("Assets", {"Name": "crud", "AlternateId": "alt-1"})
    assert re.fullmatch("nb:cid:UUID:" + GUID, a["Id"])
    assert a["odata.metadata"].endswith("$metadata#Assets/@Element")
    assert a["State"] == 0 and a["Options"] == 0 and a["Name"] == "crud"
    assert a["Uri"].endswith("/upload/asset-" + a["Id"].split(":")[-1])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", a["Created"])
    key = ams.key(a["Id"])
    assert ams.get("Assets" + key).json["Name"] == "crud"
    # the key also works unencoded
    assert ams.get("Assets('%s')" % a["Id"]).status == 200
    assert ams.merge("Assets" + key, {"Name": "renamed"}).status == 204
    assert ams.get("Assets" + key).json["Name"] == "renamed"
    assert ams.call("PATCH", "Assets" + key, {"AlternateId": "alt-2"}).status == 204
    got = ams.get("Assets" + key).json
    assert got["AlternateId"] == "alt-2" and got["Name"] == "renamed"
    # PUT replaces: properties not sent fall back to their defaults
    assert ams.call("PUT", "Assets" + key, {"Name": "put"}).status == 204
    got = ams.get("Assets" + key).json
    assert got["Name"] == "put" and got["AlternateId"] is None
    assert got["LastModified"] >= got["Created"]
    assert ams.delete("Assets" + key).status == 204
    r = ams.get("Assets" + key)
    assert r.status == 404 and "not found" in r.error_message()
    assert ams.delete("Assets" + key).status == 404


def test_verbose_format_like_wcf_data_services(ams):
    r = ams.post("Assets", {"Name": "verbose"}, fmt="verbose")
    assert r.status == 201
    assert r.headers["Content-Type"].startswith("application/json;odata=verbose")
    assert r.headers["Location"].startswith(ams.api + "Assets('nb%3Acid%3AUUID%3A")
    d = r.json["d"]
    meta = d["__metadata"]
    assert meta["type"] == "Microsoft.Cloud.Media.Vod.Rest.Data.Models.Asset"
    assert meta["uri"] == r.headers["Location"] == meta["id"]
    assert d["Files"]["__deferred"]["uri"] == meta["uri"] + "/Files"
    assert re.fullmatch(r"/Date\(\d+\)/", d["Created"])
    assert b"\\/Date(" in r.body               # '/' escaped like WCF writes it
    lst = ams.get("Assets?$top=2", fmt="verbose").json
    assert isinstance(lst["d"]["results"], list)
    # a verbose body with __metadata and a /Date()/ value is accepted
    pol = ams.post("AccessPolicies", {"__metadata": {"type": "x"}, "Name": "v",
                                      "DurationInMinutes": 10.0, "Permissions": 2},
                   fmt="verbose")
    assert pol.status == 201
    loc_body = {"AccessPolicyId": pol.json["d"]["Id"], "AssetId": d["Id"], "Type": 1,
                "StartTime": "\\/Date(%d)\\/" % (int(time.time() * 1000))}
    r = ams.call("POST", "Locators", '{"AccessPolicyId":"%s","AssetId":"%s","Type":1,'
                 '"StartTime":"\\/Date(%d)\\/"}' % (loc_body["AccessPolicyId"], d["Id"],
                                                   int(time.time() * 1000)), fmt="verbose")
    assert r.status == 201, r
    assert re.fullmatch(r"/Date\(\d+\)/", r.json["d"]["StartTime"])


def test_nometadata_and_service_document(ams):
    a = ams.create("Assets", {"Name": "nometa"})
    r = ams.get("Assets" + ams.key(a["Id"]), fmt="none")
    assert "odata.metadata" not in r.json and r.json["Name"] == "nometa"
    lst = ams.get("Assets", fmt="none").json
    assert "value" in lst and "odata.metadata" not in lst
    svc = ams.get("").json
    names = {s["name"] for s in svc["value"]}
    assert {"Assets", "Files", "Locators", "AccessPolicies", "MediaProcessors"} <= names


def test_query_options(ams):
    tag = "q%d" % int(time.time() * 1000)
    for i in range(7):
        ams.create("Assets", {"Name": "%s-%d" % (tag, i), "AlternateId": "odd" if i % 2 else "even"})
    f = urllib.parse.quote("startswith(Name,'%s')" % tag)
    vals = ams.values("Assets?$filter=%s&$orderby=Name%%20desc" % f)
    assert [v["Name"] for v in vals] == ["%s-%d" % (tag, i) for i in range(6, -1, -1)]
    f2 = urllib.parse.quote("startswith(Name,'%s') and AlternateId eq 'odd'" % tag)
    assert len(ams.values("Assets?$filter=" + f2)) == 3
    f3 = urllib.parse.quote("startswith(Name,'%s') and not (AlternateId eq 'odd' or Name eq '%s-0')" % (tag, tag))
    assert sorted(v["Name"] for v in ams.values("Assets?$filter=" + f3)) == \
        ["%s-2" % tag, "%s-4" % tag, "%s-6" % tag]
    page = ams.get("Assets?$filter=%s&$orderby=Name&$top=2&$skip=3&$inlinecount=allpages" % f).json
    assert [v["Name"] for v in page["value"]] == ["%s-3" % tag, "%s-4" % tag]
    assert page["odata.count"] == "7"
    sel = ams.values("Assets?$filter=%s&$select=Name,Id&$top=1" % f)[0]
    assert set(sel) == {"Name", "Id"}
    created_filter = urllib.parse.quote("Created gt datetime'2000-01-01T00:00:00' and substringof('%s', Name)" % tag)
    assert len(ams.values("Assets?$filter=" + created_filter)) == 7
    count = ams.get("Assets/$count?$filter=" + f)
    assert count.status == 200 and count.body == b"7"
    # bad options: 400 with a message naming the problem
    r = ams.get("Assets?$filter=" + urllib.parse.quote("Nope eq 1"))
    assert r.status == 400 and "Nope" in r.error_message()
    r = ams.get("Assets?$filter=" + urllib.parse.quote("Name eq 'x"))
    assert r.status == 400
    assert ams.get("Assets?$top=-1").status == 400
    assert ams.get("Assets?$orderby=Bogus").status == 400
    assert ams.get("Assets?$select=Name,,").status == 400


def test_property_value_and_navigation(ams):
    a = ams.create("Assets", {"Name": "props"})
    key = ams.key(a["Id"])
    r = ams.get("Assets%s/Name" % key)
    assert r.status == 200 and r.json["value"] == "props"
    r = ams.get("Assets%s/Name" % key, fmt="verbose")
    assert r.json == {"d": {"Name": "props"}}
    r = ams.get("Assets%s/Name/$value" % key)
    assert r.status == 200 and r.body == b"props"
    assert ams.get("Assets%s/Nope" % key).status == 404
    assert ams.values("Assets%s/Files" % key) == []
    assert ams.values("Assets%s/Locators" % key) == []


def test_links_between_assets(ams):
    parent = ams.create("Assets", {"Name": "parent"})
    child = ams.create("Assets", {"Name": "child"})
    link = {"uri": ams.api + "Assets" + ams.key(parent["Id"])}
    r = ams.post("Assets%s/$links/ParentAssets" % ams.key(child["Id"]), link)
    assert r.status == 204, r
    assert ams.post("Assets%s/$links/ParentAssets" % ams.key(child["Id"]), link).status == 409
    links = ams.get("Assets%s/$links/ParentAssets" % ams.key(child["Id"])).json["value"]
    assert links == [{"url": link["uri"]}]
    assert [p["Id"] for p in ams.values("Assets%s/ParentAssets" % ams.key(child["Id"]))] == [parent["Id"]]
    verbose = ams.get("Assets%s/$links/ParentAssets" % ams.key(child["Id"]), fmt="verbose").json
    assert verbose["d"]["results"][0]["uri"] == link["uri"]
    # deleting the parent removes the link from the child
    assert ams.delete("Assets" + ams.key(parent["Id"])).status == 204
    assert ams.values("Assets%s/ParentAssets" % ams.key(child["Id"])) == []
    # DELETE $links
    p2 = ams.create("Assets", {"Name": "p2"})
    ams.post("Assets%s/$links/ParentAssets" % ams.key(child["Id"]),
             {"uri": ams.api + "Assets" + ams.key(p2["Id"])})
    r = ams.delete("Assets%s/$links/ParentAssets%s" % (ams.key(child["Id"]), ams.key(p2["Id"])))
    assert r.status == 204
    assert ams.values("Assets%s/ParentAssets" % ams.key(child["Id"])) == []
    bad = ams.post("Assets%s/$links/ParentAssets" % ams.key(child["Id"]), {"uri": "nonsense"})
    assert bad.status == 400


def test_media_processors_are_read_only(ams):
    mps = ams.values("MediaProcessors")
    mes = [m for m in mps if m["Id"] == MES_ID]
    assert mes and mes[0]["Name"] == "Media Encoder Standard"
    f = urllib.parse.quote("Name eq 'Media Encoder Standard'")
    assert ams.values("MediaProcessors?$filter=" + f)[0]["Id"] == MES_ID
    assert ams.post("MediaProcessors", {"Name": "x"}).status == 405
    assert ams.delete("MediaProcessors" + ams.key(MES_ID)).status == 405


def test_access_policies(ams):
    p = ams.create("AccessPolicies", {"Name": "p", "DurationInMinutes": 30, "Permissions": 3})
    assert p["DurationInMinutes"] == 30 and p["Permissions"] == 3
    assert ams.post("AccessPolicies", {"Name": "p"}).status == 400          # duration required
    assert ams.post("AccessPolicies", {"Name": "p", "DurationInMinutes": -1}).status == 400
    assert ams.post("AccessPolicies", {"Name": "p", "DurationInMinutes": 1,
                                       "Permissions": 99}).status == 400
    r = ams.merge("AccessPolicies" + ams.key(p["Id"]), {"Name": "q"})
    assert r.status == 400                                                 # immutable


@pytest.mark.parametrize("body, status, words", [
    ("{not json", 400, "malformed JSON"),
    ("[1,2]", 400, "JSON object"),
    ('{"Name": 5}', 400, "Name"),
    ('{"Nope": 1}', 400, "Nope"),
    ('{"Options": 3}', 400, "Options"),
    ('{"Options": 5.5e62}', 400, "Options"),
    ('{"Name": "' + "x" * 600 + '"}', 400, "longer"),
    ('{"Name":"a","Name":"b"}', 400, "malformed JSON"),
])
def test_bad_bodies_get_ams_errors(ams, body, status, words):
    r = ams.call("POST", "Assets", body)
    assert r.status == status, r
    assert words in r.error_message(), r
    assert set(r.json) == {"odata.error"}
    v = ams.call("POST", "Assets", body, fmt="verbose")
    assert v.status == status and "error" in v.json


def test_bad_urls_and_methods(ams):
    assert ams.get("Nothing").status == 404
    assert ams.get("Assets('nb:cid:UUID:not-a-guid')").status == 404
    assert ams.get("Assets('nb:cid:UUID:00000000-0000-0000-0000-000000000000')").status == 404
    assert ams.get("Assets('unterminated").status == 400
    assert ams.get("Assets('a'')").status == 400
    assert ams.call("PUT", "Assets", {"Name": "x"}).status == 405
    assert ams.delete("Assets").status == 405


def test_oversize_body_is_413(ams):
    big = '{"Name": "%s"}' % ("x" * (5 << 20))
    r = ams.call("POST", "Assets", big)
    assert r.status == 413


def test_x_http_method_tunnelling(ams):
    a = ams.create("Assets", {"Name": "tunnel"})
    r = ams.call("POST", "Assets" + ams.key(a["Id"]), {"Name": "tunnelled"},
                 headers={"X-HTTP-Method": "MERGE"})
    assert r.status == 204
    assert ams.entity("Assets", a["Id"]).json["Name"] == "tunnelled"
    r = ams.call("POST", "Assets" + ams.key(a["Id"]), None,
                 headers={"X-HTTP-Method": "DELETE"})
    assert r.status == 204
    assert ams.entity("Assets", a["Id"]).status == 404


def test_pages_of_at_most_1000_rows_with_next_links(ams):
    tag = "page%d" % int(time.time() * 1000)
    for i in range(1003):
        assert ams.post("Assets", {"Name": "%s-%04d" % (tag, i)},
                        headers={"Prefer": "return-no-content"}).status == 204
    f = urllib.parse.quote("startswith(Name,'%s')" % tag)
    first = ams.get("Assets?$filter=%s&$orderby=Name" % f).json
    assert len(first["value"]) == 1000
    nxt = first["odata.nextLink"]
    assert "$skip=1000" in nxt and "filter" in nxt
    rest = ams.get(nxt).json
    assert [v["Name"] for v in rest["value"]] == ["%s-%04d" % (tag, i) for i in (1000, 1001, 1002)]
    assert "odata.nextLink" not in rest
    verbose = ams.get("Assets?$filter=%s&$inlinecount=allpages" % f, fmt="verbose").json["d"]
    assert verbose["__count"] == "1003" and "$skip=1000" in verbose["__next"]
    assert len(ams.all_values("Assets?$filter=" + f)) == 1003
