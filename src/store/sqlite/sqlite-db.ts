/**
 * The SQLite implementation of `Db`, on better-sqlite3.
 *
 * better-sqlite3 is one synchronous connection. Our transactions take async
 * callbacks, so a transaction holds an in-process mutex from BEGIN to COMMIT;
 * statements issued on the root `Db` meanwhile wait for it, while statements
 * on the transaction's own `tx` run at once. Reads outside a transaction never
 * wait on I/O of other requests because every call is synchronous underneath.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from '../kysely.js';
import type { Db, Dialect, Queryable, SqlQuery } from '../db.js';
import { createQueryable, type ExecResult, type KyselyParts } from '../query.js';
import { normalizeParams } from '../sql-params.js';
import { createSqliteSearchIndex } from './sqlite-search.js';
import { createAsyncMutex } from './async-mutex.js';
import { createLeaseLocks } from '../lease-lock.js';
import { mapSqliteError, mapSqliteOpenError } from './sqlite-errors.js';

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  types: { bigint: 'INTEGER', blob: 'BLOB', text: 'TEXT' },
  supportsReturning: true,
  singleWriter: true,
  crossProcessNotify: false,
  catalog: {
    tablesSql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'pm\\_%' ESCAPE '\\' AND name NOT LIKE 'pm\\_search\\_%' ESCAPE '\\' ORDER BY name",
    foreignKeysSql: "SELECT m.name AS child, f.\"table\" AS parent FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND m.name LIKE 'pm\\_%' ESCAPE '\\'",
  },
};

/** How many pre-upgrade copies of the database `pm-backups/` keeps. */
const KEEP_UPGRADE_COPIES = 3;

export const sqliteKysely: KyselyParts = {
  adapter: () => new SqliteAdapter(),
  compiler: () => new SqliteQueryCompiler(),
  introspector: (k) => new SqliteIntrospector(k),
};

/** Dynamic SQL (IN lists of varying length) would grow the cache forever; past this it starts over. */
const STATEMENT_CACHE_LIMIT = 1000;

export function createSqliteDb(path: string, opts: { nativeBinding?: object } = {}): Db {
  let conn: Database.Database | undefined;
  try {
    // The single executable hands over the addon it loaded itself; elsewhere better-sqlite3 finds its own.
    conn = new Database(path, opts.nativeBinding ? { nativeBinding: opts.nativeBinding as unknown as string } : undefined);
    // busy_timeout first: the pragmas below may already need to wait for another process.
    conn.pragma('busy_timeout = 5000');
    const mode = conn.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal' && mode !== 'memory') throw new Error(`journal_mode is ${String(mode)}, expected wal`);
    conn.pragma('synchronous = NORMAL');
    conn.pragma('foreign_keys = ON');
    // Reads of page bytes straight from the mapped file, without copying through SQLite's page cache.
    conn.pragma('mmap_size = 268435456');
  } catch (e) {
    try {
      conn?.close();
    } catch {
      // Already failing; the open error is the one worth reporting.
    }
    throw mapSqliteOpenError(e, path);
  }
  return wrapConnection(conn, path);
}

