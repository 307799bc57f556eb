/**
 * The rules about addresses, written once for every door (the URL dashboard's
 * forms, the JSON API, plugins): which paths may hold what, where a redirect
 * may point, what an alias may show, renaming with a redirect left behind,
 * deleting, and the rule that the last way into the URL dashboard stays.
 *
 * Every write checks everything before it writes, so a refused write changes
 * nothing. A refusal is a PmError whose `fields` name what was wrong
 * (`path`, `target`, `status`, or `''` for the whole write) with a sentence
 * for people: the dashboard shows it beside the field, the API returns it.
 *
 * Writes that could take away the last way into the URL dashboard run under
 * the per-site lock of url-dashboard-entries.ts, which owns that rule.
 */
import { PmError } from '../errors/errors.js';
import type { FieldErrors } from '../forms/index.js';
import type { Db } from '../store/db.js';
import type { PageRecord, Site, TemplateUrl } from '../store/types.js';
import type { PageService } from './page-service.js';
import { REDIRECT_STATUSES } from './page-service.js';
import { createUrlDashboardEntries, routeMatches, type RouteRef } from './url-dashboard-entries.js';
import type { TemplateUrlInput, TemplateUrlService } from './template-url-service.js';
import { encodePath, normalizeUrlPath } from './url-path.js';

export { DEFAULT_URL_DASHBOARD_ALIAS, routeMatches, URL_DASHBOARD_PLUGIN, URL_DASHBOARD_ROUTE, type RouteRef } from './url-dashboard-entries.js';

/**
 * Prefixes the page store is never consulted for (the front handler skips
 * them), so nothing stored there would ever be served.
 */
export const NEVER_PAGES = [
  { prefix: '/pm-themes', why: 'Addresses under /pm-themes/ are reserved for theme files.' },
  { prefix: '/pm-uploads', why: 'Addresses under /pm-uploads/ are reserved for uploaded files.' },
  { prefix: '/pm/api', why: '/pm/api is never looked up as a page; pick another address under /pm/.' },
  { prefix: '/pm/assets', why: '/pm/assets is never looked up as a page; pick another address under /pm/.' },
] as const;

const MAX_TARGET = 2000;
const under = (path: string, prefix: string) => path === prefix || path.startsWith(prefix + '/');

/** What is stored at an address. */
export interface Occupant {
  kind: 'template' | 'page' | 'redirect' | 'alias';
  page?: PageRecord;
  template?: TemplateUrl;
}

export function describeOccupant(o: Occupant): string {
  return { template: 'a page', page: 'a page made by a plugin', redirect: 'a redirect', alias: 'an alias' }[o.kind];
}

/** The address as a visitor sees it, language prefix included (without a ~tilde). */
export function shownPath(langcode: string, path: string): string {
  return (langcode ? `/${langcode}` : '') + path;
}

/** A refusal about the address itself: PM_ERR_PATH_INVALID, with the sentence under `fields.path`. */
function refusePath(path: string, sentence: string): PmError {
  const reason = sentence.replace(/\.$/, '').replace(/^[A-Z](?![A-Z])/, (c) => c.toLowerCase());
  return new PmError('PM_ERR_PATH_INVALID', { path: JSON.stringify(path), reason }, { fields: { path: sentence } });
}

const refuse = (field: string, sentence: string) => new PmError('PM_ERR_VALIDATION', {}, { fields: { [field]: sentence } });

type Lang = { siteId: string; langcode: string };

