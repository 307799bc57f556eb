import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decode, startHarness, type Harness } from './dashboard-harness.js';

const PASSWORD = 'correct horse battery';

describe('dashboard polish', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness();
    await h.user('ada', PASSWORD, 'superadmin');
    await h.user('eve', PASSWORD, 'editor');
    await h.user('abe', PASSWORD, 'author');
  });
  after(() => h.close());

  test('a refusal inside the dashboard keeps its layout and says in plain words what is missing', async () => {
    const eve = await h.loggedIn('eve', PASSWORD);
    for (const [url, who] of [['/pm/themes', 'Only an admin can manage themes.'], ['/pm/settings', 'Only an admin can change the site settings.'], ['/pm/users', 'Only an admin can manage users.'], ['/pm/menus', 'Only an admin can change the menus.']]) {
      const r = await eve.get(url);
      assert.equal(r.statusCode, 403, url);
      assert.match(r.body, /<nav class="nav" aria-label="Dashboard">/, `${url}: the dashboard layout`);
      assert.ok(decode(r.body).includes(who), `${url}: ${who}`);
      assert.doesNotMatch(r.body, /themes manage|use themes|themes\.manage|site\.settings|menus\.manage|users\.manage/, 'not the permission’s code name');
    }
    const api = await h.app.http.inject({ url: '/pm/api/themes/reload', method: 'POST', headers: { accept: 'application/json', cookie: eve.cookieHeader(), 'x-csrf-token': eve.csrf } });
    assert.equal(api.statusCode, 403);
    assert.equal((api.json() as { message: string }).message, 'You do not have permission to manage themes.', 'the API keeps JSON, in the same words');
  });

  test('a role does not see the buttons that lead to what it lacks', async () => {
    const eve = await h.loggedIn('eve', PASSWORD);
    const home = await eve.get('/pm/');
    for (const href of ['/pm/themes', '/pm/settings', '/pm/users', '/pm/menus']) assert.doesNotMatch(home.body, new RegExp(`href="${href}"`), `editor home: ${href}`);
    assert.match(home.body, /href="\/pm\/urls\/new"/, 'an editor may create pages');
    const abe = await h.loggedIn('abe', PASSWORD);
    const list = await abe.get('/pm/urls');
    assert.equal(list.statusCode, 200);
    assert.doesNotMatch(list.body, /Create a page|>Delete<|>Rename<|href="\/pm\/trash"/, 'an author cannot change pages: no such buttons');
    const ada = await h.loggedIn('ada', PASSWORD);
    assert.match((await ada.get('/pm/')).body, /href="\/pm\/themes"/);
  });

  test('the welcome page’s “Open the dashboard” goes to /pm/; the dashboard has a favicon', async () => {
    const welcome = await h.app.http.inject({ url: '/' });
    assert.match(welcome.body, /<a class="button[^"]*" href="\/pm\/">Open the dashboard<\/a>/);
    const ada = await h.loggedIn('ada', PASSWORD);
    assert.match((await ada.get('/pm/')).body, /<link rel="icon" href="\/pm\/assets\/favicon\.svg" type="image\/svg\+xml">/);
    const icon = await h.app.http.inject({ url: '/pm/assets/favicon.svg' });
    assert.equal(icon.statusCode, 200);
    assert.match(String(icon.headers['content-type']), /image\/svg\+xml/);
  });
});
