/**
 * Comments → Settings in the dashboard (/pm/comments/settings): the site's settings, the
 * automatic shut-off (state, reopen by hand) and each page's own mode. A door onto the service.
 */
import { html, input, select, str, type DashboardShell, type PluginRouter, type PluginServer, type PmReply, type PmRequest } from '../../src/plugins/plugin.js';
import type { CommentService } from './comment-service.js';
import { SETTING_FIELDS, writeSettings } from './comment-settings.js';
import type { ThreadMode } from './comment-store.js';

const MODES: { value: ThreadMode; label: string }[] = [
  { value: 'default', label: 'As the site' },
  { value: 'publish', label: 'Publish' },
  { value: 'hold', label: 'Hold for approval' },
  { value: 'closed', label: 'Closed' },
];

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

export function dashboardRoutes(router: PluginRouter, server: PluginServer, service: CommentService): void {
  const shell: DashboardShell = server.use('dashboard');

  async function show(request: PmRequest, reply: PmReply, o: { values?: Record<string, unknown>; errors?: Record<string, string>; status?: number } = {}): Promise<PmReply> {
    const siteId = request.pm.site.siteId;
    const L = request.pm.link;
    const [settings, state, threads, counts] = await Promise.all([service.settings(siteId), service.shutOffState(siteId), service.threads(siteId), service.counts(siteId)]);
    const v: Record<string, unknown> = o.values ?? writeSettings(settings);
    const e = o.errors ?? {};
    const shutoff = state.closed
      ? html`<section class="card stack"><h2>Comments are closed for a while</h2>
<p>Commenting closed by itself (${state.reason === 'size' ? 'the comments reached their size cap' : 'comments arrived faster than the limit'}). It reopens at ${when(state.until!)}; visitors see “Comments are closed for a while”.</p>
<form method="post" action="${L('/pm/comments/reopen')}">${shell.csrf(request)}<button class="btn-primary" type="submit">Reopen now</button></form></section>`
      : '';
    const rows = threads.slice(0, 200).map(
      (t, i) => html`<tr><td><a href="${service.pageUrl(t)}">${t.urlPath}</a>${t.langcode ? html` <span class="muted">(${t.langcode})</span>` : ''}</td><td>${t.kind === 'post' ? 'Post' : 'Page'}</td><td>${when(t.firstShownAt)}</td>
<td><form class="inline" method="post" action="${L('/pm/comments/thread')}">${shell.csrf(request)}<input type="hidden" name="thread" value="${t.threadKey}">
${select({ name: 'mode', id: `mode-${i}`, label: 'Comments here', value: t.mode, options: MODES })}<button type="submit">Save</button></form></td></tr>`,
    );
    return shell.page(request, reply, {
      title: 'Comment settings',
      nav: 'comments',
      status: o.status,
      lede: `${counts.published} published, ${counts.held} waiting for approval, ${counts.spam} in the spam folder; they take ${Math.round(state.storedBytes / 1024)} KiB of ${Math.round(state.capBytes / 1024)} KiB.`,
      notice: Object.keys(e).length ? { kind: 'error', text: 'Some settings are not valid; see below.' } : undefined,
      body: html`${shutoff}
<section class="card stack"><h2>Settings for this site</h2>
<form class="stack" method="post" action="${L('/pm/comments/settings')}" novalidate>${shell.csrf(request)}
${select({ name: 'moderation', label: 'New comments', value: String(v.moderation ?? 'publish'), error: e.moderation, options: [{ value: 'publish', label: 'Publish at once (spam rules still hold or reject)' }, { value: 'hold', label: 'Hold every comment for approval' }], help: 'A page can choose otherwise below.' })}
${SETTING_FIELDS.map((f) => input({ name: f.name, label: f.label, type: 'number', value: String(v[f.name] ?? ''), error: e[f.name], help: f.name === 'auto_close_days' ? '0: never. Counted from when a page first showed the comment form.' : undefined }))}
<div class="button-row"><button class="btn-primary" type="submit">Save settings</button></div></form></section>
<section class="card stack"><h2>Pages with comments</h2>${
        rows.length
          ? html`<div class="table-wrap"><table class="table"><thead><tr><th>Page</th><th>Kind</th><th>Since</th><th>Comments</th></tr></thead><tbody>${rows}</tbody></table></div>`
          : html`<p class="muted">No page has shown the comments yet: blog posts and pages made from a template with comments (such as “post”) show them.</p>`
      }</section>`,
    });
  }

  router.get('/pm/comments/settings', (request, reply) => show(request, reply), { permission: 'site.settings', description: 'Comments: settings, shut-off, per-page modes' });

  router.post(
    '/pm/comments/settings',
    async (request, reply) => {
      const form = (request.body ?? {}) as Record<string, unknown>;
      const r = await service.saveSettings(request.pm.site.siteId, form);
      if (!r.ok) return show(request, reply, { values: form, errors: r.errors, status: 422 });
      return shell.redirect(request, reply, request.pm.link('/pm/comments/settings'), { kind: 'ok', text: 'Comment settings saved.' });
    },
    { permission: 'site.settings', bodyLimit: 16 * 1024, description: 'Comments: save settings' },
  );

  router.post(
    '/pm/comments/reopen',
    async (request, reply) => {
      const done = await service.reopen(request.pm.site.siteId);
      return shell.redirect(request, reply, request.pm.link('/pm/comments/settings'), done ? { kind: 'ok', text: 'Comments are open again.' } : { kind: 'info', text: 'Comments were already open.' });
    },
    { permission: 'site.settings', description: 'Comments: reopen after a shut-off' },
  );

  router.post(
    '/pm/comments/thread',
    async (request, reply) => {
      const mode = str(request.body, 'mode') as ThreadMode;
      if (!MODES.some((m) => m.value === mode)) throw server.error('PM_ERR_COMMENT_SETTINGS');
      await service.setThreadMode(request.pm.site.siteId, str(request.body, 'thread'), mode);
      return shell.redirect(request, reply, request.pm.link('/pm/comments/settings'), { kind: 'ok', text: 'Saved; that page shows it now.' });
    },
    { permission: 'site.settings', bodyLimit: 4096, description: 'Comments: one page’s mode (publish, hold, closed)' },
  );
}
