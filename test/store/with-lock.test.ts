/**
 * `Db.withLock`: one holder per key across every connection to the database
 * (a second `Db` stands in for a second process), while the holder keeps
 * writing through the ordinary `Db`; other keys do not wait; a throwing `fn`
 * releases the lock; on SQLite a lease left by a process that died runs out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Db } from '../../src/store/db.js';
import { createLeaseLocks, holderIsDead, LOCK_NAMESPACE, lockMigrations } from '../../src/store/lease-lock.js';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { migrate } from '../../src/store/migrate.js';
import { sql } from '../../src/store/kysely.js';
import { DIALECTS, forEachDialect } from '../helpers/dialects.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `n` holders of `key` on each Db at once; returns the order of enter/leave marks. */
async function contend(dbs: Db[], key: string, n: number, hold: (db: Db, i: number) => Promise<void>): Promise<string[]> {
  const marks: string[] = [];
  await Promise.all(
    dbs.flatMap((db, d) =>
      Array.from({ length: n }, (_, i) =>
        db.withLock(key, async () => {
          marks.push(`+${d}.${i}`);
          await hold(db, i);
          marks.push(`-${d}.${i}`);
        }),
      ),
    ),
  );
  return marks;
}

forEachDialect('withLock: one holder at a time across two connections, while the holder writes', async ({ db, openAnother }) => {
  await migrate(db, lockMigrations, LOCK_NAMESPACE);
  const other = await openAnother();
  await db.execScript('CREATE TABLE pm_lock_test (n INTEGER NOT NULL)');
  await db.run(sql`INSERT INTO pm_lock_test (n) VALUES (0)`);
  // A read, a pause and a write: without the lock, concurrent holders lose increments.
  const marks = await contend([db, other], 'counter', 4, async (on) => {
    const row = await on.get<{ n: number }>(sql`SELECT n FROM pm_lock_test`);
    await sleep(5);
    await on.run(sql`UPDATE pm_lock_test SET n = ${Number(row!.n) + 1}`);
  });
  assert.equal(Number((await db.get<{ n: number }>(sql`SELECT n FROM pm_lock_test`))!.n), 8, 'every increment kept');
  for (let i = 0; i < marks.length; i += 2) assert.equal(marks[i]!.slice(1), marks[i + 1]!.slice(1), `no overlap: ${marks.join(' ')}`);
  assert.ok(marks.some((m) => m.startsWith('+0')) && marks.some((m) => m.startsWith('+1')), 'both connections held it');

  // Another key does not wait for this one.
  let inner = false;
  await db.withLock('a', async () => {
    await other.withLock('b', async () => {
      inner = true;
    });
  });
  assert.ok(inner);

  // A holder that throws lets the next one in, on the other connection too.
  await assert.rejects(db.withLock('counter', async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await other.withLock('counter', async () => 'next'), 'next');
});

test('withLock on SQLite: a lease left by a process that died runs out', { skip: DIALECTS[0]!.skip }, async () => {
  const env = await DIALECTS[0]!.openEmpty();
  try {
    await migrate(env.db, lockMigrations, LOCK_NAMESPACE);
    // The dead process's lease: taken, never renewed or released.
    await env.db.run(sql`INSERT INTO pm_lock (lock_key, holder, expires_at) VALUES ('k', 'gone', ${Date.now() + 300})`);
    const locks = createLeaseLocks(env.db, { leaseMs: 1000, waitMs: 5000 });
    const t0 = Date.now();
    assert.equal(await locks.withLock('k', async () => 'mine'), 'mine');
    assert.ok(Date.now() - t0 >= 250, 'it waited for the lease to run out');
    assert.equal((await env.db.all(sql`SELECT * FROM pm_lock`)).length, 0, 'released');

    // A live holder renews its lease (every 100 ms here): a waiter does not get in after one lease length.
    const slow = createLeaseLocks(env.db, { leaseMs: 300 }).withLock('r', () => sleep(900));
    await sleep(20);
    const other = createLeaseLocks(env.db, { waitMs: 600 });
    await assert.rejects(other.withLock('r', async () => undefined), (e: Error & { code?: string }) => e.code === 'PM_ERR_DB_UNAVAILABLE' && /stayed taken/.test(e.message));
    await slow;
  } finally {
    await env.cleanup();
  }
});

test('withLock on SQLite: a lease held by a process of this host that is gone (kill -9) is taken at once', { skip: DIALECTS[0]!.skip }, async () => {
  const env = await DIALECTS[0]!.openEmpty();
  try {
    await migrate(env.db, lockMigrations, LOCK_NAMESPACE);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    assert.ok(holderIsDead(`${hostname()}:${gone}:x`), 'the child has exited');
    assert.ok(!holderIsDead(`${hostname()}:${process.pid}:x`) && !holderIsDead(`other-host:${gone}:x`) && !holderIsDead('gone'));
    // A lease for another minute, left by the dead process.
    await env.db.run(sql`INSERT INTO pm_lock (lock_key, holder, expires_at) VALUES ('k', ${`${hostname()}:${gone}:x`}, ${Date.now() + 60_000})`);
    const locks = createLeaseLocks(env.db, { waitMs: 2000 });
    const t0 = Date.now();
    assert.equal(await locks.withLock('k', async () => 'mine'), 'mine');
    assert.ok(Date.now() - t0 < 1500, `it did not wait for the lease (${Date.now() - t0} ms)`);
    // A live process's lease (this one's, from another Db) is respected.
    await env.db.run(sql`INSERT INTO pm_lock (lock_key, holder, expires_at) VALUES ('live', ${`${hostname()}:${process.pid}:other`}, ${Date.now() + 60_000})`);
    await assert.rejects(createLeaseLocks(env.db, { waitMs: 300 }).withLock('live', async () => undefined), /stayed taken/);
  } finally {
    await env.cleanup();
  }
});