export interface AddressService {
  /**
   * The canonical form of an address something may be written at, or a
   * PM_ERR_PATH_INVALID refusal. Under /pm/ only an alias into the URL
   * dashboard may go (`aliasTo`), and never at the path of a route.
   */
  checkPath(input: string, o?: { aliasTo?: string }): string;
  /** Where a redirect at `from` may send visitors: a path on this site or an http(s) address. Refusal under `fields.target`. */
  checkRedirectTarget(input: string, from?: string): string;
  /**
   * What an alias at `at` may show: a stored page (not a redirect or another
   * alias: the page store follows one hop) or a GET route, parameters
   * included (`/fruits/:name` serves `/fruits/apple`). Refusal under `fields.target`.
   */
  checkAliasTarget(where: Lang, input: string, at?: string): Promise<{ contentUrl: string; pseudoroute: boolean }>;
  /** What is stored at an address now. */
  occupant(siteId: string, langcode: string, path: string): Promise<Occupant | undefined>;

  /**
   * Stores page HTML a user wrote (replacing what is there, template data
   * included); script only from an author holding pages.raw-html, and never on
   * a ~tilde site (see PageService.setRawHtml). `sanitised` says whether it was cleaned.
   */
  setHtml(where: Lang, pathInput: string, html: string, author: { holdsRawHtml: boolean; tildeSite: boolean }, o?: { hidden?: boolean }): Promise<{ urlPath: string; existed: boolean; sanitised: boolean }>;
  /** A URL redirect. `replace: false` refuses an address that holds something (`fields.path`). */
  redirect(where: Lang, pathInput: string, targetInput: string, status: number, o?: { replace?: boolean }): Promise<{ urlPath: string; target: string; existed: boolean }>;
  /** A content redirect: the address shows what `contentInput` serves. */
  alias(where: Lang, pathInput: string, contentInput: string, o?: { replace?: boolean }): Promise<{ urlPath: string; contentUrl: string; existed: boolean }>;
  /** Template data at an address (the page is rendered and stored); data that does not fit the template's schema comes back as its field errors. */
  saveTemplate(input: TemplateUrlInput, o?: { replace?: boolean }): Promise<{ ok: true; urlPath: string; existed: boolean } | { ok: false; errors: FieldErrors }>;
  /**
   * Moves a page, redirect or alias to a new address (written before the old
   * one goes, so a failure half-way leaves it reachable), optionally leaving a
   * 301 at the old address. The new address's refusals are under `fields.path`.
   */
  rename(site: Site, langcode: string, from: string, toInput: string, o: { leaveRedirect: boolean }): Promise<{ to: string }>;
  /** Deletes what is at an address (template data and its page alike), into the trash; false when nothing was there. */
  remove(siteId: string, langcode: string, path: string): Promise<boolean>;

  /** The refusal (PM_ERR_LAST_URL_DASHBOARD) a delete of this address would get now, if any. */
  lastEntryRefusal(siteId: string, langcode: string, path: string): Promise<PmError | undefined>;
  /** Every alias (any locale, hidden or not) that leads to the URL dashboard, read from the page store now. */
  urlDashboardEntries(siteId: string): Promise<PageRecord[]>;
  /** Whether a content URL leads to a URL dashboard pseudoroute. */
  leadsToUrlDashboard(contentUrl: string): boolean;
  /** A visitor's link to a page of a site: its ~tilde, the langcode, the path percent-encoded. */
  siteHref(site: Pick<Site, 'tildePrefix'>, langcode: string, urlPath: string): string;
}

