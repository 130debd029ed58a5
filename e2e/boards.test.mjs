// The board view: Paxos, Multi-Paxos, leases with fencing tokens, the bully and
// ring elections, and federated regions, each drawn by its own face in the one
// playground app.
// Every test opens at a known simulated instant and moves simulated time
// itself, so what it sees does not depend on the machine's speed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launch, openPage, openAt, advance, frames, simTime, screenshot } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const open = (hash, us, opts) => openAt(browser, server.url, hash, us, opts);
const hash = (page) => page.locator('#trace-hash').getAttribute('data-hash');
/** Opens the page's share link in a new page, once it has run to `us`. */
async function reopenShared(page, us) {
  await page.locator('#share').click();
  await page.locator('#share-url').waitFor();
  const link = await page.locator('#share-url').inputValue();
  const again = await openPage(browser, `${server.url}${link.slice(link.indexOf('#'))}`);
  await again.waitForFunction((at) => Number(document.querySelector('#sim-time')?.dataset.us) === at, us, { timeout: 60000 });
  return again;
}
/** The trace hash the native run records for a preset. */
const golden = (id) => fs.readFileSync(path.resolve(import.meta.dirname, '../tests/golden/trace_hashes.txt'), 'utf8')
  .split('\n').find((l) => l.startsWith(`${id} `))?.split(' ')[1];

test('a Paxos duel runs to its end with the native trace, every node learning one value', async () => {
  const page = await open('preset=paxos-duel', 1_000_000);
  assert.equal(await page.locator('.app').getAttribute('data-protocol'), 'paxos');
  assert.equal(await page.locator('#protocol').inputValue(), 'paxos');
  assert.equal(await hash(page), golden('paxos-duel'), 'the same trace as natively');
  assert.match(await page.locator('#summary').textContent(), /^10[01] learned by 5 of 5/);
  assert.equal(await page.locator('.node[data-role="leader"]').count(), 5, 'five green nodes: all learned');
  assert.equal(await page.locator('.inv').count(), 3);
  assert.equal(await page.locator('.inv.good').count(), 3, 'Agreement, Validity and Promise Kept hold');
  assert.match(await page.locator('#board-figures').textContent(), /learned at 180\.409 ms by 5 nodes after 10 ballots/);
  await page.locator('.node[data-node="0"]').click();
  assert.match(await page.locator('.inspector dd[data-what="proposes"]').textContent(), /^100 · b\d+/);
  await screenshot(page, 'board-paxos');
  assert.deepEqual(page.errors, []);
});

test('Multi-Paxos fails over with the native trace, and quorums that miss each other are caught', async () => {
  const page = await open('preset=multipaxos-leader-failover', 6_000_000);
  assert.equal(await page.locator('.app').getAttribute('data-protocol'), 'multipaxos');
  assert.equal(await hash(page), golden('multipaxos-leader-failover'), 'the same trace as natively');
  assert.match(await page.locator('#summary').textContent(), /^n2 leads b12 · \d+ slots chosen/);
  assert.equal(await page.locator('.node[data-node="4"]').getAttribute('data-role'), 'follower', 'the old leader, restarted at 4 s, follows');
  assert.equal(await page.locator('.inv.good').count(), 3, 'Log Safety, State Machine Safety, Linearizable Reads hold');
  await page.locator('.node[data-node="2"]').click();
  assert.match(await page.locator('.inspector dd[data-what="role"]').textContent(), /^leader of b12/);
  assert.match(await page.locator('.inspector dd[data-what="log"]').textContent(), /w\d+/);
  await screenshot(page, 'board-multipaxos');
  const split = await open('preset=multipaxos-non-intersecting-quorums', 2_200_000);
  assert.match(await split.locator('#violation-banner').textContent(), /Log Safety violated/);
  assert.deepEqual([...page.errors, ...split.errors], []);
});

test('federated regions: a cut-off region writes on and spends only its share; a region outage from the menu replays', async () => {
  const page = await open('preset=federation-partition-fallback', 10_000_000);
  assert.equal(await page.locator('.app').getAttribute('data-protocol'), 'federation');
  assert.equal(await hash(page), golden('federation-partition-fallback'), 'the same trace as natively');
  assert.match(await page.locator('.node[data-node="7"]').textContent(), /ap/, 'nodes are labelled by region');
  assert.equal(await page.locator('.inv.good').count(), 2, 'the Quota and Local Decisions hold');
  // ap kept starting global ballots while cut off; back, its n6 has the highest and leads.
  assert.equal(await page.locator('#summary').textContent(), 'global leader n6 in ap · 22 of 48 pool units drawn');
  await page.locator('.node[data-node="7"]').click();
  assert.equal(await page.locator('.inspector dd[data-what="region"]').textContent(), 'ap');
  await screenshot(page, 'board-federation');
  // A policy no allocation satisfies is refused at reset, and the run stays.
  const before = await hash(page);
  await page.locator('#knob-share').fill('30');
  await page.locator('#knob-share').press('Enter');
  await page.locator('#reset').click();
  await page.locator('#error-banner').waitFor();
  assert.match(await page.locator('#error-banner').textContent(), /no allocation satisfies the policy: 3 regions with a share of 30 units each need 90, but the quota is 60/);
  assert.equal(await simTime(page), 10_000_000);
  assert.equal(await hash(page), before);
  const near = await open('preset=federation-leader-near', 1_000_000);
  await near.locator('.node[data-node="4"]').click();
  await near.locator('.menu').getByRole('button', { name: 'Region eu down' }).click();
  for (const n of [3, 4, 5]) {
    assert.equal(await near.locator(`.node[data-node="${n}"]`).getAttribute('data-role'), 'crashed', `n${n} of eu is down`);
  }
  await advance(near, 300);
  assert.match(await near.locator('#timeline').textContent(), /region_down|region eu down/i);
  const there = await hash(near);
  const again = await reopenShared(near, 1_300_000);
  assert.equal(await hash(again), there, 'the link replays the region outage');
  assert.deepEqual([...page.errors, ...near.errors, ...again.errors], []);
});

