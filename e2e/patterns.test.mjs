// Leader patterns in the browser: witnesses, membership changes, snapshots,
// leases on a true-time axis, rotation, and the metrics panel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, screenshot } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const simTime = (page) => page.evaluate(() => Number(document.querySelector('#sim-time').dataset.us));

/** Loads a preset and plays it at `log10speed` until sim time `us`, then pauses. */
async function playTo(page, preset, us, log10speed = 2) {
  await page.selectOption('#preset', preset);
  await page.evaluate((x) => {
    const s = document.querySelector('#speed');
    s.value = String(x);
    s.dispatchEvent(new Event('input', { bubbles: true }));
  }, log10speed);
  // Poll: a violation pauses the run, and playing on is what we want here.
  for (let i = 0; i < 600 && (await simTime(page)) < us; i++) {
    if ((await page.textContent('#play')).includes('Play')) await page.click('#play');
    await page.waitForTimeout(100);
  }
  if ((await page.textContent('#play')).includes('Pause')) await page.click('#play');
  assert.ok((await simTime(page)) >= us, `${preset} did not reach ${us} us`);
}

test('a witness is marked, votes, and is never leader', async () => {
  const page = await openPage(browser, server.url);
  await page.waitForSelector('#preset');
  await page.selectOption('#preset', 'witness-2-plus-1');
  const w = page.locator('.node[data-node="2"]');
  assert.match(await w.getAttribute('class'), /witness/);
  assert.equal(await w.locator('.badge').count(), 1);
  for (const t of [1_000_000, 2_500_000, 6_000_000]) {
    await playTo(page, 'witness-2-plus-1', t);
    assert.notEqual(await w.getAttribute('data-role'), 'leader');
  }
  await w.click();
  await page.keyboard.press('Escape');
  assert.match(await page.textContent('#inspect-members'), /witness/);
  assert.deepEqual(page.errors, []);
});

test('membership: spares are marked, Add server adds one, and the configuration follows', async () => {
  const page = await openPage(browser, server.url);
  await page.waitForSelector('#preset');
  await playTo(page, 'membership-change', 1_000_000, 0);
  assert.match(await page.locator('.node[data-node="3"]').getAttribute('class'), /spare/);
  assert.match(await page.locator('.node[data-node="4"]').getAttribute('class'), /spare/);
  // Add the lowest spare (n3) with the toolbar button, before the timeline would.
  await page.click('#add-server');
  const t0 = await simTime(page);
  await page.click('#play');
  await page.waitForFunction((t) => Number(document.querySelector('#sim-time').dataset.us) >= t + 300_000, t0, { timeout: 30000 });
  await page.click('#play');
  assert.doesNotMatch(await page.locator('.node[data-node="3"]').getAttribute('class'), /spare/);
  await page.locator('.node[data-node="0"]').click();
  await page.keyboard.press('Escape');
  const members = await page.textContent('#inspect-members');
  assert.ok(members.includes('n3'), members);
  // The button and the timeline asked for the same server's kind of change,
  // one at a time: the event log shows each new configuration.
  const log = await page.textContent('#event-log');
  assert.match(log, /configuration \{n0,n1,n2,n3/);
  await screenshot(page, 'membership');
  assert.deepEqual(page.errors, []);
});

test('a node back from a long outage shows the snapshot it installed', async () => {
  const page = await openPage(browser, server.url);
  await page.waitForSelector('#preset');
  await playTo(page, 'long-outage-snapshot', 62_300_000);
  await page.locator('.node[data-node="4"]').click();
  await page.keyboard.press('Escape');
  assert.match(await page.textContent('#inspect-snapshot'), /up to index \d+/);
  assert.equal(await page.locator('.log-cells .cell.snapshot').count(), 1);
  assert.deepEqual(page.errors, []);
});

test('leases on true time show the overlap that the skewed clock causes', async () => {
  const page = await openPage(browser, server.url);
  await page.waitForSelector('#preset');
  await playTo(page, 'lease-clock-skew', 1_400_000, 0);
  assert.ok(await page.locator('#chart-leases .lease-span').count() >= 2);
  assert.ok(await page.locator('#chart-leases .lease-overlap').count() >= 1);
  await page.locator('.node[data-node="0"]').click();
  await page.keyboard.press('Escape');
  const clock = await page.textContent('#inspect-clock');
  assert.match(clock, /local .* true/);
  assert.match(clock, /drift -500000 ppm/);
  assert.match(await page.locator('.node[data-node="0"] .clock-tag').textContent(), /clock -\d/);
  await screenshot(page, 'leases');
  assert.deepEqual(page.errors, []);
});

test('the metrics panel charts rotation, elections, latency and traffic', async () => {
  const page = await openPage(browser, server.url);
  await page.waitForSelector('#preset');
  await playTo(page, 'rotation-under-load', 4_500_000);
  assert.ok(await page.locator('#chart-leaders rect[fill]').count() >= 4);
  assert.ok(await page.locator('#chart-elections .bar-election').count() >= 4);
  assert.match(await page.textContent('#chart-latency'), /p50 \d+\.\d ms · p99 \d+\.\d ms/);
  assert.match(await page.textContent('#chart-handovers'), /rotation gap mean \d+\.\d ms/);
  assert.ok(await page.locator('#chart-links rect').count() >= 20);
  await screenshot(page, 'metrics');
  assert.deepEqual(page.errors, []);
});

test('the Patterns settings turn on a witness, rotation and leases on reset', async () => {
  const page = await openPage(browser, `${server.url}#seed=3&speed=100`);
  await page.waitForSelector('#patterns');
  await page.click('#patterns summary');
  await page.fill('#witnesses', '4');
  await page.locator('#witnesses').dispatchEvent('change');
  await page.fill('#rotate-ms', '400');
  await page.locator('#rotate-ms').dispatchEvent('change');
  await page.fill('#lease-ppm', '10000');
  await page.locator('#lease-ppm').dispatchEvent('change');
  await screenshot(page, 'patterns-settings');
  await page.click('#reset');
  assert.match(await page.locator('.node[data-node="4"]').getAttribute('class'), /witness/);
  if ((await page.textContent('#play')).includes('Play')) await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) >= 3_000_000, null, { timeout: 30000 });
  await page.click('#play');
  assert.match(await page.textContent('#chart-handovers'), /rotation gap mean/);
  assert.match(await page.textContent('#chart-leases'), /held one \d+\.\d% of the time/);
  assert.match(await page.textContent('#patterns summary'), /Patterns \(3\)/);
  assert.deepEqual(page.errors, []);
});
