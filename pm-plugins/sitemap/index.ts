/**
 * `/sitemap.xml` and `/robots.txt`, per site. The sitemap lists what a
 * visitor can reach as a page: every stored HTML page (template URLs,
 * published blog posts, the blog's first listing pages) with its `lastmod`
 * and `hreflang` alternates; never hidden pages, pseudoroutes, redirects,
 * aliases, the dashboard, the site's not-found page, or a page marked noindex
 * (an `x-robots-tag: noindex` header, or a template URL whose SEO section says so). Past
 * `max_urls` (50,000, the protocol's limit) `/sitemap.xml` is an index of
 * `/sitemap-N.xml` files. robots.txt is edited under Site settings → robots.txt.
 *
 * config.toml: `[plugins.sitemap] max_urls = 50000`
 */
import type { PageRecord, Plugin, PluginServer, PmRequest, Site } from '../../src/plugins/plugin.js';
import { PmError } from '../../src/plugins/plugin.js';
import { robotsRoutes, robotsMigrations } from './robots.js';

const CACHE_MS = 60_000;
const SCAN = 1000;

interface Entry {
  path: string;
  lastmod: number;
  /** hreflang → absolute URL, for every language version of the path. */
  alternates: Map<string, string>;
  loc: string;
}

const x = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A stored page a search engine should see. */
export function listable(p: PageRecord, noindexTemplates: Set<string>): boolean {
  if (p.kind !== 'html' || p.hidden || p.pseudoroute) return false;
  if (p.urlPath === '/pm' || p.urlPath.startsWith('/pm/') || p.urlPath.startsWith('/pm-')) return false;
  if (/noindex/i.test(p.headers['x-robots-tag'] ?? '')) return false;
  return !noindexTemplates.has(`${p.langcode}\0${p.urlPath}`);
}

export function createSitemap(server: PluginServer, maxUrls: number) {
  const cache = new Map<string, { at: number; gen: number; entries: Entry[] }>();
  let gen = 0;
  server.events.on('page.changed', () => void gen++);

  const origin = (request: PmRequest) => `${request.pm.secure ? 'https' : 'http'}://${String(request.headers.host ?? 'localhost')}`;
  const prefix = (s: Site) => (s.tildePrefix ? `/~${s.tildePrefix}` : '');
  const encode = (p: string) => p.split('/').map(encodeURIComponent).join('/');

  async function entries(request: PmRequest): Promise<Entry[]> {
    const site = request.pm.site;
    const base = origin(request);
    const key = `${site.siteId}\0${base}`;
    const hit = cache.get(key);
    if (hit && hit.gen === gen && Date.now() - hit.at < CACHE_MS) return hit.entries;
    const noindex = new Set(
      (await server.templates.list(site.siteId))
        .filter((t) => {
          const seo = t.data && typeof t.data === 'object' ? (t.data as { seo?: { noindex?: unknown } }).seo : undefined;
          return seo?.noindex === true;
        })
        .map((t) => `${t.langcode}\0${t.urlPath}`),
    );
    // The site's not-found page is what unknown addresses show, not a page to find.
    const notFound = await server.notFoundPage.path(site.siteId);
    const byPath = new Map<string, PageRecord[]>();
    for (let offset = 0; ; offset += SCAN) {
      const batch = await server.pages.list(site.siteId, { limit: SCAN, offset });
      for (const p of batch) if (listable(p, noindex) && p.urlPath !== notFound) (byPath.get(p.urlPath) ?? byPath.set(p.urlPath, []).get(p.urlPath)!).push(p);
      if (batch.length < SCAN) break;
    }
    const url = (langcode: string, path: string) => base + prefix(site) + (langcode ? `/${langcode}` : '') + encode(path);
    const out: Entry[] = [];
    for (const [path, versions] of byPath) {
      const alternates = new Map<string, string>();
      if (versions.length > 1) for (const v of versions) alternates.set(v.langcode || site.defaultLocale, url(v.langcode, path));
      for (const v of versions) out.push({ path, lastmod: v.updatedAt, alternates, loc: url(v.langcode, path) });
    }
    out.sort((a, b) => (a.loc < b.loc ? -1 : a.loc > b.loc ? 1 : 0));
    cache.set(key, { at: Date.now(), gen, entries: out });
    return out;
  }

  function urlset(list: Entry[]): string {
    const items = list.map((e) => {
      const alts = [...e.alternates].map(([lang, href]) => `\n    <xhtml:link rel="alternate" hreflang="${x(lang)}" href="${x(href)}"/>`).join('');
      return `  <url>\n    <loc>${x(e.loc)}</loc>\n    <lastmod>${new Date(e.lastmod).toISOString()}</lastmod>${alts}\n  </url>`;
    });
    return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n${items.join('\n')}\n</urlset>\n`;
  }

  function index(request: PmRequest, list: Entry[]): string {
    const parts = Math.ceil(list.length / maxUrls);
    const items = Array.from({ length: parts }, (_, i) => {
      const chunk = list.slice(i * maxUrls, (i + 1) * maxUrls);
      const lastmod = Math.max(...chunk.map((e) => e.lastmod));
      return `  <sitemap>\n    <loc>${x(origin(request) + prefix(request.pm.site) + `/sitemap-${i + 1}.xml`)}</loc>\n    <lastmod>${new Date(lastmod).toISOString()}</lastmod>\n  </sitemap>`;
    });
    return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${items.join('\n')}\n</sitemapindex>\n`;
  }

  return {
    entries,
    async sitemap(request: PmRequest): Promise<string> {
      const list = await entries(request);
      return list.length > maxUrls ? index(request, list) : urlset(list);
    },
    async part(request: PmRequest, n: number): Promise<string> {
      const list = await entries(request);
      const chunk = list.slice((n - 1) * maxUrls, n * maxUrls);
      if (list.length <= maxUrls || n < 1 || !chunk.length) throw new PmError('PM_ERR_NOT_FOUND', { what: `sitemap part ${n}` });
      return urlset(chunk);
    },
    origin,
    prefix,
  };
}

const plugin: Plugin = {
  name: 'sitemap',
  dependsOn: ['dashboard'],
  tables: ['pm_sitemap_robots'],
  async init(server) {
    await server.migrate(robotsMigrations);
  },
  async routes(router, server) {
    const max = server.config.max_urls;
    const sitemap = createSitemap(server, typeof max === 'number' && Number.isInteger(max) && max > 0 && max <= 50_000 ? max : 50_000);
    const xml = 'application/xml; charset=utf-8';
    router.get('/sitemap.xml', async (request, reply) => reply.type(xml).header('cache-control', 'no-cache').send(await sitemap.sitemap(request)), { description: 'The sitemap of the site' });
    router.get('/sitemap-:n.xml', async (request, reply) => {
      const n = Number((request.params as { n: string }).n);
      if (!Number.isInteger(n)) throw new PmError('PM_ERR_NOT_FOUND', { what: 'that sitemap part' });
      return reply.type(xml).header('cache-control', 'no-cache').send(await sitemap.part(request, n));
    }, { description: 'One part of a large sitemap' });
    await robotsRoutes(router, server, (request) => `${sitemap.origin(request)}${sitemap.prefix(request.pm.site)}/sitemap.xml`);
  },
};

export default plugin;
