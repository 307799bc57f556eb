/**
 * What can be done to an address besides editing a page's content: URL
 * redirects, content redirects (aliases), renaming and deleting. Every form
 * checks everything before writing, so a refused submission changes nothing.
 */
import { checkbox, describeOccupant, fixed, hidden, html, input, isPmError, qs, select, str, URL_DASHBOARD_ROUTE } from '../../src/plugins/plugin.js';
import type { DashboardShell, Notice, Occupant, PluginRouter, PluginServer, PmError, PmReply, PmRequest } from '../../src/plugins/plugin.js';
import { langField, langOf, problem, query, shownPath } from './common.js';
import type { PageEditor } from './page-editor.js';

const STATUSES = [
  { value: '301', label: '301 · moved for good (search engines update their links)' },
  { value: '302', label: '302 · moved for now' },
  { value: '307', label: '307 · moved for now, keep the method' },
  { value: '308', label: '308 · moved for good, keep the method' },
];

type Errors = Partial<Record<'path' | 'target' | 'status' | 'lang', string>>;

interface LinkForm {
  /** The address being edited; undefined for a new one. */
  original?: { langcode: string; path: string };
  path: string;
  langcode: string;
  target: string;
  status?: string;
  errors?: Errors;
  notice?: Notice;
  httpStatus?: number;
}

