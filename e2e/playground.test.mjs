// The playground, tested through the UI in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, screenshot } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Simulated time (µs), leader id and term, read from the page. */
async function state(page) {
  return page.evaluate(() => {
    const t = Number(document.querySelector('#sim-time').dataset.us);
    const leaders = [...document.querySelectorAll('.node[data-role="leader"]')]
      .map((n) => ({ node: Number(n.dataset.node), term: Number(n.dataset.term) }))
      .sort((a, b) => b.term - a.term);
    return { t, leaders };
  });
}

/** Polls until `pred(state)` holds; fails after `ms` of wall time. */
async function until(page, pred, what, ms = 20000) {
  const end = Date.now() + ms;
  let s;
  while (Date.now() < end) {
    s = await state(page);
    if (pred(s)) return s;
    await page.waitForTimeout(50);
  }
  throw new Error(`timed out waiting for ${what}; last state ${JSON.stringify(s)}`);
}

async function open(hash, opts) {
  const page = await openPage(browser, `${server.url}#${hash}`, opts);
  await page.locator('#sim-time').waitFor();
  return page;
}

test('a leader is elected within 2 simulated seconds of load', async () => {
  const page = await open('seed=1&speed=2');
  await until(page, (s) => s.leaders.length > 0, 'a leader');
  // When it was elected, from the trace (not when we happened to look).
  const notes = await page.locator('#event-log .ev.note').allTextContents();
  const first = notes.filter((t) => t.includes('became leader')).at(-1);
  assert.ok(first, 'the election is in the event log');
  const ms = parseFloat(first);
  assert.ok(ms <= 2000, `first leader elected at ${ms} ms`);
  await screenshot(page, 'leader-elected');
  assert.deepEqual(page.errors, []);
});

test('killing the leader with k, and from the node menu, elects a new leader with a higher term', async () => {
  const page = await open('seed=2&speed=4');
  const first = (await until(page, (s) => s.leaders.length > 0, 'first leader')).leaders[0];
  await page.keyboard.press('k');
  const second = (await until(page, (s) => s.leaders.length > 0 && s.leaders[0].term > first.term, 'a new leader')).leaders[0];
  assert.notEqual(second.node, first.node);
  assert.equal(await page.locator(`.node[data-node="${first.node}"]`).getAttribute('data-role'), 'crashed');

  await page.locator(`.node[data-node="${second.node}"]`).click();
  await page.getByRole('button', { name: 'Crash', exact: true }).click();
  const third = (await until(page, (s) => s.leaders.length > 0 && s.leaders[0].term > second.term, 'a third leader')).leaders[0];
  assert.ok(![first.node, second.node].includes(third.node));
  await screenshot(page, 'kill-leader');
  assert.deepEqual(page.errors, []);
});

test('isolating the leader with a dragged rectangle: the majority elects a new leader; healing leaves one', async () => {
  const page = await open('seed=3&speed=4');
  const old = (await until(page, (s) => s.leaders.length > 0, 'first leader')).leaders[0];
  await page.keyboard.press('Space'); // pause while dragging
  // Drag from outside the circle of nodes, across the leader, to its inside.
  const box = await page.locator(`.node[data-node="${old.node}"] .body`).boundingBox();
  const view = await page.locator('svg.cluster').boundingBox();
  const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
  const [vx, vy] = [view.x + view.width / 2, view.y + view.height / 2];
  const len = Math.hypot(cx - vx, cy - vy);
  const [ux, uy] = [(cx - vx) / len, (cy - vy) / len];
  const reach = box.width * 0.9;
  const [x0, y0] = [cx + ux * reach - uy * reach, cy + uy * reach + ux * reach];
  const [x1, y1] = [cx - ux * reach + uy * reach, cy - uy * reach - ux * reach];
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, { steps: 4 });
  await page.mouse.move(x1, y1, { steps: 4 });
  await page.mouse.up();
  const fault = await page.locator('#event-log .ev.fault').first().textContent();
  assert.match(fault, new RegExp(`partition \\[n${old.node}\\]`), `the drag partitioned off the leader: ${fault}`);
  await page.keyboard.press('Space');
  const s = await until(page, (s) => s.leaders.some((l) => l.node !== old.node && l.term > old.term), 'a majority leader');
  const stale = s.leaders.find((l) => l.node === old.node);
  assert.ok(stale, 'without CheckQuorum the isolated leader still thinks it leads');
  assert.equal(stale.term, old.term, 'and it stays at its old, lower term');
  await screenshot(page, 'partition');
  await page.keyboard.press('h');
  const healed = await until(page, (s) => s.leaders.length === 1, 'exactly one leader after healing');
  assert.ok(healed.leaders[0].term > old.term);
  assert.deepEqual(page.errors, []);
});

