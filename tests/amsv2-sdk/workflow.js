// workflow.js — the AMS-era Node.js SDK (azure-media 1.0.11, unmodified, as
// installed by ./build.sh deps) through a whole VoD workflow against a
// mediaplane installation, with only its base_url and oauth_url pointed at
// it: init (ACS-path token + the first Assets call), media.uploadStream (asset,
// write policy, SAS locator with a "M/D/YYYY hh:mm:ss A" StartTime, Put Blob,
// locator delete, "<base>//CreateFileInfos"), media.encodeVideo ("Windows
// Azure Media Encoder" + an AMS-era preset name), job polling, outputs,
// media.getDownloadURL (SAS read locator, then HEAD and a range) and
// media.getOriginURL (origin locator).  Prints one JSON line with what the
// Python test checks and plays.
//
//   MP_BASE=http://127.0.0.1:8080 MP_CLIENT_ID=… MP_CLIENT_SECRET=… \
//   MP_CLIP=clip.mp4 MP_PRESET="H264 Adaptive Bitrate MP4 Set 720p" node workflow.js
'use strict';

const fs = require('fs');
const AzureMedia = require('azure-media');

const env = (name) => {
  if (!process.env[name]) {
    throw new Error(name + ' is not set');
  }
  return process.env[name];
};

const base = env('MP_BASE').replace(/\/$/, '');
const api = new AzureMedia({
  client_id: env('MP_CLIENT_ID'),
  client_secret: env('MP_CLIENT_SECRET'),
  base_url: base + '/api/',
  oauth_url: base + '/v2/OAuth2-13',
});

// The SDK's callbacks as promises (its own signatures, unchanged).
const call = (fn, ...args) => new Promise((resolve, reject) => {
  fn(...args, (err, ...rest) => (err ? reject(new Error(String(err))) : resolve(rest)));
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitJob(jobId, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [job] = await call(api.rest.job.get, jobId);
    if ([3, 4, 5].includes(job.State)) {
      return job;
    }
    if (Date.now() > deadline) {
      throw new Error('job ' + jobId + ' still in state ' + job.State);
    }
    await sleep(1000);
  }
}

async function main() {
  const clip = env('MP_CLIP');
  await call(api.init.bind(api));
  const [assetId] = await call(api.media.uploadStream.bind(api.media), 'clip.mp4',
    fs.createReadStream(clip), fs.statSync(clip).size);
  const [inputFiles] = await call(api.rest.asset.listFiles, assetId);
  const [job] = await call(api.media.encodeVideo.bind(api.media), assetId,
    env('MP_PRESET'));
  const done = await waitJob(job.Id, 600000);
  const [outputs] = await call(api.rest.job.listOutputMediaAssets, job.Id);
  const output = outputs[0];
  const [files] = await call(api.rest.asset.listFiles, output.Id);
  // getDownloadURL (SAS read locator on the newest file), read as a player
  // would: HEAD, then a range.  Before getOriginURL: the SDK's
  // locator.deleteAndCreate deletes the asset's first locator, whatever it is.
  const [downloadUrl] = await call(api.media.getDownloadURL.bind(api.media), output.Id, 60);
  const head = await fetch(downloadUrl, { method: 'HEAD' });
  const part = await fetch(downloadUrl, { headers: { Range: 'bytes=0-99' } });
  const partBody = Buffer.from(await part.arrayBuffer());
  const [originUrl] = await call(api.media.getOriginURL.bind(api.media), output.Id, 60);
  const download = {
    url: downloadUrl,
    headStatus: head.status,
    headLength: head.headers.get('content-length'),
    rangeStatus: part.status,
    rangeLength: partBody.length,
    contentRange: part.headers.get('content-range'),
  };
  console.log(JSON.stringify({
    assetId,
    inputFiles: inputFiles.map((f) => f.Name),
    jobState: done.State,
    outputAssetId: output.Id,
    outputFiles: files.map((f) => ({ Name: f.Name, IsPrimary: f.IsPrimary })),
    originUrl,
    download,
  }));
}

main().catch((err) => {
  console.error(err.stack || String(err));
  process.exit(1);
});
