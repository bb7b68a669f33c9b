"""StreamingEndpoints and Operations: the default endpoint, create / update /
delete, Start / Stop / Scale as long-running operations (202 + operation-id,
polled through /api/Operations), and what the origin does with each endpoint
in catalog mode — 503 when stopped, 403 outside the IP allow list,
CacheControl.MaxAge as Cache-Control, cross-site policy documents, Host
routing to custom host names — visible to the next request, no reload."""

import re
import time
import uuid

import pytest

from media import http_get

CROSS_DOMAIN = ('<?xml version="1.0"?><!DOCTYPE cross-domain-policy SYSTEM '
                '"http://www.macromedia.com/xml/dtds/cross-domain-policy.dtd">'
                '<cross-domain-policy><allow-access-from domain="*" /></cross-domain-policy>')
CLIENT_ACCESS = ('<?xml version="1.0" encoding="utf-8"?><access-policy><cross-domain-access>'
                 '<policy><allow-from http-request-headers="*"><domain uri="*"/></allow-from>'
                 '<grant-to><resource path="/" include-subpaths="true"/></grant-to></policy>'
                 '</cross-domain-access></access-policy>')


def default_endpoint(ams):
    eps = [e for e in ams.values("StreamingEndpoints") if e["Name"] == "default"]
    assert len(eps) == 1, eps
    return eps[0]


def wait_operation(ams, r, timeout=5.0):
    """The answer of an async call: 202 + operation-id; polls it to the end."""
    assert r.status == 202, r
    op_id = r.headers["operation-id"]
    assert op_id.startswith("nb:opid:UUID:")
    deadline = time.time() + timeout
    while True:
        op = ams.entity("Operations", op_id)
        assert op.status == 200, op
        if op.json["State"] != "InProgress" or time.time() > deadline:
            return op.json
        time.sleep(0.05)


def action(ams, ep_id, name, body=None):
    return ams.post("StreamingEndpoints%s/%s" % (ams.key(ep_id), name), body)


def state(ams, ep_id):
    return ams.entity("StreamingEndpoints", ep_id).json["State"]


def new_endpoint(ams, **props):
    body = {"Name": "se%s" % uuid.uuid4().hex[:10]}
    body.update(props)
    r = ams.post("StreamingEndpoints", body)
    op = wait_operation(ams, r)
    assert op["State"] == "Succeeded", op
    assert op["TargetEntityId"] == r.json["Id"]
    return r.json


def wait_status(url, want, headers=None, timeout=3.0):
    deadline = time.time() + timeout
    got = None
    while time.time() < deadline:
        got = http_get(url, headers=headers)
        if got.status == want:
            return got
        time.sleep(0.05)
    raise AssertionError("%s: %s after %.1fs, wanted %s" % (url, got.status, timeout, want))


# ---------------------------------------------------------------- API


def test_default_endpoint_exists_and_cannot_be_deleted(ams, platform):
    ep = default_endpoint(ams)
    assert ep["Id"].startswith("nb:oid:UUID:")
    assert ep["State"] == "Running"
    assert ep["HostName"] == platform.origin.base.split("://", 1)[1]
    assert ep["CustomHostNames"] == [] and ep["ScaleUnits"] == 0
    r = ams.delete("StreamingEndpoints" + ams.key(ep["Id"]))
    assert r.status == 400 and "default" in r.error_message()
    assert state(ams, ep["Id"]) == "Running"


