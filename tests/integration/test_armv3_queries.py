"""v3 PATCH (merge semantics: only the given properties change; jobs take
description and priority only) and $filter / $orderby / $top on the asset,
transform and job lists, with their 400s for anything unparsable or beyond
the bounds (8 comparisons, $top 1..1000)."""

import time
import urllib.parse
import uuid

import pytest

BUILTIN = "#Microsoft.Media.BuiltInStandardEncoderPreset"
API = "2022-07-01"


def q(**args):
    return "?" + urllib.parse.urlencode(args, quote_via=urllib.parse.quote)


def names(arm, rel, api_version="2022-08-01"):
    status, _, body = arm.req("GET", rel, api_version=api_version)
    assert status == 200, body
    return [e["name"] for e in body["value"]]


@pytest.fixture(scope="module")
def three_assets(arm):
    run = "q" + uuid.uuid4().hex[:6]
    created = []
    for i in range(3):
        status, _, body = arm.req("PUT", "assets/%s-%d" % (run, i), {"properties": {
            "alternateId": "alt-%s-%d" % (run, i), "description": "d%d" % i}})
        assert status == 201, body
        created.append(body["properties"]["created"])
        time.sleep(0.05)
    return run, created


def test_asset_filters_orderby_top(arm, three_assets):
    run, created = three_assets
    mine = "name gt '%s-' and name lt '%s-~'" % (run, run)
    assert names(arm, "assets" + q(**{"$filter": "name eq '%s-1'" % run})) == [run + "-1"]
    assert names(arm, "assets" + q(**{"$filter": "NAME EQ '%s-1'" % run.upper()})) == [run + "-1"]
    assert names(arm, "assets" + q(**{"$filter": "properties/alternateId eq 'alt-%s-2'" % run})) \
        == [run + "-2"]
    assert sorted(names(arm, "assets" + q(**{"$filter": mine}))) == [run + "-%d" % i for i in range(3)]
    assert names(arm, "assets" + q(**{"$filter": mine, "$orderby": "name desc", "$top": "2"})) \
        == [run + "-2", run + "-1"]
    assert names(arm, "assets" + q(**{"$filter": mine + " and properties/created ge %s" % created[1],
                                      "$orderby": "properties/created"})) == [run + "-1", run + "-2"]
    assert names(arm, "assets" + q(**{"$filter": mine + " and properties/created lt %s" % created[1]})) \
        == [run + "-0"]
    either = "name eq '%s-0' or name eq '%s-2'" % (run, run)
    assert names(arm, "assets" + q(**{"$filter": either, "$orderby": "name asc"})) == [
        run + "-0", run + "-2"]
    assert len(names(arm, "assets" + q(**{"$top": "1"}))) == 1


@pytest.mark.parametrize("args", [
    {"$filter": "description eq 'x'"},                        # not a filter field
    {"$filter": "name eq"},
    {"$filter": "name like 'a'"},
    {"$filter": "name eq 'a"},
    {"$filter": "name eq 'a' and name eq 'b' or name eq 'c'"},  # mixed
    {"$filter": " or ".join(["name eq 'a'"] * 9)},             # beyond 8 comparisons
    {"$filter": "properties/created gt yesterday"},
    {"$filter": "name eq '%s'" % ("x" * 300)},
    {"$filter": "name eq 'a'" + " " * 1014},                     # 1025 bytes: over 1 KiB
    {"$orderby": "properties/alternateId"},
    {"$orderby": "name sideways"},
    {"$top": "0"}, {"$top": "1001"}, {"$top": "ten"},
])
def test_asset_query_refusals(arm, args):
    status, _, body = arm.req("GET", "assets" + q(**args))
    assert status == 400 and body["error"]["code"] == "InvalidParameter", body


def test_asset_patch_merges(arm, three_assets):
    run, _ = three_assets
    status, _, body = arm.req("PATCH", "assets/%s-0" % run, {"properties": {"description": "new"}})
    assert status == 200, body
    assert body["properties"]["description"] == "new"
    assert body["properties"]["alternateId"] == "alt-%s-0" % run        # untouched
    status, _, body = arm.req("GET", "assets/%s-0" % run)
    assert body["properties"]["description"] == "new"
    status, _, body = arm.req("PATCH", "assets/nosuch-" + run, {"properties": {"description": "x"}})
    assert status == 404, body
    status, _, body = arm.req("PATCH", "assets/%s-0" % run, {"properties": {"description": 5}})
    assert status == 400, body


def test_transform_patch_and_list_queries(arm):
    run = "tq" + uuid.uuid4().hex[:6]
    for i in range(3):
        status, _, body = arm.req("PUT", "transforms/%s-%d" % (run, i), {"properties": {
            "description": "t%d" % i, "outputs": [
                {"preset": {"@odata.type": BUILTIN, "presetName": "AdaptiveStreaming"}}]}},
            api_version=API)
        assert status == 201, body
    mine = "name gt '%s-' and name lt '%s-~'" % (run, run)
    assert names(arm, "transforms" + q(**{"$filter": mine, "$orderby": "name desc", "$top": "2"}),
                 API) == [run + "-2", run + "-1"]
    assert names(arm, "transforms" + q(**{"$filter": "name eq '%s-1'" % run}), API) == [run + "-1"]
    status, _, body = arm.req("GET", "transforms" + q(**{"$filter": "properties/state eq 'x'"}),
                              api_version=API)
    assert status == 400, body
    status, _, body = arm.req("PATCH", "transforms/%s-0" % run, {"properties": {"description": "p"}},
                              api_version=API)
    assert status == 200 and body["properties"]["description"] == "p", body
    assert body["properties"]["outputs"][0]["preset"]["presetName"] == "AdaptiveStreaming"
    status, _, body = arm.req("PATCH", "transforms/%s-0" % run, {"properties": {"outputs": [
        {"preset": {"@odata.type": BUILTIN, "presetName": "H264SingleBitrate720p"}}]}},
        api_version=API)
    assert status == 200, body
    assert body["properties"]["description"] == "p"
    assert body["properties"]["outputs"][0]["preset"]["presetName"] == "H264SingleBitrate720p"
    for bad in ({"properties": {"outputs": []}}, {"properties": {"created": "x"}}):
        status, _, body = arm.req("PATCH", "transforms/%s-0" % run, bad, api_version=API)
        assert status == 400, body
    status, _, body = arm.req("PATCH", "transforms/nosuch-" + run, {"properties": {}},
                              api_version=API)
    assert status == 404


