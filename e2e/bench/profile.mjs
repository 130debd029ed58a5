// Where a frame's time goes, from Chrome's own sampling profiler: opens a
// playground link, plays it for a few seconds, and sorts the main thread's
// time into buckets (simulation, observer and checkers, view, Yew's diffing,
// DOM glue, style and layout, garbage collection, idle). Run it on a build
// that keeps the wasm's function names, or every wasm frame is one bucket:
//
//   cargo xtask bench --profile '#preset=store-load-20&speed=10'
//
// (which builds such a copy into target/profile-dist), or by hand:
//   SPLITBRAIN_DIST=target/profile-dist node e2e/bench/profile.mjs '#preset=store-load-20&speed=1' [seconds]
import { serveDist, launch, openPage, pct, frameTimes } from '../harness.mjs';

const hash = process.argv[2] || '#preset=store-load-20&speed=1';
const SECONDS = Number(process.argv[3] || 5);

/** Rust's legacy mangling (`_ZN3foo3barE`) to `foo::bar`, hash dropped. */
function demangle(name) {
  const m = /^_ZN(.*)E$/.exec(name);
  if (!m) return name;
  const parts = [];
  let s = m[1];
  while (s.length) {
    const n = /^(\d+)/.exec(s);
    if (!n) break;
    const len = Number(n[1]);
    parts.push(s.slice(n[1].length, n[1].length + len));
    s = s.slice(n[1].length + len);
  }
  if (parts.length && /^h[0-9a-f]{16}$/.test(parts.at(-1))) parts.pop();
  return parts.join('::').replace(/\$LT\$/g, '<').replace(/\$GT\$/g, '>').replace(/\$u20\$/g, ' ')
    .replace(/\$RF\$/g, '&').replace(/\$C\$/g, ',').replace(/\.\./g, '::');
}

// First match wins; matched against the demangled name.
const BUCKETS = [
  ['observer and checkers', /observe|checker|Checker|invariant|Observer|history::|Metrics|metrics::/],
  ['simulation (engine and protocol)', /splitbrain::sim::|protocols::|Sim<|scenario::|queue|dvv|crdt|rng|chacha|ChaCha/],
  ['view (splitbrain::ui, viewmodel)', /splitbrain::ui|viewmodel|splitbrain_web/],
  ['Yew diffing and rendering', /yew|implicit_clone|VNode|VTag|VList|BSubtree|Scope/],
  ['DOM and JS glue (web-sys, wasm-bindgen)', /^__wbg|web_sys|js_sys|wasm_bindgen|gloo|^set|^get|^append|^remove|^insert|^create|^add/],
  ['allocation, copies (core, alloc)', /dlmalloc|alloc::|core::|memcpy|memmove|memset|__rust/],
  ['garbage collection', /^\(garbage collector\)$/],
  ['browser: style, layout, paint (program)', /^\(program\)$/],
  ['idle', /^\(idle\)$/],
];

function bucket(name) {
  for (const [b, re] of BUCKETS) if (re.test(name)) return b;
  return 'other';
}

const server = await serveDist();
const browser = await launch();
try {
  const page = await openPage(browser, `${server.url}${hash}`);
  await page.locator('#sim-time, #swarm-canvas, #store-time').first().waitFor();
  await page.waitForTimeout(1500);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
  await cdp.send('Profiler.start');
  const t0 = Number(await page.locator('#sim-time, #swarm-canvas').first().getAttribute('data-us'));
  const { sorted, busy, script, layout, style } = await frameTimes(page, SECONDS);
  const t1 = Number(await page.locator('#sim-time, #swarm-canvas').first().getAttribute('data-us'));
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = profile.timeDeltas;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const name = demangle(n.callFrame.functionName || `(anonymous ${n.callFrame.url.split('/').pop()})`);
    const d = (dt[i + 1] ?? 0) / 1000;
    self.set(name, (self.get(name) || 0) + d);
    total += d;
  });
  // Inclusive time (a function and all it called), for our own functions.
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const incl = new Map();
  profile.samples.forEach((id, i) => {
    const d = (dt[i + 1] ?? 0) / 1000;
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const name = demangle(byId.get(at).callFrame.functionName || '').replace(/::h[0-9a-f]{16}$/, '');
      if (!seen.has(name) && /splitbrain|yew::/.test(name)) {
        seen.add(name);
        incl.set(name, (incl.get(name) || 0) + d);
      }
    }
  });
  const buckets = new Map();
  for (const [name, ms] of self) buckets.set(bucket(name), (buckets.get(bucket(name)) || 0) + ms);
  const frames = sorted.length;
  console.log(`${hash}: ${frames} frames in ${SECONDS}s; frame interval p50 ${pct(sorted, 50).toFixed(1)} ms, p95 ${pct(sorted, 95).toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms; main thread busy ${busy.toFixed(1)} ms/frame (script ${script.toFixed(1)}, style ${style.toFixed(1)}, layout ${layout.toFixed(1)}); simulated ${((t1 - t0) / 1e6).toFixed(2)} s in ${SECONDS} s (${((t1 - t0) / 1e6 / SECONDS).toFixed(2)}x)`);
  console.log('\nwhere the main thread went (ms per frame, share of samples):');
  for (const [b, ms] of [...buckets].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${b.padEnd(44)} ${(ms / frames).toFixed(2).padStart(7)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)}%`);
  }
  // The browser's own share, from its trace: what "(program)" was.
  if (process.env.TRACE !== '0') {
    await browser.startTracing(page, { categories: ['devtools.timeline', 'blink'] });
    await page.waitForTimeout(2000);
    const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
    const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
    const names = ['Layout', 'UpdateLayoutTree', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'HitTest', 'ParseHTML', 'FunctionCall', 'EventDispatch', 'FireAnimationFrame', 'MinorGC', 'MajorGC'];
    const sums = new Map();
    const animFrames = events.filter((e) => e.name === 'FireAnimationFrame' && e.tid === main?.tid).length || 1;
    for (const e of events) {
      if (e.tid !== main?.tid || e.ph !== 'X' || !names.includes(e.name)) continue;
      sums.set(e.name, (sums.get(e.name) || 0) + e.dur / 1000);
    }
    console.log(`\nthe renderer's main thread over 2 s (${animFrames} animation frames), ms per frame:`);
    for (const [n, ms] of [...sums].sort((a, b) => b[1] - a[1])) console.log(`  ${n.padEnd(20)} ${(ms / animFrames).toFixed(2).padStart(7)}`);
  }
  console.log('\nour functions by inclusive time (ms per frame):');
  for (const [name, ms] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP_INCL || 30))) {
    console.log(`  ${(ms / frames).toFixed(2).padStart(7)}  ${name.slice(0, 140)}`);
  }
  console.log('\ntop functions by self time:');
  for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP || 25))) {
    console.log(`  ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${name.slice(0, 150)}`);
  }
  await page.close();
} finally {
  await browser.close();
  await server.close();
}
