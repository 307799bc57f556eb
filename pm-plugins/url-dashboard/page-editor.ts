/**
 * Pages made from templates: pick a theme's template, fill the form its JSON
 * Schema generates, preview, save. A refused save shows the form again with
 * what was typed and the errors beside the fields; nothing stored changes.
 */
import { describeOccupant, fixed, hidden, html, input, isPmError, PmError, qs, raw, str } from '../../src/plugins/plugin.js';
import type { DashboardShell, Notice, PluginRouter, PluginServer, PmReply, PmRequest, TemplateUrl, ThemeInfo } from '../../src/plugins/plugin.js';
import { langField, langOf, problem, query, shownPath } from './common.js';

type FieldErrors = Record<string, string[]>;

interface EditorState {
  mode: 'new' | 'edit';
  themeId: string;
  templateName: string;
  langcode: string;
  pathInput: string;
  data: unknown;
  errors?: FieldErrors;
  pathError?: string;
  notice?: Notice;
  status?: number;
}

export function pageEditorRoutes(router: PluginRouter, server: PluginServer, shell: DashboardShell): PageEditor {
  const themeInfo = (id: string): ThemeInfo | undefined => server.themes.list().find((t) => t.id === id);

  async function chooser(request: PmRequest, reply: PmReply): Promise<PmReply> {
    const L = request.pm.link;
    const path = query(request, 'path');
    const back = await shell.urlDashboardHref(request);
    const active = server.siteThemes.active(request.pm.site.siteId);
    // The site's theme first: that is where a new page normally goes.
    const themes = server.themes.list().filter((t) => t.ok && t.templates.length).sort((a, b) => Number(b.id === active) - Number(a.id === active));
    const section = (t: ThemeInfo) => html`<section class="card"><div class="card-head"><h2>${t.name || t.id}</h2><span class="muted small">${t.templates.length} templates</span></div>
${t.description ? html`<p class="muted">${t.description}</p>` : ''}
<div class="grid">${t.templates.map(
      (tpl) => html`<a class="tile" href="${L('/pm/urls/new' + qs({ theme: t.id, template: tpl.name, path, lang: query(request, 'lang') }))}">
<div class="shot">${tpl.screenshot ? html`<img src="${tpl.screenshot}" alt="" loading="lazy">` : html`<span>No screenshot</span>`}</div>
<div class="body"><h3>${tpl.title}</h3>${tpl.description ? html`<p>${tpl.description}</p>` : ''}</div></a>`,
    )}</div></section>`;
    return shell.page(request, reply, {
      title: 'Create a page',
      nav: 'urls',
      crumbs: [{ href: back, label: 'Pages & URLs' }],
      lede: 'Pick a template. You fill in a form next, and can preview before saving.',
      body: themes.length ? html`${themes.map(section)}` : html`<div class="card empty">No working theme has templates. See <a href="${L('/pm/themes')}">Themes</a>.</div>`,
    });
  }

  async function editor(request: PmRequest, reply: PmReply, s: EditorState): Promise<PmReply> {
    const L = request.pm.link;
    const site = request.pm.site;
    const back = await shell.urlDashboardHref(request);
    const tpl = await server.themes.getTemplate(s.themeId, s.templateName);
    const theme = themeInfo(s.themeId);
    const tplInfo = theme?.templates.find((t) => t.name === s.templateName);
    // With the media plugin, image fields link to its library for choosing without JavaScript.
    const imageLibrary = server.routes().some((r) => r.url === '/pm/media') ? L('/pm/media?pick=1') : undefined;
    const fields = raw(server.forms.render(tpl.schema as never, s.data, { errors: s.errors, imageLibrary }));
    const isNew = s.mode === 'new';
    const isNotFound = !isNew && (await server.notFoundPage.path(site.siteId)) === s.pathInput;
    const notFoundNote = isNotFound
      ? html`<p class="small" id="pm-not-found-page"><strong>This is the site’s not-found page:</strong> every address that leads nowhere shows it, with status 404 (<a href="${L('/pm/settings')}">Site settings</a>).</p>`
      : '';
    const where = isNew
      ? html`${input({ name: '_pm_path', label: 'Address', value: s.pathInput, required: true, placeholder: `/${s.templateName}`, help: 'Where the page will be, such as /about or /work/bowls.', error: s.pathError })}${langField(site, '_pm_lang', s.langcode)}`
      : html`${fixed('Address', shownPath(s.langcode, s.pathInput), html`<a href="${L('/pm/urls/rename' + qs({ path: s.pathInput, lang: s.langcode }))}">Rename</a> to move it to another address.`)}${hidden('_pm_path', s.pathInput)}${hidden('_pm_lang', s.langcode)}`;
    // A button, not a link: what was already typed (the address, the title) goes along and is kept.
    const sampleLink = isNew ? html`<p class="small"><button class="btn-link" type="submit" name="_pm_sample" value="1" formnovalidate>Start from the template’s sample content</button> <span class="muted">(keeps what you typed)</span></p>` : '';
    const tplTitle = tplInfo?.title ?? s.templateName;
    // A page started from a sample links to where the theme's other samples live: offer to create each one that is missing.
    const missing = isNew ? [] : await server.links.missing(site.siteId, s.langcode, s.data);
    const toCreate = missing.length
      ? html`<section class="card" id="pm-missing-links"><h2>Pages this page links to</h2><p class="small">Nothing is at these addresses yet, so its links to them lead to “Page not found”. Create them, or change the links.</p>
<ul class="plain-list">${missing.map((p) => html`<li><code>${shownPath(s.langcode, p)}</code> <a class="btn btn-small" href="${L('/pm/urls/new' + qs({ path: p, lang: s.langcode || undefined }))}">Create this page</a></li>`)}</ul></section>`
      : '';
    const aside = html`<aside class="aside-shot">${tplInfo?.screenshot ? html`<img src="${tplInfo.screenshot}" alt="What the ${tplTitle} template looks like">` : ''}<p><strong>${theme?.name ?? s.themeId} · ${tplTitle}</strong><br>${tpl.description}</p></aside>`;
    const body = html`<form method="post" action="${L('/pm/urls/save')}" novalidate data-pm-unsaved>
<button class="pm-sr-only" type="submit" tabindex="-1" aria-hidden="true">Save</button>
${shell.csrf(request)}${hidden('_pm_mode', s.mode)}${hidden('_pm_theme', s.themeId)}${hidden('_pm_template', s.templateName)}
<div class="two-col"><div>
<section class="card">${where}${notFoundNote}</section>
<section class="card"><h2>Content</h2>${sampleLink}${fields}</section>
<div class="button-row sticky-actions"><button class="btn-primary" type="submit">${isNew ? 'Save page' : 'Save changes'}</button>
<button type="submit" formaction="${L('/pm/urls/preview')}" formtarget="_blank">Preview ↗</button>
<a class="btn" href="${back}">Cancel</a></div>
</div><div>${aside}${toCreate}</div></div>
</form>`;
    return shell.page(request, reply, {
      title: isNew ? `New page: ${tplTitle}` : `Edit ${shownPath(s.langcode, s.pathInput)}`,
      nav: 'urls',
      status: s.status,
      notice: s.notice,
      formsScript: true,
      crumbs: isNew ? [{ href: back, label: 'Pages & URLs' }, { href: L('/pm/urls/new'), label: 'Create a page' }] : [{ href: back, label: 'Pages & URLs' }],
      actions: isNew
        ? undefined
        : html`<a class="btn" href="${shell.siteHref(request, s.langcode, s.pathInput)}" target="_blank" rel="noopener">View ↗</a><a class="btn" href="${L('/pm/urls/revisions' + qs({ path: s.pathInput, lang: s.langcode }))}">Earlier versions</a><a class="btn" href="${L('/pm/urls/delete' + qs({ path: s.pathInput, lang: s.langcode }))}">Delete</a>`,
      body,
    });
  }

  /** A refusal from the themes manager (missing or broken theme) as a page, rather than a bare error. */
  async function guarded(request: PmRequest, reply: PmReply, f: () => Promise<PmReply>): Promise<PmReply> {
    try {
      return await f();
    } catch (e) {
      if (isPmError(e) && ['PM_ERR_THEME_NOT_FOUND', 'PM_ERR_TEMPLATE_NOT_FOUND', 'PM_ERR_THEME_BROKEN', 'PM_ERR_PAGE_NOT_FOUND', 'PM_ERR_BAD_REQUEST'].includes(e.code)) {
        return problem(shell, request, reply, e.status, e.message);
      }
      throw e;
    }
  }

  router.get(
    '/pm/urls/new',
    (request, reply) =>
      guarded(request, reply, async () => {
        const themeId = query(request, 'theme');
        const templateName = query(request, 'template');
        if (!themeId || !templateName) return chooser(request, reply);
        const tpl = await server.themes.getTemplate(themeId, templateName);
        const lang = langOf(request.pm.site, query(request, 'lang'));
        // "Translate": the new language's form starts from the default version's content.
        const from = lang && query(request, 'from') === 'default' ? await server.templates.get(request.pm.site.siteId, '', server.normalizeUrlPath(query(request, 'path') || '/')) : undefined;
        const data = from && from.themeId === themeId && from.templateName === templateName ? from.data : query(request, 'sample') ? tpl.sample : undefined;
        return editor(request, reply, { mode: 'new', themeId, templateName, langcode: lang, pathInput: query(request, 'path'), data, notice: from ? { kind: 'info', text: `This form starts from the ${request.pm.site.defaultLocale} version: translate it, then save. Until then, /${lang}${from.urlPath === '/' ? '/' : from.urlPath} shows the ${request.pm.site.defaultLocale} version.` } : undefined });
      }),
    { permission: 'pages.write', description: 'Create a page from a template' },
  );

  router.post(
    '/pm/urls/save',
    (request, reply) =>
      guarded(request, reply, async () => {
        const b = request.body as Record<string, string | string[] | undefined>;
        const siteId = request.pm.site.siteId;
        const mode = str(b, '_pm_mode') === 'edit' ? 'edit' : 'new';
        const langcode = langOf(request.pm.site, str(b, '_pm_lang'));
        const pathInput = str(b, '_pm_path');
        let themeId = str(b, '_pm_theme');
        let templateName = str(b, '_pm_template');
        let path: string | undefined;
        let pathError: string | undefined;
        if (mode === 'edit') {
          path = server.normalizeUrlPath(pathInput || '/');
          const existing = await server.templates.get(siteId, langcode, path);
          if (!existing) throw new PmError('PM_ERR_PAGE_NOT_FOUND', { urlPath: shownPath(langcode, path) });
          // The stored page decides its template; the form's hidden fields only echo it.
          themeId = existing.themeId;
          templateName = existing.templateName;
        }
        const tpl = await server.themes.getTemplate(themeId, templateName);
        let data = server.forms.parse(tpl.schema as never, b);
        const state = { mode, themeId, templateName, langcode, pathInput: path ?? pathInput } as const;
        if (str(b, '_pm_sample') === '1') {
          // The sample, with whatever was typed laid over it (empty fields take the sample's).
          const typed = Object.fromEntries(Object.entries((data ?? {}) as Record<string, unknown>).filter(([, v]) => v !== '' && v !== undefined && !(Array.isArray(v) && v.length === 0)));
          return editor(request, reply, { ...state, data: { ...(tpl.sample as Record<string, unknown>), ...typed }, notice: { kind: 'info', text: 'Filled with the sample content, keeping what you typed. Nothing is saved yet.' } });
        }
        const op = str(b, '_pm_form_op');
        if (op) {
          data = server.forms.applyOp(tpl.schema as never, data, op);
          return editor(request, reply, { ...state, data });
        }
        if (mode === 'new') {
          // The address's refusal beside its field, with the form's own errors: all at once.
          try {
            const checked = server.addresses.checkPath(pathInput);
            path = checked;
            const occ = await server.addresses.occupant(siteId, langcode, checked);
            if (occ) pathError = `Something is already at ${shownPath(langcode, checked)}: ${describeOccupant(occ)}. Pick another address, or edit that one.`;
          } catch (e) {
            if (!isPmError(e) || !e.fields?.path) throw e;
            pathError = e.fields.path;
          }
        }
        const v = server.forms.validate(tpl.schema, data);
        if (pathError || !v.ok || !path) {
          return editor(request, reply, {
            ...state,
            data,
            errors: v.ok ? undefined : v.errors,
            pathError,
            status: 422,
            notice: { kind: 'error', text: 'Nothing was saved yet: some fields need attention.' },
          });
        }
        let r;
        try {
          r = await server.addresses.saveTemplate({ siteId, langcode, urlPath: path, themeId, templateName, data }, { replace: mode === 'edit' });
        } catch (e) {
          if (!isPmError(e) || e.status < 400 || e.status >= 500) throw e;
          if (e.fields?.path) return editor(request, reply, { ...state, data, pathError: e.fields.path, status: 422, notice: { kind: 'error', text: 'Nothing was saved yet: some fields need attention.' } });
          return editor(request, reply, { ...state, data, status: e.status, notice: { kind: 'error', text: `Nothing was saved: ${e.message}` } });
        }
        if (!r.ok) return editor(request, reply, { ...state, data, errors: r.errors, status: 422, notice: { kind: 'error', text: 'Nothing was saved yet: some fields need attention.' } });
        return shell.redirect(request, reply, request.pm.link('/pm/urls/edit' + qs({ path, lang: langcode })), {
          kind: 'ok',
          text: mode === 'new' ? `Saved. The page is live at ${shownPath(langcode, path)}.` : 'Saved.',
          link: { href: shell.siteHref(request, langcode, path), label: 'View page →' },
        });
      }),
    { permission: 'pages.write', description: 'Saves a page made from a template' },
  );

  router.post(
    '/pm/urls/preview',
    (request, reply) =>
      guarded(request, reply, async () => {
        const b = request.body as Record<string, string | string[] | undefined>;
        const site = request.pm.site;
        const langcode = langOf(site, str(b, '_pm_lang'));
        const themeId = str(b, '_pm_theme');
        const templateName = str(b, '_pm_template');
        const tpl = await server.themes.getTemplate(themeId, templateName);
        const data = server.forms.parse(tpl.schema as never, b);
        let urlPath = '/';
        try {
          urlPath = server.addresses.checkPath(str(b, '_pm_path'));
        } catch (e) {
          if (!isPmError(e, 'PM_ERR_PATH_INVALID')) throw e;
        }
        const pre = (request.pm.url.tildePrefix ? `/~${request.pm.url.tildePrefix}` : '') + (langcode ? `/${langcode}` : '');
        // themes.render rather than templates.preview: it also gives the page's own CSP, which the preview must carry.
        const r = await server.themes.render(themeId, templateName, data, {
          site: { title: site.title, description: site.description, langcode: langcode || site.defaultLocale },
          page: { urlPath, url: pre + urlPath },
          url: (p: string) => pre + (p.startsWith('/') ? p : '/' + p),
        });
        for (const [k, v] of Object.entries(r.headers)) reply.header(k, v);
        return reply.header('x-robots-tag', 'noindex').type('text/html; charset=utf-8').send(r.html);
      }),
    { permission: 'pages.write', description: 'Shows a page as it would look, without saving it' },
  );

  return {
    edit: (request, reply, t) =>
      guarded(request, reply, () => editor(request, reply, { mode: 'edit', themeId: t.themeId, templateName: t.templateName, langcode: t.langcode, pathInput: t.urlPath, data: t.data })),
  };
}

export interface PageEditor {
  /** The form of a stored template page, filled with its data. */
  edit(request: PmRequest, reply: PmReply, t: TemplateUrl): Promise<PmReply>;
}
