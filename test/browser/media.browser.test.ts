/**
 * The media library and the image picker in Chromium: upload several files
 * (the file input, and drag and drop), describe each, see the grid; pick a
 * picture for a page's image field from the library and upload one from the
 * picker; see the public page show it with <picture>, srcset, width and height.
 * Screenshots of the library at desktop and phone width go to test-output/screenshots/.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumSkip, screenshotOnFailure, startBrowserSession, type BrowserSession } from './chromium.js';
import { cameraJpeg, PDF, png } from '../media/fixtures.js';

describe('media in Chromium', { skip: chromiumSkip('browser tests') }, () => {
  let s: BrowserSession;
  let dir: string;
  let page: Page;
  let problems: string[] = [];
  const url = (path: string) => s.url(path);
  const shot = (name: string, p?: Page) => s.shot(name, p);

  before(async () => {
    s = await startBrowserSession({
      users: [['ada', 'superadmin', 'Ada Lovelace']],
      login: 'ada',
      problems: { pageErrors: true },
      async seed(_app, _siteId, folder) {
        writeFileSync(join(folder, 'Harbour at dusk.jpg'), await cameraJpeg(2400, 1600));
        writeFileSync(join(folder, 'kiln-door.png'), await png(900, 600, '#b5651d'));
        writeFileSync(join(folder, 'price-list.pdf'), PDF);
        writeFileSync(join(folder, 'glaze-test.jpg'), await cameraJpeg(1200, 900));
      },
    });
    ({ dir, page, problems } = s);
  });

  after(async () => {
    await s?.close();
  });
  screenshotOnFailure(() => s?.page);

  async function untilReady() {
    for (let i = 0; i < 60; i++) {
      await page.goto(url('/pm/media'));
      if (!(await page.locator('text=Processing…').count())) return;
      await page.waitForTimeout(500);
    }
    assert.fail('the uploads were still processing after 30 s');
  }

  test('upload several files with a description each; drag and drop adds more', async () => {
    await page.click('nav >> text=Media');
    await page.waitForSelector('h1:has-text("Media")');
    await page.setInputFiles('#media-files', [join(dir, 'Harbour at dusk.jpg'), join(dir, 'kiln-door.png')]);
    // The script asks for one description per file, the name as a first guess.
    assert.equal(await page.inputValue('#media-alt-0'), 'Harbour at dusk');
    assert.equal(await page.inputValue('#media-alt-1'), 'kiln door');
    await page.fill('#media-alt-1', 'The open door of the wood kiln');
    await Promise.all([page.waitForURL(url('/pm/media')), page.click('button:has-text("Upload")')]);
    await page.waitForSelector('.notice-ok:has-text("Uploaded 2 files")');

    // Drag and drop a PDF onto the drop zone.
    const pdf = PDF.toString('base64');
    await page.evaluate((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'price-list.pdf', { type: 'application/pdf' }));
      document.querySelector('[data-media-drop]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, pdf);
    assert.equal(await page.inputValue('#media-alt-0'), 'price list');
    await Promise.all([page.waitForURL(/\/pm\/media\/[0-9A-Z]{26}$/), page.click('button:has-text("Upload")')]);
    await untilReady();
    assert.equal(await page.locator('.media-tile').count(), 3);
    assert.equal(await page.locator('.media-tile img').count(), 2, 'two thumbnails, the PDF has a label');
    await page.waitForFunction(() => [...document.querySelectorAll('.media-tile img')].every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0));
    await shot('media-library-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await shot('media-library-phone');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the library fits a phone (${overflow}px too wide)`);
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.click('.media-name:has-text("Harbour at dusk.jpg")');
    await page.waitForSelector('h1:has-text("Harbour at dusk.jpg")');
    await shot('media-details');
  });

  test('pick a picture for a page from the library, insert one into markdown, upload another from the picker, and see them on the page with srcset', async () => {
    await page.goto(url('/pm/urls'));
    await page.click('text=Create a page');
    await page.click('a.tile:has(h3:text-is("Home page"))');
    await page.fill('#f-_pm_path', '/pictures');
    await page.fill('#pm-f-heading', 'Our harbour');
    const hero = page.locator('.pm-field-image:has(#pm-f-heroImage)');
    await hero.locator('[data-pm-image-choose]').click();
    await page.waitForSelector('dialog.pm-picker[open] .pm-picker-item');
    await shot('media-picker');
    await page.click('.pm-picker-item:has-text("Harbour at dusk.jpg")');
    assert.match(await page.inputValue('#pm-f-heroImage'), /^\/pm-uploads\/[0-9A-Z]{26}\/harbour-at-dusk\.jpg$/);
    assert.equal(await hero.locator('[data-pm-image-preview]').isVisible(), true);

    // A markdown field inserts a picture as ![description](address).
    await page.click('[data-pm-md-insert="pm-f-intro"]');
    await page.waitForSelector('dialog.pm-picker[open] .pm-picker-item');
    await page.click('.pm-picker-item:has-text("kiln-door.png")');
    assert.match(await page.inputValue('#pm-f-intro'), /^!\[The open door of the wood kiln\]\(\/pm-uploads\/[0-9A-Z]{26}\/kiln-door\.png\)\n$/);

    // A section's picture, uploaded from the picker with its description.
    await page.click('button:has-text("Add section")');
    await page.fill('[name="sections[0][heading]"]', 'Glazes');
    await page.locator('.pm-field-image:has([name="sections[0][image]"]) [data-pm-image-choose]').click();
    await page.setInputFiles('#pm-picker-file', join(dir, 'glaze-test.jpg'));
    assert.equal(await page.inputValue('#pm-picker-alt'), 'glaze test');
    await page.fill('#pm-picker-alt', 'Six glaze tests on a tile');
    await page.click('button:has-text("Upload and use")');
    await page.waitForFunction(() => /^\/pm-uploads\//.test((document.querySelector('[name="sections[0][image]"]') as HTMLInputElement).value), undefined, { timeout: 30_000 });
    await shot('media-page-form');
    await Promise.all([page.waitForURL(/\/pm\/urls\/edit/), page.click('button:has-text("Save page")')]);
    await page.waitForSelector('text=Saved.');

    await page.goto(url('/pictures'));
    const img = page.locator('.hero picture img, picture img.arch').first();
    await img.waitFor();
    const a = await img.evaluate((el) => {
      const i = el as HTMLImageElement;
      return { srcset: i.getAttribute('srcset') ?? '', sizes: i.getAttribute('sizes'), width: i.getAttribute('width'), height: i.getAttribute('height'), alt: i.alt, sources: [...(i.parentElement?.querySelectorAll('source') ?? [])].map((s) => s.type) };
    });
    assert.match(a.srcset, /-w320\.jpg 320w, .*-w1600\.jpg 1600w, .*1600w|-w320\.jpg 320w/);
    assert.deepEqual([a.width, a.height], ['1600', '2400'], 'the camera picture stands upright');
    assert.equal(a.alt, 'Harbour at dusk');
    assert.deepEqual(a.sources, ['image/avif', 'image/webp']);
    await page.waitForFunction(() => [...document.querySelectorAll('picture img')].every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0));
    const current = await img.evaluate((el) => (el as HTMLImageElement).currentSrc);
    assert.match(current, /\/pm-uploads\/[0-9A-Z]{26}\/[0-9a-f]{12}\/harbour-at-dusk-(w\d+|full)\.(avif|webp|jpg)$/, 'the browser picked one of the variants');
    assert.equal(await page.locator('img[alt="The open door of the wood kiln"]').count(), 1, 'the picture inserted into the introduction');
    const section = page.locator('picture img.feature__image');
    assert.equal(await section.getAttribute('alt'), 'Six glaze tests on a tile');
    await shot('media-public-page');
    assert.deepEqual(problems, []);
  });
});
