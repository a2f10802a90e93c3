// Sharing with a coach, and comments (issue 24) in the example SPA: the owner shares
// a draft from its editor, the coach opens the link in another browser (signing in
// first), comments on a quoted part of a section, the owner sees it live with an
// unread badge, replies and resolves (the coach sees both live), then revokes the
// share and the coach's view goes away at once. axe checks the new pages.
//
// Build the app first: cd examples/spa && npm ci && npm run build

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { appSuite, eventually, graphql, screenshot, seriousViolations, textOf, waitForText, watchPageErrors } from './harness.mjs';

const PASSWORD = 'correct horse battery staple';
/** How long a change in one browser may take to show in another. */
const LIVE_TIMEOUT_MS = 3_000;
const SITUATION = 'Checkout failed for 40% of requests during the spring sale.';

const suite = appSuite();

const newPage = () => suite.newPage({ autosave: false });

let accounts = 0;

/** Registers an account through the API; returns its email and token. */
async function register(displayName) {
  accounts += 1;
  const email = `sharing-${process.pid}-${Date.now()}-${accounts}@example.com`;
  const { data, errors } = await graphql(
    suite.server,
    'mutation ($input: RegisterInput!) { register(input: $input) { token } }',
    { input: { email, password: PASSWORD, displayName } },
  );
  assert.equal(errors, undefined);
  return { email, token: data.register.token };
}

/** Signs in on the sign-in form the page is on. */
async function signIn(page, email, name) {
  await page.getByTestId('signin-email').fill(email);
  await page.getByTestId('signin-password').fill(PASSWORD);
  await page.getByTestId('signin-submit').click();
  await waitForText(page.getByTestId('current-user'), name);
}

/** Selects `text` inside the element `testId`, as a mouse drag would, and releases the button. */
async function selectText(page, testId, text) {
  await page.getByTestId(testId).evaluate((element, wanted) => {
    const node = element.firstChild;
    const start = node.textContent.indexOf(wanted);
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, start + wanted.length);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    element.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
  }, text);
}

