// The timeline a design review edits: every recorded action is listed and
// ticked on the scrubber; moving, replacing or deleting one replays the run
// to the instant showing; Undo and Redo (buttons and Ctrl+Z) step through
// the edits; a bad edit says why and keeps the run. The run opens paused
// at a known simulated instant.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openAt, simTime } from './harness.mjs';

const env = useBrowser(before, after);
const role = (page, n) => page.locator(`.node[data-node="${n}"]`).getAttribute('data-role');

test('recorded actions are moved, replaced, deleted, undone and redone, and the run replays to now', async () => {
  const page = await openAt(env.browser, env.server.url, 'preset=leader-crash', 3_000_000);
  assert.equal(await page.locator('#timeline .ta').count(), 6);
  assert.equal(await page.locator('.scrubber .mk.action').count(), 1, 'the crash at 2 s; the restarts are still ahead');
  assert.equal(await role(page, 4), 'crashed', 'the leader, n4, crashed at 2 s');
  // Move the crash to 3.5 s: at 3 s nothing has crashed.
  await page.locator('#timeline .ta-at').first().fill('3500');
  await page.locator('#timeline .ta-at').first().press('Enter');
  await page.waitForFunction(() => document.querySelector('.node[data-node="4"]').dataset.role !== 'crashed');
  assert.equal(await simTime(page), 3_000_000, 'replayed to the same instant');
  assert.equal(await page.locator('#timeline .ta-at').first().inputValue(), '3500');
  // Replace it with a crash of n1 at 1 s: its words open to its JSON.
  assert.equal(await page.locator('#timeline .ta-what summary').first().textContent(), 'crash node=leader');
  await page.locator('#timeline .ta-what summary').first().click();
  const json = page.locator('#timeline .ta-json').first();
  await json.fill('{"action":"crash","node":1,"at_ms":1000}');
  await json.press('Enter');
  await page.waitForFunction(() => document.querySelector('.node[data-node="1"]').dataset.role === 'crashed');
  // A bad edit: refused with the reason, and the run kept.
  await json.fill('{"action":"crash","node":9}');
  await json.press('Enter');
  await page.locator('#error-banner', { hasText: 'node 9 does not exist' }).waitFor();
  assert.equal(await role(page, 1), 'crashed');
  // Undo twice (the button, then Ctrl+Z with the focus off the fields).
  await page.locator('#undo').click();
  await page.waitForFunction(() => document.querySelector('.node[data-node="1"]').dataset.role !== 'crashed');
  await page.locator('.brand').click();
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => document.querySelector('.node[data-node="4"]').dataset.role === 'crashed');
  assert.ok(await page.locator('#undo').isDisabled());
  await page.keyboard.press('Control+Shift+z');
  await page.waitForFunction(() => document.querySelector('.node[data-node="4"]').dataset.role !== 'crashed');
  // Delete: one action fewer.
  await page.locator('#timeline .ta button[aria-label="Delete action 1"]').click();
  await page.waitForFunction(() => document.querySelectorAll('#timeline .ta').length === 5);
  assert.ok(await page.locator('#redo').isDisabled(), 'a new edit clears Redo');
  assert.equal(await simTime(page), 3_000_000);
  assert.deepEqual(page.errors, []);
});

test('the gossip and SWIM view lists its actions and edits them the same way', async () => {
  const page = await openAt(env.browser, env.server.url, 'gossip=swim-crash', 5_000_000);
  const canvas = page.locator('#swarm-canvas');
  const us = () => canvas.getAttribute('data-us').then(Number);
  assert.equal(await page.locator('#timeline .ta').count(), 1);
  assert.equal(await page.locator('.scrubber .mk.action').count(), 1, 'the crash at 3 s');
  assert.equal(await page.locator('#timeline .ta-what summary').textContent(), 'crash node=7');
  const hash = await canvas.getAttribute('data-hash');
  // Move the crash past now: the run replays to 5 s without it.
  await page.locator('#timeline .ta-at').fill('6000');
  await page.locator('#timeline .ta-at').press('Enter');
  await page.waitForFunction((h) => document.querySelector('#swarm-canvas').dataset.hash !== h, hash);
  assert.equal(await us(), 5_000_000, 'replayed to the same instant');
  assert.equal(await page.locator('.scrubber .mk.action').count(), 0, 'the crash is ahead now');
  // A bad edit: refused with the reason, the run kept.
  await page.locator('#timeline .ta-what summary').click();
  await page.locator('#timeline .ta-json').fill('{"action":"crash","node":400}');
  await page.locator('#timeline .ta-json').press('Enter');
  await page.locator('#error-banner', { hasText: 'node 400 does not exist' }).waitFor();
  // Ctrl+Z undoes the move: the same run as the preset's, to the bit.
  await page.locator('.brand').click();
  await page.keyboard.press('Control+z');
  await page.waitForFunction((h) => document.querySelector('#swarm-canvas').dataset.hash === h, hash);
  assert.ok(await page.locator('#undo').isDisabled());
  await page.locator('#redo').click();
  await page.waitForFunction((h) => document.querySelector('#swarm-canvas').dataset.hash !== h, hash);
  await page.locator('#timeline .ta button[aria-label="Delete action 1"]').click();
  await page.waitForFunction(() => document.querySelectorAll('#timeline .ta').length === 0);
  assert.equal(await us(), 5_000_000);
  assert.deepEqual(page.errors, []);
});
