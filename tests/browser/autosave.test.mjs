// The draft editor never loses a candidate's words: autosave, the copy kept in
// the browser, the guard on leaving, the per-section merge of a conflict, the
// history; and the counts that follow the typing by the server's rules.
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
/** The app's autosave delay is 1.2 s; a save takes a little more to land. */
const SAVE_TIMEOUT_MS = 6_000;

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

let accounts = 0;

/** A new context with a user signed up in it; returns its first page. */
async function signedInPage(name, options) {
  accounts += 1;
  const page = await newPage(browser, undefined, options);
  await page.goto(`${server.url}/signup`);
  await page.getByTestId('signup-name').fill(name);
  await page.getByTestId('signup-email').fill(`autosave-${process.pid}-${Date.now()}-${accounts}@example.com`);
  await page.getByTestId('signup-password').fill(PASSWORD);
  await page.getByTestId('signup-submit').click();
  await waitForText(page.getByTestId('current-user'), name);
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

/** Starts a STAR answer on question `index` of the role page; returns the draft's ID. */
async function startDraft(page, index = 0) {
  return makeDraftFromRolePage(page, index);
}

const token = (page) => page.evaluate(() => localStorage.getItem('prep.token'));

/** The draft as the server has it. */
async function serverDraft(page, id) {
  const { data, errors } = await graphql(
    server,
    `query ($id: ID!) { starDraft(id: $id) { version title situation task action result
       feedback { wordCount estimatedSpeakingSeconds withinTargetLength missingSections
                  sections { section wordCount tooShort } } } }`,
    { id },
    await token(page),
  );
  assert.equal(errors, undefined, JSON.stringify(errors));
  return data.starDraft;
}

/** Waits until the editor shows `version` saved. */
async function waitSaved(page, version) {
  await waitForText(page.getByTestId('draft-version'), String(version), SAVE_TIMEOUT_MS);
  await waitForText(page.getByTestId('save-state'), 'Saved', SAVE_TIMEOUT_MS);
}

const isSave = (route) => (route.request().postData() ?? '').includes('updateStarDraft(');

test('typed text saves by itself, and survives leaving, a failed save and a reload', async () => {
  const page = await signedInPage('Autosave Tester');
  const id = await startDraft(page, 0);
  const state = page.getByTestId('save-state');
  assert.equal(await state.getAttribute('role'), 'status');
  assert.equal(await state.getAttribute('aria-live'), 'polite');

  // Typing and stopping: saved a moment later, with no button pressed.
  const situation = 'Our checkout API slowed to a crawl every Black Friday.';
  await page.getByTestId('draft-situation').fill(situation);
  await waitForText(state, 'Unsaved changes');
  await waitSaved(page, 2);
  assert.equal((await serverDraft(page, id)).situation, situation);

  // A navigation while the save is on its way waits for it, then goes on.
  let release;
  const released = new Promise((resolve) => (release = resolve));
  await page.route('**/graphql', async (route) => {
    if (!isSave(route)) return route.fallback();
    await released;
    return route.fallback();
  });
  const task = 'I had to make it hold five times the traffic.';
  await page.getByTestId('draft-task').fill(task);
  await page.getByRole('link', { name: 'Roles' }).first().click();
  await waitForText(state, 'Saving…');
  assert.match(new URL(page.url()).pathname, /^\/drafts\//, 'still on the editor while saving');
  release();
  await page.waitForURL(`${server.url}/`);
  await page.unrouteAll({ behavior: 'wait' });
  await page.goBack();
  await page.getByTestId('draft-editor').waitFor();
  assert.equal(await page.getByTestId('draft-task').inputValue(), task);
  assert.equal((await serverDraft(page, id)).task, task);

  // The server cannot be reached: the text stays, on the page and on this device.
  await page.route('**/graphql', (route) => (isSave(route) ? route.abort('internetdisconnected') : route.fallback()));
  const action = 'I profiled the slowest endpoints and added the missing indexes.';
  await page.getByTestId('draft-action').fill(action);
  await waitForText(state, 'Offline: kept on this device', SAVE_TIMEOUT_MS);
  const kept = await page.evaluate((key) => JSON.parse(localStorage.getItem(key)), `prep.draft-backup.${id}`);
  assert.equal(kept.text.action, action);

  // Leaving now is stopped and asks; staying keeps the text.
  await page.getByRole('link', { name: 'My drafts' }).first().click();
  await page.getByTestId('leave-guard').waitFor();
  assert.match(new URL(page.url()).pathname, /^\/drafts\/[^/]+$/);
  await screenshot(page, 'autosave-leave-guard');
  await page.getByTestId('leave-stay').click();
  // The dialog closes on React's next render, not within the click: wait for it.
  await page.getByTestId('leave-guard').waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('draft-action').inputValue(), action);

  // A reload (as after a crash) puts the text back and says so.
  page.once('dialog', (dialog) => dialog.accept());
  await page.reload();
  await page.getByTestId('backup-restored').waitFor();
  assert.equal(await page.getByTestId('draft-action').inputValue(), action);
  assert.equal(await page.getByTestId('draft-task').inputValue(), task);

  // The server is reachable again: the restored text is saved.
  await page.unrouteAll({ behavior: 'wait' });
  await waitForText(state, 'Saved', SAVE_TIMEOUT_MS + 3_000);
  assert.equal((await serverDraft(page, id)).action, action);
  assert.equal(await page.evaluate((key) => localStorage.getItem(key), `prep.draft-backup.${id}`), null);
  await page.context().close();
});

test('a lost connection keeps the text and saves it when the connection is back', async () => {
  const page = await signedInPage('Offline Tester');
  const id = await startDraft(page, 1);
  await page.locator('[data-testid="draft-editor"][data-live="true"]').waitFor({ timeout: 10_000 });
  await page.context().setOffline(true);
  const result = 'Median latency fell by 40% and no order failed.';
  await page.getByTestId('draft-result').fill(result);
  await waitForText(page.getByTestId('save-state'), 'Offline: kept on this device', SAVE_TIMEOUT_MS);
  assert.equal((await serverDraft(page, id)).result, '', 'nothing reached the server');
  await screenshot(page, 'autosave-offline');

  await page.context().setOffline(false);
  await waitForText(page.getByTestId('save-state'), 'Saved', SAVE_TIMEOUT_MS + 3_000);
  assert.equal((await serverDraft(page, id)).result, result);
  assert.equal(await page.getByTestId('draft-result').inputValue(), result);
  await page.context().close();
});

test('a conflict merges per section, losing neither side', async () => {
  const page = await signedInPage('Merge Tester');
  const id = await startDraft(page, 2);
  await page.locator('[data-testid="draft-editor"][data-live="true"]').waitFor({ timeout: 10_000 });

  // The candidate types while offline; meanwhile the draft is changed elsewhere.
  await page.context().setOffline(true);
  const mine = 'Mine: the contracts schema had no history.';
  await page.getByTestId('draft-situation').fill(mine);
  await waitForText(page.getByTestId('save-state'), 'Offline: kept on this device', SAVE_TIMEOUT_MS);
  const theirs = { situation: 'Theirs: amendments were lost on every edit.', task: 'Theirs: I owned the data model.' };
  const { errors } = await graphql(
    server,
    'mutation ($input: UpdateStarDraftInput!) { updateStarDraft(input: $input) { version } }',
    { input: { id, expectedVersion: 1, ...theirs } },
    await token(page),
  );
  assert.equal(errors, undefined, JSON.stringify(errors));

  // Back online: the save is refused as out of date and the merge shows both sides.
  await page.context().setOffline(false);
  const merge = page.getByTestId('version-conflict');
  await merge.waitFor({ timeout: SAVE_TIMEOUT_MS + 3_000 });
  const situation = page.locator('[data-testid="merge-field"][data-field="situation"]');
  await situation.waitFor();
  assert.equal(await textOf(situation.getByTestId('merge-mine')), mine);
  assert.equal(await textOf(situation.getByTestId('merge-theirs')), theirs.situation);
  assert.match(await textOf(situation.locator('h3')), /Changed on both sides/);
  // Only the server changed the Task: the merge takes its text.
  const taskField = page.locator('[data-testid="merge-field"][data-field="task"]');
  assert.match(await textOf(taskField.locator('h3')), /Changed elsewhere/);
  assert.equal(await page.getByTestId('draft-task').inputValue(), theirs.task);
  await screenshot(page, 'autosave-merge');
  // Nothing is saved by itself meanwhile: the candidate decides.
  assert.equal((await serverDraft(page, id)).version, 2);

  // "Take the server's", then back to "Keep mine", then an edited merge of both.
  await situation.getByTestId('merge-take-theirs').click();
  assert.equal(await page.getByTestId('draft-situation').inputValue(), theirs.situation);
  await situation.getByTestId('merge-keep-mine').click();
  assert.equal(await page.getByTestId('draft-situation').inputValue(), mine);
  const merged = `${mine} ${theirs.situation}`;
  await page.getByTestId('merge-edit-situation').fill(merged);
  await page.getByTestId('merge-save').click();
  await waitSaved(page, 3);
  assert.equal(await merge.count(), 0);
  const saved = await serverDraft(page, id);
  assert.equal(saved.version, 3);
  assert.equal(saved.situation, merged);
  assert.equal(saved.task, theirs.task);
  await page.context().close();
});

test('the history lists the versions and restores one', async () => {
  const page = await signedInPage('History Tester');
  const id = await startDraft(page, 3);
  const state = page.getByTestId('save-state');
  const first = 'The first telling of the story.';
  await page.getByTestId('draft-situation').fill(first);
  await waitSaved(page, 2);
  await page.getByTestId('draft-situation').fill('A second telling, which was worse.');
  await waitSaved(page, 3);
  assert.equal(await textOf(state), 'Saved');

  await page.getByTestId('history').locator('summary').click();
  const revisions = page.getByTestId('revision');
  await eventually(async () => (await revisions.count()) === 3);
  assert.deepEqual(
    await Promise.all((await revisions.all()).map((r) => r.getAttribute('data-version'))),
    ['3', '2', '1'],
  );
  page.once('dialog', (dialog) => dialog.accept());
  await page.locator('[data-testid="revision"][data-version="2"]').getByTestId('restore-revision').click();
  await waitForText(page.getByTestId('draft-version'), '4');
  assert.equal(await page.getByTestId('draft-situation').inputValue(), first);
  assert.equal((await serverDraft(page, id)).situation, first);
  await eventually(async () => (await revisions.count()) === 4);
  await page.context().close();
});

test('the counts follow the typing, before any save, and equal the server\'s', async () => {
  // Autosave off: the counts are read before the text is saved, so they are the browser's own.
  const page = await signedInPage('Counting Tester', { autosave: false });
  const id = await startDraft(page, 4);
  const texts = [
    { situation: 'One two three', task: '', action: '', result: '' },
    {
      situation: 'Costs — at   40% — fell; I\'m sure…  we’d “quoted” 3x  naïve 日本語 ...',
      task: '-- * 2,5 e-mail x',
      action: 'I led it.\nI\tshipped it; we reviewed it (twice).',
      result: '$2m saved; 120 ms → 80 ms.',
    },
    {
      situation: 'word '.repeat(80),
      task: 'task '.repeat(60),
      action: 'I acted '.repeat(40),
      result: 'and cut costs by 12% ',
    },
  ];
  let version = 1;
  for (const text of texts) {
    for (const [field, value] of Object.entries(text)) await page.getByTestId(`draft-${field}`).fill(value);
    const live = {
      words: Number(await textOf(page.getByTestId('feedback-word-count'))),
      seconds: Number(await textOf(page.getByTestId('feedback-speaking-seconds'))),
      within: (await textOf(page.getByTestId('feedback-within-target'))).startsWith('Within'),
      sections: await page
        .getByTestId('feedback-sections')
        .locator('tr')
        .evaluateAll((rows) => rows.map((r) => `${r.cells[0].textContent}: ${r.cells[1].textContent.trim()}`)),
      summary: await textOf(page.getByTestId('live-summary-words')),
    };
    assert.equal(await textOf(page.getByTestId('draft-version')), String(version), 'not saved yet');
    await page.getByTestId('draft-save').click();
    version += 1;
    await waitSaved(page, version);
    const { feedback } = await serverDraft(page, id);
    assert.equal(live.words, feedback.wordCount, JSON.stringify(text));
    assert.equal(live.seconds, feedback.estimatedSpeakingSeconds);
    assert.equal(live.within, feedback.withinTargetLength);
    assert.equal(live.summary, `${feedback.wordCount} words`);
    const label = { SITUATION: 'Situation', TASK: 'Task', ACTION: 'Action', RESULT: 'Result' };
    const expected = feedback.sections.map(
      (s) => `${label[s.section]}: ${s.wordCount} ${s.wordCount === 1 ? 'word' : 'words'}${s.tooShort ? ' — too short' : ''}`,
    );
    assert.deepEqual(live.sections, expected);
  }
  await page.context().close();
});

test('on a phone the summary of counts and save state stays in view', async () => {
  const page = await signedInPage('Phone Tester', { viewport: { width: 390, height: 844 } });
  await startDraft(page, 0);
  const summary = page.getByTestId('live-summary');
  assert.equal(await summary.evaluate((el) => getComputedStyle(el).position), 'sticky');
  await page.getByTestId('draft-action').fill('I rewrote the retry logic so that it backs off.');
  await waitForText(page.getByTestId('live-summary-words'), '10 words');
  // Scrolled to the form's end, the summary is still on screen.
  await page.getByTestId('draft-status').scrollIntoViewIfNeeded();
  const box = await summary.boundingBox();
  assert.ok(box && box.y >= -1 && box.y < 844, JSON.stringify(box));
  await screenshot(page, 'autosave-phone');
  await page.context().close();
});

test('one answer per question: the role page opens it; the drafts list groups, counts and deletes', async () => {
  const page = await signedInPage('One Answer Tester');
  const first = await startDraft(page, 0);
  await page.getByTestId('draft-situation').fill('Five words in this one.');
  await waitSaved(page, 2);

  // Back on the role page the question's button opens that draft, not a new one.
  await page.goto(`${server.url}/roles/${SLUG}`);
  const question = page.getByTestId('question').first();
  await waitForText(question.getByTestId('build-star-answer'), 'Open your STAR answer');
  await question.getByTestId('build-star-answer').click();
  await page.waitForURL(`${server.url}/drafts/${encodeURIComponent(first)}`);
  await page.getByTestId('draft-editor').waitFor();

  // A second one on purpose.
  await page.goto(`${server.url}/roles/${SLUG}`);
  await page.getByTestId('question').first().getByTestId('start-another-answer').click();
  // It is made by its first keystroke.
  await page.getByTestId('draft-situation').fill('Another take.');
  await page.waitForURL(/\/drafts\/(?!new)[^/]+$/);
  await waitForText(page.getByTestId('save-state'), 'Saved');
  const second = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  assert.notEqual(second, first);

  // "My drafts": one group (the role and question), words and speaking time, no version.
  await page.getByRole('link', { name: 'My drafts' }).first().click();
  await page.getByTestId('draft-list').waitFor();
  assert.equal(await page.getByTestId('draft-group').count(), 1);
  assert.match(await textOf(page.getByTestId('draft-group').locator('h2')), /^Backend Developer: /);
  const item = page.locator(`[data-testid="draft-list-item"][data-draft-id="${first}"]`);
  assert.equal(await textOf(item.getByTestId('draft-list-words')), '5 words');
  assert.equal(await textOf(item.getByTestId('draft-list-speaking')), '2 s spoken');
  assert.doesNotMatch(await textOf(item), /version/i);

  // Delete asks first; dismissed, nothing goes; accepted, the draft goes.
  page.once('dialog', (dialog) => dialog.dismiss());
  await item.getByTestId('draft-list-delete').click();
  assert.equal(await page.getByTestId('draft-list-item').count(), 2);
  page.once('dialog', (dialog) => dialog.accept());
  await item.getByTestId('draft-list-delete').click();
  await eventually(async () => (await page.getByTestId('draft-list-item').count()) === 1);
  assert.equal(await page.locator(`[data-testid="draft-list-item"][data-draft-id="${second}"]`).count(), 1);
  await page.context().close();
});
