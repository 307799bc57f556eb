/**
 * The moderation queue in Chromium, with JavaScript off (it must not need any): the home's
 * "N comments waiting", the queue with suspected spam marked, a bulk approve by ticking boxes,
 * the spam folder, an edit, and the page showing the approved comments. Screenshots at desktop
 * and phone width go to test-output/screenshots/comments-*.png, to compare with the rest of
 * the dashboard. Any console error or CSP complaint fails the test.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApp, type App } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { FAST_SCRYPT } from '../helpers/dialects.js';
import { postComment, writeCommentsConfig } from './post-comment.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = resolve(fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url)));
const PASSWORD = 'correct horse battery';
const missing = !existsSync(CHROMIUM);
const skip = missing && !process.env.CI ? `browser tests skipped: Chromium is not installed at ${CHROMIUM}` : false;

describe('the comments moderation queue in Chromium', { skip }, () => {
  let app: App;
  let dir: string;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const url = (path: string) => new URL(path, base).href;
  const shot = async (name: string, p: Page = page) => p.screenshot({ path: join(SHOTS, `comments-${name}.png`), fullPage: true });

  before(async () => {
    assert.ok(!missing, `Chromium is missing at ${CHROMIUM} and CI is set`);
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'pm-comments-browser-'));
    writeCommentsConfig(dir, 'moderation = "hold"\n');
    app = await createApp(loadConfig({ dir, mode: 'singlesite', addr: '127.0.0.1:0', open: false }, {}), { logger: false, storeOptions: { scrypt: FAST_SCRYPT } });
    const siteId = app.sites.primary().siteId;
    const ada = await app.stores.users.create({ siteId, username: 'ada', name: 'Ada Lovelace', role: 'editor' });
    await app.stores.passwords.set(ada.userId, PASSWORD);
    const ok = await app.templates.save({ siteId, langcode: '', urlPath: '/firing', themeId: 'daybreak', templateName: 'post', data: { title: 'Firing the anagama', body: 'Three days of wood and ash.' } });
    assert.ok(ok.ok);
    const comments = [
      { name: 'Ana Ferreira', body: 'Thanks, the part about **side stoking** fixed the cold spot I kept getting at the back.' },
      { name: 'Tom', body: 'Does this work with a gas kiln too? Mine has no flue to speak of.\n\n> Three days of wood and ash.\n\nThat is a lot of wood!' },
      { name: 'J. Okafor', website: 'https://okafor.example', body: 'We fired ours for four days last spring; the ash glaze came out green on the shoulder. Photos: https://okafor.example/kiln' },
      { name: 'Kim', website: 'http://kim-deals.xyz', body: 'Great post, thanks for sharing' },
      { name: 'Cheap Viagra Online', website: 'http://rx-cheap-meds.top', body: 'Buy viagra online http://rx-cheap-meds.top/viagra http://rx-cheap-meds.top/cialis http://rx-cheap-meds.top/x' },
    ];
    for (const c of comments) assert.equal((await postComment(app, '/firing', c)).status, 303);
    base = (await app.listen()).url;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, javaScriptEnabled: false });
    page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to|error/i.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
    await page.goto(url('/pm/login'));
    await page.fill('#f-username', 'ada');
    await page.fill('#f-password', PASSWORD);
    await Promise.all([page.waitForURL(url('/pm/')), page.click('button[type=submit]')]);
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the home says how many wait; the queue marks suspected spam; the spam folder has the pill seller', async () => {
    assert.equal((await page.textContent('a.stat-attention'))?.replace(/\s+/g, ' ').trim(), '4comments waiting');
    await shot('home');
    await Promise.all([page.waitForURL(url('/pm/comments')), page.click('a.stat-attention')]);
    assert.equal(await page.getAttribute('nav.nav a[aria-current=page]', 'href'), '/pm/comments');
    assert.equal(await page.locator('tbody tr').count(), 4);
    assert.equal(await page.locator('.badge-error:has-text("Suspected spam")').count(), 1);
    await shot('queue-desktop');
    await page.setViewportSize({ width: 360, height: 780 });
    await shot('queue-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.click('nav.filters >> text=Spam');
    assert.equal(await page.locator('tbody tr').count(), 1);
    assert.match((await page.textContent('tbody')) ?? '', /Cheap Viagra Online/);
    await shot('spam-folder');
  });

  test('tick three and approve them in one go: they show on the page', async () => {
    await page.goto(url('/pm/comments'));
    for (const who of ['Ana Ferreira', 'Tom', 'J. Okafor']) await page.check(`tr:has-text("${who}") input[type=checkbox]`);
    await Promise.all([page.waitForURL(url('/pm/comments')), page.click('.bulk-bar button[value=approve]')]);
    assert.match((await page.textContent('.notice')) ?? '', /Approved 3 comments/);
    assert.equal(await page.locator('tbody tr').count(), 1);
    await shot('after-approve');
    const visitor = await (await browser.newContext()).newPage();
    await visitor.goto(url('/firing'));
    const text = (await visitor.textContent('body')) ?? '';
    for (const s of ['side stoking', 'gas kiln', 'four days']) assert.ok(text.includes(s), `the page shows "${s}"`);
    assert.ok(!text.includes('thanks for sharing'), 'the held one is not shown');
    await shot('page', visitor);
    await visitor.context().close();
  });

  test('edit a published comment from the Published tab', async () => {
    await page.goto(url('/pm/comments?status=published'));
    await Promise.all([page.waitForURL(/\/edit/), page.click('tr:has-text("Tom") >> text=Edit')]);
    await page.fill('#f-body', 'Does this work with a gas kiln too? (edited by the moderator)');
    await shot('edit');
    await Promise.all([page.waitForURL(/\/pm\/comments\?status=published/), page.click('button:text("Save the comment")')]);
    assert.match((await page.textContent('.notice')) ?? '', /Saved; the page shows the new text/);
    assert.deepEqual(problems, []);
  });
});
