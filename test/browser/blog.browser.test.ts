/**
 * The blog in Chromium against a real server: write a post in the editor,
 * preview it (live as you type, and with the Preview button with JavaScript
 * off), save a draft and open its preview link (and be refused it when
 * logged out), schedule a post and see it go out by itself, publish, find it
 * by search, and look at the pages at desktop and phone width. Screenshots go
 * to test-output/screenshots/blog-*.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumSkip, screenshotOnFailure, startBrowserSession, type BrowserSession } from './chromium.js';

describe('the blog in Chromium', { skip: chromiumSkip('browser tests') }, () => {
  let s: BrowserSession;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[] = [];
  const shot = (name: string, p?: Page) => s.shot(name, p);
  const url = (path: string) => s.url(path);

  before(async () => {
    s = await startBrowserSession({
      users: [['ada', 'editor', 'Ada Lovelace']],
      login: 'ada',
      shots: 'blog-',
      problems: { pattern: /Content Security Policy|Refused to|error/i, pageErrors: true },
    });
    ({ browser, context, page, problems } = s);
  });

  after(async () => {
    await s?.close();
  });
  screenshotOnFailure(() => s?.page);

  test('write a post with a live preview, save it as a draft, open its preview link', async () => {
    await page.click('nav.nav >> text=Posts');
    await page.waitForURL(url('/pm/posts'));
    await page.click('text=New post');
    await page.fill('#f-title', 'Glazes from wood ash');
    await page.fill('#f-body', 'We sieve the ash **twice**.\n\n- oak\n- apple');
    // The preview follows the typing.
    await page.waitForSelector('#post-preview strong:text("twice")');
    await page.waitForSelector('#post-preview li:text("apple")');
    await page.fill('#f-tags', 'Glaze, Ash');
    await shot('editor-desktop');
    await Promise.all([page.waitForURL(/\/pm\/posts\/[0-9A-Z]{26}$/), page.click('button.btn-primary[value=save]')]);
    await page.waitForSelector('text=Saved as a draft.');
    const preview = page.url() + '/preview';
    const tab = await context.newPage();
    await tab.goto(preview);
    assert.equal(await tab.textContent('h1'), 'Glazes from wood ash');
    assert.equal(await tab.getAttribute('meta[name=robots]', 'content'), 'noindex');
    await shot('draft-preview', tab);
    await tab.close();
    // A visitor sees neither the post nor its preview.
    const anon = await browser.newContext();
    const visitor = await anon.newPage();
    assert.equal((await visitor.goto(url('/blog/glazes-from-wood-ash')))!.status(), 404);
    await visitor.goto(preview);
    assert.match(visitor.url(), /\/pm\/login/);
    await anon.close();
  });

  test('the Preview button works without JavaScript and keeps what was typed', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
    const p = await noJs.newPage();
    await p.goto(url('/pm/posts/new'));
    await p.fill('#f-title', 'Typed without script');
    await p.fill('#f-body', 'Plain _emphasis_ here.');
    await Promise.all([p.waitForLoadState(), p.click('button[value=preview]')]);
    await p.waitForSelector('#post-preview em:text("emphasis")');
    assert.equal(await p.inputValue('#f-title'), 'Typed without script');
    assert.ok(await p.isVisible('text=nothing is saved yet'));
    // A bad date is refused beside the field, with the text kept.
    await p.selectOption('#f-status', 'scheduled');
    await Promise.all([p.waitForLoadState(), p.click('button.btn-primary[value=save]')]);
    await p.waitForSelector('.pm-field-error');
    assert.match((await p.textContent('#f-publishAt-error')) ?? '', /scheduled post needs/);
    assert.equal(await p.inputValue('#f-body'), 'Plain _emphasis_ here.');
    await shot('editor-error', p);
    await noJs.close();
  });

  test('schedule a post a few seconds ahead: it goes out by itself', async () => {
    await page.goto(url('/pm/posts/new'));
    await page.fill('#f-title', 'Kiln opening on Saturday');
    await page.fill('#f-body', 'Come and see the **anagama** opened.');
    await page.fill('#f-tags', 'Kiln');
    await page.selectOption('#f-status', 'scheduled');
    const at = new Date(Date.now() + 4000).toISOString().slice(0, 19);
    await page.fill('#f-publishAt', at);
    await Promise.all([page.waitForURL(/\/pm\/posts\/[0-9A-Z]{26}$/), page.click('button.btn-primary[value=save]')]);
    await page.waitForSelector('text=It will be published at');
    const visitor = await (await browser.newContext()).newPage();
    assert.equal((await visitor.goto(url('/blog/kiln-opening-on-saturday')))!.status(), 404);
    const deadline = Date.now() + 20_000;
    let status = 404;
    while (status !== 200 && Date.now() < deadline) {
      await sleep(500);
      status = (await visitor.goto(url('/blog/kiln-opening-on-saturday')))!.status();
    }
    assert.equal(status, 200, 'published by the scheduler');
    await visitor.context().close();
  });

  test('publish the draft, find it by search, read it on a phone', async () => {
    await page.goto(url('/pm/posts?status=draft'));
    await page.click('a.url:text("Glazes from wood ash")');
    await page.selectOption('#f-status', 'published');
    await Promise.all([page.waitForLoadState(), page.click('button.btn-primary[value=save]')]);
    await page.waitForSelector('text=Saved and published.');
    await page.goto(url('/pm/posts'));
    await shot('posts-list');

    await page.goto(url('/blog'));
    await page.waitForSelector('text=Glazes from wood ash');
    await shot('index-desktop');
    await page.click('a:text("Glazes from wood ash")');
    await page.waitForSelector('h1:text("Glazes from wood ash")');
    assert.ok(await page.isVisible('text=min read'));
    assert.ok(await page.isVisible('a[rel=next], a[rel=prev]'), 'a link to the neighbouring post');
    await shot('post-desktop');

    await page.goto(url('/blog/search?q=sieve'));
    await page.waitForSelector('mark:text("sieve")');
    await page.fill('#blog-search-q', 'anagama');
    await Promise.all([page.waitForLoadState(), page.click('.search-form__button')]);
    await page.waitForSelector('a:text("Kiln opening on Saturday")');
    await shot('search-desktop');

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await context.storageState() });
    const p = await phone.newPage();
    for (const [name, path] of [['post-phone', '/blog/glazes-from-wood-ash'], ['index-phone', '/blog'], ['search-phone', '/blog/search?q=ash'], ['editor-phone', '/pm/posts/new'], ['posts-phone', '/pm/posts']] as const) {
      await p.goto(url(path));
      const width = await p.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `${path} scrolls sideways on a phone (${width}px)`);
      await shot(name, p);
    }
    await phone.close();
    assert.deepEqual(problems, []);
  });
});
