// Scenarios in the browser: share links, bad links, autosave, time travel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { serveDist, launch, openPage, openAt, advance, leaders, screenshot } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const read = (page) => page.evaluate(() => ({
  t: Number(document.querySelector('#sim-time').dataset.us),
  hash: document.querySelector('#trace-hash').dataset.hash,
  leaders: [...document.querySelectorAll('#event-log .ev.note')].map((e) => e.textContent)
    .filter((t) => t.includes('became leader')).reverse(),
}));

async function seek(page, us) {
  await page.evaluate((us) => {
    const s = document.querySelector('#scrubber');
    s.value = String(us);
    s.dispatchEvent(new Event('input', { bubbles: true }));
  }, us);
}

test('a run built with clicks replays exactly from its share link', async () => {
  const page = await openAt(browser, server.url, 'seed=21', 800_000);
  await page.keyboard.press('k'); // kill the leader
  await advance(page, 800);
  const node = await page.locator('.node[data-role="follower"]').first().getAttribute('data-node');
  await page.locator(`.node[data-node="${node}"]`).click();
  await page.locator('.menu').getByRole('button', { name: 'Pause', exact: true }).click(); // pause that node
  await advance(page, 800);
  await page.keyboard.press('h');
  await page.click('#share');
  const url = await page.locator('#share-url').inputValue();
  const original = await read(page);
  assert.ok(original.leaders.length >= 2, `saw leaders ${original.leaders}`);
  await screenshot(page, 'share');

  const copy = await openPage(browser, url);
  await copy.locator('#sim-time').waitFor();
  const replayed = await read(copy);
  assert.equal(replayed.t, original.t, 'opens at the same simulated time');
  assert.equal(replayed.hash, original.hash, 'with the same trace hash');
  assert.deepEqual(replayed.leaders, original.leaders, 'and the same leaders, terms and times');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(copy.errors, []);
});

test('a malformed link shows what is wrong, and the page still works', async () => {
  for (const [frag, msg] of [
    ['s=not*base64', /not a base64url character/],
    ['s=AAAA', /truncated/],
    ['s=____&t=5', /damaged/],
  ]) {
    const page = await openPage(browser, `${server.url}#${frag}`);
    await page.locator('#error-banner').waitFor();
    assert.match(await page.locator('#error-banner').textContent(), msg);
    await advance(page, 1000);
    assert.equal((await leaders(page)).length, 1, 'the page still runs a cluster');
    assert.deepEqual(page.errors, []);
    await page.close();
  }
});

test('a reload restores the autosaved scenario and time', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${server.url}#seed=22&t=900000`);
  await page.waitForFunction(() => Number(document.querySelector('#sim-time')?.dataset.us) === 900_000);
  await page.keyboard.press('k');
  await advance(page, 600); // an action, so it autosaves
  const before = await read(page);
  await page.reload();
  await page.locator('#sim-time').waitFor();
  const after = await read(page);
  assert.equal(after.t, before.t);
  assert.equal(after.hash, before.hash);
  assert.match(await page.locator('#event-log').textContent(), /fault crash n\d/);
  await context.close();
});

test('scrubbing back and forth shows consistent state', async () => {
  const page = await openAt(browser, server.url, 'seed=23', 3_000_000);
  await page.keyboard.press('k');
  await advance(page, 2000);
  const end = await read(page);
  await seek(page, 1_234_567);
  const early = await read(page);
  assert.equal(early.t, 1_234_567);
  await seek(page, end.t);
  assert.equal((await read(page)).hash, end.hash, 'forward again: the same state');
  await seek(page, 1_234_567);
  assert.equal((await read(page)).hash, early.hash, 'back again: the same state');
  await page.click('#step-forward');
  const stepped = await read(page);
  assert.ok(stepped.t > early.t);
  await page.click('#step-back');
  assert.equal((await read(page)).hash, early.hash);
  await screenshot(page, 'scrub');
  assert.deepEqual(page.errors, []);
});

test('a preset loads with its explanation, and import refuses a bad file', async () => {
  const page = await openPage(browser, `${server.url}#seed=1`);
  await page.selectOption('#preset', 'figure-8');
  await page.locator('#about').waitFor();
  assert.match(await page.locator('#about').textContent(), /Figure 8/);
  await advance(page, 400); // its violation comes at 332 ms
  await page.waitForSelector('#violation-banner');
  assert.match(await page.locator('#violation-banner').textContent(), /Leader Completeness/);
  const hash = (await read(page)).hash;
  await page.setInputFiles('#import', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"version": 3}') });
  await page.locator('#error-banner').waitFor();
  assert.match(await page.locator('#error-banner').textContent(), /unsupported scenario version 3/);
  assert.equal((await read(page)).hash, hash, 'the current scenario is untouched');
  await screenshot(page, 'figure-8');
  assert.deepEqual(page.errors, []);
});

test('dropping a scenario file on the page loads it', async () => {
  const page = await openPage(browser, `${server.url}#seed=1`);
  await page.locator('svg.cluster').waitFor();
  const json = JSON.stringify({
    version: 1, name: 'Dropped', description: 'A scenario dropped onto the page, with seven nodes, to check that drag and drop loads scenario files just like the picker does.',
    protocol: { raft: {} }, nodes: 7, seed: 99, timeline: [],
  });
  await page.evaluate((json) => {
    const dt = new DataTransfer();
    dt.items.add(new File([json], 'dropped.json', { type: 'application/json' }));
    const app = document.querySelector('.app');
    app.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
    app.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
  }, json);
  await page.waitForFunction(() => document.querySelectorAll('.node').length === 7);
  assert.match(await page.locator('#about').textContent(), /Dropped/);
  assert.equal(await page.locator('#seed').inputValue(), '99');
  assert.deepEqual(page.errors, []);
});

