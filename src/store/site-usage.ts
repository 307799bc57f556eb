/**
 * pm_site_usage: what each site stores, part by part, in bytes, counted by the writes themselves
 * (not by scanning): a store runs its write through `write`, which adds the write's delta (new
 * bytes − old) to the counter in the same transaction, and refuses a write that grows the site
 * past its quota (PM_ERR_QUOTA_EXCEEDED, rolled back: nothing stored). The quota's limit comes
 * from whoever keeps it (the media plugin, through `server.usage.limit`); without one nothing is
 * refused. The core counts `pages` (pm_page's gzipped HTML and pm_template_url's data); plugins
 * may count their own parts with `add` inside their own transactions. Plain SQL on both
 * databases, no triggers. The counter is derived: `rebuildSiteUsage` sets it from a scan (the
 * migration that made it, and every restore).
 */
import { PmError } from '../errors/errors.js';
import type { Db, Queryable } from './db.js';
import { sql } from './kysely.js';

/** The parts the core counts here, and what each one scans when rebuilt. */
export const CORE_COUNTED_PARTS = ['pages'] as const;

/** What the quota's keeper says for a site: its limit (null: none) and the parts it counts itself (the media files). */
export interface QuotaState {
  limit: number | null;
  parts: { part: string; bytes: number }[];
}

export interface SiteUsage {
  /**
   * Runs `fn` in a transaction; `fn` returns how many bytes its write added to the site's `part`
   * (negative when it freed some). The counter moves by that much in the same transaction. With
   * `refuse`, a write that grows the site past its quota is rolled back with PM_ERR_QUOTA_EXCEEDED:
   * for a user's own write only, never for a render of what is already stored (a re-render, a
   * post's fan-out), which must not stop halfway; those are counted.
   */
  write<T>(siteId: string, part: string, fn: (tx: Queryable) => Promise<{ result: T; delta: number }>, o?: { refuse?: boolean }): Promise<T>;
  /** Adds `delta` bytes to the site's `part`, on `q` (a transaction's `tx`, so it commits with the write). */
  add(q: Queryable, siteId: string, part: string, delta: number): Promise<void>;
  /**
   * Refuses, before anything is stored, a change of several writes (a page save: its data, then its
   * HTML) that would pass the quota; `needed` (the bytes it adds, new − old) is only worked out
   * when the site has a limit. Each write is still held to the quota by `write`.
   */
  check(siteId: string, needed: () => Promise<number> | number): Promise<void>;
  /** The counted parts of a site. */
  counted(siteId: string, q?: Queryable): Promise<Map<string, number>>;
  /** Who keeps the quota (the media plugin): asked before each growing write. Undefined: no quota. */
  setQuota(fn: ((siteId: string) => Promise<QuotaState>) | undefined): void;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024, i++);
  return `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10} ${units[i]}`;
}

export async function addSiteUsage(q: Queryable, siteId: string, part: string, delta: number): Promise<void> {
  if (delta === 0) return;
  await q.kysely
    .insertInto('pm_site_usage')
    .values({ site_id: siteId, part, bytes: delta })
    .onConflict((oc) => oc.columns(['site_id', 'part']).doUpdateSet({ bytes: sql<number>`pm_site_usage.bytes + ${delta}` }))
    .execute();
}

/** Sets the core's counters from a scan of what is stored (once at the migration, and after a restore). */
export async function rebuildSiteUsage(q: Queryable): Promise<void> {
  await q.run(sql`DELETE FROM pm_site_usage WHERE part = 'pages'`);
  await q.run(sql`INSERT INTO pm_site_usage (site_id, part, bytes)
SELECT site_id, 'pages', sum(n) FROM (
  SELECT site_id, coalesce(octet_length(gz), 0) AS n FROM pm_page
  UNION ALL
  SELECT site_id, octet_length(data) AS n FROM pm_template_url
) AS stored GROUP BY site_id`);
}

export function createSiteUsage(db: Db): SiteUsage {
  let quota: ((siteId: string) => Promise<QuotaState>) | undefined;
  async function counted(siteId: string, q: Queryable = db): Promise<Map<string, number>> {
    const rows = await q.kysely.selectFrom('pm_site_usage').select(['part', 'bytes']).where('site_id', '=', siteId).execute();
    return new Map(rows.map((r) => [r.part, Number(r.bytes)]));
  }
  async function refuseOver(q: QuotaState & { limit: number }, siteId: string, delta: number, tx?: Queryable, part?: string): Promise<void> {
    const mine = await counted(siteId, tx);
    const parts = [...q.parts, ...[...mine].map(([p, bytes]) => ({ part: p, bytes: p === part ? bytes - delta : bytes }))];
    // `parts` and `used` are what was stored before this write.
    const used = parts.reduce((n, p) => n + p.bytes, 0);
    if (used + delta <= q.limit) return;
    throw new PmError('PM_ERR_QUOTA_EXCEEDED', {
      limit: formatBytes(q.limit),
      used: formatBytes(used),
      parts: parts.map((p) => `${p.part} ${formatBytes(p.bytes)}`).join(', '),
      needed: formatBytes(delta),
    });
  }
  return {
    add: addSiteUsage,
    async check(siteId, needed) {
      const q = quota ? await quota(siteId) : undefined;
      if (!q || q.limit === null) return;
      const delta = await needed();
      if (delta > 0) await refuseOver({ ...q, limit: q.limit }, siteId, delta);
    },
    counted,
    setQuota(fn) {
      quota = fn;
    },
    async write(siteId, part, fn, o = {}) {
      // Asked first, outside the transaction: the keeper reads its own tables (and plugins' measured parts).
      const q = quota && o.refuse ? await quota(siteId) : undefined;
      return db.transaction(async (tx) => {
        const { result, delta } = await fn(tx);
        await addSiteUsage(tx, siteId, part, delta);
        // Read after this write's own update: on PostgreSQL the row lock orders two writes of one site.
        if (delta > 0 && q && q.limit !== null) await refuseOver({ ...q, limit: q.limit }, siteId, delta, tx, part);
        return result;
      });
    },
  };
}
