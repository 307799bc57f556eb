/**
 * The admin API for users, API tokens and the site, as a scenario table
 * through the real request pipeline (see api-fixture.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runScenario, startApiFixture, type Fixture, type Scenario } from './api-fixture.js';
import { APP_DIALECTS } from '../helpers/app.js';

let f: Fixture;
const userNamed = async (username: string) => f.t.app.stores.users.getByUsername(f.siteId, username);
const noUser = (username: string) => async () => assert.equal(await userNamed(username), undefined);
const role = async (userId: string) => (await f.t.app.stores.users.get(userId))?.role;
const site = () => f.t.app.stores.sites.get(f.siteId);
const kept: Record<string, string> = {};

const scenarios: Scenario[] = [
  // Permissions (while eddie is still an editor)
  { name: 'editor cannot change the site: 403', as: 'editor', method: 'PATCH', url: '/pm/api/site', body: { title: 'Mine' }, status: 403, code: 'PM_ERR_FORBIDDEN', effect: async () => assert.equal((await site())?.title, 'My site') },
  { name: 'editor cannot create users: 403, none made', as: 'editor', method: 'POST', url: '/pm/api/users', body: { username: 'mallory', role: 'admin' }, status: 403, code: 'PM_ERR_FORBIDDEN', effect: noUser('mallory') },
  { name: 'admin cannot create a superadmin: 403, none made', as: 'admin', method: 'POST', url: '/pm/api/users', body: { username: 'boss', role: 'superadmin' }, status: 403, code: 'PM_ERR_FORBIDDEN', effect: noUser('boss') },
  {
    name: 'admin cannot change a superadmin: 403, unchanged',
    as: 'admin', method: 'PATCH', url: () => `/pm/api/users/${f.users.root.userId}`, body: { name: 'Hacked' }, status: 403, code: 'PM_ERR_FORBIDDEN',
    effect: async () => assert.equal((await f.t.app.stores.users.get(f.users.root.userId))?.name, 'root'),
  },
  { name: 'admin cannot promote to superadmin: 403', as: 'admin', method: 'PATCH', url: () => `/pm/api/users/${f.users.editor.userId}`, body: { role: 'superadmin' }, status: 403, code: 'PM_ERR_FORBIDDEN', effect: async () => assert.equal(await role(f.users.editor.userId), 'editor') },
  { name: 'admin cannot set passwords: 403', as: 'admin', method: 'POST', url: () => `/pm/api/users/${f.users.editor.userId}/password`, body: { password: 'another passphrase' }, status: 403, code: 'PM_ERR_FORBIDDEN' },
  { name: 'editor cannot delete users: 403, still there', as: 'editor', method: 'DELETE', url: () => `/pm/api/users/${f.users.admin.userId}`, status: 403, code: 'PM_ERR_FORBIDDEN', effect: async () => assert.ok(await userNamed('ada')) },
  { name: 'admin cannot log a superadmin out: 403', as: 'admin', method: 'POST', url: () => `/pm/api/users/${f.users.root.userId}/revoke-sessions`, status: 403, code: 'PM_ERR_FORBIDDEN' },
  {
    name: 'admin lists users (no password data in the answer)',
    as: 'admin', method: 'GET', url: '/pm/api/users', status: 200,
    expect: (r) => {
      const users = r.json().users as { username: string }[];
      assert.deepEqual(users.map((u) => u.username).sort(), ['ada', 'eddie', 'root']);
      assert.doesNotMatch(r.body, /scrypt|password/i);
    },
  },

  // Users: bad input
  { name: 'a weak password: 422 PM_ERR_WEAK_PASSWORD beside the field, no user made', as: 'root', method: 'POST', url: '/pm/api/users', body: { username: 'weak', role: 'editor', password: 'password' }, status: 422, code: 'PM_ERR_WEAK_PASSWORD', fields: ['password'], effect: noUser('weak') },
  { name: 'a username with a space: 422', as: 'root', method: 'POST', url: '/pm/api/users', body: { username: 'two words', role: 'editor' }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['username'], effect: noUser('two words') },
  { name: 'an unknown role: 422', as: 'root', method: 'POST', url: '/pm/api/users', body: { username: 'olga', role: 'owner' }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['role'], effect: noUser('olga') },
  { name: 'no username nor role: 422 naming both', as: 'root', method: 'POST', url: '/pm/api/users', body: {}, status: 422, code: 'PM_ERR_VALIDATION', fields: ['username', 'role'] },
  { name: 'a bad email: 422', as: 'root', method: 'POST', url: '/pm/api/users', body: { username: 'olga', role: 'editor', email: 'not-an-email' }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['email'], effect: noUser('olga') },
  { name: 'a taken username: 409 PM_ERR_CONFLICT', as: 'root', method: 'POST', url: '/pm/api/users', body: { username: 'eddie', role: 'admin' }, status: 409, code: 'PM_ERR_CONFLICT', effect: async () => assert.equal(await role(f.users.editor.userId), 'editor') },
  {
    name: 'admin creates an editor with a password: 201, they can log in',
    as: 'admin', method: 'POST', url: '/pm/api/users', body: { username: 'sam', name: 'Sam', email: 'sam@example.com', role: 'editor', password: 'sam passphrase' }, status: 201,
    expect: (r) => {
      kept.sam = r.json().user.userId;
      assert.equal(r.json().user.role, 'editor');
    },
    effect: async () => {
      kept.samCookie = await f.t.login('sam', 'sam passphrase');
      assert.equal((await f.visit('/pm/api/me', kept.samCookie)).statusCode, 200);
    },
  },
  { name: 'an empty PATCH: 400', as: 'root', method: 'PATCH', url: () => `/pm/api/users/${kept.sam}`, body: {}, status: 400, code: 'PM_ERR_BAD_REQUEST' },
  { name: 'PATCH of a user that does not exist: 404', as: 'root', method: 'PATCH', url: '/pm/api/users/01NOSUCHUSER0000000000000', body: { name: 'x' }, status: 404, code: 'PM_ERR_NOT_FOUND' },
  {
    name: 'the last superadmin cannot be demoted: 409, still superadmin',
    as: 'root', method: 'PATCH', url: () => `/pm/api/users/${f.users.root.userId}`, body: { role: 'admin' }, status: 409, code: 'PM_ERR_LAST_SUPERADMIN',
    effect: async () => assert.equal(await role(f.users.root.userId), 'superadmin'),
  },
  {
    name: 'admin promotes an editor to admin; the new role applies at the next call',
    as: 'admin', method: 'PATCH', url: () => `/pm/api/users/${f.users.editor.userId}`, body: { role: 'admin', email: 'eddie@example.com' }, status: 200,
    expect: (r) => assert.deepEqual([r.json().user.role, r.json().user.email], ['admin', 'eddie@example.com']),
    effect: async () => assert.equal((await f.call('editor', 'GET', '/pm/api/users')).statusCode, 200),
  },
  {
    name: 'a superadmin sets a password: the user’s sessions end, the new password works',
    as: 'root', method: 'POST', url: () => `/pm/api/users/${f.users.editor.userId}/password`, body: { password: 'a brand new passphrase' }, status: 200,
    expect: (r) => assert.deepEqual(r.json(), { ok: true, sessionsRevoked: true }),
    effect: async () => {
      assert.equal((await f.visit('/pm/api/me', f.cookies.editor)).statusCode, 401);
      assert.equal(await f.t.app.stores.passwords.verify(f.users.editor.userId, 'a brand new passphrase'), true);
      assert.equal(await f.t.app.stores.passwords.verify(f.users.editor.userId, 'eddie passphrase'), false);
      // Tokens are not sessions: they keep working.
      assert.equal((await f.call('editor', 'GET', '/pm/api/me')).statusCode, 200);
    },
  },
  {
    name: 'a weak new password: 422, the old one stays',
    as: 'root', method: 'POST', url: () => `/pm/api/users/${f.users.admin.userId}/password`, body: { password: 'short' }, status: 422, code: 'PM_ERR_WEAK_PASSWORD', fields: ['password'],
    effect: async () => assert.equal(await f.t.app.stores.passwords.verify(f.users.admin.userId, 'ada passphrase'), true),
  },
  {
    name: 'revoke-sessions logs the user out everywhere',
    as: 'root', method: 'POST', url: () => `/pm/api/users/${f.users.admin.userId}/revoke-sessions`, status: 200,
    effect: async () => assert.equal((await f.visit('/pm/api/me', f.cookies.admin)).statusCode, 401),
  },

  // Deleting users
  { name: 'an admin cannot delete a superadmin: 403, still there', as: 'admin', method: 'DELETE', url: () => `/pm/api/users/${f.users.root.userId}`, status: 403, code: 'PM_ERR_FORBIDDEN', effect: async () => assert.equal(await role(f.users.root.userId), 'superadmin') },
  { name: 'nobody deletes themselves: 409 PM_ERR_DELETE_SELF, still there', as: 'root', method: 'DELETE', url: () => `/pm/api/users/${f.users.root.userId}`, status: 409, code: 'PM_ERR_DELETE_SELF', effect: async () => assert.equal(await role(f.users.root.userId), 'superadmin') },
  { name: 'deleting a user that does not exist: 404', as: 'root', method: 'DELETE', url: '/pm/api/users/01NOSUCHUSER0000000000000', status: 404, code: 'PM_ERR_NOT_FOUND' },
  {
    name: 'an admin deletes an editor: 204; their session ends, they cannot log in, they are gone from the list',
    as: 'admin', method: 'DELETE', url: () => `/pm/api/users/${kept.sam}`, status: 204,
    effect: async () => {
      assert.equal((await f.visit('/pm/api/me', kept.samCookie)).statusCode, 401);
      await assert.rejects(f.t.login('sam', 'sam passphrase'), (e: Error & { code?: string }) => e.code === 'PM_ERR_LOGIN_FAILED');
      assert.equal(await userNamed('sam'), undefined);
      assert.ok(!(await f.call('root', 'GET', '/pm/api/users')).json().users.some((u: { username: string }) => u.username === 'sam'));
    },
  },
  { name: 'deleting them again: 404', as: 'admin', method: 'DELETE', url: () => `/pm/api/users/${kept.sam}`, status: 404, code: 'PM_ERR_NOT_FOUND' },

  // Tokens
  {
    name: 'a new token is shown once, and only its hash is stored',
    as: 'admin', method: 'POST', url: '/pm/api/tokens', body: { name: 'deploy' }, status: 201,
    expect: async (r) => {
      const { token, key } = r.json();
      assert.match(token, /^pm_[\w-]{40,}$/);
      kept.token = token;
      kept.keyId = key.keyId;
      assert.deepEqual(Object.keys(key).sort(), ['createdAt', 'keyId', 'lastUsedAt', 'name']);
      const [stored] = (await f.t.app.stores.keys.listForUser(f.users.admin.userId, 'api_token')).filter((k) => k.keyId === key.keyId);
      assert.notEqual(stored.value, token);
      assert.ok(!stored.value.includes(token.slice(3)));
      assert.match(stored.value, /^[0-9a-f]{64,}$/);
    },
    effect: async () => {
      const me = await f.t.app.http.inject({ url: '/pm/api/me', headers: { authorization: `Bearer ${kept.token}` } });
      assert.equal(me.json().user.username, 'ada');
    },
  },
  {
    name: 'the token list never shows a token or its hash',
    as: 'admin', method: 'GET', url: '/pm/api/tokens', status: 200,
    expect: async (r) => {
      assert.ok(r.json().tokens.some((k: { keyId: string }) => k.keyId === kept.keyId));
      assert.ok(!r.body.includes(kept.token));
      const hashes = (await f.t.app.stores.keys.listForUser(f.users.admin.userId, 'api_token')).map((k) => k.value);
      for (const h of hashes) assert.ok(!r.body.includes(h));
      assert.doesNotMatch(r.body, /"value"|"token"/);
    },
  },
  { name: 'someone else’s token cannot be revoked: 404, it keeps working', as: 'root', method: 'DELETE', url: () => `/pm/api/tokens/${kept.keyId}`, status: 404, code: 'PM_ERR_NOT_FOUND', effect: async () => assert.equal((await f.t.app.http.inject({ url: '/pm/api/me', headers: { authorization: `Bearer ${kept.token}` } })).statusCode, 200) },
  { name: 'a token needs a name: 422', as: 'admin', method: 'POST', url: '/pm/api/tokens', body: {}, status: 422, code: 'PM_ERR_VALIDATION', fields: ['name'] },
  {
    name: 'revoking your own token: 204, its next call is a 401',
    as: 'admin', method: 'DELETE', url: () => `/pm/api/tokens/${kept.keyId}`, status: 204,
    effect: async () => {
      const r = await f.t.app.http.inject({ url: '/pm/api/me', headers: { authorization: `Bearer ${kept.token}` } });
      assert.equal(r.statusCode, 401);
      assert.equal(r.json().code, 'PM_ERR_UNAUTHENTICATED');
    },
  },
  {
    name: 'a cookie caller gets a CSRF token from /me',
    as: 'cookie-no-csrf', method: 'GET', url: '/pm/api/me', status: 200,
    expect: (r) => {
      assert.equal(r.json().via, 'cookie');
      assert.equal(r.json().csrfToken, f.csrf);
    },
  },

  // Site
  {
    name: 'an unknown locale: 422, nothing changed',
    as: 'root', method: 'PATCH', url: '/pm/api/site', body: { title: 'New title', enabledLocales: ['en', 'xx'] }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['enabledLocales'],
    effect: async () => assert.deepEqual([(await site())?.title, (await site())?.enabledLocales], ['My site', ['en']]),
  },
  { name: 'a default locale that is not enabled: 422', as: 'root', method: 'PATCH', url: '/pm/api/site', body: { defaultLocale: 'fr' }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['defaultLocale'], effect: async () => assert.equal((await site())?.defaultLocale, 'en') },
  { name: 'a title that is not text: 422', as: 'root', method: 'PATCH', url: '/pm/api/site', body: { title: ['x'] }, status: 422, code: 'PM_ERR_VALIDATION', fields: ['title'] },
  { name: 'an empty PATCH: 400', as: 'root', method: 'PATCH', url: '/pm/api/site', body: {}, status: 400, code: 'PM_ERR_BAD_REQUEST' },
  {
    name: 'title and locales change; the new locale serves its own pages',
    as: 'admin', method: 'PATCH', url: '/pm/api/site', body: { title: 'Fern & Kiln', enabledLocales: ['en', 'de'] }, status: 200,
    expect: (r) => assert.deepEqual([r.json().site.title, r.json().site.enabledLocales], ['Fern & Kiln', ['en', 'de']]),
    effect: async () => {
      const put = await f.call('root', 'PUT', '/pm/api/pages?url=/about&langcode=de', { html: '<h1>Über uns</h1>' });
      assert.equal(put.statusCode, 201, put.body);
      assert.equal((await f.visit('/de/about')).body, '<h1>Über uns</h1>');
      assert.equal((await f.call('editor', 'GET', '/pm/api/site')).json().site.title, 'Fern & Kiln');
    },
  },
];

for (const { name: dialect, skip } of APP_DIALECTS) describe(`admin API: users, tokens, site [${dialect}]`, { skip }, () => {
  before(async () => {
    f = await startApiFixture({ dialect });
  });
  after(() => f?.close());

  for (const s of scenarios) it(s.name, () => runScenario(f, s));
});
