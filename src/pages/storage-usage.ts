/**
 * What a site stores, part by part, in bytes: the core counts its pages (the
 * page store's gzipped HTML and the template data behind them) and their
 * history (revisions, trash); a plugin adds its own parts (the blog its
 * posts). A quota (the media plugin's) adds them up. Each part is one
 * aggregate over an indexed `site_id`, written with Kysely and run on either
 * database: `octet_length` is bytes on SQLite (3.43+) and PostgreSQL alike,
 * for text and for blobs, and reads no blob content.
 */
import { sql } from '../store/kysely.js';
import type { Db } from '../store/db.js';

/** One part of what a site stores. */
export interface StoredPart {
  /** Short and plain, for the dashboard: `pages`, `page history`, `posts`. */
  part: string;
  /** What the dashboard calls it: "Blog posts". */
  label: string;
  bytes: number;
}

/**
 * @example
 *   server.usage.count('posts', async (siteId) => sumOfMyRows(siteId));
 *   const parts = await server.usage.measure(siteId); // [{ part: 'pages', bytes: 18234 }, …]
 */
export interface StorageUsage {
  /**
   * Adds a part, measured when asked (call it in `init`), with the words the dashboard shows for it
   * (the part's name when absent). A second part of the same name replaces the first.
   */
  count(part: string, measure: (siteId: string) => Promise<number>, label?: string): void;
  /** Every part's bytes for the site, the core's first. */
  measure(siteId: string): Promise<StoredPart[]>;
}

/** `coalesce(sum(octet_length(a) + octet_length(b) …), 0)` over columns that are never null. */
export function sumOfBytes(columns: string[]) {
  return sql<number | string>`coalesce(sum(${sql.join(columns.map((c) => sql`octet_length(${sql.ref(c)})`), sql` + `)}), 0)`;
}

export function createStorageUsage(db: Db): StorageUsage {
  const k = db.kysely;
  const parts = new Map<string, { label: string; measure: (siteId: string) => Promise<number> }>();
  const one = async (q: { executeTakeFirst(): Promise<{ n: number | string } | undefined> }) => Number((await q.executeTakeFirst())?.n ?? 0);

  const core = (part: string, label: string, measure: (siteId: string) => Promise<number>) => parts.set(part, { label, measure });
  core('pages', 'Pages (stored HTML and their data)', async (siteId) => {
    // Redirects and aliases have no gz; coalesce keeps them at 0 rather than null.
    const html = await one(k.selectFrom('pm_page').select(sql<number | string>`coalesce(sum(coalesce(octet_length(gz), 0)), 0)`.as('n')).where('site_id', '=', siteId));
    const data = await one(k.selectFrom('pm_template_url').select(sumOfBytes(['data']).as('n')).where('site_id', '=', siteId));
    return html + data;
  });
  core('page history', 'Page revisions and trash', async (siteId) => {
    const revisions = await one(db.kysely.withTables<{ pm_revision: { site_id: string; data: string } }>().selectFrom('pm_revision').select(sumOfBytes(['data']).as('n')).where('site_id', '=', siteId));
    const trash = await one(db.kysely.withTables<{ pm_trash: { site_id: string; data: string } }>().selectFrom('pm_trash').select(sumOfBytes(['data']).as('n')).where('site_id', '=', siteId));
    return revisions + trash;
  });

  return {
    count(part, measure, label) {
      parts.set(part, { label: label ?? part, measure });
    },
    async measure(siteId) {
      const out: StoredPart[] = [];
      for (const [part, { label, measure }] of parts) out.push({ part, label, bytes: Math.max(0, Math.round(await measure(siteId))) });
      return out;
    },
  };
}