def test_create_get_list_update_delete(ams):
    ep = new_endpoint(ams, Description="second", CustomHostNames=["Video.Example.COM"],
                      CacheControl={"MaxAge": 60})
    assert ep["State"] == "Stopped"                   # AMS: created stopped
    assert ep["HostName"].startswith(ep["Name"].lower() + ".")
    got = ams.entity("StreamingEndpoints", ep["Id"]).json
    assert got["Description"] == "second" and got["CacheControl"] == {"MaxAge": "60"}
    assert ep["Id"] in [e["Id"] for e in ams.values("StreamingEndpoints")]
    verbose = ams.get("StreamingEndpoints" + ams.key(ep["Id"]), fmt="verbose").json["d"]
    assert verbose["Name"] == ep["Name"]

    r = ams.merge("StreamingEndpoints" + ams.key(ep["Id"]), {"Description": "changed"})
    assert r.status == 204, r
    assert ams.entity("StreamingEndpoints", ep["Id"]).json["Description"] == "changed"
    r = ams.merge("StreamingEndpoints" + ams.key(ep["Id"]), {"ScaleUnits": 3})
    assert r.status == 400, r                         # through Scale only

    op = wait_operation(ams, ams.delete("StreamingEndpoints" + ams.key(ep["Id"])))
    assert op["State"] == "Succeeded"
    assert ams.entity("StreamingEndpoints", ep["Id"]).status == 404


@pytest.mark.parametrize("body,code", [
    ({"Name": "bad name"}, 400),
    ({"Name": "-dash"}, 400),
    ({"Name": "x" * 25}, 400),
    ({"Name": "default"}, 409),
    ({"Name": "okname1", "CrossSiteAccessPolicies": {"CrossDomainPolicy": "<a><b></a>"}}, 400),
    ({"Name": "okname2", "CrossSiteAccessPolicies": {"ClientAccessPolicy": "not xml"}}, 400),
    ({"Name": "okname3", "AccessControl": {"IP": {"Allow": [{"Name": "x", "Address": "300.1.1.1"}]}}}, 400),
    ({"Name": "okname4", "AccessControl": {"IP": {"Allow": [{"Address": "10.0.0.0",
                                                             "SubnetPrefixLength": 33}]}}}, 400),
    ({"Name": "okname5", "AccessControl": {"Akamai": {"AkamaiSignatureHeaderAuthenticationKeyList": [
        {"Identifier": "id1", "Base64Key": "AAAA", "Expiration": "2030-01-01T00:00:00Z"}]}}}, 400),
    ({"Name": "okname6", "CacheControl": {"MaxAge": -1}}, 400),
    ({"Name": "okname7", "ScaleUnits": 11}, 400),
    ({"Name": "okname8", "CustomHostNames": ["bad host/x"]}, 400),
    ({"Name": "okname9", "State": "Running", "Bogus": 1}, 400),
])
def test_invalid_endpoints_are_refused(ams, body, code):
    r = ams.post("StreamingEndpoints", body)
    assert r.status == code, (body, r)
    assert r.error_message()


def test_custom_host_names_are_unique(ams):
    a = new_endpoint(ams, CustomHostNames=["dup.example"])
    r = ams.post("StreamingEndpoints", {"Name": "dupother", "CustomHostNames": ["DUP.example"]})
    assert r.status == 409, r
    wait_operation(ams, ams.delete("StreamingEndpoints" + ams.key(a["Id"])))


def test_start_stop_scale_operations(ams):
    ep = new_endpoint(ams)
    eid = ep["Id"]
    assert action(ams, eid, "Stop").status == 400                # already stopped
    op = wait_operation(ams, action(ams, eid, "Start"))
    assert op["State"] == "Succeeded" and op["TargetEntityId"] == eid
    assert op["ErrorCode"] is None
    assert state(ams, eid) == "Running"
    assert action(ams, eid, "Start").status == 400               # already running
    assert ams.delete("StreamingEndpoints" + ams.key(eid)).status == 400   # running

    op = wait_operation(ams, action(ams, eid, "Scale", {"scaleUnit": 2}))
    assert op["State"] == "Succeeded"
    got = ams.entity("StreamingEndpoints", eid).json
    assert got["State"] == "Running" and got["ScaleUnits"] == 2
    assert action(ams, eid, "Scale", {"scaleUnit": 99}).status == 400
    assert action(ams, eid, "Scale", {}).status == 400

    assert wait_operation(ams, action(ams, eid, "Stop"))["State"] == "Succeeded"
    assert state(ams, eid) == "Stopped"
    ops = ams.all_values("Operations")
    assert len([o for o in ops if o["TargetEntityId"] == eid]) >= 4
    assert ams.post("Operations", {"State": "Succeeded"}).status == 405     # read-only
    wait_operation(ams, ams.delete("StreamingEndpoints" + ams.key(eid)))


