import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Plugin } from '../../src/plugins/api.js';
import { APP_DIALECTS, startTestApp, type TestApp } from '../helpers/app.js';

const fruits: Plugin = {
  name: 'fruits-test',
  routes(router) {
    router.get('/fruits', async (request) => `fruits for ${request.pm.url.urlPath}${request.pm.aliasedFrom ? ` via ${request.pm.aliasedFrom}` : ''}`, { pseudoroute: true });
    router.get('/plain-route', async () => 'a plugin route');
  },
};

for (const { name: dialect, skip } of APP_DIALECTS) {
describe(`the page store answers before routing [${dialect}]`, { skip }, () => {
  let t: TestApp;
  let site: string;
  before(async () => {
    t = await startTestApp({}, { extraPlugins: [fruits], dialect });
    site = t.siteId;
    await t.app.pages.set(site, '', '/about', '<h1>About us</h1>');
    await t.app.pages.redirect(site, '', '/old', '/about', 301);
    await t.app.pages.alias(site, '', '/about-us', '/about');
    await t.app.pages.alias(site, '', '/my-fruits', '/fruits', { pseudoroute: true });
    await t.app.pages.set(site, '', '/draft', '<h1>Secret draft</h1>', { hidden: true });
    await t.user('ed', 'correct horse battery', 'editor');
  });
  after(() => t.close());

  const cases: { name: string; url: string; headers?: Record<string, string>; method?: 'GET' | 'HEAD'; status: number; text?: RegExp; header?: [string, string | RegExp] }[] = [
    { name: 'stored page, gzip accepted', url: '/about', headers: { 'accept-encoding': 'gzip, br' }, status: 200, header: ['content-encoding', 'gzip'] },
    { name: 'stored page, plain for clients without gzip', url: '/about', status: 200, text: /About us/ },
    { name: 'HEAD has headers and no body', url: '/about', method: 'HEAD', status: 200, header: ['content-type', /text\/html/] },
    { name: 'trailing slash goes to the canonical URL', url: '/about/?x=1', status: 301, header: ['location', '/about?x=1'] },
    { name: 'URL redirect with its status', url: '/old', status: 301, header: ['location', '/about'] },
    { name: 'content redirect serves the other page with 200', url: '/about-us', status: 200, text: /About us/ },
    { name: 'alias reaches a pseudoroute', url: '/my-fruits', status: 200, text: /fruits for \/my-fruits via \/my-fruits/ },
    { name: 'a pseudoroute is unreachable by its own path', url: '/fruits', status: 404 },
    { name: 'a plain plugin route still routes', url: '/plain-route', status: 200, text: /a plugin route/ },
    { name: 'hidden page is not shown to visitors', url: '/draft', status: 404 },
    { name: 'unknown URL gets the theme 404 page', url: '/nope', status: 404, text: /not found/i },
    { name: 'broken percent-encoding is a clear 400', url: '/%E0%A4%A', status: 400, text: /malformed/ },
    { name: 'dot-dot in a URL does not escape anything', url: '/pm-themes/daybreak/../../package.json', status: 404 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await t.app.http.inject({ method: c.method ?? 'GET', url: c.url, headers: c.headers });
      assert.equal(r.statusCode, c.status, r.body.slice(0, 200));
      if (c.text) assert.match(r.body, c.text);
      if (c.header) {
        const v = String(r.headers[c.header[0]]);
        if (typeof c.header[1] === 'string') assert.equal(v, c.header[1]);
        else assert.match(v, c.header[1]);
      }
      if (c.method === 'HEAD') assert.equal(r.body, '');
    });
  }

  test('gzip bytes, ETag, Content-Length, x-pm-cache and 304', async () => {
    const r = await t.app.http.inject({ url: '/about', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gunzipSync(r.rawPayload).toString(), '<h1>About us</h1>');
    assert.equal(Number(r.headers['content-length']), r.rawPayload.length);
    assert.equal(r.headers['x-pm-cache'], 'hit');
    const etag = String(r.headers.etag);
    const r304 = await t.app.http.inject({ url: '/about', headers: { 'if-none-match': etag } });
    assert.equal(r304.statusCode, 304);
    assert.equal(r304.body, '');
  });

  test('a page read from the table says miss, then hit', async () => {
    t.app.pages.cache.clear();
    const first = await t.app.http.inject('/about');
    const second = await t.app.http.inject('/about');
    assert.equal(first.headers['x-pm-cache'], 'miss');
    assert.equal(second.headers['x-pm-cache'], 'hit');
  });

  test('a hidden page is shown to a logged-in user', async () => {
    const cookie = await t.login('ed', 'correct horse battery');
    const r = await t.app.http.inject({ url: '/draft', headers: { cookie } });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /Secret draft/);
  });

  test('redirects change at runtime without a restart', async () => {
    await t.app.pages.redirect(site, '', '/moving', '/about', 302);
    assert.equal((await t.app.http.inject('/moving')).headers.location, '/about');
    await t.app.pages.redirect(site, '', '/moving', '/elsewhere', 307);
    const r = await t.app.http.inject('/moving');
    assert.equal(r.statusCode, 307);
    assert.equal(r.headers.location, '/elsewhere');
    await t.app.pages.delete(site, '', '/moving');
    assert.equal((await t.app.http.inject('/moving')).statusCode, 404);
  });

  test('bad page paths are refused with a clear error and store nothing', async () => {
    for (const bad of ['/a/../b', '/a//b', '/x?y=1', '']) {
      await assert.rejects(t.app.pages.set(site, '', bad, 'x'), (e: Error & { code?: string }) => e.code === 'PM_ERR_PATH_INVALID');
    }
    await assert.rejects(t.app.pages.redirect(site, '', '/r', '/x', 200), /redirect status/);
    assert.equal((await t.app.http.inject('/r')).statusCode, 404);
  });

  test('other dynamic responses are compressed', async () => {
    t.app.http.fastify; // the theme's 404 page is a dynamic response of a few KB
    const r = await t.app.http.inject({ url: '/nope', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(r.headers['content-encoding'], 'gzip');
  });
});

describe(`with the cache disabled (--cache-mb 0) [${dialect}]`, { skip }, () => {
  test('every page still serves, from the table', async () => {
    const t = await startTestApp({ cacheMb: 0 }, { dialect });
    try {
      await t.app.pages.set(t.siteId, '', '/a', '<p>from the table</p>');
      for (let i = 0; i < 2; i++) {
        const r = await t.app.http.inject('/a');
        assert.equal(r.statusCode, 200);
        assert.match(r.body, /from the table/);
        assert.equal(r.headers['x-pm-cache'], 'miss');
      }
      assert.equal(t.app.pages.cache.stats().entries, 0);
    } finally {
      await t.close();
    }
  });
});

describe(`pages and redirects survive a restart [${dialect}]`, { skip }, () => {
  test('a second app on the same folder serves them', async () => {
    const t1 = await startTestApp({}, { dialect });
    await t1.app.pages.set(t1.siteId, '', '/kept', '<p>kept</p>');
    await t1.app.pages.redirect(t1.siteId, '', '/go', '/kept', 308);
    await t1.app.close();
    const t2 = await startTestApp({}, { dir: t1.dir, dialect, dbSchema: t1.schema });
    try {
      assert.match((await t2.app.http.inject('/kept')).body, /kept/);
      const r = await t2.app.http.inject('/go');
      assert.equal(r.statusCode, 308);
      assert.equal(r.headers.location, '/kept');
    } finally {
      await t2.close();
      await t1.close();
    }
  });
});
}
