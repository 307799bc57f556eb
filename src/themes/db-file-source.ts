import type { Db, Dialect } from '../store/db.js';
import type { DbFileSource } from './db-fs.js';
import { joinFsPath, normalizeFsPath } from './readonly-fs.js';
import type { ReadonlyFS } from './readonly-fs.js';

/** Migrations for the table behind `createDbFileSource`. */
export const themeFileMigrations: { version: number; name: string; up: (d: Dialect) => string }[] = [
  {
    version: 1,
    name: 'pm_theme_file',
    up: (d) => `CREATE TABLE IF NOT EXISTS pm_theme_file (
  path TEXT PRIMARY KEY,
  data ${d.types.blob} NOT NULL,
  mtime_ms ${d.types.bigint} NOT NULL
)`,
  },
];

function prefixOf(root: string): string {
  const clean = normalizeFsPath(root);
  return clean === '' ? '' : clean + '/';
}

/*
 * Prefix matching uses substr() rather than LIKE: SQLite's LIKE ignores ASCII
 * case and both dialects would need `%`/`_` escaped; substr() and length()
 * behave the same on SQLite and PostgreSQL. The casts tell PostgreSQL the
 * parameters' type (length() is overloaded there).
 */
const PREFIX_WHERE = 'substr(path, 1, length(CAST(? AS TEXT))) = CAST(? AS TEXT)';

/**
 * A `DbFileSource` over the `pm_theme_file` table, seeing only the rows
 * under `root` (`''` = the whole table), so one table can hold several file
 * trees. Pass it to `createDbFS`.
 *
 * @example const fs = createDbFS(createDbFileSource(db, 'pm-themes'));
 */
export function createDbFileSource(db: Db, root: string): DbFileSource {
  const base = prefixOf(root);
  return {
    async getFile(path) {
      const row = await db.get<{ data: Uint8Array; mtime_ms: number | string }>(
        'SELECT data, mtime_ms FROM pm_theme_file WHERE path = ?',
        [base + normalizeFsPath(path)],
      );
      if (!row) return undefined;
      return { data: Buffer.from(row.data), mtimeMs: Number(row.mtime_ms) };
    },

    async listPrefix(prefix) {
      const full = base + prefix;
      const rows = await db.all<{ path: string; size: number | string; mtime_ms: number | string }>(
        `SELECT path, length(data) AS size, mtime_ms FROM pm_theme_file WHERE ${PREFIX_WHERE} ORDER BY path`,
        [full, full],
      );
      return rows.map((r) => ({ path: r.path.slice(base.length), size: Number(r.size), mtimeMs: Number(r.mtime_ms) }));
    },
  };
}

async function collect(fs: ReadonlyFS, dir: string, out: string[]): Promise<void> {
  for (const e of await fs.readDir(dir)) {
    const p = joinFsPath(dir, e.name);
    if (e.isDir) await collect(fs, p, out);
    else out.push(p);
  }
}

/**
 * Copies the folder `themeDir` of `fs` into `pm_theme_file` under `root`
 * (rows `{root}/{themeDir}/…`), replacing whatever that folder held there
 * before, in one transaction. Returns how many files were written.
 *
 * @example await installThemeToDb(db, createDirFS('pm-themes'), 'daybreak', 'pm-themes');
 */
export async function installThemeToDb(db: Db, fs: ReadonlyFS, themeDir: string, root = ''): Promise<number> {
  const dir = normalizeFsPath(themeDir);
  const files: string[] = [];
  await collect(fs, dir, files);
  const loaded = await Promise.all(
    files.map(async (p) => ({ path: p, data: await fs.readFile(p), mtimeMs: (await fs.stat(p))?.mtimeMs ?? Date.now() })),
  );
  const target = prefixOf(root) + (dir === '' ? '' : dir + '/');
  await db.transaction(async (tx) => {
    await tx.run(`DELETE FROM pm_theme_file WHERE ${PREFIX_WHERE}`, [target, target]);
    for (const f of loaded) {
      await tx.run('INSERT INTO pm_theme_file (path, data, mtime_ms) VALUES (?, ?, ?)', [prefixOf(root) + f.path, f.data, Math.floor(f.mtimeMs)]);
    }
  });
  return loaded.length;
}
