/**
 * The URL dashboard's index: every address of the site in one searchable
 * list — pages made from templates, other stored pages, redirects, aliases,
 * and the routes plugins registered — each with what can be done to it.
 */
import type { PluginServer, PmReply, PmRequest, RouteInfo } from '../../src/plugins/api.js';
import { html, qs, type SafeHtml } from '../dashboard/html.js';
import { URL_DASHBOARD_ROUTE, type DashboardShell } from '../dashboard/layout.js';

export type RowKind = 'template' | 'page' | 'redirect' | 'alias' | 'route' | 'pseudoroute';

export interface UrlRow {
  kind: RowKind;
  langcode: string;
  path: string;
  /** One line under the address: the template, the target, the plugin. */
  detail: string;
  hidden?: boolean;
  route?: RouteInfo;
}

const KIND = {
  template: { label: 'Page', badge: 'badge-page' },
  page: { label: 'Plugin page', badge: 'badge-page' },
  redirect: { label: 'Redirect', badge: 'badge-redirect' },
  alias: { label: 'Alias', badge: 'badge-alias' },
  route: { label: 'Route', badge: 'badge-route' },
  pseudoroute: { label: 'Alias target', badge: 'badge-route' },
} as const satisfies Record<RowKind, { label: string; badge: string }>;

const FILTERS: { key: string; label: string; kinds: RowKind[] }[] = [
  { key: '', label: 'Everything', kinds: ['template', 'page', 'redirect', 'alias', 'route', 'pseudoroute'] },
  { key: 'pages', label: 'Pages', kinds: ['template', 'page'] },
  { key: 'redirects', label: 'Redirects', kinds: ['redirect'] },
  { key: 'aliases', label: 'Aliases', kinds: ['alias'] },
  { key: 'routes', label: 'Plugin routes', kinds: ['route', 'pseudoroute'] },
];
const MAX_ROWS = 500;

export async function collectRows(server: PluginServer, siteId: string, q: string): Promise<UrlRow[]> {
  const needle = q.trim().toLowerCase();
  const matches = (...texts: (string | undefined)[]) => !needle || texts.some((t) => t?.toLowerCase().includes(needle));
  const rows = new Map<string, UrlRow>();
  const key = (langcode: string, path: string) => `${langcode}\u0000${path}`;

  for (const p of await server.pages.list(siteId, needle ? { search: needle } : {})) {
    if (p.kind === 'redirect') rows.set(key(p.langcode, p.urlPath), { kind: 'redirect', langcode: p.langcode, path: p.urlPath, detail: `→ ${p.redirectUrl} (${p.redirectStatus})`, hidden: p.hidden });
    else if (p.kind === 'content') {
      const what = p.contentUrl === URL_DASHBOARD_ROUTE ? 'the URL dashboard' : p.contentUrl;
      rows.set(key(p.langcode, p.urlPath), { kind: 'alias', langcode: p.langcode, path: p.urlPath, detail: `shows ${what}`, hidden: p.hidden });
    } else rows.set(key(p.langcode, p.urlPath), { kind: 'page', langcode: p.langcode, path: p.urlPath, detail: 'stored page', hidden: p.hidden });
  }
  for (const t of await server.templates.list(siteId)) {
    if (!matches(t.urlPath, t.templateName, t.themeId)) continue;
    rows.set(key(t.langcode, t.urlPath), { kind: 'template', langcode: t.langcode, path: t.urlPath, detail: `${t.themeId} · ${t.templateName}` });
  }
  const seen = new Set<string>();
  for (const r of server.routes()) {
    // This dashboard's own forms need an address to work on; they are reached from the rows, not listed.
    if (r.method !== 'GET' || seen.has(r.url) || r.url.startsWith('/pm/assets/') || (r.plugin === 'url-dashboard' && !r.pseudoroute)) continue;
    seen.add(r.url);
    if (!matches(r.url, r.description, r.plugin)) continue;
    rows.set(`route\u0000${r.url}`, { kind: r.pseudoroute ? 'pseudoroute' : 'route', langcode: '', path: r.url, detail: `${r.description || 'no description'} · ${r.plugin} plugin`, route: r });
  }
  const order: Record<RowKind, number> = { template: 0, page: 0, redirect: 0, alias: 0, pseudoroute: 1, route: 2 };
  return [...rows.values()].sort((a, b) => order[a.kind] - order[b.kind] || a.path.localeCompare(b.path) || a.langcode.localeCompare(b.langcode));
}