test('a broken variant is caught by name, and the violation pauses the run', async () => {
  const page = await open('preset=fencing-paused-client', 400_000);
  assert.match(await page.locator('#violation-banner').textContent(), /Fenced Writes violated/);
  assert.equal(await page.locator('.inv.bad').getAttribute('data-property'), 'Fenced Writes');
  const p2 = await open('preset=paxos-forgotten-promise', 100_000);
  assert.match(await p2.locator('#violation-banner').textContent(), /Promise Kept violated/);
  const p3 = await open('preset=bully-split-brain', 200_000);
  assert.match(await p3.locator('#violation-banner').textContent(), /One Coordinator violated/);
  assert.equal(await p3.locator('.node[data-role="leader"]').count(), 2, 'two coordinators on the page');
  await screenshot(p3, 'board-bully-split');
  assert.deepEqual([...page.errors, ...p2.errors, ...p3.errors], []);
});

test('the selector lists each protocol by name and keeps each run while another shows', async () => {
  const page = await open('preset=ring-shuffled', 50_000);
  const names = await page.locator('#protocol option').allTextContents();
  for (const name of ['Raft', 'Paxos', 'Multi-Paxos', 'Leases & fencing', 'Bully election', 'Ring election', 'Federated regions']) {
    assert.ok(names.includes(name), `${name} in ${names}`);
  }
  await page.locator('#protocol').selectOption('paxos');
  await page.waitForFunction(() => document.querySelector('.app')?.dataset.protocol === 'paxos');
  await page.locator('#protocol').selectOption('ring');
  await page.waitForFunction(() => document.querySelector('.app')?.dataset.protocol === 'ring');
  assert.equal(await simTime(page), 50_000, 'the ring run is where it was');
  assert.match(await page.locator('.node[data-node="3"] text.term').textContent(), /id 8/);
  // Raft's own view, and back.
  await page.locator('#protocol').selectOption('raft');
  await page.waitForFunction(() => !document.querySelector('.board-app'));
  await page.locator('#protocol').selectOption('ring');
  await page.waitForFunction(() => document.querySelector('.app')?.dataset.protocol === 'ring');
  assert.equal(await simTime(page), 50_000);
  assert.deepEqual(page.errors, []);
});

test('the settings form refuses what it cannot hold with the field named, and keeps the run', async () => {
  const page = await open('preset=paxos-backoff', 30_000);
  const before = await hash(page);
  await page.locator('#knob-proposers').fill('0, x');
  await page.locator('#knob-proposers').press('Enter');
  await page.locator('#error-banner').waitFor();
  assert.match(await page.locator('#error-banner').textContent(), /Proposers: 'x' is not a node number/);
  await page.locator('#error-banner button').click();
  // A quorum larger than the cluster is refused at reset, and the run stays.
  await page.locator('#knob-q1').fill('9');
  await page.locator('#knob-q1').press('Enter');
  await page.locator('#reset').click();
  await page.locator('#error-banner').waitFor();
  assert.match(await page.locator('#error-banner').textContent(), /q1 must be 1 to the 5 nodes, not 9/);
  assert.equal(await simTime(page), 30_000);
  assert.equal(await hash(page), before);
  // A setting it can hold applies on reset: three proposers.
  await page.locator('#error-banner button').click();
  await page.locator('#knob-q1').fill('');
  await page.locator('#knob-q1').press('Enter');
  await page.locator('#knob-proposers').fill('0, 1, 2');
  await page.locator('#knob-proposers').press('Enter');
  await page.locator('#reset').click();
  await page.locator('#play').click();
  await page.waitForFunction(() => document.querySelector('#play').textContent.includes('Play'));
  await advance(page, 300);
  assert.equal(await page.locator('.node .badge').count(), 3, 'three proposers, badged P');
  assert.deepEqual(page.errors, []);
});

test('a fault from the node menu is recorded and replays from the share link', async () => {
  const page = await open('preset=fencing-tokens', 20_000);
  await page.locator('.node[data-node="2"]').click();
  await page.locator('.menu').getByRole('button', { name: 'Crash', exact: true }).click();
  assert.equal(await page.locator('.node[data-node="2"]').getAttribute('data-role'), 'crashed');
  await advance(page, 200);
  const there = await hash(page);
  assert.match(await page.locator('#timeline').textContent(), /crash/i);
  const again = await reopenShared(page, 220_000);
  assert.equal(await hash(again), there, 'the link replays the same run');
  assert.deepEqual([...page.errors, ...again.errors], []);
});
