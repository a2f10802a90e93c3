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
  takePageErrors,
  textOf,
  watchPageErrors,
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

afterEach(() => {
  assert.deepEqual(takePageErrors(), [], 'uncaught errors in the app');
});

/** Pages of these tests save only when told to (autosave is tested in autosave.test.mjs). */
async function newPage(browser, context) {
  const page = await harnessPage(browser, context, { autosave: false });
  return watchPageErrors(page);
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

/** Waits until `read()` gives `expected`; fails with the last `what` seen. */
async function waitForEqual(read, expected, what, timeout) {
  let seen;
  try {
    await eventually(async () => (seen = await read()) === expected, { timeout });
  } catch {
    assert.fail(`expected ${what} ${JSON.stringify(expected)}, still ${JSON.stringify(seen)} after ${timeout} ms`);
  }
}

/** Waits until `locator`'s text is `expected`. */
function waitForText(locator, expected, timeout = 5_000) {
  return waitForEqual(() => textOf(locator), expected, 'text', timeout);
}

/** Waits until the input or textarea `locator` holds `expected`. */
function waitForValue(locator, expected, timeout = 5_000) {
  return waitForEqual(() => locator.inputValue(), expected, 'value', timeout);
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


/**
 * Makes the draft that "Build a STAR answer" on question `index` of the role page
 * starts (answering it, tagged with its competencies) through the API: the
 * editor makes a draft only once something is typed, and these tests start from a
 * saved one. Opens it; returns its ID.
 */
async function makeDraftFromRolePage(page, index) {
  await page.goto(`${server.url}/roles/${SLUG}`);
  const questionId = await page.getByTestId('question').nth(index).getAttribute('data-question-id');
  const token = await page.evaluate(() => localStorage.getItem('prep.token'));
  const { data: read } = await graphql(server, `{ role(slug: "${SLUG}") { questions { id competencies { slug } } } }`);
  const question = read.role.questions.find((q) => q.id === questionId);
  const { data, errors } = await graphql(
    server,
    'mutation ($input: CreateStarDraftInput!) { createStarDraft(input: $input) { id } }',
    { input: { questionIds: [question.id], competencies: question.competencies.map((c) => c.slug) } },
    token,
  );
  assert.equal(errors, undefined, JSON.stringify(errors));
  const id = data.createStarDraft.id;
  await page.goto(`${server.url}/drafts/${encodeURIComponent(id)}`);
  await page.getByTestId('draft-editor').waitFor();
  return id;
}

/** Starts a STAR answer on question `index` of the role page; returns the draft's path. */
async function startDraft(page, index = 0) {
  return `/drafts/${encodeURIComponent(await makeDraftFromRolePage(page, index))}`;
}

/**
 * Reads the feedback suggestions of the draft open on `page` from the API, and checks
 * that its panel lists the same ones (or says there are none); returns them.
 */
async function expectSuggestions(page) {
  const token = await page.evaluate(() => localStorage.getItem('prep.token'));
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  const { data, errors } = await graphql(
    server,
    'query ($id: ID!) { starDraft(id: $id) { version feedback { suggestions { code message } } } }',
    { id },
    token,
  );
  assert.equal(errors, undefined);
  await waitForText(page.getByTestId('draft-version'), String(data.starDraft.version));
  const { suggestions } = data.starDraft.feedback;
  const items = page.getByTestId('feedback-suggestion');
  const shown = await Promise.all(
    (await items.all()).map(async (item) => ({
      code: await item.getAttribute('data-code'),
      message: await textOf(item),
    })),
  );
  assert.deepEqual(shown, suggestions);
  if (suggestions.length === 0) {
    assert.ok((await textOf(page.getByTestId('feedback-suggestions'))).startsWith('None'));
  }
  return suggestions;
}

/**
 * Waits until the editor on `page` is subscribed to its draft's changes. It subscribes
 * with the version it loaded and the server sends anything newer at once, so a save
 * made in another tab from then on reaches it.
 */
async function waitLive(page, timeout = 10_000) {
  await page.locator('[data-testid="draft-editor"][data-live="true"]').waitFor({ timeout });
}

/** Waits until the drafts list on `page` is subscribed to changes of the viewer's drafts. */
async function waitListLive(page, timeout = 10_000) {
  await page.locator('[data-testid="live-state"][data-live="true"]').waitFor({ timeout });
}

/** Saves `text` into `field` of the editor on `page` and waits for `version`. */
async function saveField(page, field, text, version) {
  await page.bringToFront();
  await page.getByTestId(`draft-${field}`).fill(text);
  await page.getByTestId('draft-save').click();
  await waitForText(page.getByTestId('draft-version'), String(version));
}

/**
 * Holds the subscription sockets of `page`: each connection the page opens reaches
 * the server only on `connect()`, and `drop()` breaks the open one, as a network
 * would. `connections[i].subscribes` are the subscribe payloads sent on connection i.
 */
async function holdSockets(page) {
  const connections = [];
  await page.routeWebSocket(
    (url) => url.pathname === '/graphql',
    (ws) => {
      const connection = { ws, server: null, held: [], subscribes: [], dropped: false };
      connections.push(connection);
      ws.onMessage((message) => {
        const parsed = JSON.parse(String(message));
        if (parsed.type === 'subscribe') connection.subscribes.push(parsed.payload);
        if (connection.server) connection.server.send(message);
        else connection.held.push(message);
      });
    },
  );
  return {
    connections,
    /** Lets the page's newest connection (waiting for it to be opened) through to the server. */
    async connect() {
      const connection = await eventually(
        () => connections.find((c) => !c.server && !c.dropped) ?? false,
        { timeout: 10_000 },
      );
      connection.server = connection.ws.connectToServer();
      for (const message of connection.held.splice(0)) connection.server.send(message);
      return connection;
    },
    /** Breaks the open connection ("service restart": the client reconnects). */
    async drop() {
      const connection = connections.find((c) => c.server && !c.dropped);
      connection.dropped = true;
      await connection.server.close({ code: 1012, reason: 'dropped by the test' });
      await connection.ws.close({ code: 1012, reason: 'dropped by the test' });
    },
  };
}

test('the role page shows every section with the bundled figures', async () => {
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
  assert.deepEqual(
    (await page.getByTestId('question-prompt').allTextContents()).map((p) => p.trim()),
    role.questions.map((q) => q.prompt),
  );
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

  assert.deepEqual(page.externalRequests, []);
  await page.context().close();
});

/** The role titles the list on `page` shows, in order. */
async function listedTitles(page) {
  return (await page.getByTestId('role-list-item').locator('h2').allTextContents()).map((t) => t.trim());
}

/** Waits until the list on `page` shows `total` roles in all, and `titles` on this page. */
async function waitForList(page, total, titles) {
  await waitForText(page.getByTestId('total-count'), String(total));
  let seen;
  try {
    await eventually(async () => JSON.stringify((seen = await listedTitles(page))) === JSON.stringify(titles));
  } catch {
    assert.fail(`expected the roles ${JSON.stringify(titles)}, still ${JSON.stringify(seen)}`);
  }
}

test('the roles list pages through 13 roles and searches them', async () => {
  // A server of its own, with 12 generated roles beside the bundled one: 13 in all,
  // so the list has two pages (10 and 3) and a search can match one, some or none.
  const many = await startServer({ spa: true, extraRoles: 12 });
  try {
    const generated = Array.from({ length: 12 }, (_, i) => `Generated Role ${String(i + 1).padStart(2, '0')}`);
    const { data, errors } = await graphql(
      many,
      `{
        roles(first: 100) { totalCount edges { node { title } } }
        bundled: role(slug: "${SLUG}") { title }
      }`,
    );
    assert.equal(errors, undefined);
    const bundled = data.bundled.title;
    // In the order they were added: the bundled role, then the generated ones.
    const all = data.roles.edges.map((e) => e.node.title);
    assert.deepEqual(all, [bundled, ...generated]);
    assert.equal(data.roles.totalCount, 13);

    const page = await newPage(browser);
    await page.goto(`${many.url}/`);
    await page.getByTestId('role-list').waitFor();

    // The first page: 10 of 13; Previous is off, Next goes to the last 3.
    await waitForList(page, 13, all.slice(0, 10));
    assert.ok(await page.getByTestId('prev-page').isDisabled());
    await page.getByTestId('next-page').click();
    await waitForList(page, 13, all.slice(10));
    assert.ok(new URL(page.url()).searchParams.get('after'), 'the page is in the URL');
    assert.ok(await page.getByTestId('next-page').isDisabled());
    await screenshot(page, 'spa-role-list-page-2');
    // Previous: the first 10 again, in the same order.
    await page.getByTestId('prev-page').click();
    await waitForList(page, 13, all.slice(0, 10));
    assert.ok(await page.getByTestId('next-page').isEnabled());

    // A search that matches one role, one that matches some, and one that matches none.
    await page.getByTestId('role-search').fill('backend');
    await eventually(async () => new URL(page.url()).searchParams.get('q') === 'backend');
    await waitForList(page, 1, [bundled]);
    assert.equal(bundled, 'Backend Developer');
    assert.ok(await page.getByTestId('next-page').isDisabled());

    await page.getByTestId('role-search').fill('generated role 1');
    await waitForList(page, 3, ['Generated Role 10', 'Generated Role 11', 'Generated Role 12']);

    await page.getByTestId('role-search').fill('GENERATED ROLE 0');
    await waitForList(page, 9, generated.slice(0, 9));

    await page.getByTestId('role-search').fill('no role is called this');
    await waitForText(page.getByTestId('total-count'), '0');
    assert.equal(await page.getByTestId('role-list-item').count(), 0);
    await page.getByTestId('role-list-empty').waitFor();
    await screenshot(page, 'spa-role-search-empty');

    // Clearing the search: all 13 again, from the first page.
    await page.getByTestId('role-search').fill('');
    await waitForList(page, 13, all.slice(0, 10));
    assert.equal(new URL(page.url()).searchParams.get('q'), null);

    // Into a role page from its link.
    await page.getByTestId('role-list-item').getByRole('link', { name: bundled }).click();
    await waitForText(page.getByTestId('role-title'), bundled);
    assert.equal(new URL(page.url()).pathname, `/roles/${SLUG}`);
    assert.deepEqual(page.externalRequests, []);
    await page.context().close();
  } finally {
    await many.stop();
  }
});

test('sign up from "Build a STAR answer", write the answer, save: the feedback appears', async () => {
  // Anonymous: building an answer asks to sign in first, then carries on.
  const page = await newPage(browser);
  await page.goto(`${server.url}/roles/${SLUG}`);
  const question = page.getByTestId('question').nth(1);
  const prompt = await textOf(question.getByTestId('question-prompt'));
  await question.getByTestId('build-star-answer').click();
  await page.getByTestId('signin-email').waitFor();
  await page.getByRole('link', { name: 'Create an account' }).click();

  // A password that is too short: the app sends it (it does not check the length
  // itself), the server refuses it, and its message shows next to the field.
  await page.getByTestId('signup-name').fill('Grace');
  await page.getByTestId('signup-email').fill(uniqueEmail());
  await page.getByTestId('signup-password').fill('short');
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/graphql' && (r.request().postData() ?? '').includes('register('),
    ),
    page.getByTestId('signup-submit').click(),
  ]);
  const refused = (await response.json()).errors?.[0];
  assert.equal(refused?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(refused));
  assert.equal(refused.extensions.field, 'password');
  const reason = refused.message.replace(/^password: /, '');
  await waitForText(page.getByTestId('signup-password-error'), `Password ${reason}`);
  assert.match(reason, /10/, 'the server says how long a password must be');

  await fillSignUp(page, 'Grace');
  await page.getByTestId('draft-editor').waitFor();
  // Nothing is made before the candidate writes (autosave is off here: the first save makes it).
  assert.equal(new URL(page.url()).pathname, '/drafts/new');
  assert.equal(await page.getByTestId('draft-version').count(), 0);
  await waitForText(page.getByTestId('question-ref'), `Answering: ${prompt} Backend Developer`);

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

  // The save makes the draft (version 1) and sets its status (2).
  await waitForText(page.getByTestId('draft-version'), '2');
  await page.waitForURL(/\/drafts\/(?!new)[^/?]+$/);
  const words = countWords(answer.situation, answer.task, answer.action, answer.result);
  await waitForText(page.getByTestId('feedback-word-count'), String(words));
  assert.equal(await textOf(page.getByTestId('feedback-result-quantified')), 'Yes');
  assert.equal(await textOf(page.getByTestId('feedback-missing-sections')), 'None');
  assert.equal(
    await textOf(page.getByTestId('feedback-speaking-seconds')),
    String(Math.floor((words * 60 + 75) / 150)),
  );
  // The suggestions are the server's, in its order; a result with a figure is not asked to have one.
  await expectSuggestions(page);
  assert.equal(await page.locator('[data-testid="feedback-suggestion"][data-code="RESULT_NOT_QUANTIFIED"]').count(), 0);
  assert.equal(await page.getByTestId('draft-title').inputValue(), answer.title);
  assert.equal(await page.getByTestId('draft-status').inputValue(), 'READY');
  await screenshot(page, 'spa-feedback');

  // A result without a figure is not quantified.
  await page.getByTestId('draft-result').fill('The next Black Friday passed without a failed order.');
  await page.getByTestId('draft-save').click();
  await waitForText(page.getByTestId('draft-version'), '3');
  await waitForText(page.getByTestId('feedback-result-quantified'), 'No');
  const suggestions = await expectSuggestions(page);
  const notQuantified = suggestions.find((s) => s.code === 'RESULT_NOT_QUANTIFIED');
  assert.ok(notQuantified, `the server suggests quantifying the result: ${JSON.stringify(suggestions)}`);
  assert.equal(
    await textOf(page.locator('[data-testid="feedback-suggestion"][data-code="RESULT_NOT_QUANTIFIED"]')),
    notQuantified.message,
  );

  // The draft is in "My drafts" and under its question on the role page.
  await page.getByRole('link', { name: 'My drafts' }).first().click();
  await page.getByTestId('draft-list').waitFor();
  assert.equal(await page.getByTestId('draft-list-item').count(), 1);
  assert.ok((await textOf(page.getByTestId('draft-list-item'))).includes(answer.title));
  await waitForEqual(() => page.getByTestId('draft-list-item').getAttribute('data-version'), '3', 'version', 5_000);
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
  await waitForEqual(() => list.getByTestId('draft-list-item').getAttribute('data-version'), '1', 'version', 5_000);
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
  await waitForValue(b.getByTestId('draft-situation'), fromA, LIVE_TIMEOUT_MS);
  await waitForText(b.getByTestId('draft-version'), '2', LIVE_TIMEOUT_MS);
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
  await waitForEqual(() => list.getByTestId('draft-list-item').getAttribute('data-version'), '3', 'version', LIVE_TIMEOUT_MS);
  await screenshot(b, 'spa-live-second-tab');
  await a.context().close();
});

