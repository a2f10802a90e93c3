// Accessibility of the example app: axe-core (from npm, run inside Chromium)
// finds no serious or critical violation on any page; every page has its own
// title; a skip link comes first; focus moves to the heading on navigation.
// And what the server sends is compressed when the browser accepts it.
//
// Build the app first: cd examples/spa && npm ci && npm run build

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  eventually,
  graphql,
  launchBrowser,
  newPage,
  screenshot,
  seriousViolations,
  startServer,
} from './harness.mjs';

const SLUG = 'backend-developer';

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

async function headingText(page) {
  const h1 = page.locator('main h1').first();
  await h1.waitFor();
  return ((await h1.textContent()) ?? '').trim();
}

/** Signs up through the API and puts the token where the app keeps it. */
async function signedInContext() {
  const { data } = await graphql(
    server,
    'mutation ($input: RegisterInput!) { register(input: $input) { token } }',
    {
      input: {
        email: `a11y-${process.pid}-${Date.now()}@example.com`,
        password: 'correct horse battery staple',
        displayName: 'Axe Tester',
      },
    },
  );
  const page = await newPage(browser);
  await page.context().addInitScript((token) => localStorage.setItem('prep.token', token), data.register.token);
  const created = await graphql(
    server,
    'mutation { createStarDraft(input: { title: "Checked by axe" }) { id } }',
    {},
    data.register.token,
  );
  const { data: roleData } = await graphql(server, `{ role(slug: "${SLUG}") { id questions { id } } }`);
  const at = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const scheduled = await graphql(
    server,
    'mutation ($input: ScheduleInterviewInput!) { scheduleInterview(input: $input) { id } }',
    {
      input: {
        roleId: roleData.role.id,
        company: 'Axe Ltd',
        stage: 'TECHNICAL',
        scheduledAt: `${at}T09:00:00Z`,
        timeZone: 'Europe/London',
      },
    },
    data.register.token,
  );
  return {
    page,
    draftId: created.data.createStarDraft.id,
    interviewId: scheduled.data.scheduleInterview.id,
    questionId: roleData.role.questions[0].id,
  };
}

test('axe finds no serious or critical violation on any page, and each page has its own title', async () => {
  const anonymous = await newPage(browser);
  const { page: signedIn, draftId, interviewId, questionId } = await signedInContext();
  const pages = [
    [anonymous, '/'],
    [anonymous, `/roles/${SLUG}`],
    [anonymous, '/signin'],
    [anonymous, '/signup'],
    [anonymous, '/no-such-page'],
    [signedIn, '/drafts'],
    [signedIn, `/drafts/${encodeURIComponent(draftId)}`],
    [signedIn, '/stories'],
    [signedIn, '/interviews'],
    [signedIn, '/agenda'],
    [signedIn, `/roles/${SLUG}/schedule`],
    [signedIn, `/interviews/${encodeURIComponent(interviewId)}`],
    [signedIn, `/practice?draft=${encodeURIComponent(draftId)}`],
    [signedIn, `/practice?question=${encodeURIComponent(questionId)}`],
  ];
  const found = {};
  const titles = new Map();
  for (const [page, path] of pages) {
    await page.goto(`${server.url}${path}`);
    const heading = await headingText(page);
    // Data shown, not a loading state: let the page settle.
    await page.waitForLoadState('networkidle');
    const title = await eventually(async () => {
      const t = await page.title();
      return t.startsWith(heading) && t;
    });
    assert.match(title, / — Interview prep$/, path);
    titles.set(path, title);
    const violations = await seriousViolations(page);
    if (violations.length) found[path] = violations;
  }
  assert.deepEqual(found, {}, 'serious or critical axe violations');
  // Titles differ between pages (a role's is its name).
  assert.equal(new Set(titles.values()).size, titles.size, JSON.stringify([...titles]));
  await anonymous.context().close();
  await signedIn.context().close();
});

test('a skip link comes first, and focus moves to the new page\'s heading', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/`);
  await headingText(page);
  await page.keyboard.press('Tab');
  const first = page.locator(':focus');
  assert.equal(((await first.textContent()) ?? '').trim(), 'Skip to content');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');

  await page.getByRole('link', { name: 'Sign in' }).first().click();
  await eventually(async () =>
    page.evaluate(() => document.activeElement?.tagName === 'H1' && document.activeElement.textContent),
  );
  assert.match(await page.title(), /^Sign in — Interview prep$/);
  await screenshot(page, 'a11y-focus-heading');
  await page.context().close();
});

test('what the server sends is compressed when the browser accepts it; the role query starts with the page', async () => {
  const page = await newPage(browser);
  const encodings = new Map();
  const rolePageRequests = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/graphql' && `${url.search}${request.postData() ?? ''}`.includes('RolePage')) {
      rolePageRequests.push(request);
    }
  });
  page.on('response', async (response) => {
    const url = new URL(response.url());
    const headers = await response.allHeaders();
    // GraphQL queries go as GET (operationName in the URL) or POST (in the body).
    const operation =
      url.searchParams.get('operationName') ?? JSON.parse(response.request().postData() ?? '{}').operationName;
    const key = url.pathname === '/graphql' ? `/graphql:${operation}` : url.pathname;
    encodings.set(key, headers['content-encoding'] ?? null);
  });
  await page.goto(`${server.url}/roles/${SLUG}`);
  await headingText(page);
  await page.waitForLoadState('networkidle');
  // The app's main script and style (files under 1 KiB go as they are).
  const scripts = [...encodings].filter(([path]) => /^\/assets\/index-.*\.(js|css)$/.test(path));
  assert.ok(scripts.length > 0, JSON.stringify([...encodings]));
  for (const [path, encoding] of scripts) assert.equal(encoding, 'br', path);
  assert.equal(encodings.get('/graphql:RolePage'), 'br', JSON.stringify([...encodings]));
  // The role page's query went once, sent by index.html's inline script (in
  // parallel with the app's script), and the app used that answer.
  assert.equal(rolePageRequests.length, 1);
  assert.equal(await page.getByTestId('role-title').textContent(), 'Backend Developer');

  await page.goto(`${server.url}/playground`);
  await page.waitForLoadState('networkidle');
  assert.equal(encodings.get('/ide/assets/playground.js'), 'br');
  await page.context().close();
});

test('sign-up shows every error at once, each beside its field', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/signup`);
  await page.getByTestId('signup-name').fill('   ');
  await page.getByTestId('signup-email').fill('not-an-email');
  await page.getByTestId('signup-password').fill('short');
  await page.getByTestId('signup-submit').click();
  for (const field of ['name', 'email', 'password']) {
    await page.getByTestId(`signup-${field}-error`).waitFor();
  }
  // Each field says what is wrong with it and points at its message.
  for (const field of ['name', 'email', 'password']) {
    const input = page.getByTestId(`signup-${field}`);
    assert.equal(await input.getAttribute('aria-invalid'), 'true', field);
    const described = (await input.getAttribute('aria-describedby')) ?? '';
    const errorId = await page.getByTestId(`signup-${field}-error`).getAttribute('id');
    assert.ok(described.split(' ').includes(errorId), `${field}: ${described}`);
  }
  await screenshot(page, 'a11y-signup-errors');
  await page.context().close();
});
