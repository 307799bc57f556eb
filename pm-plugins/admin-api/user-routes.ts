/**
 * Users, the caller (`/me`) and the caller's API tokens. Who may touch whom
 * is decided by permissions: users.manage for ordinary users,
 * users.manage-superadmins for anything involving a superadmin. `/me` and
 * tokens take url-dashboard, which every role has: they are the dashboard's
 * own, and it keeps anonymous writes a 401 rather than a CSRF refusal.
 */
import { PmError, isPmError } from '../../src/errors/errors.js';
import type { PluginRouter, PluginServer, PmRequest, Role, User } from '../../src/plugins/api.js';
import { createUserRules } from '../dashboard/user-rules.js';
import { readBody, signedInUser, type BodySchema } from './request-input.js';
import { tokenView, userView } from './views.js';

const ROLE = { type: 'string', enum: ['superadmin', 'admin', 'editor', 'author'] };
const NAME = { type: 'string', maxLength: 200 };
const EMAIL = { type: 'string', maxLength: 320, pattern: '^$|^[^\\s@]+@[^\\s@]+$', 'x-pattern-message': 'Must be an email address, or empty.' };
const PASSWORD = { type: 'string', maxLength: 1024 };

const CREATE_USER_BODY: BodySchema = {
  type: 'object',
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 64, pattern: '^\\S+$', 'x-pattern-message': 'Must not contain spaces.' },
    name: NAME,
    email: EMAIL,
    role: ROLE,
    password: PASSWORD,
  },
  required: ['username', 'role'],
};
const PATCH_USER_BODY: BodySchema = { type: 'object', properties: { role: ROLE, name: NAME, email: EMAIL } };
const PASSWORD_BODY: BodySchema = { type: 'object', properties: { password: PASSWORD }, required: ['password'] };
const TOKEN_BODY: BodySchema = { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['name'] };

/** The password policy's refusal, also keyed by field so a form can show it beside the input. */
function checkPassword(server: PluginServer, password: string): void {
  try {
    server.checkPassword(password);
  } catch (e) {
    if (isPmError(e, 'PM_ERR_WEAK_PASSWORD')) throw new PmError('PM_ERR_WEAK_PASSWORD', e.params, { fields: { password: e.message } });
    throw e;
  }
}

export function registerUserRoutes(router: PluginRouter, server: PluginServer): void {
  const rules = createUserRules(server);
  const refuseIf = (refusal: PmError | undefined): void => {
    if (refusal) throw refusal;
  };

  /** A user of this site (another site's user is as absent as a missing one). */
  async function userOfSite(request: PmRequest): Promise<User> {
    const { userId } = request.params as { userId: string };
    const u = await server.stores.users.get(userId);
    if (!u || u.siteId !== request.pm.site.siteId) throw new PmError('PM_ERR_NOT_FOUND', { what: `user ${userId}` });
    return u;
  }

  router.get(
    '/pm/api/users',
    async (request) => ({ users: (await server.stores.users.list(request.pm.site.siteId)).map(userView) }),
    { permission: 'users.manage', description: 'JSON API: list users' },
  );

  router.post(
    '/pm/api/users',
    async (request, reply) => {
      const body = readBody<{ username: string; name?: string; email?: string; role: Role; password?: string }>(request, server, CREATE_USER_BODY);
      refuseIf(rules.create(await signedInUser(request), body.role));
      if (body.password !== undefined) checkPassword(server, body.password);
      const user = await server.stores.users.create({ siteId: request.pm.site.siteId, username: body.username, name: body.name, email: body.email, role: body.role });
      if (body.password !== undefined) await server.stores.passwords.set(user.userId, body.password);
      return reply.code(201).send({ user: userView(user) });
    },
    { permission: 'users.manage', description: 'JSON API: create a user' },
  );

  router.patch(
    '/pm/api/users/:userId',
    async (request) => {
      const body = readBody<{ role?: Role; name?: string; email?: string }>(request, server, PATCH_USER_BODY);
      if (Object.keys(body).length === 0) throw new PmError('PM_ERR_BAD_REQUEST', { detail: 'Send at least one of role, name, email.' });
      const target = await userOfSite(request);
      refuseIf(await rules.change(await signedInUser(request), target, body.role));
      return { user: userView(await server.stores.users.update(target.userId, body)) };
    },
    { permission: 'users.manage', description: 'JSON API: change a user’s role, name or email' },
  );

  router.post(
    '/pm/api/users/:userId/password',
    async (request) => {
      const { password } = readBody<{ password: string }>(request, server, PASSWORD_BODY);
      const target = await userOfSite(request);
      checkPassword(server, password);
      await server.stores.passwords.set(target.userId, password);
      // Someone else's password was reset: whoever held their sessions is out. Your own stay.
      const me = await signedInUser(request);
      const sessionsRevoked = me.userId !== target.userId;
      if (sessionsRevoked) await server.auth.revokeUser(target.userId);
      return { ok: true, sessionsRevoked };
    },
    { permission: 'users.manage-superadmins', description: 'JSON API: set a user’s password' },
  );

  router.post(
    '/pm/api/users/:userId/revoke-sessions',
    async (request) => {
      const target = await userOfSite(request);
      refuseIf(rules.revoke(await signedInUser(request), target));
      await server.auth.revokeUser(target.userId);
      return { ok: true };
    },
    { permission: 'users.manage', description: 'JSON API: log a user out everywhere' },
  );

  router.delete(
    '/pm/api/users/:userId',
    async (request, reply) => {
      const target = await userOfSite(request);
      refuseIf(await rules.remove(await signedInUser(request), target));
      // Revocations outlive the user row, so a signed cookie of theirs stays dead after a restart too.
      await server.auth.revokeUser(target.userId);
      await server.stores.users.delete(target.userId);
      return reply.code(204).send();
    },
    { permission: 'users.manage', description: 'JSON API: delete a user (their sessions and tokens end)' },
  );

  router.get(
    '/pm/api/me',
    async (request) => {
      const me = await signedInUser(request);
      const via = request.pm.via;
      return {
        user: userView(me),
        via,
        permissions: server.permissionsOf(me.role),
        // Cookie (and offline) callers must echo this in x-csrf-token on writes; token callers need none.
        ...(via === 'token' ? {} : { csrfToken: request.pm.csrfToken() }),
      };
    },
    { permission: 'url-dashboard', description: 'JSON API: who is calling' },
  );

  router.post(
    '/pm/api/tokens',
    async (request, reply) => {
      const { name } = readBody<{ name: string }>(request, server, TOKEN_BODY);
      const me = await signedInUser(request);
      const { token, key } = await server.apiTokens.create(request.pm.site.siteId, me.userId, name.trim() || 'token');
      return reply.code(201).send({ token, key: tokenView(key) });
    },
    { permission: 'url-dashboard', description: 'JSON API: create an API token (shown once)' },
  );

  router.get(
    '/pm/api/tokens',
    async (request) => {
      const me = await signedInUser(request);
      return { tokens: (await server.apiTokens.list(me.userId)).map(tokenView) };
    },
    { permission: 'url-dashboard', description: 'JSON API: list your API tokens' },
  );

  router.delete(
    '/pm/api/tokens/:keyId',
    async (request, reply) => {
      const me = await signedInUser(request);
      const { keyId } = request.params as { keyId: string };
      if (!(await server.apiTokens.revoke(me.userId, keyId))) throw new PmError('PM_ERR_NOT_FOUND', { what: `token ${keyId}` });
      return reply.code(204).send();
    },
    { permission: 'url-dashboard', description: 'JSON API: revoke one of your API tokens' },
  );
}