export function createAddressService(deps: {
  db: Db;
  pages: PageService;
  templates: TemplateUrlService;
  /** Every route plugins registered, read on each call (routes are registered after services are built). */
  routes: () => readonly RouteRef[];
  /** The site, for its languages: an address in the default language that starts with another's prefix can never be reached. */
  getSite?: (siteId: string) => Site | undefined;
  /** Keeps what a delete of a redirect, an alias or stored HTML takes away (history-service's onRemovePage). */
  trash?: (old: PageRecord) => Promise<void>;
}): AddressService {
  const { pages, templates } = deps;
  const entries = createUrlDashboardEntries({ db: deps.db, pages, routes: deps.routes });
  const { leadsToUrlDashboard, assertCanReplace, locked } = entries;

  function checkPath(input: string, o: { aliasTo?: string } = {}): string {
    const raw = typeof input === 'string' ? input.trim() : '';
    if (!raw) throw refusePath(raw, 'Enter an address, such as /about.');
    if (/(^|\/)\.\.?(\/|$)/.test(raw)) throw refusePath(raw, 'An address cannot contain “.” or “..” segments.');
    if (/\s/.test(raw)) {
      const suggestion = '/' + raw.replace(/^\/+/, '').trim().replace(/\s+/g, '-').toLowerCase();
      throw refusePath(raw, `An address cannot contain spaces; use - between words instead, such as ${suggestion}.`);
    }
    let path: string;
    try {
      // Addresses are stored in lower case (README: "Addresses"): /About-Us is saved as /about-us.
      path = normalizeUrlPath(raw.startsWith('/') ? raw : '/' + raw).toLowerCase();
    } catch (e) {
      if (e instanceof PmError) throw new PmError('PM_ERR_PATH_INVALID', e.params, { fields: { path: e.message }, cause: e });
      throw e;
    }
    for (const r of NEVER_PAGES) if (under(path, r.prefix)) throw refusePath(path, r.why);
    if (under(path, '/pm')) {
      if (o.aliasTo === undefined || !leadsToUrlDashboard(o.aliasTo)) {
        throw refusePath(path, 'Addresses under /pm/ belong to the dashboard; only an alias to the URL dashboard may go there.');
      }
      if (path === '/pm') throw refusePath(path, '/pm is never looked up as a page; pick another address under /pm/.');
      const route = deps.routes().find((r) => routeMatches(r.url.replace(/(.)\/$/, '$1'), path));
      if (route) throw refusePath(path, `${path} is already a page of the ${route.plugin} plugin.`);
    }
    return path;
  }

  /** An address in the default language under an enabled language's prefix (/fr/x) is read as that language's /x: refuse it. */
  function assertReachable(where: Lang, path: string): void {
    if (where.langcode !== '') return;
    const site = deps.getSite?.(where.siteId);
    if (!site) return;
    const first = path.split('/')[1]?.toLowerCase() ?? '';
    if (first && first !== site.defaultLocale && site.enabledLocales.includes(first)) {
      const rest = path.slice(first.length + 1) || '/';
      throw refusePath(path, `Nobody could ever reach ${path}: addresses starting with /${first}/ are the ${first} versions of pages. Save it in ${first} as ${rest}, or pick another address.`);
    }
  }

  /** Where a redirect on this site leads, hop by hop: refuses a loop (naming it) and a chain (pointing at another redirect). */
  async function assertNoLoop(where: Lang, from: string, target: string): Promise<void> {
    if (!target.startsWith('/')) return;
    const pathOf = (t: string): string | undefined => {
      let p = t.replace(/[?#].*$/, '');
      if (where.langcode && (p === `/${where.langcode}` || p.startsWith(`/${where.langcode}/`))) p = p.slice(where.langcode.length + 1) || '/';
      try {
        return normalizeUrlPath(p).toLowerCase();
      } catch {
        return undefined;
      }
    };
    const seen = [from];
    let at = pathOf(target);
    for (let hops = 0; at !== undefined && hops < 20; hops++) {
      if (seen.includes(at)) {
        const loop = [...seen, at].map((p) => shownPath(where.langcode, p)).join(' → ');
        throw refuse('target', `That would make a loop that never ends: ${loop}. Point ${shownPath(where.langcode, from)} at a page instead.`);
      }
      const page = await pages.get(where.siteId, where.langcode, at);
      if (!page || page.kind !== 'redirect' || !page.redirectUrl) return;
      if (hops === 0 && !page.redirectUrl.startsWith('/')) {
        throw refuse('target', `${shownPath(where.langcode, at)} is itself a redirect, to ${page.redirectUrl}; point ${shownPath(where.langcode, from)} straight there instead.`);
      }
      seen.push(at);
      const next = pathOf(page.redirectUrl);
      if (hops === 0 && next !== undefined && next !== from) {
        throw refuse('target', `${shownPath(where.langcode, at)} is itself a redirect, to ${page.redirectUrl}; point ${shownPath(where.langcode, from)} straight there instead.`);
      }
      at = next;
    }
  }

  function checkRedirectTarget(input: string, from?: string): string {
    const t = typeof input === 'string' ? input.trim() : '';
    const no = (sentence: string) => refuse('target', sentence);
    if (!t) throw no('Enter where visitors should go: a path such as /new-page, or a full address such as https://example.com/.');
    // Spaces and other characters are fine: the page service percent-encodes the Location it sends.
    if (/[\u0000-\u001f\u007f]/.test(t)) throw no('An address cannot contain control characters or line breaks.');
    if (t.includes('\\')) throw no('An address cannot contain a backslash.');
    if (t.length > MAX_TARGET) throw no(`The address is longer than ${MAX_TARGET} characters.`);
    if (t.startsWith('/')) {
      if (t.startsWith('//')) throw no('Start a path on this site with a single /, or write the full address with https://.');
      if (from !== undefined) {
        // Compared as the page store keys it: /old/, /ol%64 and /old?x=1 all lead back to /old.
        let same: boolean;
        try {
          same = normalizeUrlPath(t.replace(/[?#].*$/, '')) === from;
        } catch {
          same = false;
        }
        if (same) throw no('A redirect to itself would never end; pick another target.');
      }
      return t;
    }
    let u: URL;
    try {
      u = new URL(t);
    } catch {
      throw no('Enter a path starting with /, or a full address starting with https:// or http://.');
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw no('Only http:// and https:// addresses can be redirect targets.');
    return t;
  }

  async function occupant(siteId: string, langcode: string, path: string): Promise<Occupant | undefined> {
    const template = await templates.get(siteId, langcode, path);
    if (template) return { kind: 'template', template, page: await pages.get(siteId, langcode, path) };
    const page = await pages.get(siteId, langcode, path);
    if (!page) return undefined;
    // A language's rendered copy of the default page is a fallback, not an occupant: its translation may take the address.
    if (page.kind === 'html' && langcode !== '' && (await templates.get(siteId, '', path))) return undefined;
    return { kind: page.kind === 'redirect' ? 'redirect' : page.kind === 'content' ? 'alias' : 'page', page };
  }

  async function checkAliasTarget(where: Lang, input: string, at?: string): Promise<{ contentUrl: string; pseudoroute: boolean }> {
    const t = typeof input === 'string' ? input.trim() : '';
    if (!t) throw refuse('target', 'Enter the address whose content to show, such as /about.');
    let contentUrl: string;
    try {
      contentUrl = normalizeUrlPath(t.startsWith('/') ? t : '/' + t);
    } catch (e) {
      if (e instanceof PmError) throw refuse('target', e.message);
      throw e;
    }
    if (at !== undefined && contentUrl === at) throw refuse('target', 'An alias cannot show itself; pick another address.');
    const route = deps.routes().find((r) => (r.method === 'GET' || r.method === 'HEAD') && routeMatches(r.url, contentUrl));
    if (route) return { contentUrl, pseudoroute: route.pseudoroute };
    const occ = await occupant(where.siteId, where.langcode, contentUrl);
    const shown = shownPath(where.langcode, contentUrl);
    if (!occ) throw refuse('target', `Nothing is at ${shown}: create that page first, or check the address.`);
    if (occ.kind === 'redirect' || occ.kind === 'alias') throw refuse('target', `${shown} is itself ${describeOccupant(occ)}; point to the page it leads to.`);
    return { contentUrl, pseudoroute: false };
  }

  /** Under the lock: refuses an occupied address unless replacing, and the last way into the URL dashboard. */
  async function prepare(where: Lang, urlPath: string, replace: boolean, replacement?: string): Promise<boolean> {
    const occ = await occupant(where.siteId, where.langcode, urlPath);
    if (occ && !replace) {
      throw refuse('path', `Something is already at ${shownPath(where.langcode, urlPath)}: ${describeOccupant(occ)}. Pick another address, or edit that one.`);
    }
    await assertCanReplace(where.siteId, where.langcode, urlPath, replacement);
    return occ !== undefined;
  }

  /** Raw writes replace a template URL's page; its data goes too, so a theme reload does not bring the old page back. */
  async function dropTemplate(where: Lang, urlPath: string): Promise<void> {
    if (await templates.get(where.siteId, where.langcode, urlPath)) await templates.remove(where.siteId, where.langcode, urlPath);
  }

  const siteHref = (site: Pick<Site, 'tildePrefix'>, langcode: string, urlPath: string) =>
    (site.tildePrefix ? `/~${site.tildePrefix}` : '') + (langcode ? `/${langcode}` : '') + encodePath(urlPath);

  return {
    checkPath,
    checkRedirectTarget,
    checkAliasTarget,
    occupant,

    async setHtml(where, pathInput, html, author, o = {}) {
      const urlPath = checkPath(pathInput);
      assertReachable(where, urlPath);
      return locked(where.siteId, async () => {
        const existed = await prepare(where, urlPath, true);
        await dropTemplate(where, urlPath);
        const { sanitised } = await pages.setRawHtml(where.siteId, where.langcode, urlPath, html, author, { hidden: o.hidden ?? false });
        return { urlPath, existed, sanitised };
      });
    },

    async redirect(where, pathInput, targetInput, status, o = {}) {
      let urlPath: string | undefined;
      const fields: Record<string, string> = {};
      // Every field's refusal at once, as a form shows them.
      try {
        urlPath = checkPath(pathInput);
      } catch (e) {
        if (!(e instanceof PmError) || !e.fields) throw e;
        Object.assign(fields, e.fields);
      }
      let target = '';
      try {
        target = checkRedirectTarget(targetInput, urlPath);
      } catch (e) {
        if (!(e instanceof PmError) || !e.fields) throw e;
        Object.assign(fields, e.fields);
      }
      if (!(REDIRECT_STATUSES as readonly number[]).includes(status)) fields.status = `Pick one of ${REDIRECT_STATUSES.join(', ')}.`;
      if (Object.keys(fields).length || urlPath === undefined) {
        if (fields.path && Object.keys(fields).length === 1 && urlPath === undefined) throw refusePath(String(pathInput).trim(), fields.path);
        throw new PmError('PM_ERR_VALIDATION', {}, { fields });
      }
      const path = urlPath;
      assertReachable(where, path);
      await assertNoLoop(where, path, target);
      return locked(where.siteId, async () => {
        const existed = await prepare(where, path, o.replace ?? true);
        await dropTemplate(where, path);
        await pages.redirect(where.siteId, where.langcode, path, target, status);
        return { urlPath: path, target, existed };
      });
    },

    async alias(where, pathInput, contentInput, o = {}) {
      // The target first: whether it is the URL dashboard decides whether /pm/ is allowed.
      let target: { contentUrl: string; pseudoroute: boolean } | undefined;
      let targetError: PmError | undefined;
      const trimmed = typeof pathInput === 'string' ? pathInput.trim() : '';
      let at: string | undefined;
      try {
        at = normalizeUrlPath(trimmed.startsWith('/') ? trimmed : '/' + trimmed);
      } catch {
        at = undefined;
      }
      try {
        target = await checkAliasTarget(where, contentInput, at);
      } catch (e) {
        if (!(e instanceof PmError) || !e.fields) throw e;
        targetError = e;
      }
      let urlPath: string | undefined;
      let pathError: PmError | undefined;
      try {
        urlPath = checkPath(pathInput, { aliasTo: target?.contentUrl });
      } catch (e) {
        if (!(e instanceof PmError) || !e.fields) throw e;
        pathError = e;
      }
      if (pathError && !targetError) throw pathError;
      if (targetError && !pathError) throw targetError;
      if (pathError && targetError) throw new PmError('PM_ERR_VALIDATION', {}, { fields: { ...pathError.fields, ...targetError.fields } });
      const path = urlPath!;
      assertReachable(where, path);
      const { contentUrl, pseudoroute } = target!;
      return locked(where.siteId, async () => {
        const existed = await prepare(where, path, o.replace ?? true, contentUrl);
        await dropTemplate(where, path);
        await pages.alias(where.siteId, where.langcode, path, contentUrl, { pseudoroute });
        return { urlPath: path, contentUrl, existed };
      });
    },

    async saveTemplate(input, o = {}) {
      const urlPath = checkPath(input.urlPath);
      const where = { siteId: input.siteId, langcode: input.langcode };
      assertReachable(where, urlPath);
      return locked(input.siteId, async () => {
        const existed = (await templates.get(input.siteId, input.langcode, urlPath)) !== undefined;
        await prepare(where, urlPath, o.replace ?? true);
        const r = await templates.save({ ...input, urlPath });
        return r.ok ? { ok: true as const, urlPath, existed } : r;
      });
    },

    async rename(site, langcode, from, toInput, o) {
      const occ = await occupant(site.siteId, langcode, from);
      if (!occ) throw new PmError('PM_ERR_NOT_FOUND', { what: shownPath(langcode, from) });
      if (occ.kind === 'page') throw refuse('', `${shownPath(langcode, from)} is made by a plugin and cannot be renamed here.`);
      const to = checkPath(toInput, { aliasTo: occ.kind === 'alias' ? (occ.page?.contentUrl ?? undefined) : undefined });
      if (to === from) throw refuse('path', 'That is the address it has now; type the new one.');
      assertReachable({ siteId: site.siteId, langcode }, to);
      return locked(site.siteId, async () => {
        const there = await occupant(site.siteId, langcode, to);
        if (there) throw refuse('path', `${shownPath(langcode, to)} is already ${describeOccupant(there)}. Delete it first, or pick another address.`);
        // Write the new address first, then remove the old: a failure half-way leaves the content reachable.
        if (occ.kind === 'template') {
          // Its revisions go along (see TemplateUrlService.move).
          const r = await templates.move(site.siteId, langcode, from, to);
          if (!r.ok) throw refuse('', 'The page’s content no longer fits its template; edit and save it first, then rename it.');
        } else if (occ.kind === 'redirect') {
          await pages.redirect(site.siteId, langcode, to, occ.page!.redirectUrl!, occ.page!.redirectStatus ?? 301);
          await pages.delete(site.siteId, langcode, from);
        } else {
          await pages.alias(site.siteId, langcode, to, occ.page!.contentUrl!, { pseudoroute: occ.page!.pseudoroute });
          await assertCanReplace(site.siteId, langcode, from);
          await pages.delete(site.siteId, langcode, from);
        }
        if (o.leaveRedirect) await pages.redirect(site.siteId, langcode, from, siteHref(site, langcode, to), 301);
        return { to };
      });
    },

    async remove(siteId, langcode, path) {
      return locked(siteId, async () => {
        await assertCanReplace(siteId, langcode, path);
        if (await templates.get(siteId, langcode, path)) return templates.remove(siteId, langcode, path);
        // A redirect, an alias or stored HTML goes to the trash first (if that fails, nothing is deleted); not a language's render of the default page.
        const page = await pages.get(siteId, langcode, path);
        if (page && (await occupant(siteId, langcode, path))) await deps.trash?.(page);
        return pages.delete(siteId, langcode, path);
      });
    },

    lastEntryRefusal: entries.lastEntryRefusal,
    urlDashboardEntries: entries.urlDashboardEntries,
    leadsToUrlDashboard,
    siteHref,
  };
}
