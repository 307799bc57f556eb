/**
 * The blog: posts with drafts and scheduling, rendered at write into the
 * page store through the active theme; listings, search and feeds; a Posts
 * section in the dashboard and JSON calls under /pm/api/posts. Uses only the
 * plugin API. README.md explains the fan-out design.
 *
 * config.toml:
 *   [plugins.blog]
 *   page_size = 10        # posts per listing page
 *   feed_content = "full" # or "excerpt"
 */
import type { Plugin, PluginServer } from '../../src/plugins/plugin.js';
import { apiRoutes } from './api-routes.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { createFanOut, type FanOut } from './fan-out.js';
import { BLOG_BASE, HOME_ROUTE, indexPath, sitePrefix } from './paths.js';
import { createPostService, fanOutLockKey, PUBLISH_JOB, type PostService } from './post-service.js';
import { blogMigrations, createPostStore, type PostStore } from './post-store.js';
import { createPostHistory, historyMigrations } from './post-history.js';
import { publicRoutes } from './public-routes.js';
import { createRenderer, type BlogSettings, type Renderer } from './render.js';
import { createIndexedSearch, type PostSearch } from './search.js';
import { countBlogStorage } from './usage.js';

const CHANNEL = 'pm_blog_changed';

export interface Blog {
  store: PostStore;
  posts: PostService;
  fanOut: FanOut;
  renderer: Renderer;
  search: PostSearch;
  settings: BlogSettings;
  /** Makes the blog index the home page of a site language (or not): `/` aliases to it and /blog redirects to `/`. */
  setHome(siteId: string, langcode: string, on: boolean): Promise<void>;
  isHome(siteId: string, langcode: string): Promise<boolean>;
}

function intSetting(v: unknown, dflt: number, min: number, max: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : dflt;
}

export function createBlog(server: PluginServer): Blog {
  const settings: BlogSettings = {
    pageSize: intSetting(server.config.page_size, 10, 1, 100),
    feedContent: server.config.feed_content === 'excerpt' ? 'excerpt' : 'full',
    feedSize: intSetting(server.config.feed_size, 20, 1, 100),
    relatedCount: 3,
  };
  const store = createPostStore(server);
  const isHome = async (siteId: string, langcode: string) => {
    const p = await server.pages.get(siteId, langcode, '/');
    return p?.kind === 'content' && p.contentUrl === HOME_ROUTE;
  };
  const renderer = createRenderer(server, store, settings, isHome);
  const fanOut = createFanOut(server, store, renderer, settings.pageSize, isHome);
  const search = createIndexedSearch(server, store);
  const generations = new Map<string, number>();
  const bump = (siteId: string) => void generations.set(siteId, (generations.get(siteId) ?? 0) + 1);
  const posts = createPostService({
    server,
    store,
    fanOut,
    search,
    history: createPostHistory(server),
    async onChange(siteId) {
      bump(siteId);
      if (server.db.dialect.crossProcessNotify) await server.db.notify(CHANNEL, siteId);
    },
  });
  return {
    store,
    posts,
    fanOut,
    renderer,
    search,
    settings,
    isHome,
    async setHome(siteId, langcode, on) {
      const site = renderer.site(siteId);
      // Under the fan-out's lock: a save on another instance renders /blog from the state this leaves.
      await server.db.withLock(fanOutLockKey(siteId), async () => {
        if (on) {
          await server.pages.alias(siteId, langcode, '/', HOME_ROUTE, { pseudoroute: true });
          await server.pages.redirect(siteId, langcode, BLOG_BASE, sitePrefix(site, langcode) + '/', 301);
        } else {
          if (await isHome(siteId, langcode)) await server.pages.delete(siteId, langcode, '/');
          const r = await renderer.listing({ siteId, langcode }, 1);
          if (r) await server.pages.set(siteId, langcode, indexPath(1), r.html, { headers: r.headers });
        }
      });
      bump(siteId);
      if (server.db.dialect.crossProcessNotify) await server.db.notify(CHANNEL, siteId);
    },
    // Exposed for routes through the closure below.
    ...{ generations },
  } as Blog & { generations: Map<string, number> };
}

