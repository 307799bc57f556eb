/**
 * pm_locale: the locales a site has enabled. The same list is mirrored in
 * pm_site.enabled_locales (in the order the user gave); both are always
 * written together, through `writeLocales`, so they cannot disagree.
 */
import { PmError } from '../errors/errors.js';
import type { Db, Queryable } from './db.js';
import { resolveStoreOptions, type StoreOptions } from './store-options.js';
import type { LocaleStore } from './types.js';

export function normalizeLangcodes(langcodes: readonly string[]): string[] {
  if (!Array.isArray(langcodes)) throw new PmError('PM_ERR_VALIDATION', {}, { fields: { enabledLocales: 'Locales must be a list.' } });
  const out: string[] = [];
  for (const raw of langcodes) {
    const l = typeof raw === 'string' ? raw.trim() : '';
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(l)) {
      throw new PmError('PM_ERR_VALIDATION', {}, { fields: { enabledLocales: `"${String(raw)}" is not a locale code.` } });
    }
    if (!out.includes(l)) out.push(l);
  }
  return out;
}

/** Replaces a site's locales in pm_locale and pm_site.enabled_locales; call inside a transaction. */
export async function writeLocales(tx: Queryable, siteId: string, langcodes: readonly string[], now: number): Promise<void> {
  const k = tx.kysely;
  await k.deleteFrom('pm_locale').where('site_id', '=', siteId).execute();
  if (langcodes.length) await k.insertInto('pm_locale').values(langcodes.map((langcode) => ({ site_id: siteId, langcode }))).execute();
  await k.updateTable('pm_site').set({ enabled_locales: JSON.stringify(langcodes), updated_at: now }).where('site_id', '=', siteId).execute();
}

export function createLocaleStore(db: Db, opts: StoreOptions = {}): LocaleStore {
  const { now } = resolveStoreOptions(opts);
  return {
    async list(siteId) {
      const rows = await db.kysely.selectFrom('pm_locale').select('langcode').where('site_id', '=', siteId).orderBy('langcode').execute();
      return rows.map((r) => r.langcode);
    },
    async set(siteId, langcodes) {
      const list = normalizeLangcodes(langcodes);
      await db.transaction((tx) => writeLocales(tx, siteId, list, now()));
    },
  };
}
