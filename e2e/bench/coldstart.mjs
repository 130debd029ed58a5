// Cold start (part of `cargo xtask bench`): from navigation to the first
// frame that shows the simulation, in a fresh browser context each time (no
// cache, no autosave), for each view's link. Budget: 1.0 s.
import { serveDist, launch, pct } from '../harness.mjs';

const RUNS = Number(process.env.COLD_RUNS || 7);
const LINKS = [
  ['Raft (the default page)', '', '#sim-time'],
  ['store, 20 nodes under load', '#preset=store-load-20', '#sim-time'],
  ['gossip, 2,000 sites', '#gossip=pull', '#swarm-canvas'],
];

const server = await serveDist();
const browser = await launch();
try {
  for (const [label, hash, ready] of LINKS) {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${server.url}${hash}`);
      await page.locator(ready).waitFor();
      // The frame after the view exists has been drawn when this runs.
      times.push(await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now())))));
      await context.close();
    }
    times.sort((a, b) => a - b);
    console.log(`cold start, ${label}: median ${pct(times, 50).toFixed(0)} ms, max ${times.at(-1).toFixed(0)} ms over ${RUNS} fresh contexts (budget 1000 ms)`);
  }
} finally {
  await browser.close();
  await server.close();
}
