/** pm_menu: a site's menus (primary, footer), one row per language that has its own. */
import type { Db } from './db.js';
import { parseJson } from './store-options.js';

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

interface Row {
  site_id: string;
  langcode: string;
  name: string;
  items: string;
  updated_at: number;
}

const toMenu = (r: Row): MenuRow => ({ siteId: r.site_id, langcode: r.langcode, name: r.name, items: parseJson<MenuLink[]>(r.items, []), updatedAt: Number(r.updated_at) });

export function createMenuStore(db: Db): MenuStore {
  return {
    async get(siteId, langcode, name) {
      const r = await db.get<Row>('SELECT site_id, langcode, name, items, updated_at FROM pm_menu WHERE site_id = ? AND langcode = ? AND name = ?', [siteId, langcode, name]);
      return r && toMenu(r);
    },
    async list(siteId) {
      return (await db.all<Row>('SELECT site_id, langcode, name, items, updated_at FROM pm_menu WHERE site_id = ? ORDER BY langcode, name', [siteId])).map(toMenu);
    },
    async set(m) {
      await db.run(
        `INSERT INTO pm_menu (site_id, langcode, name, items, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (site_id, langcode, name) DO UPDATE SET items = excluded.items, updated_at = excluded.updated_at`,
        [m.siteId, m.langcode, m.name, JSON.stringify(m.items), m.updatedAt],
      );
    },
    async delete(siteId, langcode, name) {
      return (await db.run('DELETE FROM pm_menu WHERE site_id = ? AND langcode = ? AND name = ?', [siteId, langcode, name])).changes > 0;
    },
  };
}
