// The monkey: thousands of seeded random UI actions (clicks on
// nodes, links, menus and buttons; drags; keys; scrubbing; presets; settings
// with random values, good and bad), with no panic, no console error and no
// task longer than 200 ms. Reproducible: the run stays paused (the monkey
// steps simulated time, and pauses any run an action started in the same
// task, before a frame can advance it), so one seed always does the same
// things. Each action is a task of its own, as a real click is; a task
// over 200 ms is a frame the person would see freeze (a long task must recur
// at the same action in a second run of the seed: see monkeyOn). A failure
// prints its seed and action (MONKEY_LONG_TASK_MS changes the limit):
//   MONKEY_SEED=7 MONKEY_ACTIONS=10000 node --test e2e/monkey.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openAt, screenshot } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const SEED = Number(process.env.MONKEY_SEED ?? 20261128);
const ACTIONS = Number(process.env.MONKEY_ACTIONS ?? 10000);
const LONG_TASK_MS = Number(process.env.MONKEY_LONG_TASK_MS ?? 200);

/** Runs in the page: `n` actions from `seed`; returns what it did. */
async function monkey([seed, n, longMs, protocols]) {
  // mulberry32: a small seeded generator.
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // Each action draws the same count of numbers, whatever the page shows,
  // so one seed is one sequence of intentions.
  let draws = [];
  const next = () => draws.shift() ?? 0.5;
  const pick = (xs) => xs[Math.floor(next() * xs.length)];
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  // The page's own randomness (the New seed button) from the seed too.
  let m = (seed ^ 0x5eed5eed) >>> 0;
  Math.random = () => {
    m = (Math.imul(m, 1664525) + 1013904223) >>> 0;
    return m / 4294967296;
  };
  const visible = (sel) => [...document.querySelectorAll(sel)].filter((e) => e.getClientRects().length > 0 && !e.disabled);
  const microtasks = async () => { for (let i = 0; i < 4; i++) await Promise.resolve(); };
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  // A new task (not a microtask): each action is a task of its own, as a
  // click is, and the browser may render between them.
  const channel = new MessageChannel();
  const queued = [];
  channel.port1.onmessage = () => queued.shift()?.();
  const task = () => new Promise((r) => { queued.push(r); channel.port2.postMessage(0); });

  const longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: false });
  const starts = [];

  const key = (k, shift = false) => document.dispatchEvent(new KeyboardEvent('keydown', { key: k, shiftKey: shift, bubbles: true, cancelable: true }));
  const setValue = (el, v) => {
    el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  };
  const values = () => pick([
    String(int(0, 10)), String(int(1, 400)), String(int(1, 30) * 100), '-1', '0', '1e9', 'abc', '', '3.5', '99999', '0.001',
  ]);
  // Resolves true once `test()` holds, watching the page change; false if
  // it still does not after `ms`.
  const appears = (test, ms) => new Promise((resolve) => {
    if (test()) return resolve(true);
    const watch = new MutationObserver(() => {
      if (test()) { watch.disconnect(); clearTimeout(limit); resolve(true); }
    });
    watch.observe(document.documentElement, { childList: true, subtree: true, attributes: true });
    const limit = setTimeout(() => { watch.disconnect(); resolve(Boolean(test())); }, ms);
  });
  const pointer = (el, type, x, y) => el.dispatchEvent(new PointerEvent(type, { bubbles: true, clientX: x, clientY: y, pointerId: 1, isPrimary: true }));

  const kinds = [
    // [weight, name, action]
    [12, 'key', () => {
      const k = pick(['ArrowRight', 'ArrowRight+', 'ArrowLeft', '[', ']', 'k', 'a', 'h', 'r', '?', 'Escape', 'z']);
      key(k.replace('+', ''), k.endsWith('+'));
      return k;
    }],
    [14, 'node', () => {
      const n = pick(visible('.node'));
      if (!n) return 'none';
      n.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      return n.dataset.node;
    }],
    [8, 'link', () => {
      const l = pick(visible('.link'));
      if (!l) return 'none';
      l.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      return l.getAttribute('class');
    }],
    [16, 'menu', () => {
      const b = pick(visible('.menu button, .menu input, .menu select'));
      if (!b) return 'none';
      if (b.tagName === 'BUTTON') b.click(); else if (b.type === 'checkbox') b.click(); else setValue(b, values());
      return b.textContent || b.id || b.name;
    }],
    [6, 'drag', () => {
      const svg = visible('svg.cluster')[0];
      if (!svg) return 'none';
      const r = svg.getBoundingClientRect();
      const [x1, y1] = [r.left + next() * r.width, r.top + next() * r.height];
      const [x2, y2] = [r.left + next() * r.width, r.top + next() * r.height];
      pointer(svg, 'pointerdown', x1, y1);
      pointer(svg, 'pointermove', (x1 + x2) / 2, (y1 + y2) / 2);
      pointer(svg, 'pointermove', x2, y2);
      pointer(svg, 'pointerup', x2, y2);
      return `${Math.round(x1)},${Math.round(y1)}-${Math.round(x2)},${Math.round(y2)}`;
    }],
    [10, 'scrub', () => {
      const sc = visible('#scrubber, #swarm-scrubber')[0];
      if (!sc) return 'none';
      const v = Math.floor(next() * (Number(sc.max) + 1));
      setValue(sc, String(v));
      return v;
    }],
    [4, 'preset', () => {
      const sel = visible('#preset, #swarm-preset')[0];
      if (!sel) return 'none';
      const o = pick([...sel.options]);
      setValue(sel, o.value);
      return o.value;
    }],
    [2, 'protocol', () => {
      // Only the views on this page: another protocol's page is another
      // document, which the monkey would leave.
      const sel = visible('#protocol')[0];
      if (!sel || protocols.length === 0) return 'none';
      const v = pick(protocols);
      setValue(sel, v);
      return v;
    }],
    [14, 'field', () => {
      const f = pick(visible('input[type=number], input[type=text]:not(#share-url), .field input:not([type=checkbox]):not([type=file]), .field select:not(#protocol)'));
      if (!f) return 'none';
      if (f.tagName === 'SELECT') {
        const o = pick([...f.options]);
        setValue(f, o.value);
        return `${f.id}=${o.value}`;
      }
      const v = values();
      setValue(f, v);
      return `${f.id}=${v}`;
    }],
    [5, 'checkbox', () => {
      const c = pick(visible('input[type=checkbox]'));
      if (!c) return 'none';
      c.click();
      return c.id;
    }],
    [12, 'button', () => {
      // Not the Experiments panel, nor a search for a bug: their worker
      // answers on wall time (a search that finds a bug opens it), which
      // would make one seed do different things (e2e/lab.test.mjs and
      // e2e/hunt.test.mjs test them).
      const b = pick(visible('button').filter((b) => !['play', 'swarm-play', 'export', 'swarm-export', 'lab-open', 'hunt-start'].includes(b.id)
        && !b.closest('label.file')));
      if (!b) return 'none';
      b.click();
      // A bug zoo entry opens as a link once the browser has deflated it.
      return b.classList.contains('zoo-try') ? 'zoo-try' : b.id || b.textContent;
    }],
  ];
  const total = kinds.reduce((a, k) => a + k[0], 0);
  const log = [];
  const all = [];
  for (let i = 0; i < n; i++) {
    draws = Array.from({ length: 8 }, rand);
    let r = next() * total;
    const [, name, act] = kinds.find((k) => (r -= k[0]) < 0);
    starts.push(performance.now());
    let what;
    try {
      what = act();
    } catch (e) {
      return { log, failed: `action ${i} (${name}) threw: ${e}`, longTasks, starts };
    }
    log.push(`${i} ${name} ${what}`);
    all.push(`${name} ${what}`);
    console.debug(`monkey ${i} ${name} ${what}`);
    if (log.length > 40) log.shift();
    await microtasks();
    // A share link is made asynchronously (the browser deflates it): wait
    // until no deflate is under way and the link (or an error saying why
    // not) is on the page, so what follows does not depend on how fast
    // that was. A link that never comes fails the run.
    // Opening a bug zoo entry goes through a link, made asynchronously:
    // wait until it has opened (the page clears the fragment once it has),
    // so that what follows (a share link made meanwhile would be for the
    // run it replaces) does not depend on how fast that was.
    if (what === 'zoo-try') {
      const opened = () => !document.documentElement.dataset.deflating && !location.hash;
      if (!(await appears(opened, 10_000))) {
        return { log, failed: `action ${i} (${name}): the bug zoo's entry never opened`, longTasks, starts };
      }
    }
    if (what === 'share') {
      const made = () => !document.documentElement.dataset.deflating && document.querySelector('#share-url, #error-banner');
      if (!(await appears(made, 10_000))) {
        return { log, failed: `action ${i} (${name}): the share link never appeared`, longTasks, starts };
      }
    }
    // Keep the run paused, before any frame can advance it.
    for (const id of ['play', 'swarm-play']) {
      const p = document.getElementById(id);
      if (p && p.textContent.includes('Pause')) p.click();
    }
    await task();
    if (i % 50 === 49) await frame();
  }
  await frame(); await frame();
  const slow = longTasks.filter((t) => t.ms > longMs);
  const at = (t) => starts.findLastIndex((s) => s <= t.start);
  return {
    log,
    failed: null,
    longest: Math.max(0, ...longTasks.map((t) => t.ms)),
    slow: slow.map((t) => ({ ms: Math.round(t.ms), action: at(t), what: all[at(t)] })),
    top: [...longTasks].sort((a, b) => b.ms - a.ms).slice(0, 8).map((t) => `${Math.round(t.ms)} ms at ${at(t)}: ${all[at(t)]}; before: ${all[at(t) - 1]}`),
  };
}

