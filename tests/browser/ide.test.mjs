// GraphiQL and GraphQL Playground in Chromium with no internet: their assets
// come from the installed npm packages, they open with the example query of a
// role page, run it, show its result, and subscribe over WebSocket on /graphql.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  IDE_ASSETS_DIR,
  eventually,
  graphql,
  launchBrowser,
  newPage,
  screenshot,
  startServer,
} from './harness.mjs';

/**
 * Each IDE: its path, the selector of its query editor, and how to wait
 * until it has taken in an edited query's operation name.
 */
const IDES = {
  graphiql: {
    path: '/graphiql',
    assets: ['react.js', 'react-dom.js', 'graphiql.js', 'graphiql.css'],
    queryEditor: '.graphiql-query-editor .CodeMirror',
    // GraphiQL parses the operation name a moment after an edit, and stores it.
    tookIn: (page, operation) =>
      eventually(async () =>
        assert.equal(
          await page.evaluate(() => localStorage.getItem('graphiql:operationName')),
          operation,
        ),
      ),
  },
  playground: {
    path: '/playground',
    assets: ['playground.js', 'playground.css'],
    // Playground's class names are generated; its query editor is the first one.
    queryEditor: '.graphiql-wrapper .CodeMirror >> nth=0',
    tookIn: async () => {},
  },
};

let browser;
let server;

before(async () => {
  browser = await launchBrowser();
  server = await startServer();
});

after(async () => {
  await server?.stop();
  await browser?.close();
});

/** The full text of a CodeMirror 5 editor (its DOM shows only visible lines). */
function editorText(page, selector) {
  return page.$eval(selector, (element) => element.CodeMirror.getValue());
}

/** The text of the result pane: the IDEs' one read-only editor. */
function resultText(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.CodeMirror')]
      .filter((element) => element.CodeMirror.getOption('readOnly'))
      .map((element) => element.CodeMirror.getValue())
      .join('\n'),
  );
}

/**
 * The first JSON document of a result pane: a subscription's pane may hold more
 * than one event (each save below may make one), one after the other.
 */
function firstJson(text) {
  try {
    return JSON.parse(text);
  } catch (error) {
    const end = /after JSON at position (\d+)/.exec(error.message);
    if (!end) throw error;
    return JSON.parse(text.slice(0, Number(end[1])));
  }
}

/** Replaces the query by typing it, as a person would. */
async function typeQuery(page, ide, text) {
  await page.click(`${ide.queryEditor} >> .CodeMirror-lines`);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
  await page.keyboard.press('Escape');
}

/** Runs what the query editor holds with the IDEs' shortcut (Ctrl+Enter). */
async function run(page, ide) {
  await page.click(`${ide.queryEditor} >> .CodeMirror-lines`);
  await page.keyboard.press('Control+Enter');
}

for (const [name, ide] of Object.entries(IDES)) {
  test(`${name} loads offline, opens the role page query, runs it and shows the result`, async () => {
    const page = await newPage(browser);
    const assets = [];
    page.on('requestfinished', (request) => assets.push(new URL(request.url()).pathname));
    await page.goto(`${server.url}${ide.path}`);
    await page.waitForSelector(ide.queryEditor, { timeout: 20_000 });

    const query = await editorText(page, ide.queryEditor);
    assert.match(query, /query RolePage/);
    assert.match(query, /salaryBenchmarks/);

    await run(page, ide);
    const result = await eventually(async () => {
      const text = await resultText(page);
      return text.includes('£62,000') && JSON.parse(text);
    }, { timeout: 10_000 });
    assert.equal(result.data.role.title, 'Backend Developer');
    const gb = result.data.role.salaryBenchmarks.find((b) => b.country === 'GB');
    assert.deepEqual(
      [gb.median.formatted, gb.low.formatted, gb.high.formatted],
      ['£62,000', '£35,000', '£100,000'],
    );
    await screenshot(page, `${name}-role-page`);

    for (const asset of ide.assets) {
      assert.ok(assets.includes(`/ide/assets/${asset}`), `${asset} served locally; got ${assets}`);
    }
    assert.deepEqual(page.externalRequests, [], 'no request left this machine');
    await page.context().close();
  });

  test(`${name} subscribes over WebSocket on /graphql`, async () => {
    const page = await newPage(browser);
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message || String(error)));
    const sockets = [];
    page.on('websocket', (socket) => sockets.push(socket));
    await page.goto(`${server.url}${ide.path}`);
    await page.waitForSelector(ide.queryEditor, { timeout: 20_000 });

    await typeQuery(page, ide, 'subscription Events { myStarDraftEvents { kind } }');
    await ide.tookIn(page, 'Events');
    await run(page, ide);
    // Anonymous: the server answers on the socket that subscriptions need a sign-in.
    const text = await eventually(async () => {
      const value = await resultText(page);
      return value.includes('UNAUTHENTICATED') && value;
    }, { timeout: 10_000 });
    const expected = new URL('/graphql', server.url.replace(/^http/, 'ws')).href;
    assert.ok(
      sockets.some((socket) => socket.url() === expected),
      `a WebSocket to ${expected}; saw ${sockets.map((s) => s.url())}: ${text}`,
    );
    await screenshot(page, `${name}-subscription`);
    // The refused subscription is shown, not thrown: no uncaught error or promise.
    if (name === 'graphiql') assert.deepEqual(errors, []);
    await page.context().close();
  });
}