test('saves made before a tab subscribed, or while its socket was down, still reach it', async () => {
  const a = await signedInPage('Catch-up Tester');
  const path = await startDraft(a, 0);
  const token = await a.evaluate(() => localStorage.getItem('prep.token'));
  const draftId = decodeURIComponent(path.split('/').pop());
  /** The draft's `updatedAt` at its current version, from the API. */
  const updatedAt = async () => {
    const { data } = await graphql(server, 'query ($id: ID!) { starDraft(id: $id) { updatedAt } }', { id: draftId }, token);
    return data.starDraft.updatedAt;
  };
  const loadedAt = await updatedAt();

  // A second editor and the drafts list, whose sockets are held: both have read
  // version 1 over HTTP, but neither is subscribed.
  const b = await newPage(browser, a.context());
  const bSockets = await holdSockets(b);
  await b.goto(`${server.url}${path}`);
  const list = await newPage(browser, a.context());
  const listSockets = await holdSockets(list);
  await list.goto(`${server.url}/drafts`);
  await waitForText(b.getByTestId('draft-version'), '1');
  await waitForEqual(() => list.getByTestId('draft-list-item').getAttribute('data-version'), '1', 'version', 5_000);
  assert.equal(await b.getByTestId('draft-editor').getAttribute('data-live'), 'false');
  assert.equal(await list.getByTestId('live-state').getAttribute('data-live'), 'false');

  // A saves version 2 in between; then the sockets reach the server.
  const v2 = 'Saved in tab A before tab B had subscribed.';
  await saveField(a, 'situation', v2, 2);
  const [bFirst, listFirst] = [await bSockets.connect(), await listSockets.connect()];
  await Promise.all([waitLive(b), waitListLive(list)]);
  // They said what they had loaded, and the server sent what came after it.
  // The editor's draft subscription (its comments panel subscribes to commentEvents too).
  const draftSubscribes = (c) => c.subscribes.filter((p) => 'knownVersion' in p.variables);
  assert.deepEqual(draftSubscribes(bFirst).map((p) => p.variables.knownVersion), [1]);
  assert.deepEqual(listFirst.subscribes.map((p) => Date.parse(p.variables.since)), [Date.parse(loadedAt)]);
  await waitForValue(b.getByTestId('draft-situation'), v2, LIVE_TIMEOUT_MS);
  await waitForText(b.getByTestId('draft-version'), '2', LIVE_TIMEOUT_MS);
  await waitForEqual(() => list.getByTestId('draft-list-item').getAttribute('data-version'), '2', 'version', LIVE_TIMEOUT_MS);

  // Live as usual: version 3.
  const v3 = 'I was asked to stop the timeouts before the next billing run.';
  await saveField(a, 'task', v3, 3);
  await waitForValue(b.getByTestId('draft-task'), v3, LIVE_TIMEOUT_MS);
  await waitForText(b.getByTestId('draft-version'), '3', LIVE_TIMEOUT_MS);
  await waitForEqual(() => list.getByTestId('draft-list-item').getAttribute('data-version'), '3', 'version', LIVE_TIMEOUT_MS);
  const v3At = await updatedAt();

  // Both sockets drop; A saves version 4 while they are down.
  await bSockets.drop();
  await listSockets.drop();
  await b.locator('[data-testid="draft-editor"][data-live="false"]').waitFor();
  await list.locator('[data-testid="live-state"][data-live="false"]').waitFor();
  const v4 = 'I moved the billing run onto a queue with bounded concurrency.';
  await saveField(a, 'action', v4, 4);

  // They reconnect (graphql-ws waits a second or more first) and subscribe again,
  // from what they knew by then (version 3), not from what they started with.
  const [bSecond, listSecond] = [await bSockets.connect(), await listSockets.connect()];
  await Promise.all([waitLive(b), waitListLive(list)]);
  assert.deepEqual(draftSubscribes(bSecond).map((p) => p.variables.knownVersion), [3]);
  assert.deepEqual(listSecond.subscribes.map((p) => Date.parse(p.variables.since)), [Date.parse(v3At)]);
  await waitForValue(b.getByTestId('draft-action'), v4, LIVE_TIMEOUT_MS);
  await waitForText(b.getByTestId('draft-version'), '4', LIVE_TIMEOUT_MS);
  await waitForEqual(() => list.getByTestId('draft-list-item').getAttribute('data-version'), '4', 'version', LIVE_TIMEOUT_MS);
  assert.equal(await b.getByTestId('draft-situation').inputValue(), v2);
  assert.equal(await b.getByTestId('draft-task').inputValue(), v3);
  assert.equal(await b.getByTestId('remote-change-notice').count(), 0);
  assert.equal(bSockets.connections.length, 2);
  await a.context().close();
});

