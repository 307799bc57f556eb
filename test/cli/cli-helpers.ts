/**
 * Runs pagemanager the way a user does: `node bin/pagemanager.js …` in a child
 * process, with a clean environment (no CI, no PM_* from the outer shell).
 *
 * @example
 *   const r = await runCli(['list-sites', '--dir', dir]);
 *   assert.equal(r.code, 0);
 *   const s = await startServer(['serve', '--no-open', '--dir', dir, '--addr', `127.0.0.1:${await freePort()}`]);
 *   await s.stop('SIGTERM');
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'pagemanager.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** process.env without CI and without any PM_* variable, plus `extra`. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'CI' || k.startsWith('PM_')) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** A fresh temporary folder, deleted when the test ends. */
export function tempDir(t: { after(fn: () => void): void }, prefix = 'pm-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The PostgreSQL server the suite may use (PM_TEST_POSTGRES_URL), or undefined to skip. */
export const POSTGRES_URL = process.env.PM_TEST_POSTGRES_URL || undefined;
export const NO_POSTGRES = 'PM_TEST_POSTGRES_URL is not set; set it (e.g. postgres://postgres@127.0.0.1:5432/test) to run the PostgreSQL race';

/** A new, empty database on the POSTGRES_URL server, dropped when the test ends; returns its DSN. */
export async function tempPostgresDatabase(t: { after(fn: () => Promise<void>): void }, prefix: string): Promise<string> {
  const dbName = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  t.after(async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  });
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = new URL(POSTGRES_URL!);
  url.pathname = `/${dbName}`;
  return url.href;
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function collect(child: ChildProcess): { out: () => string; err: () => string; exited: Promise<CliResult> } {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { out: () => stdout, err: () => stderr, exited };
}

/** Runs one command to its end. `input` is written to standard input (then closed). */
export async function runCli(args: string[], opts: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cliEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
  const c = collect(child);
  child.stdin!.on('error', () => {});
  child.stdin!.end(opts.input ?? '');
  // Generous: several CLI processes start at once in some tests, on a machine other work shares.
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  try {
    return await c.exited;
  } finally {
    clearTimeout(timer);
  }
}

export interface RunningServer {
  child: ChildProcess;
  /** What the server printed: `http://127.0.0.1:PORT/`. */
  url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches (or rejects when the process ends first). */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<CliResult>;
  /** Sends the signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

/**
 * Starts a long-running command (of bin/pagemanager.js, or of `entry`) and resolves once it prints "is running at URL".
 * Rejects (with what it printed) if it exits first. Killed when the test ends.
 */
export async function startServer(
  args: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number; t?: { after(fn: () => void): void }; entry?: string } = {},
): Promise<RunningServer> {
  const child = spawn(process.execPath, [opts.entry ?? BIN, ...args], { cwd: ROOT, env: cliEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  opts.t?.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const c = collect(child);
  let ended: CliResult | undefined;
  void c.exited.then((r) => (ended = r), () => {});

  const waitForOutput = (re: RegExp, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const tick = () => {
        if (re.test(c.out())) return resolve();
        if (ended) return reject(new Error(`pagemanager exited (code ${ended.code}) before printing ${re}:\nstdout: ${ended.stdout}\nstderr: ${ended.stderr}`));
        if (Date.now() - started > timeoutMs) return reject(new Error(`no ${re} within ${timeoutMs} ms:\nstdout: ${c.out()}\nstderr: ${c.err()}`));
        setTimeout(tick, 10);
      };
      tick();
    });

  try {
    await waitForOutput(/is running at (http:\/\/\S+)/, opts.timeoutMs);
  } catch (e) {
    if (!ended) child.kill('SIGKILL');
    throw e;
  }
  const url = /is running at (http:\/\/\S+)/.exec(c.out())![1];
  return {
    child,
    url,
    stdout: c.out,
    stderr: c.err,
    waitForOutput,
    exited: c.exited,
    async stop(signal = 'SIGTERM') {
      if (!ended) child.kill(signal);
      return c.exited;
    },
  };
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET over a real socket (no keep-alive), plain text body. */
export function httpGet(url: string, opts: { headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { connection: 'close', ...opts.headers }, agent: false, timeout: opts.timeoutMs ?? 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Resolves 'connected', or the error code of a refused connection (ECONNREFUSED, …). */
export function tryConnect(host: string, port: number, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: timeoutMs });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('timeout', () => {
      s.destroy();
      resolve('ETIMEDOUT');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/**
 * A user plugin in DIR/pm-plugins/slow: GET /slow prints "slow: started", waits
 * `ms`, then answers "done". Its package.json marks the folder as ESM.
 */
export function writeSlowPlugin(dir: string, ms: number): void {
  const folder = join(dir, 'pm-plugins', 'slow');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(
    join(folder, 'index.js'),
    `export default {
  name: 'slow',
  routes(router) {
    router.get('/slow', async () => {
      console.log('slow: started');
      await new Promise((r) => setTimeout(r, ${ms}));
      return 'done';
    });
  },
};
`,
  );
}

/** The lines of standard error that are not blank. */
export function stderrLines(r: CliResult): string[] {
  return r.stderr.split('\n').filter((l) => l.trim() !== '');
}

/** True when a stack trace frame ("    at …") is in the text. */
export function hasStack(text: string): boolean {
  return /^\s+at .+/m.test(text);
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
