/**
 * The PostgreSQL implementation of `Db`, on a node-postgres Pool.
 *
 * SQL arrives compiled by Kysely's PostgreSQL compiler (`$1, $2, …`), so
 * nothing rewrites SQL text here: a `?` inside a string literal or one of
 * PostgreSQL's JSON operators (`?`, `?|`, `?&`) reaches the server unchanged.
 *
 * Every statement has a time limit (`queryTimeoutMs`, client side, and the
 * same `statement_timeout` server side), and so has waiting for a pooled
 * connection (`connectTimeoutMs`): with the server reachable but not
 * answering, a request fails with PM_ERR_DB_UNAVAILABLE (503) within seconds
 * instead of holding the pool.
 *
 * With `opts.schema`, the schema is created if missing and every connection's
 * `search_path` is set to it alone (tests use this to isolate runs), and
 * LISTEN/NOTIFY channel names are prefixed with it, because channels are
 * per database, not per schema.
 */
import { PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from '../kysely.js';
import pg from 'pg';
import { PmError } from '../../errors/errors.js';
import type { Db, Dialect, Queryable, SqlQuery } from '../db.js';
import { createQueryable, type ExecResult, type KyselyParts } from '../query.js';
import { normalizeParams } from '../sql-params.js';
import { mapPgError } from './pg-errors.js';
import { createListener } from './pg-listener.js';
import { createKeyedMutex } from '../keyed-mutex.js';
import { createPgSearchIndex } from './pg-search.js';

export const postgresDialect: Dialect = {
  name: 'postgres',
  types: { bigint: 'BIGINT', blob: 'BYTEA', text: 'TEXT COLLATE "C"' },
  supportsReturning: true,
  singleWriter: false,
  crossProcessNotify: true,
  catalog: {
    tablesSql:
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name LIKE 'pm\\_%' AND table_name NOT LIKE 'pm\\_search\\_%' ORDER BY table_name",
    foreignKeysSql:
      "SELECT tc.table_name AS child, ccu.table_name AS parent FROM information_schema.table_constraints tc JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.constraint_schema = tc.constraint_schema WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()",
  },
};

export const postgresKysely: KyselyParts = {
  adapter: () => new PostgresAdapter(),
  compiler: () => new PostgresQueryCompiler(),
  introspector: (k) => new PostgresIntrospector(k),
};

export interface PostgresOptions {
  schema?: string;
  /** Longest a statement may run, client and server side (default 5000 ms). */
  queryTimeoutMs?: number;
  /** Longest to wait for a new connection or a free pooled one (default 3000 ms). */
  connectTimeoutMs?: number;
}

export const DEFAULT_QUERY_TIMEOUT_MS = 5000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
/** Waiting for an advisory lock (another process migrating) may take longer than one statement. */
const LOCK_TIMEOUT_MS = 60_000;
/** A backup's reads of whole tables: bounded, but by much more than a request's statement. */
const LONG_RUNNING_TIMEOUT_MS = 30 * 60_000;
/** PostgreSQL identifiers (channel names) are cut at 63 bytes. */
const MAX_CHANNEL_BYTES = 63;

/** "host:port" for messages; never includes the password. */
function describeTarget(dsn: string): string {
  try {
    const u = new URL(dsn);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return 'the configured PostgreSQL server';
  }
}

export async function createPostgresDb(dsn: string, opts: PostgresOptions = {}): Promise<Db> {
  const target = describeTarget(dsn);
  const schema = opts.schema;
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new PmError('PM_ERR_CONFIG', { detail: `the PostgreSQL schema name "${schema}" must be letters, digits and _ (not starting with a digit)` });
  }
  const queryTimeout = opts.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const connectTimeout = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  // Our own parsers, not pg's global `types`: other code in the process keeps pg's defaults.
  const types = new pg.TypeOverrides();
  // int8 (COUNT(*), BIGINT millisecond timestamps) as a number; our values stay far below 2^53.
  types.setTypeParser(20, (v: string) => Number(v));
  const clientConfig: pg.ClientConfig = {
    connectionString: dsn,
    connectionTimeoutMillis: connectTimeout,
    query_timeout: queryTimeout,
    statement_timeout: queryTimeout,
    types,
    ...(schema ? { options: `-c search_path=${pg.escapeIdentifier(schema)}` } : {}),
  };
  const pool = new pg.Pool(clientConfig);
  // An idle client losing its connection (server restart) emits here; the pool
  // drops it and the next query reconnects, so there is nothing else to do.
  pool.on('error', () => {});

  const mapped = (e: unknown): unknown => mapPgError(e, target);

  try {
    if (schema) {
      try {
        await pool.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
      } catch (e) {
        // Two processes creating the same schema at once: the loser sees a unique violation, and the schema exists.
        if ((e as { code?: string }).code !== '23505') throw e;
      }
    } else {
      await pool.query('SELECT 1');
    }
  } catch (e) {
    await pool.end().catch(() => {});
    throw mapped(e);
  }

  async function exec(on: pg.Pool | pg.PoolClient, q: SqlQuery, timeout = queryTimeout): Promise<ExecResult> {
    try {
      const r = await on.query({ text: q.sql, values: normalizeParams(q.parameters), query_timeout: timeout } as pg.QueryConfig);
      return { rows: r.rows, changes: r.rowCount ?? 0 };
    } catch (e) {
      throw mapped(e);
    }
  }

  function queryable(on: pg.Pool | pg.PoolClient, guard?: () => void, timeout = queryTimeout): Queryable {
    return createQueryable(
      postgresKysely,
      (q) => exec(on, q, timeout),
      async (sql) => {
        try {
          // No parameters: the simple query protocol, which accepts several statements.
          await on.query(sql);
        } catch (e) {
          throw mapped(e);
        }
      },
      guard,
    );
  }

  /** A pooled connection of one's own (a transaction, a held lock); release it when done. */
  async function connect(): Promise<pg.PoolClient> {
    try {
      return await pool.connect();
    } catch (e) {
      throw mapped(e);
    }
  }

  /** Waits (up to LOCK_TIMEOUT_MS, which SET LOCAL allows inside the open transaction) for an advisory lock. */
  async function waitForLock(client: pg.PoolClient, fn: 'pg_advisory_xact_lock' | 'pg_advisory_lock', name: string): Promise<void> {
    await exec(client, { sql: `SET LOCAL statement_timeout = ${LOCK_TIMEOUT_MS}`, parameters: [] });
    await exec(client, { sql: `SELECT ${fn}(hashtext($1))`, parameters: [name] }, LOCK_TIMEOUT_MS);
    await exec(client, { sql: `SET LOCAL statement_timeout = ${queryTimeout}`, parameters: [] });
  }

  /** `longRunning`: many or large reads (a backup's snapshot), each statement allowed LONG_RUNNING_TIMEOUT_MS. */
  async function inTransaction<T>(lockName: string | undefined, fn: (tx: Queryable) => Promise<T>, begin = 'BEGIN', longRunning = false): Promise<T> {
    const client = await connect();
    let active = true;
    let broken = false;
    const tx = queryable(
      client,
      () => {
        if (!active) throw new Error('This transaction has already finished; its `tx` can no longer be used.');
      },
      longRunning ? LONG_RUNNING_TIMEOUT_MS : queryTimeout,
    );
    try {
      await exec(client, { sql: begin, parameters: [] });
      if (lockName !== undefined) await waitForLock(client, 'pg_advisory_xact_lock', lockName);
      if (longRunning) await exec(client, { sql: `SET LOCAL statement_timeout = ${LONG_RUNNING_TIMEOUT_MS}`, parameters: [] });
      const result = await fn(tx);
      await exec(client, { sql: 'COMMIT', parameters: [] });
      return result;
    } catch (e) {
      // After a timeout the connection may still be waiting for the server: do not queue a ROLLBACK behind it.
      if (isUnavailable(e)) broken = true;
      else {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
      }
      throw mapped(e);
    } finally {
      active = false;
      // A client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
      client.release(broken ? true : undefined);
    }
  }

  /**
   * A session-level advisory lock on a connection of its own, held while `fn` runs on the others.
   * Taken inside a short transaction only so that SET LOCAL can allow the long wait; a session lock
   * outlives the COMMIT. Key names are per schema, as channels are: advisory locks are per database.
   */
  const keyed = createKeyedMutex();
  const withLock = <T>(key: string, fn: () => Promise<T>): Promise<T> =>
    keyed.run(key, async () => {
      const name = schema ? `${schema}.${key}` : key;
      const client = await connect();
      let broken = false;
      try {
        try {
          await exec(client, { sql: 'BEGIN', parameters: [] });
          await waitForLock(client, 'pg_advisory_lock', name);
          await exec(client, { sql: 'COMMIT', parameters: [] });
        } catch (e) {
          // Not locked (a timeout cancelled the wait) or unknown: this connection is not reused.
          broken = true;
          throw e;
        }
        try {
          return await fn();
        } finally {
          try {
            await exec(client, { sql: 'SELECT pg_advisory_unlock(hashtext($1))', parameters: [name] });
          } catch {
            // Dropping the connection ends its session, and the server releases the lock with it.
            broken = true;
          }
        }
      } finally {
        client.release(broken ? true : undefined);
      }
    });

  const listener = createListener(clientConfig, mapped);
  const channelName = (channel: string): string => {
    const full = schema ? `${schema}.${channel}` : channel;
    if (!channel || Buffer.byteLength(full) > MAX_CHANNEL_BYTES) {
      throw new Error(`The channel name "${full}" must be 1 to ${MAX_CHANNEL_BYTES} bytes long.`);
    }
    return full;
  };

  const root = queryable(pool);
  let closed = false;
  const db: Db = {
    dialect: postgresDialect,
    get kysely() {
      return root.kysely;
    },
    all: root.all,
    get: root.get,
    run: root.run,
    execScript: root.execScript,
    transaction: (fn) => inTransaction(undefined, fn),
    exclusive: (name, fn) => inTransaction(name, fn),
    withLock,
    snapshot: (fn) => inTransaction(undefined, fn, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', true),
    listen: async (channel, onMessage) => listener.listen(channelName(channel), onMessage),
    isListening: () => listener.listening(),
    async notify(channel, payload) {
      await exec(pool, { sql: 'SELECT pg_notify($1, $2)', parameters: [channelName(channel), payload] });
    },
    createSearchIndex: (name) => createPgSearchIndex(db, name),
    async close() {
      if (closed) return;
      closed = true;
      await listener.close();
      await pool.end();
    },
  };
  return db;
}

function isUnavailable(e: unknown): boolean {
  return e instanceof PmError && e.code === 'PM_ERR_DB_UNAVAILABLE';
}
