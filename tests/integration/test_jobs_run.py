"""mediaplaned's scheduler end to end through the API: a job runs its
encoder, outputs land in the output asset with Files rows (primary .ism),
cancel stops a running encoder, failures fill ErrorDetails and drop (or
keep) outputs, chained tasks wait for each other, jobs from templates run,
a daemon killed mid-task requeues it once, and priorities order the queue.

Everything runs the real build/mediaplane-encoder (the protocol stand-in of
platform_harness is for the API tests only); outputs are played through
nginx with ffmpeg (HLS, DASH) and GStreamer (Smooth)."""

import json
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from clients import decode_ok, gst_play, have_gst, manifest_suffix
from media import FFMPEG
from platform_harness import ENCODER
from webhook_receiver import WebhookReceiver

MES_ID = "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56"
PRESET = "H264 Single Bitrate 720p"
# a configuration (and a 60-s 1080p clip) that keep the encoder busy long
# enough to cancel or kill it
SLOW = "H264 Multiple Bitrate 1080p"
FINAL = {3, 4, 5}


def task_body(inp="JobInputAsset(0)", out="JobOutputAsset(0)", attrs=""):
    return ("<taskBody><inputAsset>%s</inputAsset><outputAsset%s>%s</outputAsset></taskBody>"
            % (inp, attrs, out))


def asset_uri(ams, asset_id):
    return {"__metadata": {"uri": ams.api + "Assets" + ams.key(asset_id)}}


def make_clip(path: Path, seconds=4, size="640x360", audio_only=False):
    if path.exists():
        return path
    cmd = [FFMPEG, "-v", "error", "-y"]
    if not audio_only:
        cmd += ["-f", "lavfi", "-i", "testsrc2=size=%s:rate=30:duration=%d" % (size, seconds)]
    cmd += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=%d" % seconds]
    if not audio_only:
        cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p",
                "-c:a", "aac"]
    cmd.append(str(path))
    subprocess.run(cmd, check=True, timeout=120)
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    if not ENCODER.exists():
        pytest.fail("%s missing: run ./build.sh build" % ENCODER)
    d = tmp_path_factory.mktemp("job-clips")
    return {"clip": make_clip(d / "clip.mp4"),
            "long": make_clip(d / "long.mp4", seconds=60, size="1920x1080"),
            "audio": make_clip(d / "tone.wav", audio_only=True)}


@pytest.fixture
def units(ams):
    """Set CurrentReservedUnits; restored to 1 afterwards."""
    key = "EncodingReservedUnitTypes(guid'%s')" % ams.values("EncodingReservedUnitTypes")[0]["AccountId"]

    def set_units(n):
        assert ams.merge(key, {"CurrentReservedUnits": n}).status == 204
    set_units(2)
    yield set_units
    set_units(1)


def upload(ams, clips, which="clip"):
    path = clips[which]
    return ams.upload_asset("src-" + which, {path.name: path})


def create_job(ams, inputs, tasks, **kw):
    return ams.create("Jobs", dict({"Name": "run", "InputMediaAssets":
                                    [asset_uri(ams, a) for a in inputs], "Tasks": tasks}, **kw))


def task(config=PRESET, body=None, **kw):
    return dict({"Configuration": config, "MediaProcessorId": MES_ID,
                 "TaskBody": body or task_body()}, **kw)


