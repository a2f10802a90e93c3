// Issue 26, "the web app a candidate trusts": each defect an outside walk
// through the app found, as a test that failed before its fix. Most run with
// the phone profile (390x844, 4x CPU, Fast 3G; see `PHONE` in harness.mjs),
// where the defects showed worst.
//
// Build the app first: cd examples/spa && npm ci && npm run build

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import {
  ARTIFACTS,
  CHROMIUM_ARGS,
  ROOT,
  eventually,
  graphql,
  launchBrowser,
  newPage as harnessPage,
  newPhonePage,
  seriousViolations,
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
 * element with one of `flashes` (test IDs) that appears even for a moment;
 * `autosave: false` turns the editor's autosave off (on a desktop).
 */
async function candidatePage({ desktop = false, flashes = [], token, autosave = true } = {}) {
  token ??= await register();
  const init = `${signIn(token)}\n${watchForFlashes(flashes)}`;
  let page;
  if (desktop || !autosave) {
    page = await harnessPage(browser, undefined, { autosave });
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

/** A question of the bundled role, by its place in the list. */
async function question(page, index = 0) {
  const { role } = await api(page, `{ role(slug: "${SLUG}") { questions { id prompt competencies { slug } } } }`);
  return role.questions[index];
}

/** 48 words, as in the walk that found defect 2. */
const TRANSCRIPT =
  'At my last company our checkout API slowed down every Black Friday. I had to make it hold five times the ' +
  'traffic. I profiled the hot paths myself, added a read cache and moved the emails to a queue. Latency fell by ' +
  'forty percent and our sales grew.';

test('2. practice times the speaking: Stop ends the clock, the recording stays on the device and plays back', async () => {
  // A browser with a fake microphone that the page may use without asking.
  const micBrowser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
  try {
    const token = await register();
    const page = watchPageErrors(await newPhonePage(micBrowser, { init: signIn(token) }));
    page.token = token;
    await page.context().grantPermissions(['microphone'], { origin: server.url });
    const bodies = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') bodies.push(request.postData() ?? '');
    });
    const q = await question(page);
    await page.goto(`${server.url}/practice?question=${encodeURIComponent(q.id)}`);
    await page.getByTestId('practice-start').click();
    const timer = page.getByTestId('practice-timer');
    await eventually(async () => (await textOf(timer)) === '0:02', { timeout: 10_000 });
    await page.getByTestId('practice-stop').click();
    assert.equal(await timer.getAttribute('data-running'), 'false');
    const stoppedAt = await textOf(timer);
    // Writing the transcript takes a while; it is not spoken time.
    await page.getByTestId('practice-transcript').pressSequentially(TRANSCRIPT.slice(0, 40));
    await page.getByTestId('practice-transcript').fill(TRANSCRIPT);
    await page.waitForTimeout(3_000);
    assert.equal(await textOf(timer), stoppedAt, 'the clock ran on after Stop');
    await page.getByTestId('practice-finish').click();
    await page.getByTestId('practice-result').waitFor({ timeout: SAVE_TIMEOUT_MS });
    const seconds = Number(await textOf(page.getByTestId('practice-seconds')));
    assert.ok(seconds >= 2 && seconds <= 3, `graded ${seconds} s of speaking, the clock showed ${stoppedAt}`);
    assert.equal(await textOf(page.getByTestId('practice-words')), '48');
    // The transcript stays in view beside the feedback (defect 9).
    assert.match(await textOf(page.getByTestId('practice-said')), /Black Friday/);

    // The recording plays back beside the feedback, from this device only.
    const playback = page.getByTestId('practice-playback');
    await playback.waitFor({ timeout: SAVE_TIMEOUT_MS });
    assert.match(await playback.getAttribute('src'), /^blob:/);
    const kept = await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('prep.practice');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const read = open.result.transaction('recordings').objectStore('recordings').getAll();
            read.onsuccess = () => resolve(read.result.map((r) => ({ id: r.attemptId, size: r.audio.size })));
          };
        }),
    );
    assert.equal(kept.length, 1);
    assert.ok(kept[0].size > 0, 'an empty recording');
    for (const body of bodies) {
      assert.ok(body.length < 8_000 && !/audio|webm|base64/i.test(body), `something like audio was sent: ${body.slice(0, 200)}`);
    }
  } finally {
    await micBrowser.close();
  }
});

