// The Experiments panel: its worker loads only when the panel opens, runs
// the CLI's experiments to the same numbers (tests/golden/lab_runs.json holds
// the CLI's reports; tests/lab.rs keeps it equal to the CLI), reports
// progress, cancels, refuses bad settings in the panel, and exports.
// Nothing here waits on wall time: each step waits for what the page shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launch, openPage, openAt, screenshot } from './harness.mjs';

const GOLDEN = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '..', 'tests', 'golden', 'lab_runs.json'), 'utf8'));
let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Fills the panel's form with a request's fields (the rest keep their defaults). */
async function fill(page, request) {
  await page.selectOption('#lab-kind', request.kind);
  for (const [name, value] of request.fields) {
    const el = page.locator(`#lab-${name}`);
    const tag = await el.evaluate((e) => (e.type === 'checkbox' ? 'checkbox' : e.tagName));
    if (tag === 'checkbox') await el.setChecked(value === 'true');
    else if (tag === 'SELECT') await el.selectOption(value);
    else await el.fill(value);
  }
}

/** Runs what the form holds and waits for the result. */
async function run(page) {
  await page.click('#lab-run');
  await page.locator('#lab-done').waitFor({ timeout: 120000 });
}

/** An export's file name and bytes, as the download carries them. */
async function exported(page, id) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
  const bytes = fs.readFileSync(await download.path());
  return { name: download.suggestedFilename(), bytes, text: bytes.toString('utf8') };
}

test('the worker loads only when the panel opens, and every experiment reports what the CLI prints', async () => {
  const page = await openPage(browser, server.url);
  const fetched = [];
  page.on('request', (r) => fetched.push(r.url()));
  await page.locator('#lab-open').waitFor();
  assert.ok(!fetched.some((u) => u.includes('splitbrain-lab')), 'no worker before the panel opens');
  await page.keyboard.press('x');
  await page.locator('#lab').waitFor();
  for (const g of GOLDEN) {
    await page.selectOption('#lab-kind', g.request.kind);
    await fill(page, g.request);
    await run(page);
    assert.equal(await page.locator('#lab-command').textContent(), g.command);
    const { name, text } = await exported(page, '#lab-json');
    assert.equal(name, `splitbrain-${g.request.kind}.json`);
    const body = JSON.parse(text);
    assert.deepEqual(body.report, g.report, `${g.command}: the browser's report is the CLI's`);
    assert.equal(body.command, g.command);
    // Back to the defaults for the next case: reload the panel's form.
    await page.reload();
    await page.locator('#lab-open').waitFor();
    await page.keyboard.press('x');
    await page.locator('#lab').waitFor();
  }
  assert.ok(fetched.some((u) => u.endsWith('splitbrain-lab_bg.wasm')), 'the worker fetched its wasm');
  assert.deepEqual(page.errors, []);
});

test('a run shows its progress, its plot with the paper over it, and exports CSV, SVG and PNG', async () => {
  const page = await openPage(browser, server.url);
  await page.click('#lab-open');
  await fill(page, { kind: 'failover', fields: [['testbed', 'raft-paper'], ['timeout-ms', '150-155'], ['trials', '300']] });
  assert.equal(await page.locator('#lab-latency-ms').isDisabled(), true, 'the testbed sets the wire');
  await run(page);
  const plot = page.locator('#lab-plot svg');
  assert.match(await plot.innerHTML(), /the paper: median 287 ms/);
  assert.equal(await plot.locator('path[stroke-dasharray], path[fill="#c2185b"]').count() >= 1, true);
  const csv = await exported(page, '#lab-csv');
  assert.equal(csv.name, 'splitbrain-failover.csv');
  const lines = csv.text.trim().split('\n');
  assert.equal(lines[0], 'trial,failover_ms,terms,split_vote');
  assert.equal(lines.length, 301, 'a header and 300 trials');
  await page.click('text=Histogram');
  const svg = await exported(page, '#lab-svg');
  assert.equal(svg.name, 'splitbrain-failover-histogram.svg');
  assert.match(svg.text, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  const png = await exported(page, '#lab-png');
  assert.equal(png.name, 'splitbrain-failover-histogram.png');
  assert.equal(png.bytes.subarray(1, 4).toString(), 'PNG', 'a PNG file');
  // Twice the SVG's 640 by 380: the IHDR chunk's width and height.
  assert.deepEqual([png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)], [1280, 760]);
  await screenshot(page, 'lab-failover');
  assert.deepEqual(page.errors, []);
});