test('cutting a single link draws it cut and drops its messages', async () => {
  const page = await open('seed=4&speed=1');
  const leader = (await until(page, (s) => s.leaders.length > 0, 'a leader')).leaders[0].node;
  const peer = (leader + 1) % 5; // a neighbour on the circle: the link's midpoint is clear
  const [lo, hi] = [Math.min(leader, peer), Math.max(leader, peer)];
  const link = page.locator(`g[data-link="${lo}-${hi}"]`);
  const a = await page.locator(`.node[data-node="${leader}"] .body`).boundingBox();
  const b = await page.locator(`.node[data-node="${peer}"] .body`).boundingBox();
  await page.mouse.click((a.x + a.width / 2 + b.x + b.width / 2) / 2, (a.y + a.height / 2 + b.y + b.height / 2) / 2);
  await page.locator('input[data-kind="deliver"]').check();
  await page.getByRole('button', { name: `Cut n${leader}→n${peer}` }).click();
  const cutAt = (await state(page)).t;
  assert.match(await link.getAttribute('class'), /\bcut\b/);
  assert.match(await link.getAttribute('class'), /\bone-way\b/);
  const re = `n${leader}->n${peer} .*\\(link down\\)`;
  await page.waitForFunction((re) => [...document.querySelectorAll('#event-log .ev.drop')]
    .some((e) => new RegExp(re).test(e.textContent)), re, { timeout: 20000 });
  // Since the cut, nothing from the leader reached the peer, while the
  // reverse direction still delivers (the peer soon times out and campaigns).
  const count = ([l, p, cutAt]) => {
    const rows = [...document.querySelectorAll('#event-log .ev.deliver')].map((e) => ({
      us: Math.round(parseFloat(e.querySelector('.t').textContent) * 1000),
      text: e.querySelector('.x').textContent,
    })).filter((r) => r.us > cutAt);
    return {
      forward: rows.filter((r) => r.text.startsWith(`deliver n${l}->n${p} `)).length,
      backward: rows.filter((r) => r.text.startsWith(`deliver n${p}->n${l} `)).length,
    };
  };
  const call = `(${count.toString()})(${JSON.stringify([leader, peer, cutAt])})`;
  await page.waitForFunction(`${call}.backward > 0`, null, { timeout: 20000 });
  const since = await page.evaluate(call);
  assert.equal(since.forward, 0);
  assert.ok(since.backward > 0, 'the other direction still works');
  await screenshot(page, 'cut-link');
  assert.deepEqual(page.errors, []);
});

