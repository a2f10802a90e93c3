// Interviews in the example SPA: scheduling from a role page, ticking a task in
// one tab and seeing it in another, rescheduling, the agenda and the feed URL.
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
const ZONE = 'Europe/London';
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

async function newPage(...args) {
  const page = await harnessPage(...args);
  return watchPageErrors(page);
}

let accounts = 0;

/** A new browser context with a user signed up in it; returns its first page. */
async function signedInPage(name) {
  accounts += 1;
  const page = await newPage(browser);
  await page.goto(`${server.url}/signup`);
  await page.getByTestId('signup-name').fill(name);
  await page.getByTestId('signup-email').fill(`interviews-${process.pid}-${Date.now()}-${accounts}@example.com`);
  await page.getByTestId('signup-password').fill(PASSWORD);
  await page.getByTestId('signup-submit').click();
  await waitForText(page.getByTestId('current-user'), name);
  return page;
}

/** `YYYY-MM-DD`, `days` from today (UTC). */
function dayFromNow(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function minusDays(date, days) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/** Schedules an interview through the role page's form; returns its ID. */
async function scheduleThroughTheForm(page, day, time = '10:00') {
  await page.goto(`${server.url}/roles/${SLUG}`);
  await page.getByTestId('schedule-interview').click();
  await page.getByTestId('schedule-form').waitFor();
  await page.getByTestId('schedule-company').fill('Acme');
  await page.getByTestId('schedule-stage').selectOption('FINAL_PANEL');
  await page.getByTestId('schedule-when').fill(`${day}T${time}`);
  await page.getByTestId('schedule-zone').fill(ZONE);
  await page.getByTestId('schedule-submit').click();
  await page.getByTestId('interview-page').waitFor();
  await page.waitForURL(/\/interviews\/[^/]+$/);
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
}

async function token(page) {
  return page.evaluate(() => localStorage.getItem('prep.token'));
}

/** The interview as the API has it. */
async function fetchInterview(page, id) {
  const { data, errors } = await graphql(
    server,
    'query ($id: ID!) { interview(id: $id) { version localDate scheduledAt timeZone plan { id text dueOn done daysBefore } } }',
    { id },
    await token(page),
  );
  assert.equal(errors, undefined);
  return data.interview;
}

async function waitLive(page, timeout = 10_000) {
  await page.locator('[data-testid="live-state"][data-live="true"]').waitFor({ timeout });
}

test('an interview scheduled from a role page gets its dated plan, grouped by day', async () => {
  const page = await signedInPage('Ada');
  const day = dayFromNow(30);
  const id = await scheduleThroughTheForm(page, day);
  const interview = await fetchInterview(page, id);
  assert.equal(interview.localDate, day);
  assert.equal(interview.timeZone, ZONE);
  // 10:00 on the clocks in London, whatever the browser's own zone.
  const shownInLondon = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(interview.scheduledAt));
  assert.equal(shownInLondon, '10:00');

  await eventually(async () => (await page.getByTestId('interview-local-date').getAttribute('data-date')) === day);
  const days = page.getByTestId('plan-day');
  assert.deepEqual(
    await Promise.all((await days.all()).map((d) => d.getAttribute('data-date'))),
    [14, 7, 1].map((n) => minusDays(day, n)),
  );
  const tasks = page.getByTestId('plan-task-text');
  assert.deepEqual(
    await Promise.all((await tasks.all()).map(textOf)),
    interview.plan.map((t) => t.text),
  );
  await waitForText(page.getByTestId('plan-progress'), '0 of 9 done');

  // A task of one's own, listed on its day.
  await page.getByTestId('add-task-text').fill('Print the CV');
  await page.getByTestId('add-task-due').fill(minusDays(day, 2));
  await page.getByTestId('add-task-submit').click();
  await waitForText(page.getByTestId('plan-progress'), '0 of 10 done');
  const own = page.locator(`[data-testid="plan-day"][data-date="${minusDays(day, 2)}"] [data-testid="plan-task-text"]`);
  await waitForText(own, 'Print the CV');

  // The agenda page lays out the next 14 days: each day with something on it,
  // each run of days with nothing planned as one line (none is in its 14 days here).
  await page.goto(`${server.url}/agenda`);
  const entries = page.locator('[data-testid="agenda-day"], [data-testid="agenda-empty"]');
  await entries.first().waitFor();
  const covered = await entries.evaluateAll((els) =>
    els.map((e) => (e.dataset.testid === 'agenda-day' ? 1 : Number(e.dataset.days))),
  );
  assert.equal(covered.reduce((sum, n) => sum + n, 0), 14, JSON.stringify(covered));
  await screenshot(page, 'interviews-agenda');
});

