/**
 * `withLock` for SQLite: a named lock that other processes on the same file
 * respect, without holding the file's write lock for the duration.
 *
 * Two processes can share one SQLite file here (two `serve` on one data
 * folder with different ports; a CLI command while the server runs), and
 * SQLite has nothing between "one statement" and "the whole file's write
 * lock" (`BEGIN IMMEDIATE`, which `exclusive` takes). A fan-out writes many
 * pages through the ordinary services while it holds its lock, so it cannot
 * be one transaction on the one connection. Instead the holder keeps a row in
 * `pm_lock` (a lease, renewed while `fn` runs); taking it is one upsert that
 * only succeeds when the row is absent or expired, and a waiter tries again
 * every few milliseconds. The holder is named `host:pid:uuid`: a waiter on the
 * same host whose holder's process is gone (killed with -9, say) takes the
 * lease at once, so a restart after a crash does not wait; a holder on another
 * host (a network file system) or one whose pid cannot be checked blocks that
 * key until the lease runs out (LEASE_MS), not forever.
 *
 * PostgreSQL does not use this: its advisory locks block without polling and
 * end with the connection (postgres-db.ts).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Queryable } from './db.js';
import { unavailableError } from './db-errors.js';
import { createKeyedMutex } from './keyed-mutex.js';
import type { Migration } from './migrate.js';

export const LOCK_NAMESPACE = 'locks';

export const lockMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'pm_lock',
    up: async ({ schema, column: { text, bigint } }) => {
      await schema
        .createTable('pm_lock')
        .addColumn('lock_key', text, (c) => c.notNull().primaryKey())
        .addColumn('holder', text, (c) => c.notNull())
        .addColumn('expires_at', bigint, (c) => c.notNull())
        .execute();
    },
  },
];

/** How long a lease lasts without renewal; renewed every third of it while `fn` runs. */
export const LEASE_MS = 15_000;
/** Longest a caller waits for a lock before PM_ERR_DB_UNAVAILABLE (as long as PostgreSQL's lock wait). */
export const LOCK_WAIT_MS = 60_000;

export interface LeaseLockOptions {
  leaseMs?: number;
  waitMs?: number;
}

export function createLeaseLocks(q: Queryable, opts: LeaseLockOptions = {}): { withLock<T>(key: string, fn: () => Promise<T>): Promise<T> } {
  const leaseMs = opts.leaseMs ?? LEASE_MS;
  const waitMs = opts.waitMs ?? LOCK_WAIT_MS;
  // One holder per Db: the keyed mutex below makes this Db hold each key at most once.
  const host = hostname();
  const holder = `${host}:${process.pid}:${randomUUID()}`;
  const mutex = createKeyedMutex();

  /** Frees a lease whose holder is a process of this host that no longer runs; true when it did. */
  async function clearDead(key: string): Promise<boolean> {
    const row = await q.get<{ holder: string }>(q.kysely.selectFrom('pm_lock').select('holder').where('lock_key', '=', key));
    if (!row || !holderIsDead(row.holder, host)) return false;
    const r = await q.run(q.kysely.deleteFrom('pm_lock').where('lock_key', '=', key).where('holder', '=', row.holder));
    return r.changes > 0;
  }

  async function take(key: string): Promise<boolean> {
    const now = Date.now();
    const r = await q.run(
      q.kysely
        .insertInto('pm_lock')
        .values({ lock_key: key, holder, expires_at: now + leaseMs })
        .onConflict((oc) => oc.column('lock_key').doUpdateSet({ holder, expires_at: now + leaseMs }).where('pm_lock.expires_at', '<', now)),
    );
    return r.changes > 0;
  }

  return {
    withLock: (key, fn) =>
      mutex.run(key, async () => {
        const started = Date.now();
        for (let pause = 2; !(await take(key)); pause = Math.min(pause * 2, 50)) {
          if (await clearDead(key)) continue;
          if (Date.now() - started > waitMs) {
            throw unavailableError(`the lock ${key} stayed taken by another process for more than ${Math.round(waitMs / 1000)} seconds`, undefined);
          }
          await new Promise((r) => setTimeout(r, pause));
        }
        const renew = setInterval(() => {
          q.run(q.kysely.updateTable('pm_lock').set({ expires_at: Date.now() + leaseMs }).where('lock_key', '=', key).where('holder', '=', holder)).catch(() => {
            // The next renewal tries again; the lease outlives two missed ones.
          });
        }, Math.max(1, Math.floor(leaseMs / 3)));
        renew.unref();
        try {
          return await fn();
        } finally {
          clearInterval(renew);
          await q.run(q.kysely.deleteFrom('pm_lock').where('lock_key', '=', key).where('holder', '=', holder)).catch(() => {
            // The lease runs out by itself; a failed release only delays the next holder.
          });
        }
      }),
  };
}

/** Whether a lease's holder (`host:pid:uuid`) is a process of this host that is not running. */
export function holderIsDead(holder: string, host = hostname()): boolean {
  const m = /^(.*):(\d+):[^:]+$/.exec(holder);
  if (!m || m[1] !== host) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
