/**
 * Site menus: a primary menu (the header) and a footer menu, per language.
 * A language without its own menu shows the default language's. Saving a
 * menu checks every link (the address rules), stores it, and renders again
 * exactly the pages that show it — a page whose own `nav` field is filled
 * overrides the primary menu, so it is left alone when only that changes.
 * Plugins that store pages of their own showing the menus (the blog) hear of
 * the change through `onChange` and render theirs; the save lists them too.
 */
import type { Db } from '../store/db.js';
import type { MenuLink, MenuStore } from '../store/menu-store.js';
import type { Site, TemplateUrl } from '../store/types.js';
import { checkLinkUrl } from './link-url.js';
import type { TemplateUrlService } from './template-url-service.js';
import { normalizeUrlPath } from './url-path.js';

export type { MenuLink } from '../store/menu-store.js';

export const MENU_NAMES = ['primary', 'footer'] as const;
export type MenuName = (typeof MENU_NAMES)[number];
export type SiteMenus = Record<MenuName, MenuLink[]>;

export const MENU_MAX_LINKS = 40;
export const MENU_LABEL_MAX = 60;

/** One row of the menu editor: a flat list where `nested` puts a link under the one above it. */
export interface MenuRowInput {
  label: string;
  /** A page of the site (its address), chosen from a list; '' when `url` is used. */
  page: string;
  /** An address typed by hand: external, mailto:, tel: or a path. */
  url: string;
  nested: boolean;
}

/** Messages keyed by the editor's field names: `items[2][url]`. */
export type MenuErrors = Record<string, string>;

export interface RenderedPage {
  langcode: string;
  urlPath: string;
}

/** A menu was saved or reset: the pages of these render langcodes show it now. */
export interface MenuChange {
  siteId: string;
  name: MenuName;
  /** '' is the default language; a language without its own menu shows the default's and is listed with it. */
  langcodes: string[];
}

/**
 * A plugin that stores pages of its own showing the menus (the blog) renders
 * them again here and says which. Awaited by the save, whose answer lists
 * them with the template pages.
 */
export type MenuChangeListener = (change: MenuChange) => Promise<RenderedPage[] | void>;

export interface MenuService {
  /** The menus a page in `langcode` shows ('' = the default language). */
  forRender(siteId: string, langcode: string): Promise<SiteMenus>;
  /** A language's own menu, or undefined when it shows the default language's. */
  own(siteId: string, langcode: string, name: MenuName): Promise<MenuLink[] | undefined>;
  /** The editor's rows as stored links, or the errors beside each field. */
  check(siteId: string, rows: MenuRowInput[]): Promise<{ ok: true; items: MenuLink[] } | { ok: false; errors: MenuErrors }>;
  /** Checks, stores, and renders again the pages that show this menu (listed in the answer). Nothing is stored when a row is refused. */
  save(siteId: string, langcode: string, name: MenuName, rows: MenuRowInput[]): Promise<{ ok: true; rerendered: RenderedPage[] } | { ok: false; errors: MenuErrors }>;
  /** Drops a language's own menu (it shows the default's again). */
  reset(siteId: string, langcode: string, name: MenuName): Promise<{ rerendered: RenderedPage[] }>;
  /** The editor's rows for stored links (page links become a choice from the list). */
  toRows(items: MenuLink[], pagePaths: ReadonlySet<string>): MenuRowInput[];
  /**
   * Hears every menu change after the template pages were rendered again; what
   * the listener renders is added to the save's `rerendered`. A listener that
   * fails does not undo the save (the menu is stored); it should log its own error.
   * Returns a function that stops listening.
   * @example server.menus.onChange(async ({ siteId, langcodes }) => renderMyPages(siteId, langcodes))
   */
  onChange(listener: MenuChangeListener): () => void;
  start(): Promise<void>;
  close(): Promise<void>;
}

const CHANNEL = 'pm_menu_changed';

/** True when the page's own `nav` field is filled, so the site's primary menu does not show on it. */
export function hasOwnNav(data: unknown): boolean {
  const nav = data && typeof data === 'object' ? (data as { nav?: unknown }).nav : undefined;
  return Array.isArray(nav) && nav.length > 0;
}

