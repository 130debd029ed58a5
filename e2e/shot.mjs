// Screenshots for looking at the UI, opened at a simulated instant:
//   node e2e/shot.mjs '<fragment>' out.png [width height] [--dark] [--menu N] [--link A-B] [--key K] [--click SELECTOR]
// e.g. node e2e/shot.mjs 'preset=witness-2-plus-1&t=2500000' out.png 1280 800 --dark --menu 2
import { serveDist, launch, frames } from './harness.mjs';

const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args.splice(i, 2)[1] ?? true; };
const dark = args.includes('--dark') && args.splice(args.indexOf('--dark'), 1);
const menu = flag('--menu');
const key = flag('--key');
const click = flag('--click');
const [fragment, out, w = '1280', h = '800'] = args;
const server = await serveDist();
const browser = await launch();
const context = await browser.newContext({ viewport: { width: Number(w), height: Number(h) }, colorScheme: dark ? 'dark' : 'light' });
const page = await context.newPage();
await page.goto(`${server.url}#${fragment}`);
const at = /(?:^|&)t=(\d+)/.exec(fragment)?.[1];
if (at !== undefined) {
  await page.waitForFunction((us) => [...document.querySelectorAll('#sim-time, #swarm-canvas, #compare-time')]
    .some((e) => Number(e.dataset.us) === us), Number(at), { timeout: 120000 });
}
if (menu !== undefined) await page.locator(`.node[data-node="${menu}"]`).click();
if (key !== undefined) await page.keyboard.press(key);
if (click !== undefined) await page.click(click);
await frames(page);
await page.screenshot({ path: out, fullPage: Boolean(process.env.FULL) });
await browser.close();
await server.close();
