/**
 * Posts and listings → HTML through the site's active theme. The theme says
 * in theme.json `fills` which template renders each blog page (`blog.post`,
 * `blog.index`, `blog.tag`, `blog.author`, `blog.search`); without that the
 * blog uses `post` and `blog-index`. What each template receives is
 * documented in pm-themes/README.md.
 */
import type { ComponentPage, PluginServer, Site, User } from '../../src/plugins/plugin.js';
import { authorPath, BLOG_BASE, encodePath, feedPath, indexPath, postPath, searchPath, sitePrefix, tagPath } from './paths.js';
import { deriveExcerpt, plainText, readingMinutes, slugify } from './post-input.js';
import type { ListingFilter, Post, PostStore } from './post-store.js';

export type BlogRole = 'post' | 'index' | 'tag' | 'author' | 'search';
const DEFAULT_TEMPLATE: Record<BlogRole, string> = { post: 'post', index: 'blog-index', tag: 'blog-index', author: 'blog-index', search: 'blog-index' };

export interface BlogSettings {
  pageSize: number;
  /** Feeds carry each post's whole text, or only the excerpt. */
  feedContent: 'full' | 'excerpt';
  feedSize: number;
  relatedCount: number;
}

export interface Rendered {
  html: string;
  headers: Record<string, string>;
}

/** A post as a list item (index, tag, author, search, related). */
export interface PostCard {
  title: string;
  url: string;
  date: string;
  excerpt: string;
  tags: { name: string; url: string }[];
  authors: { name: string; url: string }[];
  readingTime: number;
  cover: string;
  coverAlt: string;
  snippet?: string;
}

const isoDay = (ms: number | null) => (ms ? new Date(ms).toISOString().slice(0, 10) : '');

