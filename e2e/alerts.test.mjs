// Alerts in the page: a scenario file that declares a budget is imported;
// its alerts are listed with when and why, marked on the scrubber, banded
// on the space-time diagram, and a click travels to where one began. The
// run is stepped in simulated time, so nothing depends on the machine's speed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useBrowser, openPage, advance, simTime } from './harness.mjs';

const env = useBrowser(before, after);

test('a declared budget fires in the page: listed, marked, banded, and a click travels there', async () => {
  const file = path.resolve(import.meta.dirname, '..', 'static', 'scenarios', 'leader-crash.json');
  const scenario = JSON.parse(fs.readFileSync(file, 'utf8'));
  scenario.alerts = [{ no_leader_ms: 100, name: 'failover budget' }, { loss_percent: 50 }];
  const page = await openPage(env.browser, env.server.url);
  await page.locator('#sim-time').waitFor();
  await page.setInputFiles('#import', { name: 'budget.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scenario)) });
  await page.waitForFunction(() => document.querySelector('#alerts')?.textContent.includes('failover budget'));
  // Pause, then run in steps of simulated time past the failover.
  await advance(page, 2500);
  assert.ok(await simTime(page) >= 2_500_000);
  const rows = await page.locator('.alert-row').allTextContents();
  // Leaderless from 0 to the first election at 222 ms, and from the crash
  // at 2 s to n2's election at 2.196 s: both longer than 100 ms, each
  // firing when its budget ran out (as `splitbrain run` reports them).
  assert.deepEqual(rows, [
    '100.000 ms – 222.104 msfailover budget: no leader since 0 ms',
    '2100.000 ms – 2196.284 msfailover budget: no leader since 2000 ms',
  ]);
  assert.match(await page.locator('.alerts-count').textContent(), /^2 fired$/);
  assert.match(await page.locator('.alert-rules').textContent(), /more than 50% of messages lost over 1000 ms/);
  assert.equal(await page.locator('.scrubber .mk.alert').count(), 2);
  // The second one: the run travels to where it noticed the budget broken
  // (n2's candidacy, the first event past it), and the diagram bands it.
  await page.locator('.alert-row button').nth(1).click();
  await page.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) === 2_182_688);
  await page.keyboard.press('d');
  await page.locator('#diagram').waitFor();
  assert.equal(await page.locator('#diagram').getAttribute('data-alerts'), '1');
  assert.deepEqual(page.errors, []);
});
