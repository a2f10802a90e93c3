// Practice against the clock in the example SPA: a typed transcript, the
// result panel (pace, time, fillers, change from last time), the practice
// link on a role's question, and the interview page's readiness rising.
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
  watchPageErrors,
} from './harness.mjs';

const PASSWORD = 'correct horse battery staple';

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

async function newPage(...args) {
  const page = await harnessPage(...args);
  return watchPageErrors(page);
}

async function signedInPage(name) {
  const page = await newPage(browser);
  await page.goto(`${server.url}/signup`);
  await page.getByTestId('signup-name').fill(name);
  await page.getByTestId('signup-email').fill(`practice-${process.pid}-${Date.now()}@example.com`);
  await page.getByTestId('signup-password').fill(PASSWORD);
  await page.getByTestId('signup-submit').click();
  await eventually(async () => (await textOf(page.getByTestId('current-user'))) === name);
  return page;
}

async function api(page, query, variables) {
  const token = await page.evaluate(() => localStorage.getItem('prep.token'));
  const { data, errors } = await graphql(server, query, variables, token);
  assert.equal(errors, undefined, JSON.stringify(errors));
  return data;
}

/** Runs one practice on the open practice page: start, wait for the clock, stop, type, finish. */
async function practise(page, transcript) {
  await page.getByTestId('practice-start').click();
  const timer = page.getByTestId('practice-timer');
  await eventually(async () => (await timer.getAttribute('data-running')) === 'true');
  // The clock visibly runs.
  await eventually(async () => (await textOf(timer)) !== '0:00', { timeout: 3_000 });
  await page.getByTestId('practice-stop').click();
  await page.getByTestId('practice-transcript').fill(transcript);
  await page.getByTestId('practice-finish').click();
  await page.getByTestId('practice-result').waitFor();
}

test('a typed practice shows pace, time, fillers and the change from last time; readiness rises', async () => {
  const page = await signedInPage('Practiser');
  const { role } = await api(page, '{ role(slug: "backend-developer") { id } }');
  const at = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const { scheduleInterview: interview } = await api(
    page,
    `mutation ($input: ScheduleInterviewInput!) { scheduleInterview(input: $input) { id } }`,
    { input: { roleId: role.id, company: 'Acme', stage: 'TECHNICAL', scheduledAt: `${at}T09:00:00Z`, timeZone: 'Europe/London' } },
  );
  const { createStarDraft: draft } = await api(
    page,
    `mutation ($input: CreateStarDraftInput!) { createStarDraft(input: $input) { id } }`,
    {
      input: {
        title: 'Checkout latency',
        situation: 'Our checkout service timed out during the holiday sale.',
        task: 'I owned the latency budget for checkout.',
        action: 'I profiled requests, added a cache and moved payments onto a queue.',
        result: 'Latency fell from 800 ms to 120 ms and abandoned baskets dropped.',
      },
    },
  );

  // Before: nothing practised.
  await page.goto(`${server.url}/interviews/${encodeURIComponent(interview.id)}`);
  await page.getByTestId('readiness-score').waitFor();
  assert.equal(await textOf(page.getByTestId('readiness-score')), '0');
  assert.equal(await textOf(page.getByTestId('readiness-practice')), '0 in the last 7 days');
  const actions = await page.getByTestId('readiness-action').allTextContents();
  assert.ok(actions.includes('Practise one answer aloud: none in the last 7 days'), actions.join(' | '));

  // From the draft editor into practice mode.
  await page.goto(`${server.url}/drafts/${encodeURIComponent(draft.id)}`);
  await page.getByTestId('practise-draft').click();
  await page.getByTestId('practice-page').waitFor();
  assert.equal(await textOf(page.getByTestId('practice-subject')), 'Checkout latency');
  await page.getByTestId('practice-start').click();
  await page.getByTestId('practice-stop').click();
  await page.getByTestId('practice-transcript').fill('warm up');
  await page.getByTestId('practice-finish').click();
  await page.getByTestId('practice-result').waitFor();
  assert.equal(await textOf(page.getByTestId('practice-change')), 'first attempt');

  // 15 words, two of them fillers, sharing words with the Situation, Task and Result.
  const said = 'Um, the checkout service timed out, basically. Latency fell from 800 ms to 120 ms.';
  await practise(page, said);
  assert.equal(await textOf(page.getByTestId('practice-words')), '15');
  assert.match(await textOf(page.getByTestId('practice-fillers')), /um, basically/);
  assert.equal(await textOf(page.getByTestId('practice-sections')), 'Situation, Task, Result');
  const seconds = Number(await textOf(page.getByTestId('practice-seconds')));
  assert.ok(seconds >= 1, `duration ${seconds}`);
  assert.match(await textOf(page.getByTestId('practice-change')), /since last time|same pace as last time/);
  const codes = await page.getByTestId('practice-suggestion').evaluateAll((items) => items.map((i) => i.dataset.code));
  assert.ok(codes.includes('UNDER_TIME'), codes.join(','));
  await screenshot(page, 'practice-result');

  // The API agrees with the panel.
  const { myPracticeAttempts } = await api(
    page,
    'query ($draftId: ID) { myPracticeAttempts(draftId: $draftId) { edges { node { durationSeconds feedback { wordCount wordsPerMinute } } } } }',
    { draftId: draft.id },
  );
  assert.equal(myPracticeAttempts.edges.length, 2);
  assert.equal(myPracticeAttempts.edges[0].node.durationSeconds, seconds);
  assert.equal(myPracticeAttempts.edges[0].node.feedback.wordCount, 15);
  assert.equal(await textOf(page.getByTestId('practice-wpm')), String(myPracticeAttempts.edges[0].node.feedback.wordsPerMinute));

  // A question from the role page, practised too.
  await page.goto(`${server.url}/roles/backend-developer`);
  await page.getByTestId('practise-question').first().click();
  await page.getByTestId('practice-page').waitFor();
  await practise(page, 'I led the migration and cut costs by 30%.');
  // Sections are compared with a draft: a question without one shows none, not "none said".
  assert.equal(await page.getByTestId('practice-sections').count(), 0);

  // After: three attempts this week earn the 20 practice points.
  await page.goto(`${server.url}/interviews/${encodeURIComponent(interview.id)}`);
  await eventually(async () => (await textOf(page.getByTestId('readiness-practice'))) === '3 in the last 7 days');
  assert.equal(await textOf(page.getByTestId('readiness-score')), '20');
  // Ticking a task here updates the panel: 20 + 40 / 9 = 24.4, so 24.
  await page.getByTestId('plan-task-done').first().click();
  await eventually(async () => (await textOf(page.getByTestId('readiness-score'))) === '24');
  assert.equal(await textOf(page.getByTestId('readiness-plan')), '1 of 9 tasks done');
  await screenshot(page, 'practice-readiness');
});
