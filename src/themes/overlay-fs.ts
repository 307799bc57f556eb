import { isPmError } from '../errors/errors.js';
import { normalizeFsPath, notFound } from './readonly-fs.js';
import type { FsEntry, ReadonlyFS } from './readonly-fs.js';

/**
 * Lays several file systems over each other: for each path the first layer
 * that has it wins, and a folder lists the union of its entries in every
 * layer. The user's `pm-themes/` sits over the built-in themes this way, so a
 * user can replace a whole theme or a single file of one.
 *
 * @example createOverlayFS([createDirFS(userThemes), createDirFS(builtinThemes)])
 */
export function createOverlayFS(layers: ReadonlyFS[]): ReadonlyFS {
  return {
    async readFile(path) {
      const clean = normalizeFsPath(path);
      for (const layer of layers) {
        const s = await layer.stat(clean);
        if (s === undefined) continue;
        if (s.isDir) break; // the first layer's folder hides any file below it
        return layer.readFile(clean);
      }
      throw notFound(clean);
    },

    async readDir(path) {
      const clean = normalizeFsPath(path);
      const merged = new Map<string, boolean>();
      let found = false;
      for (const layer of layers) {
        let entries: FsEntry[];
        try {
          entries = await layer.readDir(clean);
        } catch (e) {
          if (isPmError(e, 'PM_ERR_NOT_FOUND')) continue;
          throw e;
        }
        found = true;
        for (const e of entries) if (!merged.has(e.name)) merged.set(e.name, e.isDir);
      }
      if (!found) throw notFound(clean);
      return [...merged]
        .map(([name, isDir]) => ({ name, isDir }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async stat(path) {
      const clean = normalizeFsPath(path);
      for (const layer of layers) {
        const s = await layer.stat(clean);
        if (s !== undefined) return s;
      }
      return undefined;
    },
  };
}