test('2. speech recognition fills the transcript where it exists, and where it does not the page says so', async () => {
  const token = await register();
  const q = await question({ token }, 1);
  const url = `${server.url}/practice?question=${encodeURIComponent(q.id)}`;

  // No speech recognition in this browser: said, not a dead button.
  const without = watchPageErrors(
    await harnessPage(browser),
  );
  await without.context().addInitScript(
    `${signIn(token)} delete window.SpeechRecognition; delete window.webkitSpeechRecognition;`,
  );
  await without.goto(url);
  await without.getByTestId('practice-start').click();
  await eventually(async () => /does not turn speech into text/.test(await textOf(without.getByTestId('practice-speech-note'))));
  await without.getByTestId('practice-stop').click();

  // A browser that recognises speech: what is said is written as it is said.
  const withSpeech = watchPageErrors(await harnessPage(browser));
  await withSpeech.context().addInitScript(`${signIn(token)}
    window.SpeechRecognition = window.webkitSpeechRecognition = class {
      start() {
        setTimeout(() => this.onresult?.({
          resultIndex: 0,
          results: [Object.assign([{ transcript: 'I led the checkout team' }], { isFinal: true })],
        }), 100);
      }
      stop() { setTimeout(() => this.onend?.(), 0); }
    };`);
  await withSpeech.goto(url);
  await withSpeech.getByTestId('practice-start').click();
  await eventually(async () => (await withSpeech.getByTestId('practice-transcript').inputValue()) === 'I led the checkout team');
  await withSpeech.getByTestId('practice-stop').click();
  await withSpeech.getByTestId('practice-finish').click();
  await withSpeech.getByTestId('practice-result').waitFor();
  assert.equal(await textOf(withSpeech.getByTestId('practice-words')), '5');
});

test('3. a link tapped right after typing shows only "Saving…" and goes on when the save lands', async () => {
  const page = await candidatePage({ flashes: ['leave-guard'] });
  const { createStarDraft: draft } = await api(page, 'mutation { createStarDraft(input: { title: "Leaving" }) { id } }');
  await page.goto(`${server.url}/drafts/${encodeURIComponent(draft.id)}`);
  const situation = 'Checkout slowed down every Black Friday.';
  await page.getByTestId('draft-situation').fill(situation);
  await page.locator('.breadcrumb a', { hasText: 'My drafts' }).click();
  await page.waitForURL(/\/drafts$/, { timeout: SAVE_TIMEOUT_MS });
  assert.deepEqual(await flashed(page), [], 'the "not saved" dialog flashed');
  const { starDraft } = await api(page, 'query ($id: ID!) { starDraft(id: $id) { situation } }', { id: draft.id });
  assert.equal(starDraft.situation, situation);
});

/** An interview 30 days ahead for the page's candidate (its whole plan lies ahead). */
async function interviewIn30Days(page, company = 'Acme') {
  const { role } = await api(page, `{ role(slug: "${SLUG}") { id } }`);
  const at = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const { scheduleInterview } = await api(
    page,
    'mutation ($input: ScheduleInterviewInput!) { scheduleInterview(input: $input) { id plan { dueOn } } }',
    { input: { roleId: role.id, company, stage: 'TECHNICAL', scheduledAt: `${at}T09:00:00Z`, timeZone: 'Europe/London' } },
  );
  return scheduleInterview;
}

test('4. next steps and plan tasks are links to the exact place', async () => {
  const page = await candidatePage();
  const interview = await interviewIn30Days(page);
  const here = `${server.url}/interviews/${encodeURIComponent(interview.id)}`;
  await page.goto(here);
  const actions = page.getByTestId('readiness-action');
  await actions.first().waitFor({ timeout: SAVE_TIMEOUT_MS });

  // "3 plan tasks due by ..." goes to that day of the plan.
  const due = actions.filter({ hasText: /plan tasks due by/ }).getByRole('link');
  await due.click();
  await page.waitForURL(`${here}#plan-day-${interview.plan[0].dueOn}`);
  await eventually(() => page.locator(`#plan-day-${interview.plan[0].dueOn}`).isVisible());

  // "Write a READY story for leadership" opens a new draft tagged with it.
  await actions.filter({ hasText: 'Write a READY story for leadership' }).getByRole('link').click();
  await page.waitForURL(/\/drafts\/(new\?competency=leadership|[^/?]+)$/, { timeout: SAVE_TIMEOUT_MS });
  await page.getByTestId('draft-editor').waitFor({ timeout: SAVE_TIMEOUT_MS });
  const leadership = page.locator('[data-testid="competency-chip"][data-slug="leadership"]');
  assert.equal(await leadership.getAttribute('aria-pressed'), 'true');

  // A plan task done in the app ("Say your answers aloud") links to practice.
  await page.goto(here);
  const task = page.getByTestId('plan-task').filter({ hasText: 'Say your answers aloud' });
  await task.getByTestId('plan-task-go').click();
  await page.waitForURL(new RegExp(`/roles/${SLUG}#questions$`));
  await page.getByTestId('practise-question').first().waitFor();
  // A task done elsewhere (research) has no link.
  await page.goto(here);
  await page.getByTestId('plan-task').first().waitFor({ timeout: SAVE_TIMEOUT_MS });
  const research = page.getByTestId('plan-task').filter({ hasText: 'Read up on the employer' });
  assert.equal(await research.getByTestId('plan-task-go').count(), 0);
});

test('5. an answer started with "Build a STAR answer" counts for the question\'s competencies', async () => {
  const page = await candidatePage();
  const q = await question(page, 0);
  assert.ok(q.competencies.length > 0, 'the first question probes no competency');
  await page.goto(`${server.url}/roles/${SLUG}`);
  await page.getByTestId('build-star-answer').first().click();
  await page.getByTestId('draft-editor').waitFor({ timeout: SAVE_TIMEOUT_MS });
  await page.getByTestId('draft-situation').fill('Our checkout API slowed down every Black Friday.');
  await page.waitForURL(/\/drafts\/(?!new)[^/?]+$/, { timeout: SAVE_TIMEOUT_MS });
  await waitForText(page.getByTestId('save-state'), 'Saved', SAVE_TIMEOUT_MS);
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  const { starDraft } = await api(page, 'query ($id: ID!) { starDraft(id: $id) { competencies { slug } questions { id } } }', { id });
  assert.deepEqual(starDraft.questions.map((x) => x.id), [q.id]);
  assert.deepEqual(
    starDraft.competencies.map((c) => c.slug).sort(),
    q.competencies.map((c) => c.slug).sort(),
  );
});

