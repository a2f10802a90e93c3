// The account pages of the example SPA (issue 25): "Forgot password?" and the
// reset page a mailed link opens (the mail read from a small SMTP server of the
// test's own), the Account page's password change, sessions list, data download
// and account deletion; axe on the new pages and the Account page at phone size.
//
// Build the app first: cd examples/spa && npm ci && npm run build

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import {
  eventually,
  graphql,
  launchBrowser,
  newPage as harnessPage,
  screenshot,
  seriousViolations,
  startServer,
  takePageErrors,
  waitForText,
  watchPageErrors,
} from './harness.mjs';
import { freePort, resetLink, startSmtp } from './smtp.mjs';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';

let server;
let smtp;
let browser;

before(async () => {
  smtp = await startSmtp();
  // The reset link must lead back to this very server: its origin is known
  // before it starts.
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  server = await startServer({
    spa: true,
    bind: `127.0.0.1:${port}`,
    args: ['--smtp-url', smtp.url, '--public-url', origin, '--mail-poll-secs', '1'],
  });
  assert.equal(server.url, origin);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.stop();
});

afterEach(() => {
  assert.deepEqual(takePageErrors(), [], 'uncaught errors in the app');
});

async function newPage(options = {}) {
  return watchPageErrors(await harnessPage(browser, undefined, options));
}

let accounts = 0;

/** Registers an account through the API; returns its email, name and (API) token. */
async function register(displayName) {
  accounts += 1;
  const email = `account-${process.pid}-${Date.now()}-${accounts}@example.com`;
  const { data, errors } = await graphql(
    server,
    'mutation ($input: RegisterInput!) { register(input: $input) { token } }',
    { input: { email, password: PASSWORD, displayName } },
  );
  assert.equal(errors, undefined);
  return { email, displayName, token: data.register.token };
}

/** Whether `password` signs `email` in, asked of the API; the error code otherwise. */
async function loginCode(email, password) {
  const { data, errors } = await graphql(
    server,
    'mutation ($input: LoginInput!) { login(input: $input) { token } }',
    { input: { email, password } },
  );
  return data?.login?.token ? 'OK' : errors?.[0]?.extensions?.code;
}

/** The code the API answers `me` with for `token`: OK, or the error's code. */
async function tokenCode(token) {
  const { data, errors } = await graphql(server, '{ me { id } }', {}, token);
  return errors ? errors[0].extensions?.code : data.me ? 'OK' : 'ANONYMOUS';
}

/** Signs in with the app's form, from wherever the page is. */
async function signIn(page, account, password = PASSWORD) {
  await page.goto(`${server.url}/signin`);
  await page.getByTestId('signin-email').fill(account.email);
  await page.getByTestId('signin-password').fill(password);
  await page.getByTestId('signin-submit').click();
  await waitForText(page.getByTestId('current-user'), account.displayName);
}

/** Opens the Account page through the header's link (in the menu on a phone). */
async function openAccount(page) {
  await page.goto(`${server.url}/`);
  const menu = page.getByTestId('menu-button');
  if (await menu.isVisible()) await menu.click();
  await page.getByTestId('nav-account').click();
  await page.getByTestId('account-page').waitFor();
  await page.getByTestId('session').first().waitFor();
}

/** Waits until the Account page lists `count` sessions. */
async function waitForSessions(page, count) {
  await eventually(async () => (await page.getByTestId('session').count()) === count);
}

