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

/** Each IDE: its page, its query editor, and how to put a header in its headers editor. */
const IDES = {
  GraphiQL: {
    path: '/graphiql',
    queryEditor: '.graphiql-query-editor .CodeMirror',
    headersTab: (page) => page.getByRole('button', { name: 'Headers' }),
    headersEditor: '.graphiql-editor-tool .CodeMirror >> nth=-1',
  },
  'GraphQL Playground': {
    path: '/playground',
    // Playground's class names are generated; its query editor is the first one.
    queryEditor: '.graphiql-wrapper .CodeMirror >> nth=0',
    headersTab: (page) => page.getByText('HTTP HEADERS'),
    // The panel's one editor (query, then this one, then the read-only result).
    headersEditor: '.graphiql-wrapper .CodeMirror >> nth=1',
  },
};

for (const [name, ide] of Object.entries(IDES)) {
  test(`${name} sends a signed-out query as a GET by hash; with an Authorization header, a POST`, async () => {
    const page = watchPageErrors(await harnessPage(browser));
    const seen = recordGraphql(page);
    await page.goto(`${server.url}${ide.path}`);
    await page.waitForSelector(ide.queryEditor, { timeout: 20_000 });
    const run = async () => {
      await page.click(`${ide.queryEditor} >> .CodeMirror-lines`);
      await page.keyboard.press('Control+Enter');
    };
    const rolePage = (r) => r.url.searchParams.get('operationName') === 'RolePage'
      || (r.request.postData() ?? '').includes('"operationName":"RolePage"');

    await run();
    // The page can show the answer before this side has heard of its response.
    const answered = () => seen.filter(rolePage).find((r) => r.response.status() === 200 && r.response.headers().etag);
    await eventually(async () => Boolean(answered()), { timeout: 15_000 }).catch(() => {});
    const reads = seen.filter(rolePage);
    assert.ok(reads.length > 0 && reads.every((r) => r.request.method() === 'GET'), reads.map((r) => r.request.method()).join());
    assert.match(persistedHash(reads[0].url) ?? '', /^[0-9a-f]{64}$/);
    assert.ok(answered(), `answered with an ETag; got ${reads.map((r) => `${r.request.method()} ${r.response.status()}`)}`);
    assert.match(answered().response.headers()['cache-control'], /^public/);

    // With Authorization in the headers editor the request is private to the server: a POST.
    seen.length = 0;
    await ide.headersTab(page).click();
    await page.click(`${ide.headersEditor} >> .CodeMirror-lines`);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('{"Authorization": "Bearer not-a-token"}');
    await run();
    await eventually(async () => seen.some(rolePage), { timeout: 10_000 });
    assert.deepEqual(seen.filter(rolePage).map((r) => r.request.method()), ['POST']);
    await page.context().close();
  });
}
