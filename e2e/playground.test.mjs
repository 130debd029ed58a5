// The playground, tested through the UI in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, openAt, advance, frames, leaders, simTime, screenshot } from './harness.mjs';

// Every test opens at a known simulated instant (a `t=` link opens paused
// there) and moves simulated time itself (Shift+→), so which node leads and
// where its menu opens are the same on every run and every machine.

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const at = (hash, us, opts) => openAt(browser, server.url, hash, us, opts);

/** The open menu's box, the toolbar's bottom edge and the window. */
const menuBox = (page) => page.evaluate(() => {
  const m = document.querySelector('.cluster-wrap > .menu').getBoundingClientRect();
  const tb = document.querySelector('.toolbar').getBoundingClientRect();
  const sticky = getComputedStyle(document.querySelector('.toolbar')).position === 'sticky';
  return { top: m.top, bottom: m.bottom, left: m.left, right: m.right, toolbar: sticky ? tb.bottom : 0, w: innerWidth, h: innerHeight };
});

test('a leader is elected within 2 simulated seconds of load', async () => {
  const page = await at('seed=1', 2_000_000);
  assert.equal((await leaders(page)).length, 1);
  // When it was elected, from the trace.
  const notes = await page.locator('#event-log .ev.note').allTextContents();
  const first = notes.filter((t) => t.includes('became leader')).at(-1);
  assert.ok(first, 'the election is in the event log');
  const ms = parseFloat(first);
  assert.ok(ms > 0 && ms <= 2000, `first leader elected at ${ms} ms`);
  await screenshot(page, 'leader-elected');
  assert.deepEqual(page.errors, []);
});

test('killing the leader with k, and from the node menu, elects a new leader with a higher term', async () => {
  const page = await at('seed=2', 1_000_000);
  const [first] = await leaders(page);
  assert.ok(first, 'a leader at 1 s');
  await page.keyboard.press('k');
  assert.equal(await page.locator(`.node[data-node="${first.node}"]`).getAttribute('data-role'), 'crashed');
  await advance(page, 1000);
  const [second] = await leaders(page);
  assert.ok(second && second.term > first.term && second.node !== first.node, JSON.stringify(second));

  await page.locator(`.node[data-node="${second.node}"]`).click();
  await page.locator('.menu').getByRole('button', { name: 'Crash', exact: true }).click();
  await advance(page, 1000);
  const [third] = await leaders(page);
  assert.ok(third && third.term > second.term, JSON.stringify(third));
  assert.ok(![first.node, second.node].includes(third.node));
  await screenshot(page, 'kill-leader');
  assert.deepEqual(page.errors, []);
});

for (const [width, height] of [[1280, 800], [390, 844]]) {
  test(`every node's and link's menu opens inside the visible area, below the toolbar, at ${width} px`, async () => {
    const page = await at('seed=5', 1_000_000, { width, height });
    for (let n = 0; n < 5; n++) {
      const node = page.locator(`.node[data-node="${n}"]`);
      await node.scrollIntoViewIfNeeded();
      await node.click();
      await frames(page);
      const b = await menuBox(page);
      assert.ok(b.top >= b.toolbar && b.bottom <= b.h + 0.5 && b.left >= 0 && b.right <= b.w + 0.5,
        `n${n}'s menu ${JSON.stringify(b)}`);
      // Its first and last buttons take clicks (nothing lies over them).
      await page.locator('.menu button').last().click({ trial: true, timeout: 5000 });
      await page.locator('.menu').getByRole('button', { name: 'Crash', exact: true }).click({ trial: true, timeout: 5000 });
      await page.keyboard.press('Escape');
      await page.locator('.cluster-wrap > .menu').waitFor({ state: 'detached' });
    }
    // Scrolled so the stage's top is under the sticky toolbar, the menu of a
    // node at the top still opens below the toolbar.
    await page.evaluate(() => window.scrollTo(0, 200));
    await page.locator('.node[data-node="0"]').click({ position: { x: 30, y: 45 } });
    await frames(page);
    const b = await menuBox(page);
    assert.ok(b.top >= b.toolbar && b.bottom <= b.h + 0.5, `after scrolling: ${JSON.stringify(b)}`);
    await screenshot(page, `menu-${width}`);
    assert.deepEqual(page.errors, []);
  });
}

