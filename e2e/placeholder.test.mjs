import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, screenshot } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('the page runs a 5-node Raft in wasm and shows its leader and term', async () => {
  const page = await openPage(browser, server.url);
  const status = page.locator('#status');
  await status.waitFor();
  assert.match(await status.textContent(), /^leader n\d, term \d+$/);
  await screenshot(page, 'placeholder');
  assert.deepEqual(page.errors, []);
});
