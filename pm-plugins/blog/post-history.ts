/**
 * Revisions and trash for posts, as the core keeps them for pages: each save
 * keeps the version it replaces (the newest N, the site's history setting),
 * and a deleted post waits in the trash (D days) to come back with its id,
 * address and feed id. Restoring goes through the post service, so it is
 * checked and rendered like any save.
 */
import { ulid } from 'ulid';
import type { Migration, PluginServer } from '../../src/plugins/plugin.js';
import type { Post } from './post-store.js';

export const historyMigrations: Migration[] = [
  {
    version: 3,
    name: 'post revisions and trash',
    up: ({ types: { text, bigint } }) => `
CREATE TABLE pm_blog_revision (
  revision_id ${text} NOT NULL PRIMARY KEY,
  post_id ${text} NOT NULL REFERENCES pm_blog_post (post_id) ON DELETE CASCADE,
  data ${text} NOT NULL,
  created_at ${bigint} NOT NULL
);
CREATE INDEX pm_blog_revision_post ON pm_blog_revision (post_id, created_at);
CREATE TABLE pm_blog_trash (
  trash_id ${text} NOT NULL PRIMARY KEY,
  site_id ${text} NOT NULL REFERENCES pm_site (site_id) ON DELETE CASCADE,
  post_id ${text} NOT NULL,
  title ${text} NOT NULL,
  data ${text} NOT NULL,
  deleted_at ${bigint} NOT NULL
);
CREATE INDEX pm_blog_trash_site ON pm_blog_trash (site_id, deleted_at);
`,
  },
];

/** What a revision keeps: the content, not the status (restoring never publishes or unpublishes). */
export type RevisionData = Pick<Post, 'title' | 'slug' | 'body' | 'excerpt' | 'cover' | 'coverAlt' | 'tags' | 'authorIds' | 'seoTitle' | 'seoDescription' | 'noindex'>;
export interface PostRevision {
  revisionId: string;
  postId: string;
  data: RevisionData;
  createdAt: number;
}
export interface TrashedPost {
  trashId: string;
  postId: string;
  title: string;
  post: Post;
  deletedAt: number;
}

const DAY = 86_400_000;
const content = (p: Post): RevisionData => ({
  title: p.title, slug: p.slug, body: p.body, excerpt: p.excerpt, cover: p.cover, coverAlt: p.coverAlt, tags: p.tags,
  authorIds: p.authorIds, seoTitle: p.seoTitle, seoDescription: p.seoDescription, noindex: p.noindex,
});

export function createPostHistory(server: PluginServer) {
  const { db, sql } = server;
  const settings = (siteId: string) => server.history.settings(siteId);
  return {
    content,
    /** Keeps `old` as a revision of itself (unless its content did not change), then prunes. */
    async keep(old: Post, next: Post): Promise<void> {
      if (JSON.stringify(content(old)) === JSON.stringify(content(next))) return;
      const { keepRevisions } = await settings(old.siteId);
      if (keepRevisions <= 0) return;
      await db.run(sql`INSERT INTO pm_blog_revision (revision_id, post_id, data, created_at) VALUES (${ulid()}, ${old.postId}, ${JSON.stringify(content(old))}, ${Date.now()})`);
      const extra = await db.all<{ revision_id: string }>(sql`SELECT revision_id FROM pm_blog_revision WHERE post_id = ${old.postId} ORDER BY created_at DESC, revision_id DESC LIMIT 100000 OFFSET ${keepRevisions}`);
      for (const r of extra) await db.run(sql`DELETE FROM pm_blog_revision WHERE revision_id = ${r.revision_id}`);
    },
    async revisions(postId: string): Promise<PostRevision[]> {
      const rows = await db.all<{ revision_id: string; post_id: string; data: string; created_at: number }>(sql`SELECT revision_id, post_id, data, created_at FROM pm_blog_revision WHERE post_id = ${postId} ORDER BY created_at DESC, revision_id DESC`);
      return rows.map((r) => ({ revisionId: r.revision_id, postId: r.post_id, data: JSON.parse(r.data) as RevisionData, createdAt: Number(r.created_at) }));
    },
    async revision(postId: string, revisionId: string): Promise<PostRevision | undefined> {
      return (await this.revisions(postId)).find((r) => r.revisionId === revisionId);
    },
    async trash(p: Post): Promise<void> {
      await db.run(sql`INSERT INTO pm_blog_trash (trash_id, site_id, post_id, title, data, deleted_at) VALUES (${ulid()}, ${p.siteId}, ${p.postId}, ${p.title}, ${JSON.stringify(p)}, ${Date.now()})`);
    },
    /** The site's trash, newest first; entries past their time go first. */
    async trashed(siteId: string): Promise<TrashedPost[]> {
      const { trashDays } = await settings(siteId);
      await db.run(sql`DELETE FROM pm_blog_trash WHERE site_id = ${siteId} AND deleted_at < ${Date.now() - trashDays * DAY}`);
      const rows = await db.all<{ trash_id: string; post_id: string; title: string; data: string; deleted_at: number }>(sql`SELECT trash_id, post_id, title, data, deleted_at FROM pm_blog_trash WHERE site_id = ${siteId} ORDER BY deleted_at DESC, trash_id DESC`);
      return rows.map((r) => ({ trashId: r.trash_id, postId: r.post_id, title: r.title, post: JSON.parse(r.data) as Post, deletedAt: Number(r.deleted_at) }));
    },
    async untrash(trashId: string): Promise<void> {
      await db.run(sql`DELETE FROM pm_blog_trash WHERE trash_id = ${trashId}`);
    },
  };
}

export type PostHistory = ReturnType<typeof createPostHistory>;
