/**
 * A real `pagemanager serve` process for the reliability suite, and the JSON
 * API over a socket. Offline mode (the loopback superadmin) keeps setup to one
 * call: `apiToken` asks for a token the way the dashboard would, then every
 * write goes with `Authorization: Bearer`.
 */
import { request } from 'node:http';
import { freePort, startServer, type RunningServer } from '../cli/cli-helpers.js';

export interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTP request, no keep-alive; rejects on a socket error (a refused or dropped connection). */
export function call(base: string, method: string, path: string, o: { body?: string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, agent: false, headers: { connection: 'close', ...o.headers }, timeout: o.timeoutMs ?? 15_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

/** An API token of the offline superadmin (through /pm/api/me's CSRF token, as the dashboard does). */
export async function apiToken(base: string): Promise<string> {
  const me = await call(base, 'GET', '/pm/api/me');
  const csrf = JSON.parse(me.body).csrfToken as string;
  const res = await call(base, 'POST', '/pm/api/tokens', { body: '{"name":"reliability"}', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf } });
  if (res.status !== 201) throw new Error(`no token: ${res.status} ${res.body}`);
  return JSON.parse(res.body).token as string;
}

/** PUT /pm/api/pages?url=… with a token. */
export function putPage(base: string, token: string, urlPath: string, html: string, timeoutMs?: number): Promise<Answer> {
  return call(base, 'PUT', `/pm/api/pages?url=${encodeURIComponent(urlPath)}`, {
    body: JSON.stringify({ html }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    timeoutMs,
  });
}

/** `pagemanager serve` in offline mode on a free port, on `dir` (and `dsn` when given). */
export async function serve(dir: string, o: { dsn?: string; port?: number; extra?: string[]; t?: { after(fn: () => void): void } } = {}): Promise<RunningServer & { base: string; port: number }> {
  const port = o.port ?? (await freePort());
  const args = ['serve', '--mode', 'offline', '--addr', `127.0.0.1:${port}`, '--dir', dir, '--no-open', ...(o.dsn ? ['--dsn', o.dsn] : []), ...(o.extra ?? [])];
  const s = await startServer(args, { t: o.t, timeoutMs: 60_000 });
  return Object.assign(s, { base: `http://127.0.0.1:${port}/`, port });
}

/** A seeded generator (mulberry32): the same seed gives the same run. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}