/** An init script summing the page's layout shifts (not caused by input) in `window.__cls`. */
const MEASURE_CLS = `(() => {
  window.__cls = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
  }).observe({ type: 'layout-shift', buffered: true });
})();`;

test('6. the interview page does not jump when its readiness loads (CLS < 0.1 on a phone)', async () => {
  const token = await register();
  const page = watchPageErrors(await newPhonePage(browser, { init: `${signIn(token)}\n${MEASURE_CLS}` }));
  page.token = token;
  const interview = await interviewIn30Days(page);
  await page.goto(`${server.url}/interviews/${encodeURIComponent(interview.id)}`);
  await page.getByTestId('plan').waitFor({ timeout: SAVE_TIMEOUT_MS });
  await page.getByTestId('readiness-score').waitFor({ timeout: SAVE_TIMEOUT_MS });
  // The socket connecting and the rest arriving: let the page settle.
  await page.waitForTimeout(2_000);
  const cls = await page.evaluate(() => window.__cls);
  assert.ok(cls < 0.1, `cumulative layout shift ${cls.toFixed(3)}`);
});

/**
 * Where the README's screenshots go: `docs/screenshots/` when
 * `README_SCREENSHOTS=1` (to update them), the artifacts otherwise.
 */
async function readmeScreenshot(page, name) {
  const dir = process.env.README_SCREENSHOTS === '1' ? join(ROOT, 'docs/screenshots') : ARTIFACTS;
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

test('the README\'s screenshots: the role page on a phone, the editor with feedback', async () => {
  const phone = await candidatePage();
  await phone.goto(`${server.url}/roles/${SLUG}`);
  await phone.getByTestId('role-title').waitFor({ timeout: SAVE_TIMEOUT_MS });
  await phone.getByTestId('build-star-answer').first().waitFor();
  await readmeScreenshot(phone, 'role-page-phone');

  const desktop = await candidatePage({ desktop: true });
  await desktop.setViewportSize({ width: 1280, height: 900 });
  const { createStarDraft: draft } = await api(
    desktop,
    `mutation ($input: CreateStarDraftInput!) { createStarDraft(input: $input) { id } }`,
    {
      input: {
        title: 'Checkout API at peak',
        situation: 'Every Black Friday our checkout API slowed to a crawl and customers abandoned their baskets.',
        task: 'I owned checkout latency and had to make it hold five times the usual traffic.',
        action:
          'I profiled the slowest requests, found a lock held across a payment call, moved emails and receipts onto a ' +
          'queue, added a read cache for prices and ran load tests every week until the peak.',
        result: 'p99 latency fell from 2.1 s to 300 ms and we took 40% more orders than the year before.',
        competencies: ['achievement'],
      },
    },
  );
  await desktop.goto(`${server.url}/drafts/${encodeURIComponent(draft.id)}`);
  await desktop.getByTestId('draft-editor').waitFor();
  await desktop.getByTestId('feedback').waitFor();
  await readmeScreenshot(desktop, 'editor-feedback');
});

test('11. the phone header is one line with a menu; signed-out visitors see no private pages; sign-up returns to the page', async () => {
  const visitor = watchPageErrors(await newPhonePage(browser));
  await visitor.goto(`${server.url}/roles/${SLUG}`);
  await visitor.getByTestId('role-title').waitFor({ timeout: SAVE_TIMEOUT_MS });
  const height = () => visitor.locator('.site-header').evaluate((h) => h.getBoundingClientRect().height);
  assert.ok((await height()) <= 64, `the header is ${await height()} px high`);
  await visitor.getByTestId('menu-button').click();
  const nav = visitor.getByRole('navigation', { name: 'Main' });
  assert.deepEqual((await nav.getByRole('link').allTextContents()).map((t) => t.trim()), ['Roles']);

  // Sign up from the header, on the role page: back on the role page after.
  await visitor.getByTestId('header-signup').click();
  await visitor.getByTestId('signup-name').fill('Returning Visitor');
  await visitor.getByTestId('signup-email').fill(`trust-${process.pid}-${Date.now()}-back@example.com`);
  await visitor.getByTestId('signup-password').fill(PASSWORD);
  await visitor.getByTestId('signup-submit').click();
  await visitor.waitForURL(`${server.url}/roles/${SLUG}`, { timeout: SAVE_TIMEOUT_MS });
  await visitor.getByTestId('role-title').waitFor();
  assert.ok((await height()) <= 64, `signed in, the header is ${await height()} px high`);
  await visitor.getByTestId('menu-button').click();
  assert.deepEqual(
    (await nav.getByRole('link').allTextContents()).map((t) => t.trim()),
    ['Roles', 'My drafts', 'Story bank', 'Interviews', 'Agenda', 'Shared with me', 'Account'],
  );

  // On a desktop the links are in the header itself: no Menu button.
  const desktop = await candidatePage({ desktop: true });
  await desktop.goto(`${server.url}/roles/${SLUG}`);
  await desktop.getByTestId('role-title').waitFor({ timeout: SAVE_TIMEOUT_MS });
  assert.equal(await desktop.getByTestId('menu-button').isVisible(), false, 'no Menu button on a desktop');
  assert.ok(await desktop.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).isVisible());
});

