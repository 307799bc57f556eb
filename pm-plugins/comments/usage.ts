/**
 * The comments' part of what a site stores, for storage quotas (`server.usage`):
 * the site's comment byte counter, the figure the size cap keeps (raised in the
 * insert's own transaction, lowered on delete and purge; see comment-store.ts).
 * Spam counts until the purge job deletes it: it is stored meanwhile. The
 * pages the comments appear on are counted with the site's pages.
 */
import type { PluginServer } from '../../src/plugins/plugin.js';

type Tables = { pm_comment_site: { site_id: string; stored_bytes: number | string } };

export function countCommentStorage(server: PluginServer): void {
  const k = server.kysely.withTables<Tables>();
  server.usage.count('comments', async (siteId) => Number((await k.selectFrom('pm_comment_site').select('stored_bytes').where('site_id', '=', siteId).executeTakeFirst())?.stored_bytes ?? 0), 'Comments (held and spam included)');
}