/** Each app gets its own blog; the map is keyed by the PluginServer it was made for. */
const blogs = new WeakMap<PluginServer, Blog & { generations: Map<string, number> }>();

const plugin: Plugin = {
  name: 'blog',
  dependsOn: ['dashboard'],
  tables: ['pm_blog_post', 'pm_blog_tag', 'pm_blog_author', 'pm_blog_related', 'pm_blog_revision', 'pm_blog_trash', 'pm_search_blog_post'],
  async init(server) {
    await server.migrate([...blogMigrations, ...historyMigrations].sort((a, b) => a.version - b.version));
    // The full-text index's table exists from the start (it is one of the plugin's declared tables).
    await server.db.createSearchIndex('blog_post');
    const blog = createBlog(server) as Blog & { generations: Map<string, number> };
    blogs.set(server, blog);
    countBlogStorage(server);
    // Comments (or any component) on a post re-render that post's page through this.
    server.registerPageKind('post', (page) => (page.postId ? blog.posts.rerenderOne(page.postId) : Promise.resolve(false)));
    server.jobs.define(PUBLISH_JOB, async (job) => void (await blog.posts.publishDue(String(job.payload.postId ?? job.key))));
    if (server.db.dialect.crossProcessNotify) {
      // Another instance changed a post: its listings, feeds and search pages are stale here too.
      // The listen ends with the database connection when the app closes.
      await server.db.listen(CHANNEL, (siteId) => {
        if (!siteId) blog.generations.clear();
        else blog.generations.set(siteId, (blog.generations.get(siteId) ?? 0) + 1);
      });
    }
    // Every stored blog page of a site again, taking its turn with post saves on every instance.
    const rerenderAll = (siteId: string) => server.db.withLock(fanOutLockKey(siteId), () => blog.fanOut.all(siteId));
    // The menus show on every blog page: a change renders again the stored pages of the languages that show
    // that menu (posts, first index, tag and author pages), and the pages rendered on request start afresh.
    server.menus.onChange(async ({ siteId, langcodes }) => {
      blog.generations.set(siteId, (blog.generations.get(siteId) ?? 0) + 1);
      if (server.db.dialect.crossProcessNotify) await server.db.notify(CHANNEL, siteId);
      try {
        const r = await blog.posts.rerenderLanguages(siteId, new Set(langcodes));
        return r.written.map((w) => ({ langcode: w.slice(0, w.indexOf(':')), urlPath: w.slice(w.indexOf(':') + 1) }));
      } catch (err) {
        server.log.error('re-rendering the blog after a menu change failed', { err: (err as Error).message });
        throw err;
      }
    });
    // The site's title, description, languages or theme show on every blog page.
    server.events.on('site.changed', ({ siteId }) => {
      blog.generations.set(siteId, (blog.generations.get(siteId) ?? 0) + 1);
      rerenderAll(siteId).catch((err) => server.log.error('re-rendering the blog after a site change failed', { err: (err as Error).message }));
    });
    server.events.on('themes.reloaded', ({ changed }) => {
      if (!server.sites.list().some((s) => changed.includes(server.siteThemes.active(s.siteId)))) return;
      for (const s of server.sites.list()) {
        blog.generations.set(s.siteId, (blog.generations.get(s.siteId) ?? 0) + 1);
        rerenderAll(s.siteId).catch((err) => server.log.error('re-rendering the blog after a theme reload failed', { err: (err as Error).message }));
      }
    });
  },
  async routes(router, server) {
    const blog = blogs.get(server)!;
    const generations = { get: (siteId: string) => blog.generations.get(siteId) ?? 0 };
    publicRoutes(router, server, { store: blog.store, renderer: blog.renderer, search: blog.search, settings: blog.settings, generations, posts: blog.posts });
    await dashboardRoutes(router, server, blog);
    apiRoutes(router, server, blog);
  },
};

export default plugin;
