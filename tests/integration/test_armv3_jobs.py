"""v3 transforms and jobs through the ARM API: preset and body checks,
job states and errors, cancelJob, and that a v3 job's output asset (the
client's) survives a failure or a cancel, as in AMS v3."""

import subprocess
import time
import uuid


from armv3 import call

BUILTIN = "#Microsoft.Media.BuiltInStandardEncoderPreset"


def jreq(arm, method, rel, body=None):
    return arm.req(method, rel, body, api_version="2022-07-01")


def transform(arm, name, preset="H264SingleBitrate720p"):
    status, _, body = jreq(arm, "PUT", "transforms/" + name, {"properties": {"outputs": [
        {"preset": {"@odata.type": BUILTIN, "presetName": preset}}]}})
    assert status in (200, 201), body
    return body


def job_body(inp, out):
    return {"properties": {"input": {"@odata.type": "#Microsoft.Media.JobInputAsset",
                                     "assetName": inp},
                           "outputs": [{"@odata.type": "#Microsoft.Media.JobOutputAsset",
                                        "assetName": out}]}}


def wait_final(arm, t, j, timeout=300):
    return arm.wait_job(t, j, timeout)


def test_transform_checks(arm):
    name = "tr-" + uuid.uuid4().hex[:6]
    status, _, body = jreq(arm, "PUT", "transforms/" + name, {"properties": {"outputs": [
        {"preset": {"@odata.type": BUILTIN, "presetName": "NoSuchPreset"}}]}})
    assert status == 400 and "AdaptiveStreaming" in body["error"]["message"]
    status, _, body = jreq(arm, "PUT", "transforms/" + name, {"properties": {"outputs": [
        {"preset": {"@odata.type": "#Microsoft.Media.StandardEncoderPreset", "codecs": []}}]}})
    assert status == 400, body
    status, _, body = jreq(arm, "PUT", "transforms/" + name, {"properties": {"outputs": []}})
    assert status == 400
    status, _, body = jreq(arm, "PUT", "transforms/" + name, {"properties": {"outputs": [
        {"preset": {"@odata.type": BUILTIN, "presetName": "AdaptiveStreaming"}}] * 5}})
    assert status == 400                                        # beyond 4 outputs
    status, _, body = jreq(arm, "PUT", "transforms/" + name, {"properties": {
        "description": "x", "outputs": [
            {"preset": {"@odata.type": BUILTIN, "presetName": "adaptivestreaming"}}] * 4}})
    assert status == 201 and len(body["properties"]["outputs"]) == 4, body
    created = body["properties"]["created"]
    body = transform(arm, name.upper())                          # same transform, replaced
    assert body["properties"]["created"] == created
    assert len(body["properties"]["outputs"]) == 1
    listed = arm.names("transforms", api_version="2022-07-01")
    assert name.upper() in listed or name in listed
    status, _, _ = jreq(arm, "DELETE", "transforms/" + name)
    assert status == 200
    status, _, body = jreq(arm, "GET", "transforms/" + name)
    assert status == 404 and body["error"]["code"] == "ResourceNotFound"
    status, _, body = arm.req("GET", "transforms", api_version="2022-08-01")
    assert status == 400 and body["error"]["code"] == "InvalidApiVersionParameter"


def test_job_refusals(arm):
    t = "trj-" + uuid.uuid4().hex[:6]
    transform(arm, t)
    status, _, body = jreq(arm, "PUT", "transforms/nosuch/jobs/j", job_body("a", "b"))
    assert status == 404
    status, _, body = jreq(arm, "PUT", "transforms/%s/jobs/j" % t, job_body("nosuch", "b"))
    assert status == 404 and "nosuch" in body["error"]["message"]
    status, _, body = jreq(arm, "PUT", "transforms/%s/jobs/j" % t, {"properties": {
        "input": {"@odata.type": "#Microsoft.Media.JobInputHttp", "baseUri": "http://x/",
                  "files": ["a.mp4"]}, "outputs": []}})
    assert status == 400 and "JobOutputAssets" in body["error"]["message"]


