"""mediaplaned: Jobs, Tasks, JobTemplates, TaskTemplates, CancelJob and
EncodingReservedUnitTypes through the API — creation in both JSON formats,
every validation rule with its status, output assets, cancel and delete
rules.  The scheduler is paused (CurrentReservedUnits 0) while these run, so
jobs stay Queued; tests/integration/test_jobs_run.py runs them."""

import re
import urllib.parse
import uuid

import pytest

MES_ID = "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56"
GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PRESET = "H264 Single Bitrate 720p"


def body(inputs=("JobInputAsset(0)",), outputs=(("JobOutputAsset(0)", ""),)):
    xml = "<taskBody>"
    xml += "".join("<inputAsset>%s</inputAsset>" % i for i in inputs)
    for ref, attrs in outputs:
        xml += "<outputAsset%s>%s</outputAsset>" % (attrs, ref)
    return xml + "</taskBody>"


def asset_uri(ams, asset_id):
    return {"__metadata": {"uri": ams.api + "Assets" + ams.key(asset_id)}}


def task(task_body=None, **kw):
    return dict({"Configuration": PRESET, "MediaProcessorId": MES_ID,
                 "TaskBody": task_body or body()}, **kw)


def job_body(ams, inputs, tasks, **kw):
    return dict({"Name": "job", "InputMediaAssets": [asset_uri(ams, a) for a in inputs],
                 "Tasks": tasks}, **kw)


@pytest.fixture
def paused(ams):
    """Scheduler paused: jobs created here stay Queued."""
    ru = ams.values("EncodingReservedUnitTypes")[0]
    key = "(guid'%s')" % ru["AccountId"]
    assert ams.merge("EncodingReservedUnitTypes" + key, {"CurrentReservedUnits": 0}).status == 204
    yield ams
    assert ams.merge("EncodingReservedUnitTypes" + key,
                     {"CurrentReservedUnits": ru["CurrentReservedUnits"]}).status == 204


@pytest.fixture
def source(paused):
    return paused.upload_asset("source", {"clip.mp4": b"not really a movie"})


def error_of(r, status):
    assert r.status == status, r
    err = r.json["odata.error"]
    assert err["message"]["lang"] == "en-US"
    return err["message"]["value"]


def test_create_job_inline_json_light(paused, source):
    ams = paused
    r = ams.post("Jobs", job_body(ams, [source["Id"]], [task(Name="enc", Priority=3)],
                                  Priority=5))
    assert r.status == 201, r
    job = r.json
    assert re.fullmatch("nb:jid:UUID:" + GUID, job["Id"])
    assert job["State"] == 0 and job["Priority"] == 5 and job["Name"] == "job"
    assert job["StartTime"] is None and job["EndTime"] is None
    key = ams.key(job["Id"])
    tasks = ams.values("Jobs%s/Tasks" % key)
    assert len(tasks) == 1
    t = tasks[0]
    assert re.fullmatch("nb:tid:UUID:" + GUID, t["Id"])
    assert t["State"] == 0 and t["Name"] == "enc" and t["Priority"] == 3
    assert t["Configuration"] == PRESET and t["MediaProcessorId"] == MES_ID
    assert t["Progress"] == 0 and t["ErrorDetails"] == [] and t["HistoricalEvents"] == []
    ins = ams.values("Jobs%s/InputMediaAssets" % key)
    assert [a["Id"] for a in ins] == [source["Id"]]
    outs = ams.values("Jobs%s/OutputMediaAssets" % key)
    assert len(outs) == 1 and outs[0]["Name"] == "JobOutputAsset(0)_job"
    parents = ams.values("Assets%s/ParentAssets" % ams.key(outs[0]["Id"]))
    assert [p["Id"] for p in parents] == [source["Id"]]
    assert [a["Id"] for a in ams.values("Tasks%s/OutputMediaAssets" % ams.key(t["Id"]))] == \
        [outs[0]["Id"]]
    assert [a["Id"] for a in ams.values("Tasks%s/InputMediaAssets" % ams.key(t["Id"]))] == \
        [source["Id"]]
    # single property, filter, list
    st = ams.get("Jobs%s/State" % key)
    assert st.status == 200 and st.json["value"] == 0
    got = ams.values("Jobs?$filter=" + urllib.parse.quote("Id eq '%s'" % job["Id"]))
    assert [j["Id"] for j in got] == [job["Id"]]
    assert job["Id"] in [j["Id"] for j in ams.all_values("Jobs")]
    assert ams.entity("Tasks", t["Id"]).json["Id"] == t["Id"]


