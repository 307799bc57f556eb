/**
 * The blog's cover image is the forms' image field, in Chromium: with
 * JavaScript, "Choose from library / upload" opens the picker dialog and
 * shows a thumbnail; without it, "Choose from the library" opens the library
 * in a new tab, where a picture's address is copied into the box. Both save a
 * post whose page shows the cover. A cover without a description is refused
 * with a link to describe it, and the typed post stays. Screenshots go to
 * test-output/screenshots/ (blog-cover-*.png).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { cameraJpeg, multipart, png } from '../media/fixtures.js';
import { chromiumSkip, collectProblems, logIn, screenshotOnFailure, SHOTS, startBrowserSession, type BrowserSession } from './chromium.js';

describe('the blog cover picker in Chromium', { skip: chromiumSkip('the blog cover browser test') }, () => {
  let s: BrowserSession;
  let current: Page | undefined;
  const problems: string[] = [];
  const url = (path: string) => s.url(path);

  async function session(javaScriptEnabled: boolean): Promise<{ context: BrowserContext; page: Page }> {
    const context = await s.browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled });
    const page = (current = await context.newPage());
    collectProblems(page, problems, { pageErrors: true });
    await logIn(page, s.base, 'ada');
    return { context, page };
  }

  before(async () => {
    s = await startBrowserSession({
      users: [['ada', 'superadmin', 'Ada Lovelace']],
      shots: 'blog-cover-',
      async seed(app, siteId) {
        const ada = (await app.stores.users.getByUsername(siteId, 'ada'))!;
        const { token } = await app.users.createToken(ada, 'setup');
        for (const [name, body, alt] of [
          ['Wood kiln at night.jpg', await cameraJpeg(1600, 1000), 'The wood kiln glowing at night'],
          ['ash-glaze.png', await png(800, 600, '#7a8b5c'), 'Ash glaze on a stoneware bowl'],
          ['no-words.png', await png(600, 400, '#c44'), ''],
        ] as const) {
          const mp = multipart([...(alt ? [{ name: 'alt', value: alt }] : []), { name: 'file', filename: name, body }]);
          const r = await app.http.inject({ method: 'POST', url: '/pm/api/media?wait=true', headers: { ...mp.headers, authorization: `Bearer ${token}`, host: '127.0.0.1' }, payload: mp.payload });
          assert.equal(r.statusCode, 201, r.body);
        }
      },
    });
  });
  after(() => s?.close());
  screenshotOnFailure(() => current);

  test('with JavaScript: choose the cover in the picker dialog; the post shows it', async () => {
    const { context, page } = await session(true);
    await page.goto(url('/pm/posts/new'));
    const cover = page.locator('.pm-field-image:has(#f-cover)');
    assert.equal(await cover.locator('a[data-pm-image-library]').isVisible(), false, 'the script replaces the no-script link');
    await page.fill('#f-title', 'Firing the wood kiln');
    await page.fill('#f-body', 'Three days and nights.');
    await cover.locator('[data-pm-image-choose]').click();
    await page.waitForSelector('dialog.pm-picker[open] .pm-picker-item');
    await page.click('.pm-picker-item:has-text("Wood kiln at night.jpg")');
    assert.match(await page.inputValue('#f-cover'), /^\/pm-uploads\/[0-9A-Z]{26}\/wood-kiln-at-night\.jpg$/);
    assert.equal(await cover.locator('[data-pm-image-preview]').isVisible(), true, 'a thumbnail of the choice');
    await page.selectOption('#f-status', 'published');
    await page.locator('.card:has(#f-cover)').screenshot({ path: join(SHOTS, 'blog-cover-js.png') });
    await Promise.all([page.waitForURL(/\/pm\/posts\/[0-9A-Z]{26}$/), page.click('button.btn-primary[value=save]')]);
    const post = await context.newPage();
    await post.goto(url('/blog/firing-the-wood-kiln'));
    const img = post.locator('img[alt="The wood kiln glowing at night"]');
    assert.equal(await img.count(), 1, 'the cover, with the library’s description');
    assert.match((await img.getAttribute('srcset')) ?? '', /-w640\.jpg 640w/);
    await context.close();
  });

  test('without JavaScript: the library opens beside the form, its address goes in the box; an undescribed cover is refused with a link', async () => {
    const { context, page } = await session(false);
    await page.goto(url('/pm/posts/new'));
    const link = page.locator('.pm-field-image:has(#f-cover) a[data-pm-image-library]');
    assert.equal(await link.isVisible(), true);
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await page.locator('[data-pm-image-choose]').isVisible(), false, 'no dialog button without script');
    await page.fill('#f-title', 'Ash glazes, typed by hand');
    await page.fill('#f-body', 'Sieved twice.');
    await page.locator('.card:has(#f-cover)').screenshot({ path: join(SHOTS, 'blog-cover-nojs.png') });

    const [library] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await library.waitForLoadState();
    assert.match(library.url(), /\/pm\/media\?pick=1$/);
    await library.screenshot({ path: join(SHOTS, 'blog-cover-library-pick.png'), fullPage: true });
    const address = await library.locator('.media-tile:has-text("ash-glaze.png") .media-pick input').inputValue();
    assert.match(address, /^\/pm-uploads\/[0-9A-Z]{26}\/ash-glaze\.png$/);
    const undescribed = await library.locator('.media-tile:has-text("no-words.png") .media-pick input').inputValue();
    await library.close();

    // First the picture without a description: refused beside the field, the typing kept, a link to describe it.
    await page.fill('#f-cover', undescribed);
    await page.selectOption('#f-status', 'published');
    await Promise.all([page.waitForLoadState(), page.click('button.btn-primary[value=save]')]);
    assert.equal(await page.inputValue('#f-title'), 'Ash glazes, typed by hand');
    assert.equal(await page.inputValue('#f-cover'), undescribed);
    const error = page.locator('#f-cover-error');
    assert.match((await error.textContent()) ?? '', /The picture “no-words\.png” has no description/);
    assert.equal(await error.locator('a[target="_blank"]').count(), 1, 'a link to describe it, opening beside the form');
    await page.locator('.card:has(#f-cover)').screenshot({ path: join(SHOTS, 'blog-cover-refused.png') });

    await page.fill('#f-cover', address);
    await Promise.all([page.waitForURL(/\/pm\/posts\/[0-9A-Z]{26}$/), page.click('button.btn-primary[value=save]')]);
    assert.equal(await page.inputValue('#f-cover'), address);
    const post = await context.newPage();
    await post.goto(url('/blog/ash-glazes-typed-by-hand'));
    assert.equal(await post.locator('img[alt="Ash glaze on a stoneware bowl"]').count(), 1);
    await context.close();
  });

  test('nothing was refused by the page policies, and no script failed', () => {
    assert.deepEqual(problems, []);
  });
});
