/**
 * Jobs in a table, run at their time by whichever instance claims them first.
 * One timer per process, armed for the earliest due job and re-armed at
 * least every minute (a timer longer than 2^31 ms fires at once, and another
 * instance may have added an earlier job). Claiming is one conditional
 * UPDATE, so on PostgreSQL with several instances exactly one runs each job.
 * A job that throws is retried with exponential backoff; one that keeps
 * failing is kept with `status = 'failed'` and its last error.
 *
 * @example
 * jobs.define('blog.publish', async (job) => publish(job.payload.postId));
 * await jobs.schedule({ kind: 'blog.publish', key: postId, runAt: Date.parse('2026-12-24T09:00Z'), payload: { postId } });
 */
import { randomUUID } from 'node:crypto';
import { ulid } from 'ulid';
import type { Db } from '../store/db.js';
import { sql } from '../store/kysely.js';
import type { Migration } from '../store/migrate.js';

export const jobMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'pm_job',
    up: ({ types: { text, bigint } }) => `
CREATE TABLE pm_job (
  job_id ${text} NOT NULL PRIMARY KEY,
  kind ${text} NOT NULL,
  job_key ${text} NOT NULL,
  site_id ${text},
  payload ${text} NOT NULL DEFAULT '{}',
  run_at ${bigint} NOT NULL,
  status ${text} NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 8,
  locked_by ${text},
  locked_until ${bigint},
  last_error ${text},
  created_at ${bigint} NOT NULL,
  updated_at ${bigint} NOT NULL,
  UNIQUE (kind, job_key)
);
CREATE INDEX pm_job_due ON pm_job (status, run_at);
`,
  },
];

export interface Job {
  jobId: string;
  kind: string;
  /** Unique per kind: scheduling the same key again moves the job instead of adding one. */
  key: string;
  siteId: string | null;
  payload: Record<string, unknown>;
  runAt: number;
  status: 'pending' | 'running' | 'failed';
  attempts: number;
  lastError: string | null;
}

export type JobHandler = (job: Job) => Promise<void> | void;

export interface Jobs {
  /** Says how to run a kind of job. Only kinds defined in this process are claimed by it. */
  define(kind: string, handler: JobHandler): void;
  /** Adds the job, or moves the pending job of the same kind and key to the new time and payload. */
  schedule(input: { kind: string; key: string; runAt: number; payload?: Record<string, unknown>; siteId?: string; maxAttempts?: number }): Promise<Job>;
  /** Removes the job of that kind and key (if it is not running); true if there was one. */
  cancel(kind: string, key: string): Promise<boolean>;
  get(kind: string, key: string): Promise<Job | undefined>;
  list(kind?: string): Promise<Job[]>;
  /** Runs every due job now (the timer does this; tests and start call it). Returns how many ran. */
  runDue(): Promise<number>;
  /** Runs what came due while the server was down, then arms the timer. */
  start(): Promise<void>;
  close(): Promise<void>;
}

interface JobRow {
  job_id: string;
  kind: string;
  job_key: string;
  site_id: string | null;
  payload: string;
  run_at: number;
  status: Job['status'];
  attempts: number;
  max_attempts: number;
  last_error: string | null;
}

const COLUMNS = 'job_id, kind, job_key, site_id, payload, run_at, status, attempts, max_attempts, last_error';
const CHANNEL = 'pm_jobs';
/** The longest the timer sleeps: another instance's new job is noticed within this. */
export const MAX_SLEEP_MS = 60_000;
/** How long a claim holds before another instance may take the job over (the claimer died). */
const LEASE_MS = 5 * 60_000;
const BATCH = 20;

function toJob(r: JobRow): Job {
  let payload: Record<string, unknown> = {};
  try {
    payload = JSON.parse(r.payload) as Record<string, unknown>;
  } catch {
    // A payload that does not parse runs with {}; the handler decides what that means.
  }
  return { jobId: r.job_id, kind: r.kind, key: r.job_key, siteId: r.site_id, payload, runAt: Number(r.run_at), status: r.status, attempts: Number(r.attempts), lastError: r.last_error };
}

/** Backoff after the n-th failed attempt: 2 s, 4 s, 8 s … capped at an hour. */
export function backoffMs(attempts: number): number {
  return Math.min(3_600_000, 1000 * 2 ** Math.max(1, attempts));
}