test('10. offline, the alert and the status stay put; the "Restored text" banner stays until dismissed', async () => {
  const page = await candidatePage({ desktop: true });
  const { createStarDraft: draft } = await api(page, 'mutation { createStarDraft(input: { title: "Offline" }) { id } }');
  await page.goto(`${server.url}/drafts/${encodeURIComponent(draft.id)}`);
  await page.getByTestId('draft-editor').waitFor();
  const isSave = (route) => (route.request().postData() ?? '').includes('updateStarDraft(');
  await page.route('**/graphql', (route) => (isSave(route) ? route.abort('internetdisconnected') : route.fallback()));
  await page.getByTestId('draft-situation').fill('Checkout slowed down every Black Friday.');
  const state = page.getByTestId('save-state');
  await waitForText(state, 'Offline: kept on this device', SAVE_TIMEOUT_MS);
  // Every change of the status and of the alert over two retries (3 s apart).
  await page.evaluate(() => {
    window.__changes = [];
    const note = () =>
      window.__changes.push(
        `${document.querySelector('[data-testid="save-state"]')?.textContent}|${!!document.querySelector('[data-testid="save-error"]')}`,
      );
    new MutationObserver(note).observe(document.querySelector('[data-testid="draft-editor"]'), {
      childList: true,
      subtree: true,
      characterData: true,
    });
  });
  await page.waitForTimeout(7_000);
  const changes = await page.evaluate(() => [...new Set(window.__changes)]);
  assert.deepEqual(changes.filter((c) => c !== 'Offline: kept on this device|true'), [], 'the offline state blinked');

  // A reload puts the text back; once saved, the banner is still there to read.
  page.once('dialog', (dialog) => dialog.accept());
  await page.reload();
  await page.getByTestId('backup-restored').waitFor();
  await page.unrouteAll({ behavior: 'wait' });
  await waitForText(state, 'Saved', SAVE_TIMEOUT_MS);
  await page.waitForTimeout(2_000);
  assert.equal(await page.getByTestId('backup-restored').count(), 1, 'the banner went before it could be read');
  await page.getByTestId('backup-restored').getByRole('button', { name: 'OK' }).click();
  assert.equal(await page.getByTestId('backup-restored').count(), 0);
});

test('7. the calendar address is kept and shown on demand, with webcal and Google links; a new one is confirmed first', async () => {
  const page = await candidatePage({ desktop: true });
  await interviewIn30Days(page);
  await page.goto(`${server.url}/interviews`);
  const dialogs = [];
  let answer = true;
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    return answer ? dialog.accept() : dialog.dismiss();
  });
  await page.getByTestId('calendar-feed-rotate').click();
  const address = await page.getByTestId('calendar-feed-url').inputValue();
  assert.match(address, /\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);

  // After a reload it is still there, on demand.
  await page.reload();
  await page.getByTestId('calendar-feed-show').click();
  assert.equal(await page.getByTestId('calendar-feed-url').inputValue(), address);
  const webcal = address.replace(/^http:/, 'webcal:');
  assert.equal(await page.getByTestId('calendar-feed-webcal').getAttribute('href'), webcal);
  assert.equal(
    await page.getByTestId('calendar-feed-google').getAttribute('href'),
    `https://calendar.google.com/calendar/r?cid=${encodeURIComponent(webcal)}`,
  );

  // "Make a new address" says what it breaks; saying no keeps the address working.
  answer = false;
  await page.getByTestId('calendar-feed-rotate').click();
  await eventually(() => dialogs.length === 2);
  assert.match(dialogs[1], /stops updating/);
  assert.equal((await fetch(address)).status, 200);
  assert.equal(await page.getByTestId('calendar-feed-url').inputValue(), address);
});

test('12. the interview page speaks plainly: "in 30 days", no version, "moved up", "stories marked Ready"', async () => {
  const page = await candidatePage();
  const interview = await interviewIn30Days(page);
  await page.goto(`${server.url}/interviews/${encodeURIComponent(interview.id)}`);
  await page.getByTestId('readiness-competencies').waitFor({ timeout: SAVE_TIMEOUT_MS });
  assert.equal(await textOf(page.getByTestId('interview-relative-day')), '(in 30 days)');
  const header = await textOf(page.locator('.interview-page > header'));
  assert.doesNotMatch(header, /version/i);
  assert.match(await textOf(page.getByTestId('readiness-competencies')), /\(0 stories marked Ready\)$/);
  assert.doesNotMatch(await textOf(page.getByTestId('plan')), /compressed/);
});

