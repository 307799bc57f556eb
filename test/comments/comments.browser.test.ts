/**
 * Comments in Chromium against a real server, in both built-in themes: a visitor writes a
 * comment on a blog post (preview, then send, no JavaScript involved), lands back on the post
 * at their comment, replies to it through the comment's Reply button (the form opens with the reply set); a held comment lands on the
 * "awaiting approval" notice. Screenshots go to test-output/screenshots/comments-*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { createApp, type App } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { FAST_SCRYPT } from '../helpers/dialects.js';
import { chromiumSkip, launchChromium, SHOTS } from '../browser/chromium.js';

// Its own server (a visitor's pages, a context per test, no login): only the launch and the skip are shared.
describe('comments in Chromium', { skip: chromiumSkip('browser tests') }, () => {
  let app: App;
  let dir: string;
  let base: string;
  let browser: Browser;
  let siteId: string;
  let token: string;
  const problems: string[] = [];
  const url = (path: string) => new URL(path, base).href;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'pm-comments-browser-'));
    writeFileSync(join(dir, 'config.toml'), '[plugins.comments]\nmin_dwell_seconds = 1\n# Both themes post from one address: more than the default 6 an hour.\nper_ip_per_hour = 30\n');
    app = await createApp(loadConfig({ dir, mode: 'singlesite', addr: '127.0.0.1:0', open: false }, {}), { logger: false, storeOptions: { scrypt: FAST_SCRYPT } });
    siteId = app.sites.primary().siteId;
    const ada = await app.stores.users.create({ siteId, username: 'ada', name: 'Ada Lovelace', role: 'editor' });
    token = (await app.users.createToken(ada, 'browser test')).token;
    base = (await app.listen()).url;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function newPost(title: string, body: string): Promise<string> {
    const r = await fetch(url('/pm/api/posts'), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ title, body, status: 'published', tags: ['notes'] }) });
    const text = await r.text();
    assert.equal(r.status, 201, text);
    return `/blog/${(JSON.parse(text) as { post: { slug: string } }).post.slug}`;
  }

  async function comment(page: Page, o: { name: string; body: string; website?: string; within?: string }): Promise<void> {
    const scope = o.within ?? '#comment-form';
    await page.fill(`${scope} input[name=name]`, o.name);
    if (o.website) await page.fill(`${scope} input[name=website]`, o.website);
    await page.fill(`${scope} textarea[name=body]`, o.body);
    await Promise.all([page.waitForURL(/pm-comments\/check/), page.click(`${scope} button[type=submit]`)]);
    assert.match(await page.textContent('.comments__title') ?? '', /Check your comment/);
    await sleep(1200);
    await Promise.all([page.waitForNavigation(), page.click('#comment-form button[type=submit]')]);
    assert.doesNotMatch(page.url(), /pm-comments/, (await page.textContent('.comments')) ?? '');
  }

  for (const theme of ['daybreak', 'nightfall']) {
    test(`a visitor comments and replies on a post, without JavaScript [${theme}]`, async () => {
      await app.siteThemes.apply(siteId, theme);
      const path = await newPost(`Notes on ${theme}`, 'Write-ahead logging lets readers and a writer work **at the same time**.\n\nA second paragraph so the page has some length.');
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, javaScriptEnabled: false });
      const page = await context.newPage();
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to|error/i.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
      });
      await page.goto(url(path));
      assert.match(await page.textContent('.comments__empty') ?? '', /No comments yet/);
      await comment(page, { name: 'Grace Hopper', website: 'grace.example.org', body: `On ${theme}: this fixed my *database is locked* errors. The \`busy_timeout\` part especially.\n\n> readers and a writer\n\nExactly what I needed.` });
      assert.match(page.url(), new RegExp(`${path}#comment-`));
      assert.equal(await page.locator('.comment').count(), 1);
      assert.equal(await page.locator('a.comment__author[rel="nofollow ugc noopener"]').count(), 1, await page.innerHTML('.comments__list'));
      // Reply: the comment's Reply button opens the form with the reply set; writing it is the check step.
      await Promise.all([page.waitForURL(/pm-comments\/check/), page.click('.comment__reply-button')]);
      assert.match((await page.textContent('.comments__title')) ?? '', /Reply to Grace Hopper/);
      await page.fill('#comment-form input[name=name]', 'Alan');
      await page.fill('#comment-form textarea[name=body]', `Same here — thanks for writing it down (${theme}).`);
      await sleep(1200);
      await Promise.all([page.waitForNavigation(), page.click('#comment-form button[type=submit]')]);
      assert.doesNotMatch(page.url(), /pm-comments/, (await page.textContent('.comments')) ?? '');
      assert.equal(await page.locator('.comments__replies .comment--reply').count(), 1);
      // The highlighted reply as it lands, clipped from the whole page (an element shot scrolls under the sticky header).
      await page.goto(page.url().replace(/#.*/, '') + '#top');
      const thread = await page.locator('#comments').boundingBox();
      if (thread) await page.screenshot({ path: join(SHOTS, `comments-${theme}-thread.png`), fullPage: true, clip: thread });
      await page.goto(url(path));
      await page.screenshot({ path: join(SHOTS, `comments-${theme}-post.png`), fullPage: true });
      const box = await page.locator('.comments').boundingBox();
      assert.ok(box && box.width > 300 && box.width < 900, `the thread sits in the reading column (${box?.width}px)`);

      // Held: lands on the notice.
      await page.goto(url(path));
      await page.fill('#comment-form input[name=name]', 'Eve');
      await page.fill('#comment-form textarea[name=body]', 'Buy cheap pills at http://pills.example.top http://x.example.top http://y.example.top');
      await Promise.all([page.waitForURL(/pm-comments\/check/), page.click('#comment-form button[type=submit]')]);
      await page.screenshot({ path: join(SHOTS, `comments-${theme}-check.png`), fullPage: true });
      await sleep(1200);
      await Promise.all([page.waitForURL((u) => !u.pathname.includes('pm-comments')), page.click('#comment-form button[type=submit]')]);
      assert.match(page.url(), /#comment-held$/);
      assert.ok(await page.locator('#comment-held').isVisible(), 'the notice shows');
      assert.equal(await page.locator('.comment').count(), 2, 'the spam is not shown');
      const heldBox = await page.locator('#comments').boundingBox();
      if (heldBox) await page.screenshot({ path: join(SHOTS, `comments-${theme}-held.png`), fullPage: true, clip: heldBox });

      // The first comment of a post, held: the notice is not followed by "No comments yet".
      const quiet = await newPost(`Quiet notes on ${theme}`, 'Nothing here yet.');
      await page.goto(url(quiet));
      await page.fill('#comment-form input[name=name]', 'Eve');
      await page.fill('#comment-form textarea[name=body]', 'Cheap pills at http://a.example.top http://b.example.top http://c.example.top');
      await Promise.all([page.waitForURL(/pm-comments\/check/), page.click('#comment-form button[type=submit]')]);
      await sleep(1200);
      await Promise.all([page.waitForURL((u) => !u.pathname.includes('pm-comments')), page.click('#comment-form button[type=submit]')]);
      assert.match(page.url(), /#comment-held$/);
      assert.ok(await page.locator('#comment-held').isVisible(), 'the notice shows');
      assert.equal(await page.locator('.comments__empty').count(), 1, 'the empty-thread line is in the page');
      assert.ok(!(await page.locator('.comments__empty').isVisible()), 'but hidden under the notice');
      await context.close();
    });
  }

  test('no console errors or CSP refusals', () => {
    assert.deepEqual(problems, []);
  });
});
