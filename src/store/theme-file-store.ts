/**
 * pm_theme_file: files kept in the database (themes installed with
 * `pagemanager install-theme`), so several stateless instances share them.
 * Paths are plain strings here; the themes part reads these rows through a
 * `ReadonlyFS` (`createDbFS` in src/themes/db-fs.ts), which checks paths.
 */
import { sql } from './kysely.js';
import type { Db } from './db.js';
import type { Migration } from './migrate.js';
import { rebuildTable } from './schema.js';

export const THEME_FILE_NAMESPACE = 'themes';

/** Migrations for pm_theme_file (namespace 'themes'). */
export const themeFileMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'pm_theme_file',
    // As it shipped: `path` was declared plain TEXT, which PostgreSQL orders by the server's locale. Version 2 fixes it.
    up: async ({ schema, column }) => {
      await schema
        .createTable('pm_theme_file')
        .ifNotExists()
        .addColumn('path', 'text', (c) => c.primaryKey())
        .addColumn('data', column.blob, (c) => c.notNull())
        .addColumn('mtime_ms', column.bigint, (c) => c.notNull())
        .execute();
    },
  },
  {
    version: 2,
    name: 'pm_theme_file.path byte-ordered',
    up: (m) =>
      rebuildTable(m, 'pm_theme_file', ['path', 'data', 'mtime_ms'], (t) =>
        t
          .addColumn('path', m.column.text, (c) => c.notNull().primaryKey())
          .addColumn('data', m.column.blob, (c) => c.notNull())
          .addColumn('mtime_ms', m.column.bigint, (c) => c.notNull()),
      ),
  },
];

export interface ThemeFile {
  path: string;
  data: Buffer;
  mtimeMs: number;
}

export interface ThemeFileStore {
  getFile(path: string): Promise<{ data: Buffer; mtimeMs: number } | undefined>;
  /** Every file whose path starts with `prefix` (a plain string prefix, `''` = all), ordered by path. */
  listPrefix(prefix: string): Promise<{ path: string; size: number; mtimeMs: number }[]>;
  /** Replaces everything under the folder `dir` (`''` = the whole root) with `files` (paths relative to the root), in one transaction. */
  replaceFolder(dir: string, files: readonly ThemeFile[]): Promise<number>;
}

function prefixOf(root: string): string {
  const clean = root.replace(/^\/+|\/+$/g, '');
  return clean === '' ? '' : clean + '/';
}

/*
 * Prefix matching uses substr() rather than LIKE: SQLite's LIKE ignores ASCII
 * case and both dialects would need `%`/`_` escaped; substr() and length()
 * behave the same on SQLite and PostgreSQL. The casts tell PostgreSQL the
 * parameters' type (length() is overloaded there).
 */
const underPrefix = (prefix: string) => sql<boolean>`substr(path, 1, length(CAST(${prefix} AS TEXT))) = CAST(${prefix} AS TEXT)`;

/**
 * The rows under `root` (`''` = the whole table), so one table can hold
 * several file trees. Structurally a `DbFileSource`: pass it to `createDbFS`.
 *
 * @example const fs = createDbFS(createThemeFileStore(db, 'pm-themes'));
 */
export function createThemeFileStore(db: Db, root: string): ThemeFileStore {
  const base = prefixOf(root);
  const k = db.kysely;
  return {
    async getFile(path) {
      const row = await k.selectFrom('pm_theme_file').select(['data', 'mtime_ms']).where('path', '=', base + path).executeTakeFirst();
      if (!row) return undefined;
      return { data: Buffer.from(row.data), mtimeMs: Number(row.mtime_ms) };
    },

    async listPrefix(prefix) {
      const rows = await k
        .selectFrom('pm_theme_file')
        .select(['path', sql<number>`length(data)`.as('size'), 'mtime_ms'])
        .where(underPrefix(base + prefix))
        .orderBy('path')
        .execute();
      return rows.map((r) => ({ path: r.path.slice(base.length), size: Number(r.size), mtimeMs: Number(r.mtime_ms) }));
    },

    async replaceFolder(dir, files) {
      const target = base + (dir === '' ? '' : dir.replace(/\/+$/, '') + '/');
      await db.transaction(async (tx) => {
        await tx.kysely.deleteFrom('pm_theme_file').where(underPrefix(target)).execute();
        for (const f of files) {
          await tx.kysely.insertInto('pm_theme_file').values({ path: base + f.path, data: f.data, mtime_ms: Math.floor(f.mtimeMs) }).execute();
        }
      });
      return files.length;
    },
  };
}
