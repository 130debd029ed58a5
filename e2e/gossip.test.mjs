// The gossip and SWIM view in a real browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, openAt, advance, screenshot } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('2,000 sites converge under push-pull anti-entropy, drawn on a canvas with a chart', async () => {
  const page = await openAt(browser, server.url, 'gossip=push-pull', 20_000_000);
  const canvas = page.locator('#swarm-canvas');
  assert.equal(await canvas.getAttribute('data-nodes'), '2000');
  assert.match(await page.locator('#informed-now').textContent(), /cycle 20: 100\.0% informed/);
  // The canvas really has pixels in the "removed/infective" colours, not just background.
  const painted = await page.evaluate(() => {
    const c = document.querySelector('#swarm-canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
  assert.ok(painted > 20000, `${painted} painted pixels`);
  await screenshot(page, 'gossip-push-pull');
  assert.deepEqual(page.errors, []);
});

test('SWIM detects a crashed member and everyone learns it; switching back to Raft works', async () => {
  const page = await openAt(browser, server.url, 'gossip=swim-crash', 30_000_000);
  const cells = await page.locator('.detections tbody tr').first().locator('td').allTextContents();
  assert.ok(cells.length > 0 && cells.every((c) => c !== '—'), `detected and known by all: ${cells}`);
  const row = await page.locator('.detections tbody tr').first().allTextContents();
  assert.match(row[0], /^n7/);
  await screenshot(page, 'swim-crash');
  // Click a node: the inspector shows its membership view.
  const box = await page.locator('#swarm-canvas').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.locator('#swarm-inspector').waitFor();
  assert.match(await page.locator('#swarm-inspector').textContent(), /incarnation/);
  await page.selectOption('#protocol', 'raft');
  await page.locator('svg.cluster').waitFor();
  await advance(page, 1000);
  assert.equal(await page.locator('.node[data-role="leader"]').count(), 1);
  assert.deepEqual(page.errors, []);
});

test('an impossible loss is refused with a message', async () => {
  const page = await openPage(browser, `${server.url}#gossip=rumor-k1`);
  await page.locator('#swarm-loss').fill('1.5');
  await page.locator('#swarm-loss').press('Tab'); // a number field commits its value on blur
  await page.locator('#error-banner').waitFor();
  assert.match(await page.locator('#error-banner').textContent(), /between 0 and 1/);
  assert.deepEqual(page.errors, []);
});

test('impossible epidemic parameters are refused, and good ones applied', async () => {
  const page = await openPage(browser, `${server.url}#gossip=rumor-k1`);
  await page.locator('#swarm-k').fill('0');
  await page.locator('#swarm-apply').click();
  await page.locator('#error-banner').waitFor();
  assert.match(await page.locator('#error-banner').textContent(), /k must be at least 1/);
  assert.equal(await page.locator('#swarm-canvas').getAttribute('data-nodes'), '2000', 'the run is kept');
  await page.locator('#swarm-k').fill('3');
  await page.locator('#swarm-nodes').fill('500');
  await page.locator('#swarm-fanout').fill('2');
  await page.locator('#swarm-apply').click();
  await page.waitForFunction(() => document.querySelector('#swarm-canvas').dataset.nodes === '500');
  assert.deepEqual(page.errors, []);
});

test('a gossip run with faults replays exactly from its share link', async () => {
  const page = await openAt(browser, server.url, 'gossip=rumor-k4', 3_000_000);
  const canvas = page.locator('#swarm-canvas');
  const box = await canvas.boundingBox();
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.4);
  await page.locator('#swarm-kill').click();
  await page.locator('#swarm-split').click();
  await advance(page, 3000, { gossip: true });
  await page.locator('#swarm-share').click();
  const url = await page.locator('#share-url').inputValue();
  const original = { t: await canvas.getAttribute('data-us'), hash: await canvas.getAttribute('data-hash') };
  const copy = await openPage(browser, url);
  const c2 = copy.locator('#swarm-canvas');
  await c2.waitFor();
  assert.equal(await c2.getAttribute('data-us'), original.t);
  assert.equal(await c2.getAttribute('data-hash'), original.hash);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(copy.errors, []);
  const bad = await openPage(browser, `${server.url}#g=%%%`);
  await bad.locator('#error-banner').waitFor();
  assert.match(await bad.locator('#error-banner').textContent(), /could not be opened/);
});

test('gossip: scrubbing back replays the same run, and a reload restores it', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${server.url}#gossip=pull&t=8000000`);
  const canvas = page.locator('#swarm-canvas');
  await page.waitForFunction(() => Number(document.querySelector('#swarm-canvas')?.dataset.us) === 8_000_000);
  const end = { t: await canvas.getAttribute('data-us'), hash: await canvas.getAttribute('data-hash') };
  const seek = (us) => page.evaluate((us) => {
    const s = document.querySelector('#swarm-scrubber');
    s.value = String(us);
    s.dispatchEvent(new Event('input', { bubbles: true }));
  }, us);
  await seek(3_000_000);
  assert.equal(await canvas.getAttribute('data-us'), '3000000');
  const early = await canvas.getAttribute('data-hash');
  await seek(Number(end.t));
  assert.equal(await canvas.getAttribute('data-hash'), end.hash);
  await seek(3_000_000);
  assert.equal(await canvas.getAttribute('data-hash'), early);
  await page.locator('#swarm-split').click(); // an action: autosaved
  const saved = { t: await canvas.getAttribute('data-us'), hash: await canvas.getAttribute('data-hash') };
  await page.goto(server.url);
  await page.reload();
  await page.locator('#swarm-canvas').waitFor();
  assert.equal(await page.locator('#swarm-canvas').getAttribute('data-us'), saved.t);
  assert.equal(await page.locator('#swarm-canvas').getAttribute('data-hash'), saved.hash);
  await context.close();
});
