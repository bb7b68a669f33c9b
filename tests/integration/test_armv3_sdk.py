"""The AMS v3 JavaScript SDKs, unmodified (@azure/arm-mediaservices,
@azure/identity, @azure/storage-blob from npm, installed by ./build.sh deps
into tests/armv3-sdk), through a VoD workflow against the installation's
HTTPS listener (tests/armv3-sdk/workflow.js): token from the daemon's
authority, asset, SAS upload in blocks and in one Put Blob, a transform with
a built-in preset, a job to Finished, a streaming locator and listPaths, a
token-restricted content key policy and a Predefined_MultiDrmCencStreaming
locator with its keys, a custom streaming policy, then the default streaming endpoint
stopped and started as long-running operations.
The HLS and DASH paths it lists play through ffmpeg on the origin."""

import os
import shutil
import uuid
from pathlib import Path

import pytest

from armv3 import GROUP, SUBSCRIPTION, TENANT
from clients import decode_ok
from media import make_sdk_clip, run_node_workflow
from platform_harness import CLIENT_ID, CLIENT_SECRET, TLS_DIR

SDK_DIR = Path(__file__).resolve().parents[1] / "armv3-sdk"


def run_workflow(arm_url: str, clip: Path, run: str) -> dict:
    for pkg in ("@azure/arm-mediaservices", "@azure/identity", "@azure/storage-blob"):
        if not (SDK_DIR / "node_modules" / pkg).is_dir():
            pytest.fail("tests/armv3-sdk/node_modules/%s missing: run ./build.sh deps" % pkg)
    if shutil.which("node") is None:
        pytest.fail("node missing: run ./build.sh deps")
    env = dict(os.environ, MP_ARM_URL=arm_url, MP_TENANT=TENANT, MP_SUBSCRIPTION=SUBSCRIPTION,
               MP_GROUP=GROUP, MP_ACCOUNT="mediaplane", MP_CLIENT_ID=CLIENT_ID,
               MP_CLIENT_SECRET=CLIENT_SECRET, MP_CLIP=str(clip), MP_RUN=run,
               NODE_EXTRA_CA_CERTS=str(TLS_DIR / "ca.pem"))
    env.pop("NODE_TLS_REJECT_UNAUTHORIZED", None)
    return run_node_workflow(SDK_DIR / "workflow.js", env, timeout=1200)


@pytest.fixture(scope="module")
def sdk_clip(tmp_path_factory) -> Path:
    return make_sdk_clip(tmp_path_factory.mktemp("armv3") / "clip.mp4")


def test_arm_sdk_vod_workflow(platform, arm_url, sdk_clip):
    run = uuid.uuid4().hex[:8]
    out = run_workflow(arm_url, sdk_clip, run)
    assert out["accountName"] == "mediaplane"
    assert out["inputContainer"] == "asset-" + out["inputAssetId"]
    assert out["uploadedLength"] == sdk_clip.stat().st_size
    assert sorted(out["blobs"]) == ["clip.mp4", "notes.txt"]
    # the uploaded bytes are the clip's
    stored = Path(platform.daemon.data_dir) / "media" / out["inputContainer"] / "clip.mp4"
    assert stored.read_bytes() == sdk_clip.read_bytes()
    assert out["createdState"] == "Queued"
    assert out["jobState"] == "Finished", out
    assert out["jobStates"][-1] == "Finished" and out["outputProgress"] == 100, out
    assert out["outputState"] == "Finished"
    assert out["assetLocators"] == ["locator-" + run]
    assert {"input-" + run, "output-" + run} <= set(out["assetNames"])
    assert out["updatedJob"] == {"description": "patched by the SDK", "priority": "High"}, out
    assert out["filteredAssets"] == ["output-" + run, "input-" + run], out
    assert out["finishedJobs"] == ["job-" + run], out
    assert out["standardBitrate"] == 600000, out
    assert out["hostName"] == platform.origin.base.split("://", 1)[1], out["hostName"]
    assert out["endpointState"] == "Running"
    assert (out["afterStop"], out["afterStart"]) == ("Stopped", "Running")
    # content protection through the SDK: the token restriction, its secret, the CENC key
    assert out["keyPolicyRestriction"] == "#Microsoft.Media.ContentKeyPolicyTokenRestriction"
    assert out["keyValue"] == bytes(range(64)).hex()
    [key] = out["drmKeys"]
    assert key["type"] == "CommonEncryptionCenc" and key["policyName"] == "ckp-" + run
    assert key["id"] == out["drmLocatorKeys"][0]["id"] and len(key["value"]) == 24
    assert out["shownKeyValueLength"] == 0                     # GET hides the secret
    assert out["customLabel"] == "cbcsKey"
    assert out["customFairPlay"] == "https://fp.example/{ContentKeyId}"
    assert out["policyNames"][:2] == ["Predefined_ClearStreamingOnly",
                                      "Predefined_DownloadAndClearStreaming"]
    assert "Predefined_MultiDrmStreaming" in out["policyNames"] and "sp-" + run in out["policyNames"]
    by_protocol = {p["streamingProtocol"]: p["paths"] for p in out["streamingPaths"]}
    assert set(by_protocol) == {"Hls", "Dash", "SmoothStreaming"}
    assert [p.rsplit("(format=", 1)[1] for p in by_protocol["Hls"] + by_protocol["Dash"]] == [
        "m3u8-aapl)", "m3u8-cmaf)", "mpd-time-csf)", "mpd-time-cmaf)"]
    for protocol, paths in by_protocol.items():
        for path in paths:
            assert path.startswith("/%s/" % out["streamingLocatorId"]), path
    # what a v3 client does: https?://{hostName}{path} (the test origin is http); every
    # HLS and DASH path plays
    for protocol in ("Hls", "Dash"):
        for path in by_protocol[protocol]:
            fmt = path.rsplit("(format=", 1)[1].rstrip(")")
            url = "http://%s%s" % (out["hostName"], path)
            r = decode_ok(url, fmt)
            assert r.returncode == 0, (protocol, url, r.stderr[-2000:])