def test_failed_and_canceled_jobs_keep_the_output_asset(arm, tmp_path):
    run = uuid.uuid4().hex[:6]
    t = "trf-" + run
    transform(arm, t)
    arm.upload_asset("bad-in-" + run, {"junk.mp4": b"not a video at all" * 100})
    arm.req("PUT", "assets/bad-out-" + run, {"properties": {}})
    status, _, job = jreq(arm, "PUT", "transforms/%s/jobs/bad-%s" % (t, run),
                          job_body("bad-in-" + run, "bad-out-" + run))
    assert status == 201 and job["properties"]["state"] == "Queued", job
    status, _, again = jreq(arm, "PUT", "transforms/%s/jobs/bad-%s" % (t, run),
                            job_body("bad-in-" + run, "bad-out-" + run))
    assert status == 409
    job = wait_final(arm, t, "bad-" + run)
    assert job["properties"]["state"] == "Error", job
    err = job["properties"]["outputs"][0]["error"]
    assert err["code"] and err["message"], job
    assert arm.req("GET", "assets/bad-out-" + run)[0] == 200
    status, _, _ = jreq(arm, "POST", "transforms/%s/jobs/bad-%s/cancelJob" % (t, run))
    assert status == 400                                        # already final

    clip = tmp_path / "long.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=1280x720:rate=30:duration=60", "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(clip)], check=True,
                   timeout=300)
    arm.upload_asset("long-in-" + run, {"long.mp4": clip.read_bytes()})
    arm.req("PUT", "assets/long-out-" + run, {"properties": {}})
    status, _, job = jreq(arm, "PUT", "transforms/%s/jobs/long-%s" % (t, run),
                          job_body("long-in-" + run, "long-out-" + run))
    assert status == 201, job
    deadline = time.time() + 60
    while jreq(arm, "GET", "transforms/%s/jobs/long-%s" % (t, run))[2]["properties"]["state"] \
            not in ("Processing",) and time.time() < deadline:
        time.sleep(0.2)
    status, _, body = jreq(arm, "POST", "transforms/%s/jobs/long-%s/cancelJob" % (t, run))
    assert status == 200, body
    job = wait_final(arm, t, "long-" + run)
    assert job["properties"]["state"] == "Canceled", job
    assert arm.req("GET", "assets/long-out-" + run)[0] == 200
    status, _, listed = jreq(arm, "GET", "transforms/%s/jobs" % t)
    assert sorted(j["name"] for j in listed["value"]) == ["bad-" + run, "long-" + run]
    status, _, _ = jreq(arm, "DELETE", "transforms/%s/jobs/bad-%s" % (t, run))
    assert status == 200
    status, _, _ = jreq(arm, "GET", "transforms/%s/jobs/bad-%s" % (t, run))
    assert status == 404


def test_lists_page_with_next_link(arm):
    """More than a page (1000) of transforms: the first answer has 1000 and a
    @odata.nextLink the SDK GETs verbatim; the last has the rest and none."""
    import http.client
    import json
    from urllib.parse import urlsplit
    from armv3 import tls_context
    prefix = "pg-" + uuid.uuid4().hex[:6] + "-"
    u = urlsplit(arm.base)
    conn = http.client.HTTPSConnection(u.hostname, u.port, context=tls_context(), timeout=30)
    body = json.dumps({"properties": {"outputs": [
        {"preset": {"@odata.type": BUILTIN, "presetName": "AdaptiveStreaming"}}]}})
    for i in range(1001):
        conn.request("PUT", "%s/transforms/%s%04d?api-version=2022-07-01" % (u.path, prefix, i),
                     body, {"Authorization": "Bearer " + arm.token,
                            "Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        assert r.status == 201
    conn.close()
    names, url, pages = [], None, 0
    status, _, page = jreq(arm, "GET", "transforms")
    while True:
        assert status == 200, page
        pages += 1
        names += [t["name"] for t in page["value"]]
        if "@odata.nextLink" not in page:
            break
        assert len(page["value"]) == 1000
        url = page["@odata.nextLink"]
        assert url.startswith(arm.arm_url + "/subscriptions/") and "$skiptoken=" in url
        status, _, page = call("GET", url, headers={"Authorization": "Bearer " + arm.token})
    assert pages >= 2
    mine = [n for n in names if n.startswith(prefix)]
    assert sorted(mine) == ["%s%04d" % (prefix, i) for i in range(1001)]
    assert len(names) == len(set(names))
    status, _, body = arm.req("GET", "transforms?$skiptoken=-1", api_version="2022-07-01")
    assert status == 400
    # a filtered, ordered list pages the same way; the nextLink keeps $filter and $orderby
    from urllib.parse import quote
    flt = quote("name ge '%s' and name lt '%s~'" % (prefix, prefix))
    status, _, page = jreq(arm, "GET", "transforms?$filter=%s&$orderby=name%%20desc" % flt)
    assert status == 200 and len(page["value"]) == 1000, page.get("error")
    assert page["value"][0]["name"] == prefix + "1000"
    status, _, rest = call("GET", page["@odata.nextLink"],
                           headers={"Authorization": "Bearer " + arm.token})
    assert status == 200 and [t["name"] for t in rest["value"]] == [prefix + "0000"], rest