test('keyboard shortcuts and the help overlay', async () => {
  const page = await open('seed=5&speed=1');
  await page.keyboard.press('?');
  await page.locator('#help').waitFor();
  assert.ok((await page.locator('#help').textContent()).includes('kill the leader'));
  await screenshot(page, 'help');
  await page.keyboard.press('?');
  await page.locator('#help').waitFor({ state: 'detached' });

  assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Pause');
  await page.keyboard.press('Space');
  assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Play');
  const t0 = (await state(page)).t;
  await page.waitForTimeout(300);
  assert.equal((await state(page)).t, t0, 'paused: time stands still');
  await page.keyboard.press('ArrowRight');
  const t1 = (await state(page)).t;
  assert.ok(t1 > t0, 'a step advances to the next event');

  const speed = () => page.locator('#speed-label').textContent();
  assert.equal(await speed(), '1×');
  await page.keyboard.press(']');
  assert.equal(await speed(), '2×');
  await page.keyboard.press('[');
  await page.keyboard.press('[');
  assert.equal(await speed(), '0.50×');

  await page.keyboard.press('r');
  assert.ok((await state(page)).t < t1, 'reset starts over');
  assert.deepEqual(page.errors, []);
});

test('reloading with the same seed gives the same first leader and term', async () => {
  const first = async () => {
    const page = await open('seed=7&speed=2');
    // Only role changes and faults in the log, so the first election stays in view.
    await page.locator('input[data-kind="timer"]').uncheck();
    await until(page, (s) => s.leaders.length > 0, 'a leader');
    const notes = await page.locator('#event-log .ev.note').allTextContents();
    const elected = notes.filter((t) => t.includes('became leader')).at(-1);
    await page.close();
    return elected;
  };
  const a = await first();
  const b = await first();
  assert.ok(a, 'saw an election');
  assert.equal(a, b);
});

test('a malformed link shows an error banner and the page still works', async () => {
  const page = await open('nodes=lots&speed=4');
  await page.locator('#error-banner').waitFor();
  assert.match(await page.locator('#error-banner').textContent(), /nodes: 'lots' is not a whole number/);
  await until(page, (s) => s.leaders.length > 0, 'a leader with default settings');
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await page.locator('#error-banner').waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
});

test('readable on a 390-px phone screen, without sideways scrolling', async () => {
  const page = await open('seed=1&speed=2', { width: 390, height: 844 });
  await until(page, (s) => s.leaders.length > 0, 'a leader');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  await screenshot(page, 'phone');
  assert.deepEqual(page.errors, []);
});

test('typing into fields while the cluster runs keeps the text, and it applies', async () => {
  const page = await open('seed=1&speed=1');
  await until(page, (s) => s.leaders.length > 0, 'a leader');
  const seed = page.locator('#seed');
  await seed.click();
  await seed.fill('');
  await page.keyboard.type('4242', { delay: 60 }); // slower than a frame per key
  await page.waitForTimeout(200);
  assert.equal(await seed.inputValue(), '4242');
  const before = (await state(page)).t;
  await page.locator('#reset').click();
  assert.equal(await seed.inputValue(), '4242');
  assert.ok((await state(page)).t < before, 'reset restarted the run');
  // A node's clock, set from its menu.
  await page.locator('.node[data-node="1"]').click();
  await page.locator('#menu-drift-1').fill('');
  await page.keyboard.type('100000', { delay: 40 });
  await page.getByRole('button', { name: 'Set clock' }).click();
  await page.locator('.node[data-node="1"]').click();
  await page.getByRole('button', { name: '✕' }).first().click();
  assert.match(await page.locator('.inspector').textContent(), /drift \+100000 ppm/);
  assert.deepEqual(page.errors, []);
});

test('a panic shows a banner with a reset button instead of a blank page', async () => {
  const page = await openPage(browser, `${server.url}#seed=3&panic-test=1`);
  const banner = page.locator('#panic-banner');
  await banner.waitFor();
  assert.match(await banner.textContent(), /splitbrain crashed\..*deliberate panic/s);
  await screenshot(page, 'panic');
  // Reset reloads; the fragment is gone by then, so the page comes back.
  await page.evaluate(() => history.replaceState(null, '', location.pathname));
  await banner.getByRole('button', { name: 'Reset' }).click();
  await page.locator('svg.cluster').waitFor();
  assert.equal(await page.locator('#panic-banner').count(), 0);
});