export function urlActionRoutes(router: PluginRouter, server: PluginServer, shell: DashboardShell, pages: PageEditor): void {
  const addresses = server.addresses;
  const crumbs = async (request: PmRequest) => [{ href: await shell.urlDashboardHref(request), label: 'Pages & URLs' }];
  const here = (request: PmRequest) => {
    const langcode = langOf(request.pm.site, query(request, 'lang'));
    return { langcode, path: server.normalizeUrlPath(query(request, 'path') || '/') };
  };
  const done = async (request: PmRequest, reply: PmReply, notice: Notice) => shell.redirect(request, reply, await shell.urlDashboardHref(request), notice);

  /** PmErrors a visitor can cause (bad path, bad language) become a page with the message; anything else is a real failure. */
  async function guarded(request: PmRequest, reply: PmReply, f: () => Promise<PmReply>): Promise<PmReply> {
    try {
      return await f();
    } catch (e) {
      if (isPmError(e) && e.status < 500) return problem(shell, request, reply, e.status, e.message);
      throw e;
    }
  }

  /** A new redirect or alias, prefilled from `?path=&lang=&target=`. */
  const linkFromQuery = (request: PmRequest): LinkForm => ({ path: query(request, 'path'), langcode: langOf(request.pm.site, query(request, 'lang')), target: query(request, 'target') });

  /** What a redirect or alias form posted; `editing` when it changes one that exists (`original=1`). */
  function linkFromBody(request: PmRequest): { f: LinkForm; editing: boolean } {
    const b = request.body;
    return { f: { path: str(b, 'path'), langcode: langOf(request.pm.site, str(b, 'lang')), target: str(b, 'target') }, editing: str(b, 'original') === '1' };
  }

  /** The address a redirect or alias is at: shown fixed when editing, a field (and a language) when adding. */
  function addressField(request: PmRequest, f: LinkForm, o: { label: string; placeholder: string; help: string }) {
    return f.original
      ? html`${fixed(o.label, shownPath(f.langcode, f.path))}${hidden('path', f.path)}${hidden('lang', f.langcode)}${hidden('original', '1')}`
      : html`${input({ name: 'path', label: o.label, value: f.path, required: true, placeholder: o.placeholder, help: o.help, error: f.errors?.path })}${langField(request.pm.site, 'lang', f.langcode, f.errors?.lang)}`;
  }

  /** Editing: the address must still hold a `kind`; otherwise a 404 page is the answer. */
  async function stillThere(request: PmRequest, reply: PmReply, f: LinkForm, kind: 'redirect' | 'alias'): Promise<PmReply | undefined> {
    let path: string;
    try {
      path = server.normalizeUrlPath(f.path || '/');
    } catch {
      return problem(shell, request, reply, 404, `There is no ${kind} at ${shownPath(f.langcode, f.path)} any more.`);
    }
    const occ = await addresses.occupant(request.pm.site.siteId, f.langcode, path);
    f.original = { langcode: f.langcode, path };
    f.path = path;
    if (occ?.kind !== kind) return problem(shell, request, reply, 404, `There is no ${kind} at ${shownPath(f.langcode, path)} any more.`);
    return undefined;
  }

  /** A refusal with fields (shown beside them), or anything else a visitor can cause (a notice on the form). */
  const refusalOf = (e: unknown): PmError => {
    if (isPmError(e) && e.status < 500) return e;
    throw e;
  };

  // ——— Edit: whichever form fits what is stored there.
  router.get(
    '/pm/urls/edit',
    (request, reply) =>
      guarded(request, reply, async () => {
        const { langcode, path } = here(request);
        const occ = await addresses.occupant(request.pm.site.siteId, langcode, path);
        if (!occ) return problem(shell, request, reply, 404, `Nothing is stored at ${shownPath(langcode, path)}.`);
        if (occ.kind === 'template') return pages.edit(request, reply, occ.template!);
        if (occ.kind === 'redirect') return redirectForm(request, reply, { original: { langcode, path }, langcode, path, target: occ.page!.redirectUrl ?? '', status: String(occ.page!.redirectStatus ?? 301) });
        if (occ.kind === 'alias') return aliasForm(request, reply, { original: { langcode, path }, langcode, path, target: occ.page!.contentUrl ?? '' });
        return problem(shell, request, reply, 409, `${shownPath(langcode, path)} is a page made by a plugin; change it where that plugin lets you. It can be deleted here.`);
      }),
    { permission: 'pages.write', description: 'Edit an address' },
  );

  // ——— URL redirects.
  async function redirectForm(request: PmRequest, reply: PmReply, f: LinkForm): Promise<PmReply> {
    const L = request.pm.link;
    const e = f.errors ?? {};
    const from = addressField(request, f, { label: 'From', placeholder: '/old-address', help: 'The address visitors arrive at.' });
    return shell.page(request, reply, {
      title: f.original ? `Redirect at ${shownPath(f.langcode, f.path)}` : 'Add a redirect',
      nav: 'urls',
      status: f.httpStatus,
      notice: f.notice,
      crumbs: await crumbs(request),
      lede: 'A redirect sends visitors (and search engines) from one address to another.',
      body: html`<section class="card"><form class="stack" method="post" action="${L('/pm/urls/redirect')}" novalidate>${shell.csrf(request)}
${from}
${input({ name: 'target', label: 'To', value: f.target, required: true, placeholder: '/new-address or https://…', help: 'A path on this site, such as /about, or a full address.', error: e.target })}
${select({ name: 'status', label: 'Kind of redirect', value: f.status ?? '301', options: STATUSES, error: e.status })}
<div class="button-row"><button class="btn-primary" type="submit">Save redirect</button><a class="btn" href="${await shell.urlDashboardHref(request)}">Cancel</a></div>
</form></section>`,
    });
  }

  router.get(
    '/pm/urls/redirect',
    (request, reply) =>
      guarded(request, reply, async () =>
        redirectForm(request, reply, linkFromQuery(request)),
      ),
    { permission: 'pages.write', description: 'Add a URL redirect' },
  );

  router.post(
    '/pm/urls/redirect',
    (request, reply) =>
      guarded(request, reply, async () => {
        const { f, editing } = linkFromBody(request);
        const langcode = f.langcode;
        f.status = str(request.body, 'status');
        if (editing) {
          const gone = await stillThere(request, reply, f, 'redirect');
          if (gone) return gone;
        }
        const status = STATUSES.some((s) => s.value === f.status) ? Number(f.status) : NaN;
        let saved;
        try {
          saved = await addresses.redirect({ siteId: request.pm.site.siteId, langcode }, f.path, f.target, status, { replace: editing });
        } catch (e) {
          const r = refusalOf(e);
          const errors: Errors = { ...r.fields };
          if (errors.status) errors.status = 'Pick one of the kinds in the list.';
          return redirectForm(request, reply, { ...f, errors, httpStatus: r.fields ? 422 : r.status, notice: { kind: 'error', text: r.fields ? 'The redirect was not saved: see below.' : r.message } });
        }
        return done(request, reply, { kind: 'ok', text: `Saved: ${shownPath(langcode, saved.urlPath)} now redirects to ${saved.target} (${f.status}).` });
      }),
    { permission: 'pages.write', description: 'Saves a URL redirect' },
  );

  // ——— Content redirects (aliases): one address shows what another serves.
  async function aliasForm(request: PmRequest, reply: PmReply, f: LinkForm): Promise<PmReply> {
    const L = request.pm.link;
    const e = f.errors ?? {};
    const from = addressField(request, f, { label: 'Address', placeholder: '/also-here', help: 'The new address. An alias to the URL dashboard may go under /pm/, such as /pm/admin.' });
    const pseudo = server.routes().filter((r) => r.pseudoroute && r.method === 'GET');
    return shell.page(request, reply, {
      title: f.original ? `Alias at ${shownPath(f.langcode, f.path)}` : 'Add an alias',
      nav: 'urls',
      status: f.httpStatus,
      notice: f.notice,
      crumbs: await crumbs(request),
      lede: 'An alias (content redirect) shows another address’s content here, without changing the address in the browser.',
      body: html`<section class="card"><form class="stack" method="post" action="${L('/pm/urls/alias')}" novalidate>${shell.csrf(request)}
${from}
${input({ name: 'target', label: 'Shows the content of', value: f.target, required: true, placeholder: '/about', help: html`A page of this site${pseudo.length ? html`, or a plugin page such as ${pseudo.map((r, i) => html`${i ? ', ' : ''}<code>${r.url}</code>`)}${pseudo.some((r) => r.url === URL_DASHBOARD_ROUTE) ? ' (the URL dashboard)' : ''}` : ''}.`, error: e.target })}
<div class="button-row"><button class="btn-primary" type="submit">Save alias</button><a class="btn" href="${await shell.urlDashboardHref(request)}">Cancel</a></div>
</form></section>`,
    });
  }

  router.get(
    '/pm/urls/alias',
    (request, reply) =>
      guarded(request, reply, async () => aliasForm(request, reply, linkFromQuery(request))),
    { permission: 'pages.write', description: 'Add an alias (content redirect)' },
  );

  router.post(
    '/pm/urls/alias',
    (request, reply) =>
      guarded(request, reply, async () => {
        const { f, editing } = linkFromBody(request);
        const langcode = f.langcode;
        if (editing) {
          const gone = await stillThere(request, reply, f, 'alias');
          if (gone) return gone;
        }
        let saved;
        try {
          saved = await addresses.alias({ siteId: request.pm.site.siteId, langcode }, f.path, f.target, { replace: editing });
        } catch (e) {
          const r = refusalOf(e);
          if (r.fields) return aliasForm(request, reply, { ...f, errors: r.fields, httpStatus: 422, notice: { kind: 'error', text: 'The alias was not saved: see below.' } });
          return aliasForm(request, reply, { ...f, httpStatus: r.status, notice: { kind: 'error', text: r.message } });
        }
        const p = saved.urlPath;
        return done(request, reply, { kind: 'ok', text: `Saved: ${shownPath(langcode, p)} now shows ${saved.contentUrl === URL_DASHBOARD_ROUTE ? 'the URL dashboard' : saved.contentUrl}.`, link: { href: shell.siteHref(request, langcode, p), label: 'Open it →' } });
      }),
    { permission: 'pages.write', description: 'Saves an alias' },
  );

  // ——— Rename: move what is at an address to another, optionally leaving a 301 behind.
  async function renameForm(request: PmRequest, reply: PmReply, o: { langcode: string; path: string; occ: Occupant; to: string; leaveRedirect: boolean; error?: string; status?: number; notice?: Notice }): Promise<PmReply> {
    const L = request.pm.link;
    return shell.page(request, reply, {
      title: `Rename ${shownPath(o.langcode, o.path)}`,
      nav: 'urls',
      status: o.status,
      notice: o.notice,
      crumbs: await crumbs(request),
      lede: `Moves ${describeOccupant(o.occ)} to a new address.`,
      body: html`<section class="card"><form class="stack" method="post" action="${L('/pm/urls/rename')}" novalidate>${shell.csrf(request)}${hidden('path', o.path)}${hidden('lang', o.langcode)}
${fixed('Now at', shownPath(o.langcode, o.path))}
${input({ name: 'to', label: 'New address', value: o.to, required: true, error: o.error })}
${checkbox({ name: 'leaveRedirect', label: 'Leave a permanent redirect (301) at the old address', checked: o.leaveRedirect, help: 'Links and bookmarks to the old address keep working.' })}
<div class="button-row"><button class="btn-primary" type="submit">Rename</button><a class="btn" href="${await shell.urlDashboardHref(request)}">Cancel</a></div>
</form></section>`,
    });
  }

  router.get(
    '/pm/urls/rename',
    (request, reply) =>
      guarded(request, reply, async () => {
        const { langcode, path } = here(request);
        const occ = await addresses.occupant(request.pm.site.siteId, langcode, path);
        if (!occ) return problem(shell, request, reply, 404, `Nothing is stored at ${shownPath(langcode, path)}.`);
        if (occ.kind === 'page') return problem(shell, request, reply, 409, `${shownPath(langcode, path)} is made by a plugin and cannot be renamed here.`);
        return renameForm(request, reply, { langcode, path, occ, to: path, leaveRedirect: true });
      }),
    { permission: 'pages.write', description: 'Rename an address' },
  );

  router.post(
    '/pm/urls/rename',
    (request, reply) =>
      guarded(request, reply, async () => {
        const b = request.body;
        const siteId = request.pm.site.siteId;
        const langcode = langOf(request.pm.site, str(b, 'lang'));
        const path = server.normalizeUrlPath(str(b, 'path') || '/');
        const leaveRedirect = str(b, 'leaveRedirect') === '1';
        const toInput = str(b, 'to');
        const occ = await addresses.occupant(siteId, langcode, path);
        if (!occ) return problem(shell, request, reply, 404, `Nothing is stored at ${shownPath(langcode, path)}.`);
        if (occ.kind === 'page') return problem(shell, request, reply, 409, `${shownPath(langcode, path)} is made by a plugin and cannot be renamed here.`);
        let to: string;
        try {
          ({ to } = await addresses.rename(request.pm.site, langcode, path, toInput, { leaveRedirect }));
        } catch (e) {
          const r = refusalOf(e);
          const fieldError = r.fields?.path;
          const text = fieldError ? 'Nothing was renamed: see below.' : (r.fields?.[''] ?? r.message);
          return renameForm(request, reply, { langcode, path, occ, to: toInput, leaveRedirect, error: fieldError, status: r.fields ? 422 : r.status, notice: { kind: 'error', text } });
        }
        return done(request, reply, {
          kind: 'ok',
          text: `Renamed ${shownPath(langcode, path)} to ${shownPath(langcode, to)}.${leaveRedirect ? ' The old address redirects to the new one.' : ''}`,
          link: { href: shell.siteHref(request, langcode, to), label: 'Open it →' },
        });
      }),
    { permission: 'pages.write', description: 'Renames an address' },
  );

  // ——— Delete, after a confirmation page.
  const isHome = (langcode: string, path: string) => langcode === '' && path === '/';
  async function deleteForm(request: PmRequest, reply: PmReply, o: { langcode: string; path: string; occ: Occupant; refusal?: string; status?: number; homeError?: string }): Promise<PmReply> {
    const L = request.pm.link;
    const { trashDays } = await server.history.settings(request.pm.site.siteId);
    const back = await shell.urlDashboardHref(request);
    const shown = shownPath(o.langcode, o.path);
    const body = o.refusal
      ? html`<section class="card"><p>${shown} stays. Add another address for the URL dashboard first (an alias to it, such as /pm/admin), then this one can go.</p>
<div class="button-row"><a class="btn btn-primary" href="${L('/pm/urls/alias' + qs({ target: URL_DASHBOARD_ROUTE }))}">Add another address</a><a class="btn" href="${back}">Back</a></div></section>`
      : html`<section class="card"><p>Delete ${describeOccupant(o.occ)} at <strong>${shown}</strong>? Visitors will get “not found” there.
It goes to the <a href="${L('/pm/trash')}">trash</a> for ${trashDays} days, from where it can be restored at its address.</p>
${isHome(o.langcode, o.path) ? html`<p class="notice notice-warn">This is your <strong>home page</strong>: the first thing every visitor sees.</p>` : ''}
<form method="post" action="${L('/pm/urls/delete')}">${shell.csrf(request)}${hidden('path', o.path)}${hidden('lang', o.langcode)}
${isHome(o.langcode, o.path) ? html`<div class="pm-field${o.homeError ? ' has-error' : ''}"><label class="check" for="f-confirm_home"><input type="checkbox" id="f-confirm_home" name="confirm_home" value="yes"${o.homeError ? html` aria-invalid="true" aria-describedby="f-confirm_home-error"` : ''}> Yes, delete the home page</label>${o.homeError ? html`<p class="pm-field-error" id="f-confirm_home-error">${o.homeError}</p>` : ''}</div>` : ''}
<div class="button-row"><button class="btn-danger" type="submit">Delete ${shown}</button><a class="btn" href="${back}">Cancel</a></div></form></section>`;
    return shell.page(request, reply, {
      title: `Delete ${shown}`,
      nav: 'urls',
      status: o.status,
      notice: o.refusal ? { kind: 'error', text: o.refusal } : undefined,
      crumbs: await crumbs(request),
      body,
    });
  }

  router.get(
    '/pm/urls/delete',
    (request, reply) =>
      guarded(request, reply, async () => {
        const { langcode, path } = here(request);
        const siteId = request.pm.site.siteId;
        const occ = await addresses.occupant(siteId, langcode, path);
        if (!occ) return problem(shell, request, reply, 404, `Nothing is stored at ${shownPath(langcode, path)}.`);
        const refusal = await addresses.lastEntryRefusal(siteId, langcode, path);
        return deleteForm(request, reply, { langcode, path, occ, refusal: refusal?.message });
      }),
    { permission: 'pages.write', description: 'Delete an address' },
  );

  router.post(
    '/pm/urls/delete',
    (request, reply) =>
      guarded(request, reply, async () => {
        const b = request.body;
        const siteId = request.pm.site.siteId;
        const langcode = langOf(request.pm.site, str(b, 'lang'));
        const path = server.normalizeUrlPath(str(b, 'path') || '/');
        const occ = await addresses.occupant(siteId, langcode, path);
        if (!occ) return problem(shell, request, reply, 404, `Nothing is stored at ${shownPath(langcode, path)}; it may have been deleted already.`);
        if (isHome(langcode, path)) {
          // The home page needs more than pages.write, and an extra tick.
          if (!(await shell.can(request, 'site.settings'))) return problem(shell, request, reply, 403, 'Only an admin can delete the home page.');
          if (str(b, 'confirm_home') !== 'yes') return deleteForm(request, reply, { langcode, path, occ, status: 422, homeError: 'Tick the box to delete the home page; nothing was deleted.' });
        }
        try {
          await addresses.remove(siteId, langcode, path);
        } catch (e) {
          if (!isPmError(e, 'PM_ERR_LAST_URL_DASHBOARD')) throw e;
          return deleteForm(request, reply, { langcode, path, occ, refusal: e.message, status: e.status });
        }
        return done(request, reply, {
          kind: 'ok',
          text: `Deleted ${shownPath(langcode, path)}. It is in the trash if you need it back.`,
          link: { href: request.pm.link('/pm/trash'), label: 'Open the trash →' },
        });
      }),
    { permission: 'pages.write', description: 'Deletes an address' },
  );
}