export function createMenuService(opts: {
  db: Db;
  store: MenuStore;
  /** Resolved lazily: the template service renders with these menus, and this service asks it to re-render. */
  templates: () => TemplateUrlService;
  getSite: (siteId: string) => Site | undefined;
}): MenuService {
  const { db, store } = opts;
  const cache = new Map<string, Promise<Map<string, MenuLink[]>>>();
  const listeners = new Set<MenuChangeListener>();
  let unlisten: (() => Promise<void>) | undefined;

  function menusOf(siteId: string): Promise<Map<string, MenuLink[]>> {
    let p = cache.get(siteId);
    if (!p) {
      p = store.list(siteId).then((rows) => new Map(rows.map((r) => [`${r.langcode}\0${r.name}`, r.items])));
      cache.set(siteId, p);
      p.catch(() => cache.delete(siteId));
    }
    return p;
  }

  async function changed(siteId: string): Promise<void> {
    cache.delete(siteId);
    if (db.dialect.crossProcessNotify) await db.notify(CHANNEL, siteId);
  }

  /** Render langcodes whose pages show the `name` menu of `langcode`: itself, and for the default, every language without its own. */
  async function audience(siteId: string, langcode: string, name: MenuName): Promise<Set<string>> {
    if (langcode !== '') return new Set([langcode]);
    const site = opts.getSite(siteId);
    const menus = await menusOf(siteId);
    const others = (site?.enabledLocales ?? []).filter((l) => l !== site?.defaultLocale && !menus.has(`${l}\0${name}`));
    return new Set(['', ...others]);
  }

  async function rerender(siteId: string, langs: Set<string>, name: MenuName): Promise<RenderedPage[]> {
    const shows = (t: TemplateUrl, lang: string) => langs.has(lang) && (name !== 'primary' || !hasOwnNav(t.data));
    const done = await opts.templates().rerenderSite(siteId, shows);
    for (const l of listeners) {
      try {
        const more = await l({ siteId, name, langcodes: [...langs] });
        if (more) done.push(...more);
      } catch {
        // The menu is stored and the template pages show it; the listener logs its own failure.
      }
    }
    return done;
  }

  async function check(siteId: string, rows: MenuRowInput[]): Promise<{ ok: true; items: MenuLink[] } | { ok: false; errors: MenuErrors }> {
    const errors: MenuErrors = {};
    const used = rows.map((r, i) => ({ ...r, i })).filter((r) => r.label.trim() || r.page.trim() || r.url.trim());
    if (used.length > MENU_MAX_LINKS) errors['items'] = `A menu holds at most ${MENU_MAX_LINKS} links; remove ${used.length - MENU_MAX_LINKS}.`;
    const pages = new Set((await opts.templates().list(siteId)).map((t) => t.urlPath));
    const items: MenuLink[] = [];
    let first = true;
    for (const r of used) {
      const f = (k: string) => `items[${r.i}][${k}]`;
      const label = r.label.trim();
      if (!label) errors[f('label')] = 'Give the link a label, such as “About”.';
      else if (label.length > MENU_LABEL_MAX) errors[f('label')] = `Keep the label under ${MENU_LABEL_MAX} characters.`;
      let url = '';
      if (r.page.trim() && r.url.trim()) errors[f('url')] = 'Choose a page or type an address, not both.';
      else if (r.page.trim()) {
        let p = '';
        try {
          p = normalizeUrlPath(r.page.trim());
        } catch {
          // Reported below as a page that does not exist.
        }
        if (!p || !pages.has(p)) errors[f('page')] = `There is no page at ${r.page.trim()}; pick one from the list.`;
        url = p;
      } else if (!r.url.trim()) errors[f('url')] = 'Choose a page from the list, or type an address.';
      else {
        const c = checkLinkUrl(r.url);
        if (!c.ok) errors[f('url')] = c.error;
        else url = c.value;
      }
      if (r.nested && first) errors[f('nested')] = 'The first link cannot go under another one.';
      const link: MenuLink = { label, url };
      if (r.nested && !first) {
        const parent = items[items.length - 1];
        if (parent) (parent.children ??= []).push(link);
      } else items.push(link);
      first = false;
    }
    return Object.keys(errors).length ? { ok: false, errors } : { ok: true, items };
  }

  return {
    async forRender(siteId, langcode) {
      const menus = await menusOf(siteId);
      const pick = (name: MenuName) => menus.get(`${langcode}\0${name}`) ?? menus.get(`\0${name}`) ?? [];
      return { primary: pick('primary'), footer: pick('footer') };
    },
    async own(siteId, langcode, name) {
      return (await menusOf(siteId)).get(`${langcode}\0${name}`);
    },
    check,
    async save(siteId, langcode, name, rows) {
      const c = await check(siteId, rows);
      if (!c.ok) return c;
      const langs = await audience(siteId, langcode, name);
      await store.set({ siteId, langcode, name, items: c.items, updatedAt: Date.now() });
      await changed(siteId);
      return { ok: true, rerendered: await rerender(siteId, langs, name) };
    },
    async reset(siteId, langcode, name) {
      if (langcode === '' || !(await store.delete(siteId, langcode, name))) return { rerendered: [] };
      await changed(siteId);
      return { rerendered: await rerender(siteId, new Set([langcode]), name) };
    },
    toRows(items, pagePaths) {
      const row = (l: MenuLink, nested: boolean): MenuRowInput =>
        pagePaths.has(l.url) ? { label: l.label, page: l.url, url: '', nested } : { label: l.label, page: '', url: l.url, nested };
      return items.flatMap((l) => [row(l, false), ...(l.children ?? []).map((c) => row(c, true))]);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async start() {
      if (!db.dialect.crossProcessNotify) return;
      unlisten = await db.listen(CHANNEL, (siteId) => {
        if (siteId === '') cache.clear();
        else cache.delete(siteId);
      });
    },
    async close() {
      await unlisten?.();
    },
  };
}