def test_create_job_verbose_with_output_options(paused, source):
    ams = paused
    tb = body(outputs=(("JobOutputAsset(0)",
                        ' assetName="my out" assetCreationOptions="1" assetFormatOption="1"'),))
    b = job_body(ams, [source["Id"]], [task(tb)])
    b["Name"] = None
    r = ams.post("Jobs", b, fmt="verbose")
    assert r.status == 201, r
    d = r.json["d"]
    assert d["__metadata"]["type"] == "Microsoft.Cloud.Media.Vod.Rest.Data.Models.Job"
    assert d["Tasks"]["__deferred"]["uri"].endswith("/Tasks")
    outs = ams.values("Jobs%s/OutputMediaAssets" % ams.key(d["Id"]))
    assert outs[0]["Name"] == "my out" and outs[0]["Options"] == 1 \
        and outs[0]["FormatOption"] == 1
    lst = ams.get("Jobs%s/Tasks" % ams.key(d["Id"]), fmt="verbose").json["d"]["results"]
    assert lst[0]["HistoricalEvents"]["results"] == []


def test_default_output_name_uses_id_without_name(paused, source):
    ams = paused
    b = job_body(ams, [source["Id"]], [task()])
    del b["Name"]
    job = ams.create("Jobs", b)
    outs = ams.values("Jobs%s/OutputMediaAssets" % ams.key(job["Id"]))
    assert outs[0]["Name"] == "JobOutputAsset(0)_" + job["Id"]


def test_chained_tasks_and_two_outputs(paused, source):
    ams = paused
    t1 = task(body(outputs=(("JobOutputAsset(0)", ' assetName="first"'),)))
    t2 = task(body(inputs=("JobOutputAsset(0)",),
                   outputs=(("JobOutputAsset(1)", ' assetName="second"'),)))
    job = ams.create("Jobs", job_body(ams, [source["Id"]], [t1, t2]))
    outs = {a["Name"]: a["Id"] for a in ams.values("Jobs%s/OutputMediaAssets" % ams.key(job["Id"]))}
    assert set(outs) == {"first", "second"}
    tasks = ams.values("Jobs%s/Tasks" % ams.key(job["Id"]))
    second = [t for t in tasks if "JobOutputAsset(1)" in t["TaskBody"]][0]
    assert [a["Id"] for a in ams.values("Tasks%s/InputMediaAssets" % ams.key(second["Id"]))] == \
        [outs["first"]]


def test_navigations_keep_job_order(paused, source):
    """Jobs('…')/OutputMediaAssets lists JobOutputAsset(0..n) in that order,
    Tasks in task order and InputMediaAssets in the job's order, as SDKs index
    them (job.OutputMediaAssets[0]); ids are random, so key order would mix
    6 outputs up with probability 719/720."""
    ams = paused
    other = ams.upload_asset("second source", {"b.mp4": b"x"})
    tasks = [task(body(inputs=("JobInputAsset(%d)" % (i % 2),),
                       outputs=(("JobOutputAsset(%d)" % i, ' assetName="out-%d"' % i),)),
                  Name="task-%d" % i) for i in range(6)]
    job = ams.create("Jobs", job_body(ams, [other["Id"], source["Id"]], tasks))
    k = ams.key(job["Id"])
    assert [a["Name"] for a in ams.values("Jobs%s/OutputMediaAssets" % k)] == \
        ["out-%d" % i for i in range(6)]
    assert [t["Name"] for t in ams.values("Jobs%s/Tasks" % k)] == ["task-%d" % i for i in range(6)]
    assert [a["Id"] for a in ams.values("Jobs%s/InputMediaAssets" % k)] == [other["Id"], source["Id"]]
    assert [a["Name"] for a in ams.values("Jobs%s/OutputMediaAssets?$top=2&$skip=3" % k)] == \
        ["out-3", "out-4"]


