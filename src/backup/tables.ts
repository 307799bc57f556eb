import type { Db } from '../store/db.js';
import { sql } from '../store/kysely.js';
import type { OwnedTable } from '../store/core-tables.js';
import type { BackupTable } from './backup.js';

/**
 * Every `pm_` table of the database, parents before children (by its foreign keys), so a restore
 * can load them in this order. The owners are the declared ones (`app.tables()`: the core's list
 * and each plugin's `tables`); the catalog is read too, so a table nobody declared (a plugin that
 * forgot) is still kept, as `undeclared`, rather than lost.
 */
export async function listBackupTables(db: Db, declared: readonly OwnedTable[]): Promise<BackupTable[]> {
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
  const owners = new Map(declared.map((t) => [t.table, t.owner]));
  return ordered.map((table) => ({ table, owner: owners.get(table) ?? 'undeclared' }));
}
