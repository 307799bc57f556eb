import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep, isAbsolute } from 'node:path';
import { PmError } from '../errors/errors.js';
import { normalizeFsPath, notFound } from './readonly-fs.js';
import type { FsEntry, FsStat, ReadonlyFS } from './readonly-fs.js';

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}

/**
 * A `ReadonlyFS` over a folder on disk. Paths are checked by
 * `normalizeFsPath` before any system call, and a symlink whose target lies
 * outside the folder is refused (PM_ERR_PATH_INVALID), so a theme cannot
 * link to `/etc/passwd`.
 *
 * @example const fs = createDirFS('/srv/pagemanager-data/pm-themes');
 */
export function createDirFS(root: string): ReadonlyFS {
  const absRoot = resolve(root);
  let realRoot: Promise<string> | undefined;
  // Resolved lazily so that a root created after construction still works.
  const getRealRoot = (): Promise<string> => (realRoot ??= realpath(absRoot).catch((e: unknown) => {
    realRoot = undefined;
    throw e;
  }));

  function inside(realRootPath: string, p: string): boolean {
    const rel = relative(realRootPath, p);
    return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
  }

  /** The real path of `path`, or undefined when missing; throws when it escapes the root. */
  async function locate(path: string): Promise<string | undefined> {
    const clean = normalizeFsPath(path);
    let base: string;
    try {
      base = await getRealRoot();
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
    let real: string;
    try {
      real = await realpath(join(absRoot, clean));
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
    if (!inside(base, real)) {
      throw new PmError('PM_ERR_PATH_INVALID', { path: JSON.stringify(path), reason: 'it is a link that leads outside the folder' });
    }
    return real;
  }

  return {
    async readFile(path) {
      const real = await locate(path);
      if (real === undefined) throw notFound(normalizeFsPath(path));
      try {
        return await readFile(real);
      } catch (e) {
        if (isMissing(e) || (e as NodeJS.ErrnoException).code === 'EISDIR') throw notFound(normalizeFsPath(path));
        throw e;
      }
    },

    async readDir(path) {
      const real = await locate(path);
      if (real === undefined) throw notFound(normalizeFsPath(path));
      let dirents;
      try {
        dirents = await readdir(real, { withFileTypes: true });
      } catch (e) {
        if (isMissing(e)) throw notFound(normalizeFsPath(path));
        throw e;
      }
      const base = await getRealRoot();
      const out: FsEntry[] = [];
      for (const d of dirents) {
        if (d.isSymbolicLink()) {
          // Links are listed only when they stay inside the root and point at something.
          try {
            const target = await realpath(join(real, d.name));
            if (!inside(base, target)) continue;
            out.push({ name: d.name, isDir: (await stat(target)).isDirectory() });
          } catch {
            continue;
          }
        } else if (d.isDirectory() || d.isFile()) {
          out.push({ name: d.name, isDir: d.isDirectory() });
        }
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async stat(path): Promise<FsStat | undefined> {
      const real = await locate(path);
      if (real === undefined) return undefined;
      try {
        const s = await stat(real);
        return { size: s.isDirectory() ? 0 : s.size, mtimeMs: Math.floor(s.mtimeMs), isDir: s.isDirectory() };
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
    },
  };
}
