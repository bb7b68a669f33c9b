// The AMS v3 JavaScript SDKs, unmodified, through a VoD workflow against a
// mediaplane installation (driven by tests/integration/test_armv3_sdk.py):
// @azure/identity ClientSecretCredential with the installation's authority,
// @azure/arm-mediaservices with its ARM endpoint, @azure/storage-blob on the
// SAS URL listContainerSas returns.  The only settings are the endpoints a
// v3 user already passes as options; TLS trust comes from NODE_EXTRA_CA_CERTS.
// Prints one JSON line with what the test checks.
"use strict";
const { env, mediaClient } = require("./sdk_env");
const { ContainerClient } = require("@azure/storage-blob");

const group = env("MP_GROUP");
const account = env("MP_ACCOUNT");
const run = env("MP_RUN");                  // a suffix making the names unique
const preset = process.env.MP_PRESET || "AdaptiveStreaming";

async function waitForJob(client, transformName, jobName) {
  const deadline = Date.now() + 900 * 1000;
  const seen = [];
  for (;;) {
    const job = await client.jobs.get(group, account, transformName, jobName);
    if (seen[seen.length - 1] !== job.state) seen.push(job.state);
    if (["Finished", "Error", "Canceled"].includes(job.state)) return { job, seen };
    if (Date.now() > deadline) throw new Error(`job still ${job.state} after 900 s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function main() {
  const client = mediaClient();
  const out = {};

  const mediaService = await client.mediaservices.get(group, account);
  out.accountName = mediaService.name;

  const transformName = `transform-${run}`;
  await client.transforms.createOrUpdate(group, account, transformName, {
    outputs: [{ preset: { odataType: "#Microsoft.Media.BuiltInStandardEncoderPreset",
                          presetName: preset } }],
  });

  const inputName = `input-${run}`;
  const input = await client.assets.createOrUpdate(group, account, inputName,
    { description: "uploaded by the v3 SDK test" });
  out.inputAssetId = input.assetId;
  out.inputContainer = input.container;
  const sas = await client.assets.listContainerSas(group, account, inputName, {
    permissions: "ReadWrite", expiryTime: new Date(Date.now() + 3600 * 1000) });
  const container = new ContainerClient(sas.assetContainerSasUrls[0]);
  // the clip in parallel blocks (Put Block out of order + Put Block List) …
  const clip = container.getBlockBlobClient("clip.mp4");
  await clip.uploadFile(env("MP_CLIP"), { blockSize: 256 * 1024, maxSingleShotSize: 256 * 1024,
                                          concurrency: 4 });
  // … and a small blob in one Put Blob
  await container.getBlockBlobClient("notes.txt").upload("hello", 5);
  const props = await clip.getProperties();
  out.uploadedLength = props.contentLength;
  out.blobs = [];
  for await (const b of container.listBlobsFlat()) out.blobs.push(b.name);

  const outputName = `output-${run}`;
  await client.assets.createOrUpdate(group, account, outputName, {});
  const jobName = `job-${run}`;
  const created = await client.jobs.create(group, account, transformName, jobName, {
    input: { odataType: "#Microsoft.Media.JobInputAsset", assetName: inputName },
    outputs: [{ odataType: "#Microsoft.Media.JobOutputAsset", assetName: outputName }],
  });
  out.createdState = created.state;
  const { job, seen } = await waitForJob(client, transformName, jobName);
  out.jobState = job.state;
  out.jobStates = seen;
  out.outputState = job.outputs[0].state;
  out.outputProgress = job.outputs[0].progress;
  if (job.state !== "Finished") {
    out.jobError = job.outputs[0].error;
    console.log(JSON.stringify(out));
    return;
  }

  const locatorName = `locator-${run}`;
  const locator = await client.streamingLocators.create(group, account, locatorName, {
    assetName: outputName, streamingPolicyName: "Predefined_ClearStreamingOnly" });
  out.streamingLocatorId = locator.streamingLocatorId;
  const paths = await client.streamingLocators.listPaths(group, account, locatorName);
  out.streamingPaths = paths.streamingPaths;
  // content protection: a token-restricted (JWT) ClearKey policy, then a
  // Predefined_MultiDrmCencStreaming locator on the input asset and its keys
  const keyPolicyName = `ckp-${run}`;
  const keyPolicy = await client.contentKeyPolicies.createOrUpdate(group, account, keyPolicyName, {
    description: "jwt",
    options: [{ name: "clearKey",
      configuration: { odataType: "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration" },
      restriction: { odataType: "#Microsoft.Media.ContentKeyPolicyTokenRestriction",
        issuer: "http://issuer/", audience: "urn:test", restrictionTokenType: "Jwt",
        primaryVerificationKey: { odataType: "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey",
                                  keyValue: Uint8Array.from({ length: 64 }, (_, i) => i) },
        requiredClaims: [{ claimType: "urn:microsoft:azure:mediaservices:contentkeyidentifier" }] } }],
  });
  out.keyPolicyRestriction = keyPolicy.options[0].restriction.odataType;
  const secrets = await client.contentKeyPolicies.getPolicyPropertiesWithSecrets(group, account,
                                                                                 keyPolicyName);
  out.keyValue = Buffer.from(secrets.options[0].restriction.primaryVerificationKey.keyValue)
    .toString("hex");
  const drmName = `drm-${run}`;
  const drm = await client.streamingLocators.create(group, account, drmName, {
    assetName: inputName, streamingPolicyName: "Predefined_MultiDrmCencStreaming",
    defaultContentKeyPolicyName: keyPolicyName });
  out.drmLocatorKeys = drm.contentKeys;
  out.drmKeys = (await client.streamingLocators.listContentKeys(group, account, drmName)).contentKeys;
  const shown = await client.contentKeyPolicies.get(group, account, keyPolicyName);
  out.shownKeyValueLength = shown.options[0].restriction.primaryVerificationKey.keyValue.length;
  // a custom streaming policy: created, read back, listed after the predefined ones
  const customName = `sp-${run}`;
  const custom = await client.streamingPolicies.create(group, account, customName, {
    commonEncryptionCbcs: {
      enabledProtocols: { download: false, dash: true, hls: true, smoothStreaming: false },
      drm: { fairPlay: { customLicenseAcquisitionUrlTemplate: "https://fp.example/{ContentKeyId}",
                         allowPersistentLicense: false } },
      contentKeys: { defaultKey: { label: "cbcsKey", policyName: keyPolicyName } } } });
  out.customLabel = custom.commonEncryptionCbcs.contentKeys.defaultKey.label;
  out.customFairPlay = (await client.streamingPolicies.get(group, account, customName))
    .commonEncryptionCbcs.drm.fairPlay.customLicenseAcquisitionUrlTemplate;
  out.policyNames = [];
  for await (const p of client.streamingPolicies.list(group, account)) out.policyNames.push(p.name);

  const endpoint = await client.streamingEndpoints.get(group, account, "default");
  out.hostName = endpoint.hostName;
  out.endpointState = endpoint.resourceState;
  const located = await client.assets.listStreamingLocators(group, account, outputName);
  out.assetLocators = located.streamingLocators.map((l) => l.name);
  out.assetNames = [];
  for await (const a of client.assets.list(group, account)) out.assetNames.push(a.name);

  // PATCH, $filter/$orderby/$top and a StandardEncoderPreset as the SDK serializes them
  const updated = await client.jobs.update(group, account, transformName, jobName,
    { description: "patched by the SDK", priority: "High" });
  out.updatedJob = { description: updated.description, priority: updated.priority };
  out.filteredAssets = [];
  for await (const a of client.assets.list(group, account,
    { filter: `name eq '${inputName}' or name eq '${outputName}'`, orderby: "name desc", top: 5 })) {
    out.filteredAssets.push(a.name);
  }
  out.finishedJobs = [];
  for await (const j of client.jobs.list(group, account, transformName,
    { filter: "properties/state eq Microsoft.Media.JobState'Finished'",
      orderby: "properties/created desc" })) {
    out.finishedJobs.push(j.name);
  }
  const standard = await client.transforms.createOrUpdate(group, account, `std-${run}`, {
    outputs: [{ preset: { odataType: "#Microsoft.Media.StandardEncoderPreset",
      codecs: [{ odataType: "#Microsoft.Media.H264Video", keyFrameInterval: "PT2S",
                 complexity: "Speed",
                 layers: [{ bitrate: 600000, width: "640", height: "360", label: "sd" }] },
               { odataType: "#Microsoft.Media.AacAudio", channels: 2, samplingRate: 48000,
                 bitrate: 128000, profile: "AacLc" }],
      formats: [{ odataType: "#Microsoft.Media.Mp4Format",
                  filenamePattern: "Video-{Basename}-{Label}-{Bitrate}{Extension}" }] } }],
  });
  out.standardBitrate = standard.outputs[0].preset.codecs[0].layers[0].bitrate;

  // long-running operations (Azure-AsyncOperation polling): stop and start the endpoint
  await client.streamingEndpoints.beginStopAndWait(group, account, "default",
                                                   { updateIntervalInMs: 200 });
  out.afterStop = (await client.streamingEndpoints.get(group, account, "default")).resourceState;
  await client.streamingEndpoints.beginStartAndWait(group, account, "default",
                                                    { updateIntervalInMs: 200 });
  out.afterStart = (await client.streamingEndpoints.get(group, account, "default")).resourceState;
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  if (e && e.response) console.error("response:", e.response.status, e.response.bodyAsText);
  process.exit(1);
});