test('share a draft, comment as the coach, reply and resolve live, revoke', async () => {
  const owner = await register('Olivia Owner');
  const coach = await register('Carlos Coach');
  const created = await graphql(
    suite.server,
    'mutation ($input: CreateStarDraftInput!) { createStarDraft(input: $input) { id } }',
    { input: { title: 'Spring sale outage', situation: SITUATION, result: 'Error rate back under 0.1%.' } },
    owner.token,
  );
  const draftId = created.data.createStarDraft.id;

  // The owner, signed in, opens the editor and shares the draft as COMMENTER.
  const ownerPage = await newPage();
  await ownerPage.goto(`${suite.server.url}/signin?next=${encodeURIComponent(`/drafts/${draftId}`)}`);
  await signIn(ownerPage, owner.email, 'Olivia Owner');
  await ownerPage.getByTestId('draft-editor').waitFor();
  await ownerPage.getByTestId('share-open').click();
  await ownerPage.getByTestId('share-access-commenter').check();
  await ownerPage.getByTestId('share-note').fill('For Carlos');
  await ownerPage.getByTestId('share-create').click();
  const link = await ownerPage.getByTestId('share-link').inputValue();
  assert.match(link, new RegExp(`^${suite.server.url.replace(/[.]/g, '\\.')}/shared/[^/]+$`));
  await waitForText(ownerPage.getByTestId('share-accepted'), 'Not accepted yet');
  assert.deepEqual(await seriousViolations(ownerPage), [], 'the share dialog');
  await ownerPage.getByTestId('share-close').click();

  // The coach opens the link in another browser: signs in first, comes back, accepts.
  const coachPage = await newPage();
  await coachPage.goto(link);
  await coachPage.getByTestId('signin-email').waitFor();
  await signIn(coachPage, coach.email, 'Carlos Coach');
  await coachPage.getByTestId('shared-draft').waitFor();
  assert.equal(new URL(coachPage.url()).pathname, `/shared/drafts/${draftId}`);
  await waitForText(coachPage.locator('main h1'), 'Spring sale outage');
  assert.equal(await textOf(coachPage.getByTestId('shared-text-SITUATION')), SITUATION);
  // Read-only: no field to edit the draft.
  assert.equal(await coachPage.locator('main textarea[data-testid^="draft-"]').count(), 0);
  await coachPage.waitForSelector('[data-testid="shared-draft"][data-live="true"]');

  // A comment quoting the selected words of the Situation.
  await selectText(coachPage, 'shared-text-SITUATION', '40% of requests');
  await waitForText(coachPage.getByTestId('comment-quote-pending'), 'Quoting “40% of requests” Don’t quote');
  const situation = coachPage.getByTestId('threads-SITUATION');
  await situation.getByTestId('comment-input').fill('40% of which baseline?');
  await situation.getByTestId('comment-send').click();
  await waitForText(situation.getByTestId('comment-body'), '40% of which baseline?');
  assert.match(await textOf(situation.locator('.comment-quote')), /40% of requests/);
  assert.deepEqual(await seriousViolations(coachPage), [], 'the shared draft');
  await screenshot(coachPage, 'sharing-coach-draft');

  // The owner's editor hears of it live: an unread badge on the Situation, then the thread once opened.
  await ownerPage.getByTestId('unread-SITUATION').waitFor({ timeout: LIVE_TIMEOUT_MS });
  await ownerPage.getByTestId('comments-toggle-SITUATION').click();
  const ownerSituation = ownerPage.getByTestId('threads-SITUATION');
  await waitForText(ownerSituation.getByTestId('comment-body'), '40% of which baseline?');
  // Shown, so read: the badge goes, and the server hears of it.
  await ownerPage.getByTestId('unread-SITUATION').waitFor({ state: 'detached' });
  await eventually(async () => {
    const unread = await graphql(suite.server, 'query ($id: ID!) { starDraft(id: $id) { unreadCommentCount } }', { id: draftId }, owner.token);
    return unread.data.starDraft.unreadCommentCount === 0;
  });

  // The owner replies; the coach sees the reply live.
  await ownerSituation.getByTestId('thread-reply').click();
  await ownerSituation.getByTestId('reply-input').fill('Of all checkout requests that hour.');
  await ownerSituation.getByTestId('reply-send').click();
  await waitForText(ownerSituation.getByTestId('reply').getByTestId('comment-body'), 'Of all checkout requests that hour.');
  await waitForText(
    situation.getByTestId('reply').getByTestId('comment-body'),
    'Of all checkout requests that hour.',
    LIVE_TIMEOUT_MS,
  );
  // Only the owner resolves.
  assert.equal(await situation.getByTestId('thread-resolve').count(), 0);

  // The owner resolves; the coach's thread moves to the resolved ones live.
  await ownerSituation.getByTestId('thread-resolve').click();
  await ownerSituation.locator('[data-testid="thread"][data-resolved="true"]').waitFor({ state: 'attached' });
  await situation
    .locator('[data-testid="thread"][data-resolved="true"]')
    .waitFor({ state: 'attached', timeout: LIVE_TIMEOUT_MS });

  // "Shared with me" lists it for the coach.
  const coachList = await coachPage.context().newPage();
  watchPageErrors(coachList);
  await coachList.goto(`${suite.server.url}/shared`);
  const row = coachList.getByTestId('grant-row');
  await row.waitFor();
  const rowText = await textOf(row);
  assert.match(rowText, /Olivia Owner/);
  assert.match(rowText, /Spring sale outage/);
  assert.match(rowText, /Read and comment/);
  assert.match(rowText, /For Carlos/);
  assert.deepEqual(await seriousViolations(coachList), [], 'shared with me');
  await coachList.close();

  // The owner sees who accepted, and revokes: the confirmation says what stops working.
  await ownerPage.getByTestId('share-open').click();
  await waitForText(ownerPage.getByTestId('share-accepted'), 'Accepted by Carlos Coach');
  await ownerPage.getByTestId('share-revoke').click();
  const confirm = ownerPage.getByRole('alertdialog', { name: 'Revoke this link?' });
  assert.match(await textOf(confirm), /Carlos Coach can no longer read this draft or comment on it/);
  await ownerPage.getByTestId('share-revoke-confirm').click();
  await ownerPage.getByTestId('share-row').waitFor({ state: 'detached' });

  // The coach's view goes away without a reload, and the link no longer works.
  await coachPage.getByTestId('shared-draft-gone').waitFor({ timeout: LIVE_TIMEOUT_MS });
  const again = await coachPage.context().newPage();
  watchPageErrors(again);
  await again.goto(link);
  await again.getByTestId('error').waitFor();
  assert.equal(await again.getByTestId('error').locator('p').getAttribute('data-code'), 'NOT_FOUND');
  await again.close();
  await ownerPage.context().close();
  await coachPage.context().close();
});

