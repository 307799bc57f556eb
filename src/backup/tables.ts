import type { Db } from '../store/db.js';
import { sql } from '../store/kysely.js';
import type { BackupTable } from './backup.js';

/**
 * Every `pm_` table of the database, parents before children (by its foreign keys), so a restore
 * can load them in this order. Read from the catalog, so a table is kept whoever created it; the
 * owner is the plugin whose name the table carries (`pm_blog_post` → plugin/blog), else the core.
 */
export async function listBackupTables(db: Db, pluginNames: readonly string[]): Promise<BackupTable[]> {
  const names = (await db.all<{ name: string }>(sql.raw(db.dialect.catalog.tablesSql))).map((r) => String(r.name));
  const fks = await db.all<{ child: string; parent: string }>(sql.raw(db.dialect.catalog.foreignKeysSql));
  const parents = new Map<string, Set<string>>(names.map((n) => [n, new Set()]));
  for (const { child, parent } of fks) if (child !== parent && parents.has(child) && parents.has(parent)) parents.get(child)!.add(parent);
  const ordered: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string) => {
    if (state.get(n) === 'done' || state.get(n) === 'visiting') return; // a cycle is broken where it closes
    state.set(n, 'visiting');
    for (const p of [...parents.get(n)!].sort()) visit(p);
    state.set(n, 'done');
    ordered.push(n);
  };
  // pm_migration first: the record of the schema travels ahead of the data.
  for (const n of ['pm_migration', ...names.sort()]) if (parents.has(n)) visit(n);
  const plugins = [...pluginNames].sort((a, b) => b.length - a.length).map((p) => ({ p, prefix: `pm_${p.replace(/-/g, '_')}_` }));
  return ordered.map((table) => {
    const owner = plugins.find((x) => table.startsWith(x.prefix) || table === x.prefix.slice(0, -1));
    return { table, owner: owner ? `plugin/${owner.p}` : 'core' };
  });
}
