// The browser tests' harness: the real server binary on a free port with a
// fresh database, and Debian's Chromium driven by playwright-core.
//
// Settings (environment):
//   PREP_SERVER_BIN          the server binary (default: target/debug/prep-graphql)
//   PREP_SPA_DIR             the built app (default: examples/spa/dist)
//   BROWSER_TEST_BACKEND     sqlite (default) or postgres
//   TEST_POSTGRES_URL        the PostgreSQL server for the postgres backend; each
//                            server gets a database of its own, dropped afterwards
//   CHROMIUM_PATH            the browser (default: /usr/bin/chromium)
//   BROWSER_ARTIFACTS_DIR    screenshots and server logs (default: tests/browser/artifacts)

import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

/** The repository's root directory. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where screenshots and server logs go. */
export const ARTIFACTS =
  process.env.BROWSER_ARTIFACTS_DIR ?? join(ROOT, 'tests/browser/artifacts');
/** The built single-page app (`PREP_SPA_DIR` to try another build). */
export const SPA_DIR = process.env.PREP_SPA_DIR ?? join(ROOT, 'examples/spa/dist');
/** Where `npm ci --prefix src/http/ide` installs the IDE packages. */
export const IDE_ASSETS_DIR = join(ROOT, 'src/http/ide/node_modules');

const SERVER_BIN = process.env.PREP_SERVER_BIN ?? join(ROOT, 'target/debug/prep-graphql');
const BACKEND = process.env.BROWSER_TEST_BACKEND ?? 'sqlite';
const STARTUP_TIMEOUT_MS = 30_000;

