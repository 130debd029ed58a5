// The store's view, in the one playground app, tested in headless Chromium.
// Every test opens at a known simulated instant and moves simulated time
// itself, so what it sees does not depend on the machine's speed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { DIST, serveDist, launch, openPage, openAt, advance, frames, simTime, screenshot } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const store = (hash, us, opts) => openAt(browser, server.url, hash, us, opts);
const hash = (page) => page.locator('#trace-hash').getAttribute('data-hash');

test('a partition splits the replicas, the table marks the keys apart, and they converge after the heal', async () => {
  const page = await store('preset=store-siblings', 5_000_000);
  // Mid-partition: some keys' replicas disagree, on the ring and in the table.
  const apart = await page.locator('#replica-table tr.diverged').count();
  assert.ok(apart > 0, 'keys apart during the partition');
  assert.ok(await page.locator('.ring .key.split').count() > 0, 'red keys on the ring');
  assert.ok(await page.locator('#op-stream .op').count() > 5, 'client operations stream past');
  assert.ok(await page.locator('.node[data-node="0"] .clock-tag').count() === 1, 'n0 shows its skewed clock');
  await screenshot(page, 'store-partition');
  // Two seconds after the heal at 7 s, every key's replicas agree again:
  // the table still has its rows, none apart, and every property is
  // listed, green.
  await advance(page, 4000);
  assert.equal(await page.locator('#replica-table tbody tr').count(), 4, "the table shows the preset's four keys");
  assert.equal(await page.locator('#replica-table tr.diverged').count(), 0);
  assert.match(await page.locator('#m-lost').textContent(), /^0 of \d+/);
  const properties = await page.locator('.inv').count();
  assert.ok(properties >= 3, `the store's properties are listed (${properties})`);
  assert.equal(await page.locator('.inv.good').count(), properties, 'every property holds');
  assert.deepEqual(page.errors, []);
});

test('the same link gives the same run, and scrubbing back and forth returns to the same trace', async () => {
  const a = await store('preset=store-lww-skew', 4_000_000);
  const b = await store('preset=store-lww-skew', 4_000_000);
  assert.equal(await hash(a), await hash(b));
  const there = await hash(a);
  await a.locator('#scrubber').fill('1000000');
  await a.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) === 1000000);
  assert.notEqual(await hash(a), there);
  await a.locator('#scrubber').fill('4000000');
  await a.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) === 4000000);
  assert.equal(await hash(a), there);
  assert.deepEqual([...a.errors, ...b.errors], []);
});

test('a node menu crashes a replica and sends a client write through another', async () => {
  // At 10 s the preset's clients have stopped: the stream shows only ours.
  const page = await store('preset=store-sloppy-handoff', 10_000_000);
  await page.locator('.node[data-node="2"]').click();
  await page.locator('.menu').getByRole('button', { name: 'Crash', exact: true }).click();
  assert.equal(await page.locator('.node[data-node="2"]').getAttribute('data-role'), 'crashed');
  await page.locator('.node[data-node="1"]').click();
  await page.locator('.menu').getByRole('button', { name: 'Client write', exact: true }).click();
  await advance(page, 300);
  const mine = page.locator('#op-stream .op', { hasText: 'you@n1' });
  assert.equal(await mine.count(), 1, 'the write shows in the stream');
  assert.match(await mine.textContent(), /write k\d+ = #\d+.*✓/);
  // A write and a read of a key the person names.
  await page.locator('.node[data-node="3"]').click();
  await page.locator('.menu input[id^="menu-key"]').fill('5');
  await page.locator('.menu').getByRole('button', { name: 'Client write', exact: true }).click();
  await advance(page, 300);
  assert.equal(await page.locator('#op-stream .op', { hasText: 'you@n3' }).count(), 1);
  assert.match(await page.locator('#op-stream .op', { hasText: 'you@n3' }).textContent(), /write k5 = #\d+.*✓/);
  await page.locator('.node[data-node="4"]').click();
  await page.locator('.menu input[id^="menu-key"]').fill('5');
  await page.locator('.menu').getByRole('button', { name: 'Client read', exact: true }).click();
  await advance(page, 300);
  assert.match(await page.locator('#op-stream .op', { hasText: 'you@n4' }).textContent(), /read k5 → .*✓/);
  assert.deepEqual(page.errors, []);
});

test('the store runs in the one page: links open in its view and the menu switches without a reload', async () => {
  // A store preset opens in the store's view of the one app.
  const page = await openPage(browser, `${server.url}#preset=store-sloppy-handoff&t=3000000`);
  await page.waitForFunction(() => Number(document.querySelector('#sim-time')?.dataset.us) === 3000000, null, { timeout: 60000 });
  assert.ok(await page.locator('.node .hint-badge').count() > 0, 'stand-ins hold hints while n2 is down');
  assert.equal(await page.locator('#protocol').inputValue(), 'store');
  // The menu moves to Raft and back on the same page: nothing reloads, and
  // the store's run is where it was.
  await page.evaluate(() => { window.samePage = true; });
  await page.locator('#protocol').selectOption('raft');
  await page.waitForSelector('#kill');
  assert.equal(await page.locator('#replica-table').count(), 0);
  await page.locator('#protocol').selectOption('store');
  await page.waitForSelector('#replica-table');
  assert.equal(await simTime(page), 3000000, 'the store run kept its instant');
  assert.equal(await page.evaluate(() => window.samePage), true, 'the page did not reload');
  assert.ok(!page.url().includes('store.html'));
  // The Experiments button is there for the store too.
  assert.equal(await page.locator('#lab-open').count(), 1);
  assert.deepEqual(page.errors, []);
});

test('the build has one HTML page: every protocol runs in the one app', () => {
  const pages = fs.readdirSync(DIST).filter((f) => f.endsWith('.html'));
  assert.deepEqual(pages, ['index.html']);
});

test('a bad store link keeps the current run and says why', async () => {
  const page = await store('preset=store-siblings', 2_000_000);
  const before = await simTime(page);
  await page.evaluate(() => { location.hash = 's=not-a-link'; });
  await page.waitForSelector('#error-banner');
  assert.match(await page.locator('#error-banner').textContent(), /could not be opened/);
  assert.equal(await simTime(page), before);
  await frames(page);
  assert.deepEqual(page.errors, []);
});

test('CRDT values read as one joined value, and an oversold inventory is compensated after the heal', async () => {
  // A counter during the partition: the replicas hold different counts, each one number.
  const counter = await store('preset=store-crdt-counter', 5_000_000);
  const cells = await counter.locator('#replica-table .v.crdt').allTextContents();
  assert.ok(cells.length > 0 && cells.every((t) => /^-?\d+$/.test(t)), `counter cells: ${cells}`);
  assert.ok(await counter.locator('#replica-table tr.diverged').count() > 0, 'the sides count apart');
  // The inventory: oversold while apart, then exactly twenty kept on every home replica.
  const inv = await store('preset=store-inventory', 4_000_000);
  assert.equal(await inv.locator('#m-compensations').count(), 0, 'nothing compensated while apart');
  await advance(inv, 4000);
  assert.match(await inv.locator('#m-compensations').textContent(), /^\d+ oversold orders made good$/);
  const home = await inv.locator('#replica-table td:not(.away) .v.crdt').allTextContents();
  assert.ok(home.length >= 3 && home.every((t) => t === '20 elements'), `home replicas: ${home}`);
  assert.deepEqual(counter.errors, []);
  assert.deepEqual(inv.errors, []);
});
