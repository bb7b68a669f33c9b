// The AMS v3 JavaScript SDK, unmodified, on live events, live outputs and
// streaming endpoint create/delete (driven by tests/integration/test_armv3_live.py),
// in the order Microsoft's live sample uses: a pass-through live event created
// without autoStart, an asset and a live output on it, the event started,
// its RTMP ingest URL read, the live output deleted, the event stopped with
// removeOutputsOnStop and deleted; then a streaming endpoint created,
// started, stopped and deleted.  Every begin*AndWait follows the server's
// long-running operations.  Prints one JSON line with what the test checks.
"use strict";
const { env, mediaClient } = require("./sdk_env");

const group = env("MP_GROUP");
const account = env("MP_ACCOUNT");
const run = env("MP_RUN");
const poll = { updateIntervalInMs: 200 };

async function names(iter) {
  const out = [];
  for await (const x of iter) out.push(x.name);
  return out;
}

async function main() {
  const client = mediaClient();
  const out = {};
  const allow = [{ name: "lo", address: "127.0.0.0", subnetPrefixLength: 8 }];

  const eventName = `sdk-${run}`;
  const made = await client.liveEvents.beginCreateAndWait(group, account, eventName, {
    location: "westeurope",
    description: "made by the v3 SDK",
    input: { streamingProtocol: "RTMP", keyFrameIntervalDuration: "PT2S",
             accessControl: { ip: { allow } } },
    preview: { accessControl: { ip: { allow } } },
    encoding: { encodingType: "PassthroughStandard" },
    useStaticHostname: false,
    streamOptions: ["Default"],
  }, { autoStart: false, ...poll });
  out.created = { name: made.name, state: made.resourceState, encoding: made.encoding.encodingType,
                  allow: made.input.accessControl.ip.allow };

  const assetName = `archive-${run}`;
  await client.assets.createOrUpdate(group, account, assetName, { description: "live archive" });
  const outputName = `out-${run}`;
  const output = await client.liveOutputs.beginCreateAndWait(group, account, eventName, outputName, {
    assetName, archiveWindowLength: "PT10M", manifestName: "output",
    hls: { fragmentsPerTsSegment: 1 },
  }, poll);
  out.output = { name: output.name, assetName: output.assetName, manifestName: output.manifestName };

  await client.liveEvents.beginStartAndWait(group, account, eventName, poll);
  const running = await client.liveEvents.get(group, account, eventName);
  out.started = { state: running.resourceState,
                  endpoints: running.input.endpoints.map((e) => [e.protocol, e.url]) };
  out.outputState = (await client.liveOutputs.get(group, account, eventName, outputName)).resourceState;
  out.outputs = await names(client.liveOutputs.list(group, account, eventName));
  out.events = await names(client.liveEvents.list(group, account));
  try {
    await client.liveEvents.beginAllocateAndWait(group, account, eventName, poll);
    out.allocate = "accepted";
  } catch (e) {
    out.allocate = { status: e.statusCode, code: e.code, message: e.message };
  }

  await client.liveOutputs.beginDeleteAndWait(group, account, eventName, outputName, poll);
  out.outputsAfterDelete = await names(client.liveOutputs.list(group, account, eventName));
  out.assetAfterDelete = (await client.assets.get(group, account, assetName)).name;
  await client.liveEvents.beginStopAndWait(group, account, eventName,
    { removeOutputsOnStop: true }, poll);
  out.stopped = (await client.liveEvents.get(group, account, eventName)).resourceState;
  await client.liveEvents.beginDeleteAndWait(group, account, eventName, poll);
  out.eventsAfterDelete = await names(client.liveEvents.list(group, account));

  const epName = `ep${run}`;
  const ep = await client.streamingEndpoints.beginCreateAndWait(group, account, epName, {
    location: "westeurope", description: "made by the v3 SDK", scaleUnits: 0,
    maxCacheAge: 120,
  }, { autoStart: false, ...poll });
  out.endpoint = { name: ep.name, state: ep.resourceState, hostName: ep.hostName,
                   maxCacheAge: ep.maxCacheAge };
  await client.streamingEndpoints.beginStartAndWait(group, account, epName, poll);
  out.endpointStarted = (await client.streamingEndpoints.get(group, account, epName)).resourceState;
  await client.streamingEndpoints.beginStopAndWait(group, account, epName, poll);
  await client.streamingEndpoints.beginDeleteAndWait(group, account, epName, poll);
  out.endpointsAfterDelete = await names(client.streamingEndpoints.list(group, account));

  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  if (e && e.response) console.error(e.statusCode, e.response.bodyAsText);
  process.exit(1);
});
