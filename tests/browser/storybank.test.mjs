// The story bank in the example SPA: tagging a story with competencies, linking it
// to questions, the story bank page, the coverage grid on a role page (a gap, then
// covered once a story is READY) and a gap turning green live in another tab.
//
// Build the app first: cd examples/spa && npm ci && npm run build

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';

import {
  eventually,
  graphql,
  launchBrowser,
  newPage as harnessPage,
  screenshot,
  startServer,
  takePageErrors,
  textOf,
  waitForText,
  watchPageErrors,
} from './harness.mjs';

const SLUG = 'backend-developer';
const PASSWORD = 'correct horse battery staple';
/** How long a change in one tab may take to show in another. */
const LIVE_TIMEOUT_MS = 3_000;
const SECURITY_PROMPT = 'Share a security flaw you discovered in backend code and how you fixed it.';
const INCIDENT_PROMPT = 'Describe a production incident you tracked down and fixed while the pressure was on.';
/** The seven themes of the bundled role, in its order. */
const THEMES = ['Leadership', 'Conflict', 'Achievement', 'Failure', 'Adaptability', 'Teamwork', 'Innovation'];

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

async function textsOf(locator) {
  return Promise.all((await locator.all()).map(textOf));
}

let accounts = 0;

/** A new browser context with a user signed up in it; returns its first page. */
async function signedInPage(name) {
  accounts += 1;
  const page = await newPage(browser);
  await page.goto(`${server.url}/signup`);
  await page.getByTestId('signup-name').fill(name);
  await page.getByTestId('signup-email').fill(`storybank-${process.pid}-${Date.now()}-${accounts}@example.com`);
  await page.getByTestId('signup-password').fill(PASSWORD);
  await page.getByTestId('signup-submit').click();
  await waitForText(page.getByTestId('current-user'), name);
  return page;
}

async function token(page) {
  return page.evaluate(() => localStorage.getItem('prep.token'));
}

/** The draft as the API has it. */
async function fetchDraft(page, id) {
  const { data, errors } = await graphql(
    server,
    'query ($id: ID!) { starDraft(id: $id) { version status competencies { slug } questions { prompt role { slug } } } }',
    { id },
    await token(page),
  );
  assert.equal(errors, undefined);
  return data.starDraft;
}

function draftIdOf(page) {
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
}

/** Waits for the editor of a new draft (made by its first save). */
async function openedDraft(page) {
  await page.getByTestId('draft-editor').waitFor();
}

/** The ID of the draft the editor made, once its address replaced `/drafts/new`. */
async function madeDraftId(page) {
  await page.waitForURL(/\/drafts\/(?!new)[^/?]+$/);
  return draftIdOf(page);
}

async function pressedChips(page) {
  return textsOf(page.locator('[data-testid="competency-chip"][aria-pressed="true"]'));
}

/** Saves the editor's form and waits for the save to land. */
async function save(page) {
  // A draft not made yet has no version: its first save makes version 1.
  const version = page.getByTestId('draft-version');
  const before = (await version.count()) === 0 ? 0 : Number(await textOf(version));
  await page.getByTestId('draft-save').click();
  await waitForText(page.getByTestId('draft-version'), String(before + 1));
  await waitForText(page.getByTestId('save-state'), 'Saved');
}

async function openCoverage(page) {
  await page.goto(`${server.url}/roles/${SLUG}`);
  await page.getByTestId('coverage-grid').waitFor();
}

function coverageRow(page, slug) {
  return page.locator(`[data-testid="coverage-row"][data-slug="${slug}"]`);
}

async function waitCovered(page, slug, covered, timeout = 5_000) {
  await page
    .locator(`[data-testid="coverage-row"][data-slug="${slug}"][data-covered="${covered}"]`)
    .waitFor({ timeout });
}

