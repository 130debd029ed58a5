// One set of controls for every protocol, and the defects a new user met,
// each checked where a browser can see it. Every test opens at a known
// simulated instant, so what it sees does not depend on the machine's speed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openAt, frames, simTime, swarmTime, screenshot } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const open = (hash, us, opts) => openAt(browser, server.url, hash, us, opts);
const box = (page, sel) => page.locator(sel).boundingBox();

test('at 1280×800, Play/Pause keeps its place, so a second click on it never kills the leader', async () => {
  const page = await open('seed=1', 1_000_000, { width: 1280, height: 800 });
  const [play0, kill0] = [await box(page, '#play'), await box(page, '#kill')];
  const x = play0.x + play0.width / 2, y = play0.y + play0.height / 2;
  await page.mouse.click(x, y);
  await page.waitForFunction(() => document.querySelector('#play').textContent.includes('Pause'));
  assert.deepEqual(await box(page, '#play'), play0, 'Play did not move when its label changed');
  assert.deepEqual(await box(page, '#kill'), kill0, 'Kill leader did not move');
  await page.mouse.click(x, y);
  await page.waitForFunction(() => document.querySelector('#play').textContent.includes('Play'));
  assert.equal(await page.locator('.node[data-role="crashed"]').count(), 0, 'nobody was killed');
  assert.deepEqual(page.errors, []);
});

test('each view has its own help: the store explains its ring and table, not Raft\'s leader', async () => {
  const store = await open('preset=store-siblings', 2_000_000);
  await store.keyboard.press('?');
  await store.waitForSelector('#help');
  const text = await store.locator('#help').textContent();
  assert.match(text, /hash ring/);
  assert.match(text, /siblings/);
  assert.doesNotMatch(text, /kill the leader|election timer/i);
  await store.keyboard.press('Escape');
  await store.waitForSelector('#help', { state: 'detached' });
  // Its event filter names the store's own events.
  const kinds = await store.locator('.kinds').textContent();
  assert.doesNotMatch(kinds, /role & commit|disk writes/);
  assert.match(kinds, /results & repairs/);
  assert.deepEqual(store.errors, []);
});