/** Runs the monkey on the page at `base`, opened at `hash`, paused at 0.5 s.
 * A long task is wall time, which a busy machine can stretch once (seen:
 * 241 and 280 ms on this 2-core VM, where the same seed's longest was 71 and
 * 132 ms on the next run). The actions are the seed's, so a slow action is
 * slow again: after a run with long tasks, the same seed runs once more on a
 * fresh page, and a long task fails the test only if it recurs at the same
 * action. */
async function monkeyOn(base, hash, actions, name, protocols) {
  const first = await monkeyRun(base, hash, actions, name, protocols);
  if (first.slow.length === 0) return;
  console.log(`monkey seed ${SEED} on ${name}: tasks over ${LONG_TASK_MS} ms at ${JSON.stringify(first.slow)}; running the seed again`);
  const again = await monkeyRun(base, hash, actions, name, protocols);
  const recurred = again.slow.filter((t) => first.slow.some((f) => f.action === t.action));
  assert.deepEqual(recurred, [], `tasks over ${LONG_TASK_MS} ms at the same actions in two runs of seed ${SEED}: first ${JSON.stringify(first.slow)}, then ${JSON.stringify(again.slow)}; reproduce with MONKEY_SEED=${SEED} MONKEY_ACTIONS=${actions}`);
}

