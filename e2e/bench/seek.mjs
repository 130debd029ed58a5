// Browser seek benchmark (part of `cargo xtask bench`): open a link to
// 10 simulated minutes of a 5-node Raft under client load (a request every
// 20 ms), then drag the scrubber to 60 random instants. Reports the time the
// seek itself takes inside the page (checkpoint restore + replay, measured
// around the reducer) and the time until the next frame is painted.
import zlib from 'node:zlib';
import { serveDist, launch, openPage } from '../harness.mjs';

const scenario = {
  version: 1, name: 'seek benchmark', protocol: { raft: {} }, nodes: 5, seed: 1,
  duration_ms: 600000, client: { interval_ms: 20 }, timeline: [],
};
const payload = zlib.deflateRawSync(Buffer.from(JSON.stringify(scenario)), { level: 9 }).toString('base64url');
const END = 600_000_000;

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const server = await serveDist();
const browser = await launch();
try {
  const page = await openPage(browser, `${server.url}#s=${payload}&t=${END}`);
  const t0 = Date.now();
  await page.waitForFunction((end) => Number(document.querySelector('#sim-time')?.dataset.us) === end, END, { timeout: 120000 });
  console.log(`opening the link replayed 10 simulated minutes in ${((Date.now() - t0) / 1000).toFixed(2)} s of wall time`);
  let x = 12345;
  const inside = [];
  const toFrame = [];
  for (let i = 0; i < 60; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const target = Math.floor((x / 2147483648) * END);
    const frame = await page.evaluate((us) => new Promise((resolve) => {
      const s = document.querySelector('#scrubber');
      const start = performance.now();
      s.value = String(us);
      s.dispatchEvent(new Event('input', { bubbles: true }));
      requestAnimationFrame(() => resolve(performance.now() - start));
    }), target);
    const t = Number(await page.locator('#sim-time').getAttribute('data-us'));
    if (t !== target) throw new Error(`seek to ${target} landed at ${t}`);
    inside.push(Number(await page.locator('.scrubber').getAttribute('data-seek-ms')));
    toFrame.push(frame);
  }
  inside.sort((a, b) => a - b);
  toFrame.sort((a, b) => a - b);
  const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
  console.log(`seek inside the page: mean ${mean(inside).toFixed(2)} ms, p50 ${pct(inside, 50).toFixed(2)}, p95 ${pct(inside, 95).toFixed(2)}, max ${inside.at(-1).toFixed(2)} ms`);
  console.log(`seek until the next frame: mean ${mean(toFrame).toFixed(2)} ms, p95 ${pct(toFrame, 95).toFixed(2)}, max ${toFrame.at(-1).toFixed(2)} ms`);
  if (page.errors.length) throw new Error(page.errors.join('\n'));
} finally {
  await browser.close();
  await server.close();
}