def test_unknown_endpoint_and_operation(ams):
    missing = "nb:oid:UUID:00000000-0000-0000-0000-000000000001"
    assert action(ams, missing, "Start").status == 404
    assert ams.entity("Operations", "nb:opid:UUID:00000000-0000-0000-0000-000000000001").status == 404


# ---------------------------------------------------------------- origin


@pytest.fixture(scope="module")
def published(platform, abr_set):
    ams = platform.client()
    files = {abr_set.ism.name: abr_set.ism}
    files.update({p.name: p for p in abr_set.files})
    asset = ams.upload_asset("epabr", files, block_size=256 * 1024)
    loc = ams.publish(asset["Id"])
    return loc["Path"] + abr_set.ism.name + "/Manifest(format=mpd-time-csf)"


@pytest.fixture
def default_ep(ams):
    """The default endpoint, restored (Running, no restrictions) afterwards:
    the platform is shared with the other test modules."""
    ep = default_endpoint(ams)
    yield ep
    path = "StreamingEndpoints" + ams.key(ep["Id"])
    if state(ams, ep["Id"]) == "Stopped":
        wait_operation(ams, action(ams, ep["Id"], "Start"))
    r = ams.merge(path, {"AccessControl": None, "CacheControl": None,
                         "CrossSiteAccessPolicies": None})
    assert r.status == 204, r
    assert state(ams, ep["Id"]) == "Running"


def test_stop_answers_503_and_start_plays_again(ams, default_ep, published):
    assert http_get(published).status == 200
    assert wait_operation(ams, action(ams, default_ep["Id"], "Stop"))["State"] == "Succeeded"
    r = wait_status(published, 503, timeout=1.0)
    assert b"<MPD" not in r.body
    assert wait_operation(ams, action(ams, default_ep["Id"], "Start"))["State"] == "Succeeded"
    r = wait_status(published, 200, timeout=1.0)
    assert b"<MPD" in r.body


def test_ip_allow_list(ams, default_ep, published):
    path = "StreamingEndpoints" + ams.key(default_ep["Id"])
    others = {"IP": {"Allow": [{"Name": "lan", "Address": "192.168.0.0", "SubnetPrefixLength": 16},
                               {"Name": "v6", "Address": "2001:db8::", "SubnetPrefixLength": 32}]}}
    assert ams.merge(path, {"AccessControl": others}).status == 204
    wait_status(published, 403, timeout=1.0)
    mine = {"IP": {"Allow": [{"Name": "lan", "Address": "192.168.0.0", "SubnetPrefixLength": 16},
                             {"Name": "loopback", "Address": "127.0.0.0", "SubnetPrefixLength": 8}]}}
    assert ams.merge(path, {"AccessControl": mine}).status == 204
    wait_status(published, 200, timeout=1.0)
    exact = {"IP": {"Allow": [{"Name": "me", "Address": "127.0.0.1"}]}}
    assert ams.merge(path, {"AccessControl": exact}).status == 204
    assert http_get(published).status == 200
    # the API behind the same nginx is not subject to the streaming allow list
    assert ams.merge(path, {"AccessControl": others}).status == 204
    wait_status(published, 403, timeout=1.0)