test('8. "Build a STAR answer" then Back leaves no draft; the first keystroke makes it, losing nothing typed', async () => {
  const page = await candidatePage();
  const q = await question(page, 0);
  await page.goto(`${server.url}/roles/${SLUG}`);
  const build = page.locator(`[data-testid="question"][data-question-id="${q.id}"]`).getByTestId('build-star-answer');
  await build.click();
  await page.getByTestId('draft-situation').waitFor({ timeout: SAVE_TIMEOUT_MS });
  await waitForText(page.getByTestId('question-ref'), `Answering: ${q.prompt} Backend Developer`, SAVE_TIMEOUT_MS);
  // A curious tap, then Back: nothing was made.
  await page.goBack();
  await page.getByTestId('role-title').waitFor({ timeout: SAVE_TIMEOUT_MS });
  await waitForText(build, 'Build a STAR answer');
  assert.equal((await api(page, '{ myStarDrafts { totalCount } }')).myStarDrafts.totalCount, 0);
  await page.goto(`${server.url}/drafts`);
  await waitForText(page.getByTestId('drafts-total-count'), '0', SAVE_TIMEOUT_MS);

  // Typing makes it; what is typed while it is being made (Fast 3G) is kept and saved.
  await page.goto(`${server.url}/roles/${SLUG}`);
  await build.click();
  const situation = page.getByTestId('draft-situation');
  await situation.click();
  // Short: each key is a render on a throttled phone; the create takes a Fast 3G round trip.
  const text = 'Checkout slowed on Black Friday.';
  await situation.pressSequentially(text, { timeout: 60_000 });
  await page.waitForURL(/\/drafts\/(?!new)[^/?]+$/, { timeout: SAVE_TIMEOUT_MS });
  await waitForText(page.getByTestId('save-state'), 'Saved', SAVE_TIMEOUT_MS);
  assert.equal(await situation.inputValue(), text);
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  const { starDraft } = await api(
    page,
    'query ($id: ID!) { starDraft(id: $id) { situation questions { id } competencies { slug } } }',
    { id },
  );
  assert.equal(starDraft.situation, text);
  assert.deepEqual(starDraft.questions.map((x) => x.id), [q.id]);
  assert.deepEqual(starDraft.competencies.map((c) => c.slug).sort(), q.competencies.map((c) => c.slug).sort());
  assert.equal((await api(page, '{ myStarDrafts { totalCount } }')).myStarDrafts.totalCount, 1);
  // The editor's address replaced the new one's: Back goes to the role page, which now opens it.
  await page.goBack();
  await page.getByTestId('role-title').waitFor({ timeout: SAVE_TIMEOUT_MS });
  await waitForText(build, 'Open your STAR answer', SAVE_TIMEOUT_MS);
});

test('12. the editor and forms speak plainly: no version numbers, no server wording, a list of time zones', async () => {
  // A desktop in Tokyo: the zone box starts with the browser's zone.
  const token = await register();
  const context = await browser.newContext({ timezoneId: 'Asia/Tokyo', viewport: { width: 1280, height: 900 } });
  await context.addInitScript(signIn(token));
  const page = watchPageErrors(await context.newPage());
  page.token = token;

  // The editor says when it was saved, in words, and counts "1 word".
  const { createStarDraft: draft } = await api(page, 'mutation { createStarDraft(input: {}) { id } }');
  await page.goto(`${server.url}/drafts/${encodeURIComponent(draft.id)}`);
  await page.getByTestId('draft-situation').fill('Checkout');
  await waitSaved(page, 2);
  assert.equal(await textOf(page.getByTestId('draft-saved-at')), 'Saved just now');
  assert.equal(await textOf(page.getByTestId('live-summary-words')), '1 word');
  assert.doesNotMatch(await page.getByTestId('draft-editor').innerText(), /version/i);

  // Scheduling: the browser's zone by default, a list to pick from, plain refusals.
  await page.goto(`${server.url}/roles/${SLUG}/schedule`);
  const zone = page.getByTestId('schedule-zone');
  await zone.waitFor();
  assert.equal(await zone.inputValue(), 'Asia/Tokyo');
  const zones = await page.getByTestId('schedule-zone-options').locator('option').evaluateAll((o) => o.map((x) => x.value));
  assert.ok(zones.length > 300 && zones.includes('Europe/London') && zones.includes('UTC'), `${zones.length} zones`);
  await page.getByTestId('schedule-company').fill('Acme');
  await page.getByTestId('schedule-when').fill('2020-01-06T09:00');
  await zone.fill('Mars/Olympus_Mons');
  await page.getByTestId('schedule-submit').click();
  await waitForText(page.locator('[data-testid="schedule-form"] [role="alert"]'), 'Choose a time zone from the list, for example Europe/London.');
  // A start that has passed: the server refuses it, the page says so in words.
  await zone.fill('europe/london');
  await page.getByTestId('schedule-submit').click();
  await waitForText(page.locator('[data-testid="schedule-form"] [role="alert"]'), 'Choose a start time that has not passed yet.');
  assert.doesNotMatch(await page.getByTestId('schedule-form').innerText(), /scheduledAt|not in the future/);
  await context.close();
});

