// The space-time diagram: one lane per node, messages as arrows, drops
// crossed, the crashed leader's lane banded; hovering reads a message, the
// filter hides a kind, a lane label selects its node, and a click travels
// to the instant under it. Every run opens at a known simulated instant
// (or steps simulated time), so nothing here depends on the machine's speed.
import { test, before, after } from 'node:test';
import fs from 'node:fs';
import assert from 'node:assert/strict';
import { useBrowser, openAt, simTime, swarmTime, advance, frames, screenshot } from './harness.mjs';

const env = useBrowser(before, after);

const diagram = (page) => page.locator('#diagram').evaluate((d) => ({
  lo: Number(d.dataset.lo),
  hi: Number(d.dataset.hi),
  arrows: Number(d.dataset.arrows),
  lanes: d.querySelectorAll('button.sd-label').length,
  kinds: [...d.querySelectorAll('#diagram-kinds input')].map((i) => i.dataset.kind),
}));

test('the Raft diagram draws the crash and the election, reads a message on hover, filters, selects and seeks', async () => {
  // Leader crash: n4 leads term 1 and crashes at 2 s; n2 wins term 2.
  const page = await openAt(env.browser, env.server.url, 'preset=leader-crash', 2_400_000);
  await page.keyboard.press('d');
  await page.locator('#diagram').waitFor();
  let d = await diagram(page);
  assert.deepEqual([d.lo, d.hi, d.lanes], [1_400_000, 2_400_000, 5]);
  assert.ok(d.arrows > 50, `${d.arrows} arrows`);
  for (const k of ['RequestVote', 'VoteReply', 'Heartbeat', 'AppendEntries']) assert.ok(d.kinds.includes(k), `${k} in ${d.kinds}`);
  // The crashed leader's lane is banded, and what was sent to it is crossed.
  assert.equal(await page.locator('#diagram').getAttribute('data-down'), 'n4');
  assert.ok(Number(await page.locator('#diagram').getAttribute('data-dropped')) > 0);
  const rows = page.locator('#diagram-messages tr');
  assert.equal(await rows.count(), 40, 'paused, the newest 40 are listed for screen readers');
  assert.match(await rows.filter({ hasText: '(node down)' }).first().textContent(), /->n4 .*dropped after .*\(node down\)/);
  // The new leader's lane says so; the old one's is down.
  assert.match(await page.locator('.sd-label').nth(2).textContent(), /^n2L t2$/);
  assert.match(await page.locator('.sd-label').nth(4).textContent(), /^n4down$/);
  await screenshot(page, 'diagram-raft');

  // Pointing at a message reads it: the longest delivered one listed, a
  // quarter of the way along (from the geometry the canvas is drawn with).
  const box = await page.locator('#sd-canvas').boundingBox();
  const listed = await rows.evaluateAll((trs) => trs.map((r) => ({ ...r.dataset, text: r.cells[1].textContent })));
  const m = listed.filter((r) => /delivered/.test(r.text)).sort((a, b) => Math.abs(b.to - b.from) - Math.abs(a.to - a.from))[0];
  const at = (t) => box.x + (Number(t) - d.lo) / (d.hi - d.lo) * box.width;
  const lane = (n) => box.y + Number(n) * 26 + 13;
  await page.mouse.move(at(m.sent) + (at(m.end) - at(m.sent)) / 4, lane(m.from) + (lane(m.to) - lane(m.from)) / 4);
  await page.waitForFunction((text) => document.querySelector('.sd-hover').textContent === text, m.text);
  assert.match(m.text, /^n\d->n\d #\d+ \w+\(.*delivered after [\d.]+ ms$/);

  // Hiding heartbeats removes them and only them.
  await page.locator('#diagram-kinds input[data-kind="Heartbeat"]').uncheck();
  await page.waitForFunction((n) => Number(document.querySelector('#diagram').dataset.arrows) < n, d.arrows);
  assert.equal(await page.locator('#diagram-messages tr[data-kind="Heartbeat"]').count(), 0);
  assert.ok(await page.locator('#diagram-messages tr[data-kind="AppendReply"]').count() > 0, 'other kinds stay');

  // A lane's label selects its node: the lane and its messages light up.
  await page.locator('.sd-label').nth(2).click();
  await page.waitForFunction(() => document.querySelector('.sd-label.sel')?.textContent.startsWith('n2'));
  assert.match(await page.locator('.node.selected').getAttribute('data-node'), /^2$/);

  // A click travels to the instant under it: the middle of the window.
  await page.mouse.click(box.x + box.width / 2, box.y + 4);
  await page.waitForFunction(() => Number(document.querySelector('#sim-time').dataset.us) < 2_400_000);
  const t = await simTime(page);
  assert.ok(Math.abs(t - 1_900_000) <= 10_000, `the click travelled to ${t}`);
  d = await diagram(page);
  assert.equal(d.hi, t, 'the window ends at the new instant');
  assert.ok(d.arrows > 20, `${d.arrows} arrows after the seek`);
  // Closing it with its key.
  await page.keyboard.press('d');
  await page.locator('#diagram').waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
});

test('the store and SWIM have diagrams too; a large group gets its first lanes and one for the rest', async () => {
  const store = await openAt(env.browser, env.server.url, 'preset=store-sloppy-handoff', 3_000_000);
  await store.locator('#diagram-open').click();
  await store.locator('#diagram').waitFor();
  const s = await diagram(store);
  assert.ok(s.arrows > 10 && s.kinds.includes('Replicate') && s.kinds.includes('Ack'), JSON.stringify(s));
  assert.ok(await store.locator('#diagram-messages tr[data-kind="Replicate"]').count() > 0);
  assert.deepEqual(store.errors, []);

  const swim = await openAt(env.browser, env.server.url, 'gossip=swim-crash', 10_000_000);
  const nodes = Number(await swim.locator('#swarm-canvas').getAttribute('data-nodes'));
  await swim.keyboard.press('d');
  await swim.locator('#diagram').waitFor();
  // The diagram keeps events from when it opens: step simulated time.
  await advance(swim, 2000, { gossip: true });
  const w = await diagram(swim);
  assert.equal(w.hi, await swarmTime(swim));
  assert.ok(nodes > 12 && w.lanes === 12, `${w.lanes} lanes for ${nodes} members`);
  assert.match(await swim.locator('.sd-label.others').textContent(), new RegExp(`${nodes - 12} others`));
  assert.ok(w.arrows > 5 && w.kinds.includes('Ping') && w.kinds.includes('Ack'), JSON.stringify(w));
  // n7 crashed at 3 s, before the diagram opened: its lane is down all along.
  assert.match(await swim.locator('.sd-label').nth(7).textContent(), /n7down/);
  assert.match(await swim.locator('#diagram').getAttribute('data-down'), /\bn7\b/);
  await frames(swim);
  await screenshot(swim, 'diagram-swim');
  assert.deepEqual(swim.errors, []);
});

/** Picks a trace format in the diagram's export menu; the download's name and text. */
async function exportTrace(page, format) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120000 }), page.selectOption('#diagram-export', format)]);
  return { name: download.suggestedFilename(), text: fs.readFileSync(await download.path(), 'utf8') };
}