test('GraphiQL sends its Headers tab as connection_init: a signed-in subscription works', async () => {
  const { data } = await graphql(
    server,
    `mutation { register(input: { email: "graphiql-events@example.com", password: "correct horse battery",
       displayName: "GraphiQL" }) { token } }`,
  );
  const token = data.register.token;
  const page = await newPage(browser);
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message || String(error)));
  await page.goto(`${server.url}/graphiql`);
  await page.waitForSelector(IDES.graphiql.queryEditor, { timeout: 20_000 });
  await page.getByRole('button', { name: 'Headers' }).click();
  await page.click('.graphiql-editor-tool .CodeMirror >> nth=-1 >> .CodeMirror-lines');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(`{"Authorization": "Bearer ${token}"}`);
  await typeQuery(page, IDES.graphiql, 'subscription Events { myStarDraftEvents { kind draft { title } } }');
  await IDES.graphiql.tookIn(page, 'Events');
  await run(page, IDES.graphiql);
  const event = await eventually(async () => {
    await graphql(server, 'mutation { createStarDraft(input: { title: "Seen in GraphiQL" }) { id } }', {}, token);
    return firstJson(
      await eventually(async () => {
        const text = await resultText(page);
        return text.includes('myStarDraftEvents') && text;
      }, { timeout: 1_000 }),
    ).data.myStarDraftEvents;
  }, { timeout: 10_000 });
  assert.deepEqual(event, { kind: 'CREATED', draft: { title: 'Seen in GraphiQL' } });
  assert.deepEqual(errors, []);
  await screenshot(page, 'graphiql-live-event');
  await page.context().close();
});

test('playground shows live draft events to a signed-in user', async () => {
  const { data } = await graphql(
    server,
    `mutation { register(input: { email: "ide-events@example.com", password: "correct horse battery",
       displayName: "Ide" }) { token } }`,
  );
  const token = data.register.token;
  const page = await newPage(browser);
  await page.goto(`${server.url}/playground`);
  await page.waitForSelector(IDES.playground.queryEditor, { timeout: 20_000 });

  // Playground sends its HTTP headers as the WebSocket's connection_init payload.
  await page.getByText('HTTP HEADERS').click();
  await page.click('.graphiql-wrapper .CodeMirror >> nth=1 >> .CodeMirror-lines');
  await page.keyboard.type(`{"Authorization": "Bearer ${token}"}`);
  await typeQuery(page, IDES.playground, 'subscription Events { myStarDraftEvents { kind draft { title } } }');
  await run(page, IDES.playground);

  // A draft saved elsewhere shows up in the result pane. The subscription starts
  // a moment after the socket opens; a save before that has no event, so save
  // again until one arrives.
  const event = await eventually(async () => {
    await graphql(server, 'mutation { createStarDraft(input: { title: "Saved elsewhere" }) { id } }', {}, token);
    return firstJson(
      await eventually(async () => {
        const text = await resultText(page);
        return text.includes('myStarDraftEvents') && text;
      }, { timeout: 1_000 }),
    ).data.myStarDraftEvents;
  }, { timeout: 10_000 });
  assert.deepEqual(event, { kind: 'CREATED', draft: { title: 'Saved elsewhere' } });
  await screenshot(page, 'playground-live-event');
  await page.context().close();
});

test('without the packages installed the IDEs load the same versions from the CDN', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'prep-no-ide-assets-'));
  const cdnServer = await startServer({ ideAssetsDir: empty });
  try {
    for (const [name, ide] of Object.entries(IDES)) {
      const page = await newPage(browser);
      // Stands in for the CDN: answers jsDelivr's /npm/<package>@<version>/<file>
      // from the installed packages, after checking the version asked for.
      const fetched = [];
      await page.context().route('https://cdn.jsdelivr.net/npm/**', async (route) => {
        const url = new URL(route.request().url());
        const [, pkg, version, file] = url.pathname.match(/^\/npm\/((?:@[^/]+\/)?[^@/]+)@([^/]+)\/(.+)$/);
        const manifest = JSON.parse(await readFile(join(IDE_ASSETS_DIR, pkg, 'package.json'), 'utf8'));
        assert.equal(version, manifest.version, `${pkg} version`);
        fetched.push(`${pkg}@${version}/${file}`);
        await route.fulfill({ path: join(IDE_ASSETS_DIR, pkg, file) });
      });
      await page.goto(`${cdnServer.url}${ide.path}`);
      await page.waitForSelector(ide.queryEditor, { timeout: 20_000 });
      await run(page, ide);
      await eventually(
        async () => (await resultText(page)).includes('Backend Developer'),
        { timeout: 10_000 },
      );
      const expected = {
        graphiql: [
          'react@18.3.1/umd/react.production.min.js',
          'react-dom@18.3.1/umd/react-dom.production.min.js',
          'graphiql@4.1.2/graphiql.min.js',
          'graphiql@4.1.2/graphiql.min.css',
        ],
        playground: [
          'graphql-playground-react@1.7.28/build/static/js/middleware.js',
          'graphql-playground-react@1.7.28/build/static/css/middleware.css',
        ],
      }[name];
      for (const file of expected) {
        assert.ok(fetched.includes(file), `${name} fetched ${file} from the CDN; got ${fetched}`);
      }
      assert.deepEqual(page.externalRequests, [], 'nothing but the CDN was asked');
      await page.context().close();
    }
  } finally {
    await cdnServer.stop();
    await rm(empty, { recursive: true, force: true });
  }
});
