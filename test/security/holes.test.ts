/**
 * The holes found by outside tests (hardening issue), one case each: every test here
 * failed before its fix.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Plugin } from '../../src/plugins/api.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { startServer, tempDir } from '../cli/cli-helpers.js';

const me = (t: TestApp, headers: Record<string, string>) => t.app.http.inject({ url: '/pm/api/me', headers });

describe('hole 1: DNS rebinding against offline mode', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ mode: 'offline' });
  });
  after(() => t.close());

  for (const host of ['evil.example:7070', 'evil.example', '127.0.0.1.evil.example:7070', 'localhost.evil.example', '10.0.0.5:7070']) {
    test(`Host ${JSON.stringify(host)} is refused with 421 and no session`, async () => {
      const res = await me(t, { host });
      assert.equal(res.statusCode, 421, res.body);
      assert.equal(res.json().code, 'PM_ERR_HOST_NOT_ALLOWED');
      assert.doesNotMatch(res.body, /csrfToken|superadmin|admin/);
      assert.equal(res.headers['set-cookie'], undefined);
      const page = await t.app.http.inject({ url: '/', headers: { host } });
      assert.equal(page.statusCode, 421);
      assert.doesNotMatch(page.body, /Open the dashboard/);
    });
  }

  for (const host of ['127.0.0.1:7070', 'localhost:7070', '[::1]:7070', 'LOCALHOST', '127.0.0.2:7070']) {
    test(`loopback Host ${host} is the superadmin`, async () => {
      const res = await me(t, { host });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().user.role, 'superadmin');
    });
  }

  test('the attack of the report: a token fetched with a loopback Host, sent back from another origin, creates nobody', async () => {
    const token = (await me(t, { host: '127.0.0.1:7070' })).json().csrfToken as string;
    const before = (await t.app.stores.users.list(t.siteId)).length;
    for (const headers of [
      { host: 'evil.example:7070', origin: 'http://evil.example:7070' },
      { host: '127.0.0.1:7070', origin: 'http://evil.example:7070' },
      { host: '127.0.0.1:7070', referer: 'http://evil.example:7070/attack.html' },
      { host: '127.0.0.1:7070', origin: 'null' },
    ]) {
      const res = await t.app.http.inject({
        method: 'POST',
        url: '/pm/api/users',
        headers: { ...headers, 'content-type': 'application/json', 'x-csrf-token': token },
        payload: JSON.stringify({ username: 'mallory', role: 'superadmin', password: 'a long enough passphrase' }),
      });
      assert.ok(res.statusCode === 421 || res.statusCode === 403, `${JSON.stringify(headers)}: ${res.statusCode} ${res.body}`);
      assert.match(res.json().code, /PM_ERR_HOST_NOT_ALLOWED|PM_ERR_CROSS_ORIGIN/);
    }
    assert.equal((await t.app.stores.users.list(t.siteId)).length, before);
    assert.equal(await t.app.stores.users.getByUsername(t.siteId, 'mallory'), undefined);
  });

  test('a same-origin request (Origin matching Host) goes through', async () => {
    const token = (await me(t, { host: '127.0.0.1:7070' })).json().csrfToken as string;
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/pm/api/users',
      headers: { host: '127.0.0.1:7070', origin: 'http://127.0.0.1:7070', 'content-type': 'application/json', 'x-csrf-token': token },
      payload: JSON.stringify({ username: 'friend', role: 'editor', password: 'a long enough passphrase' }),
    });
    assert.equal(res.statusCode, 201, res.body);
  });
});

describe('hole 1: hosts no site claims get no session (singlesite with allowed_hosts, multisite)', () => {
  test('singlesite: a host outside allowed_hosts is refused; the allowed ones and loopback are served', async () => {
    const t = await startTestApp({ allowedHosts: 'www.example.com, example.com' });
    try {
      await t.user('root', 'root passphrase', 'superadmin');
      const cookie = await t.login('root', 'root passphrase');
      const refused = await me(t, { host: 'evil.example', cookie });
      assert.equal(refused.statusCode, 421);
      assert.doesNotMatch(refused.body, /root/);
      assert.equal((await me(t, { host: 'www.example.com', cookie })).json().user.username, 'root');
      assert.equal((await me(t, { host: 'Example.com:443', cookie })).statusCode, 200);
      assert.equal((await me(t, { host: '127.0.0.1:7070', cookie })).statusCode, 200);
    } finally {
      await t.close();
    }
  });

  test('singlesite without allowed_hosts answers any host (a VPS reached by its address)', async () => {
    const t = await startTestApp({});
    try {
      const res = await t.app.http.inject({ url: '/pm/health', headers: { host: '203.0.113.7:8080' } });
      assert.equal(res.statusCode, 200);
    } finally {
      await t.close();
    }
  });

  test('an allowed_hosts entry that is not a host name stops the start with a clear message', async () => {
    await assert.rejects(startTestApp({ allowedHosts: 'http://example.com/' }), /allowed host "http:\/\/example.com\/" is not a host name/);
  });

  test('multisite: an unknown host is a 404 that reads no session', async () => {
    const t = await startTestApp({ mode: 'multisite', baseDomain: 'example.com' });
    try {
      const res = await me(t, { host: 'nobody.example.org' });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().code, 'PM_ERR_SITE_NOT_FOUND');
      assert.equal(res.headers['set-cookie'], undefined);
    } finally {
      await t.close();
    }
  });
});

describe('hole 2: script on the site origin is a superadmin privilege', () => {
  let t: TestApp;
  let editorCookie: string;
  let rootCookie: string;
  let csrfOf: (cookie: string) => Promise<string>;
  const payload = `<!doctype html><title>Hi</title><h1>Hello</h1>
<script>fetch('/pm/api/me').then(r=>r.json()).then(m=>fetch('/pm/api/users/'+m.user.userId,{method:'PATCH',headers:{'x-csrf-token':m.csrfToken,'content-type':'application/json'},body:'{"role":"superadmin"}'}))</script>
<img src=x onerror="alert(1)"><a href="javascript:alert(2)">click</a><iframe src="https://evil.example"></iframe>
<div style="position:fixed;inset:0;background:url(javascript:alert(3))">cover</div>`;

  before(async () => {
    t = await startTestApp({});
    await t.user('root', 'root passphrase', 'superadmin');
    await t.user('eddie', 'eddie passphrase', 'editor');
    editorCookie = await t.login('eddie', 'eddie passphrase');
    rootCookie = await t.login('root', 'root passphrase');
    csrfOf = async (cookie) => (await me(t, { cookie })).json().csrfToken;
  });
  after(() => t.close());

  const put = async (cookie: string, url: string, html: string) =>
    t.app.http.inject({
      method: 'PUT',
      url: `/pm/api/pages?url=${url}`,
      headers: { cookie, 'x-csrf-token': await csrfOf(cookie), 'content-type': 'application/json' },
      payload: JSON.stringify({ html }),
    });

  test("an editor's page HTML is sanitised and served with a no-script policy", async () => {
    const res = await put(editorCookie, '/trap', payload);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().sanitised, true);
    const page = await t.app.http.inject({ url: '/trap', headers: { cookie: rootCookie } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1>Hello<\/h1>/);
    assert.doesNotMatch(page.body, /<script|onerror|javascript:|<iframe|style=/i);
    assert.match(String(page.headers['content-security-policy']), /script-src 'none'/);
  });

  test("a superadmin's page HTML is stored as written, under a policy that still forbids framing and plugins", async () => {
    const res = await put(rootCookie, '/widget', '<!doctype html><h1>Widget</h1><script>document.title="ok"</script>');
    assert.equal(res.json().sanitised, false);
    const page = await t.app.http.inject({ url: '/widget' });
    assert.match(page.body, /<script>document.title="ok"<\/script>/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self' https: 'unsafe-inline'/);
    assert.match(csp, /object-src 'none'/);
  });

  test('every kind of page response carries a CSP: template pages, raw pages, old rows, the 404 page, plugin pages', async () => {
    await t.app.stores.pages.upsert({
      siteId: t.siteId, langcode: '', urlPath: '/old-row', kind: 'html', gz: (await import('node:zlib')).gzipSync('<p>old</p>'), headers: {},
      etag: '"old"', redirectUrl: null, redirectStatus: null, contentUrl: null, hidden: false, pseudoroute: false, updatedAt: Date.now(),
    });
    await t.app.templates.save({ siteId: t.siteId, langcode: '', urlPath: '/studio', themeId: 'daybreak', templateName: 'about', data: { title: 'Studio', body: 'x' } });
    for (const url of ['/', '/studio', '/trap', '/widget', '/old-row', '/no-such-page']) {
      for (const headers of [{ 'accept-encoding': 'gzip' }, {}]) {
        const res = await t.app.http.inject({ url, headers });
        assert.ok(res.headers['content-security-policy'], `${url} ${JSON.stringify(headers)} has no CSP (${res.statusCode})`);
      }
    }
    assert.match(String((await t.app.http.inject('/old-row')).headers['content-security-policy']), /script-src 'none'/);
  });

  test('a plugin page that sets no policy gets the no-script one', async () => {
    const plugin: Plugin = { name: 'bare-html', routes: (r) => r.get('/bare', async (_q, reply) => reply.type('text/html').send('<p>bare</p>')) };
    const t2 = await startTestApp({}, { extraPlugins: [plugin] });
    try {
      const res = await t2.app.http.inject('/bare');
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-security-policy']), /script-src 'none'/);
    } finally {
      await t2.close();
    }
  });
});

describe('hole 3 (part): on ~tilde sites even a superadmin stores no script', () => {
  test("a tilde site's superadmin page HTML is sanitised", async () => {
    const t = await startTestApp({ mode: 'multisite' });
    try {
      const site = await t.app.stores.sites.create({ tildePrefix: 'ta', title: 'TA' });
      t.app.sites.replace(await t.app.stores.sites.list());
      const u = await t.app.stores.users.create({ siteId: site.siteId, username: 'ta-root', role: 'superadmin', name: 'TA' });
      await t.app.stores.passwords.set(u.userId, 'ta root passphrase');
      const { setCookie } = await t.app.auth.login({ siteId: site.siteId, username: 'ta-root', password: 'ta root passphrase', ip: '127.0.0.1', secure: false });
      const cookie = setCookie.split(';')[0]!;
      const csrf = (await t.app.http.inject({ url: '/~ta/pm/api/me', headers: { cookie } })).json().csrfToken;
      const res = await t.app.http.inject({
        method: 'PUT',
        url: '/~ta/pm/api/pages?url=/x',
        headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
        payload: JSON.stringify({ html: '<h1>x</h1><script>fetch("/~tb/pm/api/users")</script>' }),
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().sanitised, true);
      const page = await t.app.http.inject('/~ta/x');
      assert.doesNotMatch(page.body, /<script/);
      assert.match(String(page.headers['content-security-policy']), /script-src 'none'/);
    } finally {
      await t.close();
    }
  });
});

describe('hole 4: a redirect target above U+00FF', () => {
  let t: TestApp;
  let cookie: string;
  before(async () => {
    t = await startTestApp({});
    await t.user('root', 'root passphrase', 'superadmin');
    cookie = await t.login('root', 'root passphrase');
  });
  after(() => t.close());

  test('is stored percent-encoded and served as a redirect', async () => {
    const csrf = (await me(t, { cookie })).json().csrfToken;
    for (const [from, target, want] of [
      ['/r1', '/café/∕x', '/caf%C3%A9/%E2%88%95x'],
      ['/r2', '/日本', '/%E6%97%A5%E6%9C%AC'],
      ['/r3', 'https://example.com/a–b?q=ü', 'https://example.com/a%E2%80%93b?q=%C3%BC'],
      ['/r4', '/already%20encoded', '/already%20encoded'],
    ] as const) {
      const res = await t.app.http.inject({
        method: 'PUT',
        url: `/pm/api/redirects?url=${from}`,
        headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
        payload: JSON.stringify({ target, status: 301 }),
      });
      assert.ok(res.statusCode === 201 || res.statusCode === 200, res.body);
      const got = await t.app.http.inject(from);
      assert.equal(got.statusCode, 301);
      assert.equal(got.headers.location, want);
    }
  });

  test('/pm/login?next= with such a character redirects a signed-in user instead of failing', async () => {
    const res = await t.app.http.inject({ url: '/pm/login?next=' + encodeURIComponent('/∕x'), headers: { cookie } });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/%E2%88%95x');
  });
});

describe('hole 4: no request can end the process (a real server)', () => {
  test('a row an older version stored raw, and a header Node refuses, leave the server answering', async (t) => {
    const dir = tempDir(t);
    const server = await startServer(['serve', '--mode', 'offline', '--addr', '127.0.0.1:0', '--dir', dir, '--no-open'], { t });
    // Rows as an older version (or a hand edit) left them: a raw unicode target, a header value Node throws on.
    const db = new Database(join(dir, 'pagemanager.db'));
    const siteId = (db.prepare('SELECT site_id FROM pm_site WHERE is_primary = 1').get() as { site_id: string }).site_id;
    const insert = db.prepare(
      `INSERT INTO pm_page (site_id, langcode, url_path, kind, gz, headers, etag, redirect_url, redirect_status, content_url, hidden, pseudoroute, updated_at)
       VALUES (?, '', ?, ?, ?, ?, ?, ?, ?, NULL, 0, 0, ?)`,
    );
    insert.run(siteId, '/legacy', 'redirect', null, '{}', null, '/日本∕x', 302, Date.now());
    const { gzipSync } = await import('node:zlib');
    insert.run(siteId, '/bad-header', 'html', gzipSync('<p>x</p>'), JSON.stringify({ 'x-note': 'caf\u00e9 \u2603' }), '"bad"', null, null, Date.now());
    db.close();

    const legacy = await fetch(server.url + 'legacy', { redirect: 'manual' });
    assert.equal(legacy.status, 302);
    assert.equal(legacy.headers.get('location'), '/%E6%97%A5%E6%9C%AC%E2%88%95x');
    for (let i = 0; i < 3; i++) {
      const bad = await fetch(server.url + 'bad-header', { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(bad.status, 500);
      assert.match(await bad.text(), /PM_ERR_INTERNAL/);
    }
    const health = await fetch(server.url + 'pm/health');
    assert.equal(health.status, 200);
    assert.equal(server.child.exitCode, null, 'the server is still running');
    const stopped = await server.stop();
    assert.equal(stopped.code, 0);
  });
});
