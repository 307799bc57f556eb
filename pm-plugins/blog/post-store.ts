/**
 * The blog's tables and every query on them. Plain SQL with `?`
 * placeholders that both dialects run unchanged (see src/store/README.md).
 * Published posts are listed newest first: `publish_at DESC, post_id DESC`.
 */
import type { Migration, PluginServer } from '../../src/plugins/plugin.js';
import type { PostFields, PostStatus } from './post-input.js';
import { slugify } from './post-input.js';

export const blogMigrations: Migration[] = [
  {
    version: 1,
    name: 'posts, tags, authors, related',
    up: ({ types: { text, bigint } }) => `
CREATE TABLE pm_blog_post (
  post_id ${text} NOT NULL PRIMARY KEY,
  site_id ${text} NOT NULL REFERENCES pm_site (site_id) ON DELETE CASCADE,
  langcode ${text} NOT NULL DEFAULT '',
  slug ${text} NOT NULL,
  title ${text} NOT NULL,
  body ${text} NOT NULL DEFAULT '',
  excerpt ${text} NOT NULL DEFAULT '',
  cover ${text} NOT NULL DEFAULT '',
  cover_alt ${text} NOT NULL DEFAULT '',
  status ${text} NOT NULL,
  publish_at ${bigint},
  seo_title ${text} NOT NULL DEFAULT '',
  seo_description ${text} NOT NULL DEFAULT '',
  noindex INTEGER NOT NULL DEFAULT 0,
  translation_group ${text} NOT NULL,
  words INTEGER NOT NULL DEFAULT 0,
  created_at ${bigint} NOT NULL,
  updated_at ${bigint} NOT NULL,
  UNIQUE (site_id, langcode, slug)
);
CREATE INDEX pm_blog_post_listing ON pm_blog_post (site_id, langcode, status, publish_at);
CREATE INDEX pm_blog_post_group ON pm_blog_post (translation_group);

CREATE TABLE pm_blog_tag (
  post_id ${text} NOT NULL REFERENCES pm_blog_post (post_id) ON DELETE CASCADE,
  site_id ${text} NOT NULL,
  langcode ${text} NOT NULL,
  tag_slug ${text} NOT NULL,
  tag_name ${text} NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (post_id, tag_slug)
);
CREATE INDEX pm_blog_tag_slug ON pm_blog_tag (site_id, langcode, tag_slug);

CREATE TABLE pm_blog_author (
  post_id ${text} NOT NULL REFERENCES pm_blog_post (post_id) ON DELETE CASCADE,
  user_id ${text} NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (post_id, user_id)
);
CREATE INDEX pm_blog_author_user ON pm_blog_author (user_id);

-- Which posts a post's page lists as related, as rendered: editing one of those re-renders it.
CREATE TABLE pm_blog_related (
  post_id ${text} NOT NULL REFERENCES pm_blog_post (post_id) ON DELETE CASCADE,
  related_id ${text} NOT NULL,
  PRIMARY KEY (post_id, related_id)
);
CREATE INDEX pm_blog_related_target ON pm_blog_related (related_id);
`,
  },
  {
    version: 2,
    name: 'derived summary',
    // The excerpt made from the text, kept with the post so listings need not render every post's Markdown.
    up: ({ types: { text } }) => `ALTER TABLE pm_blog_post ADD COLUMN summary ${text} NOT NULL DEFAULT '';`,
  },
  // Version 3 is post-history.ts's.
  {
    version: 4,
    name: 'listing keys on tags and authors',
    // A tag's or an author's first page is then read in order from one index, however many posts the blog has.
    up: ({ types: { text, bigint } }) => `
ALTER TABLE pm_blog_tag ADD COLUMN status ${text} NOT NULL DEFAULT '';
ALTER TABLE pm_blog_tag ADD COLUMN publish_at ${bigint};
ALTER TABLE pm_blog_author ADD COLUMN site_id ${text} NOT NULL DEFAULT '';
ALTER TABLE pm_blog_author ADD COLUMN langcode ${text} NOT NULL DEFAULT '';
ALTER TABLE pm_blog_author ADD COLUMN status ${text} NOT NULL DEFAULT '';
ALTER TABLE pm_blog_author ADD COLUMN publish_at ${bigint};
UPDATE pm_blog_tag SET status = (SELECT p.status FROM pm_blog_post p WHERE p.post_id = pm_blog_tag.post_id), publish_at = (SELECT p.publish_at FROM pm_blog_post p WHERE p.post_id = pm_blog_tag.post_id);
UPDATE pm_blog_author SET site_id = (SELECT p.site_id FROM pm_blog_post p WHERE p.post_id = pm_blog_author.post_id), langcode = (SELECT p.langcode FROM pm_blog_post p WHERE p.post_id = pm_blog_author.post_id), status = (SELECT p.status FROM pm_blog_post p WHERE p.post_id = pm_blog_author.post_id), publish_at = (SELECT p.publish_at FROM pm_blog_post p WHERE p.post_id = pm_blog_author.post_id);
CREATE INDEX pm_blog_tag_listing ON pm_blog_tag (site_id, langcode, tag_slug, status, publish_at, post_id);
CREATE INDEX pm_blog_author_listing ON pm_blog_author (user_id, site_id, langcode, status, publish_at, post_id);
`,
  },
];

