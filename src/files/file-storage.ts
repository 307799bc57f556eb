/**
 * The writable file systems behind one interface: uploads (and, later,
 * backups and per-site files) are written through a `FileStorage`, which is
 * a folder of the data folder by default or an S3-compatible bucket. Both
 * pass the same contract suite (test/files/file-storage.contract.ts).
 *
 * Keys are relative, `/`-separated paths of safe segments
 * (`01J…/w640-3f2a.webp`); `checkKey` refuses anything else before any I/O.
 */
import { PmError } from '../errors/errors.js';

export interface StoredFile {
  key: string;
  size: number;
}

export interface FileStorage {
  /** `folder` (a directory) or `s3` (a bucket). */
  readonly kind: 'folder' | 's3';
  /** Where the files are, for the log (`/srv/data/pm-uploads`, `s3://bucket/prefix`). */
  readonly location: string;
  /** Writes the whole file or nothing: a reader never sees half of it. Replaces an existing key. */
  put(key: string, body: Buffer, opts?: { contentType?: string }): Promise<void>;
  /** The file, or `undefined` when there is none. `range` is inclusive, as in HTTP. */
  get(key: string, range?: { start: number; end: number }): Promise<Buffer | undefined>;
  /** Size of the file, or `undefined` when there is none. */
  stat(key: string): Promise<{ size: number } | undefined>;
  /** Removes the file; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every file whose key starts with `prefix` (a folder: `01J…/`), in key order. */
  list(prefix: string): Promise<StoredFile[]>;
  close(): Promise<void>;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Throws PM_ERR_PATH_INVALID unless `key` is relative, without `..`, of safe segments. */
export function checkKey(key: string): string {
  const bad = (reason: string) => new PmError('PM_ERR_PATH_INVALID', { path: JSON.stringify(key).slice(0, 120), reason });
  if (typeof key !== 'string' || key === '') throw bad('it is empty');
  if (key.length > 1000) throw bad('it is too long');
  const parts = key.split('/');
  for (const p of parts) {
    if (p === '..' || p === '.') throw bad('it leaves its folder');
    if (!SEGMENT.test(p)) throw bad('only letters, digits, dots, dashes and underscores are allowed in file keys');
  }
  return key;
}

/** A list prefix: '' or keys-with-trailing-slash of safe segments. */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  checkKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}
