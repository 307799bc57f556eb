/**
 * Choosing the site's theme: a confirmation page with previews of the home
 * page and one other page in the new theme (opened in a new tab, stored
 * nowhere), the pages that will change and those that keep their theme
 * because the new one lacks their template; then Apply. The rules are the
 * site theme service's (server.siteThemes).
 */
import { isPmError } from '../../src/plugins/plugin.js';
import type { PluginRouter, PluginServer, PmReply, PmRequest, TemplateUrl } from '../../src/plugins/plugin.js';
import { str } from '../../src/plugins/plugin.js';
import { html, qs, type SafeHtml } from '../../src/plugins/plugin.js';
import type { Shell as DashboardShell } from './layout.js';

const shownPath = (t: { langcode: string; urlPath: string }) => (t.langcode ? `/${t.langcode}` : '') + t.urlPath;

export function themeSwitchRoutes(router: PluginRouter, server: PluginServer, shell: DashboardShell): void {
  const nameOf = (id: string) => server.themes.list().find((t) => t.id === id)?.name ?? id;
  const templateTitle = (themeId: string, name: string) => server.themes.list().find((t) => t.id === themeId)?.templates.find((x) => x.name === name)?.title ?? name;

  async function refused(request: PmRequest, reply: PmReply, e: unknown): Promise<PmReply> {
    if (!isPmError(e) || !['PM_ERR_THEME_NOT_FOUND', 'PM_ERR_THEME_BROKEN', 'PM_ERR_PAGE_NOT_FOUND'].includes(e.code)) throw e;
    return shell.page(request, reply, {
      title: 'That theme cannot be used',
      nav: 'themes',
      status: e.status,
      crumbs: [{ href: request.pm.link('/pm/themes'), label: 'Themes' }],
      notice: { kind: 'error', text: e.message },
      body: html`<p><a class="btn" href="${request.pm.link('/pm/themes')}">Back to Themes</a></p>`,
    });
  }

  router.get(
    '/pm/themes/switch',
    async (request, reply) => {
      const L = request.pm.link;
      const siteId = request.pm.site.siteId;
      const themeId = str(request.query, 'theme');
      let plan;
      try {
        plan = await server.siteThemes.plan(siteId, themeId);
      } catch (e) {
        return refused(request, reply, e);
      }
      const info = server.themes.list().find((t) => t.id === themeId)!;
      const current = server.siteThemes.active(siteId);
      const pages = [...plan.moves, ...plan.stays].filter((t) => t.langcode === '');
      const home = pages.find((t) => t.urlPath === '/');
      const other = plan.moves.find((t) => t.langcode === '' && t.urlPath !== '/');
      const previewLink = (t: TemplateUrl, label: string) =>
        html`<a class="btn" href="${L('/pm/themes/preview' + qs({ theme: themeId, path: t.urlPath }))}" target="_blank" rel="noopener">${label} ↗</a>`;
      const row = (t: TemplateUrl) => html`<li><code>${shownPath(t)}</code> <span class="muted">${templateTitle(t.themeId, t.templateName)} · ${nameOf(t.themeId)}</span></li>`;
      const stays: SafeHtml = plan.stays.length
        ? html`<section class="card"><h2>${plan.stays.length} ${plan.stays.length === 1 ? 'page keeps' : 'pages keep'} ${plan.stays.length === 1 ? 'its' : 'their'} theme</h2>
<p class="muted">${info.name} has no template of the same name, so ${plan.stays.length === 1 ? 'this page stays' : 'these pages stay'} as ${plan.stays.length === 1 ? 'it is' : 'they are'}. Nothing is lost.</p><ul class="plain-list">${plan.stays.map(row)}</ul></section>`
        : html``;
      return shell.page(request, reply, {
        title: `Use ${info.name} for the whole site?`,
        nav: 'themes',
        crumbs: [{ href: L('/pm/themes'), label: 'Themes' }],
        lede: `Your site uses ${nameOf(current)} now. Look at your own pages in ${info.name} first: previews open in a new tab and change nothing.`,
        body: html`<section class="card"><div class="theme-card"><div class="shot">${info.screenshot ? html`<img src="${info.screenshot}" alt="The ${info.name} theme">` : html`<span>No screenshot</span>`}</div>
<div><h2>Preview</h2><div class="button-row">${home ? previewLink(home, 'Your home page') : ''}${other ? previewLink(other, `Your page ${other.urlPath}`) : ''}</div>
${!home && !other ? html`<p class="muted">The site has no page yet to preview.</p>` : ''}
<p>${plan.moves.length} ${plan.moves.length === 1 ? 'page' : 'pages'} will be shown in ${info.name}, with the same content. New pages, the welcome page and the “page not found” page use it too. You can switch back at any time: everything looks as before.</p>
<form method="post" action="${L('/pm/themes/switch')}">${shell.csrf(request)}<input type="hidden" name="theme" value="${themeId}">
<div class="button-row"><button class="btn-primary" type="submit">Use ${info.name}</button><a class="btn" href="${L('/pm/themes')}">Cancel</a></div></form></div></div></section>
${stays}`,
      });
    },
    { permission: 'themes.manage', description: 'Previews a theme on your own pages before using it' },
  );

  router.get(
    '/pm/themes/preview',
    async (request, reply) => {
      const siteId = request.pm.site.siteId;
      let r;
      try {
        r = await server.siteThemes.preview(siteId, str(request.query, 'theme'), '', server.normalizeUrlPath(str(request.query, 'path') || '/'));
      } catch (e) {
        return refused(request, reply, e);
      }
      for (const [k, v] of Object.entries(r.headers)) reply.header(k, v);
      return reply.header('x-robots-tag', 'noindex').header('cache-control', 'no-store').type('text/html; charset=utf-8').send(r.html);
    },
    { permission: 'themes.manage', description: 'One of your pages rendered in another theme, stored nowhere' },
  );

  router.post(
    '/pm/themes/switch',
    async (request, reply) => {
      const siteId = request.pm.site.siteId;
      const themeId = str(request.body, 'theme');
      let r;
      try {
        r = await server.siteThemes.apply(siteId, themeId);
      } catch (e) {
        return refused(request, reply, e);
      }
      const n = r.rerendered.length;
      const stayed = r.stayed.length
        ? ` ${r.stayed.length} ${r.stayed.length === 1 ? 'page keeps its' : 'pages keep their'} theme (${nameOf(themeId)} has no template for ${r.stayed.length === 1 ? 'it' : 'them'}): ${r.stayed.slice(0, 5).map(shownPath).join(', ')}${r.stayed.length > 5 ? '…' : ''}.`
        : '';
      return shell.redirect(request, reply, request.pm.link('/pm/themes'), {
        kind: r.stayed.length ? 'warn' : 'ok',
        text: `${nameOf(themeId)} is now your site’s theme. ${n} ${n === 1 ? 'page was' : 'pages were'} rendered again.${stayed}`,
      });
    },
    { permission: 'themes.manage', description: 'Makes a theme the site’s theme' },
  );
}
