/**
 * The signed-in user's own page: change the password (the current one is
 * required), log out everywhere, and API tokens (shown once, stored hashed).
 */
import { hidden, html, input, isPmError, PmError, str, timeAgo } from '../../src/plugins/plugin.js';
import type { Key, PluginRouter, PluginServer, PmReply, PmRequest, User } from '../../src/plugins/plugin.js';
import { roleLabel, type Notice, type Shell as DashboardShell } from './layout.js';

type PasswordErrors = Partial<Record<'current' | 'password' | 'confirm', string>>;

export function profileRoutes(router: PluginRouter, server: PluginServer, shell: DashboardShell): void {
  async function me(request: PmRequest): Promise<User> {
    const u = await request.pm.user();
    if (!u) throw new PmError('PM_ERR_UNAUTHENTICATED');
    return u;
  }

  async function show(
    request: PmRequest,
    reply: PmReply,
    o: { passwordErrors?: PasswordErrors; tokenName?: string; tokenError?: string; newToken?: { name: string; token: string }; notice?: Notice; status?: number } = {},
  ): Promise<PmReply> {
    const L = request.pm.link;
    const user = await me(request);
    const hasPassword = await server.users.hasPassword(user.userId);
    const tokens = await server.users.listTokens(user.userId);
    const offline = server.mode === 'offline';
    const pe = o.passwordErrors ?? {};

    const about = html`<section class="card"><h2>You</h2><dl class="facts">
<dt>Name</dt><dd>${user.name || '—'}</dd><dt>Username</dt><dd>${user.username}</dd>
${user.email ? html`<dt>Email</dt><dd>${user.email}</dd>` : ''}<dt>Role</dt><dd>${roleLabel(user.role)}</dd></dl></section>`;

    const password = html`<section class="card" id="password"><h2>${hasPassword ? 'Change your password' : 'Set a password'}</h2>
${!hasPassword ? html`<p class="muted">You have no password yet${offline ? ': offline mode logs you in by itself. Set one before serving the site to the network' : ''}.</p>` : ''}
<form class="stack" method="post" action="${L('/pm/profile/password')}#password" novalidate>${shell.csrf(request)}
${hasPassword ? input({ name: 'current', label: 'Current password', type: 'password', required: true, autocomplete: 'current-password', error: pe.current }) : ''}
${input({ name: 'password', label: 'New password', type: 'password', required: true, autocomplete: 'new-password', error: pe.password })}
${input({ name: 'confirm', label: 'New password again', type: 'password', required: true, autocomplete: 'new-password', error: pe.confirm })}
<div class="button-row"><button class="btn-primary" type="submit">${hasPassword ? 'Change password' : 'Set password'}</button></div>
</form></section>`;

    const sessions = offline
      ? html``
      : html`<section class="card"><h2>Sessions</h2><p>Lost a device, or logged in on a shared computer? End every session of yours, this one included.</p>
<form method="post" action="${L('/pm/profile/logout-everywhere')}">${shell.csrf(request)}<button class="btn" type="submit">Log out everywhere</button></form></section>`;

    const tokenRow = (k: Key) => html`<tr><td><span class="url">${k.name}</span></td><td class="muted">${timeAgo(k.createdAt)}</td><td class="muted">${k.lastUsedAt ? timeAgo(k.lastUsedAt) : 'never'}</td>
<td class="actions"><form class="inline-form" method="post" action="${L('/pm/profile/tokens/revoke')}">${shell.csrf(request)}${hidden('keyId', k.keyId)}<button class="btn btn-small" type="submit">Revoke</button></form></td></tr>`;
    const created = o.newToken
      ? html`<div class="notice notice-ok" role="status"><p><strong>Token “${o.newToken.name}” created.</strong> Copy it now: it is shown only this once.</p>
<div class="secret"><code id="new-token">${o.newToken.token}</code><button class="btn btn-small" type="button" data-copy="new-token">Copy</button></div></div>`
      : '';
    const apiTokens = html`<section class="card" id="tokens"><h2>API tokens</h2>
<p class="muted">For scripts that use the JSON API: send <code>Authorization: Bearer TOKEN</code>. A token acts as you.</p>
${created}
${tokens.length
  ? html`<div class="table-wrap"><table class="stack-table"><thead><tr><th>Name</th><th>Created</th><th>Last used</th><th><span class="pm-sr-only">Actions</span></th></tr></thead><tbody>${tokens.map(tokenRow)}</tbody></table></div>`
  : html`<p>You have no API tokens.</p>`}
<form class="stack" method="post" action="${L('/pm/profile/tokens')}#tokens" novalidate>${shell.csrf(request)}
${input({ name: 'name', label: 'New token name', value: o.tokenName ?? '', help: 'What it is for, such as “backup script”.', error: o.tokenError, maxlength: 100 })}
<div class="button-row"><button class="btn" type="submit">Create token</button></div></form></section>`;

    return shell.page(request, reply, {
      title: 'Your profile',
      nav: 'profile',
      status: o.status,
      notice: o.notice,
      body: html`${about}${password}${sessions}${apiTokens}`,
    });
  }

  router.get('/pm/profile', (request, reply) => show(request, reply), { permission: 'url-dashboard', description: 'Your profile, password and API tokens' });

  router.post(
    '/pm/profile/password',
    async (request, reply) => {
      const user = await me(request);
      const current = str(request.body, 'current');
      const password = str(request.body, 'password');
      const confirm = str(request.body, 'confirm');
      try {
        await server.users.changeOwnPassword(user, { current, password, confirm });
      } catch (e) {
        if (!isPmError(e) || !e.fields) throw e;
        return show(request, reply, { passwordErrors: e.fields, status: 422, notice: { kind: 'error', text: 'Your password was not changed: see below.' } });
      }
      // Your other sessions ended (another device, a stolen cookie); this browser gets a fresh one.
      const renewed = await server.auth.reissue(request.pm.site.siteId, request.pm.session, request.pm.via, request.pm.secure);
      if (renewed) reply.header('set-cookie', renewed);
      return shell.redirect(request, reply, request.pm.link('/pm/profile'), { kind: 'ok', text: 'Your password was changed, and your other sessions were ended.' });
    },
    { permission: 'url-dashboard', rateLimit: { max: 20, timeWindowMs: 60_000 }, description: 'Changes your password' },
  );

  router.post(
    '/pm/profile/logout-everywhere',
    async (request, reply) => {
      const user = await me(request);
      if (server.mode === 'offline') return shell.redirect(request, reply, request.pm.link('/pm/profile'), { kind: 'info', text: 'Offline mode has no sessions to end.' });
      await server.auth.revokeUser(user.userId);
      reply.header('set-cookie', await server.auth.logout(request.pm.site.siteId, request.pm.session, request.pm.secure));
      server.events.emit('user.logout', { siteId: request.pm.site.siteId, userId: user.userId });
      return shell.redirect(request, reply, request.pm.link('/pm/login'), { kind: 'ok', text: 'You were logged out everywhere.' });
    },
    { permission: 'url-dashboard', description: 'Ends every session of yours' },
  );

  router.post(
    '/pm/profile/tokens',
    async (request, reply) => {
      const user = await me(request);
      const name = str(request.body, 'name');
      let made: { token: string; key: Key };
      try {
        made = await server.users.createToken(user, name);
      } catch (e) {
        if (!isPmError(e) || !e.fields?.name) throw e;
        return show(request, reply, { tokenName: name.trim(), tokenError: e.fields.name, status: 422 });
      }
      const { token, key } = made;
      // Rendered, not redirected: the token must never travel in a URL or a cookie.
      return show(request, reply, { newToken: { name: key.name, token }, status: 201 });
    },
    { permission: 'url-dashboard', description: 'Creates an API token' },
  );

  router.post(
    '/pm/profile/tokens/revoke',
    async (request, reply) => {
      const user = await me(request);
      const ok = await server.users.revokeToken(user.userId, str(request.body, 'keyId'));
      return shell.redirect(request, reply, request.pm.link('/pm/profile#tokens'), ok ? { kind: 'ok', text: 'The token was revoked; it no longer works.' } : { kind: 'error', text: 'That token does not exist, or is not yours.' });
    },
    { permission: 'url-dashboard', description: 'Revokes an API token' },
  );
}
