/**
 * The media library in the dashboard, without JavaScript: a plain multipart
 * form (several files, one description), the grid, search and filter, the
 * details page with where a file is used, delete refused while used, the quota.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cameraJpeg, HTML_AS_JPG, multipart, PDF } from '../media/fixtures.js';
import { decode, shownErrors, startHarness, type Client, type Harness } from './dashboard-harness.js';

async function postUpload(c: Client, h: Harness, action: string, parts: Parameters<typeof multipart>[0]) {
  const mp = multipart(parts);
  const r = await h.app.http.inject({ method: 'POST', url: decode(action), headers: { cookie: c.cookieHeader(), accept: 'text/html', ...mp.headers }, payload: mp.payload });
  // Keep the one-shot notice cookie, as a browser would.
  const flash = [r.headers['set-cookie'] ?? []].flat().map(String).find((l) => l.startsWith('pm_flash='));
  if (flash) c.cookies.set('pm_flash', flash.split(';')[0].slice('pm_flash='.length));
  return r;
}

describe('dashboard: media library', () => {
  let h: Harness;
  let maya: Client;
  before(async () => {
    h = await startHarness();
    await h.user('maya', 'a long passphrase', 'superadmin');
    await h.user('eddie', 'another passphrase', 'editor');
    maya = await h.loggedIn('maya', 'a long passphrase');
  });
  after(() => h?.close());

  it('is in the navigation and shows the storage used', async () => {
    const r = await maya.get('/pm/media');
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<a href="\/pm\/media" aria-current="page">Media<\/a>/);
    // The welcome page is stored too: it counts, files do not yet.
    assert.match(r.body, /[\d.]+ KB stored · no storage limit; 0 files/);
    assert.match(r.body, /<dt>Files \(every size of every picture\)<\/dt><dd>0 B<\/dd><dt>Pages \(stored HTML and their data\)<\/dt><dd>[\d.]+ KB<\/dd>/);
    assert.match(r.body, /<dt>Blog posts<\/dt><dd>0 B<\/dd>.*<dt>Comments \(held and spam included\)<\/dt><dd>0 B<\/dd>/s);
    assert.match(r.body, /No files yet/);
    assert.match(r.body, /<input id="media-files" type="file" name="file" multiple required/);
    assert.match(r.body, /<summary>Storage: [\d.]+ KB stored, no limit<\/summary>/);
    assert.match(r.body, /name="limitMb"/, 'a superadmin can set the quota');
  });

  it('uploads several files from a plain form; a bad one is refused by name and the rest are kept', async () => {
    const page = await maya.get('/pm/media');
    const action = /<form method="post" action="([^"]+)" enctype="multipart\/form-data" data-media-upload>/.exec(page.body)?.[1];
    assert.ok(action && action.includes('_csrf='), 'the token travels in the action (a multipart body is not read before the check)');
    const r = await postUpload(maya, h, action, [
      { name: 'file', filename: 'harbour-at-dusk.jpg', type: 'image/jpeg', body: await cameraJpeg(800, 600) },
      { name: 'file', filename: 'invoice.jpg', type: 'image/jpeg', body: HTML_AS_JPG },
      { name: 'file', filename: 'Menu.pdf', type: 'application/pdf', body: PDF },
      { name: 'alt', value: '' },
    ]);
    assert.equal(r.statusCode, 303, r.body.slice(0, 300));
    const list = await maya.get('/pm/media');
    assert.match(decode(list.body), /Uploaded 2 files; they are being prepared in every size. Not uploaded: The file invoice.jpg cannot be uploaded: its content is not a JPEG/);
    await h.app.plugins.find((p) => p.name === 'media')?.close?.();
    const again = await maya.get('/pm/media');
    assert.equal((again.body.match(/class="media-tile"/g) ?? []).length, 2);
    assert.match(again.body, /harbour-at-dusk\.jpg<\/a>/);
    assert.match(again.body, /<img src="\/pm-uploads\/[0-9A-Z]{26}\/[0-9a-f]{12}\/harbour-at-dusk-w320\.webp"/);
    assert.match(again.body, /600×800 · /, "the camera picture stands upright");
  });

  it('searches by name and description and filters by type', async () => {
    const pdfs = await maya.get('/pm/media?type=document');
    assert.match(pdfs.body, /Menu\.pdf/);
    assert.doesNotMatch(pdfs.body, /harbour-at-dusk/);
    // The description was left empty, so the file name was the first guess: "harbour at dusk".
    const byAlt = await maya.get('/pm/media?q=at+dusk');
    assert.match(byAlt.body, /harbour-at-dusk\.jpg/);
    assert.doesNotMatch(byAlt.body, /Menu\.pdf/);
    assert.match((await maya.get('/pm/media?q=nothing-like-this')).body, /No file matches/);
  });

  it('shows details and where a file is used, and refuses to delete it while a page shows it', async () => {
    const list = await maya.get('/pm/media?q=harbour');
    const href = /<a href="(\/pm\/media\/[0-9A-Z]{26})" class="media-thumb">/.exec(list.body)?.[1];
    assert.ok(href);
    const details = await maya.get(href);
    const url = /<code id="media-url">([^<]+)<\/code>/.exec(details.body)?.[1];
    assert.ok(url);
    assert.match(details.body, /Not used on any page/);
    const saved = await h.app.templates.save({ siteId: h.siteId, langcode: '', urlPath: '/harbour', themeId: 'daybreak', templateName: 'about', data: { title: 'Harbour', body: 'x', portrait: url } });
    assert.deepEqual(saved, { ok: true });
    await h.app.plugins.find((p) => p.name === 'media')?.close?.();
    const used = await maya.get(href);
    assert.match(used.body, /<h3>Used on<\/h3><ul><li><a href="\/harbour">\/harbour<\/a><\/li><\/ul>/);
    const del = await maya.post(`${href}/delete`, {});
    assert.equal(del.statusCode, 409);
    assert.deepEqual(shownErrors(decode(del.body)), ['The file harbour-at-dusk.jpg is used on /harbour; take it out of those pages first.']);
    assert.equal((await h.app.http.inject({ url, headers: { host: '127.0.0.1' } })).statusCode, 200, 'nothing was deleted');

    const alt = await maya.post(`${href}/alt`, { alt: 'Boats in the harbour at dusk' });
    assert.equal(alt.statusCode, 303);
    const page = await h.app.http.inject({ url: '/harbour', headers: { host: '127.0.0.1' } });
    assert.match(page.body, /alt="Boats in the harbour at dusk"/, 'the page without a description of its own takes the library’s');

    await h.app.templates.remove(h.siteId, '', '/harbour');
    await h.app.plugins.find((p) => p.name === 'media')?.close?.();
    const ok = await maya.post(`${href}/delete`, {});
    assert.equal(ok.statusCode, 303);
    assert.equal((await maya.get(href)).statusCode, 404);
  });

  it('lets an editor upload but not set the quota; a superadmin sets it and the library shows it', async () => {
    const eddie = await h.loggedIn('eddie', 'another passphrase');
    const page = await eddie.get('/pm/media');
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Storage quota/);
    assert.equal((await eddie.post('/pm/media/quota', { limitMb: '1' })).statusCode, 403);
    const set = await maya.post('/pm/media/quota', { limitMb: '5' });
    assert.equal(set.statusCode, 303);
    assert.match((await maya.get('/pm/media')).body, /used of 5 MB used|of 5 MB used/);
    const bad = await maya.post('/pm/media/quota', { limitMb: 'lots' });
    assert.equal(bad.statusCode, 422);
  });

  it('refuses a multipart post without the token', async () => {
    const r = await postUpload(maya, h, '/pm/media/upload', [{ name: 'file', filename: 'x.pdf', body: PDF }]);
    assert.equal(r.statusCode, 403);
  });
});