/** Chromium's flags: headless, and no traffic of its own to a network we do not have. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

// `node --test` runs each test file in a process of its own: the file's name
// keeps their logs apart.
const RUN_LABEL = basename(process.argv[1] ?? 'run').replace(/\.test\.mjs$/, '');
let serverCount = 0;

/** A fresh database URL for one server, and how to remove it afterwards. */
async function freshDatabase(name) {
  if (BACKEND === 'postgres') {
    const server = process.env.TEST_POSTGRES_URL;
    if (!server) throw new Error('BROWSER_TEST_BACKEND=postgres needs TEST_POSTGRES_URL');
    const admin = server.replace(/\/[^/]*$/, '/postgres');
    const database = `browser_${process.pid}_${name}`;
    execFileSync('psql', [admin, '-qc', `CREATE DATABASE ${database}`]);
    return {
      url: server.replace(/\/[^/]*$/, `/${database}`),
      drop: async () =>
        execFileSync('psql', [admin, '-qc', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`]),
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'prep-browser-'));
  return {
    url: `sqlite://${join(dir, 'prep.db')}?mode=rwc`,
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * `count` made-up roles as content files in a new directory: the bundled role's
 * sections under the titles "Generated Role 01", "Generated Role 02"... (slugs
 * `generated-role-01`...), with summaries that do not say "backend".
 */
async function generatedRoles(count) {
  const bundled = await readFile(join(ROOT, 'content/backend-developer.toml'), 'utf8');
  const dir = await mkdtemp(join(tmpdir(), 'prep-roles-'));
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(2, '0');
    let text = bundled;
    for (const [pattern, line] of [
      [/^slug = .*$/m, `slug = "generated-role-${n}"`],
      [/^title = .*$/m, `title = "Generated Role ${n}"`],
      [/^summary = .*$/m, `summary = "A role made up for the browser tests, number ${n}."`],
    ]) {
      if (!pattern.test(text)) throw new Error(`the bundled role has no ${pattern}`);
      text = text.replace(pattern, line);
    }
    await writeFile(join(dir, `generated-role-${n}.toml`), text);
  }
  return dir;
}

/**
 * Starts the server binary on a free port with a database of its own.
 *
 * @param {object} [options]
 * @param {boolean} [options.spa] serve the built SPA (`examples/spa/dist`)
 * @param {number} [options.extraRoles] import this many generated roles after the bundled one
 * @param {string} [options.ideAssetsDir] the IDE packages' directory (default: the installed ones)
 * @param {string[]} [options.args] more `serve` flags
 * @param {string} [options.bind] the address to listen on (default: a free port of 127.0.0.1),
 *   for a test that must know its origin before the server starts (`--public-url`)
 * @returns {Promise<{url: string, stop: () => Promise<void>}>}
 */
export async function startServer({
  spa = false,
  extraRoles = 0,
  ideAssetsDir = IDE_ASSETS_DIR,
  args = [],
  bind = '127.0.0.1:0',
} = {}) {
  const name = `${RUN_LABEL}-server${++serverCount}`;
  const database = await freshDatabase(`${RUN_LABEL.replace(/\W/g, '_')}_${serverCount}`);
  if (extraRoles > 0) {
    const roles = await generatedRoles(extraRoles);
    // The bundled role first, as a fresh server would import it.
    execFileSync(SERVER_BIN, ['import', '--database-url', database.url, join(ROOT, 'content'), roles], {
      stdio: 'ignore',
    });
    await rm(roles, { recursive: true, force: true });
  }
  await mkdir(ARTIFACTS, { recursive: true });
  const log = createWriteStream(join(ARTIFACTS, `${name}-${BACKEND}.log`));
  const flags = [
    'serve',
    '--bind', bind,
    '--database-url', database.url,
    '--ide-assets-dir', ideAssetsDir,
    // Every browser of the suite signs up from 127.0.0.1: the per-address
    // registration throttle is not what these tests are about.
    '--registrations-per-address', '100000',
    ...(spa ? ['--spa-dir', SPA_DIR] : []),
    ...args,
  ];
  const child = spawn(SERVER_BIN, flags, {
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Both streams write to the log; neither may end it.
  child.stderr.pipe(log, { end: false });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    log.end();
    await database.drop();
  };
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${SERVER_BIN} did not start in ${STARTUP_TIMEOUT_MS} ms`)),
      STARTUP_TIMEOUT_MS,
    );
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}); see ${log.path}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      log.write(`${line}\n`);
      const match = line.match(/^prep-graphql listening on (http:\/\/\S+)$/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  try {
    return { url: await url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Debian's Chromium, headless, through playwright-core (no browser download). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * A page in `context`, or in a new context of its own (its own storage: a
 * different user). Requests to any host but this machine are aborted, as on
 * a machine with no internet, and listed in `page.externalRequests`.
 *
 * `options.autosave: false` turns the draft editor's autosave off in a new
 * context (it then saves only with Save or Ctrl+S), for tests of what a manual
 * save does; `options.viewport` sets a new context's window size.
 */
export async function newPage(browser, context, { autosave = true, viewport } = {}) {
  const owner = context ?? (await browser.newContext(viewport ? { viewport } : {}));
  if (!context && !autosave) {
    await owner.addInitScript(() => window.localStorage.setItem('prep.autosave', 'off'));
  }
  if (!owner.externalRequests) {
    owner.externalRequests = [];
    await owner.route(
      (url) => !['127.0.0.1', 'localhost'].includes(url.hostname),
      (route) => {
        owner.externalRequests.push(route.request().url());
        return route.abort('internetdisconnected');
      },
    );
  }
  const page = await owner.newPage();
  page.externalRequests = owner.externalRequests;
  return page;
}

/** Uncaught errors of the pages given to `watchPageErrors`, until taken. */
const pageErrors = [];

/** Records `page`'s uncaught errors, for `takePageErrors` after each test. */
export function watchPageErrors(page) {
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message || error}`));
  return page;
}

/** The uncaught errors recorded since the last call (checked after each test). */
export function takePageErrors() {
  return pageErrors.splice(0);
}

/** A locator's text, trimmed ('' when it has none). */
export async function textOf(locator) {
  return ((await locator.textContent()) ?? '').trim();
}

/** Waits until `locator`'s text is `expected`; fails naming the last text seen. */
export async function waitForText(locator, expected, timeout = 5_000) {
  let seen;
  try {
    await eventually(async () => (seen = await textOf(locator)) === expected, { timeout });
  } catch {
    throw new Error(`expected text ${JSON.stringify(expected)}, still ${JSON.stringify(seen)} after ${timeout} ms`);
  }
}

/** Saves a full-page screenshot as `<ARTIFACTS>/<name>.png`. */
export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}-${BACKEND}.png`), fullPage: true });
}

/**
 * Retries `check` (which throws, or returns `false`, until the state is
 * reached) until it passes or `timeout` ms have gone; then throws its last error.
 * Returns what `check` returned.
 */
export async function eventually(check, { timeout = 5_000, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    let failure;
    try {
      const value = await check();
      if (value !== false) return value;
      failure = new Error(`still false after ${timeout} ms`);
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) throw failure;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** One GraphQL request over HTTP; returns `{data, errors}`. */
export async function graphql(server, query, variables = {}, token) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

/**
 * The phone profile of the suite: a 390x844 touch screen at 3x, the CPU slowed
 * 4x and the network at Chrome DevTools' "Fast 3G" (562.5 ms latency, about
 * 1.44 Mbit/s down and 675 kbit/s up), both through the DevTools protocol.
 */
export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
  cpuThrottlingRate: 4,
  network: {
    offline: false,
    latency: 562.5,
    downloadThroughput: (1.6 * 1024 * 1024 * 0.9) / 8,
    uploadThroughput: (750 * 1024 * 0.9) / 8,
  },
};

/**
 * A page in a new context of its own with the phone profile on (see `PHONE`).
 * `options.init` is a script run before the app in every page of the context.
 */
export async function newPhonePage(browser, { init } = {}) {
  const context = await browser.newContext({
    viewport: PHONE.viewport,
    deviceScaleFactor: PHONE.deviceScaleFactor,
    isMobile: PHONE.isMobile,
    hasTouch: PHONE.hasTouch,
  });
  if (init) await context.addInitScript(init);
  const page = await newPage(browser, context);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: PHONE.cpuThrottlingRate });
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', PHONE.network);
  page.phone = true;
  return page;
}

/**
 * An init script that records, in `window.__seen`, every element with one of
 * `testIds` that ever appeared (even for a moment): a flash the test would
 * miss by polling.
 */
export function watchForFlashes(testIds) {
  return `(() => {
    const ids = ${JSON.stringify(testIds)};
    window.__seen = [];
    const look = () => {
      for (const id of ids) {
        const el = document.querySelector('[data-testid="' + id + '"]');
        if (el && !window.__seen.includes(id)) window.__seen.push(id);
      }
    };
    new MutationObserver(look).observe(document, { childList: true, subtree: true });
  })();`;
}

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The serious and critical violations axe (axe-core from npm) finds on the page as it is now. */
export async function seriousViolations(page) {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

// The frame most test files of the app share (appended here, with its imports,
// as one piece: ES modules allow imports anywhere at the top level).
import { before as beforeAll, after as afterAll, afterEach as afterEachTest } from 'node:test';
import assert from 'node:assert/strict';

/**
 * Registers, in the calling test file, the usual frame of its tests: a server
 * started with `serverOptions` and a browser, both before the first test and
 * stopped after the last, and a check after each test that no page watched
 * (see `watchPageErrors`) had an uncaught error. Returns `{ server, browser,
 * newPage }`: the first two are set once the tests start; `newPage(options)`
 * opens a watched page in a new context (options as for `newPage`).
 */
export function appSuite(serverOptions = { spa: true }) {
  const suite = {
    server: null,
    browser: null,
    newPage: async (options) => watchPageErrors(await newPage(suite.browser, undefined, options)),
  };
  beforeAll(async () => {
    suite.server = await startServer(serverOptions);
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
  });
  afterEachTest(() => {
    assert.deepEqual(takePageErrors(), [], 'uncaught errors in the app');
  });
  return suite;
}
