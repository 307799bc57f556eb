/** Installed themes, their templates and errors, the Reload button, and choosing the site's theme (with a preview). */
import type { PluginRouter, PluginServer, ThemeInfo } from '../../src/plugins/plugin.js';
import { html, qs } from '../../src/plugins/plugin.js';
import type { Shell as DashboardShell } from './layout.js';
import { themeSwitchRoutes } from './theme-switch.js';

export function themesRoutes(router: PluginRouter, server: PluginServer, shell: DashboardShell): void {
  router.get(
    '/pm/themes',
    async (request, reply) => {
      const L = request.pm.link;
      const canWrite = await shell.can(request, 'pages.write');
      const themes = [...server.themes.list()].sort((a, b) => Number(b.ok) - Number(a.ok) || a.name.localeCompare(b.name));
      const canSwitch = await shell.can(request, 'themes.manage');
      const active = server.siteThemes.active(request.pm.site.siteId);
      const card = (t: ThemeInfo) => html`<section class="card${t.id === active ? ' theme-active' : ''}" id="theme-${t.id}">
<div class="theme-card">
<div class="shot">${t.screenshot ? html`<img src="${t.screenshot}" alt="The ${t.name || t.id} theme" loading="lazy">` : html`<span>No screenshot</span>`}</div>
<div>
<div class="card-head"><h2>${t.name || t.id}</h2>${t.id === active ? html`<span class="badge badge-ok">Your site’s theme</span>` : ''}${t.ok ? '' : html`<span class="badge badge-error">Broken</span>`}</div>
<ul class="meta"><li><code>${t.id}</code></li>${t.version ? html`<li>Version ${t.version}</li>` : ''}${t.author ? html`<li>by ${t.author}</li>` : ''}${t.license ? html`<li>${t.license}</li>` : ''}</ul>
${t.description ? html`<p>${t.description}</p>` : ''}
${t.errors.length
  ? html`<div class="notice notice-error" role="alert"><p><strong>This theme has ${t.errors.length === 1 ? 'a problem' : `${t.errors.length} problems`}.</strong> Pages that use it keep their last good version until it is fixed and reloaded.</p><ul class="errors">${t.errors.map((e) => html`<li>${e}</li>`)}</ul></div>`
  : ''}
<p class="muted small">${t.templates.length} template${t.templates.length === 1 ? '' : 's'}</p>
${canSwitch && t.ok && t.id !== active ? html`<p><a class="btn btn-primary" href="${L('/pm/themes/switch' + qs({ theme: t.id }))}">Preview and use ${t.name || t.id}…</a></p>` : ''}
</div>
</div>
${t.templates.length
  ? html`<div class="grid">${t.templates.map((tpl) => {
      const inner = html`<div class="shot">${tpl.screenshot ? html`<img src="${tpl.screenshot}" alt="" loading="lazy">` : html`<span>No screenshot</span>`}</div><div class="body"><h3>${tpl.title}</h3>${tpl.description ? html`<p>${tpl.description}</p>` : ''}</div>`;
      return canWrite && t.ok
        ? html`<a class="tile" href="${L('/pm/urls/new' + qs({ theme: t.id, template: tpl.name }))}" title="Create a page from ${tpl.title}">${inner}</a>`
        : html`<div class="tile">${inner}</div>`;
    })}</div>`
  : ''}
</section>`;
      const reload = html`<form class="inline-form" method="post" action="${L('/pm/themes/reload')}">${shell.csrf(request)}<button class="btn" type="submit">Reload themes</button></form>`;
      return shell.page(request, reply, {
        title: 'Themes',
        nav: 'themes',
        lede: 'The themes installed on this server. Changed a theme’s files? Reload, and every page that uses it is rendered again.',
        actions: reload,
        body: themes.length ? html`${themes.map(card)}` : html`<div class="card empty">No theme is installed. Put one in the data folder’s <code>pm-themes/</code> and reload.</div>`,
      });
    },
    { permission: 'themes.manage', description: 'Installed themes' },
  );

  router.post(
    '/pm/themes/reload',
    async (request, reply) => {
      // reload() re-renders the pages of changed themes and emits themes.reloaded itself.
      const { changed } = await server.themes.reload();
      const broken = server.themes.list().filter((t) => !t.ok && changed.includes(t.id));
      const text = changed.length
        ? `Themes reloaded. Changed: ${changed.join(', ')}; the pages that use ${changed.length === 1 ? 'it' : 'them'} were rendered again.${broken.length ? ` ${broken.map((t) => t.id).join(', ')} now ${broken.length === 1 ? 'has' : 'have'} errors, shown below.` : ''}`
        : 'Themes reloaded. No theme changed.';
      return shell.redirect(request, reply, request.pm.link('/pm/themes'), { kind: broken.length ? 'warn' : 'ok', text });
    },
    { permission: 'themes.manage', description: 'Reloads the themes from disk' },
  );
  themeSwitchRoutes(router, server, shell);
}
