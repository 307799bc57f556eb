/**
 * PostgreSQL drops every connection of the app (pg_terminate_backend of all
 * its backends: pools and LISTEN) while two real `pagemanager serve`
 * processes share the database and answer requests. Afterwards both serve,
 * a write on either is accepted, and reaches the other's cache. Skipped with
 * a message without PM_TEST_POSTGRES_URL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { NO_POSTGRES, POSTGRES_URL, tempDir, tempPostgresDatabase } from '../cli/cli-helpers.js';
import { apiToken, call, putPage, serve } from './real-server.js';

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<{ value: T; took: number }> {
  const start = Date.now();
  let last: unknown;
  while (Date.now() - start < ms) {
    try {
      const value = await fn();
      if (value !== undefined) return { value, took: Date.now() - start };
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what}: not within ${ms} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

test('after PostgreSQL drops every connection, two instances serve and propagate writes again', { skip: POSTGRES_URL ? false : NO_POSTGRES, timeout: 120_000 }, async (t) => {
  const dsn = await tempPostgresDatabase(t, 'pm_drop');
  const dbName = new URL(dsn).pathname.slice(1);
  const a = await serve(tempDir(t, 'pm-drop-a-'), { dsn, t });
  const b = await serve(tempDir(t, 'pm-drop-b-'), { dsn, t });
  const token = await apiToken(a.base);
  const page = (n: number) => `<!doctype html><title>v${n}</title><p>version ${n}</p>`;

  assert.equal((await putPage(a.base, token, '/news', page(1))).status, 201);
  await until('b shows version 1', async () => ((await call(b.base, 'GET', '/news')).body === page(1) ? true : undefined), 5000);
  assert.equal((await call(b.base, 'GET', '/news')).headers['x-pm-cache'], 'hit', 'b serves /news from its cache');

  // Readers on both instances the whole time.
  let reading = true;
  const seen: Record<string, number> = {};
  const reader = async (base: string) => {
    while (reading) {
      try {
        const r = await call(base, 'GET', '/news', { timeoutMs: 10_000 });
        seen[r.status] = (seen[r.status] ?? 0) + 1;
      } catch (e) {
        seen[(e as Error).message] = (seen[(e as Error).message] ?? 0) + 1;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const readers = [reader(a.base), reader(b.base)];

  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  let dropped: number;
  try {
    const r = await admin.query('SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) x', [dbName]);
    dropped = r.rows[0].n;
  } finally {
    await admin.end();
  }
  assert.ok(dropped >= 2, `only ${dropped} backends were terminated`);

  // Writes are accepted again, on both, and each reaches the other.
  const writeA = await until('a accepts a write', async () => ((await putPage(a.base, token, '/news', page(2))).status === 200 ? true : undefined), 15_000);
  const seenOnB = await until('b shows a’s write', async () => ((await call(b.base, 'GET', '/news')).body === page(2) ? true : undefined), 15_000);
  const writeB = await until('b accepts a write', async () => ((await putPage(b.base, token, '/news', page(3))).status === 200 ? true : undefined), 15_000);
  const seenOnA = await until('a shows b’s write', async () => ((await call(a.base, 'GET', '/news')).body === page(3) ? true : undefined), 15_000);
  reading = false;
  await Promise.all(readers);
  console.log(`# PostgreSQL drop: ${dropped} backends terminated; a accepted a write after ${writeA.took} ms, b showed it ${seenOnB.took} ms later; b accepted one after ${writeB.took} ms, a showed it ${seenOnA.took} ms later; reads meanwhile: ${JSON.stringify(seen)}`);
  assert.ok(seenOnB.took < 5000 && seenOnA.took < 5000, 'a write reaches the other instance within 5 s of being accepted');
  for (const k of Object.keys(seen)) assert.ok(k === '200', `a read during the drop got ${k} (${seen[k]} times): cached pages must keep answering`);
  assert.equal(a.child.exitCode, null);
  assert.equal(b.child.exitCode, null);
  for (const s of [a, b]) assert.equal((await s.stop()).code, 0);
});
