/**
 * The blog's parts of what a site stores, for storage quotas (`server.usage`):
 * the posts' text, and their revisions and trash. The rendered post pages are
 * in the page store and counted with the site's pages.
 */
import type { PluginServer } from '../../src/plugins/plugin.js';

type Tables = {
  pm_blog_post: { post_id: string; site_id: string; title: string; body: string; excerpt: string; cover: string; cover_alt: string; seo_title: string; seo_description: string };
  pm_blog_revision: { post_id: string; data: string };
  pm_blog_trash: { site_id: string; data: string };
};

export function countBlogStorage(server: PluginServer): void {
  const { sql } = server;
  const k = server.kysely.withTables<Tables>();
  // octet_length: bytes, for text, on SQLite and PostgreSQL alike.
  const bytes = (columns: string[]) => sql<number | string>`coalesce(sum(${sql.join(columns.map((c) => sql`octet_length(${sql.ref(c)})`), sql` + `)}), 0)`;
  const n = (r: { n: number | string } | undefined) => Number(r?.n ?? 0);
  server.usage.count('posts', async (siteId) =>
    n(await k.selectFrom('pm_blog_post').select(bytes(['title', 'body', 'excerpt', 'cover', 'cover_alt', 'seo_title', 'seo_description']).as('n')).where('site_id', '=', siteId).executeTakeFirst()),
    'Blog posts',
  );
  server.usage.count('post history', async (siteId) => {
    const revisions = n(
      await k
        .selectFrom('pm_blog_revision')
        .innerJoin('pm_blog_post', 'pm_blog_post.post_id', 'pm_blog_revision.post_id')
        .select(bytes(['pm_blog_revision.data']).as('n'))
        .where('pm_blog_post.site_id', '=', siteId)
        .executeTakeFirst(),
    );
    const trash = n(await k.selectFrom('pm_blog_trash').select(bytes(['data']).as('n')).where('site_id', '=', siteId).executeTakeFirst());
    return revisions + trash;
  }, 'Post revisions and trash');
}
