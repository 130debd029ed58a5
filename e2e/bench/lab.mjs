// The Experiments panel in headless Chromium (part of `cargo xtask bench`):
// how long the worker takes for the same experiments as the native CLI, the
// ratio of the two measured here side by side, and the page's frame
// intervals while a long run is in the worker.
//   SPLITBRAIN_CLI: the native release CLI (xtask builds it).
import { execFileSync } from 'node:child_process';
import { serveDist, launch, openPage, pct, frameTimes } from '../harness.mjs';

const CLI = process.env.SPLITBRAIN_CLI || 'target/release/splitbrain';
const FRAME_SECONDS = Number(process.env.FRAME_SECONDS || 6);

/** The best wall time (ms) of the native CLI over `runs`, and its JSON. */
function native(args, runs) {
  let best = Infinity;
  let out = '';
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    out = execFileSync(CLI, [...args, '--json'], { encoding: 'utf8' });
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms: best, report: JSON.parse(out) };
}

async function fill(page, kind, fields) {
  await page.selectOption('#lab-kind', kind);
  for (const [n, v] of fields) {
    const el = page.locator(`#lab-${n}`);
    if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(v);
    else await el.fill(v);
  }
}

/** The best worker time (ms) in the panel over `runs`, and its report. */
async function inBrowser(page, kind, fields, runs) {
  await fill(page, kind, fields);
  let best = Infinity;
  let report;
  for (let i = 0; i < runs; i++) {
    await page.click('#lab-run');
    const done = page.locator('#lab-done');
    await page.waitForFunction(() => !document.querySelector('#lab-run').disabled && document.querySelector('#lab-done'), null, { timeout: 600000 });
    best = Math.min(best, Number(await done.getAttribute('data-ms')));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#lab-json')]);
    const chunks = await (await download.createReadStream()).toArray();
    report = JSON.parse(Buffer.concat(chunks).toString()).report;
  }
  return { ms: best, report };
}

/** Prints the page's animation-frame intervals and main-thread busy time. */
async function frames(page, seconds, label) {
  const { sorted, busy } = await frameTimes(page, seconds);
  console.log(`${label}: ${sorted.length} frames in ${seconds}s; interval p50 ${pct(sorted, 50).toFixed(2)} ms, p95 ${pct(sorted, 95).toFixed(2)} ms, max ${sorted.at(-1).toFixed(2)} ms; main thread busy ${busy.toFixed(2)} ms/frame`);
}

const server = await serveDist();
const browser = await launch();
try {
  // The playground behind the panel paused, so that only the worker runs.
  const page = await openPage(browser, `${server.url}#seed=1&speed=1`);
  await page.locator('#lab-open').waitFor();
  await page.keyboard.press(' ');
  await page.click('#lab-open');
  const cases = [
    ['failover, 1,000 trials at 150-300 ms', 'failover', [['trials', '1000']], ['failover', '--trials', '1000'], 5],
    ['gossip rumor, 1,000 trials of 1,000 sites', 'gossip', [['trials', '1000']], ['gossip', '--trials', '1000'], 3],
    ['SWIM, 20 trials of 100 members', 'swim', [['trials', '20']], ['swim', '--trials', '20'], 3],
  ];
  for (const [label, kind, fields, args, runs] of cases) {
    const n = native(args, runs);
    const b = await inBrowser(page, kind, fields, runs);
    const same = JSON.stringify(n.report) === JSON.stringify(b.report);
    console.log(`${label}: native CLI ${n.ms.toFixed(1)} ms (best of ${runs}, process included), Chromium worker ${b.ms.toFixed(1)} ms (best of ${runs}); wasm/native speed ${(n.ms / b.ms).toFixed(2)}x; same report: ${same}`);
    if (!same) throw new Error(`${label}: the browser's report differs from the CLI's`);
  }
  // Frames on the page: the playground playing with the panel closed; the
  // panel open with a long experiment in the worker (the playground pauses
  // behind it); and the same with the playground played again by hand.
  await page.keyboard.press('Escape');
  await page.keyboard.press(' ');
  await frames(page, FRAME_SECONDS, 'page frames, panel closed, playground playing at 1x');
  await page.click('#lab-open');
  await fill(page, 'gossip', [['trials', '100000']]);
  await page.click('#lab-run');
  await page.waitForFunction(() => Number(document.querySelector('#lab-progress')?.value) > 0, null, { timeout: 60000 });
  await frames(page, FRAME_SECONDS, 'page frames, panel open, worker running (the playground paused behind it)');
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press(' ');
  const progress = await page.locator('.lab-status span').textContent();
  await frames(page, FRAME_SECONDS, `page frames, worker running, playground played again by hand at 1x (${progress})`);
  await page.click('#lab-cancel');
  await page.locator('#lab-done').waitFor({ timeout: 60000 });
  if (page.errors.length) throw new Error(page.errors.join('\n'));
} finally {
  await browser.close();
  await server.close();
}