test('a forgotten password is reset with the mailed link, once', async () => {
  const account = await register('Rita Reset');
  const page = await newPage();
  await page.goto(`${server.url}/signin`);
  await page.getByTestId('signin-email').fill(account.email);
  await page.getByTestId('forgot-password-link').click();
  // The email typed on the sign-in form comes along.
  assert.equal(await page.getByTestId('forgot-email').inputValue(), account.email);
  await page.getByTestId('forgot-submit').click();
  const sent = page.getByTestId('forgot-sent');
  await sent.waitFor();
  const answer = await sent.textContent();
  assert.match(answer, /If an account exists for .*, a link to reset its password is on its way/);

  // The same words for an email with no account.
  await page.getByTestId('forgot-email').fill(`nobody-${Date.now()}@example.com`);
  await page.getByTestId('forgot-submit').click();
  await eventually(async () => (await sent.textContent()).includes('nobody-'));
  assert.equal((await sent.textContent()).replace(/\S+@example\.com/, 'X'), answer.replace(account.email, 'X'));

  const mail = await smtp.nextMessage();
  assert.match(mail, new RegExp(`^To: .*${account.email.replace(/[.]/g, '\\.')}`, 'mi'));
  const link = resetLink(mail);
  assert.ok(link.startsWith(`${server.url}/reset-password#secret=`), link);
  // The mail for the unknown email never comes.
  assert.equal(smtp.messages.length, 0);

  // The server answers the app for the reset page (a link from a mail is a fresh load).
  await page.goto(link);
  await page.getByTestId('reset-submit').waitFor();
  // The secret is gone from the address bar and the history entry.
  await eventually(async () => !page.url().includes('#'));
  assert.equal(page.url(), `${server.url}/reset-password`);
  assert.deepEqual(await seriousViolations(page), [], 'axe on the reset page');

  // Two different passwords are refused before anything is sent.
  await page.getByTestId('reset-password').fill(NEW_PASSWORD);
  await page.getByTestId('reset-password-again').fill(`${NEW_PASSWORD}!`);
  await page.getByTestId('reset-submit').click();
  await waitForText(page.getByTestId('reset-password-again-error'), 'New password, again is not the same as the first one');
  // Too short: the server's rule, said beside the field.
  await page.getByTestId('reset-password').fill('short');
  await page.getByTestId('reset-password-again').fill('short');
  await page.getByTestId('reset-submit').click();
  await page.getByTestId('reset-password-error').waitFor();
  assert.match(await page.getByTestId('reset-password-error').textContent(), /^New password must be at least \d+ characters/);

  await page.getByTestId('reset-password').fill(NEW_PASSWORD);
  await page.getByTestId('reset-password-again').fill(NEW_PASSWORD);
  await page.getByTestId('reset-submit').click();
  await page.waitForURL(`${server.url}/signin`);
  assert.match(await page.getByTestId('flash-notice').textContent(), /every device was signed out/);
  await screenshot(page, 'account-reset-done');

  // Every session ended, the API's too; the new password works, the old one no longer.
  assert.equal(await tokenCode(account.token), 'UNAUTHENTICATED');
  assert.equal(await loginCode(account.email, PASSWORD), 'UNAUTHENTICATED');
  await signIn(page, account, NEW_PASSWORD);

  // The link worked once: opened again, it says so and offers a new one.
  const again = await newPage();
  await again.goto(link);
  await again.getByTestId('reset-password').fill('yet another passphrase');
  await again.getByTestId('reset-password-again').fill('yet another passphrase');
  await again.getByTestId('reset-submit').click();
  await waitForText(
    again.getByTestId('reset-invalid').locator('p').first(),
    'This link does not work any more: it was already used, or it is too old.',
  );
  await again.getByRole('link', { name: 'Ask for a new link' }).click();
  await again.getByTestId('forgot-email').waitFor();
  assert.equal(await loginCode(account.email, NEW_PASSWORD), 'OK');

  // An address without a secret says what is wrong.
  await again.goto(`${server.url}/reset-password`);
  await again.getByTestId('reset-invalid').waitFor();
  await again.context().close();
  await page.context().close();
});

test('the sessions list ends one session, then every other one', async () => {
  const account = await register('Sam Sessions');
  const here = await newPage();
  const there = await newPage();
  await signIn(here, account);
  await signIn(there, account);
  await openAccount(here);
  // This browser, the other one and the API's registration.
  await waitForSessions(here, 3);
  const current = here.locator('[data-testid="session"][data-current="true"]');
  assert.equal(await current.count(), 1);
  assert.match(await current.textContent(), /Chrome.* on Linux.*This device.*Address127\.0\.0\.1/);
  assert.deepEqual(await seriousViolations(here), [], 'axe on the Account page');

  // The API's session, told apart by its user agent, signed out by its row.
  const apiRow = here.locator('[data-testid="session"]', { hasText: 'Node.js' });
  assert.equal(await apiRow.count(), 1);
  await apiRow.getByTestId('end-session').click();
  await waitForSessions(here, 2);
  assert.match(await here.getByTestId('sessions-notice').textContent(), /Node\.js is signed out/);
  assert.equal(await tokenCode(account.token), 'UNAUTHENTICATED');

  await here.getByTestId('end-other-sessions').click();
  await waitForSessions(here, 1);
  await waitForText(here.getByTestId('sessions-notice'), 'Signed out 1 other session.');
  assert.equal(await here.getByTestId('end-other-sessions').isDisabled(), true);

  // The other browser's next request finds its session ended.
  await there.goto(`${server.url}/drafts`);
  await there.waitForURL(/\/signin\?next=/);
  await waitForText(there.getByTestId('signin-reason'), 'Your session has ended. Please sign in again.');
  // This one stays signed in.
  await here.reload();
  await waitForText(here.getByTestId('current-user'), account.displayName);
  await waitForSessions(here, 1);
  await here.context().close();
  await there.context().close();
});

