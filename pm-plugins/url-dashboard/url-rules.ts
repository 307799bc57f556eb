/**
 * What may be stored at an address, checked before anything is written so
 * that a refused submission changes nothing: path rules, what already lives
 * at an address, where a redirect may point, and the rule that the last way
 * into the URL dashboard cannot be removed.
 */
import { isPmError, PmError } from '../../src/errors/errors.js';
import type { PageRecord, PluginServer, TemplateUrl } from '../../src/plugins/api.js';
import { URL_DASHBOARD_ROUTE } from '../dashboard/layout.js';
import { createUrlDashboardGuard } from './entry-guard.js';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Prefixes the page store never consults (see the front handler), so nothing stored there would ever be served. */
const NEVER_PAGES = ['/pm/api', '/pm/assets'];
const RESERVED = [
  { prefix: '/pm-themes', why: 'Addresses under /pm-themes/ are reserved for theme files.' },
  { prefix: '/pm-uploads', why: 'Addresses under /pm-uploads/ are reserved for uploaded files.' },
];
const under = (path: string, prefix: string) => path === prefix || path.startsWith(prefix + '/');

export interface Occupant {
  kind: 'template' | 'page' | 'redirect' | 'alias';
  page?: PageRecord;
  template?: TemplateUrl;
}

export function describeOccupant(o: Occupant): string {
  return { template: 'a page', page: 'a page made by a plugin', redirect: 'a redirect', alias: 'an alias' }[o.kind];
}

export function createUrlRules(server: PluginServer) {
  /**
   * An address for a page, a redirect or an alias. Under /pm/ only an alias
   * to the URL dashboard is allowed, and never over one of the dashboard's own pages.
   */
  function checkPath(input: string, o: { dashboardAlias?: boolean } = {}): Checked<string> {
    const raw = input.trim();
    if (!raw) return { ok: false, error: 'Enter an address, such as /about.' };
    if (/(^|\/)\.\.?(\/|$)/.test(raw)) return { ok: false, error: 'An address cannot contain “.” or “..” segments.' };
    let path: string;
    try {
      path = server.normalizeUrlPath(raw.startsWith('/') ? raw : '/' + raw);
    } catch (e) {
      if (!isPmError(e, 'PM_ERR_PATH_INVALID')) throw e;
      return { ok: false, error: e.message };
    }
    for (const r of RESERVED) if (under(path, r.prefix)) return { ok: false, error: r.why };
    if (under(path, '/pm')) {
      if (!o.dashboardAlias) return { ok: false, error: 'Addresses under /pm/ belong to the dashboard; only an alias to the URL dashboard may go there.' };
      if (path === '/pm' || NEVER_PAGES.some((p) => under(path, p))) return { ok: false, error: `${path} is never looked up as a page; pick another address under /pm/.` };
      const route = server.routes().find((r) => r.url.replace(/\/$/, '') === path);
      if (route) return { ok: false, error: `${path} is already a page of the ${route.plugin} plugin.` };
    }
    return { ok: true, value: path };
  }

  /** Where a URL redirect may send visitors: a path on this site, or an http(s) address. */
  function checkTarget(input: string, from?: string): Checked<string> {
    const t = input.trim();
    if (!t) return { ok: false, error: 'Enter where visitors should go: a path such as /new-page, or a full address such as https://example.com/.' };
    if (/[\s\u0000-\u001f\u007f]/.test(t)) return { ok: false, error: 'An address cannot contain spaces or control characters.' };
    if (t.length > 2000) return { ok: false, error: 'The address is longer than 2000 characters.' };
    if (t.startsWith('/')) {
      if (t.startsWith('//') || t.startsWith('/\\')) return { ok: false, error: 'Start a path on this site with a single /, or write the full address with https://.' };
      if (from !== undefined && t.replace(/[?#].*$/, '').replace(/(.)\/$/, '$1') === from) return { ok: false, error: 'A redirect to itself would never end; pick another target.' };
      return { ok: true, value: t };
    }
    let u: URL;
    try {
      u = new URL(t);
    } catch {
      return { ok: false, error: 'Enter a path starting with /, or a full address starting with https:// or http://.' };
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return { ok: false, error: 'Only http:// and https:// addresses can be redirect targets.' };
    return { ok: true, value: t };
  }

  /** What is stored at an address now: a template page, another page, a redirect or an alias. */
  async function occupant(siteId: string, langcode: string, path: string): Promise<Occupant | undefined> {
    const template = await server.templates.get(siteId, langcode, path);
    if (template) return { kind: 'template', template, page: await server.pages.get(siteId, langcode, path) };
    const page = await server.pages.get(siteId, langcode, path);
    if (!page) return undefined;
    // A language's rendered copy of the default page is a fallback, not an occupant: its translation may take the address.
    if (page.kind === 'html' && langcode !== '' && (await server.templates.get(siteId, '', path))) return undefined;
    return { kind: page.kind === 'redirect' ? 'redirect' : page.kind === 'content' ? 'alias' : 'page', page };
  }

  /** A GET route registered at exactly this path (pseudoroutes included). */
  function routeAt(path: string) {
    return server.routes().find((r) => (r.method === 'GET' || r.method === 'HEAD') && !/[:*]/.test(r.url) && (r.url.replace(/(.)\/$/, '$1') === path));
  }

  const guard = createUrlDashboardGuard(server);
  return {
    checkPath,
    checkTarget,
    occupant,
    routeAt,
    /** Throws PM_ERR_LAST_URL_DASHBOARD when the write would take away the last way into the URL dashboard. */
    assertNotLastEntry: guard.assertCanReplace,
    /** Runs that check and its write with no other such write on the site in between. */
    locked: guard.locked,
  };
}

export type UrlRules = ReturnType<typeof createUrlRules>;