test('the gossip and SWIM view has help, [ and ] for speed, and a phone fold', async () => {
  const page = await open('gossip=swim-crash', 4_000_000);
  assert.equal(await swarmTime(page), 4_000_000);
  const speed = async () => page.locator('#swarm-speed-label').textContent();
  const before = await speed();
  await page.keyboard.press(']');
  await page.waitForFunction((b) => document.querySelector('#swarm-speed-label').textContent !== b, before);
  await page.keyboard.press('[');
  await page.waitForFunction((b) => document.querySelector('#swarm-speed-label').textContent === b, before);
  // → steps one event, as in every view.
  const hash = () => page.locator('#swarm-canvas').getAttribute('data-hash');
  const h0 = await hash();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((h) => document.querySelector('#swarm-canvas').dataset.hash !== h, h0);
  assert.ok(await swarmTime(page) >= 4_000_000);
  assert.equal(await page.locator('#swarm-step').count(), 1);
  await page.keyboard.press('?');
  await page.waitForSelector('#help');
  assert.match(await page.locator('#help').textContent(), /crashed member keeps that colour, ringed/);
  await page.keyboard.press('Escape');
  await page.waitForSelector('#help', { state: 'detached' });
  // A crashed member is coloured by what the group believes, and the legend says so.
  assert.match(await page.locator('.status .legend').textContent(), /crashed \(as the group sees it\)/);
  assert.deepEqual(page.errors, []);

  const phone = await open('gossip=swim-crash', 1_000_000, { width: 390, height: 844 });
  const folded = (await box(phone, 'header.toolbar')).height;
  assert.ok(folded < 200, `the folded toolbar is ${folded} px tall`);
  assert.equal(await phone.locator('#swarm-share').isVisible(), false, 'secondary controls are folded away');
  await phone.locator('#toolbar-more').click();
  await phone.waitForSelector('#swarm-share', { state: 'visible' });
  // Unfolded, nothing runs past the screen's edge.
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the page is ${wide} px wide at 390`);
  await screenshot(phone, 'swarm-phone-open');
  assert.deepEqual(phone.errors, []);
});

test('store-load-20: its fields fit, every replica of a key is on screen, and apart rows show what is apart', async () => {
  const page = await open('preset=store-load-20', 1_500_000);
  for (const id of ['#clients', '#keys']) {
    const fits = await page.locator(id).evaluate((el) => el.scrollWidth <= el.clientWidth);
    assert.ok(fits, `${id} shows its whole value`);
  }
  // Twenty nodes: a column per replica of the key, each cell naming its node.
  const heads = await page.locator('#replica-table thead th').allTextContents();
  assert.deepEqual(heads.slice(1), ['replica 1', 'replica 2', 'replica 3']);
  const row = page.locator('#replica-table tbody tr').first();
  assert.equal(await row.locator('td .who').count(), 3);
  const wide = await page.locator('.replicas .table-wrap').evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
  assert.ok(wide, 'the table fits its panel without scrolling');
  // A row marked apart says for how long in units that read, and outlines
  // the replica that is behind.
  for (const r of await page.locator('#replica-table tr.diverged').all()) {
    assert.doesNotMatch(await r.locator('small').textContent(), /apart 0\.0 s/);
    assert.ok(await r.locator('td.behind').count() > 0, 'a replica that is behind is outlined');
  }
  // Client operations stay on one line each.
  const heights = await page.locator('#op-stream .op').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
  // One line is 24 px here; a row that wrapped would be 40 or more.
  assert.ok(heights.length > 5 && heights.every((h) => h < 32), `op rows: ${heights}`);
  // Charts carry their axis values.
  assert.ok(await page.locator('.store-metrics .spark-box .y-top').count() >= 5);
  assert.match(await page.locator('.store-metrics .x-span').first().textContent(), /0 s.*1\.5 s/);
  await screenshot(page, 'store-load-20');
  assert.deepEqual(page.errors, []);
});

test('a store node click opens its inspector', async () => {
  const page = await open('preset=store-sloppy-handoff', 3_000_000);
  await page.locator('.node[data-node="1"]').click();
  await page.waitForSelector('#inspect-keys');
  assert.match(await page.locator('#inspect-keys').textContent(), /^\d+ \(\d+ with siblings\)$/);
  assert.match(await page.locator('#inspect-status').textContent(), /^up$/);
  assert.deepEqual(page.errors, []);
});

test('with 15 servers the inspector stays inside its panel', async () => {
  const page = await open('seed=2&nodes=15', 2_000_000);
  await page.locator('.node[data-node="3"]').click();
  await page.keyboard.press('Escape'); // close the menu; the selection stays
  await page.waitForSelector('#inspect-members');
  const inside = await page.locator('.inspector').evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
  assert.ok(inside, 'no line runs past the inspector');
  assert.deepEqual(page.errors, []);
});

test('on the focused timeline, → and ← step one event, not one microsecond', async () => {
  const a = await open('seed=1', 1_000_000);
  await a.locator('#step').click();
  await a.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) > 1_000_000);
  const next = await simTime(a);
  assert.ok(next > 1_000_001, `the next event is at ${next} µs`);
  const b = await open('seed=1', 1_000_000);
  await b.locator('#scrubber').focus();
  await b.keyboard.press('ArrowRight');
  await b.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) !== 1_000_000);
  assert.equal(await simTime(b), next, 'the same instant as the Step button');
  await b.keyboard.press('ArrowLeft');
  await b.waitForFunction((n) => Number(document.querySelector('#sim-time').dataset.us) < n, next);
  await frames(b);
  assert.deepEqual([...a.errors, ...b.errors], []);
});

test('the gossip chart shows its axis values', async () => {
  const page = await open('gossip=push-pull', 3_000_000);
  const ticks = await page.locator('.chart text.tick').allTextContents();
  assert.ok(ticks.includes('100%') && ticks.includes('0'), `ticks: ${ticks}`);
  assert.ok(ticks.some((t) => /^cycle \d+$/.test(t)), `ticks: ${ticks}`);
  assert.deepEqual(page.errors, []);
});
