/**
 * The site's not-found page: a page the owner made and edits like any other,
 * whose stored HTML answers every unknown address of the site with status 404.
 * It is the page chosen in Site settings, else the first page (by address, in
 * the default language) made from its theme's not-found template (`notFound`
 * in theme.json, `404` in both built-in themes). Without one, the front door
 * renders the active theme's not-found template as before.
 *
 * Which address that is, is kept in memory per site and worked out again after
 * a page of the site changes (and at least every TTL, for writes made by other
 * instances); the answer itself is read from the page store, in the visitor's
 * language (a language without its own version has the default's rendered
 * under its prefix).
 */
import type { SiteSettingStore } from '../store/site-setting-store.js';
import type { TemplateUrlStore } from '../store/types.js';
import type { ServablePage } from './page-cache.js';
import type { PageService } from './page-service.js';
import type { TemplateUrlService } from './template-url-service.js';
import { normalizeUrlPath } from './url-path.js';

export type StoredHtml = Extract<ServablePage, { kind: 'html' }>;

export interface NotFoundPage {
  /** The address of the site's not-found page, or undefined (the theme's template is rendered instead). */
  path(siteId: string): Promise<string | undefined>;
  /** The stored page an unknown address of the site answers with, in `langcode`. */
  page(siteId: string, langcode: string): Promise<{ page: StoredHtml; fromCache: boolean } | undefined>;
  /** The address chosen in Site settings ('' when the site uses its 404 template's page). */
  chosen(siteId: string): Promise<string>;
  /** Checks a choice as typed: '' (automatic) or the address of a page made from a template. */
  check(siteId: string, input: string): Promise<{ ok: true; value: string } | { ok: false; error: string }>;
  /** Checks and stores the choice; nothing is stored when it is refused. */
  choose(siteId: string, input: string): Promise<{ ok: true; value: string } | { ok: false; error: string }>;
  /** A page of the site changed: work the address out again on the next miss. */
  invalidate(siteId: string): void;
}

const SETTING = 'notFoundPage';
const TTL_MS = 10_000;

export function createNotFoundPage(opts: {
  pages: PageService;
  templates: () => TemplateUrlService;
  /** Read by (theme, template), an indexed lookup: the site's pages are never all listed. */
  store: Pick<TemplateUrlStore, 'listByTemplate'>;
  settings: SiteSettingStore;
  /** Each theme's not-found template (theme.json `notFound`), for the themes that have one. */
  notFoundTemplates: () => { themeId: string; templateName: string }[];
  now?: () => number;
}): NotFoundPage {
  const now = opts.now ?? Date.now;
  const known = new Map<string, { at: number; path: Promise<string | undefined> }>();

  async function chosen(siteId: string): Promise<string> {
    const v = (await opts.settings.all(siteId))[SETTING];
    return typeof v === 'string' ? v : '';
  }

  async function resolve(siteId: string): Promise<string | undefined> {
    const choice = await chosen(siteId);
    if (choice && (await opts.templates().get(siteId, '', choice))) return choice;
    const made: string[] = [];
    for (const n of opts.notFoundTemplates()) {
      for (const t of await opts.store.listByTemplate(n.themeId, n.templateName)) if (t.siteId === siteId && t.langcode === '') made.push(t.urlPath);
    }
    return made.sort()[0];
  }

  function path(siteId: string): Promise<string | undefined> {
    const k = known.get(siteId);
    if (k && now() - k.at < TTL_MS) return k.path;
    const p = resolve(siteId);
    known.set(siteId, { at: now(), path: p });
    p.catch(() => known.delete(siteId));
    return p;
  }

  async function check(siteId: string, input: string): Promise<{ ok: true; value: string } | { ok: false; error: string }> {
    const raw = input.trim();
    if (!raw) return { ok: true, value: '' };
    let p: string;
    try {
      p = normalizeUrlPath(raw.startsWith('/') ? raw : '/' + raw).toLowerCase();
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    if (!(await opts.templates().get(siteId, '', p))) return { ok: false, error: `There is no page at ${p}. Make it first (from the “Page not found” template, or any other), or leave this empty.` };
    return { ok: true, value: p };
  }

  return {
    path,
    async page(siteId, langcode) {
      const p = await path(siteId);
      if (p === undefined) return undefined;
      for (const l of langcode ? [langcode, ''] : ['']) {
        const r = await opts.pages.lookup(siteId, l, p);
        // A hidden page is a draft: visitors get the theme's page until it is published.
        if (r.page.kind === 'html' && !r.page.hidden) return { page: r.page, fromCache: r.fromCache };
      }
      return undefined;
    },
    chosen,
    check,
    async choose(siteId, input) {
      const c = await check(siteId, input);
      if (!c.ok) return c;
      await opts.settings.set(siteId, SETTING, c.value);
      known.delete(siteId);
      return c;
    },
    invalidate: (siteId) => void known.delete(siteId),
  };
}
