import { sql } from '../../src/store/kysely.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Plugin } from '../../src/plugins/api.js';
import { APP_DIALECTS, startTestApp, type TestApp } from '../helpers/app.js';

const whoami: Plugin = {
  name: 'whoami-test',
  routes(router) {
    router.get('/whoami', async (request) => request.pm.session?.username ?? 'anonymous');
  },
};

const SECRET = 'test-secret-key-0123456789abcdef';
const PASSWORD = 'correct horse battery';

for (const { name: dialect, skip } of APP_DIALECTS) for (const signed of [false, true]) {
  describe(`sessions ${signed ? 'with PM_SECRET_KEY (signed cookies)' : 'stored in the database'} [${dialect}]`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({}, { extraPlugins: [whoami], env: signed ? { PM_SECRET_KEY: SECRET } : {}, dialect });
      await t.user('ann', PASSWORD);
      await t.user('bob', PASSWORD);
      await t.user('carol', PASSWORD);
    });
    after(() => t.close());
    const who = async (cookie?: string) => (await t.app.http.inject({ url: '/whoami', headers: cookie ? { cookie } : {} })).body;

    test('login sets an HttpOnly, SameSite=Lax cookie named after the site', async () => {
      const { setCookie } = await t.app.auth.login({ siteId: t.siteId, username: 'ann', password: PASSWORD, ip: '1.1.1.1', secure: false });
      assert.match(setCookie, new RegExp(`^pm_session_${t.siteId}=`));
      assert.match(setCookie, /HttpOnly/);
      assert.match(setCookie, /SameSite=Lax/);
      assert.match(setCookie, /Path=\//);
      assert.doesNotMatch(setCookie, /Secure/);
      const secure = await t.app.auth.login({ siteId: t.siteId, username: 'ann', password: PASSWORD, ip: '1.1.1.1', secure: true });
      assert.match(secure.setCookie, /Secure/);
    });

    test('a logged-in request knows its user', async () => {
      assert.equal(await who(await t.login('ann', PASSWORD)), 'ann');
    });

    test('garbled, forged and other-site cookies are simply anonymous', async () => {
      const good = await t.login('ann', PASSWORD);
      const value = good.split('=')[1];
      const name = `pm_session_${t.siteId}`;
      const bad = [
        `${name}=garbage`,
        `${name}=`,
        `${name}=${'A'.repeat(43)}`,
        `${name}=v1.eyJ1IjoieCJ9.AAAA`,
        `${name}=${value.slice(0, -2)}xx`,
        `${name}=%E0%A4%A`,
        `pm_session_OTHERSITE=${value}`,
        `x${name}=${value}`,
      ];
      for (const cookie of bad) {
        const r = await t.app.http.inject({ url: '/whoami', headers: { cookie } });
        assert.equal(r.statusCode, 200, cookie);
        assert.equal(r.body, 'anonymous', cookie);
      }
    });

    test('a wrong username and a wrong password give the same error', async () => {
      const attempt = (username: string, password: string) =>
        t.app.auth.login({ siteId: t.siteId, username, password, ip: '2.2.2.2', secure: false }).then(
          () => 'ok',
          (e: Error & { code?: string }) => `${e.code}: ${e.message}`,
        );
      const wrongUser = await attempt('nobody', PASSWORD);
      const wrongPassword = await attempt('bob', 'not the password');
      assert.equal(wrongUser, 'PM_ERR_LOGIN_FAILED: Wrong username or password.');
      assert.equal(wrongPassword, wrongUser);
    });

    test('a wrong username costs the same password check as a wrong password (one scrypt verification each)', async () => {
      const passwords = t.app.stores.passwords;
      const verify = passwords.verify;
      const checked: string[] = [];
      passwords.verify = async (userId, password) => {
        checked.push(userId);
        return verify(userId, password);
      };
      try {
        for (const username of ['nobody', 'bob']) {
          await assert.rejects(t.app.auth.login({ siteId: t.siteId, username, password: 'not the password', ip: '2.2.2.3', secure: false }), /Wrong username or password/);
        }
      } finally {
        passwords.verify = verify;
      }
      assert.equal(checked.length, 2, 'one verification per attempt, whether or not the user exists');
      assert.equal(checked[0], '', 'the unknown user is checked against the store’s dummy hash');
    });

    const tryLogin = (username: string, password: string, ip: string) =>
      t.app.auth.login({ siteId: t.siteId, username, password, ip, secure: false }).then(
        () => 'ok',
        (e: Error & { code?: string; params?: { retryAfter?: number } }) => (e.code === 'PM_ERR_RATE_LIMITED' ? `429:${e.params?.retryAfter}` : e.code ?? ''),
      );

    test('wrong passwords from one address meet a growing delay, not a lockout', async () => {
      const seen = [];
      for (let i = 0; i < 6; i++) seen.push(await tryLogin('carol', 'wrong password', '4.4.4.4'));
      assert.deepEqual(seen, [...Array(5).fill('PM_ERR_LOGIN_FAILED'), '429:1'], 'five free tries, then a wait of a second');
      // Even the right password waits from that address (trying it reveals nothing)…
      assert.equal(await tryLogin('carol', PASSWORD, '4.4.4.4'), '429:1');
      await new Promise((r) => setTimeout(r, 1050));
      assert.equal(await tryLogin('carol', 'wrong password', '4.4.4.4'), 'PM_ERR_LOGIN_FAILED');
      assert.equal(await tryLogin('carol', 'wrong password', '4.4.4.4'), '429:2', 'the delay doubles');
      // …while the owner, from their own address, is let in at once.
      assert.equal(await tryLogin('carol', PASSWORD, '4.4.4.5'), 'ok');
    });

    test('past the per-username limit, addresses that failed are refused; a correct password from a fresh one goes through', async () => {
      for (let i = 0; i < 10; i++) assert.equal(await tryLogin('bob', 'wrong password', `3.3.3.${i}`), 'PM_ERR_LOGIN_FAILED');
      assert.match(await tryLogin('bob', 'wrong password', '3.3.3.1'), /^429:/);
      assert.match(await tryLogin('bob', PASSWORD, '3.3.3.2'), /^429:/, 'the right password from an address that failed waits too');
      assert.equal(await tryLogin('bob', PASSWORD, '3.3.3.99'), 'ok', 'the owner is not locked out');
    });

    test('logout ends the session at once', async () => {
      const cookie = await t.login('ann', PASSWORD);
      assert.equal(await who(cookie), 'ann');
      const before = t.app.auth.signedCookies ? t.app.auth.readSigned(cookie.split('=')[1], t.siteId) : await t.app.auth.readStored(cookie.split('=')[1], t.siteId);
      const clear = await t.app.auth.logout(t.siteId, before, false);
      assert.match(clear, /Max-Age=0/);
      assert.equal(await who(cookie), 'anonymous');
    });

    test('revoking a user (reset-password, log out everywhere) ends every session of theirs', async () => {
      const u = await t.app.stores.users.getByUsername(t.siteId, 'ann');
      const c1 = await t.login('ann', PASSWORD);
      const c2 = await t.login('ann', PASSWORD);
      await t.app.auth.revokeUser(u!.userId);
      assert.equal(await who(c1), 'anonymous');
      assert.equal(await who(c2), 'anonymous');
      // A new login afterwards works.
      await new Promise((r) => setTimeout(r, 2));
      assert.equal(await who(await t.login('ann', PASSWORD)), 'ann');
    });

    if (signed) {
      test('a signed cookie needs no database row', async () => {
        const cookie = await t.login('ann', PASSWORD);
        await t.app.db.run(sql`DELETE FROM pm_session`);
        assert.equal(await who(cookie), 'ann');
      });

      test('revocations are loaded at start: a restart does not bring a logged-out cookie back', async () => {
        const cookie = await t.login('ann', PASSWORD);
        const s = t.app.auth.readSigned(cookie.split('=')[1], t.siteId);
        await t.app.auth.logout(t.siteId, s, false);
        const t2 = await startTestApp({}, { extraPlugins: [whoami], env: { PM_SECRET_KEY: SECRET }, dir: t.dir, dialect, dbSchema: t.schema });
        try {
          assert.equal((await t2.app.http.inject({ url: '/whoami', headers: { cookie } })).body, 'anonymous');
        } finally {
          await t2.app.close();
        }
      });
    } else {
      test('only a hash of the session id is stored', async () => {
        const cookie = await t.login('ann', PASSWORD);
        const raw = cookie.split('=')[1];
        const rows = await t.app.db.kysely.selectFrom('pm_session').select('session_hash').execute();
        assert.ok(rows.length > 0);
        assert.ok(rows.every((r) => r.session_hash !== raw && !r.session_hash.includes(raw)));
      });

      test('an expired session is anonymous; one past half its life is renewed', async () => {
        const u = await t.app.stores.users.getByUsername(t.siteId, 'ann');
        const expired = await t.app.stores.sessions.create({ userId: u!.userId, siteId: t.siteId, ttlMs: 1 });
        await new Promise((r) => setTimeout(r, 5));
        assert.equal(await who(`pm_session_${t.siteId}=${expired.sessionId}`), 'anonymous');
        const ttl = t.app.config.sessionTtlMs;
        const old = await t.app.stores.sessions.create({ userId: u!.userId, siteId: t.siteId, ttlMs: ttl / 4 });
        const r = await t.app.http.inject({ url: '/whoami', headers: { cookie: `pm_session_${t.siteId}=${old.sessionId}` } });
        assert.equal(r.body, 'ann');
        assert.match(String(r.headers['set-cookie']), new RegExp(`pm_session_${t.siteId}=${old.sessionId}`));
        const after = await t.app.stores.sessions.lookup(old.sessionId);
        assert.ok(after!.session.expireAt > old.session.expireAt + ttl / 2);
      });
    }
  });
}

describe('offline mode', () => {
  test('every request is the first superadmin, created on first start', async () => {
    const t = await startTestApp({ mode: 'offline' }, { extraPlugins: [whoami] });
    try {
      assert.equal((await t.app.http.inject('/whoami')).body, 'admin');
      const u = await t.app.stores.users.getByUsername(t.siteId, 'admin');
      assert.equal(u?.role, 'superadmin');
    } finally {
      await t.close();
    }
  });
});

describe('X-Forwarded-Proto', () => {
  const secure: Plugin = { name: 'secure-test', routes: (r) => r.get('/secure', async (q) => String(q.pm.secure)) };
  for (const trustProxy of [false, true]) {
    test(`is ${trustProxy ? 'honoured with' : 'ignored without'} --trust-proxy`, async () => {
      const t = await startTestApp({ trustProxy }, { extraPlugins: [secure] });
      try {
        const r = await t.app.http.inject({ url: '/secure', headers: { 'x-forwarded-proto': 'https' } });
        assert.equal(r.body, String(trustProxy));
      } finally {
        await t.close();
      }
    });
  }
});
