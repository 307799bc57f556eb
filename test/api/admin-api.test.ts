/**
 * The admin API through the real request pipeline: authentication, CSRF,
 * permissions, bad input (and that it changes nothing stored), pages,
 * template URLs, redirects, aliases and the URL dashboard guard.
 * Users, tokens and the site are in admin-api-users.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DASHBOARD_ROUTE, runScenario, startApiFixture, STUDIO_DATA, type Fixture, type Scenario } from './api-fixture.js';
import { APP_DIALECTS } from '../helpers/app.js';

let f: Fixture;
/** A one-template theme in the data folder's pm-themes/, laid over the built-in ones. */
const writeMiniTheme = (template: string) => {
  const dir = join(f.t.dir, 'pm-themes/mini');
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'theme.json'), JSON.stringify({ id: 'mini', name: 'Mini', templates: [{ name: 'plain', file: 'templates/plain.eta' }] }));
  writeFileSync(join(dir, 'templates/plain.eta'), template);
};
const stored = (url: string, langcode = '') => f.t.app.pages.get(f.siteId, langcode, url);
const storedHtml = async (url: string) => {
  const r = await f.call('root', 'GET', `/pm/api/pages?url=${encodeURIComponent(url)}`);
  return r.statusCode === 200 ? (r.json().page.html as string | undefined) : undefined;
};
const aboutUnchanged = async () => assert.equal(await storedHtml('/about'), '<h1>About</h1>');
const kindAt = async (url: string) => (await stored(url))?.kind;

