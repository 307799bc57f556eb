/**
 * The database abstraction every store is written against. Only the dialect
 * folders (`sqlite/`, `postgres/`) know which driver sits behind it.
 *
 * SQL is written with Kysely (`q.kysely.selectFrom(…)`, or the `sql` tag for
 * what the builder lacks) and compiled by the dialect's own query compiler, so
 * placeholders are `?` on SQLite and `$1, $2, …` on PostgreSQL without any
 * rewriting of SQL text. Kysely is only the builder and compiler here: the
 * statements run on this `Db`, which keeps what it does well: SQLite's
 * synchronous read on the request path, transactions with a `tx`, advisory
 * locks, LISTEN/NOTIFY, timeouts and driver errors mapped to `PmError`.
 *
 * Timestamps are integer milliseconds since the epoch, booleans are integers
 * 0/1, JSON is text: those choices make most SQL identical on both dialects,
 * and what still differs is described by `Dialect` (column types and
 * capability flags), never by the dialect's name.
 */
import type { Compilable, CompiledQuery, Kysely, RawBuilder } from 'kysely';
import type { CoreTables } from './core-tables.js';
import type { SearchIndex } from './search.js';

export interface Dialect {
  /** For logs and `dbType` only; shared code must not branch on it. */
  readonly name: 'sqlite' | 'postgres';
  /**
   * Column types as SQL text, for raw SQL. Migrations use the typed helpers
   * instead (`column.text`, … in `MigrationContext`, see schema.ts).
   */
  readonly types: {
    /** Big integer (milliseconds timestamps, counters). */
    readonly bigint: string;
    /** Binary data (gzipped HTML, files). */
    readonly blob: string;
    /**
     * Text compared and ordered byte by byte (SQLite's default; `COLLATE "C"`
     * on PostgreSQL), so keys, `ORDER BY` and `lower()` behave the same on both.
     */
    readonly text: string;
  };
  /** `INSERT … RETURNING` works. */
  readonly supportsReturning: boolean;
  /** One writer at a time (SQLite): transactions are serialised in-process. */
  readonly singleWriter: boolean;
  /** `listen`/`notify` reach other processes (PostgreSQL). */
  readonly crossProcessNotify: boolean;
  /**
   * The catalog, for backups: SQL listing this database's `pm_` tables (`name`), and its foreign
   * keys (`child`, `parent`), so tables can be copied in dependency order whoever declared them.
   */
  readonly catalog: { readonly tablesSql: string; readonly foreignKeysSql: string };
}

export interface RunResult {
  changes: number;
}

/** A statement ready to run: SQL in the dialect's placeholder style and its parameters. */
export interface SqlQuery {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/**
 * What `all/get/run` accept: a Kysely query builder, a `sql` tagged template,
 * or an already compiled query (see `prepare` in query.ts for the hot path).
 */
export type Query<R = unknown> = Compilable<R> | RawBuilder<R> | CompiledQuery<R> | SqlQuery;

export interface Queryable {
  /**
   * The query builder, bound to this `Db` or `tx`: `.execute()` runs here.
   * Plugins add their own tables' types with `kysely.withTables<{ pm_fruit: … }>()`.
   */
  readonly kysely: Kysely<CoreTables>;
  all<R>(q: Query<R>): Promise<R[]>;
  get<R>(q: Query<R>): Promise<R | undefined>;
  run(q: Query): Promise<RunResult>;
  /** Several statements without parameters (old-style migrations, test clean-up). */
  execScript(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly dialect: Dialect;
  /** Runs `fn` in a transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in a transaction holding a lock named `name` that other
   * processes on the same database also respect (PostgreSQL advisory lock;
   * SQLite's write lock via `BEGIN IMMEDIATE`).
   */
  exclusive<T>(name: string, fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` holding a lock named `key` that every process on this database
   * respects, while `fn` works through the ordinary `Db` and services (many
   * writes, no transaction of its own): one `withLock(key)` at a time across
   * all instances. PostgreSQL: a session advisory lock (`pg_advisory_lock(hashtext(key))`)
   * held by one pooled connection for the duration, released by the server if
   * that connection dies. SQLite: a lease row in `pm_lock` (lease-lock.ts),
   * because two processes can share the file. Either way a process takes its
   * turn in memory first, so many waiters of one process cost one connection.
   * Waits up to a minute, then PM_ERR_DB_UNAVAILABLE. Not reentrant; use it
   * after migrations have run (the `locks` namespace).
   *
   * @example
   *   await server.db.withLock(`my-plugin:${siteId}`, async () => { await rebuildPages(siteId); });
   */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on one consistent snapshot of the whole database, for many reads (a backup) without
   * holding up writers: PostgreSQL a repeatable-read, read-only transaction; SQLite a deferred read
   * transaction (in WAL mode other connections keep writing).
   */
  snapshot<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * SQLite in a file: copies the database (the online backup API) into `pm-backups/` beside it
   * before migrations run, keeping the newest few; returns the copy's path. Absent where a
   * migration's own transaction is the safety (PostgreSQL: DDL is transactional).
   */
  copyBeforeUpgrade?(label: string): Promise<string | undefined>;
  /**
   * Present when the driver reads synchronously (SQLite): `{ row }`, or
   * undefined when a transaction holds the connection and the caller must use
   * the async `get`. Lets the request path answer without a promise. Takes a
   * compiled query only, so nothing is built or compiled per request.
   */
  getSync?<R>(q: SqlQuery | CompiledQuery<R>): { row: R | undefined } | undefined;
  /**
   * Subscribes to a channel; returns an unsubscribe function. In-process only on SQLite.
   * After the listening connection was lost and came back, `onMessage('')` is
   * called once: notifications may have been missed, so drop what may be stale.
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * False while notifications from other processes may be missed (PostgreSQL:
   * the LISTEN connection is down or not yet back). A cache filled from
   * notifications should not be trusted then. Always true on SQLite.
   */
  isListening(): boolean;
  notify(channel: string, payload: string): Promise<void>;
  /**
   * Full-text search, a capability of the dialect (FTS5 on SQLite, tsvector +
   * GIN on PostgreSQL) behind one interface. Creates the index table
   * `pm_search_{name}` if missing. See search.ts.
   */
  createSearchIndex(name: string): Promise<SearchIndex>;
  close(): Promise<void>;
}
