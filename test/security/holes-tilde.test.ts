/**
 * Hole 3 (hardening issue), the part beyond sanitising page HTML: `~tilde` sites share one
 * origin, so a script on /~ta/ could call /~tb/pm/api/… with /~tb/'s cookie and read its CSRF
 * token. No cookie path or token binding separates one origin; what does is that no script a
 * user wrote runs on a tilde site at all. Every response there carries a policy whose
 * script-src holds only what the installation's theme and plugins injected (by hash or nonce),
 * `'self'` only on pages that load script files, never `'unsafe-inline'`, a scheme or a
 * wildcard; and every response is `nosniff`, so no page or upload can pass for a script.
 *
 * Before the fix (main at the previous commit), the template, raw-page, 404/plugin and dashboard
 * cases failed (script-src 'self' on pages that load no script; 'unsafe-inline' https: kept on a
 * tilde site; no nosniff on stored pages; no script-src of its own on the dashboard); the token
 * binding, primary-site and no-install-route cases passed (they guard what already held).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Plugin } from '../../src/plugins/api.js';
import { TRUSTED_PAGE_CSP } from '../../src/pages/page-csp.js';
import type { Site } from '../../src/store/types.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { ROOT } from '../cli/cli-helpers.js';

const GLOBAL_SCRIPT = 'window.pmInstalledByTheOperator = true;';
let listRoutes: () => { method: string; url: string; plugin: string }[] = () => [];

/** A plugin the operator installed: a script on every themed page, a themed route, and a route with a loose policy of its own. */
const operatorPlugin: Plugin = {
  name: 'operator-plugin',
  init(server) {
    server.themes.addGlobalAsset({ scripts: [{ inline: GLOBAL_SCRIPT }] });
    listRoutes = () => server.routes();
  },
  routes(router, server) {
    router.get('/themed', async (request, reply) => {
      await server.themes.serveTemplate(reply, request, 'daybreak', 'about', {}, { site: { title: 'x', description: '', langcode: 'en' }, page: { urlPath: '/themed', url: '/themed' } });
    });
    router.get('/loose', async (_request, reply) => reply.header('content-security-policy', TRUSTED_PAGE_CSP).type('text/html').send('<p>loose</p><script>alert(1)</script>'));
  },
};

function scriptSrc(csp: unknown): string[] {
  const d = String(csp).split(';').map((x) => x.trim()).find((x) => x.startsWith('script-src '));
  assert.ok(d, `no script-src in ${String(csp)}`);
  return d.split(/\s+/).slice(1);
}

