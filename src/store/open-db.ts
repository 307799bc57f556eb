/**
 * DSN → Db. The only file that imports both dialect folders.
 *
 *   postgres://… or postgresql://…   PostgreSQL
 *   sqlite:PATH or a plain file path    SQLite (the parent folder is created)
 *   :memory:                            SQLite in memory (tests, throwaway runs)
 */
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PmError } from '../errors/errors.js';
import type { Db } from './db.js';
import { createSqliteDb } from './sqlite/sqlite-db.js';

function codeOf(e: unknown): string {
  return (e as { code?: string } | null)?.code ?? String(e);
}

export interface OpenDbOptions {
  /** PostgreSQL schema (tests isolate runs this way). */
  schema?: string;
  /** better-sqlite3's addon, when it cannot find its own (the single executable); asked only for SQLite. */
  sqliteAddon?: () => object | undefined;
}

export async function openDb(dsn: string, opts: OpenDbOptions = {}): Promise<Db> {
  // pg is loaded only for a PostgreSQL DSN: a SQLite start does not pay for it (about 0.1 s, 15 MiB).
  if (/^postgres(ql)?:\/\//i.test(dsn)) return (await import('./postgres/postgres-db.js')).createPostgresDb(dsn, opts);
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(dsn)) {
    throw new PmError('PM_ERR_CONFIG', { detail: `the database address ${dsn.split('://')[0]}://… is not supported; use postgres://… or a SQLite file path` });
  }
  const path = dsn.startsWith('sqlite:') ? dsn.slice('sqlite:'.length) : dsn;
  if (path.trim() === '') throw new PmError('PM_ERR_CONFIG', { detail: 'the SQLite database path is empty' });
  if (path === ':memory:') return createSqliteDb(path, { nativeBinding: opts.sqliteAddon?.() });

  const file = resolve(path);
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new PmError('PM_ERR_DB_UNAVAILABLE', { detail: `cannot create the folder ${dir} for the SQLite database (${codeOf(e)})` }, { cause: e });
  }
  // SQLite also writes FILE-wal and FILE-shm beside the database, so the folder itself must be writable.
  for (const p of existsSync(file) ? [dir, file] : [dir]) {
    try {
      accessSync(p, constants.W_OK);
    } catch (e) {
      throw new PmError('PM_ERR_DB_UNAVAILABLE', { detail: `${p} is not writable, so the SQLite database ${file} cannot be used (${codeOf(e)})` }, { cause: e });
    }
  }
  return createSqliteDb(file, { nativeBinding: opts.sqliteAddon?.() });
}
