/** pm_menu: a site's menus (primary, footer), one row per language that has its own. */
import type { Db } from './db.js';
import { parseJson } from './store-options.js';
import type { CoreTables } from './core-tables.js';

export interface MenuLink {
  label: string;
  url: string;
  /** One level of nesting: the links shown under this one. */
  children?: MenuLink[];
}

export interface MenuRow {
  siteId: string;
  langcode: string;
  name: string;
  items: MenuLink[];
  updatedAt: number;
}

export interface MenuStore {
  get(siteId: string, langcode: string, name: string): Promise<MenuRow | undefined>;
  /** Every menu of every language of the site. */
  list(siteId: string): Promise<MenuRow[]>;
  set(row: MenuRow): Promise<void>;
  delete(siteId: string, langcode: string, name: string): Promise<boolean>;
}

/** A pm_menu row, as core-tables.ts declares it. */
type Row = CoreTables['pm_menu'];

const toMenu = (r: Row): MenuRow => ({ siteId: r.site_id, langcode: r.langcode, name: r.name, items: parseJson<MenuLink[]>(r.items, []), updatedAt: Number(r.updated_at) });

export function createMenuStore(db: Db): MenuStore {
  const k = db.kysely;
  const menus = () => k.selectFrom('pm_menu').select(['site_id', 'langcode', 'name', 'items', 'updated_at']);
  return {
    async get(siteId, langcode, name) {
      const r: Row | undefined = await menus().where('site_id', '=', siteId).where('langcode', '=', langcode).where('name', '=', name).executeTakeFirst();
      return r && toMenu(r);
    },
    async list(siteId) {
      return (await menus().where('site_id', '=', siteId).orderBy('langcode').orderBy('name').execute()).map(toMenu);
    },
    async set(m) {
      const set = { items: JSON.stringify(m.items), updated_at: m.updatedAt };
      await k
        .insertInto('pm_menu')
        .values({ site_id: m.siteId, langcode: m.langcode, name: m.name, ...set })
        .onConflict((oc) => oc.columns(['site_id', 'langcode', 'name']).doUpdateSet(set))
        .execute();
    },
    async delete(siteId, langcode, name) {
      return (await db.run(k.deleteFrom('pm_menu').where('site_id', '=', siteId).where('langcode', '=', langcode).where('name', '=', name))).changes > 0;
    },
  };
}
