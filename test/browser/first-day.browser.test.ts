/**
 * A site owner's first day in a real browser against a real server: the menu
 * editor (no JavaScript needed), and what visitors then see. Screenshots of
 * each new dashboard page at desktop (1280) and phone (390) width go to
 * test-output/screenshots/first-day/ (git-ignored).
 *
 * Needs Chromium (see chromium.ts): skipped with a message without it, unless CI is set.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { App } from '../../src/app/create-app.js';
import { chromiumSkip, logIn, screenshotOnFailure, SHOTS as ALL_SHOTS, startBrowserSession, type BrowserSession } from './chromium.js';

const SHOTS = join(ALL_SHOTS, 'first-day');

describe('a site owner’s first day in Chromium', { skip: chromiumSkip('browser tests') }, () => {
  let s: BrowserSession;
  let app: App;
  let siteId: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cspErrors: string[] = [];
  const url = (path: string) => s.url(path);

  /** A full-page screenshot at desktop width, and one at phone width of the same URL in the same session. */
  async function shots(name: string): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(page.url());
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px on a phone`);
    await phone.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
    await phone.close();
  }

  const login = (p: Page, username: string) => logIn(p, s.base, username);

  before(async () => {
    s = await startBrowserSession({
      users: [
        ['ada', 'superadmin', 'Ada Lovelace'],
        ['eve', 'editor', 'Eve Editor'],
      ],
      login: 'ada',
      shots: 'first-day/',
      async seed(app, siteId) {
        for (const [path, title] of [['/about', 'About the studio'], ['/work', 'Work']] as const) {
          await app.templates.save({ siteId, langcode: '', urlPath: path, themeId: 'daybreak', templateName: path === '/about' ? 'about' : 'gallery', data: { title, body: 'We make pots.' } });
        }
      },
    });
    ({ app, siteId, browser, context, page, problems: cspErrors } = s);
  });

  after(async () => {
    await s?.close();
  });
  screenshotOnFailure(() => s?.page);

  test('the menu editor: add links, move one up, nest one, refuse a javascript: link, save; visitors see it', async () => {
    await page.click('nav.nav >> text=Menus');
    await page.waitForSelector('h1:has-text("Menus")');
    await page.fill('#f-items-0-label', 'Work');
    await page.selectOption('#f-items-0-page', '/work');
    await page.click('button:has-text("Add another link")');
    await page.waitForSelector('text=Not saved yet');
    await page.fill('#f-items-1-label', 'About');
    await page.selectOption('#f-items-1-page', '/about');
    await page.click('button[aria-label="Move link 2 up"]');
    assert.equal(await page.inputValue('#f-items-0-label'), 'About');
    assert.equal(await page.inputValue('#f-items-1-label'), 'Work');
    await page.check('#f-items-1-nested');
    await page.fill('#f-items-2-label', 'Shop');
    await page.fill('#f-items-2-url', 'javascript:alert(1)');
    await page.click('button:has-text("Save menu")');
    await page.waitForSelector('#f-items-2-url-error');
    assert.match(await page.textContent('#f-items-2-url-error') ?? '', /javascript: are not allowed/);
    assert.equal(await app.menus.own(siteId, '', 'primary'), undefined, 'nothing stored');
    await shots('menus-error');
    await page.fill('#f-items-2-url', 'https://shop.example/');
    await page.click('button:has-text("Save menu")');
    await page.waitForSelector('text=Menu saved.');
    assert.match(await page.textContent('.notice-ok') ?? '', /3 pages were rendered again/);
    await shots('menus');

    await page.goto(url('/about'));
    const top = await page.$$eval('.site-nav__list > li > a', (as) => as.map((a) => a.textContent?.trim()));
    assert.deepEqual(top, ['About', 'Shop']);
    assert.equal(await page.isVisible('.site-nav__sub >> text=Work'), false, 'the sub-menu is folded');
    await page.hover('.site-nav__parent > a');
    assert.equal(await page.isVisible('.site-nav__sub >> text=Work'), true, 'and opens on hover');
    await page.screenshot({ path: join(SHOTS, 'site-menu-open.png') });
    await page.goto(url('/nowhere'));
    assert.deepEqual(await page.$$eval('.site-nav__list > li > a', (as) => as.map((a) => a.textContent?.trim())), ['About', 'Shop'], 'the 404 page shows it');
    assert.deepEqual(cspErrors, []);
  });

  test('an editor does not see Menus and gets a plain-words refusal there', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const p = await ctx.newPage();
    await login(p, 'eve');
    assert.equal(await p.locator('nav.nav >> text=Menus').count(), 0);
    const r = await p.goto(url('/pm/menus'));
    assert.equal(r?.status(), 403);
    await p.screenshot({ path: join(SHOTS, 'forbidden-desktop.png'), fullPage: true });
    await ctx.close();
  });

  test('theme switch: preview your own home page in Nightfall, apply, see the site change, switch back', async () => {
    await page.goto(url('/pm/themes'));
    await page.click('text=Preview and use Nightfall…');
    await page.waitForSelector('h1:has-text("Use Nightfall for the whole site?")');
    await shots('theme-switch');
    const [preview] = await Promise.all([context.waitForEvent('page'), page.click('text=Your home page ↗')]);
    await preview.waitForLoadState();
    assert.match(await preview.content(), /\/pm-themes\/nightfall\/assets\/style\.css/, 'the preview is the home page in Nightfall');
    await preview.close();
    assert.match((await app.http.inject({ url: '/' })).body, /\/pm-themes\/daybreak\//, 'the preview changed nothing');
    await page.click('button:has-text("Use Nightfall")');
    await page.waitForSelector('text=Nightfall is now your site’s theme.');
    await page.goto(url('/about'));
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(12, 14, 19)', 'the page is dark now');
    await page.goto(url('/pm/themes/switch?theme=daybreak'));
    await page.click('button:has-text("Use Daybreak")');
    await page.waitForSelector('text=Daybreak is now your site’s theme.');
    assert.deepEqual(cspErrors, []);
  });

  test('a translation: /fr/about shows the default version first; “+ fr” opens the prefilled form; saved, it shows the French', async () => {
    await page.goto(url('/pm/settings'));
    await page.check('input[name="enabledLocales"][value="fr"]');
    await page.click('button:has-text("Save settings")');
    await page.waitForSelector('text=Settings saved.');
    await shots('settings');
    await page.goto(url('/fr/about'));
    assert.equal(await page.textContent('h1'), 'About the studio', 'the fallback');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.goto(url('/pm/urls'));
    await shots('pages-list');
    await page.click('a[title="Translate into fr"] >> nth=0');
    await page.waitForSelector('text=This form starts from the en version');
    assert.equal(await page.inputValue('#pm-f-title'), 'About the studio');
    await page.fill('#pm-f-title', 'L’atelier');
    await page.click('button:has-text("Save page")');
    await page.waitForSelector('text=Saved. The page is live at /fr/about.');
    await page.goto(url('/fr/about'));
    assert.equal(await page.textContent('h1'), 'L’atelier');
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  });

  test('restoring a revision, and the warning before leaving unsaved changes', async () => {
    await page.goto(url('/pm/urls/edit?path=/about'));
    await page.fill('#pm-f-title', 'A new title');
    await page.click('button:has-text("Save changes")');
    await page.waitForSelector('.notice-ok');
    // Unsaved changes: typing, then leaving, asks first.
    await page.click('#pm-f-title');
    await page.keyboard.type(' and more');
    const dialogs: string[] = [];
    page.once('dialog', (d) => {
      dialogs.push(d.type());
      void d.accept();
    });
    await page.goto(url('/pm/'));
    assert.deepEqual(dialogs, ['beforeunload'], 'the browser asked before leaving');
    await page.goto(url('/pm/urls/edit?path=/about'));
    await page.click('text=Earlier versions');
    await page.waitForSelector('h1:has-text("Earlier versions of /about")');
    await shots('revisions');
    await page.click('button:has-text("Restore this version") >> nth=0');
    await page.waitForSelector('text=is back and live');
    await page.goto(url('/about'));
    assert.equal(await page.textContent('h1'), 'About the studio');
  });

  test('the trash: a deleted page comes back at its address', async () => {
    await page.goto(url('/pm/urls/delete?path=/work'));
    await page.click('button:has-text("Delete /work")');
    await page.waitForSelector('text=It is in the trash if you need it back.');
    assert.equal((await page.goto(url('/work')))?.status(), 404);
    await page.goto(url('/pm/trash'));
    await shots('trash');
    await page.click('button:has-text("Restore")');
    await page.waitForSelector('text=/work is back and live.');
    assert.equal((await page.goto(url('/work')))?.status(), 200);
  });
});
