import { normalizeFsPath, notFound } from './readonly-fs.js';
import type { FsEntry, ReadonlyFS } from './readonly-fs.js';

/**
 * An in-memory `ReadonlyFS`: an embedded bundle, or a theme built in a test.
 * Folders are implied by the files' paths. Readers see a read-only file
 * system; whoever created it may still change it with `writeFile` and
 * `deleteFile` (a test that edits a theme, then calls `reload()`).
 */
export interface MemoryFS extends ReadonlyFS {
  writeFile(path: string, data: string | Buffer): void;
  deleteFile(path: string): void;
}

/**
 * @example const fs = createMemoryFS({ 'daybreak/theme.json': '{"id":"daybreak"}' });
 */
export function createMemoryFS(files: Record<string, string | Buffer> = {}): MemoryFS {
  const store = new Map<string, { data: Buffer; mtimeMs: number }>();

  function writeFile(path: string, data: string | Buffer): void {
    const clean = normalizeFsPath(path);
    if (clean === '') throw notFound(clean);
    store.set(clean, { data: Buffer.isBuffer(data) ? Buffer.from(data) : Buffer.from(data, 'utf8'), mtimeMs: Date.now() });
  }
  for (const [p, d] of Object.entries(files)) writeFile(p, d);

  function isDir(clean: string): boolean {
    if (clean === '') return true;
    const prefix = clean + '/';
    for (const k of store.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }

  return {
    writeFile,
    deleteFile(path) {
      store.delete(normalizeFsPath(path));
    },
    async readFile(path) {
      const clean = normalizeFsPath(path);
      const f = store.get(clean);
      if (!f) throw notFound(clean);
      return Buffer.from(f.data);
    },
    async readDir(path) {
      const clean = normalizeFsPath(path);
      if (!isDir(clean)) throw notFound(clean);
      const prefix = clean === '' ? '' : clean + '/';
      const seen = new Map<string, boolean>();
      for (const k of store.keys()) {
        if (!k.startsWith(prefix)) continue;
        const rest = k.slice(prefix.length);
        const slash = rest.indexOf('/');
        const name = slash === -1 ? rest : rest.slice(0, slash);
        seen.set(name, (seen.get(name) ?? false) || slash !== -1);
      }
      const out: FsEntry[] = [...seen].map(([name, dir]) => ({ name, isDir: dir }));
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async stat(path) {
      const clean = normalizeFsPath(path);
      const f = store.get(clean);
      if (f) return { size: f.data.length, mtimeMs: f.mtimeMs, isDir: false };
      if (isDir(clean)) return { size: 0, mtimeMs: 0, isDir: true };
      return undefined;
    },
  };
}
