/**
 * The menu editor: the site's primary (header) and footer menus, per
 * language, without JavaScript. Each link is a row; ↑ / ↓ / Remove / Add
 * send the form back and show it rearranged (nothing is stored until Save),
 * "Under the link above" nests a link one level. The rules live in the menu
 * service (server.menus); this page parses rows and shows its answers.
 */
import type { MenuName, MenuRowInput, PluginRouter, PluginServer, PmReply, PmRequest, Site } from '../../src/plugins/plugin.js';
import { input, str } from '../../src/plugins/plugin.js';
import { html, qs, type SafeHtml } from '../../src/plugins/plugin.js';
import type { Notice, Shell as DashboardShell } from './layout.js';

const MENUS: { name: MenuName; label: string; help: string }[] = [
  { name: 'primary', label: 'Main menu', help: 'The links in the header of every page. A page whose own “Menu links” field is filled shows those instead.' },
  { name: 'footer', label: 'Footer menu', help: 'Links at the bottom of every page: contact, imprint, social profiles.' },
];

interface PageChoice {
  path: string;
  title: string;
}

/** The rows of a posted form, in the order of their index. */
export function parseMenuRows(body: unknown): MenuRowInput[] {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const idx = new Set<number>();
  for (const k of Object.keys(b)) {
    const m = /^items\[(\d{1,3})\]\[/.exec(k);
    if (m) idx.add(Number(m[1]));
  }
  return [...idx]
    .sort((a, b) => a - b)
    .map((i) => ({
      label: str(b, `items[${i}][label]`),
      page: str(b, `items[${i}][page]`),
      url: str(b, `items[${i}][url]`),
      nested: str(b, `items[${i}][nested]`) === '1',
    }));
}

/** Moves, adds or removes a row, as the ↑ ↓ Remove Add buttons ask. Unknown operations change nothing. */
export function applyMenuOp(rows: MenuRowInput[], op: string): MenuRowInput[] {
  const out = [...rows];
  const [verb, n] = op.split(':');
  const i = Number(n);
  if (verb === 'add') out.push({ label: '', page: '', url: '', nested: false });
  else if (!Number.isInteger(i) || i < 0 || i >= out.length) return out;
  else if (verb === 'remove') out.splice(i, 1);
  else if (verb === 'up' && i > 0) [out[i - 1], out[i]] = [out[i], out[i - 1]];
  else if (verb === 'down' && i < out.length - 1) [out[i + 1], out[i]] = [out[i], out[i + 1]];
  if (out[0]) out[0] = { ...out[0], nested: false };
  return out;
}

export function menusRoutes(router: PluginRouter, server: PluginServer, shell: DashboardShell): void {
  const languages = (site: Site) => ['', ...site.enabledLocales.filter((l) => l !== site.defaultLocale)];
  const menuOf = (v: string): MenuName => (v === 'footer' ? 'footer' : 'primary');
  const langOf = (site: Site, v: string) => (languages(site).includes(v) ? v : '');

  async function pageChoices(siteId: string): Promise<PageChoice[]> {
    const seen = new Map<string, PageChoice>();
    for (const t of await server.templates.list(siteId)) {
      const d = (t.data ?? {}) as Record<string, unknown>;
      const title = [d.title, d.heading, d.name].find((x) => typeof x === 'string' && x.trim()) as string | undefined;
      if (!seen.has(t.urlPath) || t.langcode === '') seen.set(t.urlPath, { path: t.urlPath, title: title ?? t.urlPath });
    }
    return [...seen.values()].sort((a, b) => (a.path === '/' ? -1 : b.path === '/' ? 1 : a.path.localeCompare(b.path)));
  }

  function row(r: MenuRowInput, i: number, count: number, pages: PageChoice[], errors: Record<string, string>): SafeHtml {
    const f = (k: string) => `items[${i}][${k}]`;
    const id = (k: string) => `f-items-${i}-${k}`;
    const err = (k: string) => errors[f(k)];
    const blank = !r.label && !r.page && !r.url;
    const pageSelect = html`<div class="pm-field${err('page') ? ' has-error' : ''}"><label for="${id('page')}">Page</label>
<select id="${id('page')}" name="${f('page')}"${err('page') ? html` aria-invalid="true" aria-describedby="${id('page')}-error"` : ''}>
<option value="">— an address typed beside —</option>
${pages.map((p) => html`<option value="${p.path}"${p.path === r.page ? html` selected` : ''}>${p.title} (${p.path})</option>`)}
${r.page && !pages.some((p) => p.path === r.page) ? html`<option value="${r.page}" selected>${r.page} (missing)</option>` : ''}
</select>${err('page') ? html`<p class="pm-field-error" id="${id('page')}-error">${err('page')}</p>` : ''}</div>`;
    const nested = html`<div class="pm-field${err('nested') ? ' has-error' : ''}"><label class="check" for="${id('nested')}"><input type="checkbox" id="${id('nested')}" name="${f('nested')}" value="1"${r.nested ? html` checked` : ''}${i === 0 ? html` disabled` : ''}> Under the link above</label>${err('nested') ? html`<p class="pm-field-error" id="${id('nested')}-error">${err('nested')}</p>` : ''}</div>`;
    const buttons = html`<div class="menu-row-actions">
${i > 0 ? html`<button type="submit" name="_op" value="up:${i}" aria-label="Move link ${i + 1} up">↑</button>` : ''}
${i < count - 1 ? html`<button type="submit" name="_op" value="down:${i}" aria-label="Move link ${i + 1} down">↓</button>` : ''}
${blank ? '' : html`<button type="submit" name="_op" value="remove:${i}" class="btn-danger-link">Remove</button>`}
</div>`;
    return html`<fieldset class="menu-row${r.nested ? ' menu-row-nested' : ''}"><legend>${blank ? 'New link' : `Link ${i + 1}`}</legend>
<div class="menu-row-fields">
${input({ name: f('label'), id: id('label'), label: 'Label', value: r.label, maxlength: 60, error: err('label') })}
${pageSelect}
${input({ name: f('url'), id: id('url'), label: 'or an address', value: r.url, placeholder: 'https://…, mailto:…, /path', error: err('url') })}
</div>
<div class="menu-row-foot">${nested}${buttons}</div>
</fieldset>`;
  }

  async function show(request: PmRequest, reply: PmReply, o: { name: MenuName; langcode: string; rows?: MenuRowInput[]; errors?: Record<string, string>; status?: number; notice?: Notice }): Promise<PmReply> {
    const L = request.pm.link;
    const site = request.pm.site;
    const pages = await pageChoices(site.siteId);
    const own = await server.menus.own(site.siteId, o.langcode, o.name);
    const shown = o.rows ?? server.menus.toRows(own ?? (o.langcode ? (await server.menus.forRender(site.siteId, o.langcode))[o.name] : []), new Set(pages.map((p) => p.path)));
    const rows = [...shown];
    if (!rows.length || rows[rows.length - 1].label || rows[rows.length - 1].page || rows[rows.length - 1].url) rows.push({ label: '', page: '', url: '', nested: false });
    const errors = o.errors ?? {};
    const meta = MENUS.find((m) => m.name === o.name)!;
    const langs = languages(site);
    const langName = (l: string) => (l ? l : `${site.defaultLocale} (default)`);
    const tabs = html`<nav class="tabs" aria-label="Menus">${MENUS.map(
      (m) => html`<a href="${L('/pm/menus' + qs({ menu: m.name, lang: o.langcode }))}"${m.name === o.name ? html` aria-current="page"` : ''}>${m.label}</a>`,
    )}</nav>
${langs.length > 1 ? html`<nav class="tabs tabs-small" aria-label="Languages"><span class="muted small">Language:</span>${langs.map((l) => html`<a href="${L('/pm/menus' + qs({ menu: o.name, lang: l }))}"${l === o.langcode ? html` aria-current="page"` : ''}>${langName(l)}</a>`)}</nav>` : ''}`;
    const fallbackNote =
      o.langcode && !own
        ? html`<p class="notice notice-info">Pages in <strong>${o.langcode}</strong> show the default language’s ${meta.label.toLowerCase()} (below). Saving here gives ${o.langcode} a menu of its own.</p>`
        : '';
    const resetForm =
      o.langcode && own
        ? html`<form method="post" action="${L('/pm/menus/reset')}" class="inline-form">${shell.csrf(request)}<input type="hidden" name="menu" value="${o.name}"><input type="hidden" name="lang" value="${o.langcode}"><button type="submit" class="btn">Use the default language’s menu again</button></form>`
        : '';
    const body = html`${tabs}
<section class="card"><p class="muted">${meta.help}</p>${fallbackNote}
<form method="post" action="${L('/pm/menus')}" novalidate class="menu-form" data-pm-unsaved>
<button class="pm-sr-only" type="submit" tabindex="-1" aria-hidden="true">Save</button>
${shell.csrf(request)}<input type="hidden" name="menu" value="${o.name}"><input type="hidden" name="lang" value="${o.langcode}">
${errors.items ? html`<p class="pm-field-error">${errors.items}</p>` : ''}
${rows.map((r, i) => row(r, i, rows.length, pages, errors))}
<div class="button-row"><button class="btn-primary" type="submit">Save menu</button><button type="submit" name="_op" value="add">Add another link</button></div>
</form>${resetForm}</section>`;
    return shell.page(request, reply, {
      title: 'Menus',
      nav: 'menus',
      status: o.status,
      notice: o.notice,
      lede: 'The links visitors use to find their way around the site.',
      body,
    });
  }

  router.get(
    '/pm/menus',
    (request, reply) => show(request, reply, { name: menuOf(str(request.query, 'menu')), langcode: langOf(request.pm.site, str(request.query, 'lang')) }),
    { permission: 'menus.manage', description: 'The site’s main and footer menus' },
  );

  router.post(
    '/pm/menus',
    async (request, reply) => {
      const site = request.pm.site;
      const name = menuOf(str(request.body, 'menu'));
      const langcode = langOf(site, str(request.body, 'lang'));
      const rows = parseMenuRows(request.body);
      const op = str(request.body, '_op');
      if (op) return show(request, reply, { name, langcode, rows: applyMenuOp(rows, op), notice: { kind: 'info', text: 'Not saved yet: press Save menu to keep these changes.' } });
      const r = await server.menus.save(site.siteId, langcode, name, rows);
      if (!r.ok) return show(request, reply, { name, langcode, rows, errors: r.errors, status: 422, notice: { kind: 'error', text: 'The menu was not saved: some links need attention.' } });
      const n = r.rerendered.length;
      return shell.redirect(request, reply, L(request, name, langcode), { kind: 'ok', text: `Menu saved. ${n === 0 ? 'No page shows it yet.' : `${n} page${n === 1 ? ' was' : 's were'} rendered again with it.`}` });
    },
    { permission: 'menus.manage', description: 'Saves a menu' },
  );

  router.post(
    '/pm/menus/reset',
    async (request, reply) => {
      const site = request.pm.site;
      const name = menuOf(str(request.body, 'menu'));
      const langcode = langOf(site, str(request.body, 'lang'));
      const r = await server.menus.reset(site.siteId, langcode, name);
      return shell.redirect(request, reply, L(request, name, langcode), { kind: 'ok', text: `Pages in ${langcode} show the default language’s menu again (${r.rerendered.length} rendered again).` });
    },
    { permission: 'menus.manage', description: 'Gives a language the default language’s menu again' },
  );

  function L(request: PmRequest, name: MenuName, langcode: string): string {
    return request.pm.link('/pm/menus' + qs({ menu: name, lang: langcode }));
  }
}