@pytest.mark.parametrize("case, status, needle", [
    ("bad_xml", 400, "TaskBody"),
    ("bad_index", 400, "JobInputAsset(1)"),
    ("unknown_processor", 400, "MediaProcessorId"),
    ("bad_preset", 400, "Configuration"),
    ("cycle", 400, "cycle"),
    ("too_many_tasks", 400, "30"),
    ("missing_inputs", 400, "InputMediaAssets"),
    ("unknown_input", 400, "does not exist"),
    ("missing_taskbody", 400, "TaskBody"),
    ("no_tasks", 400, "Tasks"),
    ("bad_options", 400, "Options"),
    ("bad_subscription", 400, "NotificationEndPointId"),
    ("unknown_endpoint", 400, "existing NotificationEndPoint"),
    ("bad_target_state", 400, "TargetJobState"),
    ("output_gap", 400, "JobOutputAsset"),
    ("unknown_property", 400, "Bogus"),
])
def test_job_validation(paused, source, case, status, needle):
    ams = paused
    inputs = [source["Id"]]
    tasks = [task()]
    extra = {}
    if case == "bad_xml":
        tasks = [task("<taskBody><inputAsset>JobInputAsset(0)</inputAsset>")]
    elif case == "bad_index":
        tasks = [task(body(inputs=("JobInputAsset(1)",)))]
    elif case == "unknown_processor":
        tasks = [task(MediaProcessorId="nb:mpid:UUID:00000000-0000-0000-0000-000000000000")]
    elif case == "bad_preset":
        tasks = [task(Configuration="H264 Imaginary Bitrate 9000p")]
    elif case == "cycle":
        tasks = [task(body(inputs=("JobOutputAsset(1)",), outputs=(("JobOutputAsset(0)", ""),))),
                 task(body(inputs=("JobOutputAsset(0)",), outputs=(("JobOutputAsset(1)", ""),)))]
    elif case == "too_many_tasks":
        tasks = [task(body(outputs=(("JobOutputAsset(%d)" % i, ""),))) for i in range(31)]
    elif case == "missing_inputs":
        inputs = []
    elif case == "unknown_input":
        inputs = ["nb:cid:UUID:%s" % uuid.uuid4()]
    elif case == "missing_taskbody":
        t = task()
        del t["TaskBody"]
        tasks = [t]
    elif case == "no_tasks":
        tasks = []
    elif case == "bad_options":
        tasks = [task(Options=8)]
    elif case == "bad_subscription":
        extra = {"JobNotificationSubscriptions": [{"NotificationEndPointId": "nope",
                                                   "TargetJobState": 1}]}
    elif case == "unknown_endpoint":
        extra = {"JobNotificationSubscriptions": [
            {"NotificationEndPointId": "nb:nepid:UUID:%s" % uuid.uuid4(), "TargetJobState": 1}]}
    elif case == "bad_target_state":
        ep = ams.create("NotificationEndPoints", {"Name": "hook", "EndPointType": 3,
                                                  "EndPointAddress": "http://127.0.0.1:9/x"})
        extra = {"JobNotificationSubscriptions": [
            {"NotificationEndPointId": ep["Id"], "TargetJobState": 7}]}
    elif case == "output_gap":
        tasks = [task(body(outputs=(("JobOutputAsset(1)", ""),)))]
    elif case == "unknown_property":
        extra = {"Bogus": 1}
    # the job's name is unique, and output assets are named after it
    # ("JobOutputAsset(0)_<job name>"): none may exist after the refusal
    name = "rejected-" + uuid.uuid4().hex[:12]
    r = ams.post("Jobs", job_body(ams, inputs, tasks, **dict({"Name": name}, **extra)))
    assert needle in error_of(r, status)
    mine = "Assets?$filter=" + urllib.parse.quote("substringof('%s', Name)" % name)
    assert ams.values(mine) == []


def test_subscriptions_stored(paused, source):
    ams = paused
    ep = ams.create("NotificationEndPoints", {"Name": "hook", "EndPointType": 3,
                                              "EndPointAddress": "http://127.0.0.1:9/x"})["Id"]
    t = task(TaskNotificationSubscriptions=[{"NotificationEndPointId": ep,
                                             "IncludeTaskProgress": True, "TargetTaskState": 2}])
    job = ams.create("Jobs", job_body(ams, [source["Id"]], [t], JobNotificationSubscriptions=[
        {"NotificationEndPointId": ep, "TargetJobState": 1}]))
    assert job["JobNotificationSubscriptions"] == [{"NotificationEndPointId": ep,
                                                    "TargetJobState": 1}]
    tk = ams.values("Jobs%s/Tasks" % ams.key(job["Id"]))[0]
    assert tk["TaskNotificationSubscriptions"][0]["IncludeTaskProgress"] is True


