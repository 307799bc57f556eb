import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Plugin } from '../../src/plugins/api.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const info: Plugin = {
  name: 'info-test',
  routes(router) {
    router.get('/info', async (request) => ({ ...request.pm.url, site: request.pm.site.siteId, link: request.pm.link('/x') }));
  },
};

describe('multisite: sites by domain, subdomain and ~tilde', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  before(async () => {
    t = await startTestApp({ mode: 'multisite', baseDomain: 'example.com' }, { extraPlugins: [info] });
    ids.primary = t.siteId;
    ids.shop = (await t.app.siteService.create({ domain: 'shop.test', title: 'Shop' })).siteId;
    ids.alice = (await t.app.siteService.create({ subdomain: 'alice', title: 'Alice' })).siteId;
    ids.bob = (await t.app.siteService.create({ tildePrefix: 'bob', title: 'Bob' })).siteId;
    for (const [name, id] of Object.entries(ids)) await t.app.pages.set(id, '', '/hello', `<p>hello from ${name}</p>`);
  });
  after(() => t.close());

  const cases = [
    { host: 'example.com', url: '/hello', status: 200, text: 'hello from primary' },
    { host: 'shop.test', url: '/hello', status: 200, text: 'hello from shop' },
    { host: 'alice.example.com', url: '/hello', status: 200, text: 'hello from alice' },
    { host: 'example.com', url: '/~bob/hello', status: 200, text: 'hello from bob' },
    { host: 'example.com:7070', url: '/~bob/hello', status: 200, text: 'hello from bob' },
    { host: 'unknown.test', url: '/hello', status: 404, text: 'No site is served at this address' },
    { host: 'carol.example.com', url: '/hello', status: 404, text: 'No site is served at this address' },
    { host: 'example.com', url: '/~nobody/hello', status: 404, text: 'No site is served at this address' },
    // A tilde prefix only exists on the main host, never under another site.
    { host: 'shop.test', url: '/~bob/hello', status: 404, text: '' },
  ];
  for (const c of cases) {
    test(`${c.host}${c.url} → ${c.status}`, async () => {
      const r = await t.app.http.inject({ url: c.url, headers: { host: c.host } });
      assert.equal(r.statusCode, c.status);
      assert.ok(r.body.includes(c.text), r.body.slice(0, 300));
      for (const other of Object.keys(ids)) if (!c.text.endsWith(other)) assert.ok(!r.body.includes(`hello from ${other}`));
    });
  }

  test('URLInfo as a plugin sees it', async () => {
    const r = await t.app.http.inject({ url: '/~bob/info?q=1', headers: { host: 'example.com' } });
    const u = r.json();
    assert.equal(u.rawURL, '/~bob/info?q=1');
    assert.equal(u.domain, 'example.com');
    assert.equal(u.tildePrefix, 'bob');
    assert.equal(u.urlPath, '/info');
    assert.equal(u.search, '?q=1');
    assert.equal(u.site, ids.bob);
    assert.equal(u.link, '/~bob/x');
    const s = (await t.app.http.inject({ url: '/info', headers: { host: 'alice.example.com' } })).json();
    assert.equal(s.subdomain, 'alice');
    assert.equal(s.site, ids.alice);
  });

  test('a site created at runtime answers at once, without a restart', async () => {
    assert.equal((await t.app.http.inject({ url: '/hello', headers: { host: 'new.test' } })).statusCode, 404);
    const s = await t.app.siteService.create({ domain: 'new.test' });
    await t.app.pages.set(s.siteId, '', '/hello', '<p>hello from new</p>');
    assert.match((await t.app.http.inject({ url: '/hello', headers: { host: 'new.test' } })).body, /hello from new/);
  });

  test('a duplicate domain is refused with a clear error', async () => {
    await assert.rejects(t.app.siteService.create({ domain: 'shop.test' }), (e: Error & { code?: string }) => e.code === 'PM_ERR_CONFLICT');
  });
});

describe('singlesite: every host is the primary site', () => {
  test('any Host header serves the same pages', async () => {
    const t = await startTestApp({}, { extraPlugins: [info] });
    try {
      await t.app.pages.set(t.siteId, '', '/p', '<p>primary</p>');
      for (const host of ['localhost', 'example.org', '10.0.0.1:7070']) {
        assert.match((await t.app.http.inject({ url: '/p', headers: { host } })).body, /primary/);
      }
    } finally {
      await t.close();
    }
  });
});

describe('langcode', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({}, { extraPlugins: [info] });
    await t.app.siteService.update(t.siteId, { defaultLocale: 'en', enabledLocales: ['en', 'fr'] });
    await t.app.pages.set(t.siteId, '', '/about', '<p>About</p>');
    await t.app.pages.set(t.siteId, 'fr', '/about', '<p>À propos</p>');
  });
  after(() => t.close());

  test('the first segment names an enabled locale', async () => {
    assert.match((await t.app.http.inject('/fr/about')).body, /À propos/);
    assert.match((await t.app.http.inject('/about')).body, /About/);
    const u = (await t.app.http.inject('/fr/info')).json();
    assert.equal(u.langcode, 'fr');
    assert.equal(u.urlPath, '/info');
    assert.equal(u.link, '/fr/x');
  });

  test('a locale that is not enabled, or not in locales.txt, is an ordinary path segment', async () => {
    assert.equal((await t.app.http.inject('/de/about')).statusCode, 404);
    assert.equal((await t.app.http.inject('/xx/info')).statusCode, 404);
  });

  test('the default locale has no prefix', async () => {
    const u = (await t.app.http.inject('/info')).json();
    assert.equal(u.langcode, '');
    assert.equal((await t.app.http.inject('/en/about')).statusCode, 404);
  });
});
