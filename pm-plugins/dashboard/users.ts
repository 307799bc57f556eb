/**
 * Users of the site: list, create with a role, change a role, end someone's
 * sessions, delete someone, and (superadmins only) set someone else's
 * password. Only a superadmin touches superadmins, the last superadmin cannot
 * be demoted or deleted, and nobody deletes themselves.
 */
import { isPmError, PmError } from '../../src/plugins/plugin.js';
import type { PluginRouter, PluginServer, PmReply, PmRequest, Role, User } from '../../src/plugins/plugin.js';
import { hidden, input, select, str } from '../../src/plugins/plugin.js';
import { html, qs, type SafeHtml } from '../../src/plugins/plugin.js';
import { roleLabel, type Notice, type Shell as DashboardShell } from './layout.js';

const ROLES: Role[] = ['author', 'editor', 'admin', 'superadmin'];
const ROLE_HELP: Record<Role, string> = {
  author: 'Author: writes and publishes their own blog posts.',
  editor: 'Editor: every blog post; creates and edits pages, redirects and aliases.',
  admin: 'Admin: also themes, site settings and users.',
  superadmin: 'Superadmin: everything, including other superadmins and passwords.',
};

interface NewUserForm {
  values: { username: string; name: string; email: string; role: string };
  errors: Partial<Record<'username' | 'name' | 'email' | 'role' | 'password', string>>;
}