test('a story is tagged with competencies and linked to questions, and listed in the story bank', async () => {
  const page = await signedInPage('Ada');
  await page.goto(`${server.url}/drafts/new`);
  await openedDraft(page);

  // Every competency is a chip; none is picked yet.
  await page.getByTestId('competency-chip').first().waitFor();
  assert.deepEqual(await textsOf(page.getByTestId('competency-chip')), [...THEMES].sort());
  assert.deepEqual(await pressedChips(page), []);

  await page.getByTestId('draft-title').fill('Checkout rewrite');
  await page.locator('[data-testid="competency-chip"][data-slug="leadership"]').click();
  await page.locator('[data-testid="competency-chip"][data-slug="achievement"]').click();
  assert.deepEqual(await pressedChips(page), ['Achievement', 'Leadership']);
  // A chip pressed twice is off again.
  await page.locator('[data-testid="competency-chip"][data-slug="innovation"]').click();
  await page.locator('[data-testid="competency-chip"][data-slug="innovation"]').click();
  assert.deepEqual(await pressedChips(page), ['Achievement', 'Leadership']);

  // Questions are found by words of their prompt, across roles.
  await page.getByTestId('question-search').fill('security flaw');
  const result = page.getByTestId('question-result');
  await result.first().waitFor();
  assert.equal(await result.count(), 1);
  assert.match(await textOf(result), /Share a security flaw you discovered in backend code/);
  assert.match(await textOf(result), /Backend Developer/);
  await result.getByTestId('link-question').click();
  await page.getByTestId('question-search').fill('incident');
  await page.getByTestId('question-result').getByTestId('link-question').click();
  assert.deepEqual(await textsOf(page.getByTestId('linked-question-prompt')), [SECURITY_PROMPT, INCIDENT_PROMPT]);
  await waitForText(page.getByTestId('save-state'), 'Unsaved changes');
  await screenshot(page, 'storybank-editor');
  await save(page);
  const id = await madeDraftId(page);

  const saved = await fetchDraft(page, id);
  assert.deepEqual(saved.competencies.map((c) => c.slug), ['leadership', 'achievement']);
  assert.deepEqual(saved.questions.map((q) => q.prompt), [SECURITY_PROMPT, INCIDENT_PROMPT]);

  // Unlinking a question is a change saved like the text.
  await page.locator('[data-testid="linked-question"]', { hasText: 'incident' }).getByTestId('unlink-question').click();
  await save(page);
  assert.deepEqual((await fetchDraft(page, id)).questions.map((q) => q.prompt), [SECURITY_PROMPT]);

  // After a reload the editor shows what was saved.
  await page.reload();
  await page.getByTestId('draft-editor').waitFor();
  await page.locator('[data-testid="competency-chip"][aria-pressed="true"]').first().waitFor();
  assert.deepEqual(await pressedChips(page), ['Achievement', 'Leadership']);
  assert.deepEqual(await textsOf(page.getByTestId('linked-question-prompt')), [SECURITY_PROMPT]);
  await waitForText(page.getByTestId('question-ref'), `Answering: ${SECURITY_PROMPT} Backend Developer`);

  // The story bank lists it with its competencies and question.
  await page.getByRole('link', { name: 'Story bank' }).click();
  const story = page.locator(`[data-testid="story"][data-draft-id="${id}"]`);
  await story.waitFor();
  await waitForText(page.getByTestId('stories-total-count'), '1');
  assert.equal(await textOf(story.getByTestId('story-title')), 'Checkout rewrite');
  assert.deepEqual(await textsOf(story.getByTestId('story-competency')), ['Leadership', 'Achievement']);
  assert.deepEqual(await textsOf(story.getByTestId('story-question')), [`${SECURITY_PROMPT} Backend Developer`]);
  await screenshot(page, 'storybank-list');
});