/** An interview `days` ahead for the page's candidate; returns it with its plan's task ids. */
async function interviewInDays(page, days) {
  const { role } = await api(page, `{ role(slug: "${SLUG}") { id } }`);
  const at = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  const { scheduleInterview } = await api(
    page,
    'mutation ($input: ScheduleInterviewInput!) { scheduleInterview(input: $input) { id plan { id dueOn done } } }',
    { input: { roleId: role.id, company: 'Acme', stage: 'TECHNICAL', scheduledAt: `${at}T09:00:00Z`, timeZone: 'Europe/London' } },
  );
  return scheduleInterview;
}

test('12. agenda tasks are ticked where they are listed, and other tabs follow', async () => {
  const a = await candidatePage({ desktop: true });
  await interviewInDays(a, 5);
  const b = await harnessPage(browser, a.context());
  watchPageErrors(b);
  for (const page of [a, b]) {
    await page.goto(`${server.url}/agenda`);
    await page.locator('[data-testid="live-state"][data-live="true"]').waitFor({ timeout: SAVE_TIMEOUT_MS });
  }
  const task = (page) => page.getByTestId('agenda-task').first();
  await task(a).waitFor();
  const text = await textOf(task(a));
  assert.equal(await task(a).getAttribute('data-done'), 'false');
  // The box shows the server's answer (a click, not `check`, which wants it at once).
  await task(a).getByTestId('agenda-task-done').click();
  await eventually(async () => (await task(a).getAttribute('data-done')) === 'true', { timeout: SAVE_TIMEOUT_MS });
  // The other tab, live.
  await eventually(async () => (await task(b).getAttribute('data-done')) === 'true', { timeout: SAVE_TIMEOUT_MS });
  assert.equal(await textOf(task(b)), text);
  assert.equal(await task(b).getByTestId('agenda-task-done').isChecked(), true);
  // Unticked again.
  await task(b).getByTestId('agenda-task-done').click();
  await eventually(async () => (await task(a).getAttribute('data-done')) === 'false', { timeout: SAVE_TIMEOUT_MS });
});

test('12. readiness in another tab follows a practice attempt', async () => {
  const a = await candidatePage({ desktop: true });
  const interview = await interviewIn30Days(a);
  await a.goto(`${server.url}/interviews/${encodeURIComponent(interview.id)}`);
  await waitForText(a.getByTestId('readiness-practice'), '0 in the last 7 days', SAVE_TIMEOUT_MS);
  await a.locator('[data-testid="live-state"][data-live="true"]').waitFor({ timeout: SAVE_TIMEOUT_MS });

  const b = await harnessPage(browser, a.context());
  watchPageErrors(b);
  const q = await question(a);
  await b.goto(`${server.url}/practice?question=${encodeURIComponent(q.id)}`);
  await b.getByTestId('practice-start').click();
  await b.getByTestId('practice-stop').click();
  await b.getByTestId('practice-transcript').fill('I led the migration and cut costs by 30 percent.');
  await b.getByTestId('practice-finish').click();
  await b.getByTestId('practice-result').waitFor({ timeout: SAVE_TIMEOUT_MS });

  // The first tab, without a reload.
  await waitForText(a.getByTestId('readiness-practice'), '1 in the last 7 days', SAVE_TIMEOUT_MS);
});

test('9. practice: leaving mid-attempt asks first, Back goes to the role, earlier attempts are listed with feedback', async () => {
  const page = await candidatePage({ desktop: true });
  const q = await question(page);
  await page.goto(`${server.url}/roles/${SLUG}`);
  await page.locator(`[data-testid="question"][data-question-id="${q.id}"]`).getByTestId('practise-question').click();
  await page.getByTestId('practice-page').waitFor({ timeout: SAVE_TIMEOUT_MS });
  const dialogs = [];
  let accept = false;
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.type());
    return accept ? dialog.accept() : dialog.dismiss();
  });

  // Two attempts handed in: the earlier is listed with its feedback, the latest shown in full.
  for (const said of ['I led the migration and cut costs by 30 percent.', 'I led the migration, and costs fell by a third.']) {
    await page.getByTestId('practice-start').click();
    await page.getByTestId('practice-stop').click();
    await page.getByTestId('practice-transcript').fill(said);
    await page.getByTestId('practice-finish').click();
    await waitForText(page.getByTestId('practice-said'), `What you said${said}`, SAVE_TIMEOUT_MS);
  }
  const earlier = page.getByTestId('practice-history-item');
  await eventually(async () => (await earlier.count()) === 1, { timeout: SAVE_TIMEOUT_MS });
  assert.match(await textOf(earlier), /\d+ words a minute, \d+ s, \d+ words/);
  // Practising a question without a draft does not grade "sections said".
  assert.equal(await page.getByTestId('practice-sections').count(), 0);

  // While the clock runs, Back asks; staying keeps the attempt going.
  await page.getByTestId('practice-start').click();
  // The clock runs once the server has recorded the start.
  await page.getByTestId('practice-stop').waitFor({ timeout: SAVE_TIMEOUT_MS });
  await page.getByTestId('practice-back').click();
  await eventually(() => dialogs.length === 1);
  assert.equal(dialogs[0], 'confirm');
  assert.equal(await page.getByTestId('practice-timer').getAttribute('data-running'), 'true');
  assert.match(new URL(page.url()).pathname, /^\/practice$/);

  // Stopped, with a transcript not handed in: closing the tab asks too.
  await page.getByTestId('practice-stop').click();
  await page.getByTestId('practice-transcript').fill('Not handed in yet');
  await page.close({ runBeforeUnload: true });
  await eventually(() => dialogs.length === 2);
  assert.equal(dialogs[1], 'beforeunload');
  assert.equal(page.isClosed(), false);
  assert.equal(await page.getByTestId('practice-transcript').inputValue(), 'Not handed in yet');

  // Leaving anyway: Back goes to the role's questions.
  accept = true;
  await page.getByTestId('practice-back').click();
  await page.waitForURL(new RegExp(`/roles/${SLUG}#questions$`), { timeout: SAVE_TIMEOUT_MS });
  assert.equal(dialogs.length, 3);
});

