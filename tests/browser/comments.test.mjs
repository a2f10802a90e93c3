// Comment threads beside each section of a shared draft (issue 24): per-section
// unread badges in the owner's editor that clear once read, the coach editing and
// deleting their own comments (live on the owner's side), no Edit on someone
// else's comment, the threads under their section on a phone, and axe.
//
// Build the app first: cd examples/spa && npm ci && npm run build

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { appSuite, eventually, graphql, newPhonePage, screenshot, seriousViolations, textOf, waitForText, watchPageErrors } from './harness.mjs';

const PASSWORD = 'correct horse battery staple';
/** How long a change in one browser may take to show in another. */
const LIVE_TIMEOUT_MS = 3_000;

const suite = appSuite();

let accounts = 0;

/** Registers an account through the API; returns its token. */
async function register(displayName) {
  accounts += 1;
  const email = `comments-${process.pid}-${Date.now()}-${accounts}@example.com`;
  const { data, errors } = await graphql(
    suite.server,
    'mutation ($input: RegisterInput!) { register(input: $input) { token } }',
    { input: { email, password: PASSWORD, displayName } },
  );
  assert.equal(errors, undefined);
  return data.register.token;
}

/** `query` as `token` through the API; its data (no errors allowed). */
async function api(token, query, variables) {
  const { data, errors } = await graphql(suite.server, query, variables, token);
  assert.equal(errors, undefined, JSON.stringify(errors));
  return data;
}

/** A draft of `owner`'s shared with `coach` to comment on; returns its id. */
async function sharedDraft(owner, coach) {
  const { createStarDraft: draft } = await api(
    owner,
    'mutation ($input: CreateStarDraftInput!) { createStarDraft(input: $input) { id } }',
    { input: { title: 'Spring sale outage', situation: 'Checkout failed for 40% of requests.', action: 'I rolled back the release.' } },
  );
  const { createShare } = await api(
    owner,
    'mutation ($input: CreateShareInput!) { createShare(input: $input) { secret } }',
    { input: { target: draft.id, access: 'COMMENTER' } },
  );
  await api(coach, 'mutation ($secret: String!) { acceptShare(secret: $secret) { id } }', { secret: createShare.secret });
  return draft.id;
}

/** A watched page signed in as `token` (the app keeps its session in localStorage). */
async function signedIn(token, options) {
  const page = await suite.newPage(options);
  await page.context().addInitScript((t) => window.localStorage.setItem('prep.token', t), token);
  return page;
}

/** The owner's editor on draft `id`, its comments live. */
async function openEditor(page, id) {
  await page.goto(`${suite.server.url}/drafts/${encodeURIComponent(id)}`);
  await page.getByTestId('draft-editor').waitFor();
  await page.waitForSelector('[data-testid="comments-panel"][data-live="true"]');
}

