#!/usr/bin/env node
// Appends fMP4 init + media segments straight into Chromium's Media Source
// Extensions, with no player in between, and reports where MSE buffered them:
// what the browser itself makes of an init segment's edit list and of an
// appendWindowStart (which DASH players derive from presentationTimeOffset).
//
//   node mse_buffered.js <append-window-start-seconds> <mime> <init-url> <segment-url>
//                        [<mime> <init-url> <segment-url> ...]
//
// Each track gets its own MediaSource, so the ranges are per track.  Prints
// one JSON line: {"ok":true,"tracks":[{"mime":...,"buffered":[[start,end],...]}]}
// (ok false with "error" on any failure) and exits 0 or 1.
'use strict';

const { chromium } = require('playwright-core');

const CHROMIUM = process.env.MEDIAPLANE_CHROMIUM || '/usr/lib/chromium/chromium';

// Runs in the page: one MediaSource per track, init then segment appended.
async function appendAll([windowStart, tracks]) {
  const out = [];
  for (const t of tracks) {
    const video = document.createElement('video');
    document.body.appendChild(video);
    const ms = new MediaSource();
    video.src = URL.createObjectURL(ms);
    await new Promise((ok) => ms.addEventListener('sourceopen', ok, { once: true }));
    const sb = ms.addSourceBuffer(t.mime);
    sb.appendWindowStart = windowStart;
    for (const url of [t.init, t.segment]) {
      const r = await fetch(url);
      if (!r.ok) throw new Error('HTTP ' + r.status + ' ' + url);
      sb.appendBuffer(new Uint8Array(await r.arrayBuffer()));
      await new Promise((ok, bad) => {
        sb.addEventListener('updateend', ok, { once: true });
        sb.addEventListener('error', () => bad(new Error('append failed: ' + url)), { once: true });
      });
    }
    const ranges = [];
    for (let i = 0; i < sb.buffered.length; i++) ranges.push([sb.buffered.start(i), sb.buffered.end(i)]);
    out.push({ mime: t.mime, buffered: ranges });
  }
  return out;
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length < 4 || (args.length - 1) % 3 !== 0) {
    console.error('usage: mse_buffered.js <append-window-start> (<mime> <init-url> <segment-url>)+');
    process.exit(2);
  }
  const tracks = [];
  for (let i = 1; i < args.length; i += 3) tracks.push({ mime: args[i], init: args[i + 1], segment: args[i + 2] });
  // a blank page on the media's origin: same-origin fetches, no CORS needed
  const pageUrl = new URL('/__mediaplane_mse.html', tracks[0].init).href;
  const result = { ok: false, tracks: [] };
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
                                      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const page = await browser.newPage();
    await page.route(pageUrl, (route) => route.fulfill({ status: 200, contentType: 'text/html',
                                                         body: '<!doctype html><html><body></body></html>' }));
    await page.goto(pageUrl);
    result.tracks = await page.evaluate(appendAll, [Number(args[0]), tracks]);
    result.ok = true;
  } catch (e) {
    result.error = String(e && e.message || e);
  } finally {
    if (browser) await browser.close();
  }
  console.log(JSON.stringify(result));
  process.exit(result.ok ? 0 : 1);
}

main();
