import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decode, inputValue, shownErrors, startHarness, type Client, type Harness } from './dashboard-harness.js';

const PASSWORD = 'correct horse battery';

/** A tiny theme in the data folder, so a test can change its files and reload. */
const MINI = {
  'pm-themes/mini/theme.json': JSON.stringify({
    id: 'mini',
    name: 'Mini',
    version: '1.0.0',
    author: 'tests',
    license: 'MIT',
    templates: [{ name: 'note', file: 'templates/note.eta', schema: 'schemas/note.json', description: 'A note' }],
  }),
  'pm-themes/mini/templates/note.eta': '<!doctype html><html><head><title><%= it.data.title %></title></head><body><h1>v1: <%= it.data.title %></h1><p><%= it.site.title %></p></body></html>',
  'pm-themes/mini/schemas/note.json': JSON.stringify({ type: 'object', required: ['title'], properties: { title: { type: 'string', title: 'Title', maxLength: 80 } } }),
};

describe('dashboard pages', () => {
  let h: Harness;
  let ada: Client; // superadmin
  let alan: Client; // admin
  let ed: Client; // editor
  before(async () => {
    h = await startHarness({ files: MINI });
    await h.user('ada', PASSWORD, 'superadmin');
    await h.user('alan', PASSWORD, 'admin');
    await h.user('ed', PASSWORD, 'editor');
    ada = await h.loggedIn('ada', PASSWORD);
    alan = await h.loggedIn('alan', PASSWORD);
    ed = await h.loggedIn('ed', PASSWORD);
    await h.app.templates.save({ siteId: h.siteId, langcode: '', urlPath: '/note', themeId: 'mini', templateName: 'note', data: { title: 'First note' } });
  });
  after(() => h.close());

  describe('permissions', () => {
    const cases: { as: 'editor' | 'admin'; method: 'GET' | 'POST'; url: string; status: number; body?: Record<string, string> }[] = [
      { as: 'editor', method: 'GET', url: '/pm/', status: 200 },
      { as: 'editor', method: 'GET', url: '/pm/urls', status: 200 },
      { as: 'editor', method: 'GET', url: '/pm/profile', status: 200 },
      { as: 'editor', method: 'GET', url: '/pm/themes', status: 403 },
      { as: 'editor', method: 'POST', url: '/pm/themes/reload', status: 403, body: {} },
      { as: 'editor', method: 'GET', url: '/pm/users', status: 403 },
      { as: 'editor', method: 'POST', url: '/pm/users', status: 403, body: { username: 'x', password: PASSWORD, role: 'editor' } },
      { as: 'editor', method: 'GET', url: '/pm/settings', status: 403 },
      { as: 'editor', method: 'POST', url: '/pm/settings', status: 403, body: { title: 'Taken over', defaultLocale: 'en' } },
      { as: 'admin', method: 'GET', url: '/pm/users', status: 200 },
      { as: 'admin', method: 'GET', url: '/pm/settings', status: 200 },
      { as: 'admin', method: 'GET', url: '/pm/users/password', status: 403 },
    ];
    for (const k of cases) {
      test(`${k.method} ${k.url} as an ${k.as} → ${k.status}`, async () => {
        const c = k.as === 'editor' ? ed : alan;
        const r = k.method === 'GET' ? await c.get(k.url) : await c.post(k.url, k.body ?? {});
        assert.equal(r.statusCode, k.status, r.body.slice(0, 200));
        if (k.status === 403) assert.match(decode(r.body), /You do not have permission to/);
      });
    }

    test('the sidebar shows an editor only what they may open', async () => {
      const r = await ed.get('/pm/');
      assert.match(r.body, /href="\/pm\/urls"/);
      assert.doesNotMatch(r.body, /href="\/pm\/users"|href="\/pm\/settings"|href="\/pm\/themes"/);
    });

    test('a JSON request without a session gets 401, not a redirect', async () => {
      const r = await h.app.http.inject({ url: '/pm/', headers: { accept: 'application/json' } });
      assert.equal(r.statusCode, 401);
      assert.equal(JSON.parse(r.body).code, 'PM_ERR_UNAUTHENTICATED');
    });
  });

  test('home shows the site name and counts', async () => {
    const r = await ada.get('/pm/');
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<h1>My site<\/h1>/);
    assert.match(r.body, /<b>2<\/b><span>pages<\/span>/, 'the welcome page and /note');
    assert.match(r.body, /<b>3<\/b><span>users<\/span>/);
    assert.match(r.body, /href="\/pm\/urls\/new">Create a page/);
  });

  test('the stylesheet has an ETag and answers 304 to it', async () => {
    const r = await h.app.http.inject({ url: '/pm/assets/dashboard.css' });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /text\/css/);
    assert.match(r.body, /\.pm-field/, 'the forms styles are included');
    const again = await h.app.http.inject({ url: '/pm/assets/dashboard.css', headers: { 'if-none-match': String(r.headers.etag) } });
    assert.equal(again.statusCode, 304);
    assert.equal((await h.app.http.inject({ url: '/pm/assets/forms.js' })).statusCode, 200);
  });

  test('dashboard pages carry a strict CSP and no inline script or style', async () => {
    for (const url of ['/pm/', '/pm/themes', '/pm/users', '/pm/profile', '/pm/settings', '/pm/urls', '/pm/urls/new?theme=mini&template=note']) {
      const r = await ada.get(url);
      assert.equal(r.statusCode, 200, url);
      assert.match(String(r.headers['content-security-policy']), /default-src 'self'/, url);
      assert.equal(r.headers['cache-control'], 'no-store', url);
      assert.doesNotMatch(r.body, /<script>|<style|style="/, url);
    }
  });

  describe('themes', () => {
    test('lists installed themes with their templates and screenshots', async () => {
      const r = await ada.get('/pm/themes');
      assert.equal(r.statusCode, 200);
      assert.match(r.body, /<h2>Daybreak<\/h2>/);
      assert.match(r.body, /src="\/pm-themes\/daybreak\/screenshots\/about\.png\?v=[0-9a-f]+"/);
      assert.match(r.body, /<h2>Mini<\/h2>/);
      assert.match(r.body, /href="\/pm\/urls\/new\?theme=mini&amp;template=note"/);
    });

    test('a broken theme is listed with its errors', async () => {
      writeFileSync(join(h.dir, 'pm-themes/mini/theme.json'), '{ "id": "mini", ');
      const r = await ada.post('/pm/themes/reload', {});
      assert.equal(r.statusCode, 303);
      const page = await ada.get('/pm/themes');
      assert.match(page.body, /Themes reloaded\. Changed: mini/);
      assert.match(page.body, /badge-error">Broken/);
      assert.match(decode(page.body), /theme\.json/);
      assert.equal((await h.app.http.inject({ url: '/note' })).statusCode, 200, 'the page keeps its last good version');
      writeFileSync(join(h.dir, 'pm-themes/mini/theme.json'), MINI['pm-themes/mini/theme.json']);
    });

    test('reload re-renders the pages of a changed theme', async () => {
      writeFileSync(join(h.dir, 'pm-themes/mini/templates/note.eta'), MINI['pm-themes/mini/templates/note.eta'].replace('v1:', 'v2:'));
      const r = await ada.post('/pm/themes/reload', {});
      assert.equal(r.statusCode, 303);
      assert.match((await ada.get('/pm/themes')).body, /Changed: mini; the pages that use it were rendered again/);
      assert.match((await h.app.http.inject({ url: '/note' })).body, /v2: First note/);
      await ada.post('/pm/themes/reload', {});
      assert.match((await ada.get('/pm/themes')).body, /No theme changed/);
    });
  });

  describe('users', () => {
    test('an admin adds an editor, who can then log in', async () => {
      const r = await alan.post('/pm/users', { username: 'newbie', name: 'New Bie', email: 'n@example.com', role: 'editor', password: 'a long enough password' });
      assert.equal(r.statusCode, 303);
      assert.match((await alan.get('/pm/users')).body, /newbie was added as editor/);
      const u = await h.app.stores.users.getByUsername(h.siteId, 'newbie');
      assert.equal(u?.role, 'editor');
      await h.loggedIn('newbie', 'a long enough password');
    });

    const bad: { name: string; body: Record<string, string>; error: RegExp; who?: () => Client }[] = [
      { name: 'a taken username', body: { username: 'ada', role: 'editor', password: 'a long enough password' }, error: /The username ada is taken/ },
      { name: 'a username with spaces', body: { username: 'two words', role: 'editor', password: 'a long enough password' }, error: /letters, digits/ },
      { name: 'a weak password', body: { username: 'weak', role: 'editor', password: 'abc' }, error: /./ },
      { name: 'an unknown role', body: { username: 'roleless', role: 'king', password: 'a long enough password' }, error: /Pick a role/ },
      { name: 'an admin adding a superadmin', body: { username: 'sneaky', role: 'superadmin', password: 'a long enough password' }, error: /Only a superadmin can add a superadmin/ },
    ];
    for (const k of bad) {
      test(`adding a user with ${k.name} is refused beside the field, input kept`, async () => {
        const before = (await h.app.stores.users.list(h.siteId)).length;
        const r = await alan.post('/pm/users', { name: 'Kept Name', ...k.body });
        assert.ok(r.statusCode === 422 || r.statusCode === 409, String(r.statusCode));
        assert.ok(shownErrors(decode(r.body)).some((e) => k.error.test(e)), shownErrors(decode(r.body)).join(' | '));
        assert.equal(inputValue(r.body, 'name'), 'Kept Name');
        assert.equal((await h.app.stores.users.list(h.siteId)).length, before);
      });
    }

    test('roles: an admin cannot touch superadmins; the last superadmin stays', async () => {
      const adaUser = (await h.app.stores.users.getByUsername(h.siteId, 'ada'))!;
      const edUser = (await h.app.stores.users.getByUsername(h.siteId, 'ed'))!;
      let r = await alan.post('/pm/users/role', { userId: edUser.userId, role: 'superadmin' });
      assert.equal(r.statusCode, 403);
      r = await alan.post('/pm/users/role', { userId: adaUser.userId, role: 'editor' });
      assert.equal(r.statusCode, 403);
      r = await ada.post('/pm/users/role', { userId: adaUser.userId, role: 'admin' });
      assert.equal(r.statusCode, 409);
      assert.match(decode(r.body), /The site needs at least one superadmin/);
      assert.equal((await h.app.stores.users.get(adaUser.userId))?.role, 'superadmin');
      r = await alan.post('/pm/users/role', { userId: edUser.userId, role: 'admin' });
      assert.equal(r.statusCode, 303);
      assert.equal((await h.app.stores.users.get(edUser.userId))?.role, 'admin');
      await alan.post('/pm/users/role', { userId: edUser.userId, role: 'editor' });
    });

    test('a superadmin sets someone’s password, which ends their sessions', async () => {
      const victim = await h.user('vic', PASSWORD, 'editor');
      const vic = await h.loggedIn('vic', PASSWORD);
      assert.equal((await vic.get('/pm/')).statusCode, 200);
      let r = await ada.get(`/pm/users/password?user=${victim.userId}`);
      assert.equal(r.statusCode, 200);
      r = await ada.post('/pm/users/password', { userId: victim.userId, password: 'new secret phrase', confirm: 'not the same' });
      assert.equal(r.statusCode, 422);
      assert.ok(shownErrors(r.body).includes('The two passwords differ.'));
      assert.ok(await h.app.stores.passwords.verify(victim.userId, PASSWORD), 'unchanged after a refusal');
      r = await ada.post('/pm/users/password', { userId: victim.userId, password: 'new secret phrase', confirm: 'new secret phrase' });
      assert.equal(r.statusCode, 303);
      assert.ok(await h.app.stores.passwords.verify(victim.userId, 'new secret phrase'));
      assert.equal((await vic.get('/pm/')).statusCode, 303, 'their session ended');
    });

    test('deleting a user asks first, then logs them out for good; yourself and, for an admin, a superadmin are refused', async () => {
      const gone = await h.user('gus', PASSWORD, 'editor');
      const gus = await h.loggedIn('gus', PASSWORD);
      assert.equal((await gus.get('/pm/')).statusCode, 200);
      const list = await alan.get('/pm/users');
      assert.ok(list.body.includes(`href="/pm/users/delete?user=${gone.userId}"`), 'a Delete link beside gus');
      const confirm = await alan.get(`/pm/users/delete?user=${gone.userId}`);
      assert.equal(confirm.statusCode, 200);
      assert.match(decode(confirm.body), /Delete <strong>Gus \(gus\)<\/strong>\? They are logged out at once and can no longer log in/);
      assert.match(confirm.body, /<button class="btn-danger" type="submit">Delete gus<\/button>/);
      assert.ok(await h.app.stores.users.get(gone.userId), 'asking deletes nothing');

      let r = await alan.post('/pm/users/delete', { userId: gone.userId });
      assert.equal(r.statusCode, 303);
      assert.match(decode((await alan.get('/pm/users')).body), /gus was deleted\./);
      assert.equal(await h.app.stores.users.get(gone.userId), undefined);
      assert.equal((await gus.get('/pm/')).statusCode, 303, 'their session ended');
      const visitor = h.client();
      await visitor.get('/pm/login');
      const back = await visitor.post('/pm/login', { username: 'gus', password: PASSWORD });
      assert.equal(back.statusCode, 401, 'they cannot log in again');

      r = await alan.post('/pm/users/delete', { userId: gone.userId });
      assert.equal(r.statusCode, 404, 'already gone');

      const adaUser = (await h.app.stores.users.getByUsername(h.siteId, 'ada'))!;
      r = await alan.post('/pm/users/delete', { userId: adaUser.userId });
      assert.equal(r.statusCode, 403);
      assert.match(decode(r.body), /You do not have permission to delete a superadmin/);
      r = await ada.post('/pm/users/delete', { userId: adaUser.userId });
      assert.equal(r.statusCode, 409);
      assert.match(decode(r.body), /You cannot delete your own account; another admin can\./);
      assert.doesNotMatch(r.body, /btn-danger/, 'a refusal offers no delete button');
      assert.equal((await h.app.stores.users.get(adaUser.userId))?.role, 'superadmin');
    });

    test('an admin cannot log a superadmin out', async () => {
      const adaUser = (await h.app.stores.users.getByUsername(h.siteId, 'ada'))!;
      const r = await alan.post('/pm/users/revoke', { userId: adaUser.userId });
      assert.equal(r.statusCode, 403);
      assert.match(decode(r.body), /You do not have permission to log a superadmin out\./);
      assert.equal((await ada.get('/pm/')).statusCode, 200, 'ada is still logged in');
    });

    test('log out everywhere ends another user’s sessions', async () => {
      const target = await h.user('tess', PASSWORD, 'editor');
      const tess = await h.loggedIn('tess', PASSWORD);
      const r = await alan.post('/pm/users/revoke', { userId: target.userId });
      assert.equal(r.statusCode, 303);
      assert.match((await alan.get('/pm/users')).body, /tess was logged out everywhere/);
      assert.equal((await tess.get('/pm/')).statusCode, 303);
    });
  });

  describe('profile', () => {
    test('changing the password needs the current one', async () => {
      const u = await h.user('pat', PASSWORD, 'editor');
      const pat = await h.loggedIn('pat', PASSWORD);
      let r = await pat.post('/pm/profile/password', { current: 'wrong', password: 'brand new phrase', confirm: 'brand new phrase' });
      assert.equal(r.statusCode, 422);
      assert.ok(shownErrors(r.body).includes('This is not your current password.'));
      assert.ok(await h.app.stores.passwords.verify(u.userId, PASSWORD));
      r = await pat.post('/pm/profile/password', { current: PASSWORD, password: 'abc', confirm: 'abc' });
      assert.equal(r.statusCode, 422);
      assert.ok(shownErrors(r.body).includes('The password must be at least 8 characters long.'));
      r = await pat.post('/pm/profile/password', { current: PASSWORD, password: 'password123', confirm: 'password123' });
      assert.ok(shownErrors(r.body).includes('This password is too easy to guess. This is a commonly used password. Add more words that are less common.'), shownErrors(r.body).join(' | '));
      r = await pat.post('/pm/profile/password', { current: PASSWORD, password: '', confirm: '' });
      assert.ok(shownErrors(r.body).includes('Enter a new password.'));
      assert.ok(await h.app.stores.passwords.verify(u.userId, PASSWORD), 'unchanged after three refusals');
      r = await pat.post('/pm/profile/password', { current: PASSWORD, password: 'brand new phrase', confirm: 'brand new phrase' });
      assert.equal(r.statusCode, 303);
      assert.match((await pat.get('/pm/profile')).body, /Your password was changed/);
      assert.ok(await h.app.stores.passwords.verify(u.userId, 'brand new phrase'));
    });

    test('log out everywhere ends every session of mine', async () => {
      await h.user('lou', PASSWORD, 'editor');
      const laptop = await h.loggedIn('lou', PASSWORD);
      const phone = await h.loggedIn('lou', PASSWORD);
      await laptop.get('/pm/profile');
      const r = await laptop.post('/pm/profile/logout-everywhere', {});
      assert.equal(r.statusCode, 303);
      assert.equal(r.headers.location, '/pm/login');
      assert.equal((await phone.get('/pm/')).statusCode, 303);
      assert.equal((await laptop.get('/pm/')).statusCode, 303);
    });

    test('an API token is shown once, works, is listed, and can be revoked', async () => {
      await ada.get('/pm/profile');
      let r = await ada.post('/pm/profile/tokens', { name: '' });
      assert.equal(r.statusCode, 422);
      r = await ada.post('/pm/profile/tokens', { name: 'backup script' });
      assert.equal(r.statusCode, 201);
      const token = /<code id="new-token">([^<]+)<\/code>/.exec(r.body)?.[1];
      assert.ok(token?.startsWith('pm_'));
      const api = await h.app.http.inject({ url: '/pm/', headers: { authorization: `Bearer ${token}`, accept: 'text/html' } });
      assert.equal(api.statusCode, 200, 'the token acts as its user');
      const list = await ada.get('/pm/profile');
      assert.match(list.body, /backup script/);
      assert.ok(!list.body.includes(token!), 'never shown again');
      const keyId = /name="keyId" value="([^"]+)"/.exec(list.body)![1];
      r = await ada.post('/pm/profile/tokens/revoke', { keyId });
      assert.equal(r.statusCode, 303);
      assert.equal((await h.app.http.inject({ url: '/pm/', headers: { authorization: `Bearer ${token}`, accept: 'text/html' } })).statusCode, 401);
    });
  });

  describe('site settings', () => {
    test('saving changes the site and re-renders its pages', async () => {
      await alan.get('/pm/settings');
      const r = await alan.post('/pm/settings', { title: 'Fern & Kiln', description: 'Pots.', defaultLocale: 'en', enabledLocales: ['fr'] });
      assert.equal(r.statusCode, 303);
      const page = await alan.get('/pm/settings');
      assert.match(page.body, /Settings saved\./);
      assert.equal(decode(inputValue(page.body, 'title')!), 'Fern & Kiln');
      const site = h.app.sites.primary();
      assert.equal(site.title, 'Fern & Kiln');
      assert.deepEqual(site.enabledLocales, ['en', 'fr']);
      assert.match((await h.app.http.inject({ url: '/note' })).body, /Fern &#?\w*;? Kiln|Fern &amp; Kiln/);
      assert.equal((await h.app.http.inject({ url: '/fr/note' })).statusCode, 200, 'the new language serves the page');
    });

    test('bad settings are refused beside the fields, and nothing changes', async () => {
      const before = h.app.sites.primary();
      const r = await alan.post('/pm/settings', { title: '', description: 'x'.repeat(600), defaultLocale: 'xx', enabledLocales: ['en', 'zz'] });
      assert.equal(r.statusCode, 422);
      const errors = shownErrors(r.body);
      for (const e of ['Give the site a title.', 'Keep the description under 500 characters.', 'Pick a language from the list.', 'Unknown language code: zz.']) assert.ok(errors.includes(e), errors.join(' | '));
      assert.deepEqual(h.app.sites.primary(), before);
    });
  });
});