test('the trace exports as a ShiViz log that ShiViz\'s own expression parses, and as Perfetto and JSON', async () => {
  const page = await openAt(env.browser, env.server.url, 'preset=leader-crash', 2_400_000);
  await page.keyboard.press('d');
  await page.locator('#diagram').waitFor();
  const shiviz = await exportTrace(page, 'shiviz');
  assert.match(shiviz.name, /^leader-crash-and-re-election-seed\d+-2400ms\.shiviz\.log$/);
  const [regex, delimiter, ...rest] = shiviz.text.split('\n');
  assert.equal(delimiter, '');
  // ShiViz reads the first line as its parser, in JavaScript, as here.
  const parser = new RegExp(regex, 'g');
  const body = rest.join('\n');
  const entries = [...body.matchAll(parser)];
  assert.equal(entries.length * 2, body.trimEnd().split('\n').length, 'every entry parses');
  const own = {};
  for (const m of entries) {
    const clock = JSON.parse(m.groups.clock);
    own[m.groups.host] = (own[m.groups.host] ?? 0) + 1;
    assert.equal(clock[m.groups.host], own[m.groups.host], `${m.groups.host} counts its own events from 1: ${m.groups.event}`);
  }
  assert.deepEqual(Object.keys(own).sort(), ['n0', 'n1', 'n2', 'n3', 'n4']);
  assert.match(entries.at(-1).groups.event, /^2\.\d{6} s: /, 'up to the instant showing');

  const perfetto = await exportTrace(page, 'perfetto');
  const events = JSON.parse(perfetto.text).traceEvents;
  assert.deepEqual(events.filter((e) => e.name === 'thread_name').map((e) => e.args.name), ['n0', 'n1', 'n2', 'n3', 'n4']);
  assert.ok(events.filter((e) => e.ph === 's').length > 100);
  const json = JSON.parse((await exportTrace(page, 'json')).text);
  assert.ok(json.length > 500 && json.every((e, i) => e.index === i));
  assert.equal(await simTime(page), 2_400_000, 'the run stays where it was');
  assert.deepEqual(page.errors, []);
});
