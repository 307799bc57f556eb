/**
 * CSRF across every state-changing route. The routes come from Fastify itself
 * (printRoutes), not from a list kept here, so a route added tomorrow is
 * covered by this file without touching it.
 *
 * For each POST/PUT/PATCH/DELETE, with a signed-in superadmin's cookie: no
 * token, a wrong token, the token of another session of the same user, the
 * token of another user's session, the anonymous (pre-login) token, and a
 * text/plain body (what a cross-site form can send) are all refused, 403, and
 * the database is byte for byte what it was. Then the same request with the
 * right token is not refused for CSRF, so the refusals above were the token's.
 * Runs with sessions in the database, with signed cookies (PM_SECRET_KEY), and
 * in offline mode (where every loopback request is the superadmin).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Plugin, PluginServer } from '../../src/plugins/api.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { ACTOR_PASSWORD, sampleRequest, stateChangingRoutes, type Route } from './csrf-route-list.js';

/**
 * Routes that deliberately take no session CSRF token, with the reason. Even the login form
 * checks a token bound to a pre-login cookie (pm_csrf), so a login CSRF cannot sign a victim in
 * as the attacker. Requests with `Authorization: Bearer` skip the check by design (a browser never
 * sends that header cross-site); that exemption is tested below. The forged requests are still
 * sent to these routes and must change nothing (the snapshot check below).
 */
const OPEN: ReadonlyMap<string, string> = new Map([
  ['POST /pm-comments/check', "a visitor's comment form on a stored page, the same bytes for everyone: it carries the comments plugin's own signed form token instead (pm-plugins/comments/README.md), tested in test/comments/defences.test.ts"],
  ['POST /pm-comments/post', 'the second step of the same form, with the signed token the check step gave; replayed, forged and expired tokens are refused in test/comments/defences.test.ts'],
  ['POST /pm-comments/unsubscribe', 'the one-click unsubscribe of a reply notification (RFC 8058), authorised by the signed link in the mail, not by a session'],
]);

/** Routes whose success ends the server: tested last, and a forged one must leave the server answering. */
const ENDS_SERVER: ReadonlySet<string> = new Set(['POST /pm/stop']);

const PASSWORD = ACTOR_PASSWORD;