test('11. on a phone the first "Build a STAR answer" is on the first screen of the role page', async () => {
  const page = await candidatePage();
  await page.goto(`${server.url}/roles/${SLUG}`);
  const first = page.getByTestId('build-star-answer').first();
  await first.waitFor({ timeout: SAVE_TIMEOUT_MS });
  // Whatever loads after (coverage, fonts) must not push it down either.
  await page.waitForTimeout(1_000);
  const box = await first.boundingBox();
  assert.ok(box && box.y + box.height <= 844, `its box: ${JSON.stringify(box)}`);
  assert.equal(await page.evaluate(() => window.scrollY), 0);
});

/** A `YYYY-MM-DD` date `days` after `date`. */
function addDays(date, days) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** "Fri 4 Dec" for a `YYYY-MM-DD` date; "Fri 4" without `month`. */
function shortDay(date, { month = true } = {}) {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    ...(month ? { month: 'short' } : {}),
    timeZone: 'UTC',
  });
}

test('13. the history says when each text was saved, not "Version 11"; the newest is "current", a restore says "restored"', async () => {
  const page = await candidatePage({ desktop: true });
  const { createStarDraft: draft } = await api(page, 'mutation { createStarDraft(input: { title: "Told twice" }) { id } }');
  await page.goto(`${server.url}/drafts/${encodeURIComponent(draft.id)}`);
  const first = 'The first telling of the story.';
  await page.getByTestId('draft-situation').fill(first);
  await waitSaved(page, 2);
  await page.getByTestId('draft-situation').fill('A second telling, which was worse.');
  await waitSaved(page, 3);

  await page.getByTestId('history').locator('summary').click();
  const rows = page.getByTestId('revision');
  await eventually(async () => (await rows.count()) === 3, { timeout: SAVE_TIMEOUT_MS });
  /** The history's rows as the candidate reads them, with each save's time as the browser words it. */
  const read = async () => {
    const { starDraft } = await api(
      page,
      'query ($id: ID!) { starDraft(id: $id) { revisions(first: 20) { nodes { version createdAt } } } }',
      { id: draft.id },
    );
    const when = await page.evaluate(
      (times) =>
        times.map((t) =>
          new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
            new Date(t),
          ),
        ),
      starDraft.revisions.nodes.map((r) => r.createdAt),
    );
    const at = Object.fromEntries(starDraft.revisions.nodes.map((r, i) => [r.version, when[i]]));
    return {
      at,
      rows: await Promise.all(
        (await rows.all()).map(async (row) => ({
          version: await row.getAttribute('data-version'),
          text: (await row.innerText()).replace(/\s+/g, ' ').trim(),
        })),
      ),
    };
  };
  let { at, rows: shown } = await read();
  assert.deepEqual(shown.map((r) => r.version), ['3', '2', '1']);
  assert.deepEqual(
    shown.map((r) => r.text),
    [
      `Saved ${at[3]} (current) · 6 words · Draft · Told twice`,
      `Saved ${at[2]} · 6 words · Draft · Told twice Restore`,
      `Saved ${at[1]} · 0 words · Draft · Told twice Restore`,
    ],
  );
  assert.doesNotMatch(await page.getByTestId('draft-editor').innerText(), /version/i);
  assert.deepEqual(await seriousViolations(page), [], 'axe on the open history');

  // Restoring asks in the same words, and the new newest says where its text came from.
  const dialogs = [];
  page.once('dialog', (dialog) => {
    dialogs.push(dialog.message());
    return dialog.accept();
  });
  await page.locator('[data-testid="revision"][data-version="2"]').getByTestId('restore-revision').click();
  await waitForText(page.getByTestId('draft-version'), '4', SAVE_TIMEOUT_MS);
  assert.deepEqual(dialogs, [`Restore the text saved ${at[2]}? It is saved again as the newest; nothing is deleted.`]);
  await eventually(async () => (await rows.count()) === 4, { timeout: SAVE_TIMEOUT_MS });
  ({ at, rows: shown } = await read());
  assert.deepEqual(shown.map((r) => r.version), ['4', '3', '2', '1']);
  assert.equal(shown[0].text, `Saved ${at[4]} (current) · restored from ${at[2]} · 6 words · Draft · Told twice`);
  assert.equal(await page.getByTestId('revision-restored').count(), 1);
  assert.equal(await page.getByTestId('revision-current').count(), 1);
  assert.doesNotMatch(await page.getByTestId('draft-editor').innerText(), /version/i);
});

