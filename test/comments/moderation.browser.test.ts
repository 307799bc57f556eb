/**
 * The moderation queue in Chromium, with JavaScript off (it must not need any): the home's
 * "N comments waiting", the queue with suspected spam marked, a bulk approve by ticking boxes,
 * the spam folder, an edit, and the page showing the approved comments. Screenshots at desktop
 * and phone width go to test-output/screenshots/comments-*.png, to compare with the rest of
 * the dashboard. Any console error or CSP complaint fails the test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, screenshotOnFailure, startBrowserSession, type BrowserSession } from '../browser/chromium.js';
import { postComment, writeCommentsConfig } from './post-comment.js';

describe('the comments moderation queue in Chromium', { skip: chromiumSkip('browser tests') }, () => {
  let s: BrowserSession;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];
  const url = (path: string) => s.url(path);
  const shot = (name: string, p?: Page) => s.shot(name, p);

  before(async () => {
    s = await startBrowserSession({
      users: [['ada', 'editor', 'Ada Lovelace']],
      login: 'ada',
      shots: 'comments-',
      context: { javaScriptEnabled: false },
      problems: { pattern: /Content Security Policy|Refused to|error/i, pageErrors: true },
      prepare: (dir) => writeCommentsConfig(dir, 'moderation = "hold"\n'),
      async seed(app, siteId) {
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
      },
    });
    ({ browser, page, problems } = s);
  });

  after(async () => {
    await s?.close();
  });
  screenshotOnFailure(() => s?.page);

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
