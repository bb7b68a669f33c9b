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
    status, _, body = arm.req("PUT", "streamingEndpoints/other", {"properties": {}})
    assert status == 404 or status == 400
