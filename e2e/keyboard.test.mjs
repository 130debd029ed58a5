// The keyboard reaches what the mouse does: Enter on a focused node opens
// its menu, whose first action takes the focus, so a node can be crashed
// without a mouse; Isolate in the menu partitions from the keyboard; a
// link opens its menu the same way; Import is focusable and opens the file
// picker. The run opens at a known instant, paused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openAt } from './harness.mjs';

const env = useBrowser(before, after);

test('nodes, links and Import are operable from the keyboard', async () => {
  const page = await openAt(env.browser, env.server.url, 'preset=leader-crash', 1_000_000);
  // Listening early: Playwright catches file pickers once its listener is
  // set up, which takes a round trip of its own.
  const chooser = new Promise((resolve) => page.once('filechooser', resolve));
  // Tab from the top of the page reaches the nodes.
  await page.locator('.node[data-node="2"]').focus();
  await page.keyboard.press('Enter');
  await page.locator('.menu').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Crash', 'the menu took the focus');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.node[data-node="2"]').dataset.role === 'crashed');
  // Isolate, from the keyboard: n3 ends up alone in its partition.
  await page.locator('.node[data-node="3"]').focus();
  await page.keyboard.press('Enter');
  await page.locator('.menu button', { hasText: 'Isolate' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => [...document.querySelectorAll('#event-log .ev.fault')].some((l) => l.textContent.includes('isolate n3')));
  // A link: focusable, named, and Enter opens its menu.
  const link = page.locator('.link[data-link="0-1"]');
  assert.match(await link.getAttribute('aria-label'), /^Link n0↔n1/);
  await link.focus();
  await page.keyboard.press('Enter');
  await page.locator('.menu[aria-label="Link n0–n1"]').waitFor();
  await page.keyboard.press('Escape');
  // Import: a focusable label that opens the file picker on Enter.
  await page.locator('label.button:has(#import)').focus();
  await page.keyboard.press('Enter');
  const picker = await chooser;
  assert.equal(await picker.element().getAttribute('id'), 'import');
  assert.deepEqual(page.errors, []);
});

test('a group is partitioned off from the keyboard: pick nodes from their menus, then partition', async () => {
  const page = await openAt(env.browser, env.server.url, 'preset=leader-crash', 1_000_000);
  await page.locator('.node[data-node="0"]').focus();
  await page.keyboard.press('Enter');
  await page.locator('.menu button', { hasText: 'Pick for a partition' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.node[data-node="0"]').classList.contains('picked'));
  // The focus is back on n0, so Tab goes on to n1.
  assert.equal(await page.evaluate(() => document.activeElement.dataset.node), '0');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.node), '1');
  await page.keyboard.press('Enter');
  await page.locator('.menu button', { hasText: 'Pick for a partition' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.node.picked').length === 2);
  await page.keyboard.press('Enter');
  await page.locator('.menu button', { hasText: 'Partition n0, n1 off' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => [...document.querySelectorAll('#event-log .ev.fault')].some((l) => /partition \[n0,n1\]/.test(l.textContent)));
  assert.equal(await page.locator('.node.picked').count(), 0, 'the group is done');
  assert.deepEqual(page.errors, []);
});
