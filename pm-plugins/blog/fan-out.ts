/**
 * What re-renders when a post changes (see README.md, "The fan-out").
 *
 * A post's footprint is the set of stored pages that show it: its own page,
 * the pages of its previous and next posts (their links carry its title),
 * the pages that list it as related, and the first page of each listing it
 * is on (the index, each of its tags, each of its authors) when it is on that
 * first page or is the one post that makes the first page link onwards.
 * Deeper listing pages, feeds, search and the sitemap are not stored: they
 * are rendered on request and cached until the blog's generation changes.
 *
 * A write takes the footprint before and after, and renders the union from
 * the stored state once the write is done.
 */
import type { PluginServer, User } from '../../src/plugins/plugin.js';
import { authorPath, HOME_ROUTE, indexPath, postPath, tagPath } from './paths.js';
import { slugify } from './post-input.js';
import type { ListingFilter, Post, PostStore } from './post-store.js';
import type { Renderer } from './render.js';

export type Target =
  | { kind: 'post'; postId: string; path: string }
  | { kind: 'index'; path: string }
  | { kind: 'tag'; slug: string; path: string }
  | { kind: 'author'; userId: string; path: string };

/**
 * Why a page is in a footprint: the post's own page; a page that links to it
 * by title (previous/next, related); a first listing page it is on; or the
 * first page of a listing it is the one post past (its coming or going adds
 * or drops that page's "older posts" link).
 */
export type Reason = 'self' | 'link' | 'top' | 'boundary';

export type Footprint = Map<string, Target & { siteId: string; langcode: string; reason: Reason }>;

/** What one fan-out wrote: `langcode:path` of every page set, redirected or deleted. */
export interface FanOutResult {
  written: string[];
  ms: number;
}

const RANK: Record<Reason, number> = { link: 0, boundary: 1, top: 2, self: 3 };
/** A whole-blog re-render (a menu change, a theme reload) lets requests through after this many pages. */
const YIELD_EVERY = 10;

