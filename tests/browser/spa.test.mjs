// The example SPA (examples/spa, built to examples/spa/dist) in headless Chromium,
// served by the real server binary on one origin with the API.
//
// Build the app first: cd examples/spa && npm ci && npm run build

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';

import {
  eventually,
  graphql,
  launchBrowser,
  newPage as harnessPage,
  screenshot as harnessScreenshot,
  startServer,
} from './harness.mjs';

const SLUG = 'backend-developer';
const PASSWORD = 'correct horse battery staple';
/** How long a change in one tab may take to show in another. */
const LIVE_TIMEOUT_MS = 3_000;

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

/** Uncaught errors of every page, checked after each test. */
const pageErrors = [];

afterEach(() => {
  const errors = pageErrors.splice(0);
  assert.deepEqual(errors, [], 'uncaught errors in the app');
});

async function newPage(...args) {
  const page = await harnessPage(...args);
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message || error}`));
  return page;
}

/** A full-page screenshot from the top (the editor's feedback panel is sticky). */
async function screenshot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await harnessScreenshot(page, name);
}

let accounts = 0;
function uniqueEmail() {
  accounts += 1;
  return `spa-${process.pid}-${Date.now()}-${accounts}@example.com`;
}

/** Words as the server counts them: whitespace-separated, holding a letter or digit. */
function countWords(...texts) {
  return texts
    .join(' ')
    .split(/\s+/u)
    .filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

async function textOf(locator) {
  return ((await locator.textContent()) ?? '').trim();
}

/** Waits until `locator`'s text is `expected`; fails with the last text seen. */
async function waitForText(locator, expected, timeout = 5_000) {
  let seen;
  try {
    await eventually(async () => (seen = await textOf(locator)) === expected, { timeout });
  } catch {
    assert.fail(`expected text ${JSON.stringify(expected)}, still ${JSON.stringify(seen)} after ${timeout} ms`);
  }
}

/** Waits until the input or textarea `locator` holds `expected`. */
async function waitForValue(locator, expected, timeout = 5_000) {
  let seen;
  try {
    await eventually(async () => (seen = await locator.inputValue()) === expected, { timeout });
  } catch {
    assert.fail(`expected value ${JSON.stringify(expected)}, still ${JSON.stringify(seen)} after ${timeout} ms`);
  }
}

/** Signs up through the form on `page`, which must show it; returns the email. */
async function fillSignUp(page, name) {
  const email = uniqueEmail();
  await page.getByTestId('signup-name').fill(name);
  await page.getByTestId('signup-email').fill(email);
  await page.getByTestId('signup-password').fill(PASSWORD);
  await page.getByTestId('signup-submit').click();
  await waitForText(page.getByTestId('current-user'), name);
  return email;
}

/** A new browser context with a user signed up in it; returns its first page. */
async function signedInPage(name) {
  const page = await newPage(browser);
  await page.goto(`${server.url}/signup`);
  await fillSignUp(page, name);
  return page;
}

/** Opens the role page and starts a STAR answer on question `index`; returns the draft's path. */
async function startDraft(page, index = 0) {
  await page.goto(`${server.url}/roles/${SLUG}`);
  await page.getByTestId('build-star-answer').nth(index).click();
  await page.getByTestId('draft-editor').waitFor();
  await page.waitForURL(/\/drafts\/[^/]+$/);
  return new URL(page.url()).pathname;
}

/** Waits until the editor on `page` is subscribed to its draft's changes. */
async function waitLive(page) {
  await page.locator('[data-testid="draft-editor"][data-live="true"]').waitFor({ timeout: 10_000 });
}

test('the role page shows every section with the bundled figures; the list searches', async () => {
  const { data, errors } = await graphql(
    server,
    `query ($slug: String!) {
      role(slug: $slug) {
        title
        keySkills { name }
        salaryBenchmarks {
          country
          median { formatted } low { formatted } high { formatted }
          levels { level amount { formatted } }
        }
        questions { id prompt }
        prepSteps { id }
        timeline { id label tasks { id } }
        mistakes { id }
        faqs { id }
        resources { id title url }
      }
      roles(first: 10) { totalCount }
      matching: roles(first: 10, search: "backend") { totalCount }
    }`,
    { slug: SLUG },
  );
  assert.equal(errors, undefined);
  const role = data.role;

  const page = await newPage(browser);
  await page.goto(`${server.url}/roles/${SLUG}`);
  await waitForText(page.getByTestId('role-title'), role.title);

  for (const section of [
    'salary',
    'skills',
    'questions',
    'prep-steps',
    'timeline',
    'mistakes',
    'faqs',
    'resources',
  ]) {
    const locator = page.getByTestId(`section-${section}`);
    assert.ok(await locator.isVisible(), `section-${section} is shown`);
    assert.ok((await textOf(locator.locator('h2'))).length > 0, `section-${section} has a heading`);
  }

  // Salary: what the API formats, and the bundled figures themselves.
  const expected = {
    GB: { median: '£62,000', low: '£35,000', high: '£100,000', JUNIOR: '£38,000', SENIOR: '£85,000' },
    US: { median: '$125,000', low: '$75,000', high: '$180,000', JUNIOR: '$80,000', SENIOR: '$162,000' },
  };
  assert.deepEqual(role.salaryBenchmarks.map((b) => b.country).sort(), ['GB', 'US']);
  assert.equal(await page.getByTestId('salary-table').count(), role.salaryBenchmarks.length);
  for (const b of role.salaryBenchmarks) {
    const table = page.locator(`[data-testid="salary-table"][data-country="${b.country}"]`);
    const figures = expected[b.country];
    const median = await textOf(table.getByTestId('salary-median'));
    const range = await textOf(table.getByTestId('salary-range'));
    assert.equal(median, b.median.formatted);
    assert.ok(median.endsWith(figures.median), `${b.country} median ${median}`);
    assert.equal(range, `${b.low.formatted}–${b.high.formatted}`);
    assert.ok(range.includes(figures.low) && range.includes(figures.high), `${b.country} range ${range}`);
    for (const level of b.levels) {
      const shown = await textOf(table.getByTestId(`salary-level-${level.level}`));
      assert.equal(shown, level.amount.formatted);
    }
    for (const level of ['JUNIOR', 'SENIOR']) {
      const shown = await textOf(table.getByTestId(`salary-level-${level}`));
      assert.ok(shown.endsWith(figures[level]), `${b.country} ${level} ${shown}`);
    }
  }

  // Every list has as many items as the API gives.
  const skills = await page.getByTestId('section-skills').getByTestId('skill').allTextContents();
  assert.deepEqual(skills.map((s) => s.trim()), role.keySkills.map((s) => s.name));
  assert.equal(await page.getByTestId('question').count(), role.questions.length);
  assert.equal(await page.getByTestId('build-star-answer').count(), role.questions.length);
  assert.equal(await textOf(page.getByTestId('question').first().locator('.prompt')), role.questions[0].prompt);
  assert.equal(await page.getByTestId('prep-step').count(), role.prepSteps.length);
  assert.equal(await page.getByTestId('timeline-phase').count(), role.timeline.length);
  assert.equal(
    await page.getByTestId('timeline-task').count(),
    role.timeline.reduce((n, phase) => n + phase.tasks.length, 0),
  );
  assert.equal(await page.getByTestId('mistake').count(), role.mistakes.length);
  assert.equal(await page.getByTestId('faq').count(), role.faqs.length);
  assert.equal(await page.getByTestId('resource').count(), role.resources.length);
  const link = page.getByTestId('resource').first().locator('a');
  assert.equal(await link.getAttribute('href'), role.resources[0].url);
  assert.ok(role.questions.length > 0 && role.prepSteps.length > 0 && role.timeline.length > 0);
  assert.ok(role.mistakes.length > 0 && role.faqs.length > 0 && role.resources.length > 0);
  await screenshot(page, 'spa-role-page');

  // An unknown slug.
  await page.goto(`${server.url}/roles/no-such-role`);
  await page.getByTestId('role-not-found').waitFor();

  // The list, then a search that matches and one that does not.
  await page.goto(`${server.url}/`);
  await page.getByTestId('role-list').waitFor();
  await waitForText(page.getByTestId('total-count'), String(data.roles.totalCount));
  assert.equal(await page.getByTestId('role-list-item').count(), Math.min(10, data.roles.totalCount));
  await page.getByTestId('role-search').fill('backend');
  await eventually(async () => new URL(page.url()).searchParams.get('q') === 'backend');
  await waitForText(page.getByTestId('total-count'), String(data.matching.totalCount));
  assert.ok(data.matching.totalCount >= 1);
  const titles = await page.getByTestId('role-list-item').locator('h2').allTextContents();
  assert.ok(titles.includes(role.title), `search results: ${titles}`);
  await page.getByTestId('role-search').fill('no role is called this');
  await waitForText(page.getByTestId('total-count'), '0');
  assert.equal(await page.getByTestId('role-list-item').count(), 0);
  await screenshot(page, 'spa-role-search-empty');

  // Back to all roles, and into the role page from its link.
  await page.getByTestId('role-search').fill('');
  await waitForText(page.getByTestId('total-count'), String(data.roles.totalCount));
  await page.getByTestId('role-list-item').getByRole('link', { name: role.title }).click();
  await waitForText(page.getByTestId('role-title'), role.title);
  assert.equal(new URL(page.url()).pathname, `/roles/${SLUG}`);
  assert.deepEqual(page.externalRequests, []);
  await page.context().close();
});

test('sign up from "Build a STAR answer", write the answer, save: the feedback appears', async () => {
  // Anonymous: building an answer asks to sign in first, then carries on.
  const page = await newPage(browser);
  await page.goto(`${server.url}/roles/${SLUG}`);
  const question = page.getByTestId('question').nth(1);
  const prompt = await textOf(question.locator('.prompt'));
  await question.getByTestId('build-star-answer').click();
  await page.getByTestId('signin-email').waitFor();
  await page.getByRole('link', { name: 'Create an account' }).click();

  // A password that is too short is refused next to the field, by the server too.
  await page.getByTestId('signup-name').fill('Grace');
  await page.getByTestId('signup-email').fill(uniqueEmail());
  await page.getByTestId('signup-password').fill('short');
  await page.getByTestId('signup-submit').click();
  await page.getByTestId('signup-password-error').waitFor();

  await fillSignUp(page, 'Grace');
  await page.getByTestId('draft-editor').waitFor();
  assert.match(new URL(page.url()).pathname, /^\/drafts\/[^/]+$/);
  await waitForText(page.getByTestId('draft-version'), '1');
  assert.ok((await textOf(page.locator('.question-ref'))).includes(prompt));

  const answer = {
    title: 'Checkout API under peak load',
    situation:
      'Our checkout API slowed to a crawl every Black Friday, and the shop lost orders while customers waited.',
    task: 'I was asked to make the service hold five times the usual traffic before the next sale.',
    action:
      'I profiled the slowest endpoints, added the missing database indexes, put a read cache in front of the catalogue and load tested every change against recorded traffic.',
    result: 'Median latency fell by 40% and the next Black Friday passed without a single failed order.',
  };
  for (const [field, text] of Object.entries(answer)) {
    await page.getByTestId(`draft-${field}`).fill(text);
  }
  await page.getByTestId('draft-status').selectOption('READY');
  await page.getByTestId('draft-save').click();

  await waitForText(page.getByTestId('draft-version'), '2');
  const words = countWords(answer.situation, answer.task, answer.action, answer.result);
  await waitForText(page.getByTestId('feedback-word-count'), String(words));
  assert.equal(await textOf(page.getByTestId('feedback-result-quantified')), 'Yes');
  assert.equal(await textOf(page.getByTestId('feedback-missing-sections')), 'None');
  assert.equal(
    await textOf(page.getByTestId('feedback-speaking-seconds')),
    String(Math.floor((words * 60 + 75) / 150)),
  );
  assert.ok((await page.getByTestId('feedback-suggestions').isVisible()));
  assert.equal(await page.getByTestId('draft-title').inputValue(), answer.title);
  assert.equal(await page.getByTestId('draft-status').inputValue(), 'READY');
  await screenshot(page, 'spa-feedback');

  // A result without a figure is not quantified.
  await page.getByTestId('draft-result').fill('The next Black Friday passed without a failed order.');
  await page.getByTestId('draft-save').click();
  await waitForText(page.getByTestId('draft-version'), '3');
  await waitForText(page.getByTestId('feedback-result-quantified'), 'No');

  // The draft is in "My drafts" and under its question on the role page.
  await page.getByRole('link', { name: 'My drafts' }).first().click();
  await page.getByTestId('draft-list').waitFor();
  assert.equal(await page.getByTestId('draft-list-item').count(), 1);
  assert.ok((await textOf(page.getByTestId('draft-list-item'))).includes(answer.title));
  await waitForText(page.getByTestId('draft-list-version'), 'version 3');
  await page.goto(`${server.url}/roles/${SLUG}`);
  await page.getByTestId('question').nth(1).getByTestId('question-draft-link').waitFor();
  assert.deepEqual(page.externalRequests, []);
  await page.context().close();
});

test('two tabs on one draft see each other\'s saves', async () => {
  const a = await signedInPage('Tab Tester');
  const path = await startDraft(a, 0);
  const b = await newPage(browser, a.context());
  await b.goto(`${server.url}${path}`);
  // A third tab shows the drafts list.
  const list = await newPage(browser, a.context());
  await list.goto(`${server.url}/drafts`);
  await list.locator('[data-testid="live-state"][data-live="true"]').waitFor({ timeout: 10_000 });
  await waitForText(list.getByTestId('draft-list-version'), 'version 1');
  await Promise.all([waitLive(a), waitLive(b)]);
  await waitForText(b.getByTestId('draft-version'), '1');

  // A saves; B shows A's text and the new version. (A tab in the background has
  // its animation frames throttled, which slows Playwright's clicks: the tab
  // worked in comes to the front, as a person's would.)
  const fromA = 'A busy payments service kept timing out during the monthly billing run.';
  await a.bringToFront();
  await a.getByTestId('draft-situation').fill(fromA);
  await a.getByTestId('draft-save').click();
  await waitForText(a.getByTestId('draft-version'), '2');
  const seenAt = Date.now();
  await waitForValue(b.getByTestId('draft-situation'), fromA, LIVE_TIMEOUT_MS);
  await waitForText(b.getByTestId('draft-version'), '2', LIVE_TIMEOUT_MS);
  assert.ok(Date.now() - seenAt < LIVE_TIMEOUT_MS);
  await waitForText(b.getByTestId('feedback-word-count'), String(countWords(fromA)));

  // And the other way round.
  const fromB = 'Billing finished 3x faster and no invoice was late that quarter.';
  await b.bringToFront();
  await b.getByTestId('draft-result').fill(fromB);
  await b.getByTestId('draft-save').click();
  await waitForText(b.getByTestId('draft-version'), '3');
  await waitForValue(a.getByTestId('draft-result'), fromB, LIVE_TIMEOUT_MS);
  await waitForText(a.getByTestId('draft-version'), '3', LIVE_TIMEOUT_MS);
  assert.equal(await a.getByTestId('draft-situation').inputValue(), fromA);
  await waitForText(a.getByTestId('feedback-result-quantified'), 'Yes');
  assert.equal(await a.getByTestId('remote-change-notice').count(), 0);
  await waitForText(list.getByTestId('draft-list-version'), 'version 3', LIVE_TIMEOUT_MS);
  await screenshot(b, 'spa-live-second-tab');
  await a.context().close();
});

test('a stale save shows the conflict and reloads the latest version', async () => {
  const a = await signedInPage('Conflict Tester');
  const path = await startDraft(a, 2);
  const b = await newPage(browser, a.context());
  await b.goto(`${server.url}${path}`);
  await Promise.all([waitLive(a), waitLive(b)]);

  // A starts editing; B saves first.
  const fromA = 'Text typed in tab A that was never saved.';
  const fromB = 'The schema had to model contracts, amendments and their history.';
  await a.bringToFront();
  await a.getByTestId('draft-situation').fill(fromA);
  await b.bringToFront();
  await b.getByTestId('draft-situation').fill(fromB);
  await b.getByTestId('draft-save').click();
  await waitForText(b.getByTestId('draft-version'), '2');

  // A keeps its edits, is told of the newer version, and its save is refused.
  await a.bringToFront();
  await a.getByTestId('remote-change-notice').waitFor({ timeout: LIVE_TIMEOUT_MS });
  assert.ok((await textOf(a.getByTestId('remote-change-notice'))).includes('version 2'));
  assert.equal(await a.getByTestId('draft-situation').inputValue(), fromA);
  await waitForText(a.getByTestId('draft-version'), '1');
  await a.getByTestId('draft-save').click();
  const banner = a.getByTestId('version-conflict');
  await banner.waitFor();
  const said = await textOf(banner);
  assert.ok(said.includes('your version 1 is out of date'), said);
  assert.ok(said.includes('current is 2'), said);
  assert.equal(await a.getByTestId('draft-situation').inputValue(), fromA);
  await screenshot(a, 'spa-conflict');

  // Reload latest: B's text and version, A's text kept aside.
  await a.getByTestId('reload-latest').click();
  await waitForValue(a.getByTestId('draft-situation'), fromB);
  await waitForText(a.getByTestId('draft-version'), '2');
  assert.equal(await banner.count(), 0);
  assert.ok((await textOf(a.getByTestId('replaced-text'))).includes(fromA));

  // Saving again now succeeds, and B sees it.
  const task = 'I owned the data model and the migration plan.';
  await a.getByTestId('draft-task').fill(task);
  await a.getByTestId('draft-save').click();
  await waitForText(a.getByTestId('draft-version'), '3');
  assert.equal(await a.getByTestId('version-conflict').count(), 0);
  assert.equal(await a.getByTestId('save-error').count(), 0);
  await waitForValue(b.getByTestId('draft-task'), task, LIVE_TIMEOUT_MS);
  await waitForText(b.getByTestId('draft-version'), '3', LIVE_TIMEOUT_MS);
  await screenshot(a, 'spa-conflict-resolved');
  await a.context().close();
});

test('a revoked session is dropped and the visitor is asked to sign in again', async () => {
  const page = await signedInPage('Revoked');
  const token = await page.evaluate(() => localStorage.getItem('prep.token'));
  assert.ok(token, 'the session token is kept in localStorage');

  // The session ends elsewhere (signed out on another device).
  const { data } = await graphql(server, 'mutation { logout }', {}, token);
  assert.equal(data.logout, true);

  await page.goto(`${server.url}/drafts`);
  await page.getByTestId('signin-email').waitFor();
  const url = new URL(page.url());
  assert.equal(url.pathname, '/signin');
  assert.equal(url.searchParams.get('next'), '/drafts');
  assert.ok((await textOf(page.locator('.alert-info'))).includes('session has ended'));
  assert.equal(await page.evaluate(() => localStorage.getItem('prep.token')), null);
  assert.equal(await page.getByTestId('current-user').count(), 0);
  await page.context().close();
});
