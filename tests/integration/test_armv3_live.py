"""v3 liveEvents and liveOutputs over v2 Channels and Programs, with real
publishers: a live event created and started through the v3 API (the
long-running-operation protocol core-lro follows), ffmpeg publishing
testsrc2 + sine to the RTMP URL of its input.endpoints, a live output
archiving into an asset, a v3 streaming locator on that asset served live
by the origin (ffmpeg decodes HLS and DASH), then the live output deleted:
the asset stays and plays as VoD.  Both views see one catalog (the live
event is the v2 Channel, the live output the v2 Program).  Refusals carry
{"error":{"code","message"}}.  The unmodified @azure/arm-mediaservices SDK
runs the live sample's calls (tests/armv3-sdk/live.js)."""

import subprocess
import time
import uuid

import pytest

from armv3 import ArmClient, call
from conftest import free_port
from media import http_get
from platform_harness import TLS_DIR, Daemon, client_for, locations_snippet
from test_live_ingest import (LOOPBACK, RTMP_MODULE, RtmpServer, decoded, publish_args,
                              wait_archived, wait_player)

pytestmark = pytest.mark.skipif(not RTMP_MODULE.exists() or not (TLS_DIR / "server.pem").exists(),
                                reason="needs libnginx-mod-rtmp and build/tls")

ALLOW_V3 = [{"name": a["Name"], "address": a["Address"],
             "subnetPrefixLength": a["SubnetPrefixLength"]} for a in LOOPBACK]


@pytest.fixture(scope="module")
def live(tmp_path_factory, origin_factory):
    root = tmp_path_factory.mktemp("armlive")
    api_port = free_port()
    data = root / "data"
    origin = origin_factory(server_extra=locations_snippet(api_port, data))
    rtmp = RtmpServer(root / "rtmp", api_port)
    url = "rtmp://127.0.0.1:%d/" % rtmp.port
    daemon = Daemon(data, api_port, origin.base, tls_port=free_port(),
                    extra={"rtmp_url": url, "rtmp_local_url": url,
                           "live_max_programs": 4}).start()
    yield type("Live", (), {"rtmp": rtmp, "daemon": daemon, "origin": origin,
                            "arm": ArmClient(daemon.arm_url),
                            "ams": client_for("http://127.0.0.1:%d" % api_port)})
    daemon.stop()
    rtmp.stop()
    assert not daemon.crashes(), daemon.crashes()


def finish(arm, status, headers, body, ops="liveEventOperations", expect=(201, 202)):
    """Follows a long-running operation as core-lro does: the
    Azure-AsyncOperation document until it is final."""
    assert status in expect, (status, body)
    op_url = headers["Azure-AsyncOperation"]
    assert "/%s/" % ops in op_url and "api-version=" in op_url, op_url
    assert "/operationLocations/" in headers["Location"]
    deadline = time.time() + 60
    while True:
        s, _, doc = call("GET", op_url, headers={"Authorization": "Bearer " + arm.token})
        assert s == 200, doc
        if doc["status"] != "InProgress":
            assert doc["status"] == "Succeeded", doc
            return headers["Location"]
        assert time.time() < deadline, doc
        time.sleep(0.2)


def event_body(**input_extra):
    inp = {"streamingProtocol": "RTMP", "keyFrameIntervalDuration": "PT2S",
           "accessControl": {"ip": {"allow": ALLOW_V3}}}
    inp.update(input_extra)
    return {"location": "westeurope", "tags": {"team": "live"}, "properties": {
        "description": "v3 live", "input": inp,
        "encoding": {"encodingType": "PassthroughStandard"},
        "preview": {"accessControl": {"ip": {"allow": ALLOW_V3}}},
        "useStaticHostname": False, "streamOptions": ["Default"]}}


def create_event(arm, name, auto_start=False, **input_extra):
    rel = "liveEvents/%s?autoStart=%s" % (name, "true" if auto_start else "false")
    finish(arm, *arm.req("PUT", rel, event_body(**input_extra)), expect=(201,))
    status, _, ev = arm.req("GET", "liveEvents/" + name)
    assert status == 200, ev
    return ev


def action(arm, name, verb, body=None):
    loc = finish(arm, *arm.req("POST", "liveEvents/%s/%s" % (name, verb), body), expect=(202,))
    status, _, ev = call("GET", loc, headers={"Authorization": "Bearer " + arm.token})
    assert status == 200, ev                    # the Location answers with the live event
    return ev


