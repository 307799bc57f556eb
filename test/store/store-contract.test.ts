/**
 * The contract every store keeps, run against every dialect (see
 * test/helpers/dialects.ts). One migrated database per dialect; each test
 * works on its own rows (or its own site) so the tests do not depend on order.
 */
import { sql } from '../../src/store/kysely.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isPmError, type ErrorCode } from '../../src/errors/errors.js';
import { createStores } from '../../src/store/create-stores.js';
import { hashSessionId } from '../../src/store/session-id.js';
import type { PageRecord, Site } from '../../src/store/types.js';
import { DIALECTS, FAST_SCRYPT, type DialectEnv } from '../helpers/dialects.js';

async function rejectsWith(p: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isPmError(e), `expected a PmError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

function htmlPage(site: Site, urlPath: string, html: string, extra: Partial<PageRecord> = {}): PageRecord {
  return {
    siteId: site.siteId,
    langcode: '',
    urlPath,
    kind: 'html',
    gz: gzipSync(html),
    headers: {},
    etag: null,
    redirectUrl: null,
    redirectStatus: null,
    contentUrl: null,
    hidden: false,
    pseudoroute: false,
    updatedAt: Date.now(),
    ...extra,
  };
}

for (const dialect of DIALECTS) {
  describe(`store contract [${dialect.name}]`, { skip: dialect.skip }, () => {
    let env: DialectEnv;
    let n = 0;
    /** A fresh non-primary site, so each test has rows of its own. */
    const newSite = (): Promise<Site> => env.stores.sites.create({ domain: `site${++n}.example` });

    before(async () => {
      env = await dialect.open();
    });
    after(async () => {
      await env?.cleanup();
    });

    describe('sites', () => {
      test('ensurePrimary creates one primary site, with booleans, numbers and locales, and returns it again', async () => {
        const { sites, locales } = env.stores;
        const again = await sites.ensurePrimary();
        assert.deepEqual(again, env.site);
        assert.equal(env.site.isPrimary, true);
        assert.equal(typeof env.site.createdAt, 'number');
        assert.deepEqual(env.site.enabledLocales, ['en']);
        assert.deepEqual(await locales.list(env.site.siteId), ['en']);
        assert.deepEqual(await sites.getPrimary(), env.site);
        const primaries = (await sites.list()).filter((s) => s.isPrimary);
        assert.equal(primaries.length, 1);
      });

      test('concurrent ensurePrimary calls on one Db agree on one site', async () => {
        const results = await Promise.all(Array.from({ length: 5 }, () => env.stores.sites.ensurePrimary()));
        assert.deepEqual(new Set(results.map((s) => s.siteId)), new Set([env.site.siteId]));
      });

      test('create, get, list and update a site; domains are kept lower case', async () => {
        const { sites, locales } = env.stores;
        const s = await sites.create({ domain: '  Blog.Example.COM ', title: 'Blog' });
        assert.equal(s.domain, 'blog.example.com');
        assert.equal(s.isPrimary, false);
        assert.equal(s.subdomain, null);
        assert.deepEqual(await sites.get(s.siteId), s);
        const listed = await sites.list();
        assert.equal(listed[0]!.siteId, env.site.siteId, 'the primary site is listed first');
        assert.ok(listed.some((x) => x.siteId === s.siteId));

        const u = await sites.update(s.siteId, { title: 'New title', description: 'About', enabledLocales: ['fr', 'en', 'fr'], defaultLocale: 'fr' });
        assert.equal(u.title, 'New title');
        assert.equal(u.description, 'About');
        assert.equal(u.defaultLocale, 'fr');
        assert.deepEqual(u.enabledLocales, ['fr', 'en']);
        assert.deepEqual(await locales.list(s.siteId), ['en', 'fr']);
        assert.equal(u.domain, 'blog.example.com', 'fields outside the patch are kept');
        assert.ok(u.updatedAt >= s.updatedAt);
      });

      test('a second site at the same address → PM_ERR_CONFLICT, and the first is untouched', async () => {
        const { sites } = env.stores;
        const first = await sites.create({ subdomain: 'shop', title: 'Shop' });
        await rejectsWith(sites.create({ subdomain: 'SHOP', title: 'Other' }), 'PM_ERR_CONFLICT', /A site with the subdomain shop already exists/);
        assert.deepEqual(await sites.get(first.siteId), first);
        const other = await sites.create({ tildePrefix: 'alice' });
        await rejectsWith(sites.update(other.siteId, { tildePrefix: null, subdomain: 'shop' }), 'PM_ERR_CONFLICT', /subdomain shop/);
        assert.equal((await sites.get(other.siteId))!.tildePrefix, 'alice', 'the failed update changed nothing');
      });

      test('a site needs exactly one address', async () => {
        const { sites } = env.stores;
        await rejectsWith(sites.create({ title: 'Nowhere' }), 'PM_ERR_BAD_REQUEST', /exactly one of domain, subdomain or tilde prefix/);
        await rejectsWith(sites.create({ domain: 'a.example', subdomain: 'a' }), 'PM_ERR_BAD_REQUEST', /exactly one/);
        await rejectsWith(sites.create({ domain: 'bad domain.example' }), 'PM_ERR_VALIDATION');
        const s = await newSite();
        await rejectsWith(sites.update(s.siteId, { domain: null }), 'PM_ERR_BAD_REQUEST', /exactly one/);
        await rejectsWith(sites.update('01NOSUCHSITE', { title: 'x' }), 'PM_ERR_NOT_FOUND', /site 01NOSUCHSITE/);
      });

      test('deleting a site removes its users, pages and locales; the primary site cannot be deleted', async () => {
        const { sites, users, pages, locales } = env.stores;
        const s = await newSite();
        const user = await users.create({ siteId: s.siteId, username: 'gone', role: 'editor' });
        await pages.upsert(htmlPage(s, '/', 'hello'));
        await sites.delete(s.siteId);
        assert.equal(await sites.get(s.siteId), undefined);
        assert.equal(await users.get(user.userId), undefined);
        assert.equal(await pages.get(s.siteId, '', '/'), undefined);
        assert.deepEqual(await locales.list(s.siteId), []);
        await rejectsWith(sites.delete(env.site.siteId), 'PM_ERR_BAD_REQUEST', /primary site cannot be deleted/);
        assert.ok(await sites.get(env.site.siteId));
      });
    });

    describe('users', () => {
      test('create, get, getByUsername, list, count, update, delete', async () => {
        const { users } = env.stores;
        const s = await newSite();
        const a = await users.create({ siteId: s.siteId, username: ' alice ', email: 'alice@example.com', role: 'admin' });
        assert.equal(a.username, 'alice');
        assert.equal(a.name, 'alice', 'the name defaults to the username');
        assert.deepEqual(await users.get(a.userId), a);
        assert.deepEqual(await users.getByUsername(s.siteId, 'alice'), a);
        assert.equal(await users.getByUsername(env.site.siteId, 'alice'), undefined, 'usernames are per site');
        const b = await users.create({ siteId: s.siteId, username: 'bob', name: 'Bob B.', role: 'editor' });
        assert.deepEqual((await users.list(s.siteId)).map((u) => u.username), ['alice', 'bob']);
        assert.equal(await users.count(s.siteId), 2);

        const b2 = await users.update(b.userId, { name: 'Robert', role: 'admin', email: 'bob@example.com' });
        assert.equal(b2.name, 'Robert');
        assert.equal(b2.role, 'admin');
        assert.equal(b2.username, 'bob');
        await users.delete(b.userId);
        assert.equal(await users.get(b.userId), undefined);
        assert.equal(await users.count(s.siteId), 1);
        await rejectsWith(users.update(b.userId, { name: 'ghost' }), 'PM_ERR_NOT_FOUND');
      });

      test('firstSuperadmin is the earliest-created superadmin', async () => {
        const { users } = env.stores;
        const s = await newSite();
        assert.equal(await users.firstSuperadmin(s.siteId), undefined);
        await users.create({ siteId: s.siteId, username: 'ed', role: 'editor' });
        const first = await users.create({ siteId: s.siteId, username: 'root1', role: 'superadmin' });
        await users.create({ siteId: s.siteId, username: 'root2', role: 'superadmin' });
        assert.equal((await users.firstSuperadmin(s.siteId))?.userId, first.userId);
      });

      test('a taken username → PM_ERR_CONFLICT; the same name on another site is fine', async () => {
        const { users } = env.stores;
        const s = await newSite();
        const carol = await users.create({ siteId: s.siteId, username: 'carol', role: 'editor' });
        await rejectsWith(users.create({ siteId: s.siteId, username: 'carol', role: 'admin' }), 'PM_ERR_CONFLICT', /The username carol already exists/);
        const dave = await users.create({ siteId: s.siteId, username: 'dave', role: 'editor' });
        await rejectsWith(users.update(dave.userId, { username: 'carol' }), 'PM_ERR_CONFLICT', /carol/);
        assert.equal((await users.get(dave.userId))!.username, 'dave');
        assert.deepEqual(await users.get(carol.userId), carol);
        await users.create({ siteId: (await newSite()).siteId, username: 'carol', role: 'editor' });
      });

      test('bad input: empty username, unknown role, bad email, unknown site', async () => {
        const { users } = env.stores;
        const siteId = env.site.siteId;
        await rejectsWith(users.create({ siteId, username: '  ', role: 'editor' }), 'PM_ERR_VALIDATION');
        await assert.rejects(users.create({ siteId, username: 'x', role: 'owner' as never }), (e: unknown) => isPmError(e, 'PM_ERR_VALIDATION') && /superadmin, admin, editor/.test(e.fields?.role ?? ''));
        await assert.rejects(users.create({ siteId, username: 'y', role: 'editor', email: 'not-an-email' }), (e: unknown) => isPmError(e, 'PM_ERR_VALIDATION') && !!e.fields?.email);
        await rejectsWith(users.create({ siteId: '01NOSUCHSITE', username: 'z', role: 'editor' }), 'PM_ERR_FOREIGN_KEY', /refers to something that does not exist/);
        assert.equal(await users.getByUsername(siteId, 'x'), undefined);
      });
    });

    describe('passwords', () => {
      test('set, verify, wrong password, has; the stored hash is self-describing scrypt', async () => {
        const { users, passwords, db } = env.stores;
        const u = await users.create({ siteId: env.site.siteId, username: 'pw-user', role: 'editor' });
        assert.equal(await passwords.has(u.userId), false);
        assert.equal(await passwords.verify(u.userId, 'anything'), false, 'no password set');
        await passwords.set(u.userId, 'correct horse battery staple');
        assert.equal(await passwords.has(u.userId), true);
        assert.equal(await passwords.verify(u.userId, 'correct horse battery staple'), true);
        assert.equal(await passwords.verify(u.userId, 'correct horse battery stapl'), false);
        assert.equal(await passwords.verify('01NOSUCHUSER', 'correct horse battery staple'), false);
        const row = await db.get<{ password_hash: string }>(sql`SELECT password_hash FROM pm_password WHERE user_id = ${u.userId}`);
        assert.match(row!.password_hash, /^scrypt\$v=1\$n=1024,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
        assert.ok(!row!.password_hash.includes('correct horse'));
        await passwords.set(u.userId, 'second password');
        assert.equal(await passwords.verify(u.userId, 'correct horse battery staple'), false);
        assert.equal(await passwords.verify(u.userId, 'second password'), true);
      });

      test('a hash made with weaker parameters is upgraded on the next successful verify', async () => {
        const { users, passwords, db } = env.stores;
        const u = await users.create({ siteId: env.site.siteId, username: 'rehash', role: 'editor' });
        await passwords.set(u.userId, 'pw-1234');
        const stronger = createStores(db, { scrypt: { ...FAST_SCRYPT, N: 2 ** 11 } });
        assert.equal(await stronger.passwords.verify(u.userId, 'wrong'), false);
        const before = await db.get<{ password_hash: string }>(sql`SELECT password_hash FROM pm_password WHERE user_id = ${u.userId}`);
        assert.match(before!.password_hash, /n=1024,/, 'a failed login does not rehash');
        assert.equal(await stronger.passwords.verify(u.userId, 'pw-1234'), true);
        const afterRow = await db.get<{ password_hash: string }>(sql`SELECT password_hash FROM pm_password WHERE user_id = ${u.userId}`);
        assert.match(afterRow!.password_hash, /n=2048,/);
        assert.equal(await stronger.passwords.verify(u.userId, 'pw-1234'), true);
      });

      test('bad input: empty password, unknown user; deleting the user deletes the hash', async () => {
        const { users, passwords, db } = env.stores;
        const u = await users.create({ siteId: env.site.siteId, username: 'pw-bad', role: 'editor' });
        await rejectsWith(passwords.set(u.userId, ''), 'PM_ERR_WEAK_PASSWORD', /cannot be empty/);
        await rejectsWith(passwords.set('01NOSUCHUSER', 'pw'), 'PM_ERR_FOREIGN_KEY');
        await passwords.set(u.userId, 'pw');
        await users.delete(u.userId);
        assert.equal(await db.get(sql`SELECT 1 AS x FROM pm_password WHERE user_id = ${u.userId}`), undefined);
      });
    });

    describe('sessions', () => {
      test('lookup by the raw id; only its blake2b hash is stored', async () => {
        const { users, sessions, db } = env.stores;
        const u = await users.create({ siteId: env.site.siteId, username: 'sess', role: 'admin' });
        const { sessionId, session } = await sessions.create({ userId: u.userId, siteId: env.site.siteId, ttlMs: 60_000 });
        assert.match(sessionId, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
        assert.equal(session.sessionHash, hashSessionId(sessionId));
        assert.match(session.sessionHash, /^[0-9a-f]{128}$/);
        const found = await sessions.lookup(sessionId);
        assert.deepEqual(found?.session, session);
        assert.deepEqual(found?.user, u);
        assert.equal(await sessions.lookup(session.sessionHash), undefined, 'the hash is not a session id');
        assert.equal(await sessions.lookup('not-a-session'), undefined);
        assert.equal(await sessions.lookup(''), undefined);
        const rows = await db.all(sql`SELECT * FROM pm_session`);
        assert.ok(!JSON.stringify(rows).includes(sessionId), 'the raw session id is nowhere in pm_session');
      });

      test('expiry, extend, delete, deleteForUser, deleteExpired', async () => {
        const { users, sessions } = env.stores;
        const u = await users.create({ siteId: env.site.siteId, username: 'sess-exp', role: 'editor' });
        const a = await sessions.create({ userId: u.userId, siteId: env.site.siteId, ttlMs: 1000 });
        const t = a.session.expireAt;
        assert.ok(await sessions.lookup(a.sessionId, t - 1));
        assert.equal(await sessions.lookup(a.sessionId, t), undefined, 'expired at expireAt');
        await sessions.extend(a.session.sessionHash, t + 10_000);
        assert.ok(await sessions.lookup(a.sessionId, t + 5_000), 'extended');

        const b = await sessions.create({ userId: u.userId, siteId: env.site.siteId, ttlMs: 1000 });
        await sessions.delete(b.session.sessionHash);
        assert.equal(await sessions.lookup(b.sessionId), undefined);

        const c = await sessions.create({ userId: u.userId, siteId: env.site.siteId, ttlMs: 1000 });
        assert.equal(await sessions.deleteExpired(c.session.expireAt), 1, 'only c has expired by then');
        assert.ok(await sessions.lookup(a.sessionId, t + 5_000));
        await sessions.create({ userId: u.userId, siteId: env.site.siteId, ttlMs: 60_000 });
        assert.equal(await sessions.deleteForUser(u.userId), 2);
        assert.equal(await sessions.lookup(a.sessionId, t), undefined);
        await rejectsWith(sessions.create({ userId: u.userId, siteId: env.site.siteId, ttlMs: 0 }), 'PM_ERR_BAD_REQUEST', /positive lifetime/);
        await rejectsWith(sessions.create({ userId: '01NOSUCHUSER', siteId: env.site.siteId, ttlMs: 1000 }), 'PM_ERR_FOREIGN_KEY');
      });

      test('deleting a user ends their sessions', async () => {
        const { users, sessions } = env.stores;
        const u = await users.create({ siteId: env.site.siteId, username: 'sess-del', role: 'editor' });
        const s = await sessions.create({ userId: u.userId, siteId: env.site.siteId, ttlMs: 60_000 });
        await users.delete(u.userId);
        assert.equal(await sessions.lookup(s.sessionId), undefined);
      });

      test('revocations: add, replace, list until they expire', async () => {
        const { sessions } = env.stores;
        await sessions.addRevocation({ kind: 'session', key: 'h1', revokedAt: 100, expireAt: 1000 });
        await sessions.addRevocation({ kind: 'user', key: 'u1', revokedAt: 200, expireAt: 2000 });
        await sessions.addRevocation({ kind: 'user', key: 'u1', revokedAt: 300, expireAt: 3000 });
        assert.deepEqual(await sessions.listRevocations(500), [
          { kind: 'session', key: 'h1', revokedAt: 100, expireAt: 1000 },
          { kind: 'user', key: 'u1', revokedAt: 300, expireAt: 3000 },
        ]);
        assert.deepEqual((await sessions.listRevocations(1000)).map((r) => r.key), ['u1']);
        await rejectsWith(sessions.addRevocation({ kind: 'cookie' as never, key: 'x', revokedAt: 1, expireAt: 2 }), 'PM_ERR_BAD_REQUEST');
        await sessions.deleteExpired(2500);
        assert.deepEqual((await sessions.listRevocations(0)).map((r) => r.key), ['u1'], 'deleteExpired also drops expired revocations');
      });
    });

    describe('keys', () => {
      test('API tokens: create, findByValue, listForUser, touch, delete; a duplicate value → PM_ERR_CONFLICT', async () => {
        const { users, keys } = env.stores;
        const u = await users.create({ siteId: env.site.siteId, username: 'tok', role: 'admin' });
        const k = await keys.create({ siteId: env.site.siteId, userId: u.userId, kind: 'api_token', name: 'CI', value: hashSessionId('token-1') });
        assert.equal(k.lastUsedAt, null);
        assert.deepEqual(await keys.findByValue('api_token', hashSessionId('token-1')), k);
        assert.equal(await keys.findByValue('secret', hashSessionId('token-1')), undefined);
        await keys.create({ siteId: env.site.siteId, userId: u.userId, kind: 'api_token', name: 'CI', value: hashSessionId('token-2') });
        assert.deepEqual((await keys.listForUser(u.userId, 'api_token')).map((x) => x.value), [hashSessionId('token-1'), hashSessionId('token-2')]);
        await keys.touch(k.keyId, 12345);
        assert.equal((await keys.findByValue('api_token', k.value))?.lastUsedAt, 12345);
        await rejectsWith(keys.create({ siteId: env.site.siteId, userId: u.userId, kind: 'api_token', name: 'again', value: k.value }), 'PM_ERR_CONFLICT', /This API token already exists/);
        await keys.delete(k.keyId);
        assert.equal(await keys.findByValue('api_token', k.value), undefined);
        await rejectsWith(keys.create({ siteId: env.site.siteId, userId: null, kind: 'password' as never, name: 'n', value: 'v' }), 'PM_ERR_BAD_REQUEST', /secret or api_token/);
        await rejectsWith(keys.create({ siteId: env.site.siteId, userId: '01NOSUCHUSER', kind: 'api_token', name: 'n', value: 'v' }), 'PM_ERR_FOREIGN_KEY');
      });

      test('secrets: one per site and name; getOrCreateSecret is race-safe', async () => {
        const { keys } = env.stores;
        const s = await newSite();
        await keys.create({ siteId: s.siteId, userId: null, kind: 'secret', name: 'csrf', value: 'v1' });
        await rejectsWith(keys.create({ siteId: s.siteId, userId: null, kind: 'secret', name: 'csrf', value: 'v2' }), 'PM_ERR_CONFLICT', /The secret csrf already exists/);
        await keys.create({ siteId: env.site.siteId, userId: null, kind: 'secret', name: 'csrf-other', value: 'v2' });

        let made = 0;
        const make = (): string => `value-${++made}`;
        assert.equal(await keys.getOrCreateSecret(s.siteId, 'csrf', make), 'v1');
        assert.equal(made, 0, 'an existing secret is returned without making one');
        const values = await Promise.all(Array.from({ length: 6 }, () => keys.getOrCreateSecret(s.siteId, 'cookie', make)));
        assert.equal(new Set(values).size, 1, `every caller got the same secret: ${values.join(', ')}`);
        assert.equal(await keys.getOrCreateSecret(s.siteId, 'cookie', make), values[0]);
      });
    });

    describe('pages', () => {
      test('gzipped HTML round-trips as a Buffer, with headers and boolean flags', async () => {
        const { pages } = env.stores;
        const s = await newSite();
        const html = '<h1>Héllo, wörld</h1>'.repeat(50);
        const page = htmlPage(s, '/hello', html, { headers: { 'content-security-policy': "default-src 'self'" }, etag: '"abc"', hidden: true });
        await pages.upsert(page);
        const got = await pages.get(s.siteId, '', '/hello');
        assert.ok(got);
        assert.ok(Buffer.isBuffer(got.gz));
        assert.equal(gunzipSync(got.gz).toString('utf8'), html);
        assert.deepEqual(got, page);
        assert.equal(got.hidden, true);
        assert.equal(got.pseudoroute, false);
        assert.equal(typeof got.updatedAt, 'number');

        await pages.upsert(htmlPage(s, '/hello', 'v2', { updatedAt: page.updatedAt + 1 }));
        const v2 = await pages.get(s.siteId, '', '/hello');
        assert.equal(gunzipSync(v2!.gz!).toString(), 'v2');
        assert.equal(v2!.hidden, false);
        assert.deepEqual(v2!.headers, {});
        assert.equal(await pages.count(s.siteId), 1, 'upsert replaced the row');
      });

      test('redirects and content aliases', async () => {
        const { pages } = env.stores;
        const s = await newSite();
        const redirect: PageRecord = { ...htmlPage(s, '/old', ''), kind: 'redirect', gz: null, redirectUrl: '/new', redirectStatus: 301 };
        const alias: PageRecord = { ...htmlPage(s, '/alias', ''), langcode: 'fr', kind: 'content', gz: null, contentUrl: '/new', pseudoroute: true };
        await pages.upsert(redirect);
        await pages.upsert(alias);
        assert.deepEqual(await pages.get(s.siteId, '', '/old'), redirect);
        assert.deepEqual(await pages.get(s.siteId, 'fr', '/alias'), alias);
        assert.equal(await pages.get(s.siteId, '', '/alias'), undefined, 'langcode is part of the key');
      });

      test('list: without bytes, byte order, case-sensitive prefix, case-insensitive search, paging; delete', async () => {
        const { pages } = env.stores;
        const s = await newSite();
        for (const p of ['/a/b', '/Zebra', '/a-b', '/a', '/blog/100%_off', '/blog/Post']) await pages.upsert(htmlPage(s, p, p));
        const all = await pages.list(s.siteId);
        // Byte order on both dialects: uppercase before lowercase, '-' before '/'.
        assert.deepEqual(all.map((p) => p.urlPath), ['/Zebra', '/a', '/a-b', '/a/b', '/blog/100%_off', '/blog/Post']);
        assert.ok(all.every((p) => p.gz === null));
        assert.deepEqual((await pages.list(s.siteId, { prefix: '/a' })).map((p) => p.urlPath), ['/a', '/a-b', '/a/b']);
        assert.deepEqual((await pages.list(s.siteId, { prefix: '/A' })).map((p) => p.urlPath), []);
        assert.deepEqual((await pages.list(s.siteId, { search: 'POST' })).map((p) => p.urlPath), ['/blog/Post']);
        assert.deepEqual((await pages.list(s.siteId, { search: '%_' })).map((p) => p.urlPath), ['/blog/100%_off'], 'LIKE wildcards are literal');
        assert.deepEqual((await pages.list(s.siteId, { limit: 2, offset: 1 })).map((p) => p.urlPath), ['/a', '/a-b']);
        assert.deepEqual((await pages.list(s.siteId, { offset: 5 })).map((p) => p.urlPath), ['/blog/Post']);
        assert.equal(await pages.count(s.siteId), 6);
        assert.equal(await pages.delete(s.siteId, '', '/a'), true);
        assert.equal(await pages.delete(s.siteId, '', '/a'), false);
        assert.equal(await pages.count(s.siteId), 5);
        await rejectsWith(pages.list(s.siteId, { limit: -1 }), 'PM_ERR_BAD_REQUEST', /limit/);
      });

      test('bad pages are refused and nothing stored is lost', async () => {
        const { pages } = env.stores;
        const s = await newSite();
        const good = htmlPage(s, '/keep', 'kept');
        await pages.upsert(good);
        await rejectsWith(pages.upsert({ ...good, kind: 'zip' as never }), 'PM_ERR_BAD_REQUEST', /html, redirect or content/);
        await rejectsWith(pages.upsert({ ...good, gz: null }), 'PM_ERR_BAD_REQUEST', /no gzipped content/);
        await rejectsWith(pages.upsert({ ...good, kind: 'redirect', redirectUrl: null }), 'PM_ERR_BAD_REQUEST', /no target URL/);
        await rejectsWith(pages.upsert({ ...good, kind: 'content', contentUrl: null }), 'PM_ERR_BAD_REQUEST', /names no URL/);
        await rejectsWith(pages.upsert({ ...good, urlPath: 'keep' }), 'PM_ERR_BAD_REQUEST', /must start with \//);
        await rejectsWith(pages.upsert({ ...good, siteId: '01NOSUCHSITE' }), 'PM_ERR_FOREIGN_KEY');
        assert.deepEqual(await pages.get(s.siteId, '', '/keep'), good);
      });
    });

    describe('template URLs', () => {
      test('JSON data round-trips; list, listByTemplate, listLangcodes, delete', async () => {
        const { templateUrls } = env.stores;
        const s = await newSite();
        const data = { title: 'Ünïcode ✓', n: 42, f: 1.5, ok: true, none: null, list: [1, 'two', { three: 3 }], nested: { a: { b: [] } } };
        const base = { siteId: s.siteId, themeId: 'plain', templateName: 'page', updatedAt: Date.now() };
        await templateUrls.upsert({ ...base, langcode: '', urlPath: '/about', data });
        await templateUrls.upsert({ ...base, langcode: 'fr', urlPath: '/about', data: { title: 'À propos' } });
        await templateUrls.upsert({ ...base, langcode: '', urlPath: '/', templateName: 'home', data: undefined });
        await templateUrls.upsert({ ...base, themeId: 'other', langcode: '', urlPath: '/x', data: 'just a string' });

        const got = await templateUrls.get(s.siteId, '', '/about');
        assert.deepEqual(got, { ...base, langcode: '', urlPath: '/about', data });
        assert.equal((await templateUrls.get(s.siteId, '', '/'))!.data, null);
        assert.equal((await templateUrls.get(s.siteId, '', '/x'))!.data, 'just a string');
        assert.deepEqual((await templateUrls.list(s.siteId)).map((t) => `${t.urlPath}|${t.langcode}`), ['/|', '/about|', '/about|fr', '/x|']);
        const byTheme = (await templateUrls.listByTemplate('plain')).filter((t) => t.siteId === s.siteId);
        assert.deepEqual(byTheme.map((t) => t.urlPath), ['/', '/about', '/about']);
        const byTemplate = (await templateUrls.listByTemplate('plain', 'page')).filter((t) => t.siteId === s.siteId);
        assert.deepEqual(byTemplate.map((t) => t.langcode), ['', 'fr']);
        assert.deepEqual((await templateUrls.listLangcodes(s.siteId, '/about')).map((t) => t.langcode), ['', 'fr']);

        await templateUrls.upsert({ ...base, langcode: 'fr', urlPath: '/about', templateName: 'page-wide', data: { v: 2 } });
        assert.deepEqual((await templateUrls.get(s.siteId, 'fr', '/about'))!.data, { v: 2 });
        assert.equal(await templateUrls.delete(s.siteId, 'fr', '/about'), true);
        assert.equal(await templateUrls.delete(s.siteId, 'fr', '/about'), false);
      });

      test('bad input is refused and the stored row kept', async () => {
        const { templateUrls } = env.stores;
        const s = await newSite();
        const row = { siteId: s.siteId, langcode: '', urlPath: '/t', themeId: 'plain', templateName: 'page', data: { keep: true }, updatedAt: 1 };
        await templateUrls.upsert(row);
        const circular: Record<string, unknown> = {};
        circular.self = circular;
        await rejectsWith(templateUrls.upsert({ ...row, data: circular }), 'PM_ERR_BAD_REQUEST', /cannot be stored as JSON/);
        await rejectsWith(templateUrls.upsert({ ...row, themeId: '' }), 'PM_ERR_VALIDATION');
        await rejectsWith(templateUrls.upsert({ ...row, urlPath: 't' }), 'PM_ERR_BAD_REQUEST', /must start with \//);
        await rejectsWith(templateUrls.upsert({ ...row, siteId: '01NOSUCHSITE' }), 'PM_ERR_FOREIGN_KEY');
        assert.deepEqual(await templateUrls.get(s.siteId, '', '/t'), row);
      });
    });

    describe('locales', () => {
      test('set replaces the list, mirrored in the site; bad codes and unknown sites are refused', async () => {
        const { locales, sites } = env.stores;
        const s = await newSite();
        await locales.set(s.siteId, ['fr', 'de', 'fr', ' en ']);
        assert.deepEqual(await locales.list(s.siteId), ['de', 'en', 'fr']);
        assert.deepEqual((await sites.get(s.siteId))!.enabledLocales, ['fr', 'de', 'en']);
        await locales.set(s.siteId, ['pt-BR']);
        assert.deepEqual(await locales.list(s.siteId), ['pt-BR']);
        await rejectsWith(locales.set(s.siteId, ['en', 'no spaces']), 'PM_ERR_VALIDATION');
        assert.deepEqual(await locales.list(s.siteId), ['pt-BR'], 'a refused list changes nothing');
        await rejectsWith(locales.set('01NOSUCHSITE', ['en']), 'PM_ERR_FOREIGN_KEY');
      });
    });
  });
}
