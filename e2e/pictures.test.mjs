// Pictures for slides: every figure on show (the cluster, each chart, the
// space-time diagram, the gossip stage) saves as SVG with its styles
// inlined, and as PNG. The run opens paused at a known instant.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { useBrowser, openAt } from './harness.mjs';

const env = useBrowser(before, after);
const PNG = '89504e470d0a1a0a';

/** Chooses `value` in the Picture menu and returns the file saved. */
async function save(page, value) {
  await page.focus('#picture');
  const download = page.waitForEvent('download');
  await page.selectOption('#picture', value);
  const d = await download;
  assert.equal(d.suggestedFilename(), `splitbrain-${value}`);
  return fs.readFileSync(await d.path());
}

test('the cluster, the charts and the diagram save as SVG and PNG', async () => {
  const page = await openAt(env.browser, env.server.url, 'preset=leader-crash', 2_500_000);
  await page.focus('#picture');
  const offered = await page.locator('#picture option').evaluateAll((os) => os.map((o) => o.value));
  for (const v of ['cluster.svg', 'cluster.png', 'leaders.svg', 'messages.svg', 'commit-latency.png']) {
    assert.ok(offered.includes(v), `${v} in ${offered}`);
  }
  assert.ok(!offered.includes('diagram.png'), 'the diagram is closed');
  const svg = (await save(page, 'cluster.svg')).toString();
  assert.match(svg, /^<\?xml[^]*<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, />n2</, 'the nodes are named');
  assert.match(svg, /fill:\s*rgb\(22, 163, 74\)/, "the leader's colour travels with the file");
  assert.equal((await save(page, 'cluster.png')).subarray(0, 8).toString('hex'), PNG);
  assert.match((await save(page, 'messages.svg')).toString(), /<rect/);
  await page.locator('#diagram-open').click();
  await page.locator('#diagram').waitFor();
  const png = await save(page, 'diagram.png');
  assert.equal(png.subarray(0, 8).toString('hex'), PNG);
  assert.ok(png.length > 2000, `a picture, not an empty canvas (${png.length} B)`);
  // The diagram's SVG is drawn from the same drawing as its canvas: vector
  // arrows, lanes named as on the page, the window's ends below.
  const diagram = (await save(page, 'diagram.svg')).toString();
  assert.match(diagram, /^<\?xml[^]*<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  for (const n of ['n0', 'n1', 'n2', 'n3', 'n4']) assert.match(diagram, new RegExp(`<text[^>]*>${n}</text>`));
  const arrows = Number(await page.locator('#diagram').getAttribute('data-arrows'));
  const moves = (diagram.match(/M[-\d.]+ [-\d.]+L/g) || []).length;
  assert.ok(arrows > 10 && moves >= arrows, `${moves} lines for ${arrows} arrows`);
  assert.match(diagram, /stroke-dasharray="4 3"/, 'the crash is a dashed line');
  assert.ok(!/NaN|undefined/.test(diagram));
  assert.deepEqual(page.errors, []);
});

test('the gossip stage and its chart save too', async () => {
  const page = await openAt(env.browser, env.server.url, 'gossip=rumor-k1', 8_000_000);
  assert.equal((await save(page, 'gossip-stage.png')).subarray(0, 8).toString('hex'), PNG);
  // One circle per site, in one path per colour.
  const stage = (await save(page, 'gossip-stage.svg')).toString();
  const sites = Number(await page.locator('#swarm-canvas').getAttribute('data-nodes'));
  const circles = (stage.match(/a[\d.]+ [\d.]+ 0 1 0/g) || []).length / 2;
  assert.ok(sites > 10 && circles >= sites, `${circles} circles for ${sites} sites`);
  assert.match(stage, /fill="#(f97316|2563eb)"/, 'informed sites keep their colour');
  assert.match((await save(page, 'informed-per-cycle.svg')).toString(), /<svg/);
  assert.deepEqual(page.errors, []);
});

test('in compare mode each variant\'s figures have names of their own', async () => {
  const page = await openAt(env.browser, env.server.url, 'preset=leader-crash', 500_000);
  await page.evaluate(() => { location.hash = 'compare=prevote&t=2000000'; });
  await page.waitForFunction(() => [...document.querySelectorAll('.variant')].every((v) => v.dataset.now === '2000000'));
  await page.focus('#picture');
  const offered = await page.locator('#picture option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(offered.includes('cluster.svg') && offered.includes('cluster-2.svg'), `${offered}`);
  const first = (await save(page, 'cluster.svg')).toString();
  const second = (await save(page, 'cluster-2.svg')).toString();
  assert.match(first, /<svg/);
  assert.match(second, /<svg/);
  assert.deepEqual(page.errors, []);
});
