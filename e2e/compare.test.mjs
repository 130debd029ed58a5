// Compare mode: two or three variants side by side under one clock. A link
// opens an example at a simulated instant; the keys, the scrubber and
// Play move every variant together; a fault made in one column (or from
// the fault bar) is made in every variant; forks of one run go their own
// ways; a share link and an imported file reopen a comparison; and bad
// links say what is wrong while the view showing is kept. Every wait is on
// a simulated instant, never on the clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, openAt, frames } from './harness.mjs';

const env = useBrowser(before, after);

/** Each variant's simulated instant (µs). */
const nows = (page) => page.evaluate(() => [...document.querySelectorAll('.variant')].map((v) => Number(v.dataset.now)));
/** What node `n` is in each variant (its role, or crashed). */
const roles = (page, n) => page.evaluate((n) => [...document.querySelectorAll('.variant')]
  .map((v) => v.querySelector(`.node[data-node="${n}"]`)?.dataset.role ?? null), n);
/** Opens `#compare=<hash>&t=<us>` and waits until every variant stands there. */
async function openCompare(hash, us, opts) {
  const page = await openPage(env.browser, `${env.server.url}#compare=${hash}&t=${us}`, opts);
  await page.waitForFunction((us) => {
    const v = [...document.querySelectorAll('.variant')];
    return v.length > 1 && v.every((e) => Number(e.dataset.now) === us);
  }, us, { timeout: 60000 });
  return page;
}
const allAt = (page, us) => page.waitForFunction((us) =>
  [...document.querySelectorAll('.variant')].every((e) => Number(e.dataset.now) === us), us, { timeout: 60000 });

test('a link opens Raft against the store at an instant; keys, the scrubber and Play move every variant together', async () => {
  const page = await openCompare('raft-vs-store', 4_000_000);
  assert.equal(await page.locator('.variant').count(), 3);
  assert.deepEqual(await page.locator('.variant h2').allTextContents(), ['Raft', 'store R=W=2', 'store R=W=1']);
  assert.equal(await page.locator('.compare-name').textContent(), 'Raft against the store under one partition');
  // Figures side by side, with the differences from the first.
  const head = await page.locator('#compare-figures thead th').allTextContents();
  assert.deepEqual(head, ['figure', 'Raft', 'store R=W=2', 'store R=W=1', 'store R=W=2 − Raft', 'store R=W=1 − Raft']);
  const row = (name) => page.locator('#compare-figures tbody tr', { hasText: name }).first().locator('td').allTextContents();
  // The partition (n0 and n1 cut off from 2 s) is in every variant: the
  // weak store answers on the minority side, and Raft has no such figure.
  const minority = await row('answered, minority side (%)');
  assert.equal(minority[0], '—');
  assert.ok(Number(minority[2]) > 0, `R = W = 1 answers on the minority side: ${minority}`);
  // → and ← move every variant 10 ms.
  await page.keyboard.press('ArrowRight');
  await allAt(page, 4_010_000);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await allAt(page, 3_990_000);
  // The scrubber moves them all.
  await page.locator('#scrubber').fill('6000000');
  await allAt(page, 6_000_000);
  assert.equal(await page.locator('#compare-time').getAttribute('data-us'), '6000000');
  // Play, then pause: wherever the clock took them, they stand together.
  await page.keyboard.press(' ');
  await page.waitForFunction(() => Number(document.querySelector('#compare-time').dataset.us) > 6_000_000, null, { timeout: 60000 });
  await page.keyboard.press(' ');
  await frames(page);
  const t = await nows(page);
  assert.ok(t.every((x) => x === t[0]), `${t}`);
  assert.deepEqual(page.errors, []);
});

test('a crash from one column\'s menu, and from the fault bar, is made in every variant', async () => {
  const page = await openCompare('prevote', 1_000_000);
  assert.deepEqual(await roles(page, 3), ['follower', 'follower']);
  // n3's menu in the second column: Crash.
  await page.locator('.variant').nth(1).locator('.node[data-node="3"]').click();
  await page.locator('.variant').nth(1).locator('.menu button', { hasText: 'Crash' }).click();
  await page.waitForFunction(() => [...document.querySelectorAll('.variant .node[data-node="3"]')].every((n) => n.dataset.role === 'crashed'));
  // The fault bar: restart n3, crash n1, in both.
  await page.selectOption('#fault-node', '3');
  await page.locator('#fault-restart').click();
  await page.waitForFunction(() => [...document.querySelectorAll('.variant .node[data-node="3"]')].every((n) => n.dataset.role !== 'crashed'));
  await page.selectOption('#fault-node', '1');
  await page.locator('#fault-crash').click();
  await page.waitForFunction(() => [...document.querySelectorAll('.variant .node[data-node="1"]')].every((n) => n.dataset.role === 'crashed'));
  assert.deepEqual(await nows(page), [1_000_000, 1_000_000], 'a fault does not move time');
  // Esc closes a column's open menu.
  await page.locator('.variant').nth(0).locator('.node[data-node="2"]').click();
  await page.locator('.menu').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('.menu').waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
});

