/**
 * Users, the caller (`/me`) and the caller's API tokens. Who may touch whom
 * is decided by permissions: users.manage for ordinary users,
 * users.manage-superadmins for anything involving a superadmin. `/me` and
 * tokens take url-dashboard, which every role has: they are the dashboard's
 * own, and it keeps anonymous writes a 401 rather than a CSRF refusal.
 */
import { PmError } from '../../src/plugins/plugin.js';
import type { PluginRouter, PluginServer, PmRequest, Role, User } from '../../src/plugins/plugin.js';
import { readBody, signedInUser, type BodySchema } from '../../src/plugins/plugin.js';
import { tokenView, userView } from './views.js';

const ROLE = { type: 'string', enum: ['superadmin', 'admin', 'editor', 'author'] };
// Lengths and shapes of names, emails and usernames are the user service's rules (the dashboard's too).
const NAME = { type: 'string' };
const EMAIL = { type: 'string' };
const PASSWORD = { type: 'string', maxLength: 1024 };

const CREATE_USER_BODY: BodySchema = {
  type: 'object',
  properties: {
    // The rules (letters, digits, . _ - @, up to 64) are the user service's, the dashboard's too.
    username: { type: 'string' },
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

export function registerUserRoutes(router: PluginRouter, server: PluginServer): void {
  /** A user of this site (another site's user is as absent as a missing one). */
  const userOfSite = (request: PmRequest): Promise<User> => server.users.get(request.pm.site.siteId, (request.params as { userId: string }).userId);

  router.get(
    '/pm/api/users',
    async (request) => ({ users: (await server.users.list(request.pm.site.siteId)).map(userView) }),
    { permission: 'users.manage', description: 'JSON API: list users' },
  );

  router.post(
    '/pm/api/users',
    async (request, reply) => {
      const body = readBody<{ username: string; name?: string; email?: string; role: Role; password?: string }>(request, server, CREATE_USER_BODY);
      const user = await server.users.create(await signedInUser(request), { siteId: request.pm.site.siteId, ...body });
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
      return { user: userView(await server.users.update(await signedInUser(request), target, body)) };
    },
    { permission: 'users.manage', description: 'JSON API: change a user’s role, name or email' },
  );

  router.post(
    '/pm/api/users/:userId/password',
    async (request, reply) => {
      const { password } = readBody<{ password: string }>(request, server, PASSWORD_BODY);
      const target = await userOfSite(request);
      const actor = await signedInUser(request);
      const { sessionsRevoked } = await server.users.setPassword(actor, target, password);
      // Your own password: your other sessions ended; this one goes on with a fresh cookie (a token needs none).
      const renewed = actor.userId === target.userId ? await server.auth.reissue(request.pm.site.siteId, request.pm.session, request.pm.via, request.pm.secure) : undefined;
      if (renewed) reply.header('set-cookie', renewed);
      return { ok: true, sessionsRevoked };
    },
    { permission: 'users.manage-superadmins', description: 'JSON API: set a user’s password' },
  );

  router.post(
    '/pm/api/users/:userId/revoke-sessions',
    async (request) => {
      const target = await userOfSite(request);
      await server.users.revokeSessions(await signedInUser(request), target);
      return { ok: true };
    },
    { permission: 'users.manage', description: 'JSON API: log a user out everywhere' },
  );

  router.delete(
    '/pm/api/users/:userId',
    async (request, reply) => {
      const target = await userOfSite(request);
      await server.users.remove(await signedInUser(request), target);
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
      const { token, key } = await server.users.createToken(me, name);
      return reply.code(201).send({ token, key: tokenView(key) });
    },
    { permission: 'url-dashboard', description: 'JSON API: create an API token (shown once)' },
  );

  router.get(
    '/pm/api/tokens',
    async (request) => {
      const me = await signedInUser(request);
      return { tokens: (await server.users.listTokens(me.userId)).map(tokenView) };
    },
    { permission: 'url-dashboard', description: 'JSON API: list your API tokens' },
  );

  router.delete(
    '/pm/api/tokens/:keyId',
    async (request, reply) => {
      const me = await signedInUser(request);
      const { keyId } = request.params as { keyId: string };
      if (!(await server.users.revokeToken(me.userId, keyId))) throw new PmError('PM_ERR_NOT_FOUND', { what: `token ${keyId}` });
      return reply.code(204).send();
    },
    { permission: 'url-dashboard', description: 'JSON API: revoke one of your API tokens' },
  );
}
