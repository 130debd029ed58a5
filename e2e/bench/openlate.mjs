// Browser benchmark (part of `cargo xtask bench`): a share link that points
// at the last instant of a 10-minute run opens in how long? The run is
// benches/raftscope-like.json (5 servers, 100-200 ms timeouts, 10-15 ms
// links, a request every 50 ms, the leader crashed every 5 s). Reports the
// wall time from navigation to the page showing that instant, as simulated
// seconds per wall second, best and median of five opens (the wasm build's
// own open/replay ratio is in tests/wasm_speed.rs).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serveDist, launch, openPage, pct } from '../harness.mjs';

const file = path.resolve(import.meta.dirname, '..', '..', 'benches', 'raftscope-like.json');
const scenario = JSON.parse(fs.readFileSync(file, 'utf8'));
const END = scenario.duration_ms * 1000;
const payload = zlib.deflateRawSync(Buffer.from(JSON.stringify(scenario)), { level: 9 }).toString('base64url');

const server = await serveDist();
const browser = await launch();
try {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const page = await openPage(browser, `${server.url}#preset=leader-crash`);
    await page.locator('#sim-time').waitFor();
    // Navigate within the loaded app (the wasm is compiled and warm), as a
    // second link opened in a tab is.
    const ms = await page.evaluate(([hash, end]) => new Promise((resolve) => {
      const t0 = performance.now();
      location.hash = hash;
      const poll = () => {
        if (Number(document.querySelector('#sim-time')?.dataset.us) === end) resolve(performance.now() - t0);
        else requestAnimationFrame(poll);
      };
      requestAnimationFrame(poll);
    }), [`s=${payload}&t=${END}`, END]);
    if (page.errors.length) throw new Error(page.errors.join('\n'));
    times.push(ms);
    await page.close();
  }
  times.sort((a, b) => a - b);
  const secs = END / 1e6;
  console.log(`open a link at t = ${secs} s of ${scenario.name}: best ${times[0].toFixed(0)} ms, median ${pct(times, 50).toFixed(0)} ms of 5 (${(secs / (times[0] / 1000)).toFixed(0)} simulated s per wall s at best)`);
} finally {
  await browser.close();
  await server.close();
}
