// Public reads as GET with persisted-query hashes (issue 28): signed out, the SPA's
// role page and GraphiQL's queries go out as GET naming the document by its SHA-256
// (APQ over GET), so the server's ETag and `Cache-Control: public` reach the browser
// and any shared cache; the text follows once when the server does not know the hash.
// Mutations stay POST.
//
// Build the app first: cd examples/spa && npm ci && npm run build

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

import {
  launchBrowser,
  newPage as harnessPage,
  startServer,
  takePageErrors,
  waitForText,
  watchPageErrors,
} from './harness.mjs';

const SLUG = 'backend-developer';

let server;
let browser;

before(async () => {
  // max-age 0: the browser keeps the answer but revalidates it at every use, so
  // the second visit shows the conditional request and its 304.
  server = await startServer({
    spa: true,
    args: ['--http-cache-max-age-secs', '0', '--http-cache-swr-secs', '0'],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach(() => {
  assert.deepEqual(takePageErrors(), [], 'uncaught errors in the app');
});

/** Every request the page makes to /graphql, with its response once it has one. */
function recordGraphql(page) {
  const seen = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.pathname === '/graphql') seen.push({ request: response.request(), response, url });
  });
  return seen;
}

function persistedHash(url) {
  const extensions = url.searchParams.get('extensions');
  return extensions ? JSON.parse(extensions).persistedQuery?.sha256Hash : undefined;
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

test("signed out, the role page's read is a GET by hash with an ETag, revalidated with 304; a mutation is a POST", async () => {
  const context = await browser.newContext();
  const page = watchPageErrors(await harnessPage(browser, context));
  const seen = recordGraphql(page);
  await page.goto(`${server.url}/roles/${SLUG}`);
  await waitForText(page.getByTestId('role-title'), 'Backend Developer', 10_000);

  const reads = seen.filter((r) => r.url.searchParams.get('operationName') === 'RolePage');
  assert.ok(reads.length > 0, `the role page's read went out as GET; saw ${seen.map((r) => r.request.method())}`);
  assert.ok(reads.every((r) => r.request.method() === 'GET'));
  assert.ok(
    !seen.some((r) => r.request.method() === 'POST' && (r.request.postData() ?? '').includes('RolePage')),
    'no POST of the role page',
  );
  const hash = persistedHash(reads[0].url);
  assert.match(hash ?? '', /^[0-9a-f]{64}$/, 'extensions carry the persisted-query hash');
  assert.ok(reads.every((r) => persistedHash(r.url) === hash), 'the inline prefetch and urql name the same hash');
  // A fresh server does not know the hash: the text follows once, and hashes to it.
  const withText = reads.find((r) => r.url.searchParams.has('query'));
  assert.ok(withText, 'the text was sent once after the miss');
  assert.equal(sha256(withText.url.searchParams.get('query')), hash);
  const answered = reads.find((r) => r.response.status() === 200 && r.response.headers().etag);
  assert.ok(answered, 'an answer with an ETag');
  assert.match(answered.response.headers()['cache-control'], /^public, max-age=0/);
  const etag = answered.response.headers().etag;

  // The second visit: the server knows the hash, so the read is the hash alone, and
  // the browser's copy is revalidated with If-None-Match (304).
  seen.length = 0;
  const again = watchPageErrors(await harnessPage(browser, context));
  const seenAgain = recordGraphql(again);
  await again.goto(`${server.url}/roles/${SLUG}`);
  await waitForText(again.getByTestId('role-title'), 'Backend Developer', 10_000);
  const second = seenAgain.filter((r) => r.url.searchParams.get('operationName') === 'RolePage');
  assert.ok(second.length > 0 && second.every((r) => r.request.method() === 'GET' && !r.url.searchParams.has('query')));
  const revalidated = [];
  for (const r of second) {
    const headers = await r.request.allHeaders();
    if (headers['if-none-match']) revalidated.push({ status: r.response.status(), tag: headers['if-none-match'] });
  }
  assert.ok(revalidated.length > 0, 'the browser revalidated its copy');
  assert.ok(revalidated.every((r) => r.status === 304), JSON.stringify(revalidated));
  // The same URL outside the browser: the tag it was sent matches, so 304 again.
  const direct = await fetch(second[0].url, { headers: { 'if-none-match': etag, accept: answered.request.headers().accept } });
  assert.equal(direct.status, 304);

  // A mutation made by the app while signed out is a POST, with nothing in the URL.
  await again.goto(`${server.url}/signup`);
  await again.getByTestId('signup-name').fill('Ada');
  await again.getByTestId('signup-email').fill(`http-cache-${process.pid}-${Date.now()}@example.com`);
  await again.getByTestId('signup-password').fill('short');
  const [register] = await Promise.all([
    again.waitForRequest((r) => new URL(r.url()).pathname === '/graphql' && (r.postData() ?? '').includes('register(')),
    again.getByTestId('signup-submit').click(),
  ]);
  assert.equal(register.method(), 'POST');
  assert.equal(new URL(register.url()).search, '');
  await context.close();
});

test('GraphiQL sends a signed-out query as a GET by hash; with an Authorization header, a POST', async () => {
  const page = watchPageErrors(await harnessPage(browser));
  const seen = recordGraphql(page);
  await page.goto(`${server.url}/graphiql`);
  const editor = '.graphiql-query-editor .CodeMirror';
  await page.waitForSelector(editor, { timeout: 20_000 });
  const run = async () => {
    await page.click(`${editor} >> .CodeMirror-lines`);
    await page.keyboard.press('Control+Enter');
  };
  const rolePage = (r) => r.url.searchParams.get('operationName') === 'RolePage'
    || (r.request.postData() ?? '').includes('"operationName":"RolePage"');

  await run();
  await page.waitForFunction(() => document.body.innerText.includes('£62,000'), null, { timeout: 10_000 });
  const reads = seen.filter(rolePage);
  assert.ok(reads.length > 0 && reads.every((r) => r.request.method() === 'GET'), reads.map((r) => r.request.method()).join());
  const hash = persistedHash(reads[0].url);
  assert.match(hash ?? '', /^[0-9a-f]{64}$/);
  const answered = reads.find((r) => r.response.status() === 200 && r.response.headers().etag);
  assert.ok(answered, 'answered with an ETag');
  assert.match(answered.response.headers()['cache-control'], /^public/);

  // With a header in the Headers tab the server treats the request as private: POST.
  seen.length = 0;
  await page.getByRole('button', { name: 'Headers' }).click();
  await page.click('.graphiql-editor-tool .CodeMirror >> nth=-1 >> .CodeMirror-lines');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('{"Authorization": "Bearer not-a-token"}');
  await run();
  await page.waitForTimeout(0);
  const signed = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no request with the header')), 10_000);
    const check = () => {
      const found = seen.find(rolePage);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      } else setTimeout(check, 50);
    };
    check();
  });
  assert.equal(signed.request.method(), 'POST');
  await page.context().close();
});
