"""v3 streaming endpoints: the long-running-operation protocol the ARM SDK
(core-lro) follows — 202 with Azure-AsyncOperation and Location, the status
document, the Location answering 202 then 200 with the endpoint — for
stop, scale and start of the default endpoint, and the refusals."""

import time


from armv3 import call


def lro(arm, action, body=None):
    status, headers, _ = arm.req("POST", "streamingEndpoints/default/" + action, body)
    assert status == 202, (action, status)
    op_url, loc_url = headers["Azure-AsyncOperation"], headers["Location"]
    assert op_url.startswith(arm.arm_url + "/subscriptions/") and "api-version=" in op_url
    assert "/streamingEndpointOperations/" in op_url
    assert "/streamingEndpoints/default/operationLocations/" in loc_url
    auth = {"Authorization": "Bearer " + arm.token}
    deadline = time.time() + 30
    while True:
        status, _, doc = call("GET", op_url, headers=auth)
        assert status == 200, doc
        assert doc["name"] == op_url.split("/")[-1].split("?")[0]
        if doc["status"] != "InProgress":
            break
        assert time.time() < deadline
        time.sleep(0.1)
    assert doc["status"] == "Succeeded", doc
    status, _, ep = call("GET", loc_url, headers=auth)
    assert status == 200, ep
    return ep


def test_stop_scale_start(arm, platform):
    status, _, ep = arm.req("GET", "streamingEndpoints/default")
    assert status == 200 and ep["properties"]["resourceState"] == "Running", ep
    ep = lro(arm, "stop")
    assert ep["properties"]["resourceState"] == "Stopped"
    ep = lro(arm, "scale", {"scaleUnit": 2})
    assert ep["properties"]["scaleUnits"] == 2
    ep = lro(arm, "start")
    assert ep["properties"]["resourceState"] == "Running"
    status, _, body = arm.req("POST", "streamingEndpoints/default/start")
    assert status == 400, body                               # already running
    status, _, listed = arm.req("GET", "streamingEndpoints")
    assert "default" in [e["name"] for e in listed["value"]]
    # the v2 view saw the same changes
    v2 = platform.client().values("StreamingEndpoints")
    [d] = [e for e in v2 if e["Name"] == "default"]
    assert (d["State"], d["ScaleUnits"]) == ("Running", 2)
    # the shared default endpoint goes back to how other tests expect it
    assert lro(arm, "scale", {"scaleUnit": 0})["properties"]["scaleUnits"] == 0


def test_refusals(arm):
    status, _, body = arm.req("POST", "streamingEndpoints/nosuch/start")
    assert status == 404
    status, _, body = arm.req("POST", "streamingEndpoints/default/reset")
    assert status == 404 and body["error"]["code"] == "NotSupported"
    status, _, body = arm.req("GET", "streamingEndpointOperations/not-a-guid")
    assert status == 404
    status, _, body = arm.req("PUT", "streamingEndpoints/other", {"properties": []})
    assert status == 400 and body["error"]["code"] == "InvalidParameter", body
    assert arm.req("GET", "streamingEndpoints/other")[0] == 404


def finish(arm, status, headers, body, expect):
    """A create/delete long-running operation followed to its end."""
    assert status == expect, (status, body)
    assert "/streamingEndpointOperations/" in headers["Azure-AsyncOperation"]
    deadline = time.time() + 30
    while True:
        s, _, doc = call("GET", headers["Azure-AsyncOperation"],
                         headers={"Authorization": "Bearer " + arm.token})
        assert s == 200, doc
        if doc["status"] != "InProgress":
            assert doc["status"] == "Succeeded", doc
            return
        assert time.time() < deadline
        time.sleep(0.1)


def test_create_update_delete(arm, platform):
    import uuid
    name = "v3ep" + uuid.uuid4().hex[:8]
    allow = [{"name": "lo", "address": "127.0.0.1", "subnetPrefixLength": 32}]
    body = {"location": "westeurope", "properties": {
        "description": "made in v3", "scaleUnits": 0, "customHostNames": ["media.example.com"],
        "accessControl": {"ip": {"allow": allow}}, "maxCacheAge": 300,
        "crossSiteAccessPolicies": {"clientAccessPolicy": None, "crossDomainPolicy": None}}}
    finish(arm, *arm.req("PUT", "streamingEndpoints/%s?autoStart=false" % name, body), expect=201)
    status, _, ep = arm.req("GET", "streamingEndpoints/" + name)
    assert status == 200, ep
    p = ep["properties"]
    assert (p["resourceState"], p["description"], p["maxCacheAge"]) == ("Stopped", "made in v3", 300)
    assert p["customHostNames"] == ["media.example.com"] and p["accessControl"]["ip"]["allow"] == allow
    assert p["hostName"].startswith(name.lower() + ".")
    [v2] = [e for e in platform.client().values("StreamingEndpoints") if e["Name"] == name]
    assert v2["CacheControl"]["MaxAge"] in ("300", 300) and v2["State"] == "Stopped"
    status, _, ep = arm.req("PATCH", "streamingEndpoints/" + name,
                            {"properties": {"description": "patched"}})
    assert status == 200 and ep["properties"]["description"] == "patched", ep
    assert ep["properties"]["maxCacheAge"] == 300
    status, _, err = arm.req("PUT", "streamingEndpoints/" + name, {"properties": {"scaleUnits": 3}})
    assert status == 400 and err["error"]["code"] == "InvalidOperation", err
    status, headers, _ = arm.req("POST", "streamingEndpoints/%s/start" % name)
    finish(arm, status, headers, None, expect=202)
    status, _, err = arm.req("DELETE", "streamingEndpoints/" + name)       # running
    assert status == 400 and err["error"]["code"] == "InvalidOperation", err
    status, headers, _ = arm.req("POST", "streamingEndpoints/%s/stop" % name)
    finish(arm, status, headers, None, expect=202)
    finish(arm, *arm.req("DELETE", "streamingEndpoints/" + name), expect=202)
    assert arm.req("GET", "streamingEndpoints/" + name)[0] == 404
    assert arm.req("DELETE", "streamingEndpoints/" + name)[0] == 204
    assert name not in [e["Name"] for e in platform.client().values("StreamingEndpoints")]
    # autoStart=true: created Running
    finish(arm, *arm.req("PUT", "streamingEndpoints/%s?autoStart=true" % name, {"properties": {}}),
           expect=201)
    assert arm.req("GET", "streamingEndpoints/" + name)[2]["properties"]["resourceState"] == "Running"
    status, headers, _ = arm.req("POST", "streamingEndpoints/%s/stop" % name)
    finish(arm, status, headers, None, expect=202)
    finish(arm, *arm.req("DELETE", "streamingEndpoints/" + name), expect=202)
    # refusals
    status, _, err = arm.req("PUT", "streamingEndpoints/bad_name", {"properties": {}})
    assert status == 400 and err["error"]["message"], err
    status, _, err = arm.req("DELETE", "streamingEndpoints/default")
    assert status == 400 and "default" in err["error"]["message"], err
    status, _, err = arm.req("PUT", "streamingEndpoints/x1", {"properties": {"maxCacheAge": "x"}})
    assert status == 400 and err["error"]["code"] == "InvalidParameter", err
