// Browser seek benchmark (part of `cargo xtask bench`): open a link to
// 10 simulated minutes of a run, then drag the scrubber to 60 random
// instants. Three runs: a 5-node Raft under client load (a request every
// 20 ms), 2,000 sites of push-pull anti-entropy, and 500 SWIM members with a
// crash every minute. Reports the time the seek itself takes inside the page
// (checkpoint restore + replay, measured around the reducer) and the time
// until the next frame is painted.
import zlib from 'node:zlib';
import { serveDist, launch, openPage, pct } from '../harness.mjs';

const END = 600_000_000;
const net = { latency_ms: [20, 120] };
const RUNS = [
  {
    label: 'raft 5 nodes, a request every 20 ms',
    scenario: { version: 1, name: 'seek benchmark', protocol: { raft: {} }, nodes: 5, seed: 1, duration_ms: 600000, client: { interval_ms: 20 }, timeline: [] },
    time: '#sim-time', scrubber: '#scrubber', panel: '.scrubber',
  },
  {
    label: 'gossip 2,000 sites, push-pull anti-entropy',
    scenario: { version: 1, name: 'seek benchmark', protocol: { gossip: { mode: 'anti-entropy', exchange: 'push-pull' } }, nodes: 2000, seed: 1, duration_ms: 600000, network: net, timeline: [] },
    time: '#swarm-canvas', scrubber: '#swarm-scrubber', panel: '.scrubber',
  },
  {
    label: 'SWIM 500 members, a crash every minute',
    scenario: {
      version: 1, name: 'seek benchmark', protocol: { swim: {} }, nodes: 500, seed: 1, duration_ms: 600000, network: net,
      timeline: Array.from({ length: 9 }, (_, i) => ({ at_ms: (i + 1) * 60000, action: 'crash', node: i + 1 })),
    },
    time: '#swarm-canvas', scrubber: '#swarm-scrubber', panel: '.scrubber',
  },
];

const server = await serveDist();
const browser = await launch();
try {
  for (const run of RUNS) {
    const payload = zlib.deflateRawSync(Buffer.from(JSON.stringify(run.scenario)), { level: 9 }).toString('base64url');
    const page = await openPage(browser, `${server.url}#s=${payload}&t=${END}`);
    const t0 = Date.now();
    await page.waitForFunction(([sel, end]) => Number(document.querySelector(sel)?.dataset.us) === end, [run.time, END], { timeout: 300000 });
    console.log(`${run.label}: opening the link replayed 10 simulated minutes in ${((Date.now() - t0) / 1000).toFixed(2)} s of wall time`);
    let x = 12345;
    const inside = [];
    const toFrame = [];
    for (let i = 0; i < 60; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const target = Math.floor((x / 2147483648) * END);
      const frame = await page.evaluate(([sel, us]) => new Promise((resolve) => {
        const s = document.querySelector(sel);
        const start = performance.now();
        s.value = String(us);
        s.dispatchEvent(new Event('input', { bubbles: true }));
        requestAnimationFrame(() => resolve(performance.now() - start));
      }), [run.scrubber, target]);
      const t = Number(await page.locator(run.time).getAttribute('data-us'));
      if (t !== target) throw new Error(`${run.label}: seek to ${target} landed at ${t}`);
      inside.push(Number(await page.locator(run.panel).first().getAttribute('data-seek-ms')));
      toFrame.push(frame);
    }
    inside.sort((a, b) => a - b);
    toFrame.sort((a, b) => a - b);
    const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
    console.log(`${run.label}: seek inside the page: mean ${mean(inside).toFixed(2)} ms, p50 ${pct(inside, 50).toFixed(2)}, p95 ${pct(inside, 95).toFixed(2)}, max ${inside.at(-1).toFixed(2)} ms`);
    console.log(`${run.label}: seek until the next frame: mean ${mean(toFrame).toFixed(2)} ms, p95 ${pct(toFrame, 95).toFixed(2)}, max ${toFrame.at(-1).toFixed(2)} ms`);
    if (page.errors.length) throw new Error(page.errors.join('\n'));
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
