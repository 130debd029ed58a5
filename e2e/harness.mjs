// Shared set-up for the browser tests and benchmarks: a static server for the
// trunk release build (dist/) on 127.0.0.1, and headless Debian Chromium
// driven by playwright-core.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export const DIST = process.env.SPLITBRAIN_DIST || path.resolve(import.meta.dirname, '..', 'dist');
export const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');

/** Serves dist/ on a free loopback port; resolves to { url, close }. */
export function serveDist() {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) {
    throw new Error(`no build at ${DIST}; run \`trunk build --release\` (cargo xtask test does)`);
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let file = path.join(DIST, decodeURIComponent(url.pathname));
    if (!file.startsWith(DIST)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404).end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(body);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

/** Launches headless Chromium with the flags this closed network needs. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/**
 * Serves dist/ and launches Chromium before a test file's tests, and closes
 * both after them: `env.server` and `env.browser` are set once `before` ran.
 */
export function useBrowser(before, after) {
  const env = {};
  before(async () => {
    env.server = await serveDist();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/** A new page that fails the test on any page error or console error. */
export async function openPage(browser, url, { width = 1280, height = 800 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.errors = errors;
  await page.goto(url);
  return page;
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The simulated time (µs) the Raft view stands at. */
export const simTime = (page) => page.evaluate(() => Number(document.querySelector('#sim-time')?.dataset.us ?? -1));

/** The simulated time (µs) the gossip view stands at. */
export const swarmTime = (page) => page.evaluate(() => Number(document.querySelector('#swarm-canvas')?.dataset.us ?? -1));

/**
 * Opens `#<hash>&t=<us>`: the run is paused at exactly that simulated instant
 * (the page ran it there itself), so what follows does not depend on how
 * fast this machine is. Waits until the page stands there.
 */
export async function openAt(browser, base, hash, us, opts) {
  const page = await openPage(browser, `${base}#${hash}&t=${us}`, opts);
  const gossip = /(^|&)(gossip|g)=/.test(hash);
  await page.waitForFunction(([us, gossip]) => {
    const el = gossip ? document.querySelector('#swarm-canvas') : document.querySelector('#sim-time');
    return el && Number(el.dataset.us) === us;
  }, [us, gossip], { timeout: 60000 });
  return page;
}

/**
 * Runs `ms` of simulated time (Shift+→ runs 100 ms and pauses) and waits
 * until the page shows the new instant.
 */
export async function advance(page, ms, { gossip = false } = {}) {
  const read = gossip ? swarmTime : simTime;
  // A playing run is paused first, so the start instant is known.
  const play = page.locator(gossip ? '#swarm-play' : '#play');
  if ((await play.textContent()).includes('Pause')) {
    await play.click();
    await page.waitForFunction((sel) => document.querySelector(sel).textContent.includes('Play'), gossip ? '#swarm-play' : '#play');
  }
  const t0 = await read(page);
  for (let i = 0; i < Math.round(ms / 100); i++) await page.keyboard.press('Shift+ArrowRight');
  const want = t0 + Math.round(ms / 100) * 100_000;
  await page.waitForFunction(([want, gossip]) => {
    const el = gossip ? document.querySelector('#swarm-canvas') : document.querySelector('#sim-time');
    return Number(el.dataset.us) === want;
  }, [want, gossip], { timeout: 60000 });
  return want;
}

/** Waits for two animation frames: the page has rendered what it was given. */
export const frames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** Leaders (node, term), highest term first, read from data-* attributes. */
export const leaders = (page) => page.evaluate(() => [...document.querySelectorAll('.node[data-role="leader"]')]
  .map((n) => ({ node: Number(n.dataset.node), term: Number(n.dataset.term) }))
  .sort((a, b) => b.term - a.term));

/** The p-th percentile (nearest rank) of sorted numbers. */
export function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * For benchmarks: the intervals between animation frames over `seconds`
 * (sorted), and the main thread's busy time per frame from Chrome's own
 * Performance metrics (ms; `script` is the part spent in scripts).
 */
export async function frameTimes(page, seconds) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await metric();
  const deltas = await page.evaluate((s) => new Promise((resolve) => {
    const d = [];
    let last = performance.now();
    const end = last + s * 1000;
    const frame = (t) => { d.push(t - last); last = t; if (t < end) requestAnimationFrame(frame); else resolve(d); };
    requestAnimationFrame(frame);
  }), seconds);
  const after = await metric();
  const sorted = deltas.slice(1).sort((a, b) => a - b);
  return {
    sorted,
    busy: ((after.TaskDuration - before.TaskDuration) * 1000) / sorted.length,
    script: ((after.ScriptDuration - before.ScriptDuration) * 1000) / sorted.length,
    layout: ((after.LayoutDuration - before.LayoutDuration) * 1000) / sorted.length,
    style: ((after.RecalcStyleDuration - before.RecalcStyleDuration) * 1000) / sorted.length,
  };
}
