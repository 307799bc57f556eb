/**
 * The read-only file system every theme is read through. The same interface
 * serves a folder on disk (`createDirFS`), an in-memory bundle
 * (`createMemoryFS`), rows of the `pm_theme_file` table (`createDbFS`) and a
 * stack of those (`createOverlayFS`), so the themes manager never knows where
 * its files live.
 *
 * Paths are POSIX and relative to the file system's root (`''` or `'.'` is the
 * root). Every implementation passes a path through `normalizeFsPath` before
 * touching anything, so `..`, absolute paths, backslashes and NUL bytes are
 * refused at the boundary rather than by each caller.
 */
import { PmError } from '../errors/errors.js';

export interface FsEntry {
  name: string;
  isDir: boolean;
}

export interface FsStat {
  size: number;
  mtimeMs: number;
  isDir: boolean;
}

export interface ReadonlyFS {
  /** The file's bytes. A missing file (or a folder) → PmError PM_ERR_NOT_FOUND. */
  readFile(path: string): Promise<Buffer>;
  /** The folder's entries, sorted by name. A missing folder (or a file) → PmError PM_ERR_NOT_FOUND. */
  readDir(path: string): Promise<FsEntry[]>;
  /** `undefined` when nothing is at `path`. */
  stat(path: string): Promise<FsStat | undefined>;
}

function invalid(path: string, reason: string): PmError {
  return new PmError('PM_ERR_PATH_INVALID', { path: JSON.stringify(path), reason });
}

/**
 * Checks a path and returns its canonical form: no leading `./`, no empty or
 * `.` segments, no trailing slash; the root is `''`.
 *
 * Throws PmError PM_ERR_PATH_INVALID (with the reason) for `..` segments,
 * absolute paths, backslashes, NUL or other control characters and drive
 * letters. Callers run it before any file system call.
 *
 * @example normalizeFsPath('./assets//style.css') // 'assets/style.css'
 */
export function normalizeFsPath(path: string): string {
  if (typeof path !== 'string') throw invalid(String(path), 'it is not a string');
  if (path.includes('\0')) throw invalid(path, 'it contains a NUL byte');
  // eslint-disable-next-line no-control-regex
  if (/[\u0001-\u001f\u007f]/.test(path)) throw invalid(path, 'it contains a control character');
  if (path.includes('\\')) throw invalid(path, 'it contains a backslash');
  if (/^[a-zA-Z]:/.test(path)) throw invalid(path, 'it starts with a drive letter');
  if (path.startsWith('/')) throw invalid(path, 'it is absolute; paths are relative to the root');
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') throw invalid(path, "it contains a '..' segment");
    out.push(seg);
  }
  return out.join('/');
}

/** Joins already-trusted path parts and normalises the result (still refusing `..`). */
export function joinFsPath(...parts: string[]): string {
  return normalizeFsPath(parts.filter((p) => p !== '' && p !== '.').join('/'));
}

export function notFound(path: string): PmError {
  return new PmError('PM_ERR_NOT_FOUND', { what: path === '' ? 'the root folder' : path });
}
