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
  await tx.run('DELETE FROM pm_locale WHERE site_id = ?', [siteId]);
  for (const l of langcodes) await tx.run('INSERT INTO pm_locale (site_id, langcode) VALUES (?, ?)', [siteId, l]);
  await tx.run('UPDATE pm_site SET enabled_locales = ?, updated_at = ? WHERE site_id = ?', [JSON.stringify(langcodes), now, siteId]);
}

export function createLocaleStore(db: Db, opts: StoreOptions = {}): LocaleStore {
  const { now } = resolveStoreOptions(opts);
  return {
    async list(siteId) {
      const rows = await db.all<{ langcode: string }>('SELECT langcode FROM pm_locale WHERE site_id = ? ORDER BY langcode', [siteId]);
      return rows.map((r) => r.langcode);
    },
    async set(siteId, langcodes) {
      const list = normalizeLangcodes(langcodes);
      await db.transaction((tx) => writeLocales(tx, siteId, list, now()));
    },
  };
}
