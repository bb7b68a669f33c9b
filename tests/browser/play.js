#!/usr/bin/env node
// Plays a stream in Debian's Chromium with one of the JS players and reports
// whether playback really progressed.
//
//   node play.js <player> <manifest-url> [--seconds=3] [--timeout=60] [--strict]
//                [--chromium=/usr/lib/chromium/chromium] [--verbose]
//                [--clearkey=<license-url> [--token=<jwt>]] [--live]
//
// <player>: hls (hls.js), shaka (shaka-player), dash (dash.js), mss (dash.js +
// its Smooth Streaming plugin), or page: <manifest-url> is then the address of
// a player page that sets window.__mp and plays into <video id="v"> itself
// (mediaplane's own tools/player page).
//
// The player page is served by request interception at a URL on the same
// origin as the manifest, so no CORS setup and no static web server are
// needed; the player libraries come from node_modules.  Success means
// video.currentTime advanced by at least --seconds and the player reported no
// fatal error (--strict: no error of any kind).  Prints one JSON line:
//   {"ok":true,"player":"hls","currentTime":3.2,"frames":95,"dropped":0,
//    "width":1280,"height":720,"errors":[],"warnings":[],"requests":[...]}
// and exits 0 on success, 1 on failure, 2 on usage errors.
//
// --live (a live stream): progress is counted from where playback began
// (currentTime at the first 'playing' event, somewhere behind the live edge),
// and any stall after that fails the run: a 'waiting' event, currentTime
// standing still for more than 1.5 s while not paused, or the player's own
// stall report (hls.js bufferStalledError, dash.js playbackStalled, shaka
// buffering).  The result then also has "startedAt" and "stalls".
//
// --clearkey plays common-encrypted media through EME with the W3C ClearKey
// key system, the player asking <license-url> for the keys (with
// "Authorization: Bearer <jwt>" when --token is given): hls.js drmSystems,
// shaka drm.servers + a license/key request filter (its HLS ClearKey fetches
// the raw key of KEYFORMAT identity), dash.js setProtectionData.
'use strict';

const path = require('path');
const fs = require('fs');
const { chromium } = require('playwright-core');

const NM = path.join(__dirname, 'node_modules');
const LIBS = {
  hls: ['hls.js/dist/hls.min.js'],
  shaka: ['shaka-player/dist/shaka-player.compiled.js'],
  dash: ['dashjs/dist/modern/umd/dash.all.min.js'],
  mss: ['dashjs/dist/modern/umd/dash.all.min.js', 'dashjs/dist/modern/umd/dash.mss.min.js'],
};
const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--autoplay-policy=no-user-gesture-required', '--disable-dev-shm-usage',
];

