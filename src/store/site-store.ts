/** pm_site: the sites this installation serves, exactly one of them primary. */
import { PmError } from '../errors/errors.js';
import type { Db, Queryable } from './db.js';
import { normalizeLangcodes, writeLocales } from './locale-store.js';
import { notFound, parseJson, relabelConflict, resolveStoreOptions, type StoreOptions } from './store-options.js';
import type { Site, SiteStore } from './types.js';
import type { CoreTables } from './core-tables.js';

/** A pm_site row, as core-tables.ts declares it. */
type SiteRow = CoreTables['pm_site'];

const COLUMNS = ['site_id', 'domain', 'subdomain', 'tilde_prefix', 'is_primary', 'title', 'description', 'default_locale', 'enabled_locales', 'created_at', 'updated_at'] as const;
const DEFAULT_LOCALE = 'en';

function toSite(r: SiteRow): Site {
  return {
    siteId: r.site_id,
    domain: r.domain,
    subdomain: r.subdomain,
    tildePrefix: r.tilde_prefix,
    isPrimary: Number(r.is_primary) === 1,
    title: r.title,
    description: r.description,
    defaultLocale: r.default_locale,
    enabledLocales: parseJson<string[]>(r.enabled_locales, []),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

type AddressField = 'domain' | 'subdomain' | 'tildePrefix';
const ADDRESS_LABEL: Record<AddressField, string> = { domain: 'domain', subdomain: 'subdomain', tildePrefix: 'tilde prefix' };

/** Host names are case-insensitive, so domain and subdomain are kept lower case; '' means "none". */
function normalizeAddress(field: AddressField, value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new PmError('PM_ERR_VALIDATION', {}, { fields: { [field]: `The ${ADDRESS_LABEL[field]} must be text.` } });
  const v = value.trim();
  if (!v) return null;
  if (/[\s/?#]/.test(v)) throw new PmError('PM_ERR_VALIDATION', {}, { fields: { [field]: `The ${ADDRESS_LABEL[field]} "${v}" contains a space, / ? or #.` } });
  return field === 'tildePrefix' ? v : v.toLowerCase();
}

function checkAddresses(a: Record<AddressField, string | null>, isPrimary: boolean): void {
  const count = (['domain', 'subdomain', 'tildePrefix'] as const).filter((k) => a[k] !== null).length;
  if (isPrimary ? count > 1 : count !== 1) {
    const rule = isPrimary ? 'at most one' : 'exactly one';
    throw new PmError('PM_ERR_BAD_REQUEST', { detail: `A site needs ${rule} of domain, subdomain or tilde prefix.` });
  }
}

function addressConflict(a: Record<AddressField, string | null>): string {
  if (a.domain) return `A site with the domain ${a.domain}`;
  if (a.subdomain) return `A site with the subdomain ${a.subdomain}`;
  return `A site with the tilde prefix ${a.tildePrefix ?? ''}`;
}

export function createSiteStore(db: Db, opts: StoreOptions = {}): SiteStore {
  const { now, newId } = resolveStoreOptions(opts);

  const sites = (q: Queryable = db) => q.kysely.selectFrom('pm_site').select(COLUMNS);
  const getOn = async (q: Queryable, siteId: string): Promise<Site | undefined> => {
    const r = await sites(q).where('site_id', '=', siteId).executeTakeFirst();
    return r && toSite(r);
  };
  const getPrimary = async (): Promise<Site | undefined> => {
    const r = await sites().where('is_primary', '=', 1).executeTakeFirst();
    return r && toSite(r);
  };

  return {
    async list() {
      const rows = await sites().orderBy('is_primary', 'desc').orderBy('created_at').orderBy('site_id').execute();
      return rows.map(toSite);
    },
    get: (siteId) => getOn(db, siteId),
    getPrimary,

    async ensurePrimary() {
      const existing = await getPrimary();
      if (existing) return existing;
      // The partial unique index allows one row with is_primary = 1: when two
      // processes race, the second insert does nothing and both read the winner.
      await db.transaction(async (tx) => {
        const t = now();
        const siteId = newId();
        const r = await tx.run(
          tx.kysely
            .insertInto('pm_site')
            .values({
              site_id: siteId,
              is_primary: 1,
              title: 'My site',
              description: '',
              default_locale: DEFAULT_LOCALE,
              enabled_locales: JSON.stringify([DEFAULT_LOCALE]),
              created_at: t,
              updated_at: t,
            })
            .onConflict((oc) => oc.doNothing()),
        );
        if (r.changes === 1) await writeLocales(tx, siteId, [DEFAULT_LOCALE], t);
      });
      const primary = await getPrimary();
      if (!primary) throw new PmError('PM_ERR_INTERNAL', {}, { cause: new Error('ensurePrimary: no primary site after inserting one') });
      return primary;
    },

    async create(input) {
      const a = {
        domain: normalizeAddress('domain', input.domain),
        subdomain: normalizeAddress('subdomain', input.subdomain),
        tildePrefix: normalizeAddress('tildePrefix', input.tildePrefix),
      };
      checkAddresses(a, false);
      const title = typeof input.title === 'string' && input.title.trim() ? input.title.trim() : (a.domain ?? a.subdomain ?? `~${a.tildePrefix}`);
      const siteId = newId();
      const t = now();
      try {
        await db.transaction(async (tx) => {
          await tx.kysely
            .insertInto('pm_site')
            .values({
              site_id: siteId,
              domain: a.domain,
              subdomain: a.subdomain,
              tilde_prefix: a.tildePrefix,
              is_primary: 0,
              title,
              description: '',
              default_locale: DEFAULT_LOCALE,
              enabled_locales: JSON.stringify([DEFAULT_LOCALE]),
              created_at: t,
              updated_at: t,
            })
            .execute();
          await writeLocales(tx, siteId, [DEFAULT_LOCALE], t);
        });
      } catch (e) {
        throw relabelConflict(e, addressConflict(a));
      }
      return (await getOn(db, siteId))!;
    },

    async update(siteId, patch) {
      const sets: Partial<Record<'domain' | 'subdomain' | 'tilde_prefix' | 'title' | 'description' | 'default_locale', string | null>> = {};
      const set = (column: keyof typeof sets, value: string | null): void => {
        sets[column] = value;
      };
      let locales: string[] | undefined;
      const newAddress: Partial<Record<AddressField, string | null>> = {};
      for (const field of ['domain', 'subdomain', 'tildePrefix'] as const) {
        if (field in patch) newAddress[field] = normalizeAddress(field, patch[field]);
      }
      if (newAddress.domain !== undefined) set('domain', newAddress.domain);
      if (newAddress.subdomain !== undefined) set('subdomain', newAddress.subdomain);
      if (newAddress.tildePrefix !== undefined) set('tilde_prefix', newAddress.tildePrefix);
      if (patch.title !== undefined) set('title', String(patch.title));
      if (patch.description !== undefined) set('description', String(patch.description));
      if (patch.defaultLocale !== undefined) set('default_locale', normalizeLangcodes([patch.defaultLocale])[0] ?? DEFAULT_LOCALE);
      if (patch.enabledLocales !== undefined) locales = normalizeLangcodes(patch.enabledLocales);

      let merged: Record<AddressField, string | null> | undefined;
      try {
        await db.transaction(async (tx) => {
          const current = await getOn(tx, siteId);
          if (!current) throw notFound(`site ${siteId}`);
          merged = { domain: current.domain, subdomain: current.subdomain, tildePrefix: current.tildePrefix, ...newAddress };
          checkAddresses(merged, current.isPrimary);
          const t = now();
          // Only the columns in the patch, so concurrent updates of other fields are not lost.
          await tx.kysely
            .updateTable('pm_site')
            .set({ ...(sets as Record<string, string>), updated_at: t })
            .where('site_id', '=', siteId)
            .execute();
          if (locales) await writeLocales(tx, siteId, locales, t);
        });
      } catch (e) {
        throw merged ? relabelConflict(e, addressConflict(newAddress as Record<AddressField, string | null>)) : e;
      }
      return (await getOn(db, siteId))!;
    },

    async delete(siteId) {
      const site = await getOn(db, siteId);
      if (!site) return;
      if (site.isPrimary) throw new PmError('PM_ERR_BAD_REQUEST', { detail: 'The primary site cannot be deleted.' });
      // Its users, sessions, keys, pages, template URLs and locales go with it (ON DELETE CASCADE).
      await db.kysely.deleteFrom('pm_site').where('site_id', '=', siteId).where('is_primary', '=', 0).execute();
    },
  };
}
