/**
 * The site's content as a writer sees it: one entry per page (with the
 * languages it is written in), then redirects, aliases and pages made by
 * plugins. Searching looks at titles, addresses and the words on the page;
 * sorting and paging happen here, so the dashboard's list and its home page's
 * counts come from one place and agree.
 *
 * A language that shows the default's content at `/fr/about` has a rendered
 * copy in the page store; it is part of the page, not an entry of its own.
 */
import type { Site, TemplateUrl } from '../store/types.js';
import type { PageService } from './page-service.js';
import type { TemplateUrlService } from './template-url-service.js';

export interface ContentPage {
  kind: 'template';
  path: string;
  title: string;
  themeId: string;
  templateName: string;
  /** Languages with their own data ('' = the default), the default first. */
  langcodes: string[];
  /** Enabled languages that show the default's content here. */
  missing: string[];
  updatedAt: number;
  noindex: boolean;
  versions: TemplateUrl[];
}

export interface ContentOther {
  kind: 'redirect' | 'alias' | 'page';
  langcode: string;
  path: string;
  /** Where a redirect goes, what an alias shows. */
  target: string;
  status: number | null;
  hidden: boolean;
  updatedAt: number;
}

export type ContentEntry = ContentPage | ContentOther;
export type ContentSort = 'title' | 'address' | 'template' | 'changed';
export type ContentKind = 'pages' | 'redirects' | 'aliases';

export interface ContentQuery {
  q?: string;
  kind?: ContentKind;
  sort?: ContentSort;
  dir?: 'asc' | 'desc';
  /** 1-based. */
  page?: number;
  perPage?: number;
}

export interface ContentCounts {
  pages: number;
  redirects: number;
  aliases: number;
}

export interface ContentList {
  counts(siteId: string): Promise<ContentCounts>;
  /** Entries of one kind matching `q`, sorted and paged; `counts` are of the matches of every kind. */
  query(site: Site, q: ContentQuery): Promise<{ rows: ContentEntry[]; total: number; page: number; pageCount: number; counts: ContentCounts }>;
}

export const CONTENT_PER_PAGE = 50;

/** Every string in a page's data, lower-cased: what "the words on the page" means for search. */
function wordsOf(data: unknown, out: string[] = []): string[] {
  if (typeof data === 'string') out.push(data.toLowerCase());
  else if (Array.isArray(data)) for (const x of data) wordsOf(x, out);
  else if (data && typeof data === 'object') for (const v of Object.values(data)) wordsOf(v, out);
  return out;
}

export function pageTitle(data: unknown, fallback: string): string {
  const d = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const seo = (d.seo && typeof d.seo === 'object' ? d.seo : {}) as Record<string, unknown>;
  const t = [d.title, d.heading, d.name, seo.title].find((x) => typeof x === 'string' && x.trim());
  return typeof t === 'string' ? t.trim() : fallback;
}

export function createContentList(opts: { templates: TemplateUrlService; pages: PageService }): ContentList {
  async function gather(site: Site | string): Promise<{ pages: (ContentPage & { words: string })[]; others: ContentOther[] }> {
    const siteId = typeof site === 'string' ? site : site.siteId;
    const enabled = typeof site === 'string' ? [] : site.enabledLocales.filter((l) => l !== site.defaultLocale);
    const groups = new Map<string, TemplateUrl[]>();
    for (const t of await opts.templates.list(siteId)) {
      const g = groups.get(t.urlPath);
      if (g) g.push(t);
      else groups.set(t.urlPath, [t]);
    }
    const pages = [...groups.entries()].map(([path, versions]) => {
      versions.sort((a, b) => (a.langcode === '' ? -1 : b.langcode === '' ? 1 : a.langcode.localeCompare(b.langcode)));
      const main = versions[0];
      const langcodes = versions.map((v) => v.langcode);
      const seo = (main.data as { seo?: { noindex?: unknown } } | null)?.seo;
      return {
        kind: 'template' as const,
        path,
        title: pageTitle(main.data, path),
        themeId: main.themeId,
        templateName: main.templateName,
        langcodes,
        missing: langcodes.includes('') ? enabled.filter((l) => !langcodes.includes(l)) : [],
        updatedAt: Math.max(...versions.map((v) => v.updatedAt)),
        noindex: seo?.noindex === true,
        versions,
        words: versions.flatMap((v) => wordsOf(v.data)).join('\n'),
      };
    });
    const others: ContentOther[] = [];
    for (const p of await opts.pages.list(siteId)) {
      if (p.kind === 'html') {
        // A template page's own rendering, or a language's copy of it: part of the page above.
        if (groups.has(p.urlPath)) continue;
        others.push({ kind: 'page', langcode: p.langcode, path: p.urlPath, target: '', status: null, hidden: p.hidden, updatedAt: p.updatedAt });
      } else {
        others.push({
          kind: p.kind === 'redirect' ? 'redirect' : 'alias',
          langcode: p.langcode,
          path: p.urlPath,
          target: (p.kind === 'redirect' ? p.redirectUrl : p.contentUrl) ?? '',
          status: p.redirectStatus,
          hidden: p.hidden,
          updatedAt: p.updatedAt,
        });
      }
    }
    return { pages, others };
  }

  const countOf = (pages: unknown[], others: ContentOther[]): ContentCounts => ({
    pages: pages.length + others.filter((o) => o.kind === 'page').length,
    redirects: others.filter((o) => o.kind === 'redirect').length,
    aliases: others.filter((o) => o.kind === 'alias').length,
  });

  return {
    async counts(siteId) {
      const { pages, others } = await gather(siteId);
      return countOf(pages, others);
    },
    async query(site, q) {
      const { pages, others } = await gather(site);
      const needle = (q.q ?? '').trim().toLowerCase();
      const hit = (...texts: string[]) => !needle || texts.some((t) => t.toLowerCase().includes(needle));
      const foundPages = pages.filter((p) => hit(p.title, p.path, p.templateName, p.words));
      const foundOthers = others.filter((o) => hit(o.path, o.target));
      const counts = countOf(foundPages, foundOthers);
      const kind = q.kind ?? 'pages';
      let rows: ContentEntry[] =
        kind === 'pages' ? [...foundPages, ...foundOthers.filter((o) => o.kind === 'page')] : foundOthers.filter((o) => o.kind === (kind === 'redirects' ? 'redirect' : 'alias'));
      const sort = q.sort ?? (kind === 'pages' ? 'title' : 'address');
      const key = (e: ContentEntry): string | number =>
        sort === 'changed' ? e.updatedAt : sort === 'template' ? (e.kind === 'template' ? e.templateName : '~') : sort === 'title' ? (e.kind === 'template' ? e.title.toLowerCase() : e.path.toLowerCase()) : e.path;
      const dir = q.dir === 'desc' || (q.dir === undefined && sort === 'changed') ? -1 : 1;
      rows = rows.sort((a, b) => {
        const x = key(a);
        const y = key(b);
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return dir * (c || a.path.localeCompare(b.path));
      });
      const perPage = Math.max(1, Math.min(500, q.perPage ?? CONTENT_PER_PAGE));
      const pageCount = Math.max(1, Math.ceil(rows.length / perPage));
      const page = Math.min(Math.max(1, Math.floor(q.page ?? 1)), pageCount);
      const shown = rows.slice((page - 1) * perPage, page * perPage).map((r) => {
        if (r.kind !== 'template') return r;
        const { words: _words, ...entry } = r as ContentPage & { words?: string };
        return entry;
      });
      return { rows: shown, total: rows.length, page, pageCount, counts };
    },
  };
}
