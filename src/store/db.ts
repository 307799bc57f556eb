/**
 * The database abstraction every store is written against. Only the dialect
 * folders (`sqlite/`, `postgres/`) know which driver sits behind it.
 *
 * SQL in shared code uses `?` placeholders; the PostgreSQL dialect rewrites
 * them to `$1, $2, …`. Timestamps are integer milliseconds since the epoch,
 * booleans are integers 0/1, JSON is text: those choices make most SQL
 * identical on both dialects, and what still differs is described by
 * `Dialect` (column types and capability flags), never by the dialect's name.
 */

export interface Dialect {
  /** For logs and `dbType` only; shared code must not branch on it. */
  readonly name: 'sqlite' | 'postgres';
  /** Column types used by migrations. */
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

export interface Queryable {
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  run(sql: string, params?: readonly unknown[]): Promise<RunResult>;
  /** Several statements without parameters (migrations). */
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
   * the async `get`. Lets the request path answer without a promise.
   */
  getSync?<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): { row: T | undefined } | undefined;
  /**
   * Subscribes to a channel; returns an unsubscribe function. In-process only on SQLite.
   * After the listening connection was lost and came back, `onMessage('')` is
   * called once: notifications may have been missed, so drop what may be stale.
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}