// Runs inside the page: start the player, record errors on window.__mp.
const PAGE_SETUP = {
  hls: `
    const drm = CK_URL ? { emeEnabled: true, drmSystems: { 'org.w3.clearkey': { licenseUrl: CK_URL } },
      licenseXhrSetup: (xhr) => { if (CK_TOKEN) xhr.setRequestHeader('Authorization', 'Bearer ' + CK_TOKEN); },
      // raw keys (AES-128, SAMPLE-AES of TS) come from the key service too
      xhrSetup: (xhr, url) => { if (CK_TOKEN && url.indexOf('/keydelivery/') >= 0)
        xhr.setRequestHeader('Authorization', 'Bearer ' + CK_TOKEN); } } : {};
    const hls = new Hls(Object.assign({ debug: false }, drm));
    hls.on(Hls.Events.ERROR, (ev, d) => {
      const e = (d.fatal ? 'fatal ' : '') + d.type + ': ' + d.details +
                (d.response ? ' (HTTP ' + d.response.code + ' ' + (d.url || (d.frag && d.frag.url) || '') + ')' : '') +
                (d.error ? ' ' + d.error.message : '');
      (d.fatal ? window.__mp.errors : window.__mp.warnings).push(e);
      if (d.details === Hls.ErrorDetails.BUFFER_STALLED_ERROR) window.__mp.stall('hls.js ' + d.details);
    });
    hls.loadSource(URL_);
    hls.attachMedia(video);
    window.__mp.player = hls;`,
  shaka: `
    shaka.polyfill.installAll();
    const player = new shaka.Player();
    player.addEventListener('error', (ev) => {
      const d = ev.detail;
      const e = 'shaka error ' + d.code + ' severity ' + d.severity + ' ' + JSON.stringify(d.data).slice(0, 300);
      (d.severity === shaka.util.Error.Severity.CRITICAL ? window.__mp.errors : window.__mp.warnings).push(e);
    });
    player.addEventListener('buffering', (ev) => { if (ev.buffering) window.__mp.stall('shaka buffering'); });
    window.__mp.player = player;
    if (CK_URL) {
      player.configure({ drm: { servers: { 'org.w3.clearkey': CK_URL } } });
      player.getNetworkingEngine().registerRequestFilter((type, req) => {
        const T = shaka.net.NetworkingEngine.RequestType;
        if ((type === T.LICENSE || type === T.KEY) && CK_TOKEN)
          req.headers['Authorization'] = 'Bearer ' + CK_TOKEN;
      });
    }
    player.attach(video).then(() => player.load(URL_)).catch((d) => {
      window.__mp.errors.push('shaka load failed: ' + (d && d.code) + ' ' + JSON.stringify(d && d.data).slice(0, 300));
    });`,
  dash: `
    const player = dashjs.MediaPlayer().create();
    player.updateSettings({ debug: { logLevel: dashjs.Debug.LOG_LEVEL_NONE } });
    player.on(dashjs.MediaPlayer.events.ERROR, (ev) => {
      const d = ev.error || ev;
      window.__mp.errors.push('dash.js error ' + (d.code || '') + ' ' + (d.message || JSON.stringify(d).slice(0, 300)));
    });
    player.on(dashjs.MediaPlayer.events.PLAYBACK_ERROR, (ev) => {
      window.__mp.errors.push('dash.js playback error ' + JSON.stringify(ev.error || ev).slice(0, 300));
    });
    player.on(dashjs.MediaPlayer.events.PLAYBACK_STALLED, () => window.__mp.stall('dash.js playbackStalled'));
    if (CK_URL) {
      player.setProtectionData({ 'org.w3.clearkey': { serverURL: CK_URL,
        httpRequestHeaders: CK_TOKEN ? { Authorization: 'Bearer ' + CK_TOKEN } : {} } });
    }
    player.initialize(video, URL_, true);
    // dash.js plays by itself (autoPlay): a video.play() of ours before it
    // listens would leave it believing playback never started, and a live
    // MPD is then never refreshed (ManifestUpdater waits for PLAYBACK_STARTED)
    window.__mp.selfPlaying = true;
    window.__mp.player = player;`,
};
PAGE_SETUP.mss = PAGE_SETUP.dash;

function usage(msg) {
  if (msg) console.error('play.js: ' + msg);
  console.error('usage: node play.js {hls|shaka|dash|mss|page} <manifest-url|page-url> [--seconds=3] [--timeout=60] [--strict] [--verbose]');
  process.exit(2);
}

function parseArgs(argv) {
  const o = { seconds: 3, timeout: 60, strict: false, verbose: false, live: false, clearkey: '', token: '',
              chromium: process.env.MEDIAPLANE_CHROMIUM || '/usr/lib/chromium/chromium' };
  const pos = [];
  for (const a of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) { pos.push(a); continue; }
    const [, k, v] = m;
    if (k === 'seconds' || k === 'timeout') o[k] = Number(v);
    else if (k === 'strict' || k === 'verbose' || k === 'live') o[k] = true;
    else if (k === 'chromium') o.chromium = v;
    else if (k === 'clearkey' || k === 'token') o[k] = v || '';
    else usage('unknown option --' + k);
  }
  if (pos.length !== 2) usage();
  [o.player, o.url] = pos;
  if (!LIBS[o.player] && o.player !== 'page') usage('unknown player ' + o.player);
  return o;
}

