// Browser frame-time benchmark (part of `cargo xtask bench`): the space-time
// diagram open and playing, ten simulated minutes into a run. The diagram
// keeps the widest window's events (5 s) and draws at most 600 arrows, so
// its cost per frame does not grow with the run. The bar: frame interval
// p95 at most 16.7 ms on the 5-node and 15-node Raft clusters.
import { serveDist, launch, openPage, pct, frameTimes } from '../harness.mjs';

const SECONDS = Number(process.env.FRAME_SECONDS || 8);
const TEN_MINUTES = 600_000_000;
let failed = false;

async function measure(browser, url, label, { bar, span, closed } = {}) {
  const page = await openPage(browser, `${url}&t=${TEN_MINUTES}`);
  await page.waitForFunction((t) => Number(document.querySelector('#sim-time')?.dataset.us) === t, TEN_MINUTES, { timeout: 180000 });
  if (!closed) {
    await page.keyboard.press('d');
    await page.locator('#diagram').waitFor();
  }
  if (span) await page.selectOption('#diagram-span', String(span));
  await page.keyboard.press(' ');
  await page.waitForTimeout(1000); // warm up
  const { sorted, busy, script } = await frameTimes(page, SECONDS);
  const arrows = closed ? 'no' : await page.locator('#diagram').getAttribute('data-arrows');
  const p95 = pct(sorted, 95);
  console.log(`${label}: ${sorted.length} frames in ${SECONDS}s; frame interval p50 ${pct(sorted, 50).toFixed(2)} ms, p95 ${p95.toFixed(2)} ms; main-thread busy ${busy.toFixed(2)} ms/frame (script ${script.toFixed(2)} ms); ${arrows} arrows drawn at the end; errors ${page.errors.length}${bar ? ` (bar p95 ${bar} ms)` : ''}`);
  // Frame intervals jitter by 0.1 ms around the refresh: the bar is
  // one refresh, no frame dropped at the 95th percentile.
  if (bar && p95 > bar + 0.2) failed = true;
  await page.close();
}

const server = await serveDist();
const browser = await launch();
try {
  await measure(browser, `${server.url}#seed=1&nodes=5&speed=1`, 'diagram, 5-node Raft at 1x, t = 10 min', { bar: 16.7 });
  await measure(browser, `${server.url}#seed=1&nodes=15&speed=1`, 'diagram, 15-node Raft at 1x, t = 10 min, 5 s window', { bar: 16.7, span: 5000000 });
  await measure(browser, `${server.url}#seed=1&nodes=15&speed=20`, 'diagram, 15-node Raft at 20x, t = 10 min');
  await measure(browser, `${server.url}#preset=store-load-20&speed=1`, 'diagram, store with 20 nodes under load at 1x, t = 10 min');
  await measure(browser, `${server.url}#preset=store-load-20&speed=1`, 'diagram closed, store with 20 nodes under load at 1x, t = 10 min', { closed: true });
} finally {
  await browser.close();
  await server.close();
}
if (failed) process.exit(1);
