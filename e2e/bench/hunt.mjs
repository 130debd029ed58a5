// The Find a bug panel in headless Chromium (part of `cargo xtask bench`):
// the page's frame intervals while a search runs in the worker (the bar:
// p95 at most 16.7 ms), the worker's schedules a second against the native
// CLI's on the same scenario, and how long the zoo's mysteries take to be
// found in the browser.
//   SPLITBRAIN_CLI: the native release CLI (xtask builds it).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { serveDist, launch, openPage, pct, frameTimes } from '../harness.mjs';

const CLI = process.env.SPLITBRAIN_CLI || 'target/release/splitbrain';
const FRAME_SECONDS = Number(process.env.FRAME_SECONDS || 6);
const BAR_MS = 16.7;

async function openPanel(page) {
  await page.keyboard.press('b');
  await page.locator('#hunt').waitFor();
}

/** Reads `N schedules · R/s` off the panel's progress line. */
async function rate(page) {
  const text = await page.locator('#hunt-rate').textContent();
  const [, n, r] = text.match(/([\d,]+) schedules · ([\d,]+)\/s/);
  return { schedules: Number(n.replace(/,/g, '')), perS: Number(r.replace(/,/g, '')), text };
}

const server = await serveDist();
const browser = await launch();
let failed = false;
try {
  const page = await openPage(browser, `${server.url}#preset=leader-crash&t=0`);
  await page.waitForFunction(() => Number(document.querySelector('#sim-time')?.dataset.us) === 0);
  await openPanel(page);
  await page.fill('#hunt-schedules', '1000000');
  await page.click('#hunt-start');
  await page.waitForFunction(() => /[1-9][\d,]* schedules/.test(document.querySelector('#hunt-rate')?.textContent ?? ''), null, { timeout: 60000 });
  const { sorted, busy } = await frameTimes(page, FRAME_SECONDS);
  const p95 = pct(sorted, 95);
  const r = await rate(page);
  console.log(`page frames while the worker searches leader-crash: ${sorted.length} frames in ${FRAME_SECONDS}s; interval p50 ${pct(sorted, 50).toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, max ${sorted.at(-1).toFixed(2)} ms; main thread busy ${busy.toFixed(2)} ms/frame (${r.text})`);
  // At 60 Hz a frame the page misses shows as a 33.3 ms interval; 16.6 to
  // 16.8 ms is the display's own jitter, so the bar allows up to 17.5 ms.
  if (p95 > BAR_MS + 0.8) {
    console.log(`FAIL: frame p95 ${p95.toFixed(2)} ms is above ${BAR_MS} ms`);
    failed = true;
  }
  await page.click('#hunt-stop');
  await page.locator('#hunt-done').waitFor({ timeout: 60000 });
  const preset = path.resolve(import.meta.dirname, '..', '..', 'static', 'scenarios', 'leader-crash.json');
  const t0 = process.hrtime.bigint();
  const native = JSON.parse(execFileSync(CLI, ['search', preset, '--schedules', '2000', '--json'], { encoding: 'utf8' }));
  const nativeS = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`schedules a second on leader-crash: Chromium worker ${r.perS}, native CLI ${(native.schedules / nativeS).toFixed(0)} (2,000 schedules, process included); wasm/native ${(r.perS / (native.schedules / nativeS)).toFixed(2)}x`);
  // Each mystery of the zoo, searched in the browser.
  await page.keyboard.press('Escape');
  await openPanel(page);
  await page.click('#zoo > summary');
  await page.locator('.zoo-row').first().waitFor();
  const rows = await page.locator('.zoo-row').evaluateAll((els) => els.map((e) => e.id));
  await page.keyboard.press('Escape');
  for (const row of rows) {
    await openPanel(page);
    await page.click('#zoo > summary');
    await page.click(`#${row} .zoo-try`);
    await page.locator('#hunt').waitFor({ state: 'detached' });
    // The link opens once the browser has deflated it: reopen until the
    // panel names the mystery.
    for (;;) {
      await openPanel(page);
      if (/Mystery/.test(await page.locator('#hunt-scenario').textContent())) break;
      await page.keyboard.press('Escape');
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
    }
    await page.fill('#hunt-schedules', '100000');
    const s0 = process.hrtime.bigint();
    await page.click('#hunt-start');
    // A bug found closes the panel and opens the run; nothing found shows
    // the end in the panel.
    await page.waitForFunction(() => !document.querySelector('#hunt') || document.querySelector('#hunt-done'), null, { timeout: 600000, polling: 100 });
    const secs = Number(process.hrtime.bigint() - s0) / 1e9;
    if (!(await page.locator('#hunt').count())) await openPanel(page);
    const done = await page.locator('#hunt-done').textContent();
    const found = (await page.locator('#hunt-done').getAttribute('data-found')) === 'true';
    const what = found ? (await page.locator('#hunt-found .banner').textContent()).split(' broke')[0] : 'not found';
    console.log(`| ${row.replace(/^zoo-/, '')} | ${what} | ${done.replace(/^Found: /, '')} | ${secs.toFixed(1)} s |`);
    await page.keyboard.press('Escape');
  }
  if (page.errors.length) throw new Error(page.errors.join('\n'));
} finally {
  await browser.close();
  await server.close();
}
if (failed) process.exit(1);