test('isolating the leader with a dragged rectangle: the majority elects a new leader; healing leaves one', async () => {
  const page = await at('seed=3', 1_000_000);
  const [old] = await leaders(page);
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
  await advance(page, 1500);
  const split = await leaders(page);
  assert.ok(split.some((l) => l.node !== old.node && l.term > old.term), `a majority leader: ${JSON.stringify(split)}`);
  const stale = split.find((l) => l.node === old.node);
  assert.ok(stale, 'without CheckQuorum the isolated leader still thinks it leads');
  assert.equal(stale.term, old.term, 'and it stays at its old, lower term');
  await screenshot(page, 'partition');
  await page.keyboard.press('h');
  await advance(page, 1000);
  const healed = await leaders(page);
  assert.equal(healed.length, 1, JSON.stringify(healed));
  assert.ok(healed[0].term > old.term);
  assert.deepEqual(page.errors, []);
});

test('cutting a single link draws it cut and drops its messages', async () => {
  const page = await at('seed=4', 1_000_000);
  const [{ node: leader }] = await leaders(page);
  const peer = (leader + 1) % 5; // a neighbour on the circle: the link's midpoint is clear
  const [lo, hi] = [Math.min(leader, peer), Math.max(leader, peer)];
  const link = page.locator(`g[data-link="${lo}-${hi}"]`);
  const a = await page.locator(`.node[data-node="${leader}"] .body`).boundingBox();
  const b = await page.locator(`.node[data-node="${peer}"] .body`).boundingBox();
  await page.mouse.click((a.x + a.width / 2 + b.x + b.width / 2) / 2, (a.y + a.height / 2 + b.y + b.height / 2) / 2);
  await page.locator('input[data-kind="deliver"]').check();
  await page.getByRole('button', { name: `Cut n${leader}→n${peer}` }).click();
  const cutAt = await simTime(page);
  assert.match(await link.getAttribute('class'), /\bcut\b/);
  assert.match(await link.getAttribute('class'), /\bone-way\b/);
  await advance(page, 1000);
  const drops = await page.locator('#event-log .ev.drop').allTextContents();
  assert.ok(drops.some((t) => new RegExp(`n${leader}->n${peer} .*\\(link down\\)`).test(t)), drops.join('\n'));
  // Since the cut, nothing from the leader reached the peer, while the
  // reverse direction still delivers (the peer times out and campaigns).
  const rows = await page.evaluate(() => [...document.querySelectorAll('#event-log .ev.deliver')].map((e) => ({
    us: Math.round(parseFloat(e.querySelector('.t').textContent) * 1000),
    text: e.querySelector('.x').textContent,
  })));
  const since = rows.filter((r) => r.us > cutAt);
  assert.equal(since.filter((r) => r.text.startsWith(`deliver n${leader}->n${peer} `)).length, 0);
  assert.ok(since.some((r) => r.text.startsWith(`deliver n${peer}->n${leader} `)), 'the other direction still works');
  await screenshot(page, 'cut-link');
  assert.deepEqual(page.errors, []);
});

test('keyboard shortcuts and the help overlay', async () => {
  const page = await at('seed=5', 500_000);
  await page.keyboard.press('?');
  await page.locator('#help').waitFor();
  assert.ok((await page.locator('#help').textContent()).includes('kill the leader'));
  await screenshot(page, 'help');
  await page.keyboard.press('?');
  await page.locator('#help').waitFor({ state: 'detached' });
  await page.keyboard.press('?');
  await page.locator('#help').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#help').waitFor({ state: 'detached' });

  // Opened at an instant, the run is paused there.
  assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Play');
  const t0 = await simTime(page);
  await frames(page);
  assert.equal(await simTime(page), t0, 'paused: time stands still');
  await page.keyboard.press('ArrowRight');
  const t1 = await simTime(page);
  assert.ok(t1 > t0, 'a step advances to the next event');
  assert.equal(await advance(page, 300), t1 + 300_000, 'Shift+→ runs exactly 100 ms a press');
  await page.keyboard.press('Space');
  assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Pause');
  await page.keyboard.press('Space');

  const speed = async () => parseFloat(await page.locator('#speed-label').textContent());
  const s0 = await speed();
  await page.keyboard.press(']');
  const s1 = await speed();
  assert.ok(s1 > s0, `faster: ${s0} -> ${s1}`);
  await page.keyboard.press('[');
  assert.equal(await speed(), s0);

  await page.keyboard.press('r');
  assert.ok((await simTime(page)) < t1, 'reset starts over');
  assert.deepEqual(page.errors, []);
});

test('reloading with the same seed gives the same first leader and term', async () => {
  const first = async () => {
    const page = await at('seed=7', 1_000_000);
    const notes = await page.locator('#event-log .ev.note').allTextContents();
    const elected = notes.filter((t) => t.includes('became leader')).at(-1);
    const who = await leaders(page);
    await page.close();
    return [elected, who];
  };
  const a = await first();
  const b = await first();
  assert.ok(a[0], 'saw an election');
  assert.deepEqual(a, b);
});