def test_tasks_are_made_with_jobs_only(paused, source):
    ams = paused
    r = ams.post("Tasks", task())
    assert r.status == 405
    job = ams.create("Jobs", job_body(ams, [source["Id"]], [task()]))
    t = ams.values("Jobs%s/Tasks" % ams.key(job["Id"]))[0]
    assert ams.merge("Tasks" + ams.key(t["Id"]), {"Name": "x"}).status == 400
    assert ams.delete("Tasks" + ams.key(t["Id"])).status == 405


def test_merge_only_while_queued_and_cancel_rules(paused, source):
    ams = paused
    job = ams.create("Jobs", job_body(ams, [source["Id"]], [task()]))
    key = ams.key(job["Id"])
    assert ams.merge("Jobs" + key, {"Name": "renamed", "Priority": 9}).status == 204
    got = ams.get("Jobs" + key).json
    assert got["Name"] == "renamed" and got["Priority"] == 9
    # not final: cannot delete; the input cannot be deleted either
    assert "CancelJob" in error_of(ams.delete("Jobs" + key), 400)
    assert job["Id"] in error_of(ams.delete("Assets" + ams.key(source["Id"])), 400)
    outs = ams.values("Jobs%s/OutputMediaAssets" % key)
    assert "output" in error_of(ams.delete("Assets" + ams.key(outs[0]["Id"])), 400)
    # cancel a queued job: straight to Canceled
    r = ams.get("CancelJob?jobid=%s" % urllib.parse.quote("'%s'" % job["Id"]))
    assert r.status == 204, r
    got = ams.get("Jobs" + key).json
    assert got["State"] == 5 and got["EndTime"] is not None
    t = ams.values("Jobs%s/Tasks" % key)[0]
    assert t["State"] == 5 and t["HistoricalEvents"][-1]["Code"] == "Canceled"
    # final now: cancel again is 400, merge is 400, delete works (tasks go, outputs stay)
    assert "Canceled" in error_of(ams.get("CancelJob?jobid='%s'" % job["Id"]), 400)
    assert ams.merge("Jobs" + key, {"Priority": 1}).status == 400
    assert ams.delete("Jobs" + key).status == 204
    assert ams.get("Jobs" + key).status == 404
    assert ams.entity("Tasks", t["Id"]).status == 404
    assert ams.entity("Assets", outs[0]["Id"]).status == 200
    assert ams.delete("Assets" + ams.key(outs[0]["Id"])).status == 204
    # errors of the function itself
    assert ams.get("CancelJob").status == 400
    assert ams.get("CancelJob?jobid='nb:jid:UUID:%s'" % uuid.uuid4()).status == 404


def template_body(ttids, n_inputs=1):
    xml = '<?xml version="1.0" encoding="utf-16"?><jobTemplate>'
    for i, tt in enumerate(ttids):
        src = "JobInputAsset(0)" if i == 0 else "JobOutputAsset(%d)" % (i - 1)
        xml += ('<taskBody taskTemplateId="%s"><inputAsset>%s</inputAsset>'
                '<outputAsset>JobOutputAsset(%d)</outputAsset></taskBody>' % (tt, src, i))
    return xml + "</jobTemplate>"


