/**
 * How long `pagemanager serve` takes from spawn to its first 200 on GET /, and
 * how much memory it holds once idle.
 *
 *   node --import tsx scripts/measure-startup.ts [--runs 7] [--idle-ms 2000]
 *
 * cold: a fresh data folder each run (the first run: migrations, primary site,
 * superadmin, welcome page). warm: the same, already set-up folder each run.
 * RSS is VmRSS from /proc/PID/status after the server has been idle for
 * --idle-ms (Linux only; elsewhere it prints "n/a"). `--version` (spawn to
 * exit) is shown as the floor: node, tsx and the module graph, no server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request, createServer } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin', 'pagemanager.js');
const POLL_MS = 5;
const START_TIMEOUT_MS = 60_000;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, 'idle-ms': { type: 'string', default: '2000' } } });
const RUNS = Number(values.runs);
const IDLE_MS = Number(values['idle-ms']);
if (!Number.isInteger(RUNS) || RUNS < 1 || !Number.isFinite(IDLE_MS) || IDLE_MS < 0) {
  console.error('measure-startup: --runs must be a positive integer and --idle-ms a number of milliseconds');
  process.exit(2);
}

function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (k !== 'CI' && !k.startsWith('PM_')) out[k] = v;
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function getStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

function rssKiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

interface Sample {
  startMs: number;
  rssKiB: number | undefined;
}

async function measureServe(dir: string): Promise<Sample> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--no-open', '--dir', dir, '--addr', `127.0.0.1:${port}`], { cwd: ROOT, env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  let exited = false;
  const done = new Promise<number | null>((resolve) => child.once('exit', (code) => ((exited = true), resolve(code))));
  try {
    let startMs: number | undefined;
    while (startMs === undefined) {
      if (exited) throw new Error(`pagemanager exited before answering:\n${stderr}`);
      if (performance.now() - t0 > START_TIMEOUT_MS) throw new Error(`no 200 on ${url} within ${START_TIMEOUT_MS} ms`);
      if ((await getStatus(url)) === 200) startMs = performance.now() - t0;
      else await new Promise((r) => setTimeout(r, POLL_MS));
    }
    await new Promise((r) => setTimeout(r, IDLE_MS));
    return { startMs, rssKiB: rssKiB(child.pid!) };
  } finally {
    if (!exited) child.kill('SIGTERM');
    const code = await done;
    if (code !== 0 && code !== null) process.stderr.write(`warning: pagemanager exited with ${code} after SIGTERM\n${stderr}`);
  }
}

async function measureVersion(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, '--version'], { cwd: ROOT, env: env(), stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return performance.now() - t0;
}

function stats(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}

const made: string[] = [];
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'pm-startup-'));
  made.push(d);
  return d;
};

try {
  const load = loadavg()[0].toFixed(2);
  const cold: Sample[] = [];
  const warm: Sample[] = [];
  const version: number[] = [];
  // The warm folder is set up once, outside the measurements.
  const warmDir = freshDir();
  await measureServe(warmDir);
  // Interleaved, so a burst of load on the machine does not land on one column only.
  for (let i = 0; i < RUNS; i++) {
    if (process.stderr.isTTY) process.stderr.write(`run ${i + 1}/${RUNS}\r`);
    cold.push(await measureServe(freshDir()));
    warm.push(await measureServe(warmDir));
    version.push(await measureVersion());
  }
  if (process.stderr.isTTY) process.stderr.write('\n');

  const ms = (n: number) => `${Math.round(n)} ms`;
  const mib = (k: number) => `${(k / 1024).toFixed(1)} MiB`;
  const rows: [string, string, string, string][] = [['', 'median', 'min', 'max']];
  const addRow = (label: string, xs: number[], fmt: (n: number) => string) => {
    if (!xs.length) return rows.push([label, 'n/a', 'n/a', 'n/a']);
    const s = stats(xs);
    rows.push([label, fmt(s.median), fmt(s.min), fmt(s.max)]);
  };
  addRow('cold start, new folder (spawn → first 200)', cold.map((s) => s.startMs), ms);
  addRow('warm start, existing folder', warm.map((s) => s.startMs), ms);
  addRow('--version (spawn → exit), the floor', version, ms);
  addRow(`idle RSS after ${IDLE_MS} ms, cold`, cold.flatMap((s) => (s.rssKiB === undefined ? [] : [s.rssKiB])), mib);
  addRow(`idle RSS after ${IDLE_MS} ms, warm`, warm.flatMap((s) => (s.rssKiB === undefined ? [] : [s.rssKiB])), mib);

  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c].length)));
  console.log(`pagemanager startup: ${RUNS} runs each; node ${process.version}, ${availableParallelism()} CPUs, load average ${load} at the start`);
  for (const r of rows) console.log(`${r[0].padEnd(widths[0])}  ${r.slice(1).map((v, i) => v.padStart(widths[i + 1])).join('  ')}`);
} finally {
  for (const d of made) rmSync(d, { recursive: true, force: true });
}