export function createFanOut(server: PluginServer, store: PostStore, renderer: Renderer, pageSize: number, homeMode: (siteId: string, langcode: string) => Promise<boolean>) {
  const key = (langcode: string, path: string) => `${langcode}:${path}`;

  async function onFirstPage(p: Post, f: ListingFilter): Promise<Reason | undefined> {
    const top = await store.topIds(f, pageSize + 1);
    const at = top.indexOf(p.postId);
    return at === -1 ? undefined : at < pageSize ? 'top' : 'boundary';
  }

  async function footprint(p: Post | undefined): Promise<Footprint> {
    const out: Footprint = new Map();
    if (!p || p.status !== 'published') return out;
    const { siteId, langcode } = p;
    const add = (t: Target, reason: Reason | undefined) => {
      if (!reason) return;
      const k = key(langcode, t.path);
      // The strongest reason wins: a page that is the post's own is never dropped as a mere link.
      const had = out.get(k)?.reason;
      if (!had || RANK[reason] > RANK[had]) out.set(k, { ...t, siteId, langcode, reason });
    };
    add({ kind: 'post', postId: p.postId, path: postPath(p.slug) }, 'self');
    const { prev, next } = await store.neighbours(p);
    for (const n of [prev, next]) if (n) add({ kind: 'post', postId: n.postId, path: postPath(n.slug) }, 'link');
    for (const r of await store.listingRelated(p.postId)) if (r.status === 'published') add({ kind: 'post', postId: r.postId, path: postPath(r.slug) }, 'link');
    add({ kind: 'index', path: indexPath(1) }, await onFirstPage(p, { siteId, langcode }));
    for (const name of p.tags) {
      const slug = slugify(name);
      add({ kind: 'tag', slug, path: tagPath(slug) }, await onFirstPage(p, { siteId, langcode, tag: slug }));
    }
    for (const userId of p.authorIds) {
      const u = await server.users.find(userId);
      if (u) add({ kind: 'author', userId, path: authorPath(u.username) }, await onFirstPage(p, { siteId, langcode, authorId: userId }));
    }
    return out;
  }

  async function renderTarget(t: Target & { siteId: string; langcode: string }, written: string[]): Promise<void> {
    const { siteId, langcode } = t;
    const k = key(langcode, t.path);
    if (t.kind === 'post') {
      const p = await store.get(t.postId);
      if (p && p.status === 'published' && postPath(p.slug) === t.path) {
        const r = await renderer.post(p);
        await server.pages.set(siteId, langcode, t.path, r.html, { headers: r.headers });
        await store.setRelated(p.postId, r.relatedIds);
      } else if (p && p.status === 'published') {
        // The slug changed: the old address keeps working for links out there.
        await server.pages.redirect(siteId, langcode, t.path, renderer.linker(renderer.site(siteId), langcode)(postPath(p.slug)), 301);
      } else {
        await server.pages.delete(siteId, langcode, t.path);
      }
      written.push(k);
      return;
    }
    if (t.kind === 'index') {
      // As the home page the index is served through `/` (a pseudoroute, cached); /blog is a redirect then.
      if (await homeMode(siteId, langcode)) return;
      const r = await renderer.listing({ siteId, langcode }, 1);
      if (r) await server.pages.set(siteId, langcode, t.path, r.html, { headers: r.headers });
      written.push(k);
      return;
    }
    let r;
    if (t.kind === 'tag') {
      const f = { siteId, langcode, tag: t.slug };
      r = (await store.topIds(f, 1)).length ? await renderer.listing(f, 1, { tagName: await store.tagName(siteId, langcode, t.slug) }) : undefined;
    } else {
      const author = (await server.users.find(t.userId)) as User | undefined;
      const f = { siteId, langcode, authorId: t.userId };
      r = author && (await store.topIds(f, 1)).length ? await renderer.listing(f, 1, { author }) : undefined;
    }
    if (r) await server.pages.set(siteId, langcode, t.path, r.html, { headers: r.headers });
    else await server.pages.delete(siteId, langcode, t.path);
    written.push(k);
  }

  return {
    footprint,
    /**
     * Renders the pages of both footprints that can have changed, from what is
     * stored now. `linksChanged`: what other pages show of the post (title,
     * address, date, being published) changed; when it did not, pages that only
     * link to it are left alone. A listing the post is just past in both states
     * did not change either.
     */
    async apply(before: Footprint, after: Footprint, linksChanged = true): Promise<FanOutResult> {
      const t0 = performance.now();
      const written: string[] = [];
      renderer.forgetUsers();
      for (const k of new Set([...before.keys(), ...after.keys()])) {
        const b = before.get(k);
        const a = after.get(k);
        const reasons = [b?.reason, a?.reason];
        const keep =
          reasons.includes('self') || reasons.includes('top') || (reasons.includes('link') && linksChanged) || (reasons.includes('boundary') && (!b || !a));
        if (keep) await renderTarget((a ?? b)!, written);
      }
      return { written: written.sort(), ms: performance.now() - t0 };
    },
    /** A published post's own page, rendered again; false when it is not published. */
    async one(postId: string): Promise<boolean> {
      const p = await store.get(postId);
      if (!p || p.status !== 'published') return false;
      await renderTarget({ kind: 'post', postId, path: postPath(p.slug), siteId: p.siteId, langcode: p.langcode }, []);
      return true;
    },
    /** Every stored page of a site's blog (or of some of its languages: a menu change), rendered again (after a theme reload or a user rename). */
    async all(siteId: string, langcodes?: ReadonlySet<string>): Promise<FanOutResult> {
      const t0 = performance.now();
      const written: string[] = [];
      renderer.forgetUsers();
      const posts = (await store.allPublished(siteId)).filter((p) => !langcodes || langcodes.has(p.langcode));
      const langs = new Set(posts.map((p) => p.langcode));
      const targets = new Map<string, Target & { siteId: string; langcode: string }>();
      for (const p of posts) {
        targets.set(key(p.langcode, postPath(p.slug)), { kind: 'post', postId: p.postId, path: postPath(p.slug), siteId, langcode: p.langcode });
        for (const name of p.tags) targets.set(key(p.langcode, tagPath(slugify(name))), { kind: 'tag', slug: slugify(name), path: tagPath(slugify(name)), siteId, langcode: p.langcode });
        for (const userId of p.authorIds) {
          const u = await server.users.find(userId);
          if (u) targets.set(key(p.langcode, authorPath(u.username)), { kind: 'author', userId, path: authorPath(u.username), siteId, langcode: p.langcode });
        }
      }
      for (const langcode of langs) targets.set(key(langcode, indexPath(1)), { kind: 'index', path: indexPath(1), siteId, langcode });
      let n = 0;
      for (const t of targets.values()) {
        await renderTarget(t, written);
        // Rendering, gzip and SQLite writes are synchronous: let waiting requests through now and then.
        if (++n % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return { written: written.sort(), ms: performance.now() - t0 };
    },
    HOME_ROUTE,
  };
}

export type FanOut = ReturnType<typeof createFanOut>;