test('an interview and the story bank, shared read-only: plan and readiness, drafts without comment forms', async () => {
  const owner = await register('Olga Owner');
  const coach = await register('Cora Coach');
  const api = async (query, variables) => {
    const { data, errors } = await graphql(suite.server, query, variables, owner.token);
    assert.equal(errors, undefined);
    return data;
  };
  const { role } = await api('{ role(slug: "backend-developer") { id } }');
  const at = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const { scheduleInterview: interview } = await api(
    'mutation ($input: ScheduleInterviewInput!) { scheduleInterview(input: $input) { id } }',
    { input: { roleId: role.id, company: 'Acme', stage: 'TECHNICAL', scheduledAt: `${at}T09:00:00Z`, timeZone: 'Europe/London' } },
  );
  // One task done, for the coach to see which.
  const { interview: planned } = await api('query ($id: ID!) { interview(id: $id) { plan { id text } } }', { id: interview.id });
  await api('mutation ($id: ID!) { setPlanTaskDone(id: $id, done: true) { id } }', { id: planned.plan[0].id });
  const { createStarDraft: draft } = await api(
    'mutation ($input: CreateStarDraftInput!) { createStarDraft(input: $input) { id } }',
    { input: { title: 'Queue migration', situation: 'Payments were synchronous.' } },
  );

  // The owner shares the interview from its page, read only.
  const ownerPage = await newPage();
  await ownerPage.goto(`${suite.server.url}/signin?next=${encodeURIComponent(`/interviews/${interview.id}`)}`);
  await signIn(ownerPage, owner.email, 'Olga Owner');
  await ownerPage.getByTestId('interview-page').waitFor();
  await ownerPage.getByTestId('share-open').click();
  await ownerPage.getByTestId('share-access-viewer').check();
  await ownerPage.getByTestId('share-create').click();
  const interviewLink = await ownerPage.getByTestId('share-link').inputValue();
  await ownerPage.getByTestId('share-close').click();
  // And the story bank, from its page.
  await ownerPage.goto(`${suite.server.url}/stories`);
  await ownerPage.getByTestId('share-open').click();
  await ownerPage.getByTestId('share-access-viewer').check();
  await ownerPage.getByTestId('share-create').click();
  const bankLink = await ownerPage.getByTestId('share-link').inputValue();
  assert.notEqual(bankLink, interviewLink);

  // The coach, already signed in, opens the interview link: plan and readiness.
  const coachPage = await newPage();
  await coachPage.goto(`${suite.server.url}/signin`);
  await signIn(coachPage, coach.email, 'Cora Coach');
  await coachPage.goto(interviewLink);
  await coachPage.getByTestId('shared-interview').waitFor();
  assert.equal(new URL(coachPage.url()).pathname, `/shared/interviews/${interview.id}`);
  assert.equal(await textOf(coachPage.locator('main h1')), 'Acme: Technical');
  // When, as the owner's page says it: the date and how far off it is.
  assert.match(await textOf(coachPage.getByTestId('shared-interview-when')), /09:00/);
  assert.equal(await textOf(coachPage.getByTestId('shared-interview-relative-day')), '(in 30 days)');
  // The plan, by due date, each task done or not; nothing to tick.
  const tasks = coachPage.getByTestId('shared-plan-task');
  assert.equal(await tasks.count(), planned.plan.length, 'the whole plan is listed');
  assert.ok((await coachPage.getByTestId('shared-plan-day').count()) > 1, 'grouped by due date');
  const done = coachPage.locator('[data-testid="shared-plan-task"][data-done="true"]');
  assert.equal(await done.count(), 1);
  assert.equal(await textOf(done.getByTestId('shared-plan-task-text')), planned.plan[0].text);
  assert.match(await textOf(done), /^Done /);
  assert.equal(await coachPage.locator('main input, main form').count(), 0, 'read only');
  await waitForText(coachPage.getByTestId('shared-plan-progress'), `1 of ${planned.plan.length} done`);
  // Readiness as the owner sees it, its next steps as text (their links are the owner's).
  assert.match(await textOf(coachPage.getByTestId('readiness-plan')), new RegExp(`^1 of ${planned.plan.length} tasks done$`));
  assert.match(await textOf(coachPage.getByTestId('readiness-score')), /^\d+$/);
  assert.equal(await coachPage.getByTestId('readiness-action').locator('a').count(), 0);
  assert.deepEqual(await seriousViolations(coachPage), [], 'the shared interview');

  // The story bank link lands on "Shared with me", which lists both, and opens the draft read-only.
  await coachPage.goto(bankLink);
  await coachPage.getByTestId('shared-with-me').waitFor();
  await coachPage.getByTestId('grant-row').nth(1).waitFor();
  assert.equal(await coachPage.getByTestId('grant-row').count(), 2);
  await coachPage.getByRole('link', { name: 'Queue migration' }).click();
  await coachPage.getByTestId('shared-draft').waitFor();
  assert.equal(new URL(coachPage.url()).pathname, `/shared/drafts/${draft.id}`);
  assert.equal(await textOf(coachPage.getByTestId('shared-text-SITUATION')), 'Payments were synchronous.');
  assert.equal(await coachPage.getByTestId('comment-form').count(), 0, 'a viewer gets no comment form');
  await ownerPage.context().close();
  await coachPage.context().close();
});
