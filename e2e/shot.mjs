// Ad-hoc screenshots for looking at the UI: node e2e/shot.mjs preset at_us out.png [width height]
import { serveDist, launch, openPage } from './harness.mjs';
const [preset, at, out, w = '1280', h = '800', select] = process.argv.slice(2);
const server = await serveDist();
const browser = await launch();
const page = await openPage(browser, server.url, { width: Number(w), height: Number(h) });
await page.waitForSelector('#preset');
if (preset !== '-') await page.selectOption('#preset', preset);
for (let i = 0; i < 14; i++) await page.keyboard.press(']');
const speed = process.env.SPEED;
if (speed !== undefined) await page.evaluate((x) => { const s = document.querySelector('#speed'); s.value = String(x); s.dispatchEvent(new Event('input', { bubbles: true })); }, speed);
if ((await page.textContent('#play')).includes('Play')) await page.keyboard.press('Space');
await page.waitForFunction((us) => Number(document.querySelector('#sim-time').dataset.us) >= us, Number(at), { timeout: 120000 });
await page.keyboard.press('Space');
await page.waitForTimeout(400);
if (select) { await page.locator(`.node[data-node="${select}"]`).click(); await page.keyboard.press('Escape'); }
await page.waitForTimeout(200);
await page.screenshot({ path: out, fullPage: true });
await browser.close(); await server.close();
