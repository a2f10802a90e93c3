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
  eventually,
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
  // max-age 0: nothing is answered from the browser's cache without asking.
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

/** Opens the role page in a new page of `context`; returns the /graphql traffic it made. */
async function visitRolePage(context) {
  const page = watchPageErrors(await harnessPage(browser, context));
  const seen = recordGraphql(page);
  await page.goto(`${server.url}/roles/${SLUG}`);
  await waitForText(page.getByTestId('role-title'), 'Backend Developer', 10_000);
  const isRolePage = (r) =>
    r.url.searchParams.get('operationName') === 'RolePage' || (r.request.postData() ?? '').includes('"RolePage"');
  return { page, rolePage: seen.filter(isRolePage) };
}

test("signed out, the role page's read is a GET by hash with an ETag and a 304 on revalidation; a mutation is a POST", async () => {
  const context = await browser.newContext();

  // A fresh server does not know the hash: the first read by hash misses, and the
  // text follows once with the hash (a GET too while the URL stays under 2 KB, else a POST).
  const first = await visitRolePage(context);
  const textOf = (r) =>
    r.request.method() === 'GET' ? r.url.searchParams.get('query') : JSON.parse(r.request.postData()).query;
  const hashOf = (r) =>
    r.request.method() === 'GET' ? persistedHash(r.url) : JSON.parse(r.request.postData()).extensions?.persistedQuery?.sha256Hash;
  const byHash = first.rolePage.filter((r) => r.request.method() === 'GET' && !textOf(r));
  assert.ok(byHash.length > 0, `read by hash with GET; saw ${first.rolePage.map((r) => r.request.method())}`);
  const hash = persistedHash(byHash[0].url);
  assert.match(hash ?? '', /^[0-9a-f]{64}$/, 'extensions carry the persisted-query hash');
  assert.ok(first.rolePage.every((r) => hashOf(r) === hash), 'the inline prefetch and urql name the same hash');
  const registered = first.rolePage.filter((r) => textOf(r));
  assert.equal(registered.length, 1, 'the text was sent once, after the miss');
  assert.equal(sha256(textOf(registered[0])), hash, 'the hash is the SHA-256 of the document sent');

  // Next visit: the hash alone, answered with an ETag and `Cache-Control: public`.
  const second = await visitRolePage(context);
  assert.ok(second.rolePage.length > 0);
  assert.ok(
    second.rolePage.every((r) => r.request.method() === 'GET' && persistedHash(r.url) === hash && !r.url.searchParams.has('query')),
    second.rolePage.map((r) => `${r.request.method()} ${r.url.search}`).join('\n'),
  );
  const answered = second.rolePage.find((r) => r.response.status() === 200 && r.response.headers().etag);
  assert.ok(answered, `an answer with an ETag; got ${second.rolePage.map((r) => r.response.status())}`);
  assert.match(answered.response.headers()['cache-control'], /^public, max-age=0/);
  const etag = answered.response.headers().etag;

  // Revalidation: the app's URL with the tag it was given is answered 304.
  const direct = await fetch(answered.url, { headers: { 'if-none-match': etag, accept: answered.request.headers().accept } });
  assert.equal(direct.status, 304);

  // A mutation made by the app while signed out is a POST, with nothing in the URL.
  const page = second.page;
  await page.goto(`${server.url}/signup`);
  await page.getByTestId('signup-name').fill('Ada');
  await page.getByTestId('signup-email').fill(`http-cache-${process.pid}-${Date.now()}@example.com`);
  await page.getByTestId('signup-password').fill('short');
  const [register] = await Promise.all([
    page.waitForRequest((r) => new URL(r.url()).pathname === '/graphql' && (r.postData() ?? '').includes('register(')),
    page.getByTestId('signup-submit').click(),
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
  // The page can show the answer before this side has heard of its response.
  const withTag = () => seen.filter(rolePage).find((r) => r.response.status() === 200 && r.response.headers().etag);
  await eventually(async () => Boolean(withTag()), { timeout: 10_000 }).catch(() => {});
  const answered = withTag();
  assert.ok(answered, `answered with an ETag; got ${seen.filter(rolePage).map((r) => `${r.request.method()} ${r.response.status()}`)}`);
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

test('GraphQL Playground sends a signed-out query as a GET by hash; with an Authorization header, a POST', async () => {
  const page = watchPageErrors(await harnessPage(browser));
  const seen = recordGraphql(page);
  await page.goto(`${server.url}/playground`);
  // Playground's class names are generated; its query editor is the first one.
  const editor = '.graphiql-wrapper .CodeMirror >> nth=0';
  await page.waitForSelector(editor, { timeout: 20_000 });
  const run = async () => {
    await page.click(`${editor} >> .CodeMirror-lines`);
    await page.keyboard.press('Control+Enter');
  };
  const rolePage = (r) => r.url.searchParams.get('operationName') === 'RolePage'
    || (r.request.postData() ?? '').includes('"operationName":"RolePage"');

  await run();
  const answered = () => seen.filter(rolePage).find((r) => r.response.status() === 200 && r.response.headers().etag);
  await eventually(async () => Boolean(answered()), { timeout: 15_000 }).catch(() => {});
  const reads = seen.filter(rolePage);
  assert.ok(reads.length > 0 && reads.every((r) => r.request.method() === 'GET'), reads.map((r) => r.request.method()).join());
  assert.match(persistedHash(reads[0].url) ?? '', /^[0-9a-f]{64}$/);
  assert.ok(answered(), `answered with an ETag; got ${reads.map((r) => `${r.request.method()} ${r.response.status()}`)}`);
  assert.match(answered().response.headers()['cache-control'], /^public/);

  // With Authorization in HTTP HEADERS the request is private to the server: a POST.
  seen.length = 0;
  await page.getByText('HTTP HEADERS').click();
  // The panel's one editor (query, then this one, then the read-only result).
  const headers = '.graphiql-wrapper .CodeMirror >> nth=1';
  await page.click(`${headers} >> .CodeMirror-lines`);
  await page.keyboard.press('Control+A');
  await page.keyboard.type('{"Authorization": "Bearer not-a-token"}');
  await run();
  await eventually(async () => seen.some(rolePage), { timeout: 10_000 });
  assert.deepEqual(seen.filter(rolePage).map((r) => r.request.method()), ['POST']);
  await page.context().close();
});
