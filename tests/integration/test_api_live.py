"""Channels and Programs (AMS v2 live): creation rules, the state machines
of Start / Stop / Reset as long-running operations (202 + operation-id,
polled through /api/Operations), Input.Endpoints filled while running, the
limits (names, ArchiveWindowLength 5 min - 25 h, 3 running programs per
channel, Stop refused while a program runs), and state kept across a
daemon restart.  RTMP ingest itself: test_live_ingest.py."""

import re
import uuid

import pytest

from test_api_streaming_endpoints import wait_operation

OPEN_INPUT = {"StreamingProtocol": "RTMP", "KeyFrameInterval": "PT2S",
              "AccessControl": {"IP": {"Allow": [{"Name": "any", "Address": "0.0.0.0",
                                                  "SubnetPrefixLength": 0}]}}}


def new_channel(ams, **props):
    body = {"Name": "ch-%s" % uuid.uuid4().hex[:12], "Input": OPEN_INPUT}
    body.update(props)
    r = ams.post("Channels", body)
    op = wait_operation(ams, r)
    assert op["State"] == "Succeeded", op
    return r.json


def act(ams, set_name, entity_id, name):
    return ams.post("%s%s/%s" % (set_name, ams.key(entity_id), name))


def run(ams, set_name, entity_id, name):
    op = wait_operation(ams, act(ams, set_name, entity_id, name))
    assert op["State"] == "Succeeded", op
    return ams.entity(set_name, entity_id).json


def new_program(ams, channel_id, **props):
    asset = ams.create("Assets", {"Name": "archive-%s" % uuid.uuid4().hex[:8]})
    body = {"Name": "pg-%s" % uuid.uuid4().hex[:10], "ChannelId": channel_id,
            "AssetId": asset["Id"], "ArchiveWindowLength": "PT1H"}
    body.update(props)
    r = ams.post("Programs", body)
    op = wait_operation(ams, r)
    assert op["State"] == "Succeeded", op
    return r.json


def fails(r, status, pattern):
    assert r.status == status, r
    assert re.search(pattern, r.error_message()), r.error_message()


# ---------------------------------------------------------------- channels


def test_channel_created_stopped_without_endpoints(ams):
    ch = new_channel(ams, Description="studio 1")
    assert ch["Id"].startswith("nb:chid:UUID:")
    got = ams.entity("Channels", ch["Id"]).json
    assert got["State"] == "Stopped"
    assert got["EncodingType"] == "None"
    assert got["Input"]["StreamingProtocol"] == "RTMP"
    assert got["Input"]["Endpoints"] == []
    assert "_token" not in got
    assert any(c["Id"] == ch["Id"] for c in ams.values("Channels"))


@pytest.mark.parametrize("name", ["", "-lead", "has space", "under_score", "x" * 33])
def test_channel_name_rules(ams, name):
    fails(ams.post("Channels", {"Name": name, "Input": OPEN_INPUT}), 400,
          "1-32 letters|longer than 32 characters")


def test_channel_name_at_bound_and_unique(ams):
    name = "c" + uuid.uuid4().hex[:31]           # 32 characters
    new_channel(ams, Name=name)
    fails(ams.post("Channels", {"Name": name.upper(), "Input": OPEN_INPUT}), 409,
          "another channel is named")


def test_channel_input_rules(ams):
    fails(ams.post("Channels", {"Name": "noinput"}), 400, "Input")
    fails(ams.post("Channels", {"Name": "badproto", "Input": {"StreamingProtocol": "HLS"}}), 400,
          "RTMP or FragmentedMP4")
    fails(ams.post("Channels", {"Name": "kfi", "Input": dict(OPEN_INPUT, KeyFrameInterval="PT7S")}),
          400, "KeyFrameInterval")
    bad_ip = {"StreamingProtocol": "RTMP", "AccessControl": {"IP": {"Allow": [{"Address": "300.1.1.1"}]}}}
    fails(ams.post("Channels", {"Name": "badip", "Input": bad_ip}), 400, r"Input.AccessControl.IP.Allow\[0\]")
    fails(ams.post("Channels", {"Name": "enc", "Input": OPEN_INPUT, "EncodingType": "Standard"}), 400,
          "live encoding")
    fails(ams.post("Channels", {"Name": "enc2", "Input": OPEN_INPUT, "EncodingType": "Premium"}), 400,
          "None or Standard")
    fails(ams.post("Channels", {"Name": "hls", "Input": OPEN_INPUT,
                                "Output": {"Hls": {"FragmentsPerSegment": 11}}}), 400,
          "FragmentsPerSegment")