test('a malformed link shows an error banner and the page still works', async () => {
  const page = await openPage(browser, `${server.url}#nodes=lots`);
  await page.locator('#error-banner').waitFor();
  assert.match(await page.locator('#error-banner').textContent(), /nodes: 'lots' is not a whole number/);
  await advance(page, 1000);
  assert.equal((await leaders(page)).length, 1, 'a leader with default settings');
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await page.locator('#error-banner').waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
});

test('a link pasted into an open tab opens, whatever its form', async () => {
  const page = await at('seed=1', 500_000);
  await page.evaluate(() => { location.hash = 'gossip=rumor-k4&t=2000000'; });
  await page.waitForFunction(() => Number(document.querySelector('#swarm-canvas')?.dataset.us) === 2_000_000);
  assert.equal(await page.locator('#error-banner').count(), 0);
  await page.evaluate(() => { location.hash = 'preset=figure-8&t=400000'; });
  await page.waitForFunction(() => Number(document.querySelector('#sim-time')?.dataset.us) === 400_000);
  assert.match(await page.locator('#about').textContent(), /Figure 8/);
  await page.evaluate(() => { location.hash = 'seed=9&t=300000'; });
  await page.waitForFunction(() => Number(document.querySelector('#sim-time')?.dataset.us) === 300_000);
  // The stage redraws on its own frame and the toolbar on the next
  // render, so the seed field is waited for, not read at once.
  await page.waitForFunction(() => document.querySelector('#seed')?.value === '9', null, { timeout: 5000 });
  assert.equal(await page.locator('#seed').inputValue(), '9');
  assert.deepEqual(page.errors, []);
});

test('readable on a 390-px phone screen: the toolbar folds, the cluster is on the first screen', async () => {
  const page = await at('seed=1', 1_000_000, { width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  const bar = await page.locator('.toolbar').boundingBox();
  const stage = await page.locator('svg.cluster').boundingBox();
  assert.ok(bar.height < 200, `toolbar is ${bar.height}px tall`);
  assert.ok(stage.y + stage.height / 2 < 844, `the cluster's middle is at ${stage.y + stage.height / 2}px`);
  assert.equal(await page.locator('#seed').isVisible(), false, 'settings are folded away');
  await screenshot(page, 'phone');
  await page.locator('#toolbar-more').click();
  assert.equal(await page.locator('#seed').isVisible(), true, 'and shown on request');
  await screenshot(page, 'phone-toolbar-open');
  assert.deepEqual(page.errors, []);
});

test('a frame redraws the stage, not the toolbar', async () => {
  const page = await at('seed=2', 1_000_000);
  const renders = (sel) => page.locator(sel).evaluate((el) => Number(el.dataset.renders));
  const [bar0, stage0] = [await renders('header.toolbar'), await renders('section.stage')];
  for (let i = 0; i < 5; i++) await frames(page);
  await page.keyboard.press('Shift+ArrowRight'); // 100 ms of simulated time
  await page.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) === 1_100_000);
  await frames(page);
  const [bar1, stage1] = [await renders('header.toolbar'), await renders('section.stage')];
  assert.ok(stage1 >= stage0 + 10, `the stage redrew every frame (${stage0} -> ${stage1})`);
  assert.equal(bar1, bar0, 'the toolbar did not redraw: nothing it shows changed');
  // Something the toolbar shows: it redraws.
  await page.keyboard.press(']');
  await page.waitForFunction((n) => Number(document.querySelector('header.toolbar').dataset.renders) > n, bar1);
  assert.deepEqual(page.errors, []);
});

test('typing into fields while the page redraws keeps the text, and it applies', async () => {
  const page = await at('seed=1', 500_000);
  const seed = page.locator('#seed');
  await seed.click();
  await seed.fill('');
  for (const ch of '4242') {
    await page.keyboard.type(ch);
    await frames(page); // the page redraws between keys
  }
  assert.equal(await seed.inputValue(), '4242');
  const before = await simTime(page);
  await page.locator('#reset').click();
  assert.equal(await seed.inputValue(), '4242');
  assert.ok((await simTime(page)) < before, 'reset restarted the run');
  // A node's clock, set from its menu.
  await page.locator('.node[data-node="1"]').click();
  await page.locator('#menu-drift-1').fill('');
  await page.keyboard.type('100000');
  await frames(page);
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