def test_job_templates_and_jobs_from_them(paused, source):
    ams = paused
    tt1, tt2 = ("nb:ttid:UUID:%s" % uuid.uuid4() for _ in range(2))
    tpl = {"Name": "two steps", "JobTemplateBody": template_body([tt1, tt2]),
           "NumberofInputAssets": 1, "TemplateType": 1,
           "TaskTemplates": [
               {"Id": tt1, "Name": "first", "Configuration": PRESET, "MediaProcessorId": MES_ID,
                "NumberofInputAssets": 1, "NumberofOutputAssets": 1, "Options": 2},
               {"Id": tt2, "Name": "second", "Configuration": "Adaptive Streaming",
                "MediaProcessorId": MES_ID, "NumberofInputAssets": 1,
                "NumberofOutputAssets": 1}]}
    r = ams.post("JobTemplates", tpl, fmt="verbose")
    assert r.status == 201, r
    jt = r.json["d"]
    assert re.fullmatch("nb:jtid:UUID:" + GUID, jt["Id"])
    tts = ams.values("JobTemplates%s/TaskTemplates" % ams.key(jt["Id"]))
    assert sorted(t["Id"] for t in tts) == sorted([tt1, tt2])
    assert ams.entity("TaskTemplates", tt1).json["Name"] == "first"
    # a job from the template: tasks instantiated, TaskBody rendered from the template's
    job = ams.create("Jobs", {"Name": "from template", "TemplateId": jt["Id"],
                              "InputMediaAssets": [asset_uri(ams, source["Id"])]})
    assert job["TemplateId"] == jt["Id"]
    tasks = sorted(ams.values("Jobs%s/Tasks" % ams.key(job["Id"])), key=lambda t: t["Name"])
    assert [t["Name"] for t in tasks] == ["first", "second"]
    assert tasks[0]["Options"] == 2 and tasks[1]["Configuration"] == "Adaptive Streaming"
    assert "JobOutputAsset(0)" in tasks[1]["TaskBody"]
    assert len(ams.values("Jobs%s/OutputMediaAssets" % ams.key(job["Id"]))) == 2
    # template errors
    r = ams.post("Jobs", {"TemplateId": "nb:jtid:UUID:%s" % uuid.uuid4(),
                          "InputMediaAssets": [asset_uri(ams, source["Id"])]})
    assert "TemplateId" in error_of(r, 400)
    ams.get("CancelJob?jobid='%s'" % job["Id"])
    assert ams.delete("Jobs" + ams.key(job["Id"])).status == 204
    assert ams.delete("JobTemplates" + ams.key(jt["Id"])).status == 204
    assert ams.entity("TaskTemplates", tt1).status == 404


@pytest.mark.parametrize("case, status, needle", [
    ("unknown_task_template", 400, "JobTemplateBody"),
    ("count_mismatch", 400, "JobTemplateBody"),
    ("bad_preset", 400, "Configuration"),
    ("no_task_templates", 400, "TaskTemplates"),
    ("bad_tt_id", 400, "nb:ttid"),
])
def test_job_template_validation(paused, case, status, needle):
    ams = paused
    tt = "nb:ttid:UUID:%s" % uuid.uuid4()
    tts = [{"Id": tt, "Configuration": PRESET, "MediaProcessorId": MES_ID,
            "NumberofInputAssets": 1, "NumberofOutputAssets": 1}]
    jtb = template_body([tt])
    if case == "unknown_task_template":
        jtb = template_body(["nb:ttid:UUID:%s" % uuid.uuid4()])
    elif case == "count_mismatch":
        tts[0]["NumberofOutputAssets"] = 2
    elif case == "bad_preset":
        tts[0]["Configuration"] = "no such preset"
    elif case == "no_task_templates":
        tts = []
    elif case == "bad_tt_id":
        tts[0]["Id"] = "nb:tid:UUID:%s" % uuid.uuid4()
    r = ams.post("JobTemplates", {"Name": "bad", "JobTemplateBody": jtb, "TaskTemplates": tts})
    assert needle in error_of(r, status)


def test_encoding_reserved_unit_types(paused):
    ams = paused
    rows = ams.values("EncodingReservedUnitTypes")
    assert len(rows) == 1
    ru = rows[0]
    assert re.fullmatch(GUID, ru["AccountId"])
    assert ru["MaxReservableUnits"] == 10 and ru["ReservedUnitType"] == 0
    key = "(guid'%s')" % ru["AccountId"]
    assert ams.get("EncodingReservedUnitTypes" + key).json["AccountId"] == ru["AccountId"]
    r = ams.get("EncodingReservedUnitTypes" + key, fmt="verbose")
    assert r.json["d"]["__metadata"]["type"].endswith("EncodingReservedUnitType")
    assert ams.merge("EncodingReservedUnitTypes" + key,
                     {"ReservedUnitType": 2, "CurrentReservedUnits": 0}).status == 204
    got = ams.get("EncodingReservedUnitTypes" + key).json
    assert got["ReservedUnitType"] == 2 and got["CurrentReservedUnits"] == 0
    assert ams.merge("EncodingReservedUnitTypes" + key, {"CurrentReservedUnits": 11}).status == 403
    assert ams.merge("EncodingReservedUnitTypes" + key, {"ReservedUnitType": 3}).status == 400
    assert ams.merge("EncodingReservedUnitTypes" + key, {"ReservedUnitType": 0}).status == 204
    assert ams.post("EncodingReservedUnitTypes", {}).status == 405
    assert ams.delete("EncodingReservedUnitTypes" + key).status == 405
    assert ams.get("EncodingReservedUnitTypes(guid'%s')" % uuid.uuid4()).status == 404
