/** The dashboard home: the site at a glance, and the next things to do. */
import type { PluginRouter, PluginServer } from '../../src/plugins/plugin.js';
import { html, qs, timeAgo, word } from '../../src/plugins/plugin.js';
import type { Shell as DashboardShell } from './layout.js';

const KIND_LABELS = { html: 'Page', redirect: 'Redirect', content: 'Alias' } as const;
const KIND_BADGES = { html: 'badge-page', redirect: 'badge-redirect', content: 'badge-alias' } as const;

export function homeRoutes(router: PluginRouter, server: PluginServer, shell: DashboardShell): void {
  router.get(
    '/pm/',
    async (request, reply) => {
      const L = request.pm.link;
      const site = request.pm.site;
      const pages = await server.pages.list(site.siteId);
      // The URL dashboard's own entries (aliases to a pseudoroute) are not the user's content.
      // The same counts as the Pages & URLs tabs (one rule, in server.content).
      const counts = await server.content.counts(site.siteId);
      const count = (k: 'html' | 'redirect' | 'content') => (k === 'html' ? counts.pages : k === 'redirect' ? counts.redirects : counts.aliases);
      const themes = server.themes.list();
      const broken = themes.filter((t) => !t.ok).length;
      const canUsers = await shell.can(request, 'users.manage');
      const canThemes = await shell.can(request, 'themes.manage');
      const canSettings = await shell.can(request, 'site.settings');
      const canWrite = await shell.can(request, 'pages.write');
      const urls = await shell.urlDashboardHref(request);
      const users = canUsers ? await server.users.count(site.siteId) : 0;
      const recent = [...pages].filter((p) => !p.pseudoroute).sort((a, b) => b.updatedAt - a.updatedAt).slice(0, 6);
      const user = await request.pm.user();
      const extra = await shell.homeStats(request);

      const stats = html`<div class="stats">
<a class="stat" href="${urls}"><b>${count('html')}</b><span>${word(count('html'), 'page')}</span></a>
<a class="stat" href="${urls}"><b>${count('redirect')}</b><span>${word(count('redirect'), 'redirect')}</span></a>
<a class="stat" href="${urls}"><b>${count('content')}</b><span>${word(count('content'), 'alias', 'aliases')}</span></a>
${canUsers ? html`<a class="stat" href="${L('/pm/users')}"><b>${users}</b><span>${word(users, 'user')}</span></a>` : ''}
${extra.map((s) => html`<a class="stat${s.attention ? ' stat-attention' : ''}" href="${s.href}"><b>${s.count}</b><span>${s.label}</span></a>`)}
${canThemes ? html`<a class="stat" href="${L('/pm/themes')}"><b>${themes.length}</b><span>${word(themes.length, 'theme')}${broken ? html` · <span class="badge badge-error">${broken} broken</span>` : ''}</span></a>` : ''}
</div>`;

      const quick = html`<section class="card"><h2>Quick links</h2>
<div class="button-row">
${canWrite ? html`<a class="btn btn-primary" href="${L('/pm/urls/new')}">Create a page</a>` : ''}
<a class="btn" href="${urls}">All pages &amp; URLs</a>
${canThemes ? html`<a class="btn" href="${L('/pm/themes')}">Themes</a>` : ''}
${canSettings ? html`<a class="btn" href="${L('/pm/settings')}">Site settings</a>` : ''}
<a class="btn" href="${shell.siteHref(request, '', '/')}">View the site ↗</a>
</div></section>`;

      const recentList = html`<section class="card"><div class="card-head"><h2>Recently changed</h2><a href="${urls}">See all</a></div>
${recent.length
  ? html`<div class="table-wrap"><table class="stack-table"><thead><tr><th>Address</th><th>Kind</th><th>Changed</th><th><span class="pm-sr-only">Actions</span></th></tr></thead><tbody>
${recent.map(
  (p) => html`<tr><td><span class="url">${p.langcode ? `/${p.langcode}` : ''}${p.urlPath}</span>${p.kind === 'redirect' ? html`<span class="sub">→ ${p.redirectUrl}</span>` : p.kind === 'content' ? html`<span class="sub">shows ${p.contentUrl}</span>` : ''}</td>
<td><span class="badge ${KIND_BADGES[p.kind]}">${KIND_LABELS[p.kind]}</span></td><td class="muted">${timeAgo(p.updatedAt)}</td>
<td class="actions">${p.kind === 'html' ? html`<a class="btn btn-small" href="${shell.siteHref(request, p.langcode, p.urlPath)}">View</a>` : ''}${canWrite ? html`<a class="btn btn-small" href="${L('/pm/urls/edit' + qs({ path: p.urlPath, lang: p.langcode }))}">Edit</a>` : ''}</td></tr>`,
)}</tbody></table></div>`
  : html`<p class="empty">Nothing yet. <a href="${L('/pm/urls/new')}">Create your first page</a>.</p>`}
</section>`;

      return shell.page(request, reply, {
        title: site.title || 'Your site',
        nav: 'home',
        lede: `Welcome${user?.name ? `, ${user.name}` : ''}. ${site.description || 'Here is your site at a glance.'}`,
        body: html`${stats}${quick}${recentList}`,
      });
    },
    { permission: 'url-dashboard', description: 'The dashboard home' },
  );
}