test('export downloads the scenario, with what was done, as JSON', async () => {
  const page = await openAt(browser, server.url, 'seed=8', 1_000_000);
  assert.equal((await leaders(page)).length, 1);
  await page.keyboard.press('h'); // recorded into the timeline
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export').click()]);
  assert.match(download.suggestedFilename(), /^splitbrain-.*seed8\.json$/);
  const text = await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString());
  const scenario = JSON.parse(text);
  assert.equal(scenario.seed, 8);
  assert.equal(scenario.timeline.at(-1).action, 'heal_all');
  assert.deepEqual(page.errors, []);
});

// The storm with its bug put back (a follower refuses AppendEntries
// below its snapshot; every message duplicated): `splitbrain link` of it.
const STORM = 's=PZDhasQgEITfZX_LYVpCwVcphxizaSTGTXXNcRx5964JvT8KuzPDfPuCHXMJlMB0CrZMTJ4imBdkN3H7MaJnEVgOK1JluxYw312vb1p9annvCmZ0mQd01_Krl5Vk4U6MYCYXCyrwM_rF_lbKdX0PI7oRs01EGxjOVUbNZAsHv4SEpbylJbmtzMQWpfETzIeCof6AgYxTLWgHjPSw_yo4DgWJRpSAXsyI40k41uxOmla011qKJuQH5aWxRseY_PNCbBTdxRepFWnEEiBNu5uWeB8DpvNGITHm3cXTeC3btaIQSND9-AM&t=0&c=97570551';

test('a message storm pauses at the cap with a banner, and the page keeps working', async () => {
  // Opened at 370 ms, just before the cap; played from there, each frame
  // runs a bounded share of the storm until the run pauses at the cap
  // (0.386 s, as `splitbrain run` reports) with a banner.
  const page = await openAt(browser, server.url, STORM.replace('&t=0&c=97570551', ''), 370_000);
  await page.evaluate(() => {
    window.frames_seen = 0;
    window.longest = 0;
    const count = () => { window.frames_seen++; requestAnimationFrame(count); };
    requestAnimationFrame(count);
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longest = Math.max(window.longest, e.duration); })
      .observe({ type: 'longtask' });
  });
  await page.click('#play');
  await page.locator('#error-banner').waitFor({ timeout: 120000 });
  const banner = await page.locator('#error-banner').textContent();
  assert.match(banner, /Paused: the run stopped at 0\.386 s: more than 200,200 messages in flight/);
  assert.match(await page.locator('#play').textContent(), /Play/, 'paused');
  const t = Number(await page.locator('#sim-time').getAttribute('data-us'));
  assert.ok(t > 380_000 && t <= 386_000, `stopped at ${t} us`);
  const { frames_seen: seen, longest } = await page.evaluate(() => ({ frames_seen: window.frames_seen, longest: window.longest }));
  assert.ok(seen >= 2, `the storm ran over ${seen} frames, not in one blocking call`);
  // How long the longest task took is a measure of speed, which this test
  // does not assert: `e2e/bench/frames.mjs` (in `cargo xtask bench`) holds
  // the storm to its bar.
  console.log(`storm: ${seen} frames to the cap, longest task ${Math.round(longest)} ms`);
  assert.match(await page.locator('.more-msgs').textContent(), /^\+[\d,]+ more messages in flight$/);
  // Still a working page: scrubbing back shows the run before the storm.
  await seek(page, 300_000);
  await page.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) === 300_000);
  assert.equal((await leaders(page)).length, 1);
  assert.deepEqual(page.errors, []);
});

// The path that `splitbrain explore` writes for a Raft whose servers vote
// twice in a term: a scripted run, where messages wait until the timeline
// delivers them and timers until it fires them.
const DOUBLE_VOTE = {"version": 1, "name": "Election Safety: found by explore (6 steps)", "protocol": {"raft": {"election_timeout_ms": [150.0, 300.0], "heartbeat_ms": 75.0, "prevote": false, "check_quorum": false, "leader_noop": true, "vote_stickiness": false, "bug": "vote_twice"}}, "nodes": 3, "seed": 1, "duration_ms": 8, "network": {"latency_ms": [5.0, 10.0], "loss": 0.0, "dup": 0.0}, "scripted": true, "timeline": [{"action": "fire", "at_ms": 1, "node": 0, "timer": "election"}, {"action": "deliver", "at_ms": 2, "from": 0, "nth": 0, "to": 1}, {"action": "deliver", "at_ms": 3, "from": 1, "nth": 0, "to": 0}, {"action": "fire", "at_ms": 4, "node": 2, "timer": "election"}, {"action": "deliver", "at_ms": 5, "from": 2, "nth": 0, "to": 1}, {"action": "deliver", "at_ms": 6, "from": 1, "nth": 0, "to": 2}]};

test('an explored path opens as a scripted run and breaks at its last step', async () => {
  const s = Buffer.from(zlib.deflateRawSync(JSON.stringify(DOUBLE_VOTE))).toString('base64url');
  const before = await openAt(browser, server.url, `s=${s}`, 5_000);
  assert.equal(await before.locator('#violation-banner').count(), 0, 'nothing broken before the last step');
  const leadersBefore = await before.locator('.node[data-role="leader"]').count();
  assert.equal(leadersBefore, 1, 'one leader of term 1 so far');
  const page = await openAt(browser, server.url, `s=${s}`, 6_000);
  await page.locator('#violation-banner').waitFor();
  assert.match(await page.locator('#violation-banner').textContent(), /Election Safety/);
  assert.equal(await page.locator('.node[data-role="leader"]').count(), 2, 'two leaders of term 1');
  await screenshot(page, 'explored-path');
  assert.deepEqual(before.errors, []);
  assert.deepEqual(page.errors, []);
});
