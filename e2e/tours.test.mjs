// Guided tours, each walked in the page: Next and Back (buttons and the n
// and p keys) go to each step's simulated instant, open the presets a step
// names in their own view, ring the step's nodes, and show its caption and
// progress. A playing run stops by itself at a step that pauses. Every
// instant is simulated, so nothing depends on the machine's speed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, simTime, swarmTime, leaders } from './harness.mjs';

const env = useBrowser(before, after);

const step = (page) => page.evaluate(() => Number(document.querySelector('#tour')?.dataset.step ?? 0));
const progress = (page) => page.locator('#tour-progress').textContent();
const highlighted = (page) => page.evaluate(() =>
  [...document.querySelectorAll('.node.highlighted')].map((n) => Number(n.dataset.node)));

/** Presses Next (or a key) and waits for step `n` at instant `us`. */
async function go(page, how, n, us, { gossip = false } = {}) {
  if (how.startsWith('#')) await page.locator(how).click(); else await page.keyboard.press(how);
  await page.waitForFunction(([n, us, gossip]) => {
    const t = gossip ? document.querySelector('#swarm-canvas') : document.querySelector('#sim-time');
    return Number(document.querySelector('#tour')?.dataset.step) === n && t && Number(t.dataset.us) === us;
  }, [n, us, gossip], { timeout: 60000 });
}

test('the Raft tour: Next, Back and the keys go to each step, ring its nodes, and a playing run stops at the next', async () => {
  const page = await openPage(env.browser, `${env.server.url}#preset=tour-raft`);
  await page.locator('#tour').waitFor();
  assert.equal(await progress(page), 'Step 1 of 8');
  assert.equal(await simTime(page), 0);
  assert.match(await page.locator('#tour-caption').textContent(), /Five servers start as followers/);
  assert.ok(await page.locator('#tour-back').isDisabled());
  // Tours are not among the view's presets; they have their own menu.
  assert.equal(await page.locator('#preset option[value="tour-raft"]').count(), 0);
  assert.equal(await page.locator('#tours option').count(), 5);
  // Play: the run stops by itself at step 2's instant, exactly.
  await page.keyboard.press(' ');
  await page.waitForFunction(() => Number(document.querySelector('#tour')?.dataset.step) === 2, null, { timeout: 60000 });
  await page.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) === 209000);
  assert.match(await page.locator('#play').textContent(), /Play/, 'paused there');
  assert.deepEqual(await highlighted(page), [4]);
  await go(page, '#tour-next', 3, 223000);
  assert.deepEqual((await leaders(page))[0], { node: 4, term: 1 });
  await go(page, 'n', 4, 313000);
  // Back goes back in time too (time travel), and the bar shows where.
  await go(page, 'p', 3, 223000);
  assert.equal(await page.locator('.tour-bar').getAttribute('aria-valuenow'), '3');
  await go(page, 'n', 4, 313000);
  await go(page, 'n', 5, 2000000);
  await go(page, 'n', 6, 2183000);
  assert.deepEqual(await highlighted(page), [2]);
  await go(page, 'n', 7, 2197000);
  assert.deepEqual((await leaders(page))[0], { node: 2, term: 2 });
  await go(page, 'n', 8, 4008000);
  assert.ok(await page.locator('#tour-next').isDisabled(), 'the last step');
  assert.equal(await page.locator('#tour-link').getAttribute('href'), '#preset=tour-raft&step=8');
  // Bookmarks: listed beside the scrubber, marked on it, and a click goes there.
  assert.equal(await page.locator('.bookmarks .bookmark').count(), 4);
  assert.equal(await page.locator('.scrubber .mk.bookmark').count(), 4);
  await page.locator('.bookmarks .bookmark').nth(1).click();
  await page.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) === 2000000);
  // Close: the card goes, the run stays.
  await page.locator('#tour-close').click();
  await page.locator('#tour').waitFor({ state: 'detached' });
  assert.equal(await simTime(page), 2000000);
  assert.deepEqual(await highlighted(page), []);
  // The menu starts it again from the beginning.
  await page.selectOption('#tours', 'tour-raft');
  await page.waitForFunction(() => Number(document.querySelector('#tour')?.dataset.step) === 1);
  assert.equal(await simTime(page), 0);
  assert.deepEqual(page.errors, []);
});

test('a link opens a tour at a step', async () => {
  const page = await openPage(env.browser, `${env.server.url}#preset=tour-raft&step=4`);
  await page.waitForFunction(() => Number(document.querySelector('#tour')?.dataset.step) === 4, null, { timeout: 60000 });
  await page.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) === 313000);
  assert.equal(await progress(page), 'Step 4 of 8');
  assert.deepEqual(page.errors, []);
});