test('14. the agenda folds each run of days with nothing planned into one line', async () => {
  const page = await candidatePage({ desktop: true });
  // An interview 30 days ahead: its plan starts 14 days before it, after the agenda's 14 days.
  const interview = await interviewIn30Days(page);
  const today = await page.evaluate(() => {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, '0');
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  });
  for (const days of [2, 4]) {
    await api(
      page,
      'mutation ($input: AddPlanTaskInput!) { addPlanTask(input: $input) { id } }',
      { input: { interviewId: interview.id, text: `Task in ${days} days`, dueOn: addDays(today, days) } },
    );
  }
  await page.goto(`${server.url}/agenda`);
  await page.getByTestId('agenda-day').first().waitFor({ timeout: SAVE_TIMEOUT_MS });

  // The days with something on them, as before.
  const days = await page.getByTestId('agenda-day').evaluateAll((els) => els.map((e) => e.dataset.date));
  assert.deepEqual(days, [addDays(today, 2), addDays(today, 4)]);
  // Each run of empty days: one line, the month said once.
  const runs = await page
    .getByTestId('agenda-empty')
    .evaluateAll((els) => els.map((e) => ({ from: e.dataset.from, to: e.dataset.to, days: Number(e.dataset.days), text: e.textContent })));
  const range = (from, to) => {
    const sameMonth = from.slice(0, 7) === to.slice(0, 7);
    return `${shortDay(from, { month: !sameMonth })} – ${shortDay(to)}`;
  };
  assert.deepEqual(runs, [
    { from: today, to: addDays(today, 1), days: 2, text: `Nothing planned ${range(today, addDays(today, 1))}` },
    { from: addDays(today, 3), to: addDays(today, 3), days: 1, text: `Nothing planned ${shortDay(addDays(today, 3))}` },
    { from: addDays(today, 5), to: addDays(today, 13), days: 9, text: `Nothing planned ${range(addDays(today, 5), addDays(today, 13))}` },
  ]);
  assert.match(runs[1].text, /^Nothing planned [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}$/);
  // In the page's order: the 14 days, each once.
  const order = await page
    .locator('[data-testid="agenda-day"], [data-testid="agenda-empty"]')
    .evaluateAll((els) => els.map((e) => e.dataset.date ?? e.dataset.from));
  assert.deepEqual(order, [today, addDays(today, 2), addDays(today, 3), addDays(today, 4), addDays(today, 5)]);
  assert.doesNotMatch(await page.locator('.agenda-page').innerText(), /Nothing planned\./);
});

test('15. with autosave off, leaving offers "Save and leave" first, which saves and goes on; a refused save stays and says why', async () => {
  const page = await candidatePage({ autosave: false });
  const { createStarDraft: draft } = await api(page, 'mutation { createStarDraft(input: { title: "By hand" }) { id } }');
  const editor = `${server.url}/drafts/${encodeURIComponent(draft.id)}`;
  const saved = async () =>
    (await api(page, 'query ($id: ID!) { starDraft(id: $id) { situation } }', { id: draft.id })).starDraft.situation;
  await page.goto(editor);
  const situation = 'Checkout slowed down every Black Friday.';
  await page.getByTestId('draft-situation').fill(situation);
  await waitForText(page.getByTestId('save-state'), 'Unsaved changes');

  await page.locator('.breadcrumb a', { hasText: 'My drafts' }).click();
  const guard = page.getByTestId('leave-guard');
  await guard.waitFor();
  assert.equal(
    await textOf(guard.locator('p')),
    'Autosave is off: save now, or leave and find your text on this device when you open this draft again.',
  );
  assert.deepEqual(
    (await guard.getByRole('button').allTextContents()).map((t) => t.trim()),
    ['Save and leave', 'Stay on this page', 'Leave (kept on this device)'],
  );
  // The default: focused, so Enter saves and goes on.
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'leave-save');
  assert.deepEqual(await seriousViolations(page), [], 'axe on the leave dialog');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/drafts$/, { timeout: SAVE_TIMEOUT_MS });
  assert.equal(await saved(), situation);

  // A save the server refuses (a Situation over 5,000 characters): the page stays and says why.
  await page.goto(editor);
  await page.getByTestId('draft-situation').fill('word '.repeat(1_001));
  await page.locator('.breadcrumb a', { hasText: 'My drafts' }).click();
  await page.getByTestId('leave-save').click();
  const error = page.getByTestId('save-error');
  await error.waitFor({ timeout: SAVE_TIMEOUT_MS });
  await guard.waitFor({ state: 'detached' });
  assert.equal(await error.getAttribute('data-code'), 'BAD_USER_INPUT');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'save-error');
  assert.equal(new URL(page.url()).pathname, new URL(editor).pathname);
  assert.equal(await saved(), situation);
  // Shortened, the next try goes.
  await page.getByTestId('draft-situation').fill('Short again.');
  await page.locator('.breadcrumb a', { hasText: 'My drafts' }).click();
  await page.getByTestId('leave-save').click();
  await page.waitForURL(/\/drafts$/, { timeout: SAVE_TIMEOUT_MS });
  assert.equal(await saved(), 'Short again.');
});
