/**
 * The site's own not-found page, through HTTP: a page made from the theme's
 * 404 template, or the page chosen in Site settings, answers every unknown
 * address of the site with status 404 and its stored content (from the page
 * store, gzipped as stored), in the visitor's language.
 */
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { APP_DIALECTS } from '../helpers/app.js';
import { decode, shownErrors, startHarness, type Client, type Harness } from '../dashboard/dashboard-harness.js';

const PASSWORD = 'correct horse battery';
const SETTINGS = { title: 'My site', description: '', defaultLocale: 'en', enabledLocales: 'en', keepRevisions: '20', trashDays: '30' };

for (const { name: dialect, skip } of APP_DIALECTS) {
  describe(`the site's not-found page [${dialect}]`, { skip }, () => {
    let h: Harness;
    let ada: Client;
    const visit = (url: string, headers: Record<string, string> = {}) => h.app.http.inject({ url, headers: { accept: 'text/html', ...headers } });
    const h1 = (body: string) => decode(/<h1[^>]*>([^<]*)<\/h1>/.exec(body)?.[1] ?? '');
    const save404 = (mode: 'new' | 'edit', title: string, message: string, o: { path?: string; lang?: string } = {}) =>
      ada.post('/pm/urls/save', { _pm_mode: mode, _pm_theme: 'daybreak', _pm_template: '404', _pm_path: o.path ?? '/not-found', _pm_lang: o.lang ?? '', title, message });

    before(async () => {
      h = await startHarness({ dialect });
      await h.user('ada', PASSWORD, 'superadmin');
      ada = await h.loggedIn('ada', PASSWORD);
    });
    after(() => h?.close());

    test('without one, an unknown address gets the theme’s 404 template', async () => {
      const r = await visit('/nowhere');
      assert.equal(r.statusCode, 404);
      assert.equal(h1(r.body), 'Page not found');
      assert.equal(r.headers['x-pm-cache'], undefined, 'rendered, not stored');
    });

    test('a page made from the 404 template answers every unknown address with 404 and its stored content', async () => {
      assert.equal((await save404('new', 'Lost at sea', 'Nothing is moored here. Try the harbour.')).statusCode, 303);
      assert.equal((await visit('/not-found')).statusCode, 200, 'its own address shows it as a page');
      assert.match(decode((await ada.get('/pm/urls/edit?path=/not-found')).body), /This is the site’s not-found page:/, 'its editor says what it is');
      for (const url of ['/nowhere', '/a/b/c', '/nowhere?x=1', '/Not-Here/']) {
        const r = await visit(url);
        assert.equal(r.statusCode, 404, url);
        assert.equal(h1(r.body), 'Lost at sea', url);
        assert.match(decode(r.body), /Try the harbour/);
        assert.match(String(r.headers['x-pm-cache']), /^(hit|miss)$/, 'served from the page store');
        assert.match(String(r.headers['content-security-policy']), /default-src/, 'with the page’s own policy');
      }
      const gz = await visit('/nowhere', { 'accept-encoding': 'gzip' });
      assert.equal(gz.statusCode, 404);
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.equal(h1(gunzipSync(gz.rawPayload).toString()), 'Lost at sea');
      assert.equal((await visit('/nowhere')).headers['x-pm-cache'], 'hit', 'the second miss is a memory read');
      const json = await h.app.http.inject({ url: '/nowhere', headers: { accept: 'application/json' } });
      assert.equal(json.statusCode, 404);
      assert.equal(JSON.parse(json.body).code, 'PM_ERR_NOT_FOUND', 'API clients still get the error as JSON');
      const dash = await ada.get('/pm/no-such-screen');
      assert.equal(dash.statusCode, 404);
      assert.notEqual(h1(dash.body), 'Lost at sea', 'the dashboard’s addresses keep their own answer');
    });

    test('the sitemap leaves the not-found page out', async () => {
      const map = (await visit('/sitemap.xml')).body;
      assert.match(map, /<loc>[^<]*\/<\/loc>/, 'the home page is listed');
      assert.doesNotMatch(map, /not-found/);
    });

    test('editing the page changes what unknown addresses show at once', async () => {
      assert.equal((await save404('edit', 'Adrift', 'Still nothing here.')).statusCode, 303);
      const r = await visit('/nowhere');
      assert.equal(r.statusCode, 404);
      assert.equal(h1(r.body), 'Adrift');
    });

    test('in another language: the default version under its prefix, then its translation once made', async () => {
      assert.equal((await ada.post('/pm/settings', { ...SETTINGS, enabledLocales: ['en', 'fr'] })).statusCode, 303);
      let r = await visit('/fr/nulle-part');
      assert.equal(r.statusCode, 404);
      assert.equal(h1(r.body), 'Adrift', 'the default version until a translation exists');
      assert.match(r.body, /<html lang="en"/, 'with the language of its content');
      assert.equal((await save404('new', 'À la dérive', 'Rien ici.', { lang: 'fr' })).statusCode, 303);
      r = await visit('/fr/nulle-part');
      assert.equal(r.statusCode, 404);
      assert.equal(h1(r.body), 'À la dérive');
      assert.match(r.body, /<html lang="fr"/);
      assert.equal(h1((await visit('/nowhere')).body), 'Adrift', 'the default language keeps its own');
      assert.equal((await ada.post('/pm/settings', SETTINGS)).statusCode, 303);
    });

    test('Site settings can name any page as the not-found page; an address with no page is refused beside the field', async () => {
      const form = await ada.get('/pm/settings');
      assert.match(form.body, /name="notFoundPage"/);
      assert.equal((await ada.post('/pm/urls/save', { _pm_mode: 'new', _pm_theme: 'daybreak', _pm_template: 'about', _pm_path: '/oops', title: 'Oops', body: 'Wrong turn.' })).statusCode, 303);
      const bad = await ada.post('/pm/settings', { ...SETTINGS, notFoundPage: '/no-page-here' });
      assert.equal(bad.statusCode, 422);
      assert.ok(shownErrors(bad.body).some((e) => decode(e).startsWith('There is no page at /no-page-here.')), shownErrors(bad.body).join(' | '));
      assert.match(bad.body, /name="notFoundPage"[^>]*value="\/no-page-here"/, 'what was typed comes back');
      assert.equal(h1((await visit('/nowhere')).body), 'Adrift', 'nothing changed');
      assert.equal((await ada.post('/pm/settings', { ...SETTINGS, notFoundPage: '/oops' })).statusCode, 303);
      assert.match((await ada.get('/pm/settings')).body, /name="notFoundPage"[^>]*value="\/oops"/);
      const r = await visit('/nowhere');
      assert.equal(r.statusCode, 404);
      assert.equal(h1(r.body), 'Oops');
      assert.doesNotMatch((await ada.get('/pm/urls/edit?path=/not-found')).body, /id="pm-not-found-page"/, 'no longer the one');
      assert.match((await ada.get('/pm/urls/edit?path=/oops')).body, /id="pm-not-found-page"/);
      assert.equal((await ada.post('/pm/settings', { ...SETTINGS, notFoundPage: '' })).statusCode, 303);
      assert.equal(h1((await visit('/nowhere')).body), 'Adrift', 'empty: the page made from the 404 template again');
    });

    test('deleting the not-found page brings back the theme’s', async () => {
      const del = await ada.post('/pm/urls/delete', { path: '/not-found', lang: '' });
      assert.equal(del.statusCode, 303, del.body.slice(0, 300));
      const r = await visit('/nowhere');
      assert.equal(r.statusCode, 404);
      assert.equal(h1(r.body), 'Page not found');
    });
  });
}