function pageHtml(o) {
  const scripts = LIBS[o.player]
    .map((rel) => '<script>' + fs.readFileSync(path.join(NM, rel), 'utf8').replace(/<\/script/gi, '<\\/script') + '</script>')
    .join('\n');
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>mediaplane ${o.player}</title>
${scripts}</head><body><video id="v" muted autoplay playsinline width="640" height="360"></video>
<script>
window.__mp = { errors: [], warnings: [], events: [], stalls: [], startedAt: null };
const URL_ = ${JSON.stringify(o.url)};
const CK_URL = ${JSON.stringify(o.clearkey)};
const CK_TOKEN = ${JSON.stringify(o.token)};
const video = document.getElementById('v');
video.addEventListener('error', () => {
  const e = video.error;
  window.__mp.errors.push('video element error ' + (e && e.code) + ' ' + (e && e.message));
});
for (const n of ['loadedmetadata', 'playing', 'waiting', 'seeking', 'seeked', 'ended'])
  video.addEventListener(n, () => window.__mp.events.push(n + '@' + video.currentTime.toFixed(2)));
video.addEventListener('playing', () => {
  if (window.__mp.startedAt === null) window.__mp.startedAt = video.currentTime;
});
// a stall: the element waiting for data once playback has begun
window.__mp.stall = (what) => {
  if (window.__mp.startedAt !== null) window.__mp.stalls.push(what + '@' + video.currentTime.toFixed(2));
};
video.addEventListener('waiting', () => window.__mp.stall('waiting'));
try {
${PAGE_SETUP[o.player]}
  if (!window.__mp.selfPlaying) video.play().catch(() => {});
} catch (e) {
  window.__mp.errors.push('setup failed: ' + e);
}
</script></body></html>`;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const target = new URL(o.url);
  const pageUrl = o.player === 'page' ? o.url
    : new URL('/__mediaplane_player_' + o.player + '.html', target).href;
  const result = { ok: false, player: o.player, url: o.url, currentTime: 0, frames: 0, dropped: 0,
                   width: 0, height: 0, errors: [], warnings: [], events: [], requests: [] };
  let browser;
  try {
    // launch() always starts from a fresh temporary profile
    browser = await chromium.launch({ executablePath: o.chromium, headless: true, args: CHROMIUM_FLAGS });
    const page = await browser.newPage();
    if (o.player !== 'page') {
      await page.route(pageUrl, (route) =>
        route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: pageHtml(o) }));
    }
    page.on('console', (m) => {
      if (o.verbose || m.type() === 'error') result.warnings.push('console.' + m.type() + ': ' + m.text().slice(0, 300));
    });
    page.on('pageerror', (e) => result.errors.push('page error: ' + e.message));
    page.on('response', (r) => {
      if (r.url() === pageUrl) return;
      if (o.verbose || r.status() >= 400) result.requests.push(r.status() + ' ' + r.url());
    });
    page.on('requestfailed', (r) => result.requests.push('FAILED ' + r.url() + ' ' + (r.failure() || {}).errorText));
    await page.goto(pageUrl);

    const deadline = Date.now() + o.timeout * 1000;
    let st, progress = 0, lastT = -1, lastMove = Date.now(), frozen = false;
    for (;;) {
      st = await page.evaluate(() => {
        const v = document.getElementById('v');
        const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : {};
        return { t: v.currentTime, frames: q.totalVideoFrames || 0, dropped: q.droppedVideoFrames || 0,
                 w: v.videoWidth, h: v.videoHeight, errors: window.__mp.errors.slice(),
                 warnings: window.__mp.warnings.slice(), events: window.__mp.events.slice(),
                 paused: v.paused, startedAt: window.__mp.startedAt === undefined ? null : window.__mp.startedAt,
                 stalls: (window.__mp.stalls || []).slice() };
      });
      if (o.live && st.startedAt !== null) {
        // currentTime standing still while playing is a stall even without an event
        if (st.t !== lastT || st.paused) { lastT = st.t; lastMove = Date.now(); }
        else if (Date.now() - lastMove > 1500) frozen = true;
        if (frozen) st.stalls.push('currentTime stood still at ' + lastT.toFixed(2) + ' for 1.5 s');
      }
      progress = o.live ? (st.startedAt === null ? 0 : st.t - st.startedAt) : st.t;
      if (st.errors.length || (o.live && st.stalls.length) || progress >= o.seconds || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    Object.assign(result, { currentTime: st.t, frames: st.frames, dropped: st.dropped, width: st.w,
                            height: st.h, events: st.events });
    result.errors.push(...st.errors);
    result.warnings.push(...st.warnings);
    if (o.live) {
      Object.assign(result, { startedAt: st.startedAt, stalls: st.stalls });
      if (st.stalls.length) result.errors.push('stalled: ' + st.stalls.join(', '));
    }
    if (progress < o.seconds && !result.errors.length) {
      result.errors.push(`playback reached only ${progress.toFixed(2)} s of ${o.seconds} s within ${o.timeout} s`);
    }
    if (o.strict && result.warnings.length) result.errors.push('strict: warnings present');
    result.ok = result.errors.length === 0 && progress >= o.seconds && st.frames > 0;
    if (result.ok === false && !result.errors.length) result.errors.push('no video frames decoded');
  } catch (e) {
    result.errors.push('runner: ' + (e && e.stack || e));
  } finally {
    if (browser) await browser.close().catch(() => {});
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(result.ok ? 0 : 1);
}

main();