def create_output(arm, event, name, asset, **extra):
    props = {"assetName": asset, "archiveWindowLength": "PT5M", "manifestName": "show",
             "hls": {"fragmentsPerTsSegment": 2}}
    props.update(extra)
    finish(arm, *arm.req("PUT", "liveEvents/%s/liveOutputs/%s" % (event, name),
                         {"properties": props}), ops="liveOutputOperations", expect=(201,))
    status, _, out = arm.req("GET", "liveEvents/%s/liveOutputs/%s" % (event, name))
    assert status == 200, out
    return out


def error_of(resp, status, code=None):
    s, _, body = resp
    assert s == status, (s, body)
    assert set(body) == {"error"} and body["error"]["message"], body
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]["message"]


def live_paths(arm, asset):
    loc = "loc-" + asset
    status, _, body = arm.req("PUT", "streamingLocators/" + loc, {"properties": {
        "assetName": asset, "streamingPolicyName": "Predefined_ClearStreamingOnly"}})
    assert status == 201, body
    status, _, paths = arm.req("POST", "streamingLocators/%s/listPaths" % loc)
    assert status == 200, paths
    return {p["streamingProtocol"]: p["paths"] for p in paths["streamingPaths"]}


def test_live_event_output_locator_round_trip(live):
    arm, ams = live.arm, live.ams
    name = "ev-" + uuid.uuid4().hex[:8]
    ev = create_event(arm, name, accessToken="0123456789abcdef0123456789abcdef")
    p = ev["properties"]
    assert (ev["name"], ev["location"], ev["tags"]) == (name, "westeurope", {"team": "live"})
    assert ev["type"] == "Microsoft.Media/mediaservices/liveEvents"
    assert (p["resourceState"], p["provisioningState"]) == ("Stopped", "Succeeded")
    assert p["encoding"] == {"encodingType": "PassthroughStandard"}
    assert p["input"]["accessControl"] == {"ip": {"allow": ALLOW_V3}}
    assert p["input"]["keyFrameIntervalDuration"] == "PT2S" and p["input"]["endpoints"] == []
    assert p["preview"]["accessControl"] == {"ip": {"allow": ALLOW_V3}}
    assert p["created"] and p["lastModified"] and p["streamOptions"] == ["Default"]
    assert name in arm.names("liveEvents")
    # the v2 view: the same record as a Channel
    [ch] = [c for c in ams.values("Channels") if c["Name"] == name]
    assert (ch["State"], ch["EncodingType"], ch["Description"]) == ("Stopped", "None", "v3 live")
    assert ch["Input"]["AccessControl"]["IP"]["Allow"] == LOOPBACK

    asset = "arch-" + name
    assert arm.req("PUT", "assets/" + asset, {"properties": {}})[0] == 201
    # a live output made before the live event starts runs once it starts
    out = create_output(arm, name, "out1", asset)
    assert out["properties"]["assetName"] == asset and out["properties"]["manifestName"] == "show"
    assert out["properties"]["hls"] == {"fragmentsPerTsSegment": 2}
    ev = action(arm, name, "start")
    assert ev["properties"]["resourceState"] == "Running"
    [endpoint] = ev["properties"]["input"]["endpoints"]
    assert endpoint["protocol"] == "RTMP"
    url = endpoint["url"]
    assert url.startswith("rtmp://127.0.0.1:") and url.endswith("/0123456789abcdef0123456789abcdef")
    status, _, out = arm.req("GET", "liveEvents/%s/liveOutputs/out1" % name)
    assert out["properties"]["resourceState"] == "Running", out
    [prog] = [p for p in ams.values("Programs") if p["Name"] == "out1"]
    assert prog["State"] == "Running" and prog["ChannelId"] == ch["Id"]
    assert [o["name"] for o in arm.req("GET", "liveEvents/%s/liveOutputs" % name)[2]["value"]] \
        == ["out1"]

    # wrong-state actions and refusals while it runs
    error_of(arm.req("POST", "liveEvents/%s/start" % name), 400, "InvalidOperation")
    assert "live output" in error_of(arm.req("POST", "liveEvents/%s/stop" % name,
                                             {"removeOutputsOnStop": False}), 400)
    assert "live output" in error_of(arm.req("DELETE", "liveEvents/" + name), 400)
    error_of(arm.req("PUT", "liveEvents/%s/liveOutputs/out1" % name, {"properties": {
        "assetName": asset, "archiveWindowLength": "PT5M"}}), 409, "Conflict")

    paths = live_paths(arm, asset)
    hls = live.origin.base + [x for x in paths["Hls"] if "m3u8-aapl)" in x][0]
    dash = live.origin.base + paths["Dash"][0]
    wait_player(live, url)
    pub = subprocess.Popen(publish_args(url + "/stream1", 20), stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while True:          # until a whole segment is archived and listed
            m = http_get(hls)
            if m.status == 200 and b"Manifest(video" in m.body:
                variant = [l for l in m.body.decode().splitlines() if "Manifest(video" in l][0]
                media = hls.rsplit("/", 1)[0] + "/" + variant
                first = http_get(media)
                if first.status == 200 and b"#EXTINF:" in first.body:
                    break
            assert time.time() < deadline, (m.status, m.body[:300])
            time.sleep(1)
        assert b"#EXT-X-ENDLIST" not in first.body           # live
        assert b'type="dynamic"' in http_get(dash).body
        assert len(decoded(media, 2)) >= 25
        assert len(decoded(dash, 2)) >= 25
    finally:
        _, err = pub.communicate(timeout=90)
    assert pub.returncode == 0, err
    wait_archived(live, prog["Id"], timeout=60)

    # deleting the live output stops and removes the program; the asset stays
    finish(arm, *arm.req("DELETE", "liveEvents/%s/liveOutputs/out1" % name),
           ops="liveOutputOperations", expect=(202,))
    error_of(arm.req("GET", "liveEvents/%s/liveOutputs/out1" % name), 404, "ResourceNotFound")
    assert arm.req("DELETE", "liveEvents/%s/liveOutputs/out1" % name)[0] == 204
    assert [p for p in ams.values("Programs") if p["Name"] == "out1"] == []
    assert arm.req("GET", "assets/" + asset)[0] == 200
    m = http_get(hls)             # the variants now carry the archive's measured bitrates
    assert m.status == 200, m
    variant = [l for l in m.body.decode().splitlines() if "Manifest(video" in l][0]
    vod = http_get(hls.rsplit("/", 1)[0] + "/" + variant)
    assert vod.status == 200 and b"#EXT-X-ENDLIST" in vod.body, vod.body[:300]
    assert len(decoded(hls)) >= 20 * 25 * 0.9          # the 20 s publish, as VoD
    assert len(decoded(dash, 2)) >= 25

    ev = action(arm, name, "stop", {"removeOutputsOnStop": False})
    assert ev["properties"]["resourceState"] == "Stopped"
    assert ev["properties"]["input"]["endpoints"] == []
    error_of(arm.req("POST", "liveEvents/%s/reset" % name), 400, "InvalidOperation")
    finish(arm, *arm.req("DELETE", "liveEvents/" + name), expect=(202,))
    error_of(arm.req("GET", "liveEvents/" + name), 404, "ResourceNotFound")
    assert arm.req("DELETE", "liveEvents/" + name)[0] == 204
    assert [c for c in ams.values("Channels") if c["Name"] == name] == []


def test_stop_with_remove_outputs(live):
    arm, ams = live.arm, live.ams
    name = "ev-" + uuid.uuid4().hex[:8]
    ev = create_event(arm, name, auto_start=True)
    assert ev["properties"]["resourceState"] == "Running"
    for i in range(2):
        asset = "a%d-%s" % (i, name)
        assert arm.req("PUT", "assets/" + asset, {"properties": {}})[0] == 201
        out = create_output(arm, name, "o%d" % i, asset, manifestName="m%d" % i)
        assert out["properties"]["resourceState"] == "Running"
    ev = action(arm, name, "stop", {"removeOutputsOnStop": True})
    assert ev["properties"]["resourceState"] == "Stopped"
    assert arm.req("GET", "liveEvents/%s/liveOutputs" % name)[2]["value"] == []
    assert [p for p in ams.values("Programs") if p["Name"] in ("o0", "o1")] == []
    assert arm.req("GET", "assets/a0-" + name)[0] == 200
    # an update restates the body; the v3-only members it leaves out stay
    body = event_body()
    body["properties"]["description"] = "changed"
    del body["properties"]["streamOptions"]
    status, _, ev = arm.req("PUT", "liveEvents/" + name, body)
    assert status == 200 and ev["properties"]["description"] == "changed", ev
    assert ev["properties"]["streamOptions"] == ["Default"]
    finish(arm, *arm.req("DELETE", "liveEvents/" + name), expect=(202,))


def test_refusals(live):
    arm = live.arm
    for bad in ("bad_name", "x" * 33, "-lead"):
        error_of(arm.req("PUT", "liveEvents/" + bad, event_body()), 400)
    error_of(arm.req("PUT", "liveEvents/nobody", {"properties": {}}), 400, "InvalidParameter")
    error_of(arm.req("PUT", "liveEvents/nobody", "text"), 400)
    body = event_body()
    body["properties"]["encoding"] = {"encodingType": "Premium1080p"}
    assert "not supported" in error_of(arm.req("PUT", "liveEvents/enc", body), 400, "NotSupported")
    body["properties"]["encoding"] = {"encodingType": "Fancy"}
    error_of(arm.req("PUT", "liveEvents/enc", body), 400, "InvalidParameter")
    # FragmentedMP4 as the v2 view takes it (or refuses it)
    v2 = live.ams.post("Channels", {"Name": "fmp4v2", "Input": {"StreamingProtocol": "FragmentedMP4"}})
    s, _, b = arm.req("PUT", "liveEvents/fmp4v3", event_body(streamingProtocol="FragmentedMP4"))
    assert (s >= 400) == (v2.status >= 400), (s, b, v2)
    assert arm.req("GET", "liveEvents/nosuch")[0] == 404
    name = "ev-" + uuid.uuid4().hex[:8]
    create_event(arm, name)
    for verb in ("allocate", "standby"):
        assert "nothing to allocate" in error_of(
            arm.req("POST", "liveEvents/%s/%s" % (name, verb)), 400, "NotSupported")
    error_of(arm.req("POST", "liveEvents/%s/stop" % name, {}), 400, "InvalidOperation")
    error_of(arm.req("POST", "liveEvents/%s/reset" % name), 400, "InvalidOperation")
    error_of(arm.req("POST", "liveEvents/%s/frobnicate" % name), 404, "NotSupported")
    status, _, _ = arm.req("PUT", "assets/ra-" + name, {"properties": {}})
    out = "liveEvents/%s/liveOutputs/o" % name
    error_of(arm.req("PUT", out, {"properties": {"assetName": "ra-" + name,
                                                 "archiveWindowLength": "PT5M",
                                                 "rewindWindowLength": "PT5M"}}), 400,
             "NotSupported")
    error_of(arm.req("PUT", out, {"properties": {"assetName": "nosuch",
                                                 "archiveWindowLength": "PT5M"}}), 404)
    error_of(arm.req("PUT", out, {"properties": {"assetName": "ra-" + name,
                                                 "archiveWindowLength": "PT1M"}}), 400)
    error_of(arm.req("PUT", out, {"properties": {"assetName": "ra-" + name,
                                                 "archiveWindowLength": "PT5M",
                                                 "hls": {"fragmentsPerTsSegment": 11}}}), 400)
    error_of(arm.req("GET", "liveEvents/nosuch/liveOutputs"), 404)
    finish(arm, *arm.req("DELETE", "liveEvents/" + name), expect=(202,))


def test_v3_sdk_live_workflow(live):
    """@azure/arm-mediaservices, unmodified (tests/armv3-sdk/live.js)."""
    import os
    import shutil
    from pathlib import Path
    from armv3 import GROUP, SUBSCRIPTION, TENANT
    from media import run_node_workflow
    from platform_harness import CLIENT_ID, CLIENT_SECRET
    sdk_dir = Path(__file__).resolve().parents[1] / "armv3-sdk"
    if not (sdk_dir / "node_modules" / "@azure/arm-mediaservices").is_dir() or not shutil.which("node"):
        pytest.fail("tests/armv3-sdk/node_modules or node missing: run ./build.sh deps")
    run = uuid.uuid4().hex[:8]
    env = dict(os.environ, MP_ARM_URL=live.daemon.arm_url, MP_TENANT=TENANT,
               MP_SUBSCRIPTION=SUBSCRIPTION, MP_GROUP=GROUP, MP_ACCOUNT="mediaplane",
               MP_CLIENT_ID=CLIENT_ID, MP_CLIENT_SECRET=CLIENT_SECRET, MP_RUN=run,
               NODE_EXTRA_CA_CERTS=str(TLS_DIR / "ca.pem"))
    env.pop("NODE_TLS_REJECT_UNAUTHORIZED", None)
    out = run_node_workflow(sdk_dir / "live.js", env, timeout=300)
    event = "sdk-" + run
    assert out["created"] == {"name": event, "state": "Stopped", "encoding": "PassthroughStandard",
                              "allow": ALLOW_V3}
    assert out["output"] == {"name": "out-" + run, "assetName": "archive-" + run,
                             "manifestName": "output"}
    assert out["started"]["state"] == "Running"
    [[protocol, url]] = out["started"]["endpoints"]
    assert protocol == "RTMP" and url.startswith("rtmp://127.0.0.1:%d/live/" % live.rtmp.port)
    assert out["outputState"] == "Running" and out["outputs"] == ["out-" + run]
    assert event in out["events"]
    assert out["allocate"]["status"] == 400 and out["allocate"]["code"] == "NotSupported", out
    assert out["outputsAfterDelete"] == [] and out["assetAfterDelete"] == "archive-" + run
    assert out["stopped"] == "Stopped" and event not in out["eventsAfterDelete"]
    assert out["endpoint"]["name"] == "ep" + run and out["endpoint"]["state"] == "Stopped"
    assert out["endpoint"]["maxCacheAge"] == 120
    assert out["endpoint"]["hostName"].startswith("ep%s." % run)
    assert out["endpointStarted"] == "Running"
    assert "ep" + run not in out["endpointsAfterDelete"]


def test_bounds(live):
    """Each client-set v3-only member at its bound and one past it."""
    arm = live.arm
    cases = [("hostnamePrefix", "h" * 63, "h" * 64), ("streamOptions", ["Default"] * 4, ["Default"] * 5)]
    for key, ok, over in cases:
        body = event_body()
        body["properties"][key] = over
        error_of(arm.req("PUT", "liveEvents/bound", body), 400, "InvalidParameter")
        body["properties"][key] = ok
        name = "b-" + uuid.uuid4().hex[:8]
        finish(arm, *arm.req("PUT", "liveEvents/" + name, body), expect=(201,))
        assert arm.req("GET", "liveEvents/" + name)[2]["properties"][key] == ok
        finish(arm, *arm.req("DELETE", "liveEvents/" + name), expect=(202,))
    body = event_body()
    body["tags"] = {"t%d" % i: "v" for i in range(51)}
    error_of(arm.req("PUT", "liveEvents/bound", body), 400, "InvalidParameter")
    body["location"] = "x" * 65
    error_of(arm.req("PUT", "liveEvents/bound", body), 400, "InvalidParameter")
    error_of(arm.req("PUT", "liveEvents/bound", event_body(accessToken="a" * 65)), 400,
             "InvalidParameter")
    error_of(arm.req("PUT", "liveEvents/bound", event_body(accessToken="bad token")), 400,
             "InvalidParameter")
    name = "b-" + uuid.uuid4().hex[:8]
    ev = create_event(arm, name, accessToken="a" * 64)
    assert ev["properties"]["input"]["accessToken"] == "a" * 64
    error_of(arm.req("PUT", "liveEvents/other-" + name, event_body(accessToken="A" * 64)), 409,
             "Conflict")
    finish(arm, *arm.req("DELETE", "liveEvents/" + name), expect=(202,))


def test_v2_channel_and_program_seen_in_v3(live):
    """A Channel and Program made through v2 are a live event and live
    output in v3 (one catalog)."""
    ams, arm = live.ams, live.arm
    name = "v2ch-" + uuid.uuid4().hex[:8]
    r = ams.post("Channels", {"Name": name, "Input": {
        "StreamingProtocol": "RTMP", "AccessControl": {"IP": {"Allow": LOOPBACK}}}})
    assert r.status == 202, r
    status, _, ev = arm.req("GET", "liveEvents/" + name)
    assert status == 200, ev
    assert ev["properties"]["encoding"] == {"encodingType": "None"}
    assert ev["properties"]["input"]["accessControl"] == {"ip": {"allow": ALLOW_V3}}
    assert len(ev["properties"]["input"]["accessToken"]) == 32
    asset = ams.create("Assets", {"Name": "v2arch-" + name})
    r = ams.post("Programs", {"Name": "p1", "ChannelId": r.json["Id"], "AssetId": asset["Id"],
                              "ArchiveWindowLength": "PT5M"})
    assert r.status == 202, r
    status, _, lo = arm.req("GET", "liveEvents/%s/liveOutputs/p1" % name)
    assert status == 200 and lo["properties"]["assetName"] == "v2arch-" + name, lo
    assert lo["id"].endswith("/liveEvents/%s/liveOutputs/p1" % name)
    finish(arm, *arm.req("DELETE", "liveEvents/%s/liveOutputs/p1" % name),
           ops="liveOutputOperations", expect=(202,))
    finish(arm, *arm.req("DELETE", "liveEvents/" + name), expect=(202,))
    assert [c for c in ams.values("Channels") if c["Name"] == name] == []
