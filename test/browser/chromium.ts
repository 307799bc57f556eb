/**
 * What every Chromium test shares: where the browser is and how it starts,
 * the skip when it is missing, a real server on a port with users who can
 * log in, logging in to the dashboard, console problems collected, and a
 * screenshot of the page when a test fails.
 *
 * Needs Chromium at /usr/bin/chromium (`apt-get install -y chromium`; PM_CHROMIUM
 * names another). Without it the tests are skipped with a message — unless CI
 * is set, where they fail: the browser tests must run in CI.
 *
 * @example
 *   describe('the blog in Chromium', { skip: chromiumSkip('browser tests') }, () => {
 *     let s: BrowserSession;
 *     before(async () => { s = await startBrowserSession({ users: [['ada', 'editor']], shots: 'blog-' }); });
 *     after(() => s?.close());
 *     screenshotOnFailure(() => s?.page);
 *   });
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, type TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { App } from '../../src/app/create-app.js';
import type { Role } from '../../src/store/types.js';

export const CHROMIUM = process.env.PM_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
/** test-output/screenshots/ (git-ignored). */
export const SHOTS = resolve(fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url)));
/** Every user a session makes has this password. */
export const PASSWORD = 'correct horse battery';

const missing = !existsSync(CHROMIUM);

/**
 * A describe's `skip`: false where Chromium is installed (or CI is set, where a missing one fails
 * at launch), else a message saying `what` is skipped and why, printed once.
 */
export function chromiumSkip(what: string): string | false {
  if (!missing || process.env.CI) return false;
  const why = `${what} skipped: Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`;
  console.log(`# ${why}`);
  return why;
}

/** Chromium with the usual flags, plus `args`; fails with the install command when it is missing. */
export async function launchChromium(args: string[] = []): Promise<Browser> {
  assert.ok(!missing, `Chromium is missing at ${CHROMIUM} and CI is set: install it (apt-get install -y chromium); the browser tests must run in CI`);
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...args] });
}

/** Logs `page` in through the dashboard's login form and waits for the dashboard home. */
export async function logIn(page: Page, base: string, username: string, password = PASSWORD): Promise<void> {
  await page.goto(new URL('/pm/login', base).href);
  await page.fill('#f-username', username);
  await page.fill('#f-password', password);
  await Promise.all([page.waitForURL(new URL('/pm/', base).href), page.click('button[type=submit]')]);
}

/**
 * Pushes onto `into` the console messages matching `pattern` (by default what a Content-Security-Policy
 * refusal says) and, with `pageErrors`, uncaught errors: a test asserts the list stays empty.
 */
export function collectProblems(page: Page, into: string[], o: { pattern?: RegExp; pageErrors?: boolean } = {}): void {
  const pattern = o.pattern ?? /Content Security Policy|Refused to/i;
  page.on('console', (m) => {
    if (pattern.test(m.text())) into.push(`${page.url()}: ${m.text()}`);
  });
  if (o.pageErrors) page.on('pageerror', (e) => into.push(`${page.url()}: ${e.message}`));
}

/**
 * Inside a describe: when a test fails, a full-page screenshot of the page `current()` gives, as
 * test-output/screenshots/failed/<test name>.png, and its path in the test output.
 */
export function screenshotOnFailure(current: () => Page | undefined): void {
  afterEach(async (ctx) => {
    // `passed` is set by the time afterEach runs (Node 20.13+; older ones say nothing, and get no screenshot).
    const t = ctx as TestContext & { passed?: boolean };
    const page = current();
    if (t.passed !== false || !page || page.isClosed()) return;
    const dir = join(SHOTS, 'failed');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${t.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'test'}.png`);
    try {
      await page.screenshot({ path, fullPage: true });
      console.log(`# the page when "${t.name}" failed (${page.url()}): ${path}`);
    } catch {
      // The browser may be what failed; the test's own error says more.
    }
  });
}

export interface BrowserSession {
  app: App;
  /** The data folder (deleted by close). */
  dir: string;
  siteId: string;
  /** The server's address, such as http://127.0.0.1:40123/. */
  base: string;
  url(path: string): string;
  browser: Browser;
  /** A desktop-sized context (1280×860, or as `context` says) and a page in it, logged in when `login` was given. */
  context: BrowserContext;
  page: Page;
  /** What `collectProblems` gathered on `page`. */
  problems: string[];
  /** A full-page screenshot of `p` (the session's page by default) as SHOTS/<shots><name>.png. */
  shot(name: string, p?: Page): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * A singlesite app on SQLite in a temporary folder, listening on a port, with `users` (each with
 * PASSWORD), `seed` run before it listens, Chromium and a page; logged in as `login` when given.
 */
export async function startBrowserSession(o: {
  users: [username: string, role: Role, name?: string][];
  login?: string;
  /** File name prefix (or sub-folder, ending in /) for `shot`. */
  shots?: string;
  /** Runs before the server listens; `dir` is the data folder. */
  seed?: (app: App, siteId: string, dir: string) => Promise<void>;
  /** Passed to collectProblems for `page`. */
  problems?: { pattern?: RegExp; pageErrors?: boolean };
  /** Runs on the data folder before the app starts (a config.toml). */
  prepare?: (dir: string) => void;
  /** Options for the session's context (such as `javaScriptEnabled: false`), over the desktop viewport. */
  context?: BrowserContextOptions;
}): Promise<BrowserSession> {
  const prefix = o.shots ?? '';
  mkdirSync(join(SHOTS, prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : ''), { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'pm-browser-'));
  let app: App | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    o.prepare?.(dir);
    // Loaded here, so a test that only launches Chromium (form-script, the XSS corpus) does not load the app.
    const [{ createApp }, { loadConfig }, { FAST_SCRYPT }] = await Promise.all([import('../../src/app/create-app.js'), import('../../src/config/load-config.js'), import('../helpers/dialects.js')]);
    app = await createApp(loadConfig({ dir, mode: 'singlesite', addr: '127.0.0.1:0', open: false }, {}), { logger: false, storeOptions: { scrypt: FAST_SCRYPT } });
    const siteId = app.sites.primary().siteId;
    for (const [username, role, name] of o.users) {
      const u = await app.stores.users.create({ siteId, username, name: name ?? username, role });
      await app.stores.passwords.set(u.userId, PASSWORD);
    }
    await o.seed?.(app, siteId, dir);
    const base = (await app.listen()).url;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...o.context });
    const page = await context.newPage();
    const problems: string[] = [];
    collectProblems(page, problems, o.problems);
    if (o.login) await logIn(page, base, o.login);
    return {
      app,
      dir,
      siteId,
      base,
      url: (path) => new URL(path, base).href,
      browser,
      context,
      page,
      problems,
      shot: (name, p = page) => p.screenshot({ path: join(SHOTS, `${prefix}${name}.png`), fullPage: true }),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
