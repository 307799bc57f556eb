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
      const rows = await db.kysely.selectFrom('pm_site_setting').select(['name', 'value']).where('site_id', '=', siteId).execute();
      return Object.fromEntries(rows.map((r) => [r.name, parseJson<unknown>(r.value, null)]));
    },
    async set(siteId, name, value) {
      const set = { value: JSON.stringify(value), updated_at: Date.now() };
      await db.kysely
        .insertInto('pm_site_setting')
        .values({ site_id: siteId, name, ...set })
        .onConflict((oc) => oc.columns(['site_id', 'name']).doUpdateSet(set))
        .execute();
    },
  };
}