def test_cache_control_max_age(ams, default_ep, published):
    path = "StreamingEndpoints" + ams.key(default_ep["Id"])
    before = http_get(published).headers["Cache-Control"]
    assert before == "max-age=2"                        # mediaplane_manifest_max_age default
    assert ams.merge(path, {"CacheControl": {"MaxAge": "1234"}}).status == 204
    deadline = time.time() + 1.0
    while http_get(published).headers["Cache-Control"] != "max-age=1234":
        assert time.time() < deadline, "MaxAge not honoured within a second"
        time.sleep(0.05)
    bandwidth = re.search(rb'bandwidth="(\d+)"', http_get(published).body).group(1).decode()
    init = published.replace("Manifest(format=mpd-time-csf)",
                             "QualityLevels(%s)/Fragments(video=i,format=mpd-time-csf)" % bandwidth)
    r = http_get(init)
    assert r.status == 200 and r.headers["Cache-Control"] == "max-age=1234"
    assert ams.merge(path, {"CacheControl": None}).status == 204
    deadline = time.time() + 1.0
    while http_get(published).headers["Cache-Control"] != "max-age=2":
        assert time.time() < deadline, "MaxAge removal not seen within a second"
        time.sleep(0.05)
    assert http_get(init).headers["Cache-Control"] == "max-age=86400"   # segment default


def test_cross_site_policies(ams, default_ep, platform):
    base = platform.origin.base
    path = "StreamingEndpoints" + ams.key(default_ep["Id"])
    assert http_get(base + "/crossdomain.xml").status == 404
    assert http_get(base + "/clientaccesspolicy.xml").status == 404
    policies = {"CrossDomainPolicy": CROSS_DOMAIN, "ClientAccessPolicy": CLIENT_ACCESS}
    assert ams.merge(path, {"CrossSiteAccessPolicies": policies}).status == 204
    r = wait_status(base + "/crossdomain.xml", 200, timeout=1.0)
    assert r.body.decode() == CROSS_DOMAIN and r.headers["Content-Type"].startswith("text/xml")
    r = http_get(base + "/clientaccesspolicy.xml")
    assert r.status == 200 and r.body.decode() == CLIENT_ACCESS
    assert ams.merge(path, {"CrossSiteAccessPolicies": {"CrossDomainPolicy": CROSS_DOMAIN}}).status == 204
    wait_status(base + "/clientaccesspolicy.xml", 404, timeout=1.0)
    assert http_get(base + "/crossdomain.xml").status == 200


def test_custom_host_name_routes_to_its_endpoint(ams, default_ep, published):
    host = "cdn-%s.example.net" % uuid.uuid4().hex[:8]
    ep = new_endpoint(ams, CustomHostNames=[host])
    eid = ep["Id"]
    try:
        # stopped: requests for its host name answer 503, the default still plays
        wait_status(published, 503, headers={"Host": host}, timeout=1.0)
        assert http_get(published).status == 200
        wait_operation(ams, action(ams, eid, "Start"))
        wait_status(published, 200, headers={"Host": host + ":8080"}, timeout=1.0)
        wait_status(published, 200, headers={"Host": host.upper()}, timeout=1.0)
        # its own rules apply to its host name only
        path = "StreamingEndpoints" + ams.key(eid)
        deny = {"IP": {"Allow": [{"Name": "far", "Address": "10.9.0.0", "SubnetPrefixLength": 16}]}}
        assert ams.merge(path, {"AccessControl": deny, "CacheControl": {"MaxAge": 77}}).status == 204
        wait_status(published, 403, headers={"Host": host}, timeout=1.0)
        assert http_get(published).status == 200
        assert ams.merge(path, {"AccessControl": None}).status == 204
        r = wait_status(published, 200, headers={"Host": host}, timeout=1.0)
        assert r.headers["Cache-Control"] == "max-age=77"
        assert http_get(published).headers["Cache-Control"] == "max-age=2"
        # its derived HostName routes too
        r = wait_status(published, 200, headers={"Host": ep["HostName"]}, timeout=1.0)
        assert r.headers["Cache-Control"] == "max-age=77"
        wait_operation(ams, action(ams, eid, "Stop"))
    finally:
        if state(ams, eid) == "Running":
            wait_operation(ams, action(ams, eid, "Stop"))
        wait_operation(ams, ams.delete("StreamingEndpoints" + ams.key(eid)))
    # deleted: its host name falls back to the default endpoint
    wait_status(published, 200, headers={"Host": host}, timeout=1.0)
    assert http_get(published, headers={"Host": host}).headers["Cache-Control"] == "max-age=2"