def test_fragmented_mp4_channel_gets_a_smooth_ingest_url(ams):
    """FragmentedMP4 (Smooth ingest, test_live_smooth_ingest.py): the
    endpoint is <streaming_url><token>/ingest.isml while Running, as AMS
    gave it; the protocol cannot change afterwards."""
    ch = new_channel(ams, Input=dict(OPEN_INPUT, StreamingProtocol="FragmentedMP4"))
    got = run(ams, "Channels", ch["Id"], "Start")
    [ep] = got["Input"]["Endpoints"]
    assert ep["Protocol"] == "FragmentedMP4"
    assert re.fullmatch(r"https?://[^/]+/(.*/)?[0-9a-f]{32}/ingest\.isml", ep["Url"]), ep
    fails(ams.merge("Channels%s" % ams.key(ch["Id"]), {"Input": OPEN_INPUT}), 400,
          "StreamingProtocol cannot change")
    got = run(ams, "Channels", ch["Id"], "Stop")
    assert got["Input"]["Endpoints"] == []


def test_channel_start_fills_endpoint_stop_clears_it(ams, platform):
    ch = new_channel(ams)
    r = act(ams, "Channels", ch["Id"], "Start")
    assert r.status == 202 and r.headers["operation-id"].startswith("nb:opid:UUID:")
    op = wait_operation(ams, r)
    assert op["State"] == "Succeeded" and op["TargetEntityId"] == ch["Id"], op
    got = ams.entity("Channels", ch["Id"]).json
    assert got["State"] == "Running"
    [ep] = got["Input"]["Endpoints"]
    assert ep["Protocol"] == "RTMP"
    assert re.fullmatch(r"rtmp://127\.0\.0\.1:1935/live/[0-9a-f]{32}", ep["Url"]), ep
    fails(act(ams, "Channels", ch["Id"], "Start"), 400, "is Running, not Stopped")
    fails(ams.delete("Channels%s" % ams.key(ch["Id"])), 400, "must be Stopped")
    # a client cannot set the endpoints
    r = ams.merge("Channels%s" % ams.key(ch["Id"]),
                  {"Input": dict(OPEN_INPUT, Endpoints=[{"Protocol": "RTMP", "Url": "rtmp://evil/"}])})
    assert r.status in (200, 204), r
    assert ams.entity("Channels", ch["Id"]).json["Input"]["Endpoints"] == [ep]
    assert run(ams, "Channels", ch["Id"], "Reset")["State"] == "Running"
    got = run(ams, "Channels", ch["Id"], "Stop")
    assert got["State"] == "Stopped" and got["Input"]["Endpoints"] == []
    fails(act(ams, "Channels", ch["Id"], "Reset"), 400, "not Running")
    fails(act(ams, "Channels", ch["Id"], "Stop"), 400, "is Stopped, not Running")
    # the same token comes back on the next start
    assert run(ams, "Channels", ch["Id"], "Start")["Input"]["Endpoints"] == [ep]
    run(ams, "Channels", ch["Id"], "Stop")
    op = wait_operation(ams, ams.delete("Channels%s" % ams.key(ch["Id"])))
    assert op["State"] == "Succeeded"
    assert ams.entity("Channels", ch["Id"]).status == 404


def test_channel_protocol_cannot_change(ams):
    ch = new_channel(ams)
    fails(ams.merge("Channels%s" % ams.key(ch["Id"]),
                    {"Input": {"StreamingProtocol": "FragmentedMP4"}}), 400, "")


# ---------------------------------------------------------------- programs


