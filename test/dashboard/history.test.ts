import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decode, shownErrors, startHarness, type Client, type Harness } from './dashboard-harness.js';

const PASSWORD = 'correct horse battery';
const ABOUT = { _pm_theme: 'daybreak', _pm_template: 'about' };

describe('revisions and the trash', () => {
  let h: Harness;
  let ada: Client;
  let eve: Client;
  const visit = (url: string) => h.app.http.inject({ url });
  const edit = (title: string) => ada.post('/pm/urls/save', { ...ABOUT, _pm_mode: 'edit', _pm_path: '/about', title, body: `Text of ${title}` });

  before(async () => {
    h = await startHarness();
    await h.user('ada', PASSWORD, 'superadmin');
    await h.user('eve', PASSWORD, 'editor');
    ada = await h.loggedIn('ada', PASSWORD);
    eve = await h.loggedIn('eve', PASSWORD);
    assert.equal((await ada.post('/pm/urls/save', { ...ABOUT, _pm_mode: 'new', _pm_path: '/about', title: 'First', body: 'Text of First' })).statusCode, 303);
  });
  after(() => h.close());

  test('each save keeps the previous version; the editor lists them and restores one, which re-renders the page', async () => {
    assert.equal((await edit('Second')).statusCode, 303);
    assert.equal((await edit('Third')).statusCode, 303);
    const list = await ada.get('/pm/urls/revisions?path=/about');
    assert.equal(list.statusCode, 200);
    const titles = [...list.body.matchAll(/<span class="url">([^<]+)<\/span>/g)].map((m) => m[1]);
    assert.deepEqual(titles, ['Second', 'First'], 'newest first; the current version is not among them');
    assert.match((await ada.get('/pm/urls/edit?path=/about')).body, /href="\/pm\/urls\/revisions\?path=%2Fabout">Earlier versions</);
    const first = (await h.app.history.revisions(h.siteId, '', '/about')).find((r) => (r.data as { title: string }).title === 'First')!;
    const r = await ada.post('/pm/urls/revisions/restore', { id: first.revisionId, path: '/about', lang: '' });
    assert.equal(r.statusCode, 303);
    assert.match(decode((await ada.get(String(r.headers.location))).body), /The earlier version of \/about is back and live/);
    assert.match((await visit('/about')).body, /<h1 class="page-title">First<\/h1>/);
    const after = (await h.app.history.revisions(h.siteId, '', '/about')).map((x) => (x.data as { title: string }).title);
    assert.deepEqual(after, ['Third', 'Second', 'First'], 'what it held before restoring is kept too');
  });

  test('only the newest N are kept (a site setting); a bad setting is refused beside its field', async () => {
    const bad = await ada.post('/pm/settings', { title: 'My site', description: '', defaultLocale: 'en', enabledLocales: 'en', keepRevisions: '-3', trashDays: 'soon' });
    assert.equal(bad.statusCode, 422);
    assert.ok(shownErrors(bad.body).includes('Enter a whole number from 0 to 500.'), shownErrors(bad.body).join(' | '));
    assert.ok(shownErrors(bad.body).includes('Enter a whole number from 1 to 3650.'));
    assert.deepEqual(await h.app.history.settings(h.siteId), { keepRevisions: 20, trashDays: 30 }, 'nothing stored');
    assert.equal((await ada.post('/pm/settings', { title: 'My site', description: '', defaultLocale: 'en', enabledLocales: 'en', keepRevisions: '2', trashDays: '30' })).statusCode, 303);
    for (const t of ['Fourth', 'Fifth', 'Sixth']) assert.equal((await edit(t)).statusCode, 303);
    assert.deepEqual((await h.app.history.revisions(h.siteId, '', '/about')).map((x) => (x.data as { title: string }).title), ['Fifth', 'Fourth']);
  });

  test('a refused save keeps no revision and changes nothing', async () => {
    const before = await h.app.history.revisions(h.siteId, '', '/about');
    assert.equal((await ada.post('/pm/urls/save', { ...ABOUT, _pm_mode: 'edit', _pm_path: '/about', title: '', body: '' })).statusCode, 422);
    assert.deepEqual(await h.app.history.revisions(h.siteId, '', '/about'), before);
  });

  test('deleting moves a page to the trash; it comes back at its address; emptying needs a confirmation', async () => {
    assert.equal((await ada.post('/pm/urls/save', { ...ABOUT, _pm_mode: 'new', _pm_path: '/team', title: 'Team', body: 'Us.' })).statusCode, 303);
    const ask = await ada.get('/pm/urls/delete?path=/team');
    assert.match(decode(ask.body), /It goes to the <a href="\/pm\/trash">trash<\/a> for 30 days/);
    const del = await ada.post('/pm/urls/delete', { path: '/team', lang: '' });
    assert.equal(del.statusCode, 303);
    assert.equal((await visit('/team')).statusCode, 404);
    const trash = await ada.get('/pm/trash');
    assert.match(trash.body, /<span class="url">\/team<\/span><span class="sub">Team · About<\/span>/);
    // Something else takes the address meanwhile: restoring is refused, the trash keeps the page.
    await h.app.pages.redirect(h.siteId, '', '/team', '/about', 302);
    const id = (await h.app.history.trash(h.siteId))[0].trashId;
    const refused = await ada.post('/pm/trash/restore', { id });
    assert.match(decode((await ada.get(String(refused.headers.location))).body), /Nothing was restored: Something is at \/team now \(a redirect\)/);
    assert.equal((await h.app.history.trash(h.siteId)).length, 1);
    await h.app.pages.delete(h.siteId, '', '/team');
    const ok = await ada.post('/pm/trash/restore', { id });
    assert.match(decode((await ada.get(String(ok.headers.location))).body), /\/team is back and live/);
    assert.match((await visit('/team')).body, /Team/);
    assert.deepEqual(await h.app.history.trash(h.siteId), []);
    // Empty: without the tick nothing goes.
    await ada.post('/pm/urls/delete', { path: '/team', lang: '' });
    const noTick = await ada.post('/pm/trash/empty', {});
    assert.equal(noTick.statusCode, 422);
    assert.equal((await h.app.history.trash(h.siteId)).length, 1);
    const emptied = await ada.post('/pm/trash/empty', { confirm: 'yes' });
    assert.equal(emptied.statusCode, 303);
    assert.deepEqual(await h.app.history.trash(h.siteId), []);
  });

  test('a rename does not fill the trash', async () => {
    await ada.post('/pm/urls/save', { ...ABOUT, _pm_mode: 'new', _pm_path: '/old', title: 'Old', body: 'x' });
    const r = await ada.post('/pm/urls/rename', { path: '/old', lang: '', to: '/new', leaveRedirect: '1' });
    assert.equal(r.statusCode, 303);
    assert.deepEqual(await h.app.history.trash(h.siteId), []);
  });

  test('the home page: an extra confirmation, and an editor cannot delete it', async () => {
    const refusedEditor = await eve.post('/pm/urls/delete', { path: '/', lang: '', confirm_home: 'yes' });
    assert.equal(refusedEditor.statusCode, 403);
    assert.match(decode(refusedEditor.body), /Only an admin can delete the home page\./);
    const noTick = await ada.post('/pm/urls/delete', { path: '/', lang: '' });
    assert.equal(noTick.statusCode, 422);
    assert.match(decode(noTick.body), /id="f-confirm_home-error">Tick the box to delete the home page; nothing was deleted\./);
    assert.equal((await visit('/')).statusCode, 200);
    const ok = await ada.post('/pm/urls/delete', { path: '/', lang: '', confirm_home: 'yes' });
    assert.equal(ok.statusCode, 303);
    assert.equal((await visit('/')).statusCode, 404);
    const id = (await h.app.history.trash(h.siteId)).find((e) => e.urlPath === '/')!.trashId;
    await ada.post('/pm/trash/restore', { id });
    assert.equal((await visit('/')).statusCode, 200, 'and the home page comes back from the trash');
  });
});