export interface Post extends PostFields {
  postId: string;
  /** The first sentences of the text as plain text (the excerpt when none is written). */
  summary: string;
  siteId: string;
  translationGroup: string;
  words: number;
  createdAt: number;
  updatedAt: number;
}

/** Which published posts a listing shows. */
export interface ListingFilter {
  siteId: string;
  langcode: string;
  tag?: string;
  authorId?: string;
}

interface PostRow {
  post_id: string;
  site_id: string;
  langcode: string;
  slug: string;
  title: string;
  body: string;
  excerpt: string;
  cover: string;
  cover_alt: string;
  status: string;
  publish_at: number | null;
  seo_title: string;
  seo_description: string;
  noindex: number;
  translation_group: string;
  words: number;
  summary: string;
  created_at: number;
  updated_at: number;
}

const COLS = 'p.post_id, p.site_id, p.langcode, p.slug, p.title, p.body, p.excerpt, p.cover, p.cover_alt, p.status, p.publish_at, p.seo_title, p.seo_description, p.noindex, p.translation_group, p.words, p.summary, p.created_at, p.updated_at';
const NEWEST = 'ORDER BY p.publish_at DESC, p.post_id DESC';

function toPost(r: PostRow, tags: string[], authorIds: string[]): Post {
  return {
    postId: r.post_id,
    siteId: r.site_id,
    langcode: r.langcode,
    slug: r.slug,
    title: r.title,
    body: r.body,
    excerpt: r.excerpt,
    cover: r.cover,
    coverAlt: r.cover_alt,
    status: r.status as PostStatus,
    publishAt: r.publish_at === null ? null : Number(r.publish_at),
    seoTitle: r.seo_title,
    seoDescription: r.seo_description,
    noindex: Number(r.noindex) === 1,
    translationGroup: r.translation_group,
    words: Number(r.words),
    summary: r.summary ?? '',
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    tags,
    authorIds,
  };
}

export type PostStore = ReturnType<typeof createPostStore>;