const scenarios: Scenario[] = [
  // Authentication
  { name: 'no session and no token: 401', as: 'anonymous', method: 'GET', url: '/pm/api/pages', status: 401, code: 'PM_ERR_UNAUTHENTICATED' },
  {
    name: 'an anonymous write is a 401 and stores nothing',
    as: 'anonymous', method: 'PUT', url: '/pm/api/pages?url=/anon', body: { html: 'x' }, status: 401, code: 'PM_ERR_UNAUTHENTICATED',
    effect: async () => assert.equal(await stored('/anon'), undefined),
  },
  { name: 'a token that was never issued: 401', as: 'bogus', method: 'GET', url: '/pm/api/me', status: 401, code: 'PM_ERR_UNAUTHENTICATED' },
  {
    name: 'a token answers /me with its user, no CSRF token needed',
    as: 'root', method: 'GET', url: '/pm/api/me', status: 200,
    expect: (r) => {
      const me = r.json();
      assert.equal(me.user.username, 'root');
      assert.equal(me.via, 'token');
      assert.ok(me.permissions.includes('users.manage-superadmins'));
      assert.equal(me.csrfToken, undefined);
      assert.equal(r.headers['cache-control'], 'no-store');
    },
  },
  {
    name: 'a revoked token: 401',
    as: 'revoked', method: 'GET', url: '/pm/api/pages', status: 401, code: 'PM_ERR_UNAUTHENTICATED',
  },

  // CSRF on cookie calls
  { name: 'cookie reads need no CSRF token', as: 'cookie-no-csrf', method: 'GET', url: '/pm/api/pages?url=/about', status: 200 },
  {
    name: 'cookie write without x-csrf-token: 403 PM_ERR_CSRF, nothing stored',
    as: 'cookie-no-csrf', method: 'PUT', url: '/pm/api/pages?url=/by-cookie', body: { html: '<p>c</p>' }, status: 403, code: 'PM_ERR_CSRF',
    effect: async () => assert.equal(await stored('/by-cookie'), undefined),
  },
  {
    name: 'cookie write with a wrong x-csrf-token: 403 PM_ERR_CSRF',
    as: 'cookie-bad-csrf', method: 'DELETE', url: '/pm/api/pages?url=/about', status: 403, code: 'PM_ERR_CSRF',
    effect: aboutUnchanged,
  },
  {
    name: 'cookie write with the token from /me: stored',
    as: 'cookie', method: 'PUT', url: '/pm/api/pages?url=/by-cookie', body: { html: '<p>c</p>' }, status: 201,
    effect: async () => assert.equal(await kindAt('/by-cookie'), 'html'),
  },

  // Permissions
  { name: 'editor cannot list users: 403', as: 'editor', method: 'GET', url: '/pm/api/users', status: 403, code: 'PM_ERR_FORBIDDEN' },
  { name: 'editor cannot reload themes: 403', as: 'editor', method: 'POST', url: '/pm/api/themes/reload', status: 403, code: 'PM_ERR_FORBIDDEN' },
  {
    name: 'reloading themes names the changed ones and re-renders their pages before answering',
    as: 'admin', method: 'POST', url: '/pm/api/themes/reload', status: 200,
    expect: async (r) => {
      assert.deepEqual(r.json(), { changed: [] });
      writeMiniTheme('<p>v1 <%= it.data.title %></p>');
      assert.deepEqual((await f.call('admin', 'POST', '/pm/api/themes/reload')).json(), { changed: ['mini'] });
      const saved = await f.call('root', 'PUT', '/pm/api/template-urls?url=/mini', { themeId: 'mini', templateName: 'plain', data: { title: 'Hello' } });
      assert.equal(saved.statusCode, 201, saved.body);
      assert.match((await f.visit('/mini')).body, /v1 Hello/);
      writeMiniTheme('<p>v2 <%= it.data.title %></p>');
      assert.deepEqual((await f.call('admin', 'POST', '/pm/api/themes/reload')).json(), { changed: ['mini'] });
      assert.match((await f.visit('/mini')).body, /v2 Hello/);
    },
  },
  {
    name: 'editor writes pages',
    as: 'editor', method: 'PUT', url: '/pm/api/pages?url=/by-editor', body: { html: '<p>e</p>' }, status: 201,
    effect: async () => assert.equal((await f.visit('/by-editor')).body, '<p>e</p>'),
  },

  // Bad requests change nothing
  {
    name: 'broken JSON: 400, page unchanged',
    as: 'root', method: 'PUT', url: '/pm/api/pages?url=/about', raw: { payload: '{"html": "<p>', type: 'application/json' }, status: 400, code: 'PM_ERR_BAD_REQUEST',
    effect: aboutUnchanged,
  },
  {
    name: 'a form body instead of JSON: 400 saying to send JSON',
    as: 'root', method: 'PUT', url: '/pm/api/pages?url=/about', raw: { payload: 'html=%3Cp%3E', type: 'application/x-www-form-urlencoded' }, status: 400, code: 'PM_ERR_BAD_REQUEST',
    expect: (r) => assert.match(r.json().message, /Content-Type: application\/json/),
    effect: aboutUnchanged,
  },
  { name: 'a JSON array body: 400', as: 'root', method: 'PUT', url: '/pm/api/pages?url=/about', body: ['<p>'], status: 400, code: 'PM_ERR_BAD_REQUEST', effect: aboutUnchanged },
  { name: 'no body at all: 400', as: 'root', method: 'PUT', url: '/pm/api/pages?url=/about', status: 400, code: 'PM_ERR_BAD_REQUEST', effect: aboutUnchanged },
  {
    name: 'a misspelt field: 422 naming it, page unchanged',
    as: 'root', method: 'PUT', url: '/pm/api/pages?url=/about', body: { html: '<p>new</p>', hiden: true }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['hiden'],
    effect: aboutUnchanged,
  },
  { name: 'html that is not text: 422 fields.html', as: 'root', method: 'PUT', url: '/pm/api/pages?url=/about', body: { html: 42 }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['html'], effect: aboutUnchanged },
  { name: 'no ?url=: 400', as: 'root', method: 'PUT', url: '/pm/api/pages', body: { html: 'x' }, status: 400, code: 'PM_ERR_BAD_REQUEST' },
  { name: 'a path with ..: 400 PM_ERR_PATH_INVALID', as: 'root', method: 'PUT', url: '/pm/api/pages?url=/a/../b', body: { html: 'x' }, status: 400, code: 'PM_ERR_PATH_INVALID' },
  {
    name: 'a page under /pm/api, where none is ever served: 400 PM_ERR_PATH_INVALID',
    as: 'root', method: 'PUT', url: '/pm/api/pages?url=/pm/api/pages', body: { html: 'x' }, status: 400, code: 'PM_ERR_PATH_INVALID',
    effect: async () => assert.equal(await stored('/pm/api/pages'), undefined),
  },
  { name: 'a locale the site has not enabled: 400', as: 'root', method: 'PUT', url: '/pm/api/pages?url=/about&langcode=de', body: { html: 'x' }, status: 400, code: 'PM_ERR_BAD_REQUEST', effect: async () => assert.equal(await stored('/about', 'de'), undefined) },
  { name: 'a locale nobody knows: 400', as: 'root', method: 'GET', url: '/pm/api/pages?url=/about&langcode=klingon', status: 400, code: 'PM_ERR_BAD_REQUEST' },
  { name: 'a list limit out of range: 400', as: 'root', method: 'GET', url: '/pm/api/pages?limit=5000', status: 400, code: 'PM_ERR_BAD_REQUEST' },
  {
    name: 'HTML over 10 MB: 413, page unchanged',
    as: 'root', method: 'PUT', url: '/pm/api/pages?url=/about', body: { html: 'x'.repeat(10 * 1024 * 1024 + 10) }, status: 413, code: 'PM_ERR_PAYLOAD_TOO_LARGE',
    effect: aboutUnchanged,
  },

  // Pages
  {
    name: 'PUT over an existing page: 200, visitors get the new HTML',
    as: 'root', method: 'PUT', url: '/pm/api/pages?url=/about/', body: { html: '<h1>About us</h1>' }, status: 200,
    expect: (r) => assert.deepEqual({ ...r.json().page, updatedAt: 0 }, { urlPath: '/about', langcode: '', kind: 'html', hidden: false, updatedAt: 0 }),
    effect: async () => assert.equal((await f.visit('/about')).body, '<h1>About us</h1>'),
  },
  {
    name: 'a hidden page is stored hidden: visitors get a 404',
    as: 'root', method: 'PUT', url: '/pm/api/pages?url=/secret', body: { html: '<p>s</p>', hidden: true }, status: 201,
    effect: async () => assert.equal((await f.visit('/secret')).statusCode, 404),
  },
  { name: 'reading a missing page: 404 PM_ERR_PAGE_NOT_FOUND', as: 'root', method: 'GET', url: '/pm/api/pages?url=/nope', status: 404, code: 'PM_ERR_PAGE_NOT_FOUND' },
  {
    name: 'the list finds pages by part of the path and carries no HTML',
    as: 'editor', method: 'GET', url: '/pm/api/pages?q=ABOU', status: 200,
    expect: (r) => {
      const { pages, more } = r.json();
      assert.deepEqual(pages.map((p: { urlPath: string }) => p.urlPath), ['/about']);
      assert.equal(more, false);
      assert.ok(!('html' in pages[0]) && !('gz' in pages[0]));
    },
  },
  {
    name: 'the list pages with limit and offset',
    as: 'root', method: 'GET', url: '/pm/api/pages?limit=2&offset=1', status: 200,
    expect: (r) => {
      assert.equal(r.json().pages.length, 2);
      assert.equal(r.json().more, true);
    },
  },
  { name: 'deleting a missing page: 404', as: 'root', method: 'DELETE', url: '/pm/api/pages?url=/nope', status: 404, code: 'PM_ERR_PAGE_NOT_FOUND' },
  {
    name: 'deleting a page: 204, visitors get a 404',
    as: 'root', method: 'DELETE', url: '/pm/api/pages?url=/by-cookie', status: 204,
    effect: async () => assert.equal((await f.visit('/by-cookie')).statusCode, 404),
  },

  // Template URLs
  {
    name: 'invalid template data: 422 with fields; the stored data and page stay',
    as: 'root', method: 'PUT', url: '/pm/api/template-urls?url=/studio', body: { themeId: 'daybreak', templateName: 'about', data: { title: 7 } },
    status: 422, code: 'PM_ERR_VALIDATION', fields: ['data[title]', 'data[body]'],
    effect: async () => {
      assert.deepEqual((await f.t.app.templates.get(f.siteId, '', '/studio'))?.data, STUDIO_DATA);
      assert.match((await f.visit('/studio')).body, /The studio/);
    },
  },
  {
    name: 'invalid template data at a new URL stores nothing there',
    as: 'root', method: 'PUT', url: '/pm/api/template-urls?url=/studio-2', body: { themeId: 'daybreak', templateName: 'about', data: {} },
    status: 422, code: 'PM_ERR_VALIDATION', fields: ['data[title]'],
    effect: async () => {
      assert.equal(await f.t.app.templates.get(f.siteId, '', '/studio-2'), undefined);
      assert.equal(await stored('/studio-2'), undefined);
    },
  },
  { name: 'data that is not an object: 422 fields.data', as: 'root', method: 'PUT', url: '/pm/api/template-urls?url=/studio', body: { themeId: 'daybreak', templateName: 'about', data: 'hi' }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['data'] },
  { name: 'no data field: 422 fields.data', as: 'root', method: 'PUT', url: '/pm/api/template-urls?url=/studio', body: { themeId: 'daybreak', templateName: 'about' }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['data'] },
  { name: 'an unknown theme: 404 PM_ERR_THEME_NOT_FOUND', as: 'root', method: 'PUT', url: '/pm/api/template-urls?url=/studio', body: { themeId: 'nope', templateName: 'about', data: {} }, status: 404, code: 'PM_ERR_THEME_NOT_FOUND' },
  { name: 'query and body disagree on the locale: 400', as: 'root', method: 'PUT', url: '/pm/api/template-urls?url=/studio&langcode=en', body: { themeId: 'daybreak', templateName: 'about', data: STUDIO_DATA, langcode: 'fr' }, status: 400, code: 'PM_ERR_BAD_REQUEST' },
  {
    name: 'valid data: saved, rendered, served',
    as: 'editor', method: 'PUT', url: '/pm/api/template-urls?url=/studio', body: { themeId: 'daybreak', templateName: 'about', data: { title: 'Our kiln', body: 'Hot.' } }, status: 200,
    expect: (r) => assert.deepEqual(r.json().templateUrl.data, { title: 'Our kiln', body: 'Hot.' }),
    effect: async () => assert.match((await f.visit('/studio')).body, /Our kiln/),
  },
  {
    name: 'reading it back names its template',
    as: 'root', method: 'GET', url: '/pm/api/pages?url=/studio', status: 200,
    expect: (r) => assert.deepEqual(r.json().page.template, { themeId: 'daybreak', templateName: 'about' }),
  },
  { name: 'a missing template URL: 404 PM_ERR_NOT_FOUND', as: 'root', method: 'GET', url: '/pm/api/template-urls?url=/nope', status: 404, code: 'PM_ERR_NOT_FOUND' },
  { name: 'preview of an unknown template: 404', as: 'root', method: 'POST', url: '/pm/api/preview', body: { themeId: 'daybreak', templateName: 'nope' }, status: 404, code: 'PM_ERR_TEMPLATE_NOT_FOUND' },
  {
    name: 'preview answers HTML and stores nothing',
    as: 'editor', method: 'POST', url: '/pm/api/preview', body: { themeId: 'daybreak', templateName: 'about', data: { title: 'Draft title', body: 'x' }, url: '/draft' }, status: 200,
    expect: (r) => {
      assert.match(String(r.headers['content-type']), /text\/html/);
      assert.match(r.body, /Draft title/);
    },
    effect: async () => assert.equal(await stored('/draft'), undefined),
  },
  {
    name: 'raw HTML over a template URL drops its data (a theme reload must not bring it back)',
    as: 'root', method: 'PUT', url: '/pm/api/pages?url=/studio', body: { html: '<p>hand-made</p>' }, status: 200,
    effect: async () => {
      assert.equal(await f.t.app.templates.get(f.siteId, '', '/studio'), undefined);
      assert.equal((await f.visit('/studio')).body, '<p>hand-made</p>');
    },
  },
  {
    name: 'a new template URL: 201; deleting it: 204 and the page is gone',
    as: 'root', method: 'PUT', url: '/pm/api/template-urls?url=/kiln', body: { themeId: 'daybreak', templateName: 'about', data: STUDIO_DATA }, status: 201,
    effect: async () => {
      const del = await f.call('root', 'DELETE', '/pm/api/template-urls?url=/kiln');
      assert.equal(del.statusCode, 204);
      assert.equal((await f.visit('/kiln')).statusCode, 404);
      assert.equal((await f.call('root', 'DELETE', '/pm/api/template-urls?url=/kiln')).json().code, 'PM_ERR_NOT_FOUND');
    },
  },

  // Redirects and aliases
  { name: 'a redirect status of 303: 422 fields.status', as: 'root', method: 'PUT', url: '/pm/api/redirects?url=/old', body: { target: '/about', status: 303 }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['status'], effect: async () => assert.equal(await stored('/old'), undefined) },
  { name: 'a javascript: target: 422 fields.target', as: 'root', method: 'PUT', url: '/pm/api/redirects?url=/old', body: { target: 'javascript:alert(1)' }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['target'] },
  { name: 'a protocol-relative target: 422', as: 'root', method: 'PUT', url: '/pm/api/redirects?url=/old', body: { target: '//evil.example/' }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['target'] },
  { name: 'a redirect to itself: 422', as: 'root', method: 'PUT', url: '/pm/api/redirects?url=/old', body: { target: '/old' }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['target'] },
  {
    name: 'a redirect: visitors are sent on with its status',
    as: 'root', method: 'PUT', url: '/pm/api/redirects?url=/old', body: { target: '/about', status: 308 }, status: 201,
    effect: async () => {
      const r = await f.visit('/old');
      assert.equal(r.statusCode, 308);
      assert.equal(r.headers.location, '/about');
    },
  },
  { name: 'an alias to nothing: 422', as: 'root', method: 'PUT', url: '/pm/api/aliases?url=/team', body: { contentUrl: '/nothing-here' }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['contentUrl'], effect: async () => assert.equal(await stored('/team'), undefined) },
  { name: 'an alias to itself: 422', as: 'root', method: 'PUT', url: '/pm/api/aliases?url=/about', body: { contentUrl: '/about' }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['contentUrl'], effect: async () => assert.equal(await kindAt('/about'), 'html') },
  { name: 'an alias of a redirect: 422 (one hop only)', as: 'root', method: 'PUT', url: '/pm/api/aliases?url=/team', body: { contentUrl: '/old' }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['contentUrl'] },
  {
    name: 'an alias: the other page’s content at this URL, status 200',
    as: 'root', method: 'PUT', url: '/pm/api/aliases?url=/team', body: { contentUrl: '/about/' }, status: 201,
    expect: (r) => assert.equal(r.json().page.contentUrl, '/about'),
    effect: async () => assert.equal((await f.visit('/team')).body, '<h1>About us</h1>'),
  },

  // The last way into the URL dashboard
  {
    name: 'deleting the only alias into the URL dashboard: 409, still there',
    as: 'root', method: 'DELETE', url: '/pm/api/pages?url=/pm/urls', status: 409, code: 'PM_ERR_LAST_URL_DASHBOARD',
    effect: async () => {
      assert.equal((await stored('/pm/urls'))?.contentUrl, DASHBOARD_ROUTE);
      assert.equal((await f.visit('/pm/urls')).body, '<h1>URL dashboard</h1>');
    },
  },
  // Under /pm/ the page store is consulted before the dashboard's routes: only aliases into the URL dashboard may go there.
  { name: 'a page under /pm/ (it would hide the dashboard): 400 PM_ERR_PATH_INVALID', as: 'root', method: 'PUT', url: '/pm/api/pages?url=/pm/login', body: { html: 'x' }, status: 400, code: 'PM_ERR_PATH_INVALID', effect: async () => assert.equal(await stored('/pm/login'), undefined) },
  { name: 'HTML over /pm/urls: 400 PM_ERR_PATH_INVALID, still the alias', as: 'root', method: 'PUT', url: '/pm/api/pages?url=/pm/urls', body: { html: 'x' }, status: 400, code: 'PM_ERR_PATH_INVALID', effect: async () => assert.equal(await kindAt('/pm/urls'), 'content') },
  { name: 'an alias under /pm/ to an ordinary page: 400', as: 'root', method: 'PUT', url: '/pm/api/aliases?url=/pm/about', body: { contentUrl: '/about' }, status: 400, code: 'PM_ERR_PATH_INVALID', effect: async () => assert.equal(await stored('/pm/about'), undefined) },
  { name: 'an alias at the path of a dashboard route (it would hide it): 400', as: 'root', method: 'PUT', url: '/pm/api/aliases?url=/pm/urls/new/', body: { contentUrl: DASHBOARD_ROUTE }, status: 400, code: 'PM_ERR_PATH_INVALID', effect: async () => assert.equal((await f.visit('/pm/urls/new')).body, '<h1>New page</h1>') },
  {
    name: 'a second alias into the URL dashboard, under /pm/',
    as: 'root', method: 'PUT', url: '/pm/api/aliases?url=/pm/admin', body: { contentUrl: DASHBOARD_ROUTE }, status: 201,
    effect: async () => assert.equal((await f.visit('/pm/admin')).body, '<h1>URL dashboard</h1>'),
  },
  { name: 'then the first one can go', as: 'root', method: 'DELETE', url: '/pm/api/pages?url=/pm/urls', status: 204, effect: async () => assert.equal(await stored('/pm/urls'), undefined) },
  {
    name: 'an alias into the URL dashboard outside /pm/',
    as: 'root', method: 'PUT', url: '/pm/api/aliases?url=/admin/urls', body: { contentUrl: DASHBOARD_ROUTE }, status: 201,
    effect: async () => assert.equal((await f.visit('/admin/urls')).body, '<h1>URL dashboard</h1>'),
  },
  { name: 'the /pm/ one can go too', as: 'root', method: 'DELETE', url: '/pm/api/pages?url=/pm/admin', status: 204 },
  { name: 'now the last: overwriting it with HTML is a 409', as: 'root', method: 'PUT', url: '/pm/api/pages?url=/admin/urls', body: { html: 'x' }, status: 409, code: 'PM_ERR_LAST_URL_DASHBOARD', effect: async () => assert.equal(await kindAt('/admin/urls'), 'content') },
  { name: 'overwriting it with a redirect: 409', as: 'root', method: 'PUT', url: '/pm/api/redirects?url=/admin/urls', body: { target: '/about' }, status: 409, code: 'PM_ERR_LAST_URL_DASHBOARD', effect: async () => assert.equal(await kindAt('/admin/urls'), 'content') },
  { name: 'pointing it elsewhere: 409', as: 'root', method: 'PUT', url: '/pm/api/aliases?url=/admin/urls', body: { contentUrl: '/about' }, status: 409, code: 'PM_ERR_LAST_URL_DASHBOARD', effect: async () => assert.equal((await stored('/admin/urls'))?.contentUrl, DASHBOARD_ROUTE) },
  { name: 'putting template data there: 409', as: 'root', method: 'PUT', url: '/pm/api/template-urls?url=/admin/urls', body: { themeId: 'daybreak', templateName: 'about', data: STUDIO_DATA }, status: 409, code: 'PM_ERR_LAST_URL_DASHBOARD', effect: async () => assert.equal(await kindAt('/admin/urls'), 'content') },
  { name: 'deleting it: 409, still served', as: 'root', method: 'DELETE', url: '/pm/api/pages?url=/admin/urls', status: 409, code: 'PM_ERR_LAST_URL_DASHBOARD', effect: async () => assert.equal((await f.visit('/admin/urls')).body, '<h1>URL dashboard</h1>') },
];

for (const { name: dialect, skip } of APP_DIALECTS) describe(`admin API: pages, template URLs, redirects, aliases [${dialect}]`, { skip }, () => {
  before(async () => {
    f = await startApiFixture({ dialect });
    // A token made and revoked through the API itself.
    const made = await f.call('root', 'POST', '/pm/api/tokens', { name: 'short-lived' });
    f.tokens.revoked = made.json().token;
    assert.equal((await f.call('revoked', 'GET', '/pm/api/me')).statusCode, 200);
    assert.equal((await f.call('root', 'DELETE', `/pm/api/tokens/${made.json().key.keyId}`)).statusCode, 204);
  });
  after(() => f?.close());

  for (const s of scenarios) it(s.name, () => runScenario(f, s));
});
