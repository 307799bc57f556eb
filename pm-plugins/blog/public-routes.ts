/**
 * What visitors reach that is not a stored page: listing pages past the
 * first, the blog as the home page, search, feeds, and the signed-in draft
 * preview. Listings and feeds are rendered on a miss and kept in memory
 * until the site's blog generation changes (any post change, on any
 * instance: see index.ts).
 */
import { PmError } from '../../src/plugins/plugin.js';
import type { PluginRouter, PluginServer, PmReply, PmRequest } from '../../src/plugins/plugin.js';
import { atomFeed, rssFeed, type FeedInfo } from './feeds.js';
import { BLOG_BASE, feedPath, HOME_ROUTE, indexPath, postPath, searchPath, tagPath } from './paths.js';
import { deriveExcerpt, plainText, SLUG } from './post-input.js';
import type { PostService } from './post-service.js';
import type { ListingFilter, PostStore } from './post-store.js';
import type { BlogSettings, Renderer } from './render.js';
import type { PostSearch } from './search.js';

export interface Generations {
  get(siteId: string): number;
}

interface Cached {
  gen: number;
  status: number;
  body: string;
  headers: Record<string, string>;
}

const MAX_ENTRIES = 1000;

export function publicRoutes(router: PluginRouter, server: PluginServer, d: { store: PostStore; renderer: Renderer; search: PostSearch; settings: BlogSettings; generations: Generations; posts: PostService }): void {
  const { store, renderer, settings, generations } = d;
  const cache = new Map<string, Cached>();

  async function cached(request: PmRequest, reply: PmReply, key: string, make: () => Promise<Omit<Cached, 'gen'> | undefined>): Promise<PmReply> {
    const siteId = request.pm.site.siteId;
    const gen = generations.get(siteId);
    const k = `${siteId}\0${request.pm.url.langcode}\0${key}`;
    let hit = cache.get(k);
    if (!hit || hit.gen !== gen) {
      const made = await make();
      if (!made) throw new PmError('PM_ERR_NOT_FOUND', { what: request.pm.url.urlPath });
      hit = { ...made, gen };
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
      cache.set(k, hit);
    }
    for (const [h, v] of Object.entries(hit.headers)) reply.header(h, v);
    return reply.code(hit.status).header('cache-control', 'no-cache').send(hit.body);
  }

  const pageNumber = (raw: unknown): number => {
    const n = typeof raw === 'string' && /^[1-9]\d{0,5}$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= 2)) throw new PmError('PM_ERR_NOT_FOUND', { what: 'that page of posts' });
    return n;
  };
  const html = (r: { html: string; headers: Record<string, string> } | undefined) => r && { status: 200, body: r.html, headers: r.headers };
  const filterOf = (request: PmRequest, extra: Partial<ListingFilter> = {}): ListingFilter => ({ siteId: request.pm.site.siteId, langcode: request.pm.url.langcode, ...extra });
  const tagOf = (raw: unknown): string => {
    const t = String(raw ?? '');
    if (!SLUG.test(t)) throw new PmError('PM_ERR_NOT_FOUND', { what: 'that tag' });
    return t;
  };
  async function authorOf(request: PmRequest, raw: unknown) {
    const u = await server.users.findByUsername(request.pm.site.siteId, String(raw ?? ''));
    if (!u) throw new PmError('PM_ERR_NOT_FOUND', { what: 'that author' });
    return u;
  }

  router.get(`${BLOG_BASE}/page/:n`, (request, reply) => {
    const n = pageNumber((request.params as { n: string }).n);
    return cached(request, reply, `index:${n}`, async () => html(await renderer.listing(filterOf(request), n)));
  }, { description: 'Older pages of the blog index' });

  router.get(`${BLOG_BASE}/tag/:tag/page/:n`, (request, reply) => {
    const p = request.params as { tag: string; n: string };
    const tag = tagOf(p.tag);
    const n = pageNumber(p.n);
    return cached(request, reply, `tag:${tag}:${n}`, async () => {
      const f = filterOf(request, { tag });
      return html(await renderer.listing(f, n, { tagName: await store.tagName(f.siteId, f.langcode, tag) }));
    });
  }, { description: 'Older pages of a tag' });

  router.get(`${BLOG_BASE}/author/:user/page/:n`, async (request, reply) => {
    const p = request.params as { user: string; n: string };
    const n = pageNumber(p.n);
    const author = await authorOf(request, p.user);
    return cached(request, reply, `author:${author.userId}:${n}`, async () => html(await renderer.listing(filterOf(request, { authorId: author.userId }), n, { author })));
  }, { description: 'Older pages of an author' });

  router.get(HOME_ROUTE, (request, reply) => cached(request, reply, 'home', async () => html(await renderer.listing(filterOf(request), 1))), {
    pseudoroute: true,
    description: 'The blog index as the home page (alias / to it)',
  });

  router.get(searchPath, async (request, reply) => {
    const raw = (request.query as Record<string, unknown>).q;
    const q = (Array.isArray(raw) ? String(raw[0] ?? '') : String(raw ?? '')).slice(0, 3000).trim();
    const site = request.pm.site;
    let hits: Awaited<ReturnType<PostSearch['query']>> = [];
    try {
      hits = q ? await d.search.query(site.siteId, request.pm.url.langcode, q, 20) : [];
    } catch (e) {
      // A query the search engine cannot read is "no results", never an error page.
      server.log.warn('search failed; answering no results', { err: (e as Error).message });
    }
    const r = await renderer.search(site, request.pm.url.langcode, q, hits);
    for (const [h, v] of Object.entries(r.headers)) reply.header(h, v);
    return reply.header('cache-control', 'no-store').send(r.html);
  }, { description: 'Search the posts (?q=)' });

  function origin(request: PmRequest): string {
    return `${request.pm.secure ? 'https' : 'http'}://${String(request.headers.host ?? 'localhost')}`;
  }

  async function feed(request: PmRequest, reply: PmReply, kind: 'rss' | 'atom', tag?: string): Promise<PmReply> {
    const base = origin(request);
    return cached(request, reply, `feed:${kind}:${tag ?? ''}:${base}`, async () => {
      const site = request.pm.site;
      const f = filterOf(request, tag ? { tag } : {});
      const tagName = tag ? await store.tagName(f.siteId, f.langcode, tag) : undefined;
      if (tag && !tagName) return undefined;
      const link = renderer.linker(site, f.langcode);
      const posts = await store.published(f, settings.feedSize);
      renderer.forgetUsers();
      const entries = await Promise.all(
        posts.map(async (p) => {
          const body = server.renderMarkdown(p.body);
          const c = await renderer.card(p, link);
          const summary = p.excerpt || deriveExcerpt(plainText(body));
          return { post: p, url: base + link(postPath(p.slug)), authors: c.authors.map((a) => a.name), tags: p.tags, content: settings.feedContent === 'full' ? body : `<p>${summary.replace(/[&<>]/g, (ch) => `&#${ch.charCodeAt(0)};`)}</p>`, summary };
        }),
      );
      const info: FeedInfo = {
        title: tagName ? `${site.title}: ${tagName}` : site.title,
        subtitle: site.description,
        home: base + link(tag ? tagPath(tag) : indexPath(1)),
        self: base + link(feedPath(kind, tag)),
        host: String(request.headers.host ?? 'localhost').replace(/:\d+$/, ''),
        id: base + link(tag ? tagPath(tag) : BLOG_BASE) + (kind === 'atom' ? '' : ''),
        entries,
      };
      return {
        status: 200,
        body: kind === 'atom' ? atomFeed(info) : rssFeed(info),
        headers: { 'content-type': kind === 'atom' ? 'application/atom+xml; charset=utf-8' : 'application/rss+xml; charset=utf-8' },
      };
    });
  }

  router.get(feedPath('rss'), (request, reply) => feed(request, reply, 'rss'), { description: 'RSS 2.0 feed of the latest posts' });
  router.get(feedPath('atom'), (request, reply) => feed(request, reply, 'atom'), { description: 'Atom feed of the latest posts' });
  router.get(`${BLOG_BASE}/tag/:tag/feed.xml`, (request, reply) => feed(request, reply, 'rss', tagOf((request.params as { tag: string }).tag)), { description: 'RSS 2.0 feed of a tag' });
  router.get(`${BLOG_BASE}/tag/:tag/atom.xml`, (request, reply) => feed(request, reply, 'atom', tagOf((request.params as { tag: string }).tag)), { description: 'Atom feed of a tag' });

  // A draft (or any post) as it will look, for signed-in users who may edit it; never stored, never indexed.
  router.get('/pm/posts/:id/preview', async (request, reply) => {
    const user = (await request.pm.user())!;
    const p = await d.posts.get(user, (request.params as { id: string }).id);
    const r = await renderer.post(p, { preview: true });
    for (const [h, v] of Object.entries(r.headers)) reply.header(h, v);
    return reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex').type('text/html; charset=utf-8').send(r.html);
  }, { permission: 'posts.write', description: 'Preview a draft (signed-in users who may edit it)' });

}