test('undone edits show a newer version at once; a tab\'s own save heard live is not news', async () => {
  const a = await signedInPage('Undo Tester');
  const path = await startDraft(a, 1);
  const b = await newPage(browser, a.context());
  await b.goto(`${server.url}${path}`);
  await Promise.all([waitLive(a), waitLive(b)]);
  const original = await a.getByTestId('draft-situation').inputValue();

  // A has unsaved edits when B saves: A keeps them and is told of version 2.
  await a.bringToFront();
  await a.getByTestId('draft-situation').fill('An edit tab A will take back.');
  const fromB = 'Our nightly import kept failing on malformed supplier files.';
  await saveField(b, 'situation', fromB, 2);
  await a.bringToFront();
  await a.getByTestId('remote-change-notice').waitFor({ timeout: LIVE_TIMEOUT_MS });
  // A takes the edit back: nothing unsaved is left, so version 2 shows at once.
  await a.getByTestId('draft-situation').fill(original);
  await waitForValue(a.getByTestId('draft-situation'), fromB);
  await waitForText(a.getByTestId('draft-version'), '2');
  assert.equal(await a.getByTestId('remote-change-notice').count(), 0);
  assert.equal(await textOf(a.getByTestId('save-state')), 'Saved');

  // A saves and goes on typing; the answer to the save is held back until A has heard
  // its own save live, so the event comes first. It is not a change from elsewhere.
  let answer;
  const answered = new Promise((resolve) => (answer = resolve));
  await a.route(
    (url) => url.pathname === '/graphql',
    async (route) => {
      if (!(route.request().postData() ?? '').includes('updateStarDraft(')) return route.fallback();
      const response = await route.fetch();
      await answered;
      return route.fulfill({ response });
    },
  );
  const saved = 'I wrote a validator that rejected bad rows and reported them to the supplier.';
  const typedOn = `${saved} Then I added a nightly summary.`;
  await a.getByTestId('draft-task').fill(saved);
  await a.getByTestId('draft-save').click();
  await waitForText(a.getByTestId('save-state'), 'Saving…');
  await a.getByTestId('draft-task').fill(typedOn);
  // B hears version 3; so does A (its version moves on before the answer arrives).
  await waitForValue(b.getByTestId('draft-task'), saved, LIVE_TIMEOUT_MS);
  await waitForText(a.getByTestId('draft-version'), '3', LIVE_TIMEOUT_MS);
  assert.equal(await textOf(a.getByTestId('save-state')), 'Saving…');
  assert.equal(await a.getByTestId('remote-change-notice').count(), 0);
  assert.equal(await a.getByTestId('draft-task').inputValue(), typedOn);
  answer();
  await waitForText(a.getByTestId('save-state'), 'Unsaved changes');
  assert.equal(await a.getByTestId('remote-change-notice').count(), 0);
  assert.equal(await a.getByTestId('draft-task').inputValue(), typedOn);
  await waitForText(a.getByTestId('draft-version'), '3');
  await a.unrouteAll({ behavior: 'wait' });

  // The rest saves on version 3.
  await a.getByTestId('draft-save').click();
  await waitForText(a.getByTestId('draft-version'), '4');
  await waitForValue(b.getByTestId('draft-task'), typedOn, LIVE_TIMEOUT_MS);
  assert.equal(await a.getByTestId('version-conflict').count(), 0);
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
  assert.ok((await textOf(a.getByTestId('remote-change-notice'))).includes('Changed in another tab/device'));
  assert.equal(await a.getByTestId('draft-situation').inputValue(), fromA);
  await waitForText(a.getByTestId('draft-version'), '1');
  await a.getByTestId('draft-save').click();
  const banner = a.getByTestId('version-conflict');
  await banner.waitFor();
  const said = await textOf(banner);
  assert.ok(said.includes('changed in another tab or device'), said);
  assert.ok(!/version \d/i.test(said), `no version numbers: ${said}`);
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
  const reasonShown = page.getByTestId('signin-reason');
  assert.equal(await reasonShown.getAttribute('data-reason'), 'expired');
  assert.ok((await textOf(reasonShown)).includes('session has ended'));
  assert.equal(await page.evaluate(() => localStorage.getItem('prep.token')), null);
  assert.equal(await page.getByTestId('current-user').count(), 0);
  await page.context().close();
});
