/** Site settings: title, description, languages, history, the not-found page. Saving re-renders the pages, which show the title. */
import type { PluginRouter, PluginServer, PmReply, PmRequest } from '../../src/plugins/plugin.js';
import { input, select, str, strs, textarea } from '../../src/plugins/plugin.js';
import { html } from '../../src/plugins/plugin.js';
import type { Notice, Shell as DashboardShell } from './layout.js';

interface SettingsForm {
  title: string;
  description: string;
  defaultLocale: string;
  enabledLocales: string[];
  keepRevisions: string;
  trashDays: string;
  notFoundPage: string;
}
type SettingsErrors = Partial<Record<keyof SettingsForm, string>>;

export function settingsRoutes(router: PluginRouter, server: PluginServer, shell: DashboardShell): void {
  // Made on the first Site settings page, not at start: ICU's language names took ~0.1 s of every start.
  let names: Intl.DisplayNames | null | undefined;
  const displayNames = () => {
    if (names !== undefined) return names;
    try {
      return (names = new Intl.DisplayNames(['en'], { type: 'language' }));
    } catch {
      return (names = null);
    }
  };
  const localeName = (code: string) => {
    try {
      const n = displayNames()?.of(code);
      return n && n !== code ? n : code;
    } catch {
      return code;
    }
  };
  const allLocales = () => [...server.locales].sort();

  function show(request: PmRequest, reply: PmReply, f: SettingsForm, errors: SettingsErrors = {}, status = 200, notice?: Notice): Promise<PmReply> {
    const L = request.pm.link;
    const locales = allLocales();
    const enabled = new Set(f.enabledLocales);
    const localeBoxes = html`<fieldset class="pm-fieldset" id="f-enabledLocales"${errors.enabledLocales ? html` aria-describedby="f-enabledLocales-error"` : ''}>
<legend>Languages</legend>
<p class="pm-help">Each enabled language gets its own addresses: <code>/fr/about</code> is the French version of <code>/about</code>. The default language has no prefix and is always enabled.</p>
<div class="checks">${locales.map(
      (l) => html`<label class="check"><input type="checkbox" name="enabledLocales" value="${l}"${enabled.has(l) || l === f.defaultLocale ? html` checked` : ''}> ${localeName(l)} <code class="muted">${l}</code></label>`,
    )}</div>
${errors.enabledLocales ? html`<p class="pm-field-error" id="f-enabledLocales-error">${errors.enabledLocales}</p>` : ''}
</fieldset>`;
    return shell.page(request, reply, {
      title: 'Site settings',
      nav: 'settings',
      status,
      notice,
      lede: 'How the site introduces itself, and the languages it speaks.',
      body: html`<section class="card"><form class="stack" method="post" action="${L('/pm/settings')}" novalidate>${shell.csrf(request)}
${input({ name: 'title', label: 'Site title', value: f.title, required: true, maxlength: 200, help: 'Shown in the header of every page and in browser tabs.', error: errors.title })}
${textarea({ name: 'description', label: 'Description', value: f.description, maxlength: 500, rows: 3, help: 'One or two sentences for search engines and link previews.', error: errors.description })}
${select({ name: 'defaultLocale', label: 'Default language', value: f.defaultLocale, options: locales.map((l) => ({ value: l, label: `${localeName(l)} (${l})` })), error: errors.defaultLocale })}
${localeBoxes}
<fieldset class="pm-fieldset"><legend>Nothing lost by a slip</legend>
${input({ name: 'keepRevisions', label: 'Earlier versions kept per page', type: 'number', value: f.keepRevisions, help: 'Each save keeps the version it replaces; 0 keeps none.', error: errors.keepRevisions })}
${input({ name: 'trashDays', label: 'Days a deleted page stays in the trash', type: 'number', value: f.trashDays, help: 'Restorable at its address until then.', error: errors.trashDays })}
</fieldset>
<fieldset class="pm-fieldset"><legend>Page not found</legend>
${input({ name: 'notFoundPage', label: 'Address of the not-found page', value: f.notFoundPage, maxlength: 500, placeholder: '/not-found', help: 'Every address that leads nowhere shows this page, with status 404. Leave it empty to use a page made from the theme’s “Page not found” template, or else the theme’s own page.', error: errors.notFoundPage })}
</fieldset>
<div class="button-row"><button class="btn-primary" type="submit">Save settings</button></div>
</form></section>
${server.routes().some((r) => r.url === '/pm/mail') ? html`<p class="muted small">Mail the site sends (notifications, a test mail): <a href="${L('/pm/mail')}">mail server and outbox</a>.</p>` : ''}
${server.routes().some((r) => r.url === '/pm/settings/robots') ? html`<p class="muted small">Search engines: <a href="${L('/pm/settings/robots')}">robots.txt</a> and the <a href="${L('/sitemap.xml')}">sitemap</a>.</p>` : ''}`,
    });
  }

  router.get(
    '/pm/settings',
    async (request, reply) => {
      const s = request.pm.site;
      const h = await server.history.settings(s.siteId);
      return show(request, reply, { title: s.title, description: s.description, defaultLocale: s.defaultLocale, enabledLocales: s.enabledLocales, keepRevisions: String(h.keepRevisions), trashDays: String(h.trashDays), notFoundPage: await server.notFoundPage.chosen(s.siteId) });
    },
    { permission: 'site.settings', description: 'Site title, description and languages' },
  );

  router.post(
    '/pm/settings',
    async (request, reply) => {
      const b = request.body;
      const f: SettingsForm = {
        title: str(b, 'title').trim(),
        description: str(b, 'description').trim(),
        defaultLocale: str(b, 'defaultLocale'),
        enabledLocales: [...new Set(strs(b, 'enabledLocales'))],
        keepRevisions: str(b, 'keepRevisions').trim() || '20',
        trashDays: str(b, 'trashDays').trim() || '30',
        notFoundPage: str(b, 'notFoundPage').trim(),
      };
      const errors: SettingsErrors = {};
      if (!f.title) errors.title = 'Give the site a title.';
      else if (f.title.length > 200) errors.title = 'Keep the title under 200 characters.';
      if (f.description.length > 500) errors.description = 'Keep the description under 500 characters.';
      if (!server.locales.has(f.defaultLocale)) errors.defaultLocale = 'Pick a language from the list.';
      const unknown = f.enabledLocales.filter((l) => !server.locales.has(l));
      if (unknown.length) errors.enabledLocales = `Unknown language code${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}.`;
      const history = server.history.checkSettings({ keepRevisions: f.keepRevisions, trashDays: f.trashDays });
      if (!history.ok) Object.assign(errors, history.errors);
      const notFound = await server.notFoundPage.check(request.pm.site.siteId, f.notFoundPage);
      if (!notFound.ok) errors.notFoundPage = notFound.error;
      if (Object.keys(errors).length) return show(request, reply, f, errors, 422, { kind: 'error', text: 'The settings were not saved: some fields need attention.' });

      const enabledLocales = [...new Set([f.defaultLocale, ...f.enabledLocales])].sort();
      await server.history.setSettings(request.pm.site.siteId, { keepRevisions: f.keepRevisions, trashDays: f.trashDays });
      await server.notFoundPage.choose(request.pm.site.siteId, f.notFoundPage);
      await server.sites.update(request.pm.site.siteId, { title: f.title, description: f.description, defaultLocale: f.defaultLocale, enabledLocales });
      // Stored pages carry the title and description: render them again with the new ones.
      // This site's pages only, every language they are served in; the count is of pages, not of renderings.
      const rendered = await server.templates.rerenderSite(request.pm.site.siteId, () => true);
      const n = new Set(rendered.map((r) => r.urlPath)).size;
      return shell.redirect(request, reply, request.pm.link('/pm/settings'), {
        kind: 'ok',
        text: `Settings saved.${n ? ` ${n} page${n === 1 ? ' was' : 's were'} rendered again with them.` : ''}`,
      });
    },
    { permission: 'site.settings', description: 'Saves the site settings' },
  );
}