export async function showUrlList(server: PluginServer, shell: DashboardShell, request: PmRequest, reply: PmReply): Promise<PmReply> {
  const L = request.pm.link;
  const query = request.query as Record<string, unknown>;
  const q = typeof query.q === 'string' ? query.q.slice(0, 200) : '';
  const filter = FILTERS.find((f) => f.key === query.kind) ?? FILTERS[0];
  const canWrite = await shell.can(request, 'pages.write');
  const self = request.pm.aliasedFrom ? shell.siteHref(request, request.pm.url.langcode, request.pm.aliasedFrom) : await shell.urlDashboardHref(request);
  const all = await collectRows(server, request.pm.site.siteId, q);
  const rows = all.filter((r) => filter.kinds.includes(r.kind));
  const shown = rows.slice(0, MAX_ROWS);
  const edit = (r: UrlRow, what: string) => L(`/pm/urls/${what}` + qs({ path: r.path, lang: r.langcode }));
  const view = (r: UrlRow, label = 'View') => html`<a class="btn btn-small" href="${shell.siteHref(request, r.langcode, r.path)}" target="_blank" rel="noopener">${label} ↗</a>`;

  const actions = (r: UrlRow): SafeHtml => {
    const w = canWrite;
    switch (r.kind) {
      case 'template':
        return html`${view(r)}${w ? html`<a class="btn btn-small" href="${edit(r, 'edit')}">Edit</a><a class="btn btn-small" href="${edit(r, 'rename')}">Rename</a><a class="btn btn-small" href="${edit(r, 'delete')}">Delete</a>` : ''}`;
      case 'page':
        return html`${view(r)}${w ? html`<a class="btn btn-small" href="${edit(r, 'delete')}">Delete</a>` : ''}`;
      case 'redirect':
      case 'alias':
        return html`${r.kind === 'alias' ? view(r, 'Open') : ''}${w ? html`<a class="btn btn-small" href="${edit(r, 'edit')}">Edit</a><a class="btn btn-small" href="${edit(r, 'rename')}">Rename</a><a class="btn btn-small" href="${edit(r, 'delete')}">Delete</a>` : ''}`;
      case 'pseudoroute':
        return w ? html`<a class="btn btn-small" href="${L('/pm/urls/alias' + qs({ target: r.path }))}">Give it an address</a>` : html``;
      case 'route':
        return /[:*]/.test(r.path) ? html`` : view(r, 'Open');
    }
  };

  const filterLinks = html`<nav class="filters" aria-label="Show">${FILTERS.map((f) => {
    const n = all.filter((r) => f.kinds.includes(r.kind)).length;
    const href = self + qs({ q, kind: f.key });
    return html`<a href="${href}"${f === filter ? html` aria-current="true"` : ''}>${f.label} <span class="count">${n}</span></a>`;
  })}</nav>`;

  const tableOf = (list: UrlRow[]) => html`<div class="table-wrap"><table class="stack-table url-table"><thead><tr><th>Address</th><th>Kind</th><th><span class="pm-sr-only">Actions</span></th></tr></thead><tbody>
${list.map(
  (r) => html`<tr><td><span class="url">${r.langcode ? html`<span class="lang">${r.langcode}</span> ` : ''}${r.path}</span><span class="sub">${r.detail}${r.hidden ? ' · hidden from visitors' : ''}</span></td>
<td><span class="badge ${KIND[r.kind].badge}">${KIND[r.kind].label}</span></td><td class="actions">${actions(r)}</td></tr>`,
)}</tbody></table></div>`;
  const mine = shown.filter((r) => r.kind !== 'route' && r.kind !== 'pseudoroute');
  const plugins = shown.filter((r) => r.kind === 'route' || r.kind === 'pseudoroute');
  const table = shown.length
    ? html`${mine.length ? html`${plugins.length ? html`<div class="section-title"><h2>Your addresses</h2></div>` : ''}${tableOf(mine)}` : ''}
${plugins.length ? html`<div class="section-title"><h2>Served by plugins</h2><span class="muted small">Give a plugin page an address with an alias.</span></div>${tableOf(plugins)}` : ''}
${rows.length > shown.length ? html`<p class="muted small">Showing the first ${shown.length} of ${rows.length}; search to narrow the list.</p>` : ''}`
    : html`<div class="card empty">${q ? html`Nothing matches “${q}”. <a href="${self}">Show everything</a>` : 'Nothing here yet.'}</div>`;

  return shell.page(request, reply, {
    title: 'Pages & URLs',
    nav: 'urls',
    lede: 'Every address of your site: pages, redirects, aliases, and what plugins serve.',
    actions: canWrite
      ? html`<a class="btn btn-primary" href="${L('/pm/urls/new')}">Create a page</a><a class="btn" href="${L('/pm/urls/redirect')}">Add a redirect</a><a class="btn" href="${L('/pm/urls/alias')}">Add an alias</a>`
      : undefined,
    body: html`<form class="search" method="get" action="${self}" role="search">
<label class="pm-sr-only" for="q">Search addresses</label><input id="q" type="search" name="q" value="${q}" placeholder="Search addresses, templates, plugins…">
${filter.key ? html`<input type="hidden" name="kind" value="${filter.key}">` : ''}<button class="btn" type="submit">Search</button></form>
${filterLinks}
${table}`,
  });
}