export function createRenderer(server: PluginServer, store: PostStore, settings: BlogSettings, homeMode: (siteId: string, langcode: string) => Promise<boolean>) {
  const users = new Map<string, Promise<User | undefined>>();
  // A user's name and username as the pages show them; dropped for a whole render pass at a time.
  const user = (id: string) => users.get(id) ?? users.set(id, server.users.find(id)).get(id)!;

  function template(themeId: string, role: BlogRole): string {
    const info = server.themes.list().find((t) => t.id === themeId);
    return info?.fills[`blog.${role}`] ?? DEFAULT_TEMPLATE[role];
  }

  function site(siteId: string): Site {
    const s = server.sites.list().find((x) => x.siteId === siteId);
    if (!s) throw new Error(`no site ${siteId}`);
    return s;
  }

  function linker(s: Site, langcode: string) {
    const pre = sitePrefix(s, langcode);
    return (p: string) => pre + encodePath(p.startsWith('/') ? p : '/' + p);
  }

  async function authorsOf(p: Post, link: (p: string) => string) {
    const out: { name: string; url: string; username: string }[] = [];
    for (const id of p.authorIds) {
      const u = await user(id);
      if (u) out.push({ name: u.name || u.username, username: u.username, url: link(authorPath(u.username)) });
    }
    return out;
  }

  async function card(p: Post, link: (p: string) => string): Promise<PostCard> {
    return {
      title: p.title,
      url: link(postPath(p.slug)),
      date: isoDay(p.publishAt),
      // Posts saved before the summary column came have none: made from the text then.
      excerpt: p.excerpt || p.summary || deriveExcerpt(plainText(server.renderMarkdown(p.body))),
      tags: p.tags.map((name) => ({ name, url: link(tagPath(slugify(name))) })),
      authors: (await authorsOf(p, link)).map(({ name, url }) => ({ name, url })),
      readingTime: Math.max(1, Math.round(p.words / 230)),
      cover: p.cover,
      coverAlt: p.coverAlt,
    };
  }

  function feeds(link: (p: string) => string, siteTitle: string, tag?: { slug: string; name: string }) {
    const list = [
      { type: 'application/atom+xml', title: `${siteTitle} (Atom)`, url: link(feedPath('atom')) },
      { type: 'application/rss+xml', title: `${siteTitle} (RSS)`, url: link(feedPath('rss')) },
    ];
    if (tag) {
      list.push(
        { type: 'application/atom+xml', title: `${siteTitle}: ${tag.name} (Atom)`, url: link(feedPath('atom', tag.slug)) },
        { type: 'application/rss+xml', title: `${siteTitle}: ${tag.name} (RSS)`, url: link(feedPath('rss', tag.slug)) },
      );
    }
    return list;
  }

  interface Head {
    title: string;
    description: string;
    image?: string;
    noindex?: boolean;
    /** The same post in the site's other languages, by langcode ('' = default). */
    translations?: Map<string, string>;
  }

  async function render(s: Site, langcode: string, role: BlogRole, data: Record<string, unknown>, extra: Record<string, unknown>, urlPath: string, head: Head, components?: Record<string, string>, componentPage?: ComponentPage): Promise<Rendered> {
    const themeId = server.siteThemes.active(s.siteId);
    const link = linker(s, langcode);
    const origin = s.domain ? `https://${s.domain}` : '';
    const abs = (u: string) => (!u || /^[a-z][a-z0-9+.-]*:/i.test(u) ? u : origin + (u.startsWith('/') && !u.startsWith(sitePrefix(s, '') + '/') ? sitePrefix(s, '') + u : u));
    const locales = ['', ...s.enabledLocales.filter((l) => l !== s.defaultLocale)];
    const languages =
      head.translations && locales.length > 1
        ? locales
            .filter((l) => l === langcode || head.translations!.has(l))
            .map((l) => ({ langcode: l || s.defaultLocale, href: l === langcode ? link(urlPath) : head.translations!.get(l)!, label: l || s.defaultLocale, own: true, current: l === langcode }))
        : undefined;
    const out = await server.themes.render(themeId, template(themeId, role), data, {
      site: { title: s.title, description: s.description, langcode: langcode || s.defaultLocale },
      page: { urlPath, url: link(urlPath) },
      url: link,
      seo: { title: head.title, description: head.description, image: abs(head.image ?? ''), canonical: abs(link(urlPath)), noindex: !!head.noindex, contentLang: langcode || s.defaultLocale },
      languages,
      menus: await server.menus.forRender(s.siteId, langcode),
      components,
      extra: { blog: { role, base: link(BLOG_BASE), search: link(searchPath) }, ...extra },
    });
    if (components && componentPage) await server.components.shown(componentPage, components);
    return out;
  }

  return {
    card,
    linker,
    site,
    /** Forgets user names read during the last pass (a renamed user shows up on the next render). */
    forgetUsers: () => users.clear(),

    /** One post's page; also says which posts it lists as related, for the fan-out. */
    async post(p: Post, opts: { preview?: boolean } = {}): Promise<Rendered & { relatedIds: string[] }> {
      const s = site(p.siteId);
      const link = linker(s, p.langcode);
      const text = plainText(server.renderMarkdown(p.body));
      const authors = await authorsOf(p, link);
      const published = p.status === 'published';
      const { prev, next } = published ? await store.neighbours(p) : {};
      const related = published ? await store.related(p, settings.relatedCount) : [];
      const translations = (await store.translations(p.translationGroup)).filter((t) => t.postId !== p.postId && t.status === 'published');
      const self = await card(p, link);
      const data = {
        title: p.title,
        date: isoDay(p.publishAt),
        author: authors.map((a) => a.name).join(', '),
        tags: p.tags,
        cover: p.cover || undefined,
        coverAlt: p.coverAlt,
        body: p.body,
        description: p.seoDescription || self.excerpt,
      };
      const componentPage: ComponentPage = { siteId: p.siteId, langcode: p.langcode, urlPath: postPath(p.slug), kind: 'post', postId: p.postId };
      const small = (x: Post | undefined) => (x ? { title: x.title, url: link(postPath(x.slug)), date: isoDay(x.publishAt) } : null);
      const r = await render(s, p.langcode, 'post', data, {
        post: { ...self, updated: isoDay(p.updatedAt), updatedAt: p.updatedAt, readingTime: readingMinutes(text), seoTitle: p.seoTitle, noindex: p.noindex, preview: !!opts.preview, status: p.status },
        pageTitle: p.seoTitle || p.title,
        prev: small(prev),
        next: small(next),
        related: await Promise.all(related.map((x) => card(x, link))),
        translations: translations.map((t) => ({ langcode: t.langcode || s.defaultLocale, title: t.title, url: linker(s, t.langcode)(postPath(t.slug)) })),
        feeds: feeds(link, s.title),
      }, postPath(p.slug), {
        title: p.seoTitle || p.title,
        description: p.seoDescription || self.excerpt,
        image: p.cover,
        noindex: p.noindex || opts.preview,
        translations: new Map(translations.map((t) => [t.langcode, linker(s, t.langcode)(postPath(t.slug))])),
      },
      // A draft's preview shows no comments (nor a form to post one).
      published && !opts.preview ? await server.components.renderFor(componentPage) : undefined, componentPage);
      if (p.noindex || opts.preview) r.headers['x-robots-tag'] = 'noindex';
      return { ...r, relatedIds: related.map((x) => x.postId) };
    },

    /**
     * One page of a listing, or undefined when the page is past the end
     * (page 1 always renders, empty or not, except for an unknown tag or author).
     */
    async listing(f: ListingFilter, page: number, who?: { tagName?: string; author?: User }): Promise<(Rendered & { urlPath: string }) | undefined> {
      const s = site(f.siteId);
      const link = linker(s, f.langcode);
      const size = settings.pageSize;
      // One more than a page says whether an older page follows, without counting the whole listing.
      const got = await store.published(f, size + 1, (page - 1) * size);
      if (page > 1 && got.length === 0) return undefined;
      const more = got.length > size;
      const posts = got.slice(0, size);
      const home = f.tag === undefined && f.authorId === undefined && (await homeMode(f.siteId, f.langcode));
      const pathOf = (n: number) => (f.tag !== undefined ? tagPath(f.tag, n) : who?.author ? authorPath(who.author.username, n) : home && n === 1 ? '/' : indexPath(n));
      const role: BlogRole = f.tag !== undefined ? 'tag' : who?.author ? 'author' : 'index';
      const title = role === 'tag' ? `Posts tagged “${who?.tagName ?? f.tag}”` : role === 'author' ? `Posts by ${who!.author!.name || who!.author!.username}` : 'Blog';
      const data = {
        title,
        intro: '',
        emptyMessage: role === 'index' ? 'Nothing here yet. The first post is on its way.' : 'No posts here yet.',
        description: role === 'index' ? s.description : title,
      };
      const urlPath = pathOf(page);
      const r = await render(s, f.langcode, role, data, {
        posts: await Promise.all(posts.map((p) => card(p, link))),
        pagination: { page, prev: page > 1 ? link(pathOf(page - 1)) : null, next: more ? link(pathOf(page + 1)) : null },
        feeds: feeds(link, s.title, f.tag !== undefined ? { slug: f.tag, name: who?.tagName ?? f.tag } : undefined),
      }, urlPath, { title, description: data.description as string });
      return { ...r, urlPath };
    },

    async search(s: Site, langcode: string, q: string, results: { post: Post; snippet: string }[]): Promise<Rendered> {
      const link = linker(s, langcode);
      const posts = await Promise.all(results.map(async (x) => ({ ...(await card(x.post, link)), snippet: x.snippet })));
      const title = q ? `Search: ${q.slice(0, 80)}` : 'Search';
      const r = await render(s, langcode, 'search', { title, intro: '', emptyMessage: q ? `No posts match “${q.slice(0, 80)}”.` : 'Type a word to search the posts.', description: title }, {
        posts,
        search: { q, total: posts.length, action: link(searchPath) },
        pagination: {},
        feeds: feeds(link, s.title),
      }, searchPath, { title, description: title, noindex: true });
      r.headers['x-robots-tag'] = 'noindex';
      return r;
    },
  };
}

export type Renderer = ReturnType<typeof createRenderer>;