test('the coverage grid shows the gaps, and a READY story covers them', async () => {
  // Anonymous visitors see no coverage.
  const anonymous = await newPage(browser);
  await anonymous.goto(`${server.url}/roles/${SLUG}`);
  await anonymous.getByTestId('role-title').waitFor();
  assert.equal(await anonymous.getByTestId('section-coverage').count(), 0);
  await anonymous.context().close();

  const page = await signedInPage('Grace');
  await openCoverage(page);
  assert.deepEqual(await textsOf(page.locator('[data-testid="coverage-row"] th')), THEMES);
  for (const slug of ['leadership', 'failure', 'teamwork']) await waitCovered(page, slug, false);
  await waitForText(coverageRow(page, 'failure').getByTestId('coverage-status'), 'Gap');
  await waitForText(page.getByTestId('coverage-gaps'), `7 gaps: ${THEMES.join(', ')}`);
  assert.equal(await page.locator('[data-testid="question-coverage"][data-covered="false"]').count(), 5);

  // "Write a story for this gap" starts a draft tagged with it.
  await coverageRow(page, 'failure').getByTestId('write-for-gap').click();
  await openedDraft(page);
  await page.locator('[data-testid="competency-chip"][aria-pressed="true"]').first().waitFor();
  assert.deepEqual(await pressedChips(page), ['Failure']);
  await page.getByTestId('draft-title').fill('Outage postmortem');
  await save(page);
  const id = await madeDraftId(page);
  assert.deepEqual((await fetchDraft(page, id)).competencies.map((c) => c.slug), ['failure']);

  // A draft shows in the grid but does not cover the gap yet.
  await openCoverage(page);
  await waitForText(page.getByTestId('coverage-story').first(), 'Outage postmortemDraft');
  await waitCovered(page, 'failure', false);
  assert.equal(await textOf(coverageRow(page, 'failure').locator('td').first()), '✓');

  // READY covers it.
  await page.getByTestId('coverage-story').getByRole('link', { name: 'Outage postmortem' }).click();
  await page.getByTestId('draft-editor').waitFor();
  await page.getByTestId('draft-status').selectOption('READY');
  await save(page);
  await openCoverage(page);
  await waitCovered(page, 'failure', true);
  await waitForText(coverageRow(page, 'failure').getByTestId('coverage-status'), 'Covered');
  await waitForText(page.getByTestId('coverage-gaps'), '6 gaps: Leadership, Conflict, Achievement, Adaptability, Teamwork, Innovation');

  // "Write a story for this question" links the question and tags its competencies.
  const security = page.locator('[data-testid="question-coverage"]', { hasText: 'security flaw' });
  assert.equal(await security.getAttribute('data-covered'), 'false');
  await security.getByTestId('write-for-question').click();
  await openedDraft(page);
  await page.locator('[data-testid="competency-chip"][aria-pressed="true"]').first().waitFor();
  assert.deepEqual(await pressedChips(page), ['Failure', 'Leadership']);
  assert.deepEqual(await textsOf(page.getByTestId('linked-question-prompt')), [SECURITY_PROMPT]);
  await page.getByTestId('draft-title').fill('Leaked API key');
  await page.getByTestId('draft-status').selectOption('READY');
  await save(page);

  await openCoverage(page);
  await page.locator('[data-testid="question-coverage"][data-covered="true"]', { hasText: 'security flaw' }).waitFor();
  assert.deepEqual(
    await textsOf(page.locator('[data-testid="question-coverage"]', { hasText: 'security flaw' }).getByTestId('question-coverage-story')),
    ['Leaked API key'],
  );
  await waitCovered(page, 'leadership', true);
  await waitForText(page.getByTestId('coverage-summary'), '2 ready stories · 5 gaps: Conflict, Achievement, Adaptability, Teamwork, Innovation');
  await screenshot(page, 'storybank-coverage');
});

test('a story marked READY in one tab turns its gap green in another', async () => {
  const role = await signedInPage('Katherine');
  await openCoverage(role);
  await role.locator('[data-testid="coverage-live"][data-live="true"]').waitFor({ timeout: 10_000 });
  await waitCovered(role, 'teamwork', false);
  const header = coverageRow(role, 'teamwork').locator('th');
  const gapColour = await header.evaluate((el) => getComputedStyle(el).backgroundColor);

  const editor = await newPage(browser, role.context());
  await editor.goto(`${server.url}/drafts/new?competency=teamwork`);
  await openedDraft(editor);
  await editor.getByTestId('draft-title').fill('Pairing through the migration');
  await save(editor);
  // The draft shows in the other tab at once, still a gap.
  await waitForText(role.getByTestId('coverage-story').first(), 'Pairing through the migrationDraft', LIVE_TIMEOUT_MS);
  assert.equal(await coverageRow(role, 'teamwork').getAttribute('data-covered'), 'false');

  await editor.bringToFront();
  await editor.getByTestId('draft-status').selectOption('READY');
  await save(editor);
  await waitCovered(role, 'teamwork', true, LIVE_TIMEOUT_MS);
  await waitForText(coverageRow(role, 'teamwork').getByTestId('coverage-status'), 'Covered', LIVE_TIMEOUT_MS);
  const coveredColour = await header.evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.notEqual(coveredColour, gapColour);
  assert.equal(coveredColour, 'rgb(231, 245, 236)');
  await screenshot(role, 'storybank-live');
});