test('the Figure 8 tour: the broken rule breaks two properties, then the correct rule in its own preset breaks none', async () => {
  const page = await openPage(env.browser, `${env.server.url}#preset=tour-figure-8`);
  await page.locator('#tour').waitFor();
  await go(page, 'n', 2, 111000);
  assert.deepEqual(await highlighted(page), [0, 1]);
  await go(page, 'n', 3, 211000);
  await go(page, 'n', 4, 285000);
  assert.equal(await page.locator('.scrubber .mk.violation').count(), 0, 'nothing broken yet');
  await go(page, 'n', 5, 333000);
  assert.match(await page.locator('#violation-banner').textContent(), /Leader Completeness/);
  await go(page, 'n', 6, 335000);
  assert.equal(await page.locator('.scrubber .mk.violation').count(), 2);
  // Step 7 opens the correct rule's preset.
  await go(page, 'n', 7, 290000);
  assert.match(await page.locator('#tour-caption').textContent(), /Raft's rule/);
  await go(page, 'n', 8, 400000);
  assert.equal(await page.locator('.scrubber .mk.violation').count(), 0);
  assert.equal(await page.locator('#violation-banner').count(), 0);
  // Back into the broken run: it loads again, at its step's instant.
  await go(page, 'p', 7, 290000);
  await go(page, 'p', 6, 335000);
  assert.equal(await page.locator('.scrubber .mk.violation').count(), 2);
  assert.deepEqual(page.errors, []);
});

test('the gossip and SWIM tour moves between presets of the gossip view', async () => {
  const page = await openPage(env.browser, `${env.server.url}#preset=tour-gossip-swim`);
  await page.locator('#tour').waitFor({ timeout: 60000 });
  assert.equal(await progress(page), 'Step 1 of 10');
  assert.equal(await swarmTime(page), 0);
  const g = { gossip: true };
  await go(page, 'n', 2, 7100000, g);
  await go(page, 'n', 3, 11200000, g);
  await go(page, 'n', 4, 20000000, g);
  await go(page, 'n', 5, 25000000, g);
  assert.equal(await page.locator('#swarm-preset').inputValue(), 'rumor-k4');
  await go(page, 'n', 6, 0, g);
  assert.equal(await page.locator('#swarm-preset').inputValue(), 'swim-crash');
  await go(page, 'n', 7, 3000000, g);
  await go(page, 'n', 8, 4191000, g);
  await go(page, 'n', 9, 9191000, g);
  await go(page, 'n', 10, 20000000, g);
  assert.equal(await page.locator('#swarm-preset').inputValue(), 'swim-loss-basic');
  assert.deepEqual(page.errors, []);
});

test('the availability tour goes from the Raft view to the store view under one partition', async () => {
  const page = await openPage(env.browser, `${env.server.url}#preset=tour-cap`);
  await page.locator('#tour').waitFor();
  await go(page, 'n', 2, 2000000);
  assert.deepEqual((await leaders(page))[0], { node: 0, term: 1 });
  await go(page, 'n', 3, 2173000);
  assert.deepEqual((await leaders(page))[0], { node: 4, term: 2 });
  await go(page, 'n', 4, 4000000);
  await go(page, 'n', 5, 7010000);
  await go(page, 'n', 6, 4000000);
  assert.equal(await page.locator('#protocol').inputValue(), 'store');
  assert.match(await page.locator('#tour-caption').textContent(), /R = W = 2/);
  await go(page, 'n', 7, 4000000);
  await go(page, 'n', 8, 12000000);
  assert.ok(await page.locator('#tour-next').isDisabled());
  // Back to the start: the Raft view again.
  for (let n = 7; n >= 1; n--) await page.keyboard.press('p');
  await page.waitForFunction(() => Number(document.querySelector('#tour')?.dataset.step) === 1, null, { timeout: 60000 });
  await page.waitForFunction(() => Number(document.querySelector('#sim-time')?.dataset.us) === 0);
  assert.equal(await page.locator('#protocol').inputValue(), 'raft');
  assert.deepEqual(page.errors, []);
});

test('embed=1 in an iframe shows only the stage, the scrubber and the tour, within the frame', async () => {
  // A course page that embeds the playground (served beside it: Chromium
  // blocks a public page from framing a loopback address).
  const course = `${env.server.url}course.html`;
  const context = await env.browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.route(course, (r) => r.fulfill({
    contentType: 'text/html',
    body: `<h3>A course page</h3><iframe src="${env.server.url}#preset=tour-raft&embed=1&step=2" width="640" height="520"></iframe>`,
  }));
  await page.goto(course);
  const frame = page.frameLocator('iframe');
  await frame.locator('#tour[data-step="2"]').waitFor({ timeout: 60000 });
  const f = page.frames().find((fr) => fr !== page.mainFrame());
  await f.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) === 209000);
  for (const hidden of ['header.toolbar', 'aside.side', '.log-panel', '.bookmarks']) {
    assert.equal(await frame.locator(hidden).first().isVisible(), false, hidden);
  }
  for (const shown of ['svg.cluster', '#scrubber', '#embed-play', '#tour-next']) {
    assert.ok(await frame.locator(shown).isVisible(), shown);
  }
  // Sized to its frame: nothing to scroll.
  const [scroll, inner] = await f.evaluate(() => [document.documentElement.scrollHeight, window.innerHeight]);
  assert.ok(scroll <= inner, `${scroll} > ${inner}`);
  await frame.locator('#tour-next').click();
  await f.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) === 223000);
  // Its own play button runs it.
  await frame.locator('#embed-play').click();
  await f.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) > 223000, null, { timeout: 60000 });
  assert.deepEqual(page.errors, []);
});
