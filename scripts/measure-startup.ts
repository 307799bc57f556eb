/**
 * How long `pagemanager serve` takes from spawn to its first 200 on GET /, and
 * how much memory it holds once idle, started each way it ships, against bare
 * Fastify started the same way in the same run (the ratios are to it).
 *
 *   node --import tsx scripts/measure-startup.ts [--runs 7] [--idle-ms 2000] [--settled-ms 75000]
 *
 * Ways: the single executable (dist/pagemanager, when built: npm run
 * build:binary), `node dist/src/cli/main.js` and `node dist/pagemanager.cjs`
 * (the one-file bundle; both when built: npm run build),
 * `npm start`'s bin/pagemanager.js through tsx, and bare Fastify
 * (scripts/bench/bare-fastify-start.mjs), on this Node and, when the binary is
 * built, on the binary's Node too (its ratios to that are in a column of their own). warm: the same, already set-up
 * data folder each run; cold (npm start only): a fresh folder each run
 * (migrations, primary site, superadmin, welcome page).
 * RSS is VmRSS from /proc/PID/status after the server has been idle for
 * --idle-ms (Linux only; elsewhere it prints "n/a"), and, with --settled-ms,
 * --settled-ms after the first 200 (a server quiet for a minute gives memory
 * back: src/http/idle-memory.ts; use --settled-ms 75000), for --runs servers
 * of each way idling side by side. `--version` (spawn to
 * exit) is shown as the floor: node, tsx and the module graph, no server.
 * `serve` answers stored pages before its plugins and routes are ready, so
 * the time until a route answers (GET /pm/health) is shown as well.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request, createServer } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cachedNode } from './binary-node.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin', 'pagemanager.js');

/** One way of starting: the command for a data folder and a port. */
interface Way {
  label: string;
  cmd: string;
  args(dir: string, port: number): string[];
}
const serveArgs = (dir: string, port: number) => ['serve', '--no-open', '--dir', dir, '--addr', `127.0.0.1:${port}`];
const bareArgs = (_d: string, port: number) => [join(ROOT, 'scripts', 'bench', 'bare-fastify-start.mjs'), String(port)];
/** The Node the binary is built on (scripts/binary-node.js says where build-binary.js keeps it), when the binary is built. */
const BINARY_NODE = (() => {
  const { node } = cachedNode();
  return existsSync(join(ROOT, 'dist', 'pagemanager')) && existsSync(node) ? node : undefined;
})();
const BARE_BINARY_NODE: Way | undefined = BINARY_NODE ? { label: `bare Fastify (node ${cachedNode().version}, the binary's)`, cmd: BINARY_NODE, args: bareArgs } : undefined;
const BINARY: Way | undefined = existsSync(join(ROOT, 'dist', 'pagemanager')) ? { label: 'the binary (dist/pagemanager)', cmd: join(ROOT, 'dist', 'pagemanager'), args: serveArgs } : undefined;
const WAYS: Way[] = [
  { label: 'bare Fastify (node, plain JS)', cmd: process.execPath, args: bareArgs },
  ...(BARE_BINARY_NODE ? [BARE_BINARY_NODE] : []),
  ...(BINARY ? [BINARY] : []),
  ...(existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))
    ? [{ label: 'node dist/src/cli/main.js', cmd: process.execPath, args: (d: string, p: number) => [join(ROOT, 'dist', 'src', 'cli', 'main.js'), ...serveArgs(d, p)] }]
    : []),
  ...(existsSync(join(ROOT, 'dist', 'pagemanager.cjs'))
    ? [{ label: 'node dist/pagemanager.cjs (bundle)', cmd: process.execPath, args: (d: string, p: number) => [join(ROOT, 'dist', 'pagemanager.cjs'), ...serveArgs(d, p)] }]
    : []),
  { label: 'npm start (bin/pagemanager.js, tsx)', cmd: process.execPath, args: (d, p) => [BIN, ...serveArgs(d, p)] },
];
const POLL_MS = 5;
const START_TIMEOUT_MS = 60_000;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, 'idle-ms': { type: 'string', default: '2000' }, 'settled-ms': { type: 'string', default: '0' } } });
const RUNS = Number(values.runs);
const IDLE_MS = Number(values['idle-ms']);
const SETTLED_MS = Number(values['settled-ms']);
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
  /** Spawn → first 200 on /pm/health, a route: the plugins loaded and the routes open (pagemanager only). */
  routesMs: number | undefined;
  rssKiB: number | undefined;
}