export function usersRoutes(router: PluginRouter, server: PluginServer, shell: DashboardShell): void {
  const targetUser = (request: PmRequest, userId: string): Promise<User> => server.users.get(request.pm.site.siteId, userId);
  /** The signed-in user (the route's permission check has loaded it). */
  const actor = async (request: PmRequest): Promise<User> => (await request.pm.user())!;

  async function show(request: PmRequest, reply: PmReply, o: { form?: NewUserForm; notice?: Notice; status?: number } = {}): Promise<PmReply> {
    const L = request.pm.link;
    const me = await request.pm.user();
    const canSuper = await shell.can(request, 'users.manage-superadmins');
    const users = await server.users.list(request.pm.site.siteId);
    const roleOptions = ROLES.filter((r) => r !== 'superadmin' || canSuper).map((r) => ({ value: r, label: roleLabel(r) }));

    const roleCell = (u: User): SafeHtml => {
      if (u.role === 'superadmin' && !canSuper) return html`${roleLabel(u.role)}`;
      return html`<form class="row-form" method="post" action="${L('/pm/users/role')}">${shell.csrf(request)}${hidden('userId', u.userId)}
<label class="pm-sr-only" for="role-${u.userId}">Role of ${u.username}</label>
<select id="role-${u.userId}" name="role">${roleOptions.map((r) => html`<option value="${r.value}"${r.value === u.role ? html` selected` : ''}>${r.label}</option>`)}</select>
<button class="btn btn-small" type="submit">Change</button></form>`;
    };
    const actions = (u: User): SafeHtml => {
      const isMe = u.userId === me?.userId;
      const mayTouch = u.role !== 'superadmin' || canSuper;
      return html`${isMe ? html`<a class="btn btn-small" href="${L('/pm/profile')}">Your profile</a>` : ''}
${!isMe && canSuper ? html`<a class="btn btn-small" href="${L('/pm/users/password' + qs({ user: u.userId }))}">Set password</a>` : ''}
${!isMe && mayTouch ? html`<form class="inline-form" method="post" action="${L('/pm/users/revoke')}">${shell.csrf(request)}${hidden('userId', u.userId)}<button class="btn btn-small" type="submit">Log out everywhere</button></form>` : ''}
${!isMe && mayTouch ? html`<a class="btn btn-small" href="${L('/pm/users/delete' + qs({ user: u.userId }))}">Delete…</a>` : ''}`;
    };
    const table = html`<div class="table-wrap"><table class="stack-table"><thead><tr><th>User</th><th>Role</th><th><span class="pm-sr-only">Actions</span></th></tr></thead><tbody>
${users.map(
  (u) => html`<tr><td><span class="url">${u.name || u.username}</span><span class="sub">${u.username}${u.email ? ` · ${u.email}` : ''}${u.userId === me?.userId ? ' · you' : ''}</span></td>
<td>${roleCell(u)}</td><td class="actions">${actions(u)}</td></tr>`,
)}</tbody></table></div>`;

    const f = o.form ?? { values: { username: '', name: '', email: '', role: 'editor' }, errors: {} };
    const create = html`<section class="card" id="new-user"><h2>Add a user</h2>
<form class="stack" method="post" action="${L('/pm/users')}#new-user" novalidate>${shell.csrf(request)}
${input({ name: 'username', label: 'Username', value: f.values.username, required: true, autocomplete: 'off', help: 'Letters, digits, dots, dashes, underscores and @; used to log in.', error: f.errors.username, maxlength: 64 })}
${input({ name: 'name', label: 'Name', value: f.values.name, autocomplete: 'off', error: f.errors.name, maxlength: 100 })}
${input({ name: 'email', label: 'Email', type: 'email', value: f.values.email, autocomplete: 'off', error: f.errors.email, maxlength: 200 })}
${select({ name: 'role', label: 'Role', value: f.values.role, options: roleOptions, help: ROLES.filter((r) => r !== 'superadmin' || canSuper).map((r) => ROLE_HELP[r]).join(' '), error: f.errors.role })}
${input({ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'new-password', help: 'Give it to them in person; they can change it in their profile.', error: f.errors.password })}
<div class="button-row"><button class="btn-primary" type="submit">Add user</button></div>
</form></section>`;

    return shell.page(request, reply, {
      title: 'Users',
      nav: 'users',
      lede: 'The people who can log in to this site’s dashboard.',
      status: o.status,
      notice: o.notice,
      body: html`<section class="card"><h2>${users.length} user${users.length === 1 ? '' : 's'}</h2>${table}</section>${create}`,
    });
  }

  router.get('/pm/users', (request, reply) => show(request, reply), { permission: 'users.manage', description: 'Users of the site' });

  router.post(
    '/pm/users',
    async (request, reply) => {
      const b = request.body;
      const values = { username: str(b, 'username').trim(), name: str(b, 'name').trim(), email: str(b, 'email').trim(), role: str(b, 'role') };
      let user: User;
      try {
        user = await server.users.create(await actor(request), { siteId: request.pm.site.siteId, ...values, password: str(b, 'password') });
      } catch (e) {
        if (!isPmError(e) || !e.fields) throw e;
        const status = e.code === 'PM_ERR_CONFLICT' && Object.keys(e.fields).length === 1 ? 409 : 422;
        return show(request, reply, { form: { values, errors: e.fields }, status, notice: { kind: 'error', text: 'The user was not added: some fields need attention.' } });
      }
      return shell.redirect(request, reply, request.pm.link('/pm/users'), { kind: 'ok', text: `${user.username} was added as ${roleLabel(user.role).toLowerCase()}.` });
    },
    { permission: 'users.manage', description: 'Adds a user' },
  );

  router.post(
    '/pm/users/role',
    async (request, reply) => {
      const target = await targetUser(request, str(request.body, 'userId'));
      const role = str(request.body, 'role') as Role;
      try {
        await server.users.update(await actor(request), target, { role });
      } catch (e) {
        if (!isPmError(e) || e.status >= 500) throw e;
        const why = e.code === 'PM_ERR_VALIDATION' ? 'Pick one of the roles in the list.' : e.message;
        return show(request, reply, { status: e.status, notice: { kind: 'error', text: `The role of ${target.username} was not changed: ${why}` } });
      }
      return shell.redirect(request, reply, request.pm.link('/pm/users'), {
        kind: 'ok',
        text: role === target.role ? `${target.username} already was ${roleLabel(role).toLowerCase()}.` : `${target.username} is now ${roleLabel(role).toLowerCase()}.`,
      });
    },
    { permission: 'users.manage', description: 'Changes a user’s role' },
  );

  router.post(
    '/pm/users/revoke',
    async (request, reply) => {
      const target = await targetUser(request, str(request.body, 'userId'));
      try {
        await server.users.revokeSessions(await actor(request), target);
      } catch (e) {
        if (!isPmError(e) || e.status >= 500) throw e;
        return show(request, reply, { status: e.status, notice: { kind: 'error', text: e.message } });
      }
      return shell.redirect(request, reply, request.pm.link('/pm/users'), { kind: 'ok', text: `${target.username} was logged out everywhere.` });
    },
    { permission: 'users.manage', description: 'Ends every session of a user' },
  );

  async function passwordForm(request: PmRequest, reply: PmReply, target: User, errors: { password?: string; confirm?: string } = {}, status = 200): Promise<PmReply> {
    const L = request.pm.link;
    return shell.page(request, reply, {
      title: `Set the password of ${target.username}`,
      nav: 'users',
      status,
      crumbs: [{ href: L('/pm/users'), label: 'Users' }],
      lede: 'They will be logged out everywhere and will log in with the new password.',
      body: html`<section class="card"><form class="stack" method="post" action="${L('/pm/users/password')}" novalidate>${shell.csrf(request)}${hidden('userId', target.userId)}
${input({ name: 'password', label: 'New password', type: 'password', required: true, autocomplete: 'new-password', error: errors.password })}
${input({ name: 'confirm', label: 'New password again', type: 'password', required: true, autocomplete: 'new-password', error: errors.confirm })}
<div class="button-row"><button class="btn-primary" type="submit">Set password</button><a class="btn" href="${L('/pm/users')}">Cancel</a></div>
</form></section>`,
    });
  }

  router.get(
    '/pm/users/password',
    async (request, reply) => {
      const target = await targetUser(request, str(request.query, 'user'));
      if (target.userId === request.pm.session?.userId) return reply.redirect(request.pm.link('/pm/profile'), 303);
      return passwordForm(request, reply, target);
    },
    { permission: 'users.manage-superadmins', description: 'Sets another user’s password' },
  );

  router.post(
    '/pm/users/password',
    async (request, reply) => {
      const target = await targetUser(request, str(request.body, 'userId'));
      if (target.userId === request.pm.session?.userId) {
        return show(request, reply, { status: 409, notice: { kind: 'error', text: 'Change your own password in your profile, where the current one is asked for.' } });
      }
      const password = str(request.body, 'password');
      const confirm = str(request.body, 'confirm');
      try {
        await server.users.setPassword(await actor(request), target, password, confirm);
      } catch (e) {
        if (!isPmError(e) || !e.fields) throw e;
        return passwordForm(request, reply, target, e.fields, 422);
      }
      return shell.redirect(request, reply, request.pm.link('/pm/users'), { kind: 'ok', text: `The password of ${target.username} was changed, and their sessions were ended.` });
    },
    { permission: 'users.manage-superadmins', description: 'Sets another user’s password' },
  );

  async function deleteForm(request: PmRequest, reply: PmReply, target: User, refusal?: PmError): Promise<PmReply> {
    const L = request.pm.link;
    const who = target.name && target.name !== target.username ? `${target.name} (${target.username})` : target.username;
    const body = refusal
      ? html`<section class="card"><p>${who} stays.</p><div class="button-row"><a class="btn" href="${L('/pm/users')}">Back to users</a></div></section>`
      : html`<section class="card"><p>Delete <strong>${who}</strong>? They are logged out at once and can no longer log in; their API tokens stop working. The pages they made stay. This cannot be undone.</p>
<form class="button-row" method="post" action="${L('/pm/users/delete')}">${shell.csrf(request)}${hidden('userId', target.userId)}
<button class="btn-danger" type="submit">Delete ${target.username}</button><a class="btn" href="${L('/pm/users')}">Cancel</a></form></section>`;
    return shell.page(request, reply, {
      title: `Delete ${target.username}`,
      nav: 'users',
      status: refusal?.status,
      notice: refusal ? { kind: 'error', text: refusal.message } : undefined,
      crumbs: [{ href: L('/pm/users'), label: 'Users' }],
      body,
    });
  }

  router.get(
    '/pm/users/delete',
    async (request, reply) => {
      const target = await targetUser(request, str(request.query, 'user'));
      return deleteForm(request, reply, target, await server.users.removeRefusal(await actor(request), target));
    },
    { permission: 'users.manage', description: 'Delete a user' },
  );

  router.post(
    '/pm/users/delete',
    async (request, reply) => {
      const target = await targetUser(request, str(request.body, 'userId'));
      try {
        await server.users.remove(await actor(request), target);
      } catch (e) {
        if (!isPmError(e) || e.status >= 500) throw e;
        return deleteForm(request, reply, target, e);
      }
      return shell.redirect(request, reply, request.pm.link('/pm/users'), { kind: 'ok', text: `${target.username} was deleted.` });
    },
    { permission: 'users.manage', description: 'Deletes a user' },
  );
}
