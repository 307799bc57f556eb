/**
 * Revisions follow a rename: a page moved to a new address (a 301 left
 * behind) keeps its earlier versions there; the history page of the new
 * address lists them, and restoring one renders it at the new address.
 * Through the dashboard, on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { APP_DIALECTS } from '../helpers/app.js';
import { decode, startHarness, type Client, type Harness } from '../dashboard/dashboard-harness.js';

const PASSWORD = 'correct horse battery';
const ABOUT = { _pm_theme: 'daybreak', _pm_template: 'about' };
const titles = (body: string) => [...body.matchAll(/<span class="url">([^<]+)<\/span>/g)].map((m) => decode(m[1]));

for (const { name: dialect, skip } of APP_DIALECTS) {
  describe(`revisions follow a rename [${dialect}]`, { skip }, () => {
    let h: Harness;
    let ada: Client;
    const visit = (url: string) => h.app.http.inject({ url });

    before(async () => {
      h = await startHarness({ dialect });
      await h.user('ada', PASSWORD, 'superadmin');
      ada = await h.loggedIn('ada', PASSWORD);
    });
    after(() => h?.close());

    test('the history page of the new address shows the old revisions, and restoring one works there', async () => {
      assert.equal((await ada.post('/pm/urls/save', { ...ABOUT, _pm_mode: 'new', _pm_path: '/studio', title: 'First', body: 'One.' })).statusCode, 303);
      for (const t of ['Second', 'Third']) assert.equal((await ada.post('/pm/urls/save', { ...ABOUT, _pm_mode: 'edit', _pm_path: '/studio', title: t, body: `${t}.` })).statusCode, 303);
      assert.deepEqual(titles((await ada.get('/pm/urls/revisions?path=/studio')).body), ['Second', 'First']);

      const r = await ada.post('/pm/urls/rename', { path: '/studio', lang: '', to: '/the-studio', leaveRedirect: '1' });
      assert.equal(r.statusCode, 303, r.body.slice(0, 300));
      const old = await visit('/studio');
      assert.equal(old.statusCode, 301);
      assert.equal(old.headers.location, '/the-studio');
      assert.deepEqual(titles((await ada.get('/pm/urls/revisions?path=/the-studio')).body), ['Second', 'First'], 'the history moved with the page');
      assert.deepEqual(await h.app.history.revisions(h.siteId, '', '/studio'), [], 'nothing is left at the old address');
      assert.deepEqual(await h.app.history.trash(h.siteId), [], 'and nothing went to the trash');

      const first = (await h.app.history.revisions(h.siteId, '', '/the-studio')).find((x) => (x.data as { title: string }).title === 'First')!;
      assert.equal(first.urlPath, '/the-studio');
      const back = await ada.post('/pm/urls/revisions/restore', { id: first.revisionId, path: '/the-studio', lang: '' });
      assert.equal(back.statusCode, 303);
      assert.match(decode((await ada.get(String(back.headers.location))).body), /The earlier version of \/the-studio is back and live/);
      assert.match((await visit('/the-studio')).body, /<h1 class="page-title">First<\/h1>/);
      assert.equal((await visit('/studio')).statusCode, 301, 'the redirect stays');
      assert.deepEqual(titles((await ada.get('/pm/urls/revisions?path=/the-studio')).body), ['Third', 'Second', 'First']);
    });

    test('renamed again (no redirect left), the history still follows; the newest N are kept', async () => {
      assert.equal((await ada.post('/pm/urls/rename', { path: '/the-studio', lang: '', to: '/workshop' })).statusCode, 303);
      assert.equal((await visit('/the-studio')).statusCode, 404);
      assert.deepEqual(titles((await ada.get('/pm/urls/revisions?path=/workshop')).body), ['Third', 'Second', 'First']);
      assert.equal((await h.app.history.setSettings(h.siteId, { keepRevisions: 2, trashDays: 30 })).ok, true);
      assert.equal((await ada.post('/pm/urls/rename', { path: '/workshop', lang: '', to: '/atelier' })).statusCode, 303);
      assert.deepEqual(titles((await ada.get('/pm/urls/revisions?path=/atelier')).body), ['Third', 'Second']);
    });
  });
}