export function createJobs(opts: { db: Db; now?: () => number; log?: (msg: string, err?: unknown) => void }): Jobs {
  const { db } = opts;
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => {});
  const handlers = new Map<string, JobHandler>();
  const instanceId = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let closed = false;
  let running: Promise<number> | undefined;
  let again = false;
  let unlisten: (() => Promise<void>) | undefined;

  const kinds = () => [...handlers.keys()];

  async function get(kind: string, key: string): Promise<Job | undefined> {
    const r = await db.get<JobRow>(sql`SELECT ${sql.raw(COLUMNS)} FROM pm_job WHERE kind = ${kind} AND job_key = ${key}`);
    return r && toJob(r);
  }

  /** Due or abandoned jobs of our kinds, each claimed by a conditional update that only one instance can win. */
  async function claimBatch(): Promise<Job[]> {
    const k = kinds();
    if (!k.length) return [];
    const t = now();
    const due = sql`(status = 'pending' AND run_at <= ${t}) OR (status = 'running' AND locked_until < ${t})`;
    const rows = await db.all<JobRow>(sql`SELECT ${sql.raw(COLUMNS)} FROM pm_job WHERE kind IN (${sql.join(k)}) AND (${due}) ORDER BY run_at LIMIT ${BATCH}`);
    const mine: Job[] = [];
    for (const r of rows) {
      const res = await db.run(
        sql`UPDATE pm_job SET status = 'running', locked_by = ${instanceId}, locked_until = ${t + LEASE_MS}, attempts = attempts + 1, updated_at = ${t} WHERE job_id = ${r.job_id} AND (${due})`,
      );
      if (res.changes === 1) mine.push({ ...toJob(r), status: 'running', attempts: Number(r.attempts) + 1 });
    }
    return mine;
  }

  async function runOne(job: Job): Promise<void> {
    const handler = handlers.get(job.kind);
    try {
      await handler!(job);
      // Only our claim is removed: a job rescheduled meanwhile (a new run_at) is pending again and stays.
      await db.run(sql`DELETE FROM pm_job WHERE job_id = ${job.jobId} AND status = 'running' AND locked_by = ${instanceId}`);
    } catch (err) {
      const r = await db.get<JobRow>(sql`SELECT ${sql.raw(COLUMNS)} FROM pm_job WHERE job_id = ${job.jobId}`);
      const failed = r ? Number(r.attempts) >= Number(r.max_attempts) : true;
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
      log(`job ${job.kind} ${job.key} failed (attempt ${job.attempts})${failed ? '; giving up' : ''}`, err);
      await db.run(sql`UPDATE pm_job SET status = ${failed ? 'failed' : 'pending'}, run_at = ${now() + backoffMs(job.attempts)}, locked_by = NULL, locked_until = NULL, last_error = ${message}, updated_at = ${now()} WHERE job_id = ${job.jobId} AND status = 'running' AND locked_by = ${instanceId}`);
    }
  }

  async function drain(): Promise<number> {
    let n = 0;
    for (;;) {
      const batch = await claimBatch();
      for (const job of batch) {
        await runOne(job);
        n++;
      }
      if (batch.length < BATCH) return n;
    }
  }

  function runDue(): Promise<number> {
    if (running) {
      // A run is in progress: one more pass after it, for jobs scheduled meanwhile.
      again = true;
      return running;
    }
    running = (async () => {
      let n = 0;
      do {
        again = false;
        n += await drain();
      } while (again && !closed);
      return n;
    })().finally(() => {
      running = undefined;
      void arm();
    });
    return running;
  }

  async function arm(): Promise<void> {
    if (!started || closed) return;
    if (timer) clearTimeout(timer);
    timer = undefined;
    let next: number | undefined;
    const k = kinds();
    try {
      if (k.length) {
        const r = await db.get<{ t: number | null }>(sql`SELECT MIN(run_at) AS t FROM pm_job WHERE kind IN (${sql.join(k)}) AND status IN ('pending', 'running')`);
        next = r?.t === null || r?.t === undefined ? undefined : Number(r.t);
      }
    } catch (err) {
      log('could not read the next job time; trying again in a minute', err);
    }
    if (closed) return;
    const delay = next === undefined ? MAX_SLEEP_MS : Math.max(0, Math.min(MAX_SLEEP_MS, next - now()));
    timer = setTimeout(() => {
      timer = undefined;
      runDue().catch((err) => log('running due jobs failed', err));
    }, delay);
    timer.unref();
  }

  return {
    define(kind, handler) {
      if (handlers.has(kind)) throw new Error(`the job kind ${kind} is already defined`);
      handlers.set(kind, handler);
    },
    async schedule(input) {
      const t = now();
      const payload = JSON.stringify(input.payload ?? {});
      await db.run(sql`INSERT INTO pm_job (job_id, kind, job_key, site_id, payload, run_at, status, attempts, max_attempts, created_at, updated_at)
         VALUES (${ulid()}, ${input.kind}, ${input.key}, ${input.siteId ?? null}, ${payload}, ${Math.floor(input.runAt)}, 'pending', 0, ${input.maxAttempts ?? 8}, ${t}, ${t})
         ON CONFLICT (kind, job_key) DO UPDATE SET payload = excluded.payload, run_at = excluded.run_at, site_id = excluded.site_id,
           status = 'pending', attempts = 0, max_attempts = excluded.max_attempts, locked_by = NULL, locked_until = NULL, last_error = NULL, updated_at = excluded.updated_at`);
      void arm();
      if (db.dialect.crossProcessNotify) await db.notify(CHANNEL, instanceId);
      return (await get(input.kind, input.key))!;
    },
    async cancel(kind, key) {
      const r = await db.run(sql`DELETE FROM pm_job WHERE kind = ${kind} AND job_key = ${key} AND status <> 'running'`);
      return r.changes > 0;
    },
    get,
    async list(kind) {
      const rows = kind
        ? await db.all<JobRow>(sql`SELECT ${sql.raw(COLUMNS)} FROM pm_job WHERE kind = ${kind} ORDER BY run_at`)
        : await db.all<JobRow>(sql`SELECT ${sql.raw(COLUMNS)} FROM pm_job ORDER BY run_at`);
      return rows.map(toJob);
    },
    runDue,
    async start() {
      if (started) return;
      started = true;
      if (db.dialect.crossProcessNotify) {
        unlisten = await db.listen(CHANNEL, (from) => {
          if (from !== instanceId) void arm();
        });
      }
      await runDue();
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => 0);
      await unlisten?.();
    },
  };
}
