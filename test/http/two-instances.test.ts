import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { POSTGRES_URL } from '../helpers/dialects.js';
import { startTestApp } from '../helpers/app.js';

const skip = POSTGRES_URL ? false : 'PM_TEST_POSTGRES_URL is not set: the two-instance PostgreSQL test needs a server';

async function until(fn: () => Promise<boolean>, ms: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await fn()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not within ${ms} ms`);
}

test('two instances on one PostgreSQL database: a write on one reaches the other’s cache within a second', { skip }, async () => {
  const schema = `pm_two_${randomBytes(4).toString('hex')}`;
  const a = await startTestApp({ dsn: POSTGRES_URL }, { dbSchema: schema });
  const b = await startTestApp({ dsn: POSTGRES_URL }, { dbSchema: schema });
  try {
    assert.equal(a.siteId, b.siteId, 'both instances share one primary site');
    const get = async (t: typeof a, url: string) => (await t.app.http.inject(url)).body;

    await a.app.pages.set(a.siteId, '', '/news', '<p>version 1</p>');
    assert.match(await get(b, '/news'), /version 1/);
    assert.match(await get(b, '/news'), /version 1/); // now in b's cache
    assert.equal((await b.app.http.inject('/news')).headers['x-pm-cache'], 'hit');

    await a.app.pages.set(a.siteId, '', '/news', '<p>version 2</p>');
    const took = await until(async () => /version 2/.test(await get(b, '/news')), 1000);
    assert.ok(took < 1000);

    await a.app.pages.redirect(a.siteId, '', '/news', '/elsewhere', 302);
    await until(async () => (await b.app.http.inject('/news')).statusCode === 302, 1000);

    await a.app.pages.delete(a.siteId, '', '/news');
    await until(async () => (await b.app.http.inject('/news')).statusCode === 404, 1000);

    // A URL b had remembered as missing appears when a creates it.
    assert.equal((await b.app.http.inject('/later')).statusCode, 404);
    await a.app.pages.set(a.siteId, '', '/later', '<p>now here</p>');
    await until(async () => (await b.app.http.inject('/later')).statusCode === 200, 1000);
  } finally {
    await b.app.close();
    await a.app.db.execScript(`DROP SCHEMA ${schema} CASCADE`);
    await a.close();
  }
});

test('signed-cookie logout on one instance ends the session on the other at once', { skip }, async () => {
  const schema = `pm_two_${randomBytes(4).toString('hex')}`;
  const env = { PM_SECRET_KEY: 'shared-secret-of-both-instances' };
  const plugin = { name: 'whoami', routes: (r: import('../../src/plugins/api.js').PluginRouter) => r.get('/whoami', async (q) => q.pm.session?.username ?? 'anonymous') };
  const a = await startTestApp({ dsn: POSTGRES_URL }, { dbSchema: schema, env, extraPlugins: [plugin] });
  const b = await startTestApp({ dsn: POSTGRES_URL }, { dbSchema: schema, env, extraPlugins: [plugin] });
  try {
    await a.user('ann', 'correct horse battery');
    const cookie = await a.login('ann', 'correct horse battery');
    assert.equal((await b.app.http.inject({ url: '/whoami', headers: { cookie } })).body, 'ann');
    await a.app.auth.logout(a.siteId, a.app.auth.readSigned(cookie.split('=')[1], a.siteId), false);
    await until(async () => (await b.app.http.inject({ url: '/whoami', headers: { cookie } })).body === 'anonymous', 1000);
  } finally {
    await b.app.close();
    await a.app.db.execScript(`DROP SCHEMA ${schema} CASCADE`);
    await a.close();
  }
});
