// The AMS v3 JavaScript SDK, unmodified, on account and asset filters
// (driven by tests/integration/test_filters.py): createOrUpdate, get, list,
// update (PATCH) and delete of accountFilters and of an asset's
// assetFilters, as @azure/arm-mediaservices sends them.  The asset to
// filter is MP_ASSET (published by the test).  Prints one JSON line with
// what the test checks.
"use strict";
const { env, mediaClient } = require("./sdk_env");

const group = env("MP_GROUP");
const account = env("MP_ACCOUNT");
const run = env("MP_RUN");
const assetName = env("MP_ASSET");

async function names(iter) {
  const out = [];
  for await (const f of iter) out.push(f.name);
  return out;
}

async function main() {
  const client = mediaClient();
  const out = {};

  // an account filter: the 640x360 rung and the audio, from 4 s on
  const accountName = `sd-${run}`;
  const made = await client.accountFilters.createOrUpdate(group, account, accountName, {
    presentationTimeRange: { startTimestamp: 40000000, timescale: 10000000,
                             forceEndTimestamp: false },
    firstQuality: { bitrate: 800000 },
    tracks: [
      { trackSelections: [{ property: "Type", operation: "Equal", value: "Video" },
                          { property: "Bitrate", operation: "Equal", value: "0-1000000" }] },
      { trackSelections: [{ property: "Type", operation: "Equal", value: "Audio" }] },
    ],
  });
  out.accountCreated = { name: made.name, type: made.type,
                         start: made.presentationTimeRange.startTimestamp,
                         firstQuality: made.firstQuality.bitrate,
                         selections: made.tracks.map((t) => t.trackSelections.length) };
  out.accountFilters = await names(client.accountFilters.list(group, account));
  const patched = await client.accountFilters.update(group, account, accountName,
    { firstQuality: { bitrate: 2500000 } });
  out.accountPatched = { firstQuality: patched.firstQuality.bitrate,
                         selections: patched.tracks.length };
  out.accountGot = (await client.accountFilters.get(group, account, accountName)).firstQuality.bitrate;

  // an asset filter: audio only
  const assetFilterName = `audio-${run}`;
  const af = await client.assetFilters.createOrUpdate(group, account, assetName, assetFilterName, {
    tracks: [{ trackSelections: [{ property: "Type", operation: "Equal", value: "Audio" }] }],
  });
  out.assetCreated = { name: af.name, type: af.type, id: af.id };
  out.assetFilters = await names(client.assetFilters.list(group, account, assetName));
  out.names = { account: accountName, asset: assetFilterName };

  // a bad rule is refused with the field named
  try {
    await client.accountFilters.createOrUpdate(group, account, `bad-${run}`, {
      tracks: [{ trackSelections: [{ property: "Type", operation: "Like", value: "Video" }] }] });
    out.badRule = "accepted";
  } catch (e) {
    out.badRule = { status: e.statusCode, message: e.message };
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  if (e && e.response) console.error("response:", e.response.status, e.response.bodyAsText);
  process.exit(1);
});