async function monkeyRun(base, hash, actions, name, protocols) {
  const page = await openAt(browser, base, hash, 500_000);
  // The last actions, as the page reports them, in case the page is lost.
  const recent = [];
  page.on('console', (m) => {
    if (m.type() === 'debug' && m.text().startsWith('monkey ')) {
      recent.push(m.text().slice(7));
      if (recent.length > 40) recent.shift();
    }
  });
  const result = await page.evaluate(monkey, [SEED, actions, LONG_TASK_MS, protocols]).catch((e) => {
    throw new Error(`${e.message}; seed ${SEED}; last actions:\n${recent.join('\n')}`);
  });
  await screenshot(page, name);
  const context = `seed ${SEED}; reproduce with MONKEY_SEED=${SEED} MONKEY_ACTIONS=${actions}; last actions:\n${result.log.join('\n')}`;
  assert.equal(result.failed, null, `${result.failed}; ${context}`);
  assert.deepEqual(page.errors, [], context);
  assert.equal(await page.locator('#panic-banner').count(), 0, `a panic; ${context}`);
  console.log(`monkey seed ${SEED} on ${name}: ${actions} actions, longest task ${Math.round(result.longest)} ms`);
  if (process.env.MONKEY_VERBOSE) console.log(result.top.join('\n'));
  await page.close();
  return result;
}

test(`the monkey: ${ACTIONS} seeded random UI actions (seed ${SEED}) find no panic, console error or long task`, async () => {
  await monkeyOn(server.url, 'seed=3', ACTIONS, 'monkey-end', ['raft', 'gossip']);
});

// The store's page (its own wasm), with a third as many actions.
test(`the monkey on the store view: ${Math.round(ACTIONS / 3)} seeded random UI actions find no panic, console error or long task`, async () => {
  await monkeyOn(server.url, 'preset=store-siblings', Math.round(ACTIONS / 3), 'monkey-store-end', []);
});