export function createPostStore(server: Pick<PluginServer, 'db' | 'sql'>) {
  const { db, sql } = server;
  type Fragment = ReturnType<typeof sql.raw>;
  const like = (s: string) => `%${s.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;

  /** Rows → posts, with their tags and authors read in two queries for the whole list. */
  async function hydrate(rows: PostRow[]): Promise<Post[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.post_id);
    const tags = await db.all<{ post_id: string; tag_name: string }>(sql`SELECT post_id, tag_name FROM pm_blog_tag WHERE post_id IN (${sql.join(ids)}) ORDER BY position`);
    const authors = await db.all<{ post_id: string; user_id: string }>(sql`SELECT post_id, user_id FROM pm_blog_author WHERE post_id IN (${sql.join(ids)}) ORDER BY position`);
    const by = <T extends { post_id: string }>(list: T[], pick: (x: T) => string) => {
      const m = new Map<string, string[]>();
      for (const x of list) (m.get(x.post_id) ?? m.set(x.post_id, []).get(x.post_id)!).push(pick(x));
      return m;
    };
    const t = by(tags, (x) => x.tag_name);
    const a = by(authors, (x) => x.user_id);
    return rows.map((r) => toPost(r, t.get(r.post_id) ?? [], a.get(r.post_id) ?? []));
  }

  /**
   * FROM, WHERE and ORDER BY of a listing of published posts, newest first.
   * A tag's or an author's listing is read from that table's own sort keys
   * (status and publish_at are copied there), so the order comes from one index.
   */
  function listing(f: ListingFilter): { from: Fragment; where: Fragment; order: Fragment } {
    if (f.tag !== undefined) {
      return {
        from: sql`pm_blog_tag t JOIN pm_blog_post p ON p.post_id = t.post_id`,
        where: sql`t.site_id = ${f.siteId} AND t.langcode = ${f.langcode} AND t.tag_slug = ${f.tag} AND t.status = 'published'`,
        order: sql`ORDER BY t.publish_at DESC, t.post_id DESC`,
      };
    }
    if (f.authorId !== undefined) {
      return {
        from: sql`pm_blog_author a JOIN pm_blog_post p ON p.post_id = a.post_id`,
        where: sql`a.user_id = ${f.authorId} AND a.site_id = ${f.siteId} AND a.langcode = ${f.langcode} AND a.status = 'published'`,
        order: sql`ORDER BY a.publish_at DESC, a.post_id DESC`,
      };
    }
    return { from: sql`pm_blog_post p`, where: sql`p.site_id = ${f.siteId} AND p.langcode = ${f.langcode} AND p.status = 'published'`, order: sql.raw(NEWEST) };
  }

  async function writeChildren(tx: Pick<PluginServer['db'], 'run'>, post: Post): Promise<void> {
    await tx.run(sql`DELETE FROM pm_blog_tag WHERE post_id = ${post.postId}`);
    await tx.run(sql`DELETE FROM pm_blog_author WHERE post_id = ${post.postId}`);
    for (const [i, name] of post.tags.entries()) {
      await tx.run(sql`INSERT INTO pm_blog_tag (post_id, site_id, langcode, tag_slug, tag_name, position, status, publish_at) VALUES (${post.postId}, ${post.siteId}, ${post.langcode}, ${slugify(name)}, ${name}, ${i}, ${post.status}, ${post.publishAt})`);
    }
    for (const [i, userId] of post.authorIds.entries()) {
      await tx.run(sql`INSERT INTO pm_blog_author (post_id, user_id, position, site_id, langcode, status, publish_at) VALUES (${post.postId}, ${userId}, ${i}, ${post.siteId}, ${post.langcode}, ${post.status}, ${post.publishAt})`);
    }
  }

  const values = (p: Post) => [
    p.siteId, p.langcode, p.slug, p.title, p.body, p.excerpt, p.cover, p.coverAlt, p.status, p.publishAt, p.seoTitle, p.seoDescription, p.noindex ? 1 : 0, p.translationGroup, p.words, p.summary, p.updatedAt,
  ];

  return {
    async insert(p: Post): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.run(
          sql`INSERT INTO pm_blog_post (site_id, langcode, slug, title, body, excerpt, cover, cover_alt, status, publish_at, seo_title, seo_description, noindex, translation_group, words, summary, updated_at, post_id, created_at)
           VALUES (${sql.join([...values(p), p.postId, p.createdAt])})`,
        );
        await writeChildren(tx, p);
      });
    },
    async update(p: Post): Promise<void> {
      await db.transaction(async (tx) => {
        const columns = ['site_id', 'langcode', 'slug', 'title', 'body', 'excerpt', 'cover', 'cover_alt', 'status', 'publish_at', 'seo_title', 'seo_description', 'noindex', 'translation_group', 'words', 'summary', 'updated_at'];
        const v = values(p);
        await tx.run(sql`UPDATE pm_blog_post SET ${sql.join(columns.map((c, i) => sql`${sql.ref(c)} = ${v[i]}`))} WHERE post_id = ${p.postId}`);
        await writeChildren(tx, p);
      });
    },
    /** Published only if it still is scheduled: the scheduler and an editor may race. */
    async publishScheduled(postId: string, at: number): Promise<boolean> {
      return db.transaction(async (tx) => {
        const r = await tx.run(sql`UPDATE pm_blog_post SET status = 'published', updated_at = ${at} WHERE post_id = ${postId} AND status = 'scheduled'`);
        if (r.changes !== 1) return false;
        await tx.run(sql`UPDATE pm_blog_tag SET status = 'published' WHERE post_id = ${postId}`);
        await tx.run(sql`UPDATE pm_blog_author SET status = 'published' WHERE post_id = ${postId}`);
        return true;
      });
    },
    async delete(postId: string): Promise<boolean> {
      return (await db.run(sql`DELETE FROM pm_blog_post WHERE post_id = ${postId}`)).changes > 0;
    },
    async get(postId: string): Promise<Post | undefined> {
      const r = await db.get<PostRow>(sql`SELECT ${sql.raw(COLS)} FROM pm_blog_post p WHERE p.post_id = ${postId}`);
      return r && (await hydrate([r]))[0];
    },
    async getBySlug(siteId: string, langcode: string, slug: string): Promise<Post | undefined> {
      const r = await db.get<PostRow>(sql`SELECT ${sql.raw(COLS)} FROM pm_blog_post p WHERE p.site_id = ${siteId} AND p.langcode = ${langcode} AND p.slug = ${slug}`);
      return r && (await hydrate([r]))[0];
    },
    /** The dashboard's list: any status, newest change first. */
    async list(o: { siteId: string; status?: PostStatus; tag?: string; authorId?: string; q?: string; limit: number; offset: number }): Promise<{ posts: Post[]; total: number }> {
      const fromParts: Fragment[] = [sql`pm_blog_post p`];
      const whereParts: Fragment[] = [sql`p.site_id = ${o.siteId}`];
      if (o.status) whereParts.push(sql`p.status = ${o.status}`);
      if (o.tag) {
        fromParts.push(sql`JOIN pm_blog_tag t ON t.post_id = p.post_id`);
        whereParts.push(sql`t.tag_slug = ${o.tag}`);
      }
      if (o.authorId) {
        fromParts.push(sql`JOIN pm_blog_author a ON a.post_id = p.post_id`);
        whereParts.push(sql`a.user_id = ${o.authorId}`);
      }
      if (o.q) {
        const l = like(o.q);
        whereParts.push(sql`(lower(p.title) LIKE ${l} ESCAPE '\\' OR lower(p.slug) LIKE ${l} ESCAPE '\\')`);
      }
      const from = sql.join(fromParts, sql` `);
      const w = sql.join(whereParts, sql` AND `);
      const total = Number((await db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM ${from} WHERE ${w}`))?.n ?? 0);
      const rows = await db.all<PostRow>(sql`SELECT ${sql.raw(COLS)} FROM ${from} WHERE ${w} ORDER BY p.updated_at DESC, p.post_id DESC LIMIT ${o.limit} OFFSET ${o.offset}`);
      return { posts: await hydrate(rows), total };
    },
    async published(f: ListingFilter, limit: number, offset = 0): Promise<Post[]> {
      const l = listing(f);
      return hydrate(await db.all<PostRow>(sql`SELECT ${sql.raw(COLS)} FROM ${l.from} WHERE ${l.where} ${l.order} LIMIT ${limit} OFFSET ${offset}`));
    },
    async countPublished(f: ListingFilter): Promise<number> {
      const l = listing(f);
      return Number((await db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM ${l.from} WHERE ${l.where}`))?.n ?? 0);
    },
    /** The ids on the first page of a listing. */
    async topIds(f: ListingFilter, n: number): Promise<string[]> {
      const l = listing(f);
      return (await db.all<{ post_id: string }>(sql`SELECT p.post_id FROM ${l.from} WHERE ${l.where} ${l.order} LIMIT ${n}`)).map((r) => r.post_id);
    },
    /** The published posts just older (prev) and just newer (next) than `p`, in its language. */
    async neighbours(p: Pick<Post, 'siteId' | 'langcode' | 'postId' | 'publishAt'>): Promise<{ prev?: Post; next?: Post }> {
      const at = p.publishAt ?? 0;
      const base = sql`SELECT ${sql.raw(COLS)} FROM pm_blog_post p WHERE p.site_id = ${p.siteId} AND p.langcode = ${p.langcode} AND p.status = 'published' AND p.post_id <> ${p.postId}`;
      const prev = await db.get<PostRow>(sql`${base} AND (p.publish_at < ${at} OR (p.publish_at = ${at} AND p.post_id < ${p.postId})) ${sql.raw(NEWEST)} LIMIT 1`);
      const next = await db.get<PostRow>(sql`${base} AND (p.publish_at > ${at} OR (p.publish_at = ${at} AND p.post_id > ${p.postId})) ORDER BY p.publish_at ASC, p.post_id ASC LIMIT 1`);
      const [a, b] = await hydrate([prev, next].filter((x): x is PostRow => !!x));
      return { prev: prev ? a : undefined, next: next ? (prev ? b : a) : undefined };
    },
    /**
     * Related posts: published before `p` and sharing the most tags with it.
     * Only older posts, so publishing a new post never changes an older post's page.
     */
    async related(p: Post, n: number): Promise<Post[]> {
      if (!p.tags.length) return [];
      const slugs = p.tags.map(slugify);
      const at = p.publishAt ?? 0;
      // Counted on the tag rows alone (small, indexed), then the few winners are read whole.
      const rows = await db.all<PostRow>(
        sql`SELECT ${sql.raw(COLS)} FROM (
           SELECT t.post_id, COUNT(*) AS shared, MAX(t.publish_at) AS at FROM pm_blog_tag t
           WHERE t.site_id = ${p.siteId} AND t.langcode = ${p.langcode} AND t.status = 'published' AND t.tag_slug IN (${sql.join(slugs)}) AND t.post_id <> ${p.postId}
             AND (t.publish_at < ${at} OR (t.publish_at = ${at} AND t.post_id < ${p.postId}))
           GROUP BY t.post_id ORDER BY shared DESC, at DESC, t.post_id DESC LIMIT ${n}
         ) s JOIN pm_blog_post p ON p.post_id = s.post_id ORDER BY s.shared DESC, s.at DESC, p.post_id DESC`,
      );
      return hydrate(rows);
    },
    async setRelated(postId: string, ids: string[]): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.run(sql`DELETE FROM pm_blog_related WHERE post_id = ${postId}`);
        // Two instances may render the same post at once (a neighbour of two posts going out): last one wins, no conflict.
        for (const id of ids) await tx.run(sql`INSERT INTO pm_blog_related (post_id, related_id) VALUES (${postId}, ${id}) ON CONFLICT DO NOTHING`);
      });
    },
    /** Posts whose page lists `postId` as related. */
    async listingRelated(postId: string): Promise<Post[]> {
      return hydrate(await db.all<PostRow>(sql`SELECT ${sql.raw(COLS)} FROM pm_blog_post p JOIN pm_blog_related r ON r.post_id = p.post_id WHERE r.related_id = ${postId}`));
    },
    async translations(group: string): Promise<Post[]> {
      return hydrate(await db.all<PostRow>(sql`SELECT ${sql.raw(COLS)} FROM pm_blog_post p WHERE p.translation_group = ${group} ORDER BY p.langcode`));
    },
    /** Every tag of a site's language that a published post carries, with its name and count. */
    async tags(siteId: string, langcode: string): Promise<{ slug: string; name: string; count: number }[]> {
      const rows = await db.all<{ tag_slug: string; name: string; n: number }>(sql`SELECT t.tag_slug, MIN(t.tag_name) AS name, COUNT(*) AS n FROM pm_blog_tag t JOIN pm_blog_post p ON p.post_id = t.post_id
         WHERE t.site_id = ${siteId} AND t.langcode = ${langcode} AND p.status = 'published' GROUP BY t.tag_slug ORDER BY t.tag_slug`);
      return rows.map((r) => ({ slug: r.tag_slug, name: r.name, count: Number(r.n) }));
    },
    /** A tag's display name in a language, from any post that carries it. */
    async tagName(siteId: string, langcode: string, slug: string): Promise<string | undefined> {
      return (await db.get<{ tag_name: string }>(sql`SELECT tag_name FROM pm_blog_tag WHERE site_id = ${siteId} AND langcode = ${langcode} AND tag_slug = ${slug} LIMIT 1`))?.tag_name;
    },
    /** Every published post of a site (feeds' per-language lists use `published`). */
    /** Several posts by id in one read (any order; missing ids are left out). */
    async getMany(postIds: string[]): Promise<Post[]> {
      if (!postIds.length) return [];
      return hydrate(await db.all<PostRow>(sql`SELECT ${sql.raw(COLS)} FROM pm_blog_post p WHERE p.post_id IN (${sql.join(postIds)})`));
    },
    /** Published posts of a site in id order, `limit` at a time after `afterId` (a walk over every post without holding them all). */
    async publishedAfter(siteId: string, afterId: string, limit: number): Promise<Post[]> {
      return hydrate(await db.all<PostRow>(sql`SELECT ${sql.raw(COLS)} FROM pm_blog_post p WHERE p.site_id = ${siteId} AND p.status = 'published' AND p.post_id > ${afterId} ORDER BY p.post_id LIMIT ${limit}`));
    },
    async allPublished(siteId: string): Promise<Post[]> {
      return hydrate(await db.all<PostRow>(sql`SELECT ${sql.raw(COLS)} FROM pm_blog_post p WHERE p.site_id = ${siteId} AND p.status = 'published' ${sql.raw(NEWEST)}`));
    },
  };
}