/** A hash of every table's rows: what "changes nothing" is compared against. */
function snapshot(dir: string): string {
  const db = new Database(join(dir, 'pagemanager.db'), { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[];
    const hash = createHash('sha256');
    for (const { name } of tables) hash.update(`${name}: ${JSON.stringify(db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).all())}\n`);
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

let listed: PluginServer | undefined;
const routeLister: Plugin = {
  name: 'csrf-route-lister',
  init(server) {
    listed = server;
  },
  // A route added by a plugin, as a new feature would: nothing in this file names it, yet it is tested.
  routes(router, server) {
    router.post('/pm/csrf-new-feature', async (request) => {
      await server.sites.update(request.pm.site.siteId, { title: 'Changed by the new feature' });
      return { ok: true };
    }, { permission: 'site.settings' });
  },
};

for (const variant of ['database sessions', 'signed cookies (PM_SECRET_KEY)', 'offline mode'] as const) {
  describe(`CSRF on every state-changing route: ${variant}`, () => {
    let t: TestApp;
    let routes: Route[];
    const offline = variant === 'offline mode';
    const host = '127.0.0.1:7070';
    let other: { cookie: string; token: string };
    let sameUserOther: string | undefined;
    let anon: { cookie: string; token: string };

    const send = (r: { method: string; url: string; cookie?: string; token?: string; body?: string; type?: string; authorization?: string }) =>
      t.app.http.inject({
        method: r.method as 'POST',
        url: r.url,
        headers: {
          host,
          ...(r.cookie ? { cookie: r.cookie } : {}),
          ...(r.token !== undefined ? { 'x-csrf-token': r.token } : {}),
          ...(r.type ? { 'content-type': r.type } : {}),
          ...(r.authorization ? { authorization: r.authorization } : {}),
        },
        payload: r.body,
      });
    const tokenOf = async (cookie?: string) => (await send({ method: 'GET', url: '/pm/api/me', cookie })).json().csrfToken as string;

    /** A superadmin with a session of their own, and a user and a token for the route's parameters. */
    async function actor(n: number) {
      const name = `actor${n}`;
      if (offline) return { cookie: '', token: await tokenOf(), userId: (await t.app.stores.users.firstSuperadmin(t.siteId))!.userId };
      const u = await t.user(name, PASSWORD, 'superadmin');
      const cookie = await t.login(name, PASSWORD);
      return { cookie, token: await tokenOf(cookie), userId: u.userId };
    }

    before(async () => {
      t = await startTestApp(offline ? { mode: 'offline' } : {}, { extraPlugins: [routeLister], env: variant.startsWith('signed') ? { PM_SECRET_KEY: 'k'.repeat(48) } : {} });
      const all = stateChangingRoutes(t.app.http.fastify);
      routes = [...all.filter((r) => !ENDS_SERVER.has(`${r.method} ${r.url}`)), ...all.filter((r) => ENDS_SERVER.has(`${r.method} ${r.url}`))];
      if (!offline) {
        await t.user('other', PASSWORD, 'editor');
        const cookie = await t.login('other', PASSWORD);
        other = { cookie, token: await tokenOf(cookie) };
      }
      const login = await send({ method: 'GET', url: '/pm/login' });
      const anonCookie = String(login.headers['set-cookie'] ?? '').split(';')[0];
      anon = { cookie: anonCookie, token: offline ? '' : /name="_csrf" value="([^"]+)"/.exec(login.body)?.[1] ?? '' };
      if (!offline) assert.ok(anon.token && anonCookie.startsWith('pm_csrf='), 'the login page gives a pre-login token');
    });
    after(() => t.close());

    test('the route list comes from the server and holds every route the plugins registered', () => {
      const fromPlugins = listed!.routes().filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method)).map((r) => `${r.method} ${r.url}`);
      const fromFastify = new Set(routes.map((r) => `${r.method} ${r.url}`));
      assert.deepEqual(fromPlugins.filter((r) => !fromFastify.has(r)), []);
      assert.ok(routes.length >= 30, `${routes.length} routes`);
      assert.ok(fromFastify.has('POST /pm/csrf-new-feature'), 'a route a plugin adds is in the list without being named here');
      console.log(`# ${variant}: ${routes.length} state-changing routes`);
    });

    test('each route refuses a forged request and changes nothing; the right token gets past the check', async () => {
      const unprotected: string[] = [];
      let n = 0;
      let forgedSent = 0;
      for (const route of routes) {
        const key = `${route.method} ${route.url}`;
        const me = await actor(n++);
        const sample = await sampleRequest(t, route, n, async () => (await listed!.users.createToken((await listed!.users.find(me.userId))!, `token ${n}`)).key.keyId);
        if (!offline) sameUserOther = await t.login(`actor${n - 1}`, PASSWORD);
        const forged: { why: string; token?: string; cookie?: string; body?: string; type?: string }[] = [
          { why: 'no token' },
          { why: 'a wrong token', token: 'A'.repeat(me.token.length) },
          { why: 'a token of another kind', token: me.token.slice(0, -2) },
          ...(offline ? [] : [
            { why: 'the token of another session of the same user', token: await tokenOf(sameUserOther) },
            { why: "another user's token", token: other.token },
            { why: 'the pre-login token with its cookie', token: anon.token, cookie: [me.cookie, anon.cookie].join('; ') },
          ]),
          { why: 'a text/plain body (a cross-site form)', type: 'text/plain', body: sample.body ?? '' },
        ];
        const before = snapshot(t.dir);
        for (const f of forged) {
          forgedSent++;
          const res = await send({ method: route.method, url: sample.url, cookie: f.cookie ?? me.cookie, token: f.token, type: f.type ?? sample.type, body: f.body ?? sample.body });
          const refused = res.statusCode === 403 && /PM_ERR_CSRF/.test(res.body);
          // text/plain may already be refused as a body Fastify does not parse; that is a refusal too.
          const unparsed = f.type === 'text/plain' && res.statusCode === 415;
          if (!refused && !unparsed) {
            if (OPEN.has(key)) continue;
            unprotected.push(`${key} with ${f.why}: ${res.statusCode} ${res.body.slice(0, 160)}`);
          }
        }
        assert.ok(snapshot(t.dir) === before, `${key}: a refused request changed what is stored`);
        if (ENDS_SERVER.has(key)) {
          assert.equal((await send({ method: 'GET', url: '/pm/health' })).statusCode, 200, `${key}: a forged request stopped the server`);
          const stop = await send({ method: route.method, url: sample.url, cookie: me.cookie, token: me.token, type: sample.type, body: sample.body });
          assert.doesNotMatch(stop.body, /PM_ERR_CSRF/, `${key}: the right token is refused too`);
          continue;
        }
        const ok = await send({ method: route.method, url: sample.url, cookie: me.cookie, token: me.token, type: sample.type, body: sample.body });
        assert.doesNotMatch(ok.body, /PM_ERR_CSRF/, `${key}: the right token is refused too (${ok.statusCode}), so the test proves nothing`);
        if (sample.changes) assert.ok(snapshot(t.dir) !== before, `${key}: the sample request (${ok.statusCode} ${ok.body.replace(/\s+/g, ' ').slice(0, 600)}) changed nothing, so "changes nothing" above proves little`);
      }
      assert.deepEqual(unprotected, []);
      console.log(`# ${variant}: ${routes.length} routes, ${forgedSent} forged requests refused, nothing changed`);
    });

    if (!offline) {
      test('an API token needs no CSRF token (by design), and a bad one does not fall back to the cookie', async () => {
        const me = await actor(999);
        const created = await send({ method: 'POST', url: '/pm/api/tokens', cookie: me.cookie, token: me.token, type: 'application/json', body: '{"name":"ci"}' });
        const bearer = `Bearer ${created.json().token}`;
        const ok = await send({ method: 'PATCH', url: '/pm/api/site', authorization: bearer, type: 'application/json', body: '{"title":"By token"}' });
        assert.equal(ok.statusCode, 200, ok.body);
        const before = snapshot(t.dir);
        const bad = await send({ method: 'PATCH', url: '/pm/api/site', cookie: me.cookie, authorization: 'Bearer pm_wrong', type: 'application/json', body: '{"title":"Forged"}' });
        assert.equal(bad.statusCode, 401, bad.body);
        assert.ok(snapshot(t.dir) === before, 'a bad API token changed something');
      });
    }
  });
}
