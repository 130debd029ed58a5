// Browser benchmark (part of `cargo xtask bench`): a 3-variant comparison
// of 10 simulated minutes opens at its last instant in how long? The
// variants are benches/raftscope-like.json as it is, with PreVote, and with
// CheckQuorum (5 servers, a client request every 50 ms, the leader crashed
// every 5 s). Reports the wall time from the link to every variant showing
// that instant, best and median of five: within a loaded page (a link
// opened in a tab that is already open) and as a fresh page load.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serveDist, launch, openPage, pct, frameTimes } from '../harness.mjs';

const file = path.resolve(import.meta.dirname, '..', '..', 'benches', 'raftscope-like.json');
const base = JSON.parse(fs.readFileSync(file, 'utf8'));
const END = base.duration_ms * 1000;
const variant = (label, raft) => ({ label, scenario: { ...base, protocol: { raft: { ...base.protocol.raft, ...raft } } } });
const comparison = {
  version: 1,
  name: 'RaftScope-like, three ways',
  variants: [variant('as is', {}), variant('PreVote', { prevote: true }), variant('CheckQuorum', { check_quorum: true })],
};
const payload = zlib.deflateRawSync(Buffer.from(JSON.stringify(comparison)), { level: 9 }).toString('base64url');
const hash = `compare=${payload}&t=${END}`;

const server = await serveDist();
const browser = await launch();
try {
  const warm = [];
  const cold = [];
  for (let i = 0; i < 5; i++) {
    const page = await openPage(browser, `${server.url}#preset=leader-crash`);
    await page.locator('#sim-time').waitFor();
    warm.push(await page.evaluate(([hash, end]) => new Promise((resolve) => {
      const t0 = performance.now();
      location.hash = hash;
      const poll = () => {
        const v = [...document.querySelectorAll('.variant')];
        if (v.length === 3 && v.every((e) => Number(e.dataset.now) === end)) resolve(performance.now() - t0);
        else requestAnimationFrame(poll);
      };
      requestAnimationFrame(poll);
    }), [hash, END]));
    if (page.errors.length) throw new Error(page.errors.join('\n'));
    await page.close();
    const t0 = Date.now();
    const fresh = await openPage(browser, `${server.url}#${hash}`);
    await fresh.waitForFunction((end) => {
      const v = [...document.querySelectorAll('.variant')];
      return v.length === 3 && v.every((e) => Number(e.dataset.now) === end);
    }, END, { timeout: 120000, polling: 'raf' });
    cold.push(Date.now() - t0);
    if (fresh.errors.length) throw new Error(fresh.errors.join('\n'));
    await fresh.close();
  }
  warm.sort((a, b) => a - b);
  cold.sort((a, b) => a - b);
  // Playing the same three variants at the top speed: a frame stops
  // simulating once its 14 ms are spent, with every variant at one instant.
  const play = await openPage(browser, `${server.url}#compare=${payload}`);
  await play.locator('#compare-time').waitFor();
  for (let i = 0; i < 12; i++) await play.keyboard.press(']');
  await play.keyboard.press(' ');
  await play.waitForTimeout(1000);
  const simAt = async () => Number(await play.locator('#compare-time').getAttribute('data-us'));
  const t0 = await simAt();
  const { sorted, busy } = await frameTimes(play, 5);
  const pace = (await simAt() - t0) / 1e6 / 5;
  const apart = await play.evaluate(() => new Set([...document.querySelectorAll('.variant')].map((e) => e.dataset.now)).size);
  console.log(`play the 3-variant comparison at top speed: frame interval p50 ${pct(sorted, 50).toFixed(2)} ms, p95 ${pct(sorted, 95).toFixed(2)} ms, max ${sorted.at(-1).toFixed(2)} ms; main-thread busy ${busy.toFixed(2)} ms/frame; ${pace.toFixed(1)}x real time; variants at ${apart} instant(s); errors ${play.errors.length}`);
  await play.close();
  console.log(`open a 3-variant comparison at t = ${END / 1e6} s (${base.name}): in a loaded page best ${warm[0].toFixed(0)} ms, median ${pct(warm, 50).toFixed(0)} ms; as a fresh page load best ${cold[0]} ms, median ${pct(cold, 50).toFixed(0)} ms (5 each; budget 3000 ms)`);
} finally {
  await browser.close();
  await server.close();
}