/** What a tilde site's policy may allow: hashes, nonces, and 'self' only when the page loads script files. */
function assertStrict(res: { headers: Record<string, unknown>; body: string }, what: string): string[] {
  const src = scriptSrc(res.headers['content-security-policy']);
  for (const s of src) {
    assert.ok(/^'(sha256|nonce)-/.test(s) || s === "'none'" || (s === "'self'" && /<script\b[^>]*\ssrc=/i.test(res.body)), `${what}: script-src allows ${s} (${src.join(' ')})`);
  }
  assert.equal(res.headers['x-content-type-options'], 'nosniff', `${what}: not nosniff`);
  return src;
}

describe('hole 3: no user-authored script runs on ~tilde sites', () => {
  let t: TestApp;
  let ta: Site;
  let tb: Site;
  const cookies: Record<string, string> = {};
  const host = { host: 'example.com' };

  before(async () => {
    t = await startTestApp({ mode: 'multisite', baseDomain: 'example.com' }, { extraPlugins: [operatorPlugin] });
    ta = await t.app.siteService.create({ tildePrefix: 'ta', title: 'A' });
    tb = await t.app.siteService.create({ tildePrefix: 'tb', title: 'B' });
    for (const [site, name] of [[ta, 'anna'], [tb, 'bert']] as const) {
      const u = await t.app.stores.users.create({ siteId: site.siteId, username: name, name, role: 'superadmin' });
      await t.app.stores.passwords.set(u.userId, `${name} passphrase`);
      cookies[name] = (await t.app.auth.login({ siteId: site.siteId, username: name, password: `${name} passphrase`, ip: '192.0.2.1', secure: false })).setCookie.split(';')[0]!;
    }
    const sample = JSON.parse(readFileSync(join(ROOT, 'pm-themes/daybreak/samples/about.json'), 'utf8'));
    for (const site of [ta, t.app.sites.primary()]) {
      const r = await t.app.templates.save({ siteId: site.siteId, langcode: '', urlPath: '/about', themeId: 'daybreak', templateName: 'about', data: sample });
      assert.ok(r.ok, JSON.stringify(r));
    }
  });
  after(() => t.close());

  const get = (url: string, cookie = '') => t.app.http.inject({ url, headers: { ...host, cookie, accept: 'text/html' } });

  test('a theme page keeps only the operator plugin’s script, by hash: no \'self\', no inline script of anyone else', async () => {
    const res = await get('/~ta/about');
    assert.equal(res.statusCode, 200);
    const src = assertStrict(res, 'template page');
    assert.ok(src.some((s) => s.startsWith("'sha256-")), 'the operator’s script still runs');
    assert.ok(!src.includes("'self'"));
  });

  test('the same page on the primary site (its own origin) keeps the theme’s usual policy', async () => {
    const res = await get('/about');
    assert.ok(scriptSrc(res.headers['content-security-policy']).includes("'self'"));
  });

  test('raw HTML from the tilde site’s own superadmin: sanitised, no script at all', async () => {
    const csrf = (await t.app.http.inject({ url: '/~ta/pm/api/me', headers: { ...host, cookie: cookies.anna! } })).json().csrfToken;
    const attack = `<h1>Hi</h1><script>fetch('/~tb/pm/api/me').then(r=>r.json()).then(m=>fetch('/~tb/pm/api/users',{method:'POST',headers:{'x-csrf-token':m.csrfToken,'content-type':'application/json'},body:'{"username":"mallory","role":"superadmin","password":"a long passphrase"}'}))</script>`;
    const put = await t.app.http.inject({ method: 'PUT', url: '/~ta/pm/api/pages?url=/trap', headers: { ...host, cookie: cookies.anna!, 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload: JSON.stringify({ html: attack }) });
    assert.equal(put.statusCode, 201, put.body);
    const res = await get('/~ta/trap', cookies.bert);
    assert.doesNotMatch(res.body, /<script/);
    assert.deepEqual(assertStrict(res, 'raw page'), ["'none'"]);
  });

  test('the 404 page, a plugin’s themed page and a plugin page with a loose policy of its own are all narrowed', async () => {
    const notFound = await get('/~ta/no-such-page');
    assert.equal(notFound.statusCode, 404);
    assert.ok(!assertStrict(notFound, '404 page').includes("'self'"));
    const themed = await get('/~ta/themed');
    assert.ok(assertStrict(themed, 'plugin themed page').some((s) => s.startsWith("'nonce-")), 'the per-request nonce stays');
    const loose = await get('/~ta/loose');
    assert.deepEqual(assertStrict(loose, 'plugin page with its own policy'), ["'none'"]);
    // On the primary site the plugin's own policy stands.
    assert.ok(scriptSrc((await get('/loose')).headers['content-security-policy']).includes("'unsafe-inline'"));
  });

  test('the dashboard of a tilde site loads its own script files, and nothing inline', async () => {
    const res = await get('/~ta/pm/', cookies.anna);
    assert.equal(res.statusCode, 200, res.body.slice(0, 200));
    assert.deepEqual(assertStrict(res, 'dashboard'), ["'self'"]);
  });

  test("a CSRF token read on /~ta/ does not work on /~tb/, even with /~tb/'s cookie", async () => {
    const csrfA = (await t.app.http.inject({ url: '/~ta/pm/api/me', headers: { ...host, cookie: `${cookies.anna}; ${cookies.bert}` } })).json().csrfToken;
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/~tb/pm/api/users',
      headers: { ...host, cookie: `${cookies.anna}; ${cookies.bert}`, 'x-csrf-token': csrfA, 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'mallory', role: 'superadmin', password: 'a long passphrase' }),
    });
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(await t.app.stores.users.getByUsername(tb.siteId, 'mallory'), undefined);
  });

  test('no route lets a tilde site’s superadmin install a theme or a plugin (themes and plugins come from the data folder or the CLI)', async () => {
    const routes = listRoutes();
    assert.ok(routes.some((r) => r.url === '/pm/api/themes'), 'the route list is the real one');
    const writes = routes.filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && /theme|plugin/i.test(r.url));
    // Reloading re-reads what the operator installed.
    // Switching picks another installed theme for the site's pages; it installs nothing either.
    for (const r of writes) assert.match(r.url, /\/(reload|switch)$/, `a route that may write themes or plugins: ${r.method} ${r.url} (${r.plugin})`);
  });
});
