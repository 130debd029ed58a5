// Accessibility: axe-core (from npm) checks each view, in light and dark,
// with the space-time diagram and a tour's card open, and the test fails on
// any serious or critical issue (contrast, names, roles, labels). Each page
// opens paused at a known simulated instant.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { useBrowser } from './harness.mjs';

const env = useBrowser(before, after);
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Serious and critical axe violations on the page, one line each. */
async function audit(page) {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} element(s), e.g. ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}${v.nodes[0]?.failureSummary ? ` — ${v.nodes[0].failureSummary.replace(/\s+/g, ' ')}` : ''}`);
  });
  return found;
}

const VIEWS = [
  ['Raft', 'preset=leader-crash&t=2500000', '#sim-time'],
  ['Raft, with a violation,', 'preset=figure-8&t=335000', '#sim-time'],
  ['store', 'preset=store-weak-quorum&t=4000000', '#sim-time'],
  ['gossip', 'preset=rumor-k1&t=8000000', '#swarm-canvas'],
  ['SWIM', 'preset=swim-crash&t=5000000', '#swarm-canvas'],
  ['Paxos', 'preset=paxos-duel&t=100000', '#sim-time'],
  ['fencing, with a violation,', 'preset=fencing-paused-client&t=400000', '#sim-time'],
];

for (const scheme of ['light', 'dark']) {
  for (const [name, hash, clock] of VIEWS) {
    test(`axe finds no serious issue in the ${name} view (${scheme}), with the diagram open`, async () => {
      const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
      const page = await context.newPage();
      await page.goto(`${env.server.url}#${hash}`);
      const us = Number(/t=(\d+)/.exec(hash)[1]);
      await page.waitForFunction(([sel, us]) => Number(document.querySelector(sel)?.dataset.us) === us, [clock, us], { timeout: 60000 });
      await page.keyboard.press('d');
      await page.locator('#diagram').waitFor();
      const issues = await audit(page);
      assert.deepEqual(issues, []);
      await context.close();
    });
  }
  test(`axe finds no serious issue with a tour's card open (${scheme})`, async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
    const page = await context.newPage();
    await page.goto(`${env.server.url}#preset=tour-raft&step=3`);
    await page.waitForFunction(() => Number(document.querySelector('#tour')?.dataset.step) === 3, null, { timeout: 60000 });
    assert.deepEqual(await audit(page), []);
    await context.close();
  });
}

test('with reduced motion asked for, a run opens paused and plays only when asked', async () => {
  for (const [motion, plays] of [['reduce', false], ['no-preference', true]]) {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: motion });
    const page = await context.newPage();
    await page.goto(`${env.server.url}#preset=leader-crash`);
    await page.locator('#play').waitFor();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.equal(await page.locator('#play').getAttribute('aria-label'), plays ? 'Pause' : 'Play', motion);
    if (!plays) {
      assert.equal(await page.evaluate(() => Number(document.querySelector('#sim-time').dataset.us)), 0);
      await page.keyboard.press(' ');
      await page.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) > 0, null, { timeout: 60000 });
    }
    await context.close();
  }
});
