/**
 * The trash holds every kind of URL entry the URL dashboard can delete: a
 * redirect, an alias and stored HTML come back at their address as they were,
 * through the dashboard and through the API; a restore the address rules
 * would refuse now (a loop, an alias whose page is gone, an address taken) is
 * refused with a sentence, and the entry stays. SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { APP_DIALECTS } from '../helpers/app.js';
import { decode, startHarness, type Client, type Harness } from '../dashboard/dashboard-harness.js';

const PASSWORD = 'correct horse battery';
const ABOUT = { _pm_theme: 'daybreak', _pm_template: 'about' };

for (const { name: dialect, skip } of APP_DIALECTS) {
  describe(`the trash holds redirects, aliases and stored pages [${dialect}]`, { skip }, () => {
    let h: Harness;
    let ada: Client;
    let token: string;
    const visit = (url: string) => h.app.http.inject({ url });
    const api = (method: string, url: string, body?: unknown) =>
      h.app.http.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: body === undefined ? undefined : JSON.stringify(body) });
    const trashOf = async (urlPath: string) => (await h.app.history.trash(h.siteId)).filter((e) => e.urlPath === urlPath);
    /** Restores through the dashboard; the notice it shows. */
    const restore = async (id: string) => {
      const r = await ada.post('/pm/trash/restore', { id });
      assert.equal(r.statusCode, 303);
      return decode((await ada.get(String(r.headers.location))).body);
    };

    before(async () => {
      h = await startHarness({ dialect });
      const u = await h.user('ada', PASSWORD, 'superadmin');
      ada = await h.loggedIn('ada', PASSWORD);
      token = (await h.app.users.createToken(u, 'test')).token;
      assert.equal((await ada.post('/pm/urls/save', { ...ABOUT, _pm_mode: 'new', _pm_path: '/shop', title: 'Shop', body: 'Pots for sale.' })).statusCode, 303);
    });
    after(() => h?.close());

    test('dashboard: a deleted redirect is in the trash and comes back', async () => {
      assert.equal((await ada.post('/pm/urls/redirect', { path: '/old-shop', target: '/shop', status: '301' })).statusCode, 303);
      const ask = await ada.get('/pm/urls/delete?path=/old-shop');
      assert.match(decode(ask.body), /It goes to the <a href="\/pm\/trash">trash<\/a> for 30 days/);
      assert.equal((await ada.post('/pm/urls/delete', { path: '/old-shop', lang: '' })).statusCode, 303);
      assert.equal((await visit('/old-shop')).statusCode, 404);
      const list = decode((await ada.get('/pm/trash')).body);
      assert.match(list, /<span class="url">\/old-shop<\/span><span class="sub">Redirect to \/shop \(301\)<\/span>/);
      const [entry] = await trashOf('/old-shop');
      assert.equal(entry.kind, 'redirect');
      assert.match(await restore(entry.trashId), /\/old-shop is back and live/);
      const back = await visit('/old-shop');
      assert.equal(back.statusCode, 301);
      assert.equal(back.headers.location, '/shop');
      assert.deepEqual(await trashOf('/old-shop'), []);
    });

    test('dashboard: a deleted alias comes back; while its page is gone it is refused and stays in the trash', async () => {
      assert.equal((await ada.post('/pm/urls/alias', { path: '/store', target: '/shop' })).statusCode, 303);
      assert.equal((await ada.post('/pm/urls/delete', { path: '/store', lang: '' })).statusCode, 303);
      assert.equal((await ada.post('/pm/urls/delete', { path: '/shop', lang: '' })).statusCode, 303);
      const [alias] = await trashOf('/store');
      assert.equal(alias.kind, 'alias');
      assert.match((await ada.get('/pm/trash')).body, /Alias: shows \/shop/);
      assert.match(await restore(alias.trashId), /Nothing was restored: Nothing is at \/shop: create that page first/);
      assert.equal((await trashOf('/store')).length, 1, 'the entry stays');
      const [shop] = await trashOf('/shop');
      assert.match(await restore(shop.trashId), /\/shop is back and live/);
      assert.match(await restore(alias.trashId), /\/store is back and live/);
      const r = await visit('/store');
      assert.equal(r.statusCode, 200);
      assert.match(r.body, /Pots for sale\./);
    });

    test('a redirect that would now make a loop, or an address taken meanwhile, is refused and loses nothing', async () => {
      assert.equal((await ada.post('/pm/urls/redirect', { path: '/a', target: '/b', status: '302' })).statusCode, 303);
      assert.equal((await ada.post('/pm/urls/delete', { path: '/a', lang: '' })).statusCode, 303);
      assert.equal((await ada.post('/pm/urls/redirect', { path: '/b', target: '/a', status: '302' })).statusCode, 303);
      const [a] = await trashOf('/a');
      assert.match(await restore(a.trashId), /Nothing was restored: That would make a loop that never ends: \/a → \/b → \/a/);
      assert.equal((await visit('/a')).statusCode, 404);
      assert.equal((await trashOf('/a')).length, 1);
      assert.equal((await ada.post('/pm/urls/save', { ...ABOUT, _pm_mode: 'new', _pm_path: '/a', title: 'A', body: 'A page now.' })).statusCode, 303);
      assert.match(await restore(a.trashId), /Nothing was restored: Another page is at \/a now/);
      assert.match((await visit('/a')).body, /A page now\./, 'what is there now stays');
    });

    test('API: raw HTML deleted through DELETE /pm/api/pages comes back byte for byte', async () => {
      const put = await api('PUT', '/pm/api/pages?url=/notes', { html: '<!doctype html><title>Notes</title><p>Kiln notes</p>' });
      assert.equal(put.statusCode, 201, put.body);
      const before = await visit('/notes');
      assert.equal((await api('DELETE', '/pm/api/pages?url=/notes')).statusCode, 204);
      assert.equal((await visit('/notes')).statusCode, 404);
      const list = (await api('GET', '/pm/api/trash')).json().trash as { trashId: string; kind: string; urlPath: string; summary?: string }[];
      const entry = list.find((e) => e.urlPath === '/notes')!;
      assert.equal(entry.kind, 'html');
      assert.equal(entry.summary, 'Stored page (HTML)');
      const r = await api('POST', `/pm/api/trash/${entry.trashId}/restore`);
      assert.equal(r.statusCode, 201, r.body);
      assert.deepEqual(r.json().restored, { langcode: '', urlPath: '/notes', kind: 'html' });
      const after = await visit('/notes');
      assert.equal(after.statusCode, 200);
      assert.equal(after.body, before.body);
      assert.equal(after.headers.etag, before.headers.etag);
      assert.equal(after.headers['content-security-policy'], before.headers['content-security-policy'], 'with the policy it had');
      assert.equal((await api('POST', `/pm/api/trash/${entry.trashId}/restore`)).statusCode, 404, 'it is no longer in the trash');
    });

    test('API: a redirect and an alias, and a refused restore answers 422 with the sentence', async () => {
      assert.equal((await api('PUT', '/pm/api/redirects?url=/sale', { target: '/shop', status: 308 })).statusCode, 201);
      assert.equal((await api('DELETE', '/pm/api/pages?url=/sale')).statusCode, 204);
      let list = (await api('GET', '/pm/api/trash')).json().trash as { trashId: string; kind: string; urlPath: string; target?: string; status?: number }[];
      const sale = list.find((e) => e.urlPath === '/sale')!;
      assert.deepEqual([sale.kind, sale.target, sale.status], ['redirect', '/shop', 308]);
      assert.equal((await api('PUT', '/pm/api/redirects?url=/sale', { target: '/', status: 302 })).statusCode, 201);
      const taken = await api('POST', `/pm/api/trash/${sale.trashId}/restore`);
      assert.equal(taken.statusCode, 422);
      assert.match(taken.json().fields[''], /Something is at \/sale now \(a redirect\)/);
      assert.equal((await visit('/sale')).headers.location, '/', 'what is there stays');
      assert.equal((await api('DELETE', '/pm/api/pages?url=/sale')).statusCode, 204);
      assert.equal((await api('POST', `/pm/api/trash/${sale.trashId}/restore`)).statusCode, 201);
      const r = await visit('/sale');
      assert.equal(r.statusCode, 308);
      assert.equal(r.headers.location, '/shop');

      assert.equal((await api('PUT', '/pm/api/aliases?url=/boutique', { contentUrl: '/shop' })).statusCode, 201);
      assert.equal((await api('DELETE', '/pm/api/pages?url=/boutique')).statusCode, 204);
      list = (await api('GET', '/pm/api/trash')).json().trash;
      const boutique = list.find((e) => e.urlPath === '/boutique')!;
      assert.equal(boutique.kind, 'alias');
      assert.equal((await api('POST', `/pm/api/trash/${boutique.trashId}/restore`)).statusCode, 201);
      assert.match((await visit('/boutique')).body, /Pots for sale\./);
    });

    test('an alias into the URL dashboard comes back too (after another way in let it go)', async () => {
      assert.equal((await ada.post('/pm/urls/alias', { path: '/pm/admin', target: '/pm-url-dashboard' })).statusCode, 303);
      assert.equal((await ada.post('/pm/urls/delete', { path: '/pm/urls', lang: '' })).statusCode, 303);
      assert.equal((await ada.get('/pm/urls')).statusCode, 404);
      const [entry] = await trashOf('/pm/urls');
      assert.equal(entry.kind, 'alias');
      const r = await ada.post('/pm/trash/restore', { id: entry.trashId });
      assert.equal(r.statusCode, 303);
      assert.equal((await ada.get('/pm/urls')).statusCode, 200);
    });
  });
}