interface Running {
  pid: number;
  startMs: number;
  routesMs: number | undefined;
  /** performance.now() when it answered its first 200. */
  answeredAt: number;
  stop(): Promise<void>;
}

/** Spawns a way on `dir` and waits for its first 200 on GET / (and, for pagemanager, on /pm/health). */
async function launch(dir: string, way: Way): Promise<Running> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const t0 = performance.now();
  const child = spawn(way.cmd, way.args(dir, port), { cwd: ROOT, env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  let exited = false;
  const done = new Promise<number | null>((resolve) => child.once('exit', (code) => ((exited = true), resolve(code))));
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    const code = await done;
    if (code !== 0 && code !== null) process.stderr.write(`warning: ${way.label} exited with ${code} after SIGTERM\n${stderr}`);
  };
  try {
    let startMs: number | undefined;
    while (startMs === undefined) {
      if (exited) throw new Error(`${way.label} exited before answering:\n${stderr}`);
      if (performance.now() - t0 > START_TIMEOUT_MS) throw new Error(`no 200 on ${url} within ${START_TIMEOUT_MS} ms`);
      if ((await getStatus(url)) === 200) startMs = performance.now() - t0;
      else await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const answeredAt = performance.now();
    let routesMs: number | undefined;
    // `serve` answers stored pages before its routes are open; how long until they are, too.
    while (way !== WAYS[0] && way !== BARE_BINARY_NODE && routesMs === undefined && performance.now() - t0 < START_TIMEOUT_MS) {
      if ((await getStatus(`${url}pm/health`)) === 200) routesMs = performance.now() - t0;
      else await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return { pid: child.pid!, startMs, routesMs, answeredAt, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function measureServe(dir: string, way: Way = WAYS[WAYS.length - 1]): Promise<Sample> {
  const r = await launch(dir, way);
  try {
    await new Promise((res) => setTimeout(res, IDLE_MS));
    return { startMs: r.startMs, routesMs: r.routesMs, rssKiB: rssKiB(r.pid) };
  } finally {
    await r.stop();
  }
}

/**
 * RSS `SETTLED_MS` after the first 200, for RUNS servers of each way at once (each on its own copy
 * of the warm folder): they sit idle side by side, so a wait past the idle collector's minute
 * costs one wait, not one per run.
 */
async function measureSettled(warmDir: string): Promise<Map<Way, number[]>> {
  const running: [Way, Running][] = [];
  const out = new Map<Way, number[]>(WAYS.map((w) => [w, []]));
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const w of WAYS) {
        const dir = freshDir();
        cpSync(warmDir, dir, { recursive: true });
        running.push([w, await launch(dir, w)]);
      }
    }
    for (const [w, r] of running) {
      const wait = r.answeredAt + SETTLED_MS - performance.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      const k = rssKiB(r.pid);
      if (k !== undefined) out.get(w)!.push(k);
    }
  } finally {
    await Promise.all(running.map(([, r]) => r.stop()));
  }
  return out;
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
  const warm = new Map<Way, Sample[]>(WAYS.map((w) => [w, []]));
  const version: number[] = [];
  // The warm folder is set up once, outside the measurements (each way once, so its own caches are warm too).
  const warmDir = freshDir();
  for (const w of WAYS) await measureServe(warmDir, w);
  // Interleaved, so a burst of load on the machine does not land on one column only.
  for (let i = 0; i < RUNS; i++) {
    if (process.stderr.isTTY) process.stderr.write(`run ${i + 1}/${RUNS}\r`);
    cold.push(await measureServe(freshDir()));
    for (const w of WAYS) warm.get(w)!.push(await measureServe(warmDir, w));
    version.push(await measureVersion());
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (SETTLED_MS > IDLE_MS && process.stderr.isTTY) process.stderr.write(`${RUNS * WAYS.length} servers idle side by side for ${SETTLED_MS / 1000} s…\n`);
  const settledRss = SETTLED_MS > IDLE_MS ? await measureSettled(warmDir) : undefined;

  const ms = (n: number) => `${Math.round(n)} ms`;
  const mib = (k: number) => `${(k / 1024).toFixed(1)} MiB`;
  // The binary runs a newer Node than this one: its ratios to bare Fastify on that same Node, too.
  const rows: string[][] = [['', 'median', 'min', 'max', '× Fastify', BARE_BINARY_NODE ? '× Fastify, same Node' : '']];
  const bare = WAYS[0];
  const median = (xs: number[]) => (xs.length ? stats(xs).median : NaN);
  const addRow = (label: string, xs: number[], fmt: (n: number) => string, base?: number, sameNodeBase?: number) => {
    if (!xs.length) return rows.push([label, 'n/a', 'n/a', 'n/a', '', '']);
    const s = stats(xs);
    rows.push([label, fmt(s.median), fmt(s.min), fmt(s.max), base ? `${(s.median / base).toFixed(2)}×` : '', sameNodeBase ? `${(s.median / sameNodeBase).toFixed(2)}×` : '']);
  };
  const rss = (xs: Sample[]) => xs.flatMap((s) => (s.rssKiB === undefined ? [] : [s.rssKiB]));
  const bareStart = median(warm.get(bare)!.map((s) => s.startMs));
  const bareRss = median(rss(warm.get(bare)!));
  /** For the binary's rows: the same figure of bare Fastify on the binary's Node. */
  const sameNode = (w: Way, f: (xs: Sample[]) => number[]) => (w === BINARY && BARE_BINARY_NODE ? median(f(warm.get(BARE_BINARY_NODE)!)) : undefined);
  const starts = (xs: Sample[]) => xs.map((s) => s.startMs);
  const pagemanagerWays = WAYS.filter((w) => w !== bare && w !== BARE_BINARY_NODE);
  for (const w of WAYS) addRow(`${w.label}: spawn → first 200, warm`, starts(warm.get(w)!), ms, bareStart, sameNode(w, starts));
  for (const w of pagemanagerWays) addRow(`${w.label}: spawn → routes open (/pm/health)`, warm.get(w)!.flatMap((s) => (s.routesMs === undefined ? [] : [s.routesMs])), ms, bareStart, sameNode(w, starts));
  addRow('npm start: cold, new folder', cold.map((s) => s.startMs), ms, bareStart);
  addRow('npm start --version (spawn → exit)', version, ms);
  for (const w of WAYS) addRow(`${w.label}: idle RSS after ${IDLE_MS} ms`, rss(warm.get(w)!), mib, bareRss, sameNode(w, rss));
  if (settledRss) {
    const bareSettled = median(settledRss.get(bare)!);
    const sameNodeSettled = BARE_BINARY_NODE ? median(settledRss.get(BARE_BINARY_NODE)!) : undefined;
    for (const w of WAYS) addRow(`${w.label}: idle RSS after ${SETTLED_MS} ms`, settledRss.get(w)!, mib, bareSettled, w === BINARY ? sameNodeSettled : undefined);
  }

  const widths = [0, 1, 2, 3, 4, 5].map((c) => Math.max(...rows.map((r) => r[c].length)));
  console.log(`pagemanager startup: ${RUNS} runs each; node ${process.version}, ${availableParallelism()} CPUs, load average ${load} at the start`);
  for (const r of rows) console.log(`${r[0].padEnd(widths[0])}  ${r.slice(1).map((v, i) => v.padStart(widths[i + 1])).join('  ')}`);
} finally {
  for (const d of made) rmSync(d, { recursive: true, force: true });
}
