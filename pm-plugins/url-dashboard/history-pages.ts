/**
 * Earlier versions of a page (restore one) and the trash of deleted pages
 * (restore one, or empty it after a confirmation). The rules are the history
 * service's (server.history); these pages list and ask.
 */
import type { PluginRouter, PluginServer, PmReply, PmRequest, Revision } from '../../src/plugins/plugin.js';
import { hidden, str, trashSummary } from '../../src/plugins/plugin.js';
import { html, qs, timeAgo, word } from '../../src/plugins/plugin.js';
import type { DashboardShell } from '../../src/plugins/plugin.js';
import { langOf, problem, query, shownPath } from './common.js';

const titleOf = (data: unknown): string => {
  const d = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  return ([d.title, d.heading, d.name].find((x) => typeof x === 'string' && x.trim()) as string | undefined) ?? 'Untitled';
};
const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

export function historyRoutes(router: PluginRouter, server: PluginServer, shell: DashboardShell): void {
  const templateTitle = (themeId: string, name: string) => server.themes.list().find((t) => t.id === themeId)?.templates.find((x) => x.name === name)?.title ?? name;

  router.get(
    '/pm/urls/revisions',
    async (request, reply) => {
      const L = request.pm.link;
      const siteId = request.pm.site.siteId;
      const langcode = langOf(request.pm.site, query(request, 'lang'));
      const path = server.normalizeUrlPath(query(request, 'path') || '/');
      const current = await server.templates.get(siteId, langcode, path);
      if (!current) return problem(shell, request, reply, 404, `No page made from a template is at ${shownPath(langcode, path)}.`);
      const revs = await server.history.revisions(siteId, langcode, path);
      const { keepRevisions } = await server.history.settings(siteId);
      const editHref = L('/pm/urls/edit' + qs({ path, lang: langcode }));
      const row = (r: Revision) => html`<tr><td><span class="url">${titleOf(r.data)}</span><span class="sub">${templateTitle(r.themeId, r.templateName)} · ${r.themeId}</span></td>
<td><time datetime="${new Date(r.savedAt).toISOString()}" title="${when(r.savedAt)}">${timeAgo(r.savedAt)}</time></td>
<td class="actions"><form class="inline-form" method="post" action="${L('/pm/urls/revisions/restore')}">${shell.csrf(request)}${hidden('id', r.revisionId)}${hidden('path', path)}${hidden('lang', langcode)}<button class="btn btn-small" type="submit">Restore this version</button></form></td></tr>`;
      return shell.page(request, reply, {
        title: `Earlier versions of ${shownPath(langcode, path)}`,
        nav: 'urls',
        crumbs: [{ href: await shell.urlDashboardHref(request), label: 'Pages & URLs' }, { href: editHref, label: shownPath(langcode, path) }],
        lede: `Each save keeps the version it replaces; the newest ${keepRevisions} are kept (Site settings). Restoring one saves it as the page, and what the page holds now becomes an earlier version in turn.`,
        body: html`<section class="card"><p><strong>Now:</strong> ${titleOf(current.data)} · saved ${timeAgo(current.updatedAt)}</p></section>
${revs.length
  ? html`<div class="table-wrap"><table class="stack-table"><thead><tr><th>Version</th><th>Saved</th><th><span class="pm-sr-only">Actions</span></th></tr></thead><tbody>${revs.map(row)}</tbody></table></div>`
  : html`<div class="card empty">No earlier version yet: the page has been saved once.</div>`}`,
      });
    },
    { permission: 'pages.write', description: 'Earlier versions of a page' },
  );

  router.post(
    '/pm/urls/revisions/restore',
    async (request, reply) => {
      const siteId = request.pm.site.siteId;
      const langcode = langOf(request.pm.site, str(request.body, 'lang'));
      const path = server.normalizeUrlPath(str(request.body, 'path') || '/');
      const r = await server.history.restoreRevision(siteId, str(request.body, 'id'));
      if (!r.ok) return problem(shell, request, reply, 409, `Nothing was restored: ${r.error}`);
      return shell.redirect(request, reply, request.pm.link('/pm/urls/edit' + qs({ path: r.urlPath, lang: r.langcode })), {
        kind: 'ok',
        text: `The earlier version of ${shownPath(langcode, path)} is back and live. What it held before is now an earlier version.`,
        link: { href: shell.siteHref(request, r.langcode, r.urlPath), label: 'View page →' },
      });
    },
    { permission: 'pages.write', description: 'Restores an earlier version of a page' },
  );

  router.get(
    '/pm/trash',
    async (request, reply) => {
      const L = request.pm.link;
      const siteId = request.pm.site.siteId;
      const items = await server.history.trash(siteId);
      const { trashDays } = await server.history.settings(siteId);
      const days = (ms: number) => Math.max(1, Math.ceil((ms - Date.now()) / 86_400_000));
      return shell.page(request, reply, {
        title: 'Trash',
        nav: 'urls',
        crumbs: [{ href: await shell.urlDashboardHref(request), label: 'Pages & URLs' }],
        lede: `Deleted pages, redirects and aliases stay here for ${trashDays} ${word(trashDays, 'day')} (Site settings), then go for good. Restoring puts a page back at its address.`,
        actions: items.length ? html`<a class="btn" href="${L('/pm/trash/empty')}">Empty the trash…</a>` : undefined,
        body: items.length
          ? html`<div class="table-wrap"><table class="stack-table"><thead><tr><th>Page</th><th>Deleted</th><th><span class="pm-sr-only">Actions</span></th></tr></thead><tbody>${items.map(
              (e) => html`<tr><td><span class="url">${shownPath(e.langcode, e.urlPath)}</span><span class="sub">${e.kind === 'template' ? `${titleOf(e.data)} · ${templateTitle(e.themeId, e.templateName)}` : trashSummary(e)}</span></td>
<td>${timeAgo(e.deletedAt)}<span class="sub">gone for good in ${days(e.expireAt)} ${word(days(e.expireAt), 'day')}</span></td>
<td class="actions"><form class="inline-form" method="post" action="${L('/pm/trash/restore')}">${shell.csrf(request)}${hidden('id', e.trashId)}<button class="btn btn-small" type="submit">Restore</button></form></td></tr>`,
            )}</tbody></table></div>`
          : html`<div class="card empty">The trash is empty.</div>`,
      });
    },
    { permission: 'pages.write', description: 'Deleted pages, for a while' },
  );

  router.post(
    '/pm/trash/restore',
    async (request, reply) => {
      const r = await server.history.restoreTrash(request.pm.site.siteId, str(request.body, 'id'));
      if (!r.ok) return shell.redirect(request, reply, request.pm.link('/pm/trash'), { kind: 'error', text: `Nothing was restored: ${r.error}` });
      return shell.redirect(request, reply, request.pm.link('/pm/trash'), {
        kind: 'ok',
        text: `${shownPath(r.langcode, r.urlPath)} is back and live.`,
        link: { href: shell.siteHref(request, r.langcode, r.urlPath), label: 'View page →' },
      });
    },
    { permission: 'pages.write', description: 'Restores a page from the trash' },
  );

  async function confirmEmpty(request: PmRequest, reply: PmReply, error?: string): Promise<PmReply> {
    const L = request.pm.link;
    const n = (await server.history.trash(request.pm.site.siteId)).length;
    return shell.page(request, reply, {
      title: 'Empty the trash?',
      nav: 'urls',
      status: error ? 422 : 200,
      notice: error ? { kind: 'error', text: error } : undefined,
      crumbs: [{ href: L('/pm/trash'), label: 'Trash' }],
      body: html`<section class="card"><p>The ${n} ${word(n, 'page')} in the trash will be gone for good. This cannot be undone.</p>
<form method="post" action="${L('/pm/trash/empty')}">${shell.csrf(request)}
<div class="pm-field"><label class="check" for="f-confirm"><input type="checkbox" id="f-confirm" name="confirm" value="yes"> Yes, delete ${n === 1 ? 'it' : 'them'} for good</label></div>
<div class="button-row"><button class="btn-danger" type="submit">Empty the trash</button><a class="btn" href="${L('/pm/trash')}">Cancel</a></div></form></section>`,
    });
  }

  router.get('/pm/trash/empty', (request, reply) => confirmEmpty(request, reply), { permission: 'pages.write', description: 'Asks before emptying the trash' });
  router.post(
    '/pm/trash/empty',
    async (request, reply) => {
      if (str(request.body, 'confirm') !== 'yes') return confirmEmpty(request, reply, 'Tick the box to confirm: nothing was deleted.');
      const n = await server.history.emptyTrash(request.pm.site.siteId);
      return shell.redirect(request, reply, request.pm.link('/pm/trash'), { kind: 'ok', text: `The trash is empty: ${n} ${word(n, 'page')} deleted for good.` });
    },
    { permission: 'pages.write', description: 'Empties the trash' },
  );
}