test('cancel stops a long run and keeps the trials it ran', async () => {
  const page = await openPage(browser, server.url);
  await page.click('#lab-open');
  await fill(page, { kind: 'gossip', fields: [['nodes', '20000'], ['trials', '100000']] });
  await page.click('#lab-run');
  // Progress arrives from the worker while the page stays live.
  await page.waitForFunction(() => Number(document.querySelector('#lab-progress')?.value) > 0, null, { timeout: 120000 });
  await page.click('#lab-cancel');
  const done = page.locator('#lab-done');
  await done.waitFor({ timeout: 120000 });
  const text = await done.textContent();
  const m = /Cancelled after ([\d,]+) of 100,000 trials/.exec(text);
  assert.ok(m, text);
  const ran = Number(m[1].replace(/,/g, ''));
  assert.ok(ran > 0 && ran < 100000, text);
  const { text: json } = await exported(page, '#lab-json');
  assert.equal(JSON.parse(json).report.trials, ran, 'the report is of the trials that ran');
  assert.equal(await page.locator('#lab-run').isDisabled(), false, 'ready for another run');
  assert.deepEqual(page.errors, []);
});

test('bad settings get a message in the panel, and the form keeps what was typed', async () => {
  const page = await openPage(browser, server.url);
  await page.click('#lab-open');
  for (const [fields, message] of [
    [[['timeout-ms', '12-15'], ['latency-ms', '7-8']], /below the broadcast time of 16 ms/],
    [[['fsync-ms', '5-1']], /fsync-ms: the range 5-1 is backwards/],
    [[['nodes', 'lots']], /nodes: 'lots' is not a whole number/],
  ]) {
    await fill(page, { kind: 'failover', fields });
    await page.click('#lab-run');
    await page.locator('#lab-error').waitFor();
    assert.match(await page.locator('#lab-error').textContent(), message);
    assert.equal(await page.locator(`#lab-${fields[0][0]}`).inputValue(), fields[0][1], 'what was typed is kept');
    await fill(page, { kind: 'failover', fields: [['timeout-ms', '150-300'], ['latency-ms', '7-8'], ['fsync-ms', '0-0'], ['nodes', '5']] });
  }
  // Escape closes the panel; the playground is still there.
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#lab').count(), 0);
  assert.equal(await page.locator('#sim-time').count(), 1);
  assert.deepEqual(page.errors, []);
});

test('the playground pauses behind the open panel and plays again when it closes, unless it was paused', async () => {
  // Opened paused at a known instant, then played: only play and pause
  // matter here, whatever the cluster does meanwhile.
  const page = await openAt(browser, server.url, 'seed=3', 500_000);
  const play = page.locator('#play');
  await play.click();
  assert.equal(await play.getAttribute('aria-label'), 'Pause', 'playing');
  await page.keyboard.press('x');
  await page.locator('#lab').waitFor();
  assert.equal(await play.getAttribute('aria-label'), 'Play', 'paused behind the panel');
  await page.keyboard.press('x');
  assert.equal(await play.getAttribute('aria-label'), 'Play', 'x again leaves it as it is');
  await page.click('#lab .lab-head button');
  assert.equal(await page.locator('#lab').count(), 0);
  assert.equal(await play.getAttribute('aria-label'), 'Pause', 'playing again');
  // Paused by hand first: it stays paused after the panel closes.
  await play.click();
  await page.click('#lab-open');
  await page.keyboard.press('Escape');
  assert.equal(await play.getAttribute('aria-label'), 'Play');
  assert.deepEqual(page.errors, []);
});