def test_job_patch_and_list_queries(arm):
    run = "jq" + uuid.uuid4().hex[:6]
    t = "t-" + run
    assert arm.req("PUT", "transforms/" + t, {"properties": {"outputs": [
        {"preset": {"@odata.type": BUILTIN, "presetName": "H264SingleBitrate720p"}}]}},
        api_version=API)[0] == 201
    arm.upload_asset("in-" + run, {"junk.mp4": b"not a video" * 50})
    for i in range(2):
        assert arm.req("PUT", "assets/out-%s-%d" % (run, i), {"properties": {}})[0] == 201
        status, _, job = arm.req("PUT", "transforms/%s/jobs/j%d" % (t, i), {"properties": {
            "description": "first", "priority": "Low", "correlationData": {"k": "v%d" % i},
            "input": {"@odata.type": "#Microsoft.Media.JobInputAsset", "assetName": "in-" + run},
            "outputs": [{"@odata.type": "#Microsoft.Media.JobOutputAsset",
                         "assetName": "out-%s-%d" % (run, i)}]}}, api_version=API)
        assert status == 201, job
        assert job["properties"]["priority"] == "Low" and job["properties"]["description"] == "first"
        assert job["properties"]["correlationData"] == {"k": "v%d" % i}
    status, _, job = arm.req("PATCH", "transforms/%s/jobs/j0" % t, {"properties": {
        "priority": "High", "description": "second"}}, api_version=API)
    assert status == 200, job
    status, _, job = arm.req("GET", "transforms/%s/jobs/j0" % t, api_version=API)
    assert job["properties"]["priority"] == "High" and job["properties"]["description"] == "second"
    assert job["properties"]["correlationData"] == {"k": "v0"}
    for bad in ({"properties": {"input": {}}}, {"properties": {"priority": "Urgent"}},
                {"properties": {"description": 3}}, {"properties": {"description": "d" * 4001}}):
        status, _, body = arm.req("PATCH", "transforms/%s/jobs/j0" % t, bad, api_version=API)
        assert status == 400, (bad, body)
    deadline = time.time() + 120
    rel = "transforms/%s/jobs" % t
    while sorted(names(arm, rel + q(**{
            "$filter": "properties/state eq Microsoft.Media.JobState'Error'"}), API)) != ["j0", "j1"]:
        assert time.time() < deadline, arm.req("GET", rel, api_version=API)[2]
        time.sleep(0.5)
    assert names(arm, rel + q(**{"$filter": "properties/state eq 'Finished'"}), API) == []
    assert names(arm, rel + q(**{"$filter": "properties/state ne 'Finished' and name eq 'J1'"}),
                 API) == ["j1"]
    assert names(arm, rel + q(**{"$orderby": "name desc"}), API) == ["j1", "j0"]
    assert names(arm, rel + q(**{"$orderby": "properties/created desc", "$top": "1"}), API) == ["j1"]
    status, _, body = arm.req("GET", rel + q(**{"$filter": "properties/alternateId eq 'x'"}),
                              api_version=API)
    assert status == 400, body


def test_job_property_bounds(arm):
    """description (4000 bytes) and correlationData (16 strings) at and over
    their bounds: refused before anything is created."""
    run = "jb" + uuid.uuid4().hex[:6]
    t = "t-" + run
    assert arm.req("PUT", "transforms/" + t, {"properties": {"outputs": [
        {"preset": {"@odata.type": BUILTIN, "presetName": "H264SingleBitrate720p"}}]}},
        api_version=API)[0] == 201
    base = {"input": {"@odata.type": "#Microsoft.Media.JobInputAsset", "assetName": "none-" + run},
            "outputs": [{"@odata.type": "#Microsoft.Media.JobOutputAsset", "assetName": "x"}]}
    for extra in ({"description": "d" * 4001},
                  {"correlationData": {"k%d" % i: "v" for i in range(17)}},
                  {"correlationData": {"k": "v" * 1025}}, {"correlationData": {"k": 1}},
                  {"priority": "Urgent"}):
        status, _, body = arm.req("PUT", "transforms/%s/jobs/j" % t,
                                  {"properties": dict(base, **extra)}, api_version=API)
        assert status == 400 and body["error"]["code"] == "InvalidResource", (extra, body)
    # at the bounds the body passes these checks and fails on the missing input asset
    status, _, body = arm.req("PUT", "transforms/%s/jobs/j" % t, {"properties": dict(
        base, description="d" * 4000, correlationData={"k%d" % i: "v" * 1024 for i in range(16)})},
        api_version=API)
    assert status == 404 and "none-" + run in body["error"]["message"], body
