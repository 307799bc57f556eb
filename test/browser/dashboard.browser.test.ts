/**
 * The dashboard in a real browser against a real server on a port: log in,
 * create a page from a template through its form, see it, edit it, set a
 * redirect and follow it, meet the refusal to delete the last way into the
 * URL dashboard, log out. Screenshots of each page go to
 * test-output/screenshots/ (git-ignored).
 *
 * Needs Chromium (see chromium.ts): skipped with a message without it, unless CI is set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumSkip, PASSWORD, screenshotOnFailure, startBrowserSession, type BrowserSession } from './chromium.js';

describe('the dashboard in Chromium', { skip: chromiumSkip('browser tests') }, () => {
  let s: BrowserSession;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cspErrors: string[] = [];

  const shot = (name: string, p?: Page) => s.shot(name, p);
  const url = (path: string) => s.url(path);

  before(async () => {
    s = await startBrowserSession({ users: [['ada', 'superadmin', 'Ada Lovelace']] });
    ({ browser, context, page, problems: cspErrors } = s);
  });

  after(async () => {
    await s?.close();
  });
  screenshotOnFailure(() => s?.page);

  test('log in', async () => {
    await page.goto(url('/pm/'));
    assert.match(page.url(), /\/pm\/login\?next=/);
    await shot('01-login');
    await page.fill('#f-username', 'ada');
    await page.fill('#f-password', 'wrong password');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Wrong username or password.');
    assert.equal(await page.inputValue('#f-username'), 'ada');
    await shot('02-login-failed');
    await page.fill('#f-password', PASSWORD);
    await Promise.all([page.waitForURL(url('/pm/')), page.click('button[type=submit]')]);
    await page.waitForSelector('h1');
    await shot('03-home');
  });

  test('create a page from a template through its form, and see it at its URL', async () => {
    await page.click('nav >> text=Pages & URLs');
    await page.waitForURL(url('/pm/urls'));
    await shot('04-urls');
    await page.click('text=Create a page');
    await page.waitForSelector('h1:has-text("Create a page")');
    await shot('05-choose-template');
    await page.click('a.tile:has(h3:text-is("About"))');
    await page.waitForSelector('h1:has-text("New page: About")');
    await page.fill('#f-_pm_path', '/about');
    await page.fill('#pm-f-title', 'About the studio');
    await page.fill('#pm-f-body', 'We throw pots by hand.\n\n- bowls\n- jars');
    // The forms script adds an array item in place, without a round trip.
    await page.click('button:has-text("Add")');
    await page.fill('[name="nav[0][label]"]', 'Home');
    await page.fill('[name="nav[0][url]"]', '/');
    await shot('06-new-page-form');
    const [preview] = await Promise.all([page.waitForEvent('popup'), page.click('button:has-text("Preview")')]);
    await preview.waitForLoadState();
    assert.match(await preview.content(), /About the studio/);
    await shot('07-preview', preview);
    await preview.close();
    await Promise.all([page.waitForURL(/\/pm\/urls\/edit\?path=%2Fabout/), page.click('button:has-text("Save page")')]);
    await page.waitForSelector('text=Saved.');
    await shot('08-saved');
    await Promise.all([page.waitForURL(url('/about')), page.click('text=View page →')]);
    assert.match(await page.textContent('body') ?? '', /About the studio/);
    await shot('09-page-live');
  });

  test('edit the page and see the change; a bad edit keeps the input and shows the error', async () => {
    await page.goto(url('/pm/urls/edit?path=/about'));
    assert.equal(await page.inputValue('#pm-f-title'), 'About the studio');
    await page.fill('#pm-f-title', '');
    await page.click('button:has-text("Save changes")');
    await page.waitForSelector('#pm-f-title-error');
    assert.match(await page.textContent('#pm-f-title-error') ?? '', /Required/);
    assert.match(await page.inputValue('#pm-f-body'), /We throw pots by hand/);
    await shot('10-edit-error');
    await page.fill('#pm-f-title', 'About Fern & Kiln');
    await Promise.all([page.waitForURL(/\/pm\/urls\/edit/), page.click('button:has-text("Save changes")')]);
    await page.waitForSelector('text=Saved.');
    await page.goto(url('/about'));
    assert.match(await page.textContent('body') ?? '', /About Fern & Kiln/);
  });

  test('set a redirect and follow it', async () => {
    await page.goto(url('/pm/urls'));
    await page.click('text=Add a redirect');
    await page.fill('#f-path', '/studio');
    await page.fill('#f-target', '/about');
    await page.selectOption('#f-status', '301');
    await shot('11-redirect-form');
    await Promise.all([page.waitForURL(url('/pm/urls')), page.click('button:has-text("Save redirect")')]);
    await page.waitForSelector('.notice-ok:has-text("now redirects to /about")');
    await shot('12-urls-after-redirect');
    await page.goto(url('/studio'));
    assert.equal(page.url(), url('/about'));
    assert.match(await page.textContent('body') ?? '', /About Fern & Kiln/);
  });

  test('deleting the last way into the URL dashboard is refused', async () => {
    await page.goto(url('/pm/urls?kind=aliases'));
    await page.click('tr:has(.url:text-is("/pm/urls")) >> text=Delete');
    await page.waitForSelector('text=This is the last way into the URL dashboard');
    assert.equal(await page.locator('button.btn-danger').count(), 0);
    await shot('13-delete-refused');
  });

  test('the other dashboard pages render cleanly, also on a phone', async () => {
    for (const [name, path] of [
      ['14-themes', '/pm/themes'],
      ['15-users', '/pm/users'],
      ['16-profile', '/pm/profile'],
      ['17-settings', '/pm/settings'],
      ['18-alias-form', '/pm/urls/alias'],
      ['19-rename', '/pm/urls/rename?path=/about'],
      ['20-delete-confirm', '/pm/urls/delete?path=/about'],
    ] as const) {
      const r = await page.goto(url(path));
      assert.equal(r?.status(), 200, path);
      await shot(name);
    }
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, storageState: await context.storageState() });
    const p = await phone.newPage();
    for (const [name, path] of [
      ['mobile-home', '/pm/'],
      ['mobile-urls', '/pm/urls'],
      ['mobile-edit', '/pm/urls/edit?path=/about'],
      ['mobile-users', '/pm/users'],
      ['mobile-themes', '/pm/themes'],
    ] as const) {
      await p.goto(url(path));
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at 360px`);
      await shot(name, p);
    }
    await phone.close();
  });

  test('log out', async () => {
    await page.goto(url('/pm/'));
    await Promise.all([page.waitForURL(/\/pm\/login/), page.click('text=Log out')]);
    await page.waitForSelector('text=You have logged out.');
    await shot('21-logged-out');
    await page.goto(url('/pm/'));
    assert.match(page.url(), /\/pm\/login/);
  });

  test('no Content Security Policy violations on the way', () => {
    assert.deepEqual(cspErrors, []);
  });
});
