import { normalizeFsPath, notFound } from './readonly-fs.js';
import type { FsEntry, ReadonlyFS } from './readonly-fs.js';

/**
 * Where a database-backed file system gets its files. Paths are relative to
 * the source's root, normalised, without a leading slash.
 */
export interface DbFileSource {
  getFile(path: string): Promise<{ data: Buffer; mtimeMs: number } | undefined>;
  /** Every file whose path starts with `prefix` (a plain string prefix, `''` = all). */
  listPrefix(prefix: string): Promise<{ path: string; size: number; mtimeMs: number }[]>;
}

/**
 * A `ReadonlyFS` over rows of files (the `pm_theme_file` table, see
 * `createThemeFileStore` in src/store/). Folders are implied by the paths, as in a zip file,
 * so several stateless instances can share themes through the database.
 */
export function createDbFS(source: DbFileSource): ReadonlyFS {
  return {
    async readFile(path) {
      const clean = normalizeFsPath(path);
      if (clean === '') throw notFound(clean);
      const f = await source.getFile(clean);
      if (!f) throw notFound(clean);
      return f.data;
    },

    async readDir(path) {
      const clean = normalizeFsPath(path);
      const prefix = clean === '' ? '' : clean + '/';
      const rows = await source.listPrefix(prefix);
      const seen = new Map<string, boolean>();
      for (const r of rows) {
        const rest = r.path.slice(prefix.length);
        if (rest === '') continue;
        const slash = rest.indexOf('/');
        const name = slash === -1 ? rest : rest.slice(0, slash);
        seen.set(name, (seen.get(name) ?? false) || slash !== -1);
      }
      if (seen.size === 0 && clean !== '') throw notFound(clean);
      const out: FsEntry[] = [...seen].map(([name, isDir]) => ({ name, isDir }));
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async stat(path) {
      const clean = normalizeFsPath(path);
      if (clean === '') return { size: 0, mtimeMs: 0, isDir: true };
      // One listing answers both "is it a file" and "is it a folder" without loading any bytes.
      const rows = await source.listPrefix(clean);
      const file = rows.find((r) => r.path === clean);
      if (file) return { size: file.size, mtimeMs: file.mtimeMs, isDir: false };
      const below = rows.filter((r) => r.path.startsWith(clean + '/'));
      if (below.length === 0) return undefined;
      return { size: 0, mtimeMs: Math.max(...below.map((r) => r.mtimeMs)), isDir: true };
    },
  };
}
