/**
 * Logging in and out. A wrong username and a wrong password get the same
 * message (auth.login makes them take the same time too); the form comes back
 * with the username kept.
 */
import { encodeLocation, hidden, html, input, isPmError, str } from '../../src/plugins/plugin.js';
import type { PluginRouter, PluginServer, PmReply, PmRequest } from '../../src/plugins/plugin.js';
import { renderNotice, type Notice, type Shell as DashboardShell } from './layout.js';

/** `next` must stay on this site: a path, not `//host` or `/\host`, no control characters. */
export function safeNext(value: string): string | undefined {
  if (!value || value.length > 2000) return undefined;
  if (!/^\/(?![/\\])/.test(value) || /[\u0000-\u001f\u007f]/.test(value)) return undefined;
  // It ends up in a Location header, which takes no raw character above U+00FF.
  return encodeLocation(value);
}

export function loginRoutes(router: PluginRouter, server: PluginServer, shell: DashboardShell): void {
  /**
   * A pseudoroute is reached only through an alias; if `next` names the route
   * itself (the permission check saw the rewritten URL), send the user to an
   * alias of it instead.
   */
  async function resolveNext(request: PmRequest, next: string): Promise<string> {
    const prefix = request.pm.link('/').slice(0, -1);
    const q = next.indexOf('?');
    const path = q === -1 ? next : next.slice(0, q);
    const search = q === -1 ? '' : next.slice(q);
    const bare = prefix && path.startsWith(prefix + '/') ? path.slice(prefix.length) : path;
    if (!server.routes().some((r) => r.pseudoroute && r.url === bare)) return next;
    const pages = await server.pages.list(request.pm.site.siteId, { limit: 2000 });
    const alias = pages.find((p) => p.kind === 'content' && p.contentUrl === bare && p.langcode === '') ?? pages.find((p) => p.kind === 'content' && p.contentUrl === bare);
    return alias ? shell.siteHref(request, alias.langcode, alias.urlPath) + search : request.pm.link('/pm/');
  }

  function form(request: PmRequest, reply: PmReply, o: { username?: string; next?: string; notice?: Notice; status?: number; fieldErrors?: { username?: string; password?: string } }): PmReply {
    const site = request.pm.site;
    const body = html`<main class="login-box">
<div class="card">
<h1>Log in</h1>
<p class="site">to ${site.title || 'your site'}</p>
${renderNotice(o.notice)}
<form method="post" action="${request.pm.link('/pm/login')}" novalidate>
${shell.csrf(request)}
${o.next ? hidden('next', o.next) : ''}
${input({ name: 'username', label: 'Username', value: o.username ?? '', autocomplete: 'username', required: true, autofocus: !o.username, error: o.fieldErrors?.username })}
${input({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true, autofocus: !!o.username, error: o.fieldErrors?.password })}
<button class="btn-primary" type="submit">Log in</button>
</form>
</div>
<p class="foot">Forgot your password? Ask an administrator of this site, or run <code>pagemanager reset-password --user NAME</code> on the server.</p>
</main>`;
    reply.code(o.status ?? 200).type('text/html; charset=utf-8');
    return reply.send(shell.document(request, { title: 'Log in', bodyClass: 'login', body }));
  }

  router.get(
    '/pm/login',
    async (request, reply) => {
      const next = safeNext(str(request.query, 'next'));
      if (server.mode === 'offline') return reply.redirect(request.pm.link('/pm/'), 303);
      if (request.pm.session) return reply.redirect(next ? await resolveNext(request, next) : request.pm.link('/pm/'), 303);
      return form(request, reply, { next, notice: shell.takeFlash(request, reply) });
    },
    { description: 'The login page' },
  );

  router.post(
    '/pm/login',
    async (request, reply) => {
      const body = request.body;
      const username = str(body, 'username').trim();
      const password = str(body, 'password');
      const next = safeNext(str(body, 'next'));
      if (server.mode === 'offline') return reply.redirect(request.pm.link('/pm/'), 303);
      if (!username || !password) {
        return form(request, reply, {
          username,
          next,
          status: 422,
          notice: { kind: 'error', text: 'Enter your username and your password.' },
          fieldErrors: { username: username ? undefined : 'Enter your username.', password: password ? undefined : 'Enter your password.' },
        });
      }
      let result;
      try {
        result = await server.auth.login({ siteId: request.pm.site.siteId, username, password, ip: request.pm.ip, secure: request.pm.secure });
      } catch (e) {
        if (isPmError(e, 'PM_ERR_LOGIN_FAILED') || isPmError(e, 'PM_ERR_RATE_LIMITED')) {
          if (e.code === 'PM_ERR_RATE_LIMITED') reply.header('retry-after', String(e.params.retryAfter ?? 60));
          return form(request, reply, { username, next, status: e.status, notice: { kind: 'error', text: e.message } });
        }
        throw e;
      }
      server.events.emit('user.login', { siteId: request.pm.site.siteId, userId: result.user.userId });
      reply.header('set-cookie', result.setCookie);
      return reply.redirect(next ? await resolveNext(request, next) : request.pm.link('/pm/'), 303);
    },
    { rateLimit: { max: 20, timeWindowMs: 60_000 }, description: 'Checks a username and password and opens a session' },
  );

  router.post(
    '/pm/logout',
    async (request, reply) => {
      if (server.mode === 'offline') return reply.redirect(request.pm.link('/pm/'), 303);
      const session = request.pm.session;
      const cookie = await server.auth.logout(request.pm.site.siteId, session, request.pm.secure);
      if (session) server.events.emit('user.logout', { siteId: request.pm.site.siteId, userId: session.userId });
      reply.header('set-cookie', cookie);
      return shell.redirect(request, reply, request.pm.link('/pm/login'), { kind: 'ok', text: 'You have logged out.' });
    },
    { description: 'Ends the session' },
  );
}