test('a task ticked in one tab is ticked in the other', async () => {
  const first = await signedInPage('Grace');
  const id = await scheduleThroughTheForm(first, dayFromNow(20));
  const second = await newPage(browser, first.context());
  await second.goto(`${server.url}/interviews/${encodeURIComponent(id)}`);
  await second.getByTestId('interview-page').waitFor();
  await waitLive(first);
  await waitLive(second);

  const task = (await fetchInterview(first, id)).plan[4];
  const row = (page) => page.locator(`[data-testid="plan-task"][data-task-id="${task.id}"]`);
  await first.bringToFront();
  await row(first).getByTestId('plan-task-done').click();
  await row(second).and(second.locator('[data-done="true"]')).waitFor({ timeout: LIVE_TIMEOUT_MS });
  await waitForText(second.getByTestId('plan-progress'), '1 of 9 done', LIVE_TIMEOUT_MS);
  await eventually(async () => (await second.getByTestId('interview-page').getAttribute('data-version')) === '2', {
    timeout: LIVE_TIMEOUT_MS,
  });
  assert.equal((await fetchInterview(first, id)).plan.find((t) => t.id === task.id).done, true);

  // And back again, from the other tab.
  await second.bringToFront();
  await row(second).getByTestId('plan-task-done').click();
  await row(first).and(first.locator('[data-done="false"]')).waitFor({ timeout: LIVE_TIMEOUT_MS });
  await waitForText(first.getByTestId('plan-progress'), '0 of 9 done', LIVE_TIMEOUT_MS);
  await screenshot(second, 'interviews-two-tabs');
});

test('rescheduling moves the open timeline tasks and says which moved', async () => {
  const page = await signedInPage('Katherine');
  const day = dayFromNow(25);
  const id = await scheduleThroughTheForm(page, day);
  const before = await fetchInterview(page, id);
  const ticked = before.plan[0];
  await page.locator(`[data-testid="plan-task"][data-task-id="${ticked.id}"]`).getByTestId('plan-task-done').click();
  await eventually(async () => (await page.getByTestId('interview-page').getAttribute('data-version')) === '2');

  const later = dayFromNow(32);
  await page.getByTestId('reschedule-when').fill(`${later}T10:00`);
  await page.getByTestId('reschedule-submit').click();
  await page.getByTestId('moved-tasks').waitFor();
  await eventually(async () => (await page.getByTestId('interview-local-date').getAttribute('data-date')) === later);
  const moved = page.getByTestId('moved-task');
  assert.equal(await moved.count(), 8, 'every open timeline task moved, the done one did not');

  const after = await fetchInterview(page, id);
  assert.equal(after.version, 3);
  for (const task of after.plan) {
    const expected = task.id === ticked.id ? ticked.dueOn : minusDays(later, task.daysBefore);
    assert.equal(task.dueOn, expected, task.text);
  }
  const shownTo = await Promise.all(
    (await page.getByTestId('moved-task-to').all()).map((to) => to.getAttribute('data-date')),
  );
  assert.deepEqual(
    shownTo.sort(),
    after.plan.filter((t) => t.id !== ticked.id).map((t) => t.dueOn).sort(),
  );
  await screenshot(page, 'interviews-rescheduled');
});

test('the calendar feed address is made, works, and a new one turns the old one off', async () => {
  const page = await signedInPage('Barbara');
  await scheduleThroughTheForm(page, dayFromNow(40));
  await page.goto(`${server.url}/interviews`);
  await page.getByTestId('interview-list-item').first().waitFor();
  // Making an address, and making a new one, each ask first (what it breaks): yes.
  page.on('dialog', (dialog) => dialog.accept());
  await page.getByTestId('calendar-feed-rotate').click();
  const first = await page.getByTestId('calendar-feed-url').inputValue();
  assert.match(first, /\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
  const feed = await fetch(first);
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get('content-type'), /^text\/calendar/);
  assert.match(await feed.text(), /BEGIN:VEVENT/);

  await page.getByTestId('calendar-feed-rotate').click();
  await eventually(async () => (await page.getByTestId('calendar-feed-url').inputValue()) !== first);
  assert.equal((await fetch(first)).status, 404);
  assert.equal((await fetch(await page.getByTestId('calendar-feed-url').inputValue())).status, 200);
});
