/** pm_site_setting: small per-site settings as JSON (the active theme, revisions kept, trash days). */
import type { Db } from './db.js';
import { parseJson } from './store-options.js';

export interface SiteSettingStore {
  /** Every setting of the site. */
  all(siteId: string): Promise<Record<string, unknown>>;
  set(siteId: string, name: string, value: unknown): Promise<void>;
}

export function createSiteSettingStore(db: Db): SiteSettingStore {
  return {
    async all(siteId) {
      const rows = await db.all<{ name: string; value: string }>('SELECT name, value FROM pm_site_setting WHERE site_id = ?', [siteId]);
      return Object.fromEntries(rows.map((r) => [r.name, parseJson<unknown>(r.value, null)]));
    },
    async set(siteId, name, value) {
      await db.run(
        `INSERT INTO pm_site_setting (site_id, name, value, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (site_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        [siteId, name, JSON.stringify(value), Date.now()],
      );
    },
  };
}