test('a fork of the run showing: both columns start alike, and a fault stays in its own', async () => {
  const page = await openAt(env.browser, env.server.url, 'preset=leader-crash', 2_000_000);
  await page.selectOption('#compare-menu', 'fork');
  await allAt(page, 2_000_000);
  assert.deepEqual(await page.locator('.variant h2').allTextContents(), ['this run', 'the fork']);
  assert.ok(await page.locator('#apart').isChecked(), 'forks go their own ways');
  const before = await roles(page, 2);
  assert.equal(before[0], before[1]);
  await page.locator('.variant').nth(0).locator('.node[data-node="2"]').click();
  await page.locator('.variant').nth(0).locator('.menu button', { hasText: 'Crash' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.variant .node[data-node="2"]')[0].dataset.role === 'crashed');
  assert.notEqual((await roles(page, 2))[1], 'crashed', 'the fork is untouched');
  // Back to the playground: it is where it was.
  await page.locator('#compare-close').click();
  await page.waitForFunction(() => Number(document.querySelector('#sim-time')?.dataset.us) === 2_000_000);
  assert.equal(await page.locator('.variant').count(), 0);
  assert.deepEqual(page.errors, []);
});

test('a share link and an exported file reopen the comparison with what was done by hand', async () => {
  const page = await openCompare('checkquorum', 3_000_000);
  await page.selectOption('#fault-node', '4');
  await page.locator('#fault-crash').click();
  await page.waitForFunction(() => [...document.querySelectorAll('.variant .node[data-node="4"]')].every((n) => n.dataset.role === 'crashed'));
  await page.locator('#compare-share').click();
  const url = await page.locator('#share-url').inputValue();
  assert.match(url, /#compare=[A-Za-z0-9_-]+&t=3000000&c=[0-9a-f]{8}$/);
  const figures = await page.locator('#compare-figures tbody').textContent();
  const again = await openPage(env.browser, url);
  await again.waitForFunction(() => [...document.querySelectorAll('.variant')].length === 2
    && [...document.querySelectorAll('.variant')].every((e) => Number(e.dataset.now) === 3_000_000), null, { timeout: 60000 });
  assert.deepEqual(await roles(again, 4), ['crashed', 'crashed']);
  assert.equal(await again.locator('#compare-figures tbody').textContent(), figures, 'the same figures');
  // Export, then import the file from the Raft view.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#compare-export').click()]);
  const text = await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString());
  assert.equal(JSON.parse(text).variants.length, 2);
  const third = await openPage(env.browser, `${env.server.url}#preset=leader-crash&t=0`);
  await third.setInputFiles('#import', { name: 'cmp.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await third.waitForFunction(() => document.querySelectorAll('.variant').length === 2, null, { timeout: 60000 });
  assert.equal(await third.locator('.compare-name').textContent(), 'CheckQuorum on and off');
  assert.deepEqual([...page.errors, ...again.errors, ...third.errors], []);
});

test('gossip variants draw on canvases, and bad links and files keep what is showing', async () => {
  const page = await openCompare('rumor-k', 2_000_000);
  assert.equal(await page.locator('.variant canvas').count(), 2);
  const informed = await page.locator('#compare-figures tbody tr', { hasText: 'informed (%)' }).locator('td').allTextContents();
  assert.ok(Number(informed[1]) >= Number(informed[0]), `${informed}`);
  // A comparison file with an unknown preset: the message names it; the comparison stays.
  await page.evaluate(() => { location.hash = 'compare=nope'; });
  await page.locator('#error-banner').waitFor();
  assert.match(await page.locator('#error-banner').textContent(), /neither an example/);
  assert.equal(await page.locator('.variant').count(), 2);
  // A bad link while a view shows: the message over the view; the view kept.
  const view = await openAt(env.browser, env.server.url, 'preset=leader-crash', 500_000);
  await view.evaluate(() => { location.hash = 'compare=prevote&t=3000000&c=00000000'; });
  await view.locator('#error-banner').waitFor();
  assert.match(await view.locator('#error-banner').textContent(), /checksum/);
  assert.equal(await view.locator('.variant').count(), 0);
  assert.equal(Number(await view.locator('#sim-time').getAttribute('data-us')), 500_000);
  assert.deepEqual([...page.errors, ...view.errors], []);
});