test('changing the password keeps this session, ends the others, and retires the old one', async () => {
  const account = await register('Cora Change');
  const page = await newPage();
  await signIn(page, account);
  await openAccount(page);
  const submit = page.getByTestId('change-password-submit');

  await page.getByTestId('current-password').fill('not my password at all');
  await page.getByTestId('new-password').fill(NEW_PASSWORD);
  await submit.click();
  await waitForText(page.getByTestId('current-password-error'), "Current password is not the account's password");

  await page.getByTestId('current-password').fill(PASSWORD);
  await page.getByTestId('new-password').fill('short');
  await submit.click();
  await page.getByTestId('new-password-error').waitFor();
  assert.match(await page.getByTestId('new-password-error').textContent(), /^New password must be at least \d+ characters/);
  assert.equal(await page.getByTestId('current-password-error').count(), 0);

  await page.getByTestId('new-password').fill(NEW_PASSWORD);
  await submit.click();
  await page.getByTestId('change-password-done').waitFor();
  assert.match(await page.getByTestId('change-password-done').textContent(), /other device .* signed out/);
  // The form is empty again, and the list shows this session alone.
  assert.equal(await page.getByTestId('current-password').inputValue(), '');
  await waitForSessions(page, 1);

  assert.equal(await tokenCode(account.token), 'UNAUTHENTICATED');
  assert.equal(await loginCode(account.email, PASSWORD), 'UNAUTHENTICATED');
  assert.equal(await loginCode(account.email, NEW_PASSWORD), 'OK');
  await page.reload();
  await waitForText(page.getByTestId('current-user'), account.displayName);
  await page.context().close();
});

test('"Download my data" saves a JSON file with the drafts', async () => {
  const account = await register('Dora Download');
  const title = `Exported story ${Date.now()}`;
  const created = await graphql(
    server,
    'mutation ($input: CreateStarDraftInput!) { createStarDraft(input: $input) { id } }',
    { input: { title, situation: 'A situation worth keeping.' } },
    account.token,
  );
  assert.equal(created.errors, undefined);

  const page = await newPage();
  await signIn(page, account);
  await openAccount(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('download-submit').click(),
  ]);
  assert.match(download.suggestedFilename(), /^prep-export-\d{4}-\d{2}-\d{2}\.json$/);
  const document = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(document.version, 1);
  assert.equal(document.profile.email, account.email);
  assert.deepEqual(
    document.drafts.map((d) => [d.id, d.title, d.situation]),
    [[created.data.createStarDraft.id, title, 'A situation worth keeping.']],
  );
  assert.equal(await page.getByTestId('download-error').count(), 0);
  await page.context().close();
});

test('deleting the account takes the typed word and the password, then signs out', async () => {
  const account = await register('Dan Delete');
  const page = await newPage();
  await signIn(page, account);
  await openAccount(page);
  const submit = page.getByTestId('delete-submit');
  assert.equal(await submit.isDisabled(), true);
  await page.getByTestId('delete-password').fill(PASSWORD);
  assert.equal(await submit.isDisabled(), true, 'the password alone is not enough');
  await page.getByTestId('delete-confirm').fill('delete it');
  assert.equal(await submit.isDisabled(), true, 'only the exact word confirms');
  await page.getByTestId('delete-confirm').fill('DELETE');
  assert.equal(await submit.isDisabled(), false);

  // A wrong password deletes nothing and says so beside the field.
  await page.getByTestId('delete-password').fill('not my password at all');
  await submit.click();
  await waitForText(page.getByTestId('delete-password-error'), "Your password is not the account's password");
  assert.equal(await tokenCode(account.token), 'OK');

  await page.getByTestId('delete-password').fill(PASSWORD);
  await submit.click();
  await page.waitForURL(`${server.url}/`);
  assert.match(await page.getByTestId('flash-notice').textContent(), /account and everything in it are deleted/);
  await page.getByTestId('header-signin').waitFor();
  assert.equal(await page.evaluate(() => window.localStorage.getItem('prep.token')), null);
  await screenshot(page, 'account-deleted');

  assert.equal(await tokenCode(account.token), 'UNAUTHENTICATED');
  assert.equal(await loginCode(account.email, PASSWORD), 'UNAUTHENTICATED');
  // The email is free again.
  const again = await graphql(
    server,
    'mutation ($input: RegisterInput!) { register(input: $input) { user { email } } }',
    { input: { email: account.email, password: PASSWORD, displayName: 'Dan Again' } },
  );
  assert.equal(again.errors, undefined);
  assert.equal(again.data.register.user.email, account.email);
  await page.context().close();
});

test('the Account page fits a phone screen', async () => {
  const account = await register('Pia Phone');
  const page = await newPage({ viewport: { width: 390, height: 844 } });
  await signIn(page, account);
  await openAccount(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, 'no horizontal scrolling');
  await screenshot(page, 'account-phone');
  await page.context().close();
});
