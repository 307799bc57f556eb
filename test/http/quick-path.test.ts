/**
 * The front handler's quick path (a cached page answered before URLInfo and Fastify) must
 * answer exactly as the full path would: these are the cases where it has to step aside or
 * where what it derived once (the Host table) must follow a change.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';

describe('the quick path for cached pages', () => {
  let t: TestApp;
  let cookie: string;
  before(async () => {
    t = await startTestApp({ allowedHosts: 'example.com' });
    await t.app.siteService.update(t.siteId, { enabledLocales: ['en', 'fr'] });
    await t.app.pages.set(t.siteId, '', '/about', '<p>about, default language</p>');
    await t.app.pages.set(t.siteId, 'fr', '/about', '<p>à propos</p>');
    await t.app.pages.set(t.siteId, '', '/draft', '<p>secret draft</p>', { hidden: true });
    await t.app.pages.set(t.siteId, '', '/', '<p>the home page</p>');
    await t.user('ed', 'correct horse battery', 'editor');
    cookie = await t.login('ed', 'correct horse battery');
  });
  after(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') =>
    t.app.http.inject({ method, url, headers: { host: 'example.com', ...headers } });

  test('a Host the guard refuses is refused, also once a page is cached and the Host table filled', async () => {
    for (let i = 0; i < 2; i++) {
      assert.equal((await get('/about')).headers['x-pm-cache'], 'hit');
      const r = await get('/about', { host: 'evil.example' });
      assert.notEqual(r.statusCode, 200);
      assert.equal(r.headers['x-pm-cache'], undefined);
    }
  });

  test('the home page, a query string and a langcode prefix are answered from the cache', async () => {
    assert.match((await get('/')).body, /the home page/);
    const q = await get('/about?utm=1');
    assert.equal(q.headers['x-pm-cache'], 'hit');
    assert.match(q.body, /default language/);
    for (const url of ['/fr/about', '/FR/about']) {
      const r = await get(url);
      assert.equal(r.statusCode, 200, url);
      assert.match(r.body, /à propos/);
    }
    // A trailing slash still redirects to the canonical address, with the prefix.
    const slash = await get('/fr/about/');
    assert.equal(slash.statusCode, 301);
    assert.equal(slash.headers.location, '/fr/about');
  });

  test('HEAD, 304 and every stored header', async () => {
    const full = await get('/about', { 'accept-encoding': 'gzip' });
    for (const h of ['etag', 'vary', 'cache-control', 'content-security-policy', 'x-content-type-options', 'content-encoding']) assert.ok(full.headers[h], h);
    const head = await get('/about', { 'accept-encoding': 'gzip' }, 'HEAD');
    assert.equal(head.statusCode, 200);
    assert.equal(head.rawPayload.length, 0);
    assert.equal(head.headers['content-length'], full.headers['content-length']);
    const r304 = await get('/about', { 'if-none-match': String(full.headers.etag) });
    assert.equal(r304.statusCode, 304);
    assert.equal(r304.headers.vary, 'Accept-Encoding');
  });

  test('a hidden page: only with the site’s session cookie, not with a look-alike or a foreign one', async () => {
    assert.equal((await get('/draft')).statusCode, 404);
    assert.equal((await get('/draft', { cookie: 'pm_session_other=abc; theme=dark' })).statusCode, 404);
    assert.equal((await get('/draft', { cookie: `x${cookie}` })).statusCode, 404);
    const r = await get('/draft', { cookie: `theme=dark; ${cookie}` });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /secret draft/);
  });

  test('a language disabled later is no longer a prefix (the Host table follows the site)', async () => {
    assert.match((await get('/fr/about')).body, /à propos/);
    await t.app.siteService.update(t.siteId, { enabledLocales: ['en'] });
    try {
      assert.equal((await get('/fr/about')).statusCode, 404);
    } finally {
      await t.app.siteService.update(t.siteId, { enabledLocales: ['en', 'fr'] });
    }
  });
});

describe('the quick path in multisite mode', () => {
  test('a domain moved to another site serves that site’s pages at once', async () => {
    const t = await startTestApp({ mode: 'multisite', baseDomain: 'example.com' });
    try {
      const shop = await t.app.siteService.create({ domain: 'shop.test', title: 'Shop' });
      await t.app.pages.set(shop.siteId, '', '/hello', '<p>hello from shop</p>');
      const get = () => t.app.http.inject({ url: '/hello', headers: { host: 'shop.test' } });
      assert.match((await get()).body, /hello from shop/);
      await t.app.siteService.update(shop.siteId, { domain: 'shop2.test' });
      const r = await get();
      assert.equal(r.statusCode, 404);
      assert.doesNotMatch(r.body, /hello from shop/);
    } finally {
      await t.close();
    }
  });
});
