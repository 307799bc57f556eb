/**
 * What a site stores, part by part, in bytes: the core counts its pages (the
 * page store's gzipped HTML and the template data behind them) as they are
 * written (pm_site_usage, store/site-usage.ts: the stores add each write's
 * delta in its own transaction), and measures their history (revisions,
 * trash); a plugin adds its own parts (the blog its posts). A quota (the
 * media plugin's, registered with `limit`) adds them up, and a page write
 * that would pass it is refused. A measured part is one aggregate over an
 * indexed `site_id`, written with Kysely and run on either database:
 * `octet_length` is bytes on SQLite (3.43+) and PostgreSQL alike, for text
 * and for blobs, and reads no blob content.
 */
import { sql } from '../store/kysely.js';
import type { Db, Queryable } from '../store/db.js';
import type { QuotaState, SiteUsage } from '../store/site-usage.js';

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
  /**
   * Adds `delta` bytes to a part counted as written (declare it once with `counted`), on `tx`: call
   * it inside the transaction of the write, so the count commits or rolls back with it.
   */
  add(siteId: string, part: string, delta: number, tx: Queryable): Promise<void>;
  /** Declares a part counted by `add` (read from pm_site_usage, not measured), with its words. */
  counted(part: string, label?: string): void;
  /**
   * Registers who keeps the site's quota (the media plugin): its limit for a site (null: none)
   * and the bytes it counts itself. Page writes that would pass it are then refused.
   */
  limit(fn: (siteId: string) => Promise<{ limit: number | null; parts: StoredPart[] }>): void;
  /**
   * Refuses (PM_ERR_QUOTA_EXCEEDED) a save that would take the site past its quota, before anything
   * of it is stored: `needed` gives the bytes it adds (only asked when the site has a limit). The
   * writes of a save that passed are counted, not refused halfway.
   */
  check(siteId: string, needed: () => Promise<number> | number): Promise<void>;
}

/** `coalesce(sum(octet_length(a) + octet_length(b) …), 0)` over columns that are never null. */
export function sumOfBytes(columns: string[]) {
  return sql<number | string>`coalesce(sum(${sql.join(columns.map((c) => sql`octet_length(${sql.ref(c)})`), sql` + `)}), 0)`;
}

export function createStorageUsage(db: Db, siteUsage: SiteUsage): StorageUsage {
  /** `measure` absent: counted as written, read from pm_site_usage. */
  const parts = new Map<string, { label: string; measure?: (siteId: string) => Promise<number> }>();
  const one = async (q: { executeTakeFirst(): Promise<{ n: number | string } | undefined> }) => Number((await q.executeTakeFirst())?.n ?? 0);

  const core = (part: string, label: string, measure: (siteId: string) => Promise<number>) => parts.set(part, { label, measure });
  // Counted by the page and template-URL stores as they write.
  parts.set('pages', { label: 'Pages (stored HTML and their data)' });
  core('page history', 'Page revisions and trash', async (siteId) => {
    const revisions = await one(db.kysely.withTables<{ pm_revision: { site_id: string; data: string } }>().selectFrom('pm_revision').select(sumOfBytes(['data']).as('n')).where('site_id', '=', siteId));
    const trash = await one(db.kysely.withTables<{ pm_trash: { site_id: string; data: string } }>().selectFrom('pm_trash').select(sumOfBytes(['data']).as('n')).where('site_id', '=', siteId));
    return revisions + trash;
  });

  async function measureAll(siteId: string, which: 'all' | 'measured'): Promise<StoredPart[]> {
    const counted = which === 'all' ? await siteUsage.counted(siteId) : new Map<string, number>();
    const out: StoredPart[] = [];
    for (const [part, { label, measure }] of parts) {
      if (!measure && which === 'measured') continue;
      out.push({ part, label, bytes: Math.max(0, Math.round(measure ? await measure(siteId) : (counted.get(part) ?? 0))) });
    }
    return out;
  }

  return {
    count(part, measure, label) {
      parts.set(part, { label: label ?? part, measure });
    },
    counted(part, label) {
      parts.set(part, { label: label ?? part });
    },
    measure: (siteId) => measureAll(siteId, 'all'),
    check: (siteId, needed) => siteUsage.check(siteId, needed),
    add: (siteId, part, delta, tx) => siteUsage.add(tx, siteId, part, delta),
    limit(fn) {
      siteUsage.setQuota(async (siteId): Promise<QuotaState> => {
        const q = await fn(siteId);
        // Unlimited: nothing else to measure. Otherwise the measured parts join the keeper's; the counted ones are read in the write's transaction.
        if (q.limit === null) return { limit: null, parts: [] };
        return { limit: q.limit, parts: [...q.parts, ...(await measureAll(siteId, 'measured'))] };
      });
    },
  };
}
