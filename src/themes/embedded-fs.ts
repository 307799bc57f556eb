import { normalizeFsPath, notFound } from './readonly-fs.js';
import type { FsEntry, FsStat, ReadonlyFS } from './readonly-fs.js';

/**
 * What an embedded bundle is made of: the list of its files (written at build
 * time) and a way to read one of them by its path. In the single executable
 * the reader is `node:sea`'s `getRawAsset`; in the contract suite a Map.
 */
export interface EmbeddedSource {
  /** Every file in the bundle: POSIX path → size in bytes. */
  files: Record<string, number>;
  /** When the bundle was built; every file reports it as its mtime. */
  builtAtMs: number;
  /** The file's bytes (the path is one of `files`). */
  read(path: string): ArrayBuffer | Uint8Array;
}

/**
 * A `ReadonlyFS` over files built into the program (the single executable's
 * SEA assets): the folder tree is computed once from the file list, and a file
 * is read from the bundle only when asked for. `root` serves one folder of the
 * bundle as the root (`pm-themes` for the built-in themes).
 *
 * @example createEmbeddedFS({ files: { 'a/b.txt': 2 }, builtAtMs: 0, read: () => Buffer.from('hi') })
 */
export function createEmbeddedFS(source: EmbeddedSource, root = ''): ReadonlyFS {
  const base = normalizeFsPath(root);
  const files = new Map<string, number>();
  const dirs = new Map<string, Map<string, boolean>>([['', new Map()]]);
  for (const [full, size] of Object.entries(source.files)) {
    const clean = normalizeFsPath(full);
    if (base && !clean.startsWith(base + '/')) continue;
    const rel = base ? clean.slice(base.length + 1) : clean;
    files.set(rel, size);
    const parts = rel.split('/');
    for (let i = 0; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      let entries = dirs.get(dir);
      if (!entries) dirs.set(dir, (entries = new Map()));
      entries.set(parts[i], i < parts.length - 1);
    }
  }
  const listing = new Map<string, FsEntry[]>();
  for (const [dir, entries] of dirs) {
    listing.set(
      dir,
      [...entries].map(([name, isDir]) => ({ name, isDir })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    );
  }
  const mtimeMs = source.builtAtMs;

  return {
    async readFile(path) {
      const clean = normalizeFsPath(path);
      if (!files.has(clean)) throw notFound(clean);
      const bytes = source.read(base ? `${base}/${clean}` : clean);
      // A copy: callers may keep or change the buffer, the bundle must not change.
      return Buffer.from(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes);
    },
    async readDir(path) {
      const clean = normalizeFsPath(path);
      const entries = listing.get(clean);
      if (!entries) throw notFound(clean);
      return entries.map((e) => ({ ...e }));
    },
    async stat(path): Promise<FsStat | undefined> {
      const clean = normalizeFsPath(path);
      const size = files.get(clean);
      if (size !== undefined) return { size, mtimeMs, isDir: false };
      if (listing.has(clean)) return { size: 0, mtimeMs, isDir: true };
      return undefined;
    },
  };
}
