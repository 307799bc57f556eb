/**
 * RSS of `pagemanager serve` against --cache-mb, for many stored pages read at random by
 * clients that accept gzip and by clients that do not (fault 10 of the hardening issue).
 * Used by scripts/measure-cache-memory.ts and test/reliability/faults-cache-memory.test.ts.
 *
 * The pages are seeded once into a SQLite folder through the page service; each measured
 * server is a real process on that folder, loaded over keep-alive HTTP from this process,
 * with VmRSS and RssAnon read from /proc/PID/status (Linux only).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { createApp } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { pageHtml } from '../bench/page-html.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'pagemanager.js');

export interface MemorySample {
  cacheMb: number;
  /** RSS and anonymous RSS (MiB) once started and one page served. */
  baseRss: number;
  baseAnon: number;
  /** The highest seen while gzip clients, then identity clients, read every page at random. */
  peakRssGzip: number;
  peakRssPlain: number;
  peakAnon: number;
  requests: number;
  seconds: number;
}

/**
 * `count` pages of ~10 KB (~3 KB gzipped) at /p/0 … /p/N. One page goes through the page
 * service (for its stored headers); the rest are rows written in one SQLite transaction,
 * with 64 distinct bodies taken in turn: each row is still its own blob, read into its own
 * Buffer, so memory behaves as with 20,000 different pages, and seeding takes a second.
 */
export async function seedPages(dir: string, count: number): Promise<string[]> {
  const config = loadConfig({ dir, mode: 'singlesite', addr: '127.0.0.1:0', open: false }, {});
  const app = await createApp(config, { logger: false });
  let siteId: string;
  let headers: string;
  try {
    siteId = app.sites.primary().siteId;
    await app.pages.set(siteId, '', '/p/0', pageHtml(0, 10_000));
    headers = JSON.stringify((await app.stores.pages.get(siteId, '', '/p/0'))?.headers ?? {});
  } finally {
    await app.close();
  }
  const bodies = Array.from({ length: 64 }, (_, i) => gzipSync(pageHtml(i, 10_000)));
  const db = new Database(join(dir, 'pagemanager.db'));
  try {
    const insert = db.prepare(
      `INSERT OR REPLACE INTO pm_page (site_id, langcode, url_path, kind, gz, headers, etag, hidden, pseudoroute, updated_at) VALUES (?, '', ?, 'html', ?, ?, ?, 0, 0, ?)`,
    );
    db.transaction(() => {
      for (let i = 1; i < count; i++) insert.run(siteId, `/p/${i}`, bodies[i % 64], headers, `"seed-${i}"`, Date.now());
    })();
  } finally {
    db.close();
  }
  return Array.from({ length: count }, (_, i) => `/p/${i}`);
}

function status(pid: number): { rss: number; anon: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024 };
}

function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (k !== 'CI' && !k.startsWith('PM_')) out[k] = v;
  return out;
}

async function startServe(dir: string, cacheMb: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--mode', 'singlesite', '--addr', '127.0.0.1:0', '--dir', dir, '--no-open', '--cache-mb', String(cacheMb)], {
    cwd: ROOT,
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const port = await new Promise<number>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /is running at http:\/\/[^:]+:(\d+)\//.exec(out);
      if (m) {
        clearInterval(t);
        resolve(Number(m[1]));
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(t);
      reject(new Error(`serve exited (${code}): ${out}`));
    });
  });
  return { child, port };
}

function get(agent: Agent, port: number, path: string, gzip: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Serves `paths` from `dir` with `--cache-mb cacheMb` and reads them at random, gzip clients first, then identity ones. */
export async function measure(dir: string, paths: string[], cacheMb: number, requestsPerKind: number, concurrency = 8): Promise<MemorySample> {
  const t0 = performance.now();
  const { child, port } = await startServe(dir, cacheMb);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    if ((await get(agent, port, paths[0]!, true)) !== 200) throw new Error('the first page did not answer 200');
    await new Promise((r) => setTimeout(r, 300));
    const base = status(child.pid!);
    let peakAnon = base.anon;
    let peak = base.rss;
    const sampler = setInterval(() => {
      const s = status(child.pid!);
      peak = Math.max(peak, s.rss);
      peakAnon = Math.max(peakAnon, s.anon);
    }, 100);
    let seed = 12345;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const run = async (gzip: boolean) => {
      let left = requestsPerKind;
      const worker = async () => {
        while (left-- > 0) {
          const code = await get(agent, port, paths[Math.floor(random() * paths.length)]!, gzip);
          if (code !== 200) throw new Error(`a page answered ${code}`);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    };
    await run(true);
    const peakGzip = Math.max(peak, status(child.pid!).rss);
    peak = 0;
    await run(false);
    clearInterval(sampler);
    const last = status(child.pid!);
    return {
      cacheMb,
      baseRss: base.rss,
      baseAnon: base.anon,
      peakRssGzip: peakGzip,
      peakRssPlain: Math.max(peak, last.rss),
      peakAnon: Math.max(peakAnon, last.anon),
      requests: requestsPerKind * 2,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    agent.destroy();
    child.kill('SIGKILL');
  }
}