def test_program_rules(ams):
    ch = new_channel(ams)
    asset = ams.create("Assets", {"Name": "a"})
    base = {"Name": "p1", "ChannelId": ch["Id"], "AssetId": asset["Id"]}
    for window, ok in (("PT4M59S", False), ("PT5M", True), ("PT25H", True), ("PT25H1S", False),
                       ("P1DT1H", True), ("01:00:00", True), ("ten minutes", False)):
        r = ams.post("Programs", dict(base, Name="w%d" % abs(hash(window)), ArchiveWindowLength=window,
                                      AssetId=ams.create("Assets", {"Name": "w"})["Id"]))
        if ok:
            assert r.status == 202, (window, r)
        else:
            fails(r, 400, "ArchiveWindowLength must be a duration from 5 minutes to 25 hours")
    fails(ams.post("Programs", dict(base, Name="bad name", ArchiveWindowLength="PT1H")), 400,
          "Name must be")
    fails(ams.post("Programs", dict(base, ChannelId="nb:chid:UUID:%s" % uuid.uuid4(),
                                    ArchiveWindowLength="PT1H")), 400, "not an existing Channels")
    fails(ams.post("Programs", dict(base, AssetId="nb:cid:UUID:%s" % uuid.uuid4(),
                                    ArchiveWindowLength="PT1H")), 400, "not an existing Assets")
    fails(ams.post("Programs", dict(base, ManifestName="../x", ArchiveWindowLength="PT1H")), 400,
          "ManifestName")
    p = new_program(ams, ch["Id"], AssetId=asset["Id"])
    assert p["ManifestName"] == p["Name"] and p["State"] == "Stopped"
    fails(ams.post("Programs", dict(base, Name="p2", ArchiveWindowLength="PT1H")), 409,
          "already the archive of another program")
    # navigations
    assert [x["Id"] for x in ams.values("Channels%s/Programs" % ams.key(ch["Id"]))
            if x["Id"] == p["Id"]] == [p["Id"]]
    assert ams.get("Programs%s/Channel" % ams.key(p["Id"])).json["Id"] == ch["Id"]


def test_program_needs_running_channel_and_blocks_stop(ams):
    ch = new_channel(ams)
    p = new_program(ams, ch["Id"])
    fails(act(ams, "Programs", p["Id"], "Start"), 400, "channel must be Running")
    run(ams, "Channels", ch["Id"], "Start")
    assert run(ams, "Programs", p["Id"], "Start")["State"] == "Running"
    fails(act(ams, "Channels", ch["Id"], "Stop"), 400, "1 program.* running: stop them first")
    fails(ams.delete("Programs%s" % ams.key(p["Id"])), 400, "must be Stopped")
    fails(ams.merge("Programs%s" % ams.key(p["Id"]), {"ArchiveWindowLength": "PT2H"}), 400,
          "only while the program is Stopped")
    assert run(ams, "Programs", p["Id"], "Stop")["State"] == "Stopped"
    fails(act(ams, "Programs", p["Id"], "Stop"), 400, "is Stopped, not Running")
    fails(ams.delete("Channels%s" % ams.key(ch["Id"])), 400, "must be Stopped")
    run(ams, "Channels", ch["Id"], "Stop")
    fails(ams.delete("Channels%s" % ams.key(ch["Id"])), 400, "delete them first")
    assert wait_operation(ams, ams.delete("Programs%s" % ams.key(p["Id"])))["State"] == "Succeeded"
    assert wait_operation(ams, ams.delete("Channels%s" % ams.key(ch["Id"])))["State"] == "Succeeded"


def test_at_most_three_running_programs(ams):
    ch = new_channel(ams)
    run(ams, "Channels", ch["Id"], "Start")
    programs = [new_program(ams, ch["Id"]) for _ in range(4)]
    for p in programs[:3]:
        assert run(ams, "Programs", p["Id"], "Start")["State"] == "Running"
    fails(act(ams, "Programs", programs[3]["Id"], "Start"), 400,
          "at most 3 programs of a channel may run at once")
    run(ams, "Programs", programs[0]["Id"], "Stop")
    assert run(ams, "Programs", programs[3]["Id"], "Start")["State"] == "Running"
    for p in programs[1:]:
        run(ams, "Programs", p["Id"], "Stop")
    run(ams, "Channels", ch["Id"], "Stop")


def test_states_survive_a_daemon_restart(ams, platform):
    ch = new_channel(ams)
    run(ams, "Channels", ch["Id"], "Start")
    p = new_program(ams, ch["Id"])
    run(ams, "Programs", p["Id"], "Start")
    url = ams.entity("Channels", ch["Id"]).json["Input"]["Endpoints"][0]["Url"]
    platform.daemon.kill()
    platform.daemon.start()
    ams = platform.client()
    got = ams.entity("Channels", ch["Id"]).json
    assert got["State"] == "Running" and got["Input"]["Endpoints"][0]["Url"] == url
    assert ams.entity("Programs", p["Id"]).json["State"] == "Running"
    run(ams, "Programs", p["Id"], "Stop")
    run(ams, "Channels", ch["Id"], "Stop")


