/**
 * The PostgreSQL implementation of `Db`, on a node-postgres Pool.
 *
 * Shared SQL uses `?` placeholders; they are rewritten to `$1, $2, …` here by
 * position. That is safe only because our SQL never has a `?` inside a string
 * literal or uses PostgreSQL's `?` JSON operators; keep it that way (pass such
 * values as parameters).
 *
 * With `opts.schema`, the schema is created if missing and every connection's
 * `search_path` is set to it alone (tests use this to isolate runs), and
 * LISTEN/NOTIFY channel names are prefixed with it, because channels are
 * per database, not per schema.
 */
import pg from 'pg';
import { PmError } from '../../errors/errors.js';
import type { Db, Dialect, Queryable, RunResult } from '../db.js';
import { normalizeParams } from '../sql-params.js';
import { mapPgError } from './pg-errors.js';

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

const CONNECT_TIMEOUT_MS = 5000;
const MAX_RECONNECT_DELAY_MS = 5000;
/** PostgreSQL identifiers (channel names) are cut at 63 bytes. */
const MAX_CHANNEL_BYTES = 63;

export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** "host:port" for messages; never includes the password. */
function describeTarget(dsn: string): string {
  try {
    const u = new URL(dsn);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return 'the configured PostgreSQL server';
  }
}

export async function createPostgresDb(dsn: string, opts: { schema?: string } = {}): Promise<Db> {
  const target = describeTarget(dsn);
  const schema = opts.schema;
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new PmError('PM_ERR_CONFIG', { detail: `the PostgreSQL schema name "${schema}" must be letters, digits and _ (not starting with a digit)` });
  }
  // Our own parsers, not pg's global `types`: other code in the process keeps pg's defaults.
  const types = new pg.TypeOverrides();
  // int8 (COUNT(*), BIGINT millisecond timestamps) as a number; our values stay far below 2^53.
  types.setTypeParser(20, (v: string) => Number(v));
  const clientConfig: pg.ClientConfig = {
    connectionString: dsn,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
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

  async function query(on: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]): Promise<pg.QueryResult> {
    try {
      return await on.query(toPgPlaceholders(sql), normalizeParams(params));
    } catch (e) {
      throw mapped(e);
    }
  }

  function queryable(on: pg.Pool | pg.PoolClient, guard: () => void = () => {}): Queryable {
    return {
      async all<T>(sql: string, params?: readonly unknown[]) {
        guard();
        return (await query(on, sql, params)).rows as T[];
      },
      async get<T>(sql: string, params?: readonly unknown[]) {
        guard();
        return (await query(on, sql, params)).rows[0] as T | undefined;
      },
      async run(sql: string, params?: readonly unknown[]): Promise<RunResult> {
        guard();
        return { changes: (await query(on, sql, params)).rowCount ?? 0 };
      },
      async execScript(sql: string) {
        guard();
        try {
          // No parameters: the simple query protocol, which accepts several statements.
          await on.query(sql);
        } catch (e) {
          throw mapped(e);
        }
      },
    };
  }

  async function inTransaction<T>(lockName: string | undefined, fn: (tx: Queryable) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      throw mapped(e);
    }
    let active = true;
    let broken = false;
    const tx = queryable(client, () => {
      if (!active) throw new Error('This transaction has already finished; its `tx` can no longer be used.');
    });
    try {
      await query(client, begin);
      if (lockName !== undefined) await query(client, 'SELECT pg_advisory_xact_lock(hashtext(?))', [lockName]);
      const result = await fn(tx);
      await query(client, 'COMMIT');
      return result;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw mapped(e);
    } finally {
      active = false;
      // A client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
      client.release(broken ? true : undefined);
    }
  }

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
  return {
    dialect: postgresDialect,
    ...root,
    transaction: (fn) => inTransaction(undefined, fn),
    exclusive: (name, fn) => inTransaction(name, fn),
    snapshot: (fn) => inTransaction(undefined, fn, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'),
    listen: async (channel, onMessage) => listener.listen(channelName(channel), onMessage),
    async notify(channel, payload) {
      await root.run('SELECT pg_notify(?, ?)', [channelName(channel), payload]);
    },
    async close() {
      if (closed) return;
      closed = true;
      await listener.close();
      await pool.end();
    },
  };
}

/**
 * One dedicated connection doing LISTEN for every channel of this Db. If it
 * drops, it reconnects with backoff and LISTENs again; notifications sent
 * while it was down are lost (PostgreSQL does not queue them).
 */
function createListener(config: pg.ClientConfig, mapped: (e: unknown) => unknown) {
  const channels = new Map<string, Set<(payload: string) => void>>();
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryDelay = 100;
  let closed = false;
  let connectedBefore = false;

  function dispatch(channel: string, payload: string): void {
    for (const handler of [...(channels.get(channel) ?? [])]) {
      try {
        handler(payload);
      } catch (e) {
        process.emitWarning(`A listener on channel ${channel} threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  function scheduleReconnect(): void {
    if (closed || retryTimer || channels.size === 0) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (closed || channels.size === 0) return;
      connect().catch(() => scheduleReconnect());
    }, retryDelay);
    retryTimer.unref();
    retryDelay = Math.min(retryDelay * 2, MAX_RECONNECT_DELAY_MS);
  }

  function connect(): Promise<pg.Client> {
    if (client) return Promise.resolve(client);
    connecting ??= (async () => {
      const c = new pg.Client(config);
      let lost = false;
      const onLost = (): void => {
        if (lost) return;
        lost = true;
        if (client === c) client = undefined;
        c.end().catch(() => {});
        scheduleReconnect();
      };
      c.on('error', onLost);
      c.on('end', onLost);
      c.on('notification', (msg) => dispatch(msg.channel, msg.payload ?? ''));
      try {
        await c.connect();
        for (const channel of channels.keys()) await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      } catch (e) {
        lost = true;
        await c.end().catch(() => {});
        throw mapped(e);
      }
      if (closed) {
        await c.end().catch(() => {});
        throw new Error('The database was closed.');
      }
      client = c;
      retryDelay = 100;
      // Notifications sent while the connection was down are lost: tell every
      // listener with an empty payload, so caches can drop what may be stale.
      if (connectedBefore) for (const channel of channels.keys()) dispatch(channel, '');
      connectedBefore = true;
      return c;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  }

  return {
    async listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>> {
      const handler = (payload: string): void => onMessage(payload);
      let set = channels.get(channel);
      const isNew = !set;
      if (!set) channels.set(channel, (set = new Set()));
      set.add(handler);
      try {
        const c = await connect();
        // A connection opened just now may or may not have seen this channel in
        // the map; LISTEN is idempotent, so say it again rather than guess.
        if (isNew) await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      } catch (e) {
        set.delete(handler);
        if (set.size === 0) channels.delete(channel);
        throw mapped(e);
      }
      return async () => {
        if (!set.delete(handler) || set.size > 0) return;
        channels.delete(channel);
        if (client) await client.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => {});
      };
    },
    async close(): Promise<void> {
      closed = true;
      channels.clear();
      if (retryTimer) clearTimeout(retryTimer);
      await connecting?.catch(() => {});
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
