/**
 * Pages & URLs: the content list a writer uses. One row per page, by title
 * and address, with its template, languages (and a Translate link for each
 * missing one), status and last change; sortable, paged, searchable by title,
 * address and the words on the page. Redirects and aliases have their own
 * tab; routes plugins serve sit in a collapsed "advanced" section. The
 * entries and counts come from server.content, so every count agrees.
 */
import type { ContentEntry, ContentKind, ContentPage, ContentSort, PluginServer, PmReply, PmRequest, RouteInfo } from '../../src/plugins/plugin.js';
import { html, qs, timeAgo, word, type SafeHtml } from '../../src/plugins/plugin.js';
import { URL_DASHBOARD_ROUTE, type DashboardShell } from '../../src/plugins/plugin.js';
import { shownPath } from './common.js';

const TABS: { key: ContentKind; label: string; count: 'pages' | 'redirects' | 'aliases' }[] = [
  { key: 'pages', label: 'Pages', count: 'pages' },
  { key: 'redirects', label: 'Redirects', count: 'redirects' },
  { key: 'aliases', label: 'Aliases', count: 'aliases' },
];
const SORTS: ContentSort[] = ['title', 'address', 'template', 'changed'];

/** The routes plugins registered that a person could open or give an address to. */
function pluginRoutes(server: PluginServer): RouteInfo[] {
  const seen = new Set<string>();
  return server.routes().filter((r) => {
    // This dashboard's own forms need an address to work on; they are reached from the rows.
    if (r.method !== 'GET' || seen.has(r.url) || r.url.startsWith('/pm/assets/') || (r.plugin === 'url-dashboard' && !r.pseudoroute)) return false;
    seen.add(r.url);
    return true;
  });
}

