// Measures what a first visit to a role page costs on a throttled phone profile:
// bytes over the wire and the time until the role's title is on screen.
// Not a test (its numbers depend on the machine); run by hand:
//
//   [PREP_SERVER_BIN=<binary>] node measure-load.mjs [runs] [spa-dir]
//
// The profile: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up, the CPU 4x slower,
// a 390x844 window, no cache. Defaults: 5 runs, examples/spa/dist, target/debug/prep-graphql.
// `transferred` counts bytes on the wire (headers and bodies as sent).

import { join } from 'node:path';

import { ROOT, launchBrowser, newPage, startServer } from './harness.mjs';

const runs = Number(process.argv[2] ?? 5);
const spaDir = process.argv[3] ?? join(ROOT, 'examples/spa/dist');

const server = await startServer({ args: ['--spa-dir', spaDir] });
const browser = await launchBrowser();

async function visit(path, ready) {
  const page = await newPage(browser, undefined, { viewport: { width: 390, height: 844 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (event) => (bytes += event.encodedDataLength));
  const start = Date.now();
  await page.goto(`${server.url}${path}`, { waitUntil: 'commit' });
  await page.locator(ready).waitFor({ timeout: 60_000 });
  const ms = Date.now() - start;
  await page.waitForLoadState('networkidle');
  await page.context().close();
  return { ms, bytes };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [path, ready] of [
  ['/roles/backend-developer', '[data-testid="role-title"]'],
  ['/playground', '.graphiql-wrapper .CodeMirror >> nth=0'],
  ['/graphiql', '.graphiql-query-editor .CodeMirror >> nth=0'],
]) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await visit(path, ready));
  console.log(
    `${path}: content after ${median(results.map((r) => r.ms))} ms (median of ${runs}; ` +
      `${results.map((r) => r.ms).join(', ')}), ${(median(results.map((r) => r.bytes)) / 1024).toFixed(1)} KiB transferred`,
  );
}
await browser.close();
await server.stop();
