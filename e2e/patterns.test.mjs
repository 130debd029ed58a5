// Leader patterns in the browser: witnesses, membership changes, snapshots,
// leases on a true-time axis, rotation, and the metrics panel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, openAt, advance, simTime, screenshot } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Opens a preset paused at simulated instant `us`. */
const presetAt = (preset, us) => openAt(browser, server.url, `preset=${preset}`, us);

test('a witness is marked, votes, and is never leader', async () => {
  const page = await presetAt('witness-2-plus-1', 1_000_000);
  const w = page.locator('.node[data-node="2"]');
  assert.match(await w.getAttribute('class'), /witness/);
  assert.equal(await w.locator('.badge').count(), 1);
  // Every 250 ms through the leader's crash at 2 s and the failover after it.
  const led = new Set();
  for (let i = 0; i < 20; i++) {
    assert.notEqual(await w.getAttribute('data-role'), 'leader', `at ${await simTime(page)} us`);
    for (const n of await page.locator('.node[data-role="leader"]').evaluateAll((ns) => ns.map((n) => n.dataset.node))) led.add(n);
    await advance(page, 250);
  }
  assert.ok(led.size >= 2 && !led.has('2'), `leaders seen: ${[...led]}: the others led, after the crash too`);
  await w.click();
  await page.keyboard.press('Escape');
  assert.match(await page.textContent('#inspect-members'), /witness/);
  assert.deepEqual(page.errors, []);
});

test('membership: spares are marked, Add server adds one, and the configuration follows', async () => {
  // At 1 s, before the preset's own timeline adds n3 at 1.5 s.
  const page = await presetAt('membership-change', 1_000_000);
  assert.match(await page.locator('.node[data-node="3"]').getAttribute('class'), /spare/);
  assert.match(await page.locator('.node[data-node="4"]').getAttribute('class'), /spare/);
  // Add the lowest spare (n3) with the toolbar button, before the timeline would.
  await page.click('#add-server');
  await advance(page, 300);
  assert.equal(await simTime(page), 1_300_000, 'still before the timeline adds n3');
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
  const page = await presetAt('long-outage-snapshot', 62_300_000);
  await page.locator('.node[data-node="4"]').click();
  await page.keyboard.press('Escape');
  assert.match(await page.textContent('#inspect-snapshot'), /up to index \d+/);
  assert.equal(await page.locator('.log-cells .cell.snapshot').count(), 1);
  assert.deepEqual(page.errors, []);
});

test('leases on true time show the overlap that the skewed clock causes', async () => {
  const page = await presetAt('lease-clock-skew', 1_400_000);
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
  const page = await presetAt('rotation-under-load', 4_500_000);
  assert.ok(await page.locator('#chart-leaders rect[fill]').count() >= 4);
  assert.ok(await page.locator('#chart-elections .bar-election').count() >= 4);
  assert.match(await page.textContent('#chart-latency'), /p50 \d+\.\d ms · p99 \d+\.\d ms/);
  assert.match(await page.textContent('#chart-handovers'), /rotation gap mean \d+\.\d ms/);
  assert.ok(await page.locator('#chart-links rect').count() >= 20);
  await screenshot(page, 'metrics');
  assert.deepEqual(page.errors, []);
});

test('the Patterns settings turn on a witness, rotation and leases on reset', async () => {
  const page = await openAt(browser, server.url, 'seed=3', 0);
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
  await page.evaluate(() => { // back to 0, so the run below is the same every time
    const s = document.querySelector('#scrubber');
    s.value = '0';
    s.dispatchEvent(new Event('input', { bubbles: true }));
  });
  assert.equal(await simTime(page), 0);
  await advance(page, 3000);
  assert.match(await page.textContent('#chart-handovers'), /rotation gap mean/);
  assert.match(await page.textContent('#chart-leases'), /held one \d+\.\d% of the time/);
  assert.match(await page.textContent('#patterns summary'), /Patterns \(3\)/);
  assert.deepEqual(page.errors, []);
});

test('slow disks: a node writing to disk wears a badge, and its messages wait for the write', async () => {
  // A client request at 1 s: the leader (n4) writes the entry for 5-10 ms.
  const page = await presetAt('slow-disk', 1_002_000);
  const disks = page.locator('.node .disk');
  assert.ok(await disks.count() >= 1, 'a write in progress is drawn');
  assert.match(await disks.first().locator('title').textContent(), /writing to stable storage: [\d.]+ ms left/);
  // 40 ms later every write of that request is done, before the next request.
  const later = await presetAt('slow-disk', 1_040_000);
  assert.equal(await later.locator('.node .disk').count(), 0);
  // The failover after the leader's crash at 1.5 s does not split: one new term.
  const after = await presetAt('slow-disk', 2_200_000);
  const terms = await after.locator('.node').evaluateAll((ns) => ns.map((n) => Number(n.dataset.term)));
  assert.equal(Math.max(...terms), 2, `terms ${terms}`);
  await screenshot(page, 'slow-disk');
  for (const p of [page, later, after]) assert.deepEqual(p.errors, []);
});