export async function showUrlList(server: PluginServer, shell: DashboardShell, request: PmRequest, reply: PmReply): Promise<PmReply> {
  const L = request.pm.link;
  const site = request.pm.site;
  const query = request.query as Record<string, unknown>;
  const q = typeof query.q === 'string' ? query.q.slice(0, 200) : '';
  const kind = TABS.find((t) => t.key === query.kind)?.key ?? 'pages';
  const sort = SORTS.find((s) => s === query.sort);
  const dir = query.dir === 'desc' ? 'desc' : query.dir === 'asc' ? 'asc' : undefined;
  const pageNo = Number.parseInt(typeof query.page === 'string' ? query.page : '1', 10) || 1;
  const canWrite = await shell.can(request, 'pages.write');
  const self = request.pm.aliasedFrom ? shell.siteHref(request, request.pm.url.langcode, request.pm.aliasedFrom) : await shell.urlDashboardHref(request);
  const link = (o: { kind?: string; sort?: string; dir?: string; page?: number; q?: string }) =>
    self + qs({ q: o.q ?? q, kind: (o.kind ?? kind) === 'pages' ? undefined : (o.kind ?? kind), sort: o.sort ?? sort, dir: o.dir ?? dir, page: o.page && o.page > 1 ? o.page : undefined });
  const result = await server.content.query(site, { q, kind, sort, dir, page: pageNo });
  const templateTitle = (themeId: string, name: string) => server.themes.list().find((t) => t.id === themeId)?.templates.find((x) => x.name === name)?.title ?? name;
  const edit = (what: string, path: string, langcode: string) => L(`/pm/urls/${what}` + qs({ path, lang: langcode }));
  const view = (langcode: string, path: string, label = 'View') => html`<a class="btn btn-small" href="${shell.siteHref(request, langcode, path)}" target="_blank" rel="noopener">${label} ↗</a>`;

  const languages = (p: ContentPage): SafeHtml => {
    if (p.langcodes.length === 1 && !p.missing.length) return html``;
    const own = p.langcodes.map((l) => html`<a class="lang" href="${edit('edit', p.path, l)}" title="Edit the ${l || site.defaultLocale} version">${l || site.defaultLocale}</a>`);
    const missing = canWrite
      ? p.missing.map((l) => html`<a class="lang lang-missing" href="${L('/pm/urls/new' + qs({ theme: p.themeId, template: p.templateName, path: p.path, lang: l, from: 'default' }))}" title="Translate into ${l}">+ ${l}</a>`)
      : [];
    return html`<span class="langs">${own}${missing}</span>`;
  };

  const row = (e: ContentEntry): SafeHtml => {
    if (e.kind === 'template') {
      return html`<tr><td><a class="url" href="${canWrite ? edit('edit', e.path, e.langcodes[0]) : shell.siteHref(request, e.langcodes[0], e.path)}">${e.title}</a><span class="sub">${shownPath(e.langcodes[0], e.path)}</span></td>
<td>${templateTitle(e.themeId, e.templateName)}<span class="sub">${e.themeId}</span></td>
<td>${languages(e)}</td>
<td>${e.noindex ? html`<span class="badge badge-alias">Hidden from search</span>` : html`<span class="badge badge-ok">Live</span>`}</td>
<td><time datetime="${new Date(e.updatedAt).toISOString()}">${timeAgo(e.updatedAt)}</time></td>
<td class="actions">${view(e.langcodes[0], e.path)}${canWrite ? html`<a class="btn btn-small" href="${edit('rename', e.path, e.langcodes[0])}">Rename</a><a class="btn btn-small" href="${edit('delete', e.path, e.langcodes[0])}">Delete</a>` : ''}</td></tr>`;
    }
    const shown = shownPath(e.langcode, e.path);
    if (e.kind === 'page') {
      return html`<tr><td><span class="url">${shown}</span><span class="sub">made by a plugin</span></td><td>—</td><td>${e.langcode ? html`<span class="lang">${e.langcode}</span>` : ''}</td>
<td>${e.hidden ? html`<span class="badge badge-alias">Hidden</span>` : html`<span class="badge badge-ok">Live</span>`}</td><td>${timeAgo(e.updatedAt)}</td>
<td class="actions">${view(e.langcode, e.path)}${canWrite ? html`<a class="btn btn-small" href="${edit('delete', e.path, e.langcode)}">Delete</a>` : ''}</td></tr>`;
    }
    const what = e.kind === 'redirect' ? html`→ ${e.target} <span class="muted">(${e.status})</span>` : html`shows ${e.target === URL_DASHBOARD_ROUTE ? 'the URL dashboard' : e.target}`;
    return html`<tr><td><span class="url">${shown}</span><span class="sub">${what}</span></td><td>${e.kind === 'redirect' ? 'Redirect' : 'Alias'}</td><td>${e.langcode ? html`<span class="lang">${e.langcode}</span>` : ''}</td>
<td>${e.hidden ? html`<span class="badge badge-alias">Hidden</span>` : html`<span class="badge badge-ok">Live</span>`}</td><td>${timeAgo(e.updatedAt)}</td>
<td class="actions">${e.kind === 'alias' ? view(e.langcode, e.path, 'Open') : ''}${canWrite ? html`<a class="btn btn-small" href="${edit('edit', e.path, e.langcode)}">Edit</a><a class="btn btn-small" href="${edit('rename', e.path, e.langcode)}">Rename</a><a class="btn btn-small" href="${edit('delete', e.path, e.langcode)}">Delete</a>` : ''}</td></tr>`;
  };

  const effectiveSort = sort ?? (kind === 'pages' ? 'title' : 'address');
  const effectiveDir = dir ?? (effectiveSort === 'changed' ? 'desc' : 'asc');
  const th = (label: string, key?: ContentSort) => {
    if (!key) return html`<th>${label}</th>`;
    const on = effectiveSort === key;
    const next = on && effectiveDir === 'asc' ? 'desc' : on ? 'asc' : key === 'changed' ? 'desc' : 'asc';
    return html`<th${on ? html` aria-sort="${effectiveDir === 'asc' ? 'ascending' : 'descending'}"` : ''}><a class="sort" href="${link({ sort: key, dir: next, page: 1 })}">${label}${on ? (effectiveDir === 'asc' ? ' ↑' : ' ↓') : ''}</a></th>`;
  };
  const tabs = html`<nav class="filters" aria-label="Show">${TABS.map(
    (t) => html`<a href="${link({ kind: t.key, sort: '', dir: '', page: 1 })}"${t.key === kind ? html` aria-current="true"` : ''}>${t.label} <span class="count">${result.counts[t.count]}</span></a>`,
  )}</nav>`;
  const pager =
    result.pageCount > 1
      ? html`<nav class="pager" aria-label="Pages of the list">${result.page > 1 ? html`<a class="btn btn-small" href="${link({ page: result.page - 1 })}" rel="prev">← Previous</a>` : ''}
<span class="muted">Page ${result.page} of ${result.pageCount} · ${result.total} ${word(result.total, 'entry', 'entries')}</span>
${result.page < result.pageCount ? html`<a class="btn btn-small" href="${link({ page: result.page + 1 })}" rel="next">Next →</a>` : ''}</nav>`
      : '';
  const table = result.rows.length
    ? html`<div class="table-wrap"><table class="stack-table url-table"><thead><tr>${th(kind === 'pages' ? 'Title' : 'Address', kind === 'pages' ? 'title' : 'address')}${th(kind === 'pages' ? 'Template' : 'Kind', kind === 'pages' ? 'template' : undefined)}${th('Languages')}${th('Status')}${th('Changed', 'changed')}<th><span class="pm-sr-only">Actions</span></th></tr></thead>
<tbody>${result.rows.map(row)}</tbody></table></div>${pager}`
    : html`<div class="card empty">${q ? html`Nothing matches “${q}”. <a href="${link({ q: '', page: 1 })}">Show everything</a>` : kind === 'pages' ? 'No page yet.' : `No ${kind} yet.`}</div>`;

  const routes = pluginRoutes(server).filter((r) => !q || [r.url, r.description, r.plugin].some((t) => t.toLowerCase().includes(q.toLowerCase())));
  const advanced = html`<details class="card advanced"><summary>Advanced: what plugins serve (${routes.length} ${word(routes.length, 'route')})</summary>
<p class="muted small">The dashboard, the API and other plugins answer these addresses themselves. Give one an address of your own with an alias.</p>
<ul class="plain-list">${routes.map(
    (r) => html`<li><code>${r.url}</code> <span class="muted small">${r.description || 'no description'} · ${r.plugin}</span>${
      r.pseudoroute && canWrite ? html` <a class="btn btn-small" href="${L('/pm/urls/alias' + qs({ target: r.url }))}">Give it an address</a>` : !/[:*]/.test(r.url) && !r.pseudoroute ? html` <a href="${shell.siteHref(request, '', r.url)}">Open ↗</a>` : ''
    }</li>`,
  )}</ul></details>`;
  const trashCount = canWrite ? (await server.history.trash(site.siteId)).length : 0;

  return shell.page(request, reply, {
    title: 'Pages & URLs',
    nav: 'urls',
    lede: 'Your pages, and the redirects and aliases that lead to them.',
    actions: canWrite
      ? html`<a class="btn btn-primary" href="${L('/pm/urls/new')}">Create a page</a><a class="btn" href="${L('/pm/urls/redirect')}">Add a redirect</a><a class="btn" href="${L('/pm/urls/alias')}">Add an alias</a><a class="btn" href="${L('/pm/trash')}">Trash${trashCount ? ` (${trashCount})` : ''}</a>`
      : undefined,
    body: html`<form class="search" method="get" action="${self}" role="search">
<label class="pm-sr-only" for="q">Search pages</label><input id="q" type="search" name="q" value="${q}" placeholder="Search titles, addresses and the words on your pages…">
${kind !== 'pages' ? html`<input type="hidden" name="kind" value="${kind}">` : ''}<button class="btn" type="submit">Search</button></form>
${tabs}
${table}
${advanced}`,
  });
}
