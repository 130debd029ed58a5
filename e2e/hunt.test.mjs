// The Find a bug panel: the bug zoo loads a mystery that does not name its
// bug; the search, run in the worker, finds it and opens it at the
// violation, explained; Stop keeps the scenario; bad input is refused in
// the panel. Nothing here waits on wall time: each step waits for what the
// page shows (the found run opens paused at the violation's instant).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, openAt, simTime, screenshot } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the panel with its key, and waits for it. */
async function openPanel(page) {
  await page.keyboard.press('b');
  await page.locator('#hunt').waitFor();
}

test('a mystery from the bug zoo hides its bug; the search finds it and opens it at the violation, explained', async () => {
  const page = await openPage(browser, server.url);
  await page.locator('#hunt-open').waitFor();
  await openPanel(page);
  await page.click('#zoo > summary');
  // The list comes from the worker, which holds the zoo.
  await page.locator('.zoo-row').first().waitFor();
  const rows = await page.locator('.zoo-row').count();
  assert.ok(rows >= 18, `${rows} variants in the zoo`);
  // The list names no bug until asked.
  const shown = await page.locator('#zoo').evaluate((z) => z.innerText);
  assert.doesNotMatch(shown, /votes twice/i);
  await page.click('#zoo-raft-vote-twice .zoo-try');
  await page.locator('#hunt').waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.querySelector('#about')?.textContent.includes('Mystery 1'));
  const about = await page.locator('#about').textContent();
  assert.match(about, /Mystery 1: a Raft cluster with a bug/);
  assert.doesNotMatch(about, /vote/i);

  await openPanel(page);
  assert.match(await page.locator('#hunt-scenario').textContent(), /Mystery 1/);
  assert.match(await page.locator('.hunt-checks').textContent(), /Election Safety/);
  await page.fill('#hunt-schedules', '500');
  await page.click('#hunt-start');
  // Found: the panel closes and the run opens, paused at the violation.
  await page.locator('#hunt').waitFor({ state: 'detached', timeout: 120000 });
  await page.waitForFunction(() => document.querySelector('#about')?.textContent.includes('found by search'));
  await page.locator('#violation-banner').waitFor();
  assert.match(await page.locator('#violation-banner').textContent(), /Election Safety/);
  assert.match(await page.locator('#about').textContent(), /What was broken: A server votes twice in one term/);
  const t = await simTime(page);
  await screenshot(page, 'hunt-opened');
  // The panel keeps what it found.
  await openPanel(page);
  assert.equal(await page.locator('#hunt-done').getAttribute('data-found'), 'true');
  const found = await page.locator('#hunt-found').textContent();
  const at = Number(found.match(/Election Safety broke at (\d+\.\d{3}) s/)[1]);
  assert.equal(Math.round(t / 1000), Math.round(at * 1000), 'the scrubber sits at the violation');
  await page.click('.hunt-why > summary');
  assert.match(await page.locator('.hunt-why').textContent(), /A server votes twice in one term/);
  await screenshot(page, 'hunt-found');
  await page.click('#hunt-show');
  await page.locator('#hunt').waitFor({ state: 'detached' });
  assert.equal(await simTime(page), t);
  assert.deepEqual(page.errors, []);
});

test('Stop keeps the scenario showing; bad input is refused in the panel', async () => {
  const page = await openAt(browser, server.url, 'preset=leader-crash', 500_000);
  const name = await page.locator('#about').textContent();
  const t = await simTime(page);
  await page.click('#hunt-open');
  await page.locator('#hunt').waitFor();
  await page.fill('#hunt-schedules', 'lots');
  await page.click('#hunt-start');
  assert.match(await page.locator('#hunt-error').textContent(), /schedules: 'lots' is not a whole number/);
  await page.fill('#hunt-schedules', '0');
  await page.click('#hunt-start');
  await page.waitForFunction(() => document.querySelector('#hunt-error')?.textContent.includes('at least one schedule'));
  // A long search: stopped once it reports progress.
  await page.fill('#hunt-schedules', '1000000');
  await page.click('#hunt-start');
  await page.waitForFunction(() => /[1-9][\d,]* schedules · [\d,]+\/s · [\d,]+ distinct states/.test(document.querySelector('#hunt-rate')?.textContent ?? ''), null, { timeout: 60000 });
  await screenshot(page, 'hunt-running');
  await page.click('#hunt-stop');
  await page.locator('#hunt-done').waitFor();
  assert.match(await page.locator('#hunt-done').textContent(), /^Stopped: [\d,]+ schedules.*The scenario showing is unchanged\.$/);
  assert.equal(await page.locator('#hunt-done').getAttribute('data-found'), 'false');
  // Exploring takes Raft alone: the store is refused with the reason.
  await page.keyboard.press('Escape');
  await page.locator('#hunt').waitFor({ state: 'detached' });
  assert.equal(await simTime(page), t);
  assert.equal(await page.locator('#about').textContent(), name);
  await page.selectOption('#protocol', 'store');
  await openPanel(page);
  await page.check('#hunt-explore');
  await page.click('#hunt-start');
  await page.waitForFunction(() => document.querySelector('#hunt-error')?.textContent.includes('cannot explore a store scenario'));
  assert.deepEqual(page.errors, []);
});
