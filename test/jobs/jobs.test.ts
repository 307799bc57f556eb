/**
 * The jobs runner on both databases: a job runs at its time with no call,
 * rescheduling moves it, a failing job is retried later and then kept as
 * failed, and two runners on one database run each job once.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs, createJobs, jobMigrations, MAX_SLEEP_MS } from '../../src/jobs/jobs.js';
import { migrate } from '../../src/store/migrate.js';
import { forEachDialect } from '../helpers/dialects.js';

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(20);
  }
}

forEachDialect('a job runs at its time by the timer alone, once', async ({ db }) => {
  await migrate(db, jobMigrations, 'jobs');
  const jobs = createJobs({ db });
  const ran: { key: string; at: number }[] = [];
  jobs.define('test.say', (job) => void ran.push({ key: job.key, at: Date.now() }));
  await jobs.start();
  try {
    const at = Date.now() + 400;
    await jobs.schedule({ kind: 'test.say', key: 'hello', runAt: at, payload: { word: 'hi' } });
    await jobs.schedule({ kind: 'test.say', key: 'later', runAt: Date.now() + 60_000 });
    assert.equal(ran.length, 0);
    await until(() => ran.length === 1);
    assert.ok(ran[0].at >= at, 'not before its time');
    assert.equal(ran[0].key, 'hello');
    // A job that ran is removed once its handler has returned.
    await until(async () => (await jobs.get('test.say', 'hello')) === undefined);
    // Moving a job: the same key, a new time.
    await jobs.schedule({ kind: 'test.say', key: 'later', runAt: Date.now() + 200 });
    await until(() => ran.length === 2);
    await until(async () => (await jobs.list('test.say')).length === 0);
    // Cancelling.
    await jobs.schedule({ kind: 'test.say', key: 'never', runAt: Date.now() + 300 });
    assert.equal(await jobs.cancel('test.say', 'never'), true);
    await sleep(500);
    assert.equal(ran.length, 2);
  } finally {
    await jobs.close();
  }
});

forEachDialect('a failing job is retried with backoff, then kept as failed with its error', async ({ db }) => {
  await migrate(db, jobMigrations, 'jobs');
  let now = 1_000_000;
  const jobs = createJobs({ db, now: () => now });
  let calls = 0;
  jobs.define('test.flaky', () => {
    calls++;
    throw new Error(`no luck ${calls}`);
  });
  await jobs.schedule({ kind: 'test.flaky', key: 'k', runAt: now, maxAttempts: 3 });
  assert.equal(await jobs.runDue(), 1);
  let j = (await jobs.get('test.flaky', 'k'))!;
  assert.equal(j.status, 'pending');
  assert.equal(j.runAt, now + backoffMs(1));
  assert.equal(j.lastError, 'no luck 1');
  assert.equal(await jobs.runDue(), 0, 'not again before the backoff');
  now = j.runAt;
  await jobs.runDue();
  now = (await jobs.get('test.flaky', 'k'))!.runAt;
  await jobs.runDue();
  j = (await jobs.get('test.flaky', 'k'))!;
  assert.equal(j.status, 'failed');
  assert.equal(j.attempts, 3);
  assert.equal(calls, 3);
  now += 10 * 3_600_000;
  assert.equal(await jobs.runDue(), 0, 'a failed job stays failed');
  assert.ok(backoffMs(30) <= 3_600_000);
  assert.ok(MAX_SLEEP_MS <= 60_000, 'the timer re-arms at least every minute');
});

forEachDialect('two runners on one database run each job exactly once', async ({ db, openAnother }) => {
  await migrate(db, jobMigrations, 'jobs');
  const other = await openAnother();
  const a = createJobs({ db });
  const b = createJobs({ db: other });
  const ran: string[] = [];
  a.define('test.once', async (job) => {
    ran.push(`a:${job.key}`);
    await sleep(5);
  });
  b.define('test.once', async (job) => {
    ran.push(`b:${job.key}`);
    await sleep(5);
  });
  const t = Date.now() - 1;
  for (let i = 0; i < 30; i++) await a.schedule({ kind: 'test.once', key: `j${i}`, runAt: t });
  await Promise.all([a.runDue(), b.runDue(), a.runDue(), b.runDue()]);
  const keys = ran.map((r) => r.slice(2)).sort();
  assert.equal(keys.length, 30, `ran ${ran.length} times: ${ran.join(' ')}`);
  assert.equal(new Set(keys).size, 30);
  await a.close();
  await b.close();
});
