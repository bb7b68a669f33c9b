// player.js — the logic of mediaplane's player page (index.html): builds the
// streaming URL of the asset given in ?src= for the chosen format, loads the
// matching player library from lib/ and plays it.  Errors are shown on the
// page and kept in window.__mp (read by tests/browser/play.js in "page" mode).
'use strict';

const FORMATS = {
  hls:        { label: 'HLS (fMP4)',   suffix: 'Manifest(format=m3u8-aapl)',    player: 'hls' },
  cmaf:       { label: 'HLS (CMAF)',   suffix: 'Manifest(format=m3u8-cmaf)',    player: 'hls' },
  ts:         { label: 'HLS v3 (TS)',  suffix: 'Manifest(format=m3u8-aapl-v3)', player: 'hls' },
  dash:       { label: 'DASH (CMAF)',  suffix: 'Manifest(format=mpd-time-cmaf)', player: 'dash' },
  'dash-csf': { label: 'DASH (CSF)',   suffix: 'Manifest(format=mpd-time-csf)', player: 'dash' },
  smooth:     { label: 'Smooth',       suffix: 'Manifest',                      player: 'mss' },
};
const LIBS = {
  hls: ['lib/hls.min.js'],
  dash: ['lib/dash.all.min.js'],
  mss: ['lib/dash.all.min.js', 'lib/dash.mss.min.js'],
  shaka: ['lib/shaka-player.compiled.js'],
};

window.__mp = { errors: [], warnings: [], events: [] };

function status(text, isError) {
  const el = document.getElementById('status');
  el.textContent = text;
  el.className = isError ? 'error' : '';
}

function fail(text) {
  window.__mp.errors.push(text);
  status(text, true);
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error('cannot load ' + src + ' (is the player library installed?)'));
    document.head.appendChild(s);
  });
}

function streamUrl(src, format) {
  const base = src.replace(/\/+$/, '');
  return /\.(ism|mp4)$/i.test(base) ? base + '/' + FORMATS[format].suffix : base;
}

function navLinks(params, current) {
  const nav = document.getElementById('formats');
  for (const [key, f] of Object.entries(FORMATS)) {
    const p = new URLSearchParams(params);
    p.set('format', key);
    p.delete('player');
    const a = document.createElement('a');
    a.href = '?' + p.toString();
    a.textContent = f.label;
    if (key === current) a.className = 'on';
    nav.appendChild(a);
  }
}

const START = {
  hls(video, url) {
    if (!window.Hls || !Hls.isSupported()) throw new Error('hls.js: Media Source Extensions not available');
    const hls = new Hls();
    hls.on(Hls.Events.ERROR, (ev, d) => {
      const e = 'hls.js ' + d.type + ': ' + d.details + (d.response ? ' (HTTP ' + d.response.code + ')' : '');
      if (d.fatal) fail(e); else window.__mp.warnings.push(e);
    });
    hls.loadSource(url);
    hls.attachMedia(video);
    return hls;
  },
  dash(video, url) {
    const player = dashjs.MediaPlayer().create();
    player.on(dashjs.MediaPlayer.events.ERROR, (ev) => {
      const d = ev.error || ev;
      fail('dash.js error ' + (d.code || '') + ' ' + (d.message || ''));
    });
    player.initialize(video, url, true);
    return player;
  },
  shaka(video, url) {
    shaka.polyfill.installAll();
    const player = new shaka.Player();
    player.addEventListener('error', (ev) => fail('shaka error ' + ev.detail.code));
    player.attach(video).then(() => player.load(url)).catch((d) => fail('shaka load failed: ' + (d && d.code)));
    return player;
  },
};
START.mss = START.dash;

async function main() {
  const params = new URLSearchParams(location.search);
  const src = params.get('src');
  const format = FORMATS[params.get('format')] ? params.get('format') : 'hls';
  const player = LIBS[params.get('player')] ? params.get('player') : FORMATS[format].player;
  navLinks(params, format);
  if (!src) { status('no ?src= given'); return; }
  const url = streamUrl(src, format);
  document.getElementById('url').textContent = url;
  const video = document.getElementById('v');
  video.addEventListener('error', () => fail('video element error ' + (video.error && video.error.code)));
  for (const n of ['loadedmetadata', 'playing', 'waiting', 'ended'])
    video.addEventListener(n, () => window.__mp.events.push(n + '@' + video.currentTime.toFixed(2)));
  video.addEventListener('timeupdate', () => {
    if (!window.__mp.errors.length)
      status(player + ' · ' + FORMATS[format].label + ' · ' + video.currentTime.toFixed(1) + ' s · ' +
             video.videoWidth + 'x' + video.videoHeight);
  });
  try {
    for (const lib of LIBS[player]) await loadScript(lib);
    window.__mp.player = START[player](video, url);
    video.play().catch(() => {});
  } catch (e) {
    fail(String(e.message || e));
  }
}

main();
