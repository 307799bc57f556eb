/** Small pieces the URL dashboard's pages share. */
import { html, PmError, select, str, type DashboardShell, type PmReply, type PmRequest, type SafeHtml, type Site } from '../../src/plugins/plugin.js';

export { shownPath } from '../../src/plugins/plugin.js';

/** Locales a page can be written in: '' (the default, no prefix) and the other enabled ones. */
export function pageLocales(site: Site): string[] {
  return ['', ...site.enabledLocales.filter((l) => l !== site.defaultLocale)];
}

/** The langcode of a query or body (`lang`), '' when absent; anything the site does not have is refused. */
export function langOf(site: Site, value: unknown): string {
  const v = typeof value === 'string' ? value : '';
  if (!pageLocales(site).includes(v)) throw new PmError('PM_ERR_BAD_REQUEST', { detail: `The site has no language “${v.slice(0, 20)}”.` });
  return v;
}

/** A language picker when the site has more than one language; a hidden input otherwise. */
export function langField(site: Site, name: string, value: string, error?: string): SafeHtml {
  const locales = pageLocales(site);
  if (locales.length === 1) return html`<input type="hidden" name="${name}" value="">`;
  return select({
    name,
    label: 'Language',
    value,
    error,
    options: locales.map((l) => ({ value: l, label: l ? `${l} (addresses start with /${l})` : `${site.defaultLocale}, the default (no prefix)` })),
  });
}

export function query(request: PmRequest, name: string): string {
  return str(request.query, name);
}

export async function problem(shell: DashboardShell, request: PmRequest, reply: PmReply, status: number, message: string): Promise<PmReply> {
  const back = await shell.urlDashboardHref(request);
  return shell.page(request, reply, {
    title: status === 404 ? 'Nothing here' : 'That did not work',
    nav: 'urls',
    status,
    crumbs: [{ href: back, label: 'Pages & URLs' }],
    notice: { kind: 'error', text: message },
    body: html`<p><a class="btn" href="${back}">Back to Pages &amp; URLs</a></p>`,
  });
}