def wait_state(ams, job_id, states, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = ams.entity("Jobs", job_id).json
        if job["State"] in states:
            return job
        time.sleep(0.2)
    raise AssertionError("job %s stuck in state %s" % (job_id, job["State"]))


def tasks_of(ams, job_id):
    return sorted(ams.values("Jobs%s/Tasks" % ams.key(job_id)), key=lambda t: t["Name"] or "")


def outputs_of(ams, job_id):
    return ams.values("Jobs%s/OutputMediaAssets" % ams.key(job_id))


def encoder_pids(task_id):
    """Encoder processes (argv with --config-file) working for the task."""
    guid = task_id.split(":")[-1].encode()
    pids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                argv = (p / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"--config-file" in argv and any(guid in a for a in argv):
                pids.append(int(p.name))
    return pids


def test_job_runs_and_outputs_are_registered(ams, units, clips, platform):
    src = upload(ams, clips)
    job = create_job(ams, [src["Id"]], [task(Name="enc")])
    done = wait_state(ams, job["Id"], FINAL)
    t = tasks_of(ams, job["Id"])[0]
    assert done["State"] == 3, (done, t)
    assert t["State"] == 3 and t["Progress"] == 100 and t["ErrorDetails"] == []
    codes = [e["Code"] for e in t["HistoricalEvents"]]
    assert codes[:3] == ["Scheduled", "Processing", "Finished"]
    assert t["RunningDuration"] > 0 and t["StartTime"] <= t["EndTime"]
    assert t["PerfMessage"]
    assert done["StartTime"] and done["EndTime"] and done["RunningDuration"] > 0
    out = outputs_of(ams, job["Id"])[0]
    files = ams.values("Assets%s/Files" % ams.key(out["Id"]))
    primary = [f for f in files if f["IsPrimary"]]
    assert len(primary) == 1 and primary[0]["Name"].endswith(".ism")
    assert all(int(f["ContentFileSize"]) > 0 for f in files)
    assert any(f["Name"].endswith(".mp4") and f["MimeType"] == "video/mp4" for f in files)
    container = platform.daemon.data_dir / "media" / ("asset-" + out["Id"].split(":")[-1])
    assert sorted(p.name for p in container.iterdir()) == sorted(f["Name"] for f in files)
    work = platform.daemon.data_dir / "work" / t["Id"].split(":")[-1]
    assert not work.exists()
    # the finished job can be deleted; its input can now be deleted too
    assert ams.delete("Jobs" + ams.key(job["Id"])).status == 204
    loc = ams.publish(out["Id"])
    base = loc["Path"] + urllib.parse.quote(primary[0]["Name"]) + "/"
    for fmt in ("m3u8-aapl", "mpd-time-csf"):              # HLS, DASH through ffmpeg
        r = decode_ok(base + manifest_suffix(fmt), fmt)
        assert r.returncode == 0, (fmt, r.stderr[-2000:])
    if have_gst():                                          # Smooth: ffmpeg has no demuxer
        r = gst_play(base + manifest_suffix(""))
        assert r.returncode == 0, r.stdout[-2000:]


def start_slow_job(ams, clips):
    """A long job, returned once its encoder process is running: (job, task)."""
    src = upload(ams, clips, "long")
    job = create_job(ams, [src["Id"]], [task(SLOW)])
    wait_state(ams, job["Id"], {2}, timeout=60)
    t = tasks_of(ams, job["Id"])[0]
    deadline = time.time() + 30
    while not encoder_pids(t["Id"]) and time.time() < deadline:
        time.sleep(0.1)
    assert encoder_pids(t["Id"])
    return job, t


def test_cancel_running_job(ams, units, clips, platform):
    job, t = start_slow_job(ams, clips)
    out = outputs_of(ams, job["Id"])[0]
    start = time.time()
    r = ams.get("CancelJob?jobid=%s" % urllib.parse.quote("'%s'" % job["Id"]))
    assert r.status == 204, r
    assert ams.entity("Jobs", job["Id"]).json["State"] in (5, 6)
    done = wait_state(ams, job["Id"], FINAL, timeout=10)
    assert done["State"] == 5 and time.time() - start < 3.0
    t = tasks_of(ams, job["Id"])[0]
    assert t["State"] == 5 and t["HistoricalEvents"][-1]["Code"] == "Canceled"
    assert not encoder_pids(t["Id"])
    assert ams.entity("Assets", out["Id"]).status == 404
    assert not (platform.daemon.data_dir / "media" / ("asset-" + out["Id"].split(":")[-1])).exists()
    assert not (platform.daemon.data_dir / "work" / t["Id"].split(":")[-1]).exists()
    assert ams.get("CancelJob?jobid='%s'" % job["Id"]).status == 400


@pytest.mark.parametrize("keep", [False, True])
def test_failure_fills_error_details(ams, units, clips, keep):
    src = upload(ams, clips, "audio")
    job = create_job(ams, [src["Id"]], [task(Options=2 if keep else 0)])
    out = outputs_of(ams, job["Id"])[0]
    done = wait_state(ams, job["Id"], FINAL)
    assert done["State"] == 4
    t = tasks_of(ams, job["Id"])[0]
    assert t["State"] == 4 and len(t["ErrorDetails"]) == 1
    assert t["ErrorDetails"][0]["Code"] in ("InvalidInput", "EncodingFailed")
    assert t["ErrorDetails"][0]["Message"]
    assert t["HistoricalEvents"][-1]["Code"] == "Error"
    assert ams.entity("Assets", out["Id"]).status == (200 if keep else 404)


def test_chained_tasks_and_failure_cancels_the_rest(ams, units, clips):
    src = upload(ams, clips)
    t1 = task(Name="1", body=task_body(attrs=' assetName="step1"'))
    t2 = task(Name="2", body=task_body("JobOutputAsset(0)", "JobOutputAsset(1)",
                                       ' assetName="step2"'))
    job = create_job(ams, [src["Id"]], [t1, t2])
    done = wait_state(ams, job["Id"], FINAL, timeout=300)
    tasks = tasks_of(ams, job["Id"])
    assert done["State"] == 3, tasks
    assert tasks[1]["StartTime"] >= tasks[0]["EndTime"]
    for a in outputs_of(ams, job["Id"]):
        assert ams.values("Assets%s/Files" % ams.key(a["Id"]))
    # a failing first task: the chained one never runs
    bad = upload(ams, clips, "audio")
    job = create_job(ams, [bad["Id"]], [t1, t2])
    assert wait_state(ams, job["Id"], FINAL)["State"] == 4
    tasks = tasks_of(ams, job["Id"])
    assert [t["State"] for t in tasks] == [4, 5]
    assert tasks[1]["StartTime"] is None


def test_job_from_template_runs(ams, units, clips):
    import uuid
    src = upload(ams, clips)
    tt = "nb:ttid:UUID:%s" % uuid.uuid4()
    jt = ams.create("JobTemplates", {
        "Name": "single", "NumberofInputAssets": 1,
        "JobTemplateBody": '<jobTemplate><taskBody taskTemplateId="%s"><inputAsset>'
                           'JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)'
                           '</outputAsset></taskBody></jobTemplate>' % tt,
        "TaskTemplates": [{"Id": tt, "Name": "tpl", "Configuration": PRESET,
                           "MediaProcessorId": MES_ID, "NumberofInputAssets": 1,
                           "NumberofOutputAssets": 1}]})
    job = ams.create("Jobs", {"Name": "from-template", "TemplateId": jt["Id"],
                              "InputMediaAssets": [asset_uri(ams, src["Id"])]})
    assert wait_state(ams, job["Id"], FINAL)["State"] == 3
    assert tasks_of(ams, job["Id"])[0]["Name"] == "tpl"


def test_restart_requeues_a_running_task_once(ams, units, clips, platform):
    job, t = start_slow_job(ams, clips)
    platform.daemon.kill()
    # the orphaned encoder dies by itself (its stdout is gone) or at restart
    platform.daemon.start()
    ams = platform.client()
    deadline = time.time() + 10
    while time.time() < deadline:
        t = tasks_of(ams, job["Id"])[0]
        if any("requeued" in e["Message"] for e in t["HistoricalEvents"]):
            break
        time.sleep(0.2)
    assert any("requeued" in e["Message"] for e in t["HistoricalEvents"]), t
    max_seen = 0
    deadline = time.time() + 300
    while time.time() < deadline:
        max_seen = max(max_seen, len(encoder_pids(t["Id"])))
        if ams.entity("Jobs", job["Id"]).json["State"] in FINAL:
            break
        time.sleep(0.2)
    assert ams.entity("Jobs", job["Id"]).json["State"] == 3
    assert max_seen == 1
    t = tasks_of(ams, job["Id"])[0]
    assert [e["Code"] for e in t["HistoricalEvents"]].count("Finished") == 1


def test_priority_orders_the_queue(ams, units, clips):
    src = upload(ams, clips)
    units(0)
    low = create_job(ams, [src["Id"]], [task()], Name="low", Priority=1)
    high = create_job(ams, [src["Id"]], [task()], Name="high", Priority=10)
    time.sleep(0.5)
    assert ams.entity("Jobs", low["Id"]).json["State"] == 0
    units(1)
    low = wait_state(ams, low["Id"], FINAL)
    high = wait_state(ams, high["Id"], FINAL)
    assert low["State"] == high["State"] == 3
    assert high["StartTime"] < low["StartTime"]
    assert low["StartTime"] >= high["EndTime"]


JOB_STATE_CHANGE, TASK_STATE_CHANGE, TASK_PROGRESS = 1, 4, 5    # AMS NotificationEventType


def test_notifications_of_a_running_job(ams, units, clips):
    receiver = WebhookReceiver()
    try:
        ep = ams.create("NotificationEndPoints", {"Name": "jobs", "EndPointType": 3,
                                                  "EndPointAddress": receiver.url})
        src = upload(ams, clips)
        job = create_job(ams, [src["Id"]], [task(Name="watched", TaskNotificationSubscriptions=[
            {"NotificationEndPointId": ep["Id"], "IncludeTaskProgress": True,
             "TargetTaskState": 1}])],
            JobNotificationSubscriptions=[{"NotificationEndPointId": ep["Id"],
                                           "TargetJobState": 2}])
        assert wait_state(ams, job["Id"], FINAL)["State"] == 3
        deadline = time.time() + 20
        msgs = []
        while time.time() < deadline:
            with receiver.lock:
                msgs = [json.loads(r[2]) for r in receiver.requests]
            if any(m["EventType"] == JOB_STATE_CHANGE and m["Properties"]["NewState"] == "Finished"
                   for m in msgs):
                break
            time.sleep(0.2)
        job_changes = [(m["Properties"]["OldState"], m["Properties"]["NewState"])
                       for m in msgs if m["EventType"] == JOB_STATE_CHANGE]
        assert job_changes == [("Queued", "Scheduled"), ("Scheduled", "Processing"),
                               ("Processing", "Finished")], msgs
        assert all(m["Properties"]["JobId"] == job["Id"] for m in msgs)
        task_changes = [m["Properties"]["NewState"] for m in msgs
                        if m["EventType"] == TASK_STATE_CHANGE]
        assert task_changes == ["Finished"]          # FinalStatesOnly
        assert any(m["EventType"] == TASK_PROGRESS for m in msgs)
    finally:
        receiver.close()