def test_metadata_lists_live_sets(ams):
    r = ams.get("$metadata")
    assert r.status == 200
    text = r.body.decode()
    for name in ("Channels", "Programs"):
        assert 'EntitySet Name="%s"' % name in text
    assert 'NavigationProperty Name="Programs"' in text


def test_channel_preview_and_policies_rules(ams):
    bad_preview = {"AccessControl": {"IP": {"Allow": [{"Address": "1.2.3.4", "SubnetPrefixLength": 33}]}}}
    fails(ams.post("Channels", {"Name": "pv", "Input": OPEN_INPUT, "Preview": bad_preview}), 400,
          r"Preview.AccessControl.IP.Allow\[0\]")
    fails(ams.post("Channels", {"Name": "xs", "Input": OPEN_INPUT,
                                "CrossSiteAccessPolicies": {"CrossDomainPolicy": "<not xml"}}), 400,
          "CrossDomainPolicy is not a well-formed XML document")
    many = {"StreamingProtocol": "RTMP", "AccessControl": {"IP": {"Allow": [
        {"Address": "10.0.0.%d" % i} for i in range(65)]}}}
    fails(ams.post("Channels", {"Name": "many", "Input": many}), 400, "at most 64 IP allow entries")
    many["AccessControl"]["IP"]["Allow"].pop()
    ch = new_channel(ams, Input=many, Preview={"AccessControl": None})
    got = ams.entity("Channels", ch["Id"]).json
    assert len(got["Input"]["AccessControl"]["IP"]["Allow"]) == 64
    assert got["Preview"]["Endpoints"] == []


def test_program_manifest_names_unique_in_channel(ams):
    ch = new_channel(ams)
    new_program(ams, ch["Id"], Name="a1", ManifestName="show")
    asset = ams.create("Assets", {"Name": "x"})
    fails(ams.post("Programs", {"Name": "a2", "ChannelId": ch["Id"], "AssetId": asset["Id"],
                                "ArchiveWindowLength": "PT1H", "ManifestName": "show"}), 409,
          "ManifestName")
    fails(ams.post("Programs", {"Name": "A1", "ChannelId": ch["Id"], "AssetId": asset["Id"],
                                "ArchiveWindowLength": "PT1H"}), 409, "program of this Name")


def test_running_program_asset_takes_an_origin_locator(ams):
    """The archive's .ism is the asset's primary file from Start on, so the
    asset can be published with an origin locator while the program runs."""
    ch = new_channel(ams)
    run(ams, "Channels", ch["Id"], "Start")
    p = new_program(ams, ch["Id"], ManifestName="live1")
    run(ams, "Programs", p["Id"], "Start")
    files = ams.values("Assets%s/Files" % ams.key(p["AssetId"]))
    assert [(f["Name"], f["IsPrimary"]) for f in files] == [("live1.ism", True)]
    loc = ams.publish(p["AssetId"])
    assert loc["Type"] == 2 and loc["Path"].endswith("/")
    run(ams, "Programs", p["Id"], "Stop")
    run(ams, "Channels", ch["Id"], "Stop")


def test_rtmp_callbacks_answer_loopback_peers_only(_prefix_root):
    """The nginx-rtmp callbacks (/rtmp/on_publish …) are for the local
    nginx-rtmp: a daemon listening on every address answers them 403 when the
    TCP peer is not a loopback address."""
    import subprocess
    import urllib.error
    import urllib.request
    from conftest import free_port
    from platform_harness import Daemon
    addrs = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    host = next((a for a in addrs if "." in a and not a.startswith("127.")), None)
    if host is None:
        pytest.skip("no non-loopback IPv4 address on this machine")
    port = free_port()
    d = Daemon(_prefix_root / ("rtmp-peer-%d" % port), port, "http://127.0.0.1:%d" % port,
               extra={"listen": "0.0.0.0:%d" % port}).start()
    try:
        def status(h):
            req = urllib.request.Request("http://%s:%d/rtmp/on_publish" % (h, port),
                                         data=b"app=live&name=x&addr=127.0.0.1", method="POST")
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    return r.status, r.read()
            except urllib.error.HTTPError as e:
                return e.code, e.read()
        code, body = status(host)
        assert code == 403 and b"local nginx-rtmp" in body, (code, body)
        code, body = status("127.0.0.1")
        assert code != 403 or b"local nginx-rtmp" not in body, (code, body)
    finally:
        d.stop()
    assert not d.crashes(), d.crashes()