function wrapConnection(conn: Database.Database, path: string): Db {
  const statements = new Map<string, Database.Statement>();
  const mutex = createAsyncMutex();
  // Marks the async context of a running transaction callback, so that using
  // the root Db from inside it fails loudly instead of waiting for itself forever.
  // Only under tests (PM_TEST, set by `npm test`) or PM_DEBUG_DB: once an
  // AsyncLocalStorage has run, Node 20 pays async-hook costs on every promise
  // in the process, a few µs on each request (measured by `npm run bench`).
  const txScope = process.env.PM_TEST || process.env.PM_DEBUG_DB ? new AsyncLocalStorage<{ active: boolean }>() : undefined;
  const listeners = new Map<string, Set<(payload: string) => void>>();
  let closed = false;

  function prepare(sql: string): Database.Statement {
    let s = statements.get(sql);
    if (!s) {
      s = conn.prepare(sql);
      if (statements.size >= STATEMENT_CACHE_LIMIT) statements.clear();
      statements.set(sql, s);
    }
    return s;
  }

  function mapped<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw mapSqliteError(e, path);
    }
  }

  const direct = {
    exec(q: SqlQuery): ExecResult {
      return mapped(() => {
        const s = prepare(q.sql);
        const p = normalizeParams(q.parameters);
        if (!s.reader) return { rows: [], changes: s.run(...p).changes };
        const rows = s.all(...p);
        return { rows, changes: rows.length };
      });
    },
    get<T>(q: SqlQuery): T | undefined {
      return mapped(() => {
        const s = prepare(q.sql);
        const p = normalizeParams(q.parameters);
        if (!s.reader) {
          s.run(...p);
          return undefined;
        }
        return s.get(...p) as T | undefined;
      });
    },
    execScript(sql: string): void {
      mapped(() => conn.exec(sql));
    },
  };

  function assertNotInsideTransaction(): void {
    if (txScope?.getStore()?.active) {
      throw new Error('The root Db was used inside its own transaction (this would wait forever on SQLite). Use the `tx` passed to the callback.');
    }
  }

  /** Runs a synchronous statement on the root Db, after any transaction in progress. */
  async function onRoot<T>(f: () => T): Promise<T> {
    assertNotInsideTransaction();
    if (!mutex.locked) return f();
    const release = await mutex.acquire();
    try {
      return f();
    } finally {
      release();
    }
  }

  async function inTransaction<T>(begin: string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    assertNotInsideTransaction();
    const release = await mutex.acquire();
    const scope = { active: true };
    const guard = (): void => {
      if (!scope.active) throw new Error('This transaction has already finished; its `tx` can no longer be used.');
    };
    const tx: Queryable = createQueryable(
      sqliteKysely,
      async (q) => direct.exec(q),
      async (sql) => direct.execScript(sql),
      guard,
    );
    try {
      direct.execScript(begin);
      try {
        const result = txScope ? await txScope.run(scope, () => fn(tx)) : await fn(tx);
        direct.execScript('COMMIT');
        return result;
      } catch (e) {
        if (conn.inTransaction) conn.exec('ROLLBACK');
        throw e;
      }
    } finally {
      scope.active = false;
      release();
    }
  }

  const root = createQueryable(
    sqliteKysely,
    (q) => onRoot(() => direct.exec(q)),
    (sql) => onRoot(() => direct.execScript(sql)),
  );
  const leases = createLeaseLocks(root);
  const db: Db = {
    dialect: sqliteDialect,
    get kysely() {
      return root.kysely;
    },
    all: root.all,
    get: root.get,
    run: root.run,
    execScript: root.execScript,
    getSync: <T>(q: SqlQuery) => (mutex.locked ? undefined : { row: direct.get<T>(q) }),
    isListening: () => true,
    createSearchIndex: (name) => createSqliteSearchIndex(db, name),
    // IMMEDIATE for every transaction: taking the write lock up front means a
    // read-then-write transaction never fails with SQLITE_BUSY half-way when
    // another process shares the file (busy_timeout cannot help a lock upgrade).
    transaction: (fn) => inTransaction('BEGIN IMMEDIATE', fn),
    exclusive: (_name, fn) => inTransaction('BEGIN IMMEDIATE', fn),
    // Not a transaction: `fn` writes through the root connection, which a transaction would hold.
    withLock: (key, fn) => leases.withLock(key, fn),
    // DEFERRED: the snapshot starts at the first read and takes no write lock.
    snapshot: (fn) => inTransaction('BEGIN DEFERRED', fn),
    async copyBeforeUpgrade(label) {
      if (path === ':memory:' || path === '') return undefined;
      const dir = join(dirname(path), 'pm-backups');
      mkdirSync(dir, { recursive: true });
      const safe = label.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 80);
      const target = join(dir, `before-upgrade-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${safe}.db`);
      const release = await mutex.acquire();
      try {
        await conn.backup(target);
      } finally {
        release();
      }
      const old = readdirSync(dir).filter((n) => n.startsWith('before-upgrade-') && n.endsWith('.db')).sort();
      for (const n of old.slice(0, Math.max(0, old.length - KEEP_UPGRADE_COPIES))) rmSync(join(dir, n), { force: true });
      return target;
    },
    async listen(channel, onMessage) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      // A wrapper per subscription, so subscribing the same function twice unsubscribes independently.
      const handler = (payload: string): void => onMessage(payload);
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size === 0 && listeners.get(channel) === set) listeners.delete(channel);
      };
    },
    async notify(channel, payload) {
      const set = listeners.get(channel);
      if (!set) return;
      // Delivered asynchronously, as PostgreSQL does, so a listener never runs inside the notifier's call stack.
      for (const handler of [...set]) {
        setImmediate(() => {
          try {
            handler(payload);
          } catch (e) {
            process.emitWarning(`A listener on channel ${channel} threw: ${e instanceof Error ? e.message : String(e)}`);
          }
        });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      const release = await mutex.acquire();
      try {
        statements.clear();
        conn.close();
      } finally {
        release();
      }
    },
  };
  return db;
}
