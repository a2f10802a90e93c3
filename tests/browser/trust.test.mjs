// Issue 26, "the web app a candidate trusts": each defect an outside walk
// through the app found, as a test that failed before its fix. Most run with
// the phone profile (390x844, 4x CPU, Fast 3G; see `PHONE` in harness.mjs),
// where the defects showed worst.
//
// Build the app first: cd examples/spa && npm ci && npm run build

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';

import {
  eventually,
  graphql,
  launchBrowser,
  newPage as harnessPage,
  newPhonePage,
  startServer,
  takePageErrors,
  textOf,
  waitForText,
  watchForFlashes,
  watchPageErrors,
} from './harness.mjs';

const SLUG = 'backend-developer';
const PASSWORD = 'correct horse battery staple';
/** Saves on the phone profile cross Fast 3G twice (the save and its answer). */
const SAVE_TIMEOUT_MS = 15_000;

let server;
let browser;

before(async () => {
  server = await startServer({ spa: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach(() => {
  assert.deepEqual(takePageErrors(), [], 'uncaught errors in the app');
});

let accounts = 0;

/** A new account, made through the API; returns its token. */
async function register(name = 'Trusting Candidate') {
  accounts += 1;
  const { data, errors } = await graphql(
    server,
    'mutation ($input: RegisterInput!) { register(input: $input) { token } }',
    {
      input: {
        email: `trust-${process.pid}-${Date.now()}-${accounts}@example.com`,
        password: PASSWORD,
        displayName: name,
      },
    },
  );
  assert.equal(errors, undefined, JSON.stringify(errors));
  return data.register.token;
}

/** The script that signs a new context in with `token` before the app starts. */
const signIn = (token) => `localStorage.setItem('prep.token', ${JSON.stringify(token)});`;

/**
 * A signed-in page: on the phone profile unless `desktop`, recording every
 * element with one of `flashes` (test IDs) that appears even for a moment.
 */
async function candidatePage({ desktop = false, flashes = [], token } = {}) {
  token ??= await register();
  const init = `${signIn(token)}\n${watchForFlashes(flashes)}`;
  let page;
  if (desktop) {
    page = await harnessPage(browser);
    await page.context().addInitScript(init);
  } else {
    page = await newPhonePage(browser, { init });
  }
  page.token = token;
  return watchPageErrors(page);
}

/** A GraphQL request as the page's candidate; fails on errors. */
async function api(page, query, variables = {}) {
  const { data, errors } = await graphql(server, query, variables, page.token);
  assert.equal(errors, undefined, JSON.stringify(errors));
  return data;
}

/** The test IDs of `watchForFlashes` that appeared on `page` so far. */
const flashed = (page) => page.evaluate(() => window.__seen ?? []);

/** Waits until the editor shows `version` saved. */
async function waitSaved(page, version) {
  await waitForText(page.getByTestId('draft-version'), String(version), SAVE_TIMEOUT_MS);
  await waitForText(page.getByTestId('save-state'), 'Saved', SAVE_TIMEOUT_MS);
}

test('1. autosave never rewrites the field being typed in, and its own save is not news', async () => {
  const page = await candidatePage({ flashes: ['remote-change-notice'] });
  const { createStarDraft: draft } = await api(page, 'mutation { createStarDraft(input: {}) { id } }');
  await page.goto(`${server.url}/drafts/${encodeURIComponent(draft.id)}`);
  const title = page.getByTestId('draft-title');
  await title.click();
  await title.pressSequentially('Checkout API ');
  // The pause autosaves (the server trims the title it stores).
  await waitSaved(page, 2);
  await title.pressSequentially('at peak');
  await waitSaved(page, 3);
  assert.equal(await title.inputValue(), 'Checkout API at peak');
  const { starDraft } = await api(page, 'query ($id: ID!) { starDraft(id: $id) { title } }', { id: draft.id });
  assert.equal(starDraft.title, 'Checkout API at peak');
  assert.deepEqual(await flashed(page), [], 'a banner flashed while typing');
});