test('per-section unread badges, editing and deleting live, no Edit on others’ comments', async () => {
  const owner = await register('Olivia Owner');
  const coach = await register('Carlos Coach');
  const draftId = await sharedDraft(owner, coach);

  const ownerPage = await signedIn(owner, { autosave: false });
  await openEditor(ownerPage, draftId);
  const coachPage = await signedIn(coach);
  await coachPage.goto(`${suite.server.url}/shared/drafts/${encodeURIComponent(draftId)}`);
  await coachPage.waitForSelector('[data-testid="shared-draft"][data-live="true"]');

  // The coach comments on the Action: the owner's badge is on the Action alone.
  const coachAction = coachPage.getByTestId('threads-ACTION');
  await coachAction.getByTestId('comment-input').fill('Who decided to roll back?');
  await coachAction.getByTestId('comment-send').click();
  await waitForText(coachAction.getByTestId('comment-body'), 'Who decided to roll back?');
  const badge = ownerPage.getByTestId('unread-ACTION');
  await badge.waitFor({ timeout: LIVE_TIMEOUT_MS });
  assert.equal(await textOf(badge), '1 new1 unread comment on Action');
  assert.equal(await ownerPage.getByText('1 unread comment on Action').count(), 1, 'the badge names its section');
  assert.equal(await ownerPage.getByTestId('unread-SITUATION').count(), 0);
  assert.equal(await ownerPage.getByTestId('unread-TITLE').count(), 0);
  await waitForText(ownerPage.getByTestId('comments-toggle-ACTION'), 'Comments on Action 1 open thread');

  // The threads sit beside the Action's box on a wide screen.
  const box = await ownerPage.getByTestId('draft-action').boundingBox();
  const aside = await ownerPage.getByTestId('comments-ACTION').boundingBox();
  assert.ok(aside.x >= box.x + box.width, `beside the box: ${JSON.stringify({ box, aside })}`);
  assert.ok(aside.y < box.y + box.height, 'level with the box');

  // Opened, the thread shows and is read: the badge goes, also after a reload.
  await ownerPage.getByTestId('comments-toggle-ACTION').click();
  const ownerAction = ownerPage.getByTestId('threads-ACTION');
  await waitForText(ownerAction.getByTestId('comment-body'), 'Who decided to roll back?');
  assert.equal(await ownerAction.locator('[data-testid="comment"][data-unread="true"]').count(), 1, 'marked new while it is');
  await badge.waitFor({ state: 'detached' });
  await eventually(async () => {
    const data = await api(owner, 'query ($id: ID!) { starDraft(id: $id) { unreadCommentCount comments { unread } } }', { id: draftId });
    return data.starDraft.unreadCommentCount === 0 && data.starDraft.comments.every((c) => !c.unread);
  });
  // Someone else's comment: Reply and Resolve, no Edit or Delete.
  assert.equal(await ownerAction.getByTestId('comment-edit').count(), 0);
  assert.equal(await ownerAction.getByTestId('comment-delete').count(), 0);
  assert.equal(await ownerAction.getByTestId('thread-reply').count(), 1);
  assert.deepEqual(await seriousViolations(ownerPage), [], 'the editor with threads open');
  await screenshot(ownerPage, 'comments-owner-editor');
  await ownerPage.reload();
  await ownerPage.getByTestId('comments-toggle-ACTION').waitFor();
  await ownerPage.waitForSelector('[data-testid="comments-panel"][data-live="true"]');
  assert.equal(await ownerPage.getByTestId('unread-ACTION').count(), 0, 'read stays read');
  await ownerPage.getByTestId('comments-toggle-ACTION').click();

  // The coach edits the comment: a refusal in plain words, then the new text, live.
  const coachFirst = coachAction.getByTestId('comment').first();
  await coachFirst.getByTestId('comment-edit').click();
  await coachFirst.getByTestId('comment-edit-input').fill('   ');
  await coachFirst.getByTestId('comment-edit-save').click();
  await waitForText(coachFirst.getByRole('alert'), 'The comment must not be empty.');
  await coachFirst.getByTestId('comment-edit-input').fill('Who decided on the rollback, and when?');
  await coachFirst.getByTestId('comment-edit-save').click();
  await waitForText(coachFirst.getByTestId('comment-body'), 'Who decided on the rollback, and when?');
  await waitForText(ownerAction.getByTestId('comment-body'), 'Who decided on the rollback, and when?', LIVE_TIMEOUT_MS);

  // The coach replies, the owner sees it; the coach deletes the reply, it goes live.
  await coachAction.getByTestId('thread-reply').click();
  await coachAction.getByTestId('reply-input').fill('Also: how long did it take?');
  await coachAction.getByTestId('reply-send').click();
  const ownerReply = ownerAction.getByTestId('reply');
  await waitForText(ownerReply.getByTestId('comment-body'), 'Also: how long did it take?', LIVE_TIMEOUT_MS);
  const coachReply = coachAction.getByTestId('reply');
  await coachReply.getByTestId('comment-delete').click();
  assert.equal(await textOf(coachReply.getByTestId('comment-delete-confirm').locator('p')), 'Delete your comment? It goes for everyone.');
  await coachReply.getByTestId('comment-delete-yes').click();
  await coachReply.waitFor({ state: 'detached' });
  await ownerReply.waitFor({ state: 'detached', timeout: LIVE_TIMEOUT_MS });
  await waitForText(ownerAction.getByTestId('comment-body'), 'Who decided on the rollback, and when?');

  // Deleting a thread's first comment says its replies go too.
  await ownerAction.getByTestId('thread-reply').click();
  await ownerAction.getByTestId('reply-input').fill('I did, within five minutes.');
  await ownerAction.getByTestId('reply-send').click();
  await waitForText(coachReply.getByTestId('comment-body'), 'I did, within five minutes.', LIVE_TIMEOUT_MS);
  await coachFirst.getByTestId('comment-delete').first().click();
  assert.equal(
    await textOf(coachFirst.getByTestId('comment-delete-confirm').locator('p')),
    'Delete your comment and the 1 reply under it? The whole thread goes, for everyone.',
  );
  await coachFirst.getByRole('button', { name: 'Keep it' }).click();
  assert.equal(await coachFirst.getByTestId('comment-delete-confirm').count(), 0);
  await ownerPage.context().close();
  await coachPage.context().close();
});

test('on a phone the threads sit under their section, nothing wider than the screen', async () => {
  const owner = await register('Pia Phone');
  const coach = await register('Cole Coach');
  const draftId = await sharedDraft(owner, coach);
  await api(
    coach,
    'mutation ($input: AddCommentInput!) { addComment(input: $input) { id } }',
    { input: { draftId, section: 'SITUATION', quote: '40% of requests', body: 'Against which baseline? A long question that has to wrap on a narrow screen.', version: 1 } },
  );
  await api(coach, 'mutation ($input: AddCommentInput!) { addComment(input: $input) { id } }', {
    input: { draftId, section: 'GENERAL', body: 'Good story overall.', version: 1 },
  });

  const page = watchPageErrors(
    await newPhonePage(suite.browser, { init: `window.localStorage.setItem('prep.token', ${JSON.stringify(owner)})` }),
  );
  await page.goto(`${suite.server.url}/drafts/${encodeURIComponent(draftId)}`);
  await page.getByTestId('unread-SITUATION').waitFor({ timeout: 15_000 });
  await page.getByTestId('unread-GENERAL').waitFor();
  await page.getByTestId('comments-toggle-SITUATION').click();
  await page.getByTestId('threads-SITUATION').getByTestId('comment-body').waitFor();
  const box = await page.getByTestId('draft-situation').boundingBox();
  const aside = await page.getByTestId('comments-SITUATION').boundingBox();
  assert.ok(aside.y >= box.y + box.height, `under the box: ${JSON.stringify({ box, aside })}`);
  const next = await page.getByTestId('draft-task').boundingBox();
  assert.ok(aside.y + aside.height <= next.y, 'before the next section');
  // Reading the Situation leaves the whole draft's comment new.
  await page.getByTestId('unread-SITUATION').waitFor({ state: 'detached', timeout: 10_000 });
  assert.equal(await page.getByTestId('unread-GENERAL').count(), 1);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, 'no horizontal scrolling');
  await screenshot(page, 'comments-phone');
  await page.context().close();
});
