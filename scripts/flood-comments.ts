/**
 * A comment flood on loopback, against a real `pagemanager serve` process (offline mode, SQLite or PostgreSQL):
 * a site with a published blog post (comments open) and another stored page; then a few thousand
 * comments as fast as the rules allow, through the real no-JavaScript form flow, while a second
 * client reads both pages in a loop and records how long each read took.
 *
 * The form flow is the plugin's two steps (pm-plugins/comments/README.md): GET the stored page,
 * send its form to POST /pm-comments/check (the "check your comment" step, which carries a visit
 * token), wait at least `min_dwell_seconds`, send the check step's form to POST
 * /pm-comments/post. The dwell time makes one comment per client take 3 s, so "as fast as
 * possible" is: fetch every token first (in parallel), wait out the dwell once, then fire every
 * post at once with `--concurrency` requests in flight.
 *
 * Many addresses: the server is started with `--trust-proxy 127.0.0.1` and the flood client plays
 * the reverse proxy on loopback, naming a pretend client address in `X-Forwarded-For` (a botnet,
 * as the server sees one behind a proxy). Most posts come from a large pool of addresses (a few
 * each, under `per_ip_per_hour`); a few noisy addresses send more, to show the per-address limit.
 *
 * Two rounds, each on a fresh data folder with its own config.toml, one per kind of shut-off:
 * - `rate`: the cap far away; commenting closes when more than `shutoff_max` comments arrive
 *   within `shutoff_window_minutes`;
 * - `size`: the rate far away; commenting closes when the site's comments would pass `cap_bytes`.
 * `per_page_per_hour` is raised out of the way in both (all posts go to one page; with the
 * defaults, 30 per page per hour would refuse the flood long before either shut-off).
 *
 * Prints per round: comments stored before the shut-off, refusals by status and code, page
 * latency (p50/p95/max) before / while fetching tokens / during the posts / after, and the
 * comments' bytes in the database (the counter, the sum of sizes, the table's pages) against the
 * cap. test/comments/flood.test.ts runs a smaller flood through `runFlood`.
 *
 * Usage: node --import tsx scripts/flood-comments.ts [--comments 2000] [--concurrency 24]
 *          [--rounds rate,size] [--shutoff-max 600] [--cap-kib 256] [--postgres postgres://…]
 * (--postgres: a new database on that server per round instead of SQLite, dropped afterwards.)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { apiToken, call, putPage, seeded, serve } from '../test/reliability/real-server.js';

export interface FloodOptions {
  round: 'rate' | 'size';
  /** Posts attempted. */
  comments: number;
  /** Posts (and token fetches) in flight at once. */
  concurrency: number;
  /** `shutoff_max` for the rate round (the size round sets it out of the way). */
  shutoffMax: number;
  /** `cap_bytes` for the size round (the rate round sets it out of the way). */
  capBytes: number;
  minDwellSeconds: number;
  perIpPerHour: number;
  /** How long the reader runs alone before the flood and after it. */
  quietMs: number;
  /** A PostgreSQL server (postgres://…): each round gets a new database there, dropped afterwards. SQLite otherwise. */
  postgres?: string;
  seed?: number;
  log?: (line: string) => void;
}

export interface Latency {
  reads: number;
  failed: number;
  p50: number;
  p95: number;
  max: number;
}

type Phase = 'before' | 'tokens' | 'flood' | 'after';
const PHASES: Phase[] = ['before', 'tokens', 'flood', 'after'];

export interface FloodReport {
  round: 'rate' | 'size';
  database: 'sqlite' | 'postgres';
  settings: Record<string, number | string>;
  attempted: number;
  tokens: number;
  /** Posts answered 303 (stored: published, held or spam). */
  accepted: number;
  /** `${status} ${code}` → how many. */
  refusals: Record<string, number>;
  /** Posts sent after the client had seen the first shut-off answer, and how many of them were accepted. */
  sentAfterShutOff: number;
  acceptedAfterShutOff: number;
  /** Seconds from the first post sent to the last answer. */
  floodSeconds: number;
  tokenSeconds: number;
  /** Reads of the post page and of the other page, by phase. */
  latency: Record<'post' | 'other', Record<Phase, Latency>>;
  /** Every read that did not answer 200, by phase (status or error). */
  badReads: { phase: Phase; page: string; status: string }[];
  /** The post page after the flood: bytes sent gzipped, and its HTML. */
  postPage: { gzipBytes: number; htmlBytes: number };
  db: {
    comments: number;
    byStatus: Record<string, number>;
    /** pm_comment_site.stored_bytes: what the cap is kept against. */
    counterBytes: number;
    /** sum(size_bytes) of the comments stored. */
    sizeBytes: number;
    /** sum(octet_length) of the text columns. */
    textBytes: number;
    /** What the database spends on pm_comment: SQLite the B-tree pages of it and its indexes (dbstat), PostgreSQL pg_total_relation_size. */
    tableBytes: number;
    largestComment: number;
    /** Comments stored as replies (the flood sends none: each visitor uses the page's own form). */
    replies: number;
    closedReason: string;
    closed: boolean;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const WORDS = (
  'kiln glaze clay firing ash cone shoulder jar bowl wheel trim slip wedging reduction oxidation flame ' +
  'wood gas electric shelf wadding crawl pinhole crackle celadon shino tenmoku iron copper cobalt ' +
  'porcelain stoneware earthenware bisque chimney damper flue stoke ember soak cool door brick ' +
  'thanks tried same found worked better worse longer shorter morning evening week spring summer'
).split(' ');

/** A comment that reads like a person's: a few sentences of varied words (so the spam rules publish most). */
function commentBody(r: ReturnType<typeof seeded>, i: number, minBytes: number, maxBytes: number): string {
  const target = r.int(minBytes, maxBytes);
  let s = `Firing number ${i}: `;
  while (s.length < target) {
    const n = r.int(6, 14);
    const words = Array.from({ length: n }, () => r.pick(WORDS));
    words[0] = words[0]!.charAt(0).toUpperCase() + words[0]!.slice(1);
    s += `${words.join(' ')}. `;
  }
  return s.trim();
}

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The hidden inputs of the form in `html` that posts to `action` (as a browser would send them). */
function hiddenFields(html: string, action: string): Record<string, string> {
  const forms = (html.match(/<form\b[^>]*>[\s\S]*?<\/form>/g) ?? []).filter((f) => new RegExp(`action="[^"]*${action.replace(/[/.]/g, '\\$&')}"`).test(f));
  // The page's own comment form, not a comment's Reply form (which posts to the same address).
  const form = forms.find((f) => !/name="parent" value="[^"]+"/.test(f));
  if (!form) throw new Error(`no form posting to ${action}`);
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input\b[^>]*>/g)) {
    if (!/type="hidden"/.test(m[0])) continue;
    const name = /name="([^"]*)"/.exec(m[0])?.[1];
    if (name) out[decode(name)] = decode(/value="([^"]*)"/.exec(m[0])?.[1] ?? '');
  }
  return out;
}

interface Answer {
  status: number;
  body: string;
  bytes: number;
  location: string;
}

function send(agent: Agent, base: string, method: string, path: string, o: { body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, agent, headers: o.headers, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body: all.toString('utf8'), bytes: all.length, location: String(res.headers.location ?? '') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

/** What a refusal was, from what a visitor's browser got: the error page names its code; the check step again says why in words. */
function refusalOf(a: Answer): string {
  const code = /PM_ERR_[A-Z_]+/.exec(a.body)?.[0];
  if (code) return `${a.status} ${code}`;
  if (a.status === 429) return `429 PM_ERR_COMMENT_RATE (${/Too many comments ([^<]*?) in the last hour/.exec(a.body)?.[1] ?? '?'})`;
  if (/That was quick/.test(a.body)) return `${a.status} PM_ERR_COMMENT_TOO_FAST`;
  return `${a.status} (no code in the answer)`;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summarise(ms: number[], failed: number): Latency {
  const s = [...ms].sort((a, b) => a - b);
  return { reads: s.length, failed, p50: percentile(s, 50), p95: percentile(s, 95), max: s[s.length - 1] ?? 0 };
}

/** Runs one round on a fresh data folder and a fresh server; the folder is removed afterwards. */
export async function runFlood(o: FloodOptions): Promise<FloodReport> {
  const log = o.log ?? (() => {});
  const r = seeded(o.seed ?? 13);
  const dir = mkdtempSync(join(tmpdir(), `pm-flood-${o.round}-`));
  const settings = {
    min_dwell_seconds: o.minDwellSeconds,
    per_ip_per_hour: o.perIpPerHour,
    per_page_per_hour: 100000,
    shutoff_max: o.round === 'rate' ? o.shutoffMax : 1000000,
    shutoff_window_minutes: 10,
    cap_bytes: o.round === 'size' ? o.capBytes : 1024 ** 3,
    cooldown_minutes: 60,
  };
  writeFileSync(join(dir, 'config.toml'), `[plugins.comments]\n${Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
  let dsn: string | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  try {
    if (o.postgres) ({ dsn, drop: dropDb } = await freshPostgres(o.postgres, o.round));
    server = await serve(dir, { dsn, extra: ['--trust-proxy', '127.0.0.1'] });
    const base = server.base;
    const token = await apiToken(base);
    const made = await call(base, 'POST', '/pm/api/posts', {
      body: JSON.stringify({ title: 'Firing the anagama', body: 'Four days of wood, ash and patience.\n\nWhat went right and what cracked.', status: 'published' }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    if (made.status !== 201) throw new Error(`post: ${made.status} ${made.body.slice(0, 300)}`);
    const postUrl = JSON.parse(made.body).post.url as string;
    const put = await putPage(base, token, '/about', '<!doctype html><title>About</title><h1>About the studio</h1><p>Pots, mostly.</p>');
    if (put.status >= 300) throw new Error(`page: ${put.status} ${put.body.slice(0, 300)}`);

    // The reader: one keep-alive connection, as a browser, the two pages in turn.
    let phase: Phase = 'before';
    let reading = true;
    const times = { post: Object.fromEntries(PHASES.map((p) => [p, [] as number[]])), other: Object.fromEntries(PHASES.map((p) => [p, [] as number[]])) } as Record<'post' | 'other', Record<Phase, number[]>>;
    const fails = { post: Object.fromEntries(PHASES.map((p) => [p, 0])), other: Object.fromEntries(PHASES.map((p) => [p, 0])) } as Record<'post' | 'other', Record<Phase, number>>;
    const badReads: FloodReport['badReads'] = [];
    const readerAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const reader = (async () => {
      for (let i = 0; reading; i++) {
        const page = i % 2 ? 'other' : 'post';
        const at = phase;
        const t0 = performance.now();
        try {
          const a = await send(readerAgent, base, 'GET', page === 'post' ? postUrl : '/about', { headers: { accept: 'text/html', 'accept-encoding': 'gzip' } });
          times[page][at].push(performance.now() - t0);
          if (a.status !== 200) {
            fails[page][at]++;
            badReads.push({ phase: at, page, status: String(a.status) });
          }
        } catch (e) {
          fails[page][at]++;
          badReads.push({ phase: at, page, status: (e as Error).message });
        }
      }
    })();
    await sleep(o.quietMs);

    // Addresses: a large pool sending a few each, and three noisy ones sending a fifth of the flood.
    const pool = Math.max(1, Math.ceil(o.comments / 4));
    const noisy = ['198.51.100.1', '198.51.100.2', '198.51.100.3'];
    const ipOf = (i: number) => (i % 5 === 0 ? noisy[(i / 5) % 3]! : `10.${(i % pool) >> 16}.${((i % pool) >> 8) & 255}.${(i % pool) & 255}`);
    const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const browser = (ip: string) => ({ 'x-forwarded-for': ip, accept: 'text/html,application/xhtml+xml', 'content-type': 'application/x-www-form-urlencoded' });

    // Step one for every pretend visitor: read the page, send its form, keep the check step's form.
    phase = 'tokens';
    log(`${o.round}: fetching ${o.comments} visit tokens (GET the post, POST /pm-comments/check), ${o.concurrency} at a time`);
    const t0 = performance.now();
    const checked: { ip: string; fields: Record<string, string>; at: number }[] = new Array(o.comments);
    let next = 0;
    const bodies = Array.from({ length: o.comments }, (_, i) => commentBody(r, i, 300, 900));
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        for (let i = next++; i < o.comments; i = next++) {
          const ip = ipOf(i);
          const page = await send(agent, base, 'GET', postUrl, { headers: { 'x-forwarded-for': ip, accept: 'text/html' } });
          if (page.status !== 200) throw new Error(`GET ${postUrl}: ${page.status}`);
          const visitor = { name: `Reader ${i}`, email: '', website: '', body: bodies[i]! };
          const step = await send(agent, base, 'POST', '/pm-comments/check', { body: form({ ...hiddenFields(page.body, '/pm-comments/check'), ...visitor }), headers: browser(ip) });
          if (step.status !== 200) throw new Error(`check step ${i}: ${step.status} ${refusalOf(step)}`);
          checked[i] = { ip, fields: { ...hiddenFields(step.body, '/pm-comments/post'), ...visitor }, at: Date.now() };
        }
      }),
    );
    const tokenSeconds = (performance.now() - t0) / 1000;
    // The dwell time, once, counted from the last token (plus a little for the clocks).
    const lastAt = Math.max(...checked.map((c) => c.at));
    await sleep(Math.max(0, lastAt + o.minDwellSeconds * 1000 + 250 - Date.now()));

    // Step two, as fast as it goes.
    phase = 'flood';
    log(`${o.round}: ${o.comments} tokens in ${tokenSeconds.toFixed(1)} s; firing the posts`);
    const refusals: Record<string, number> = {};
    let accepted = 0;
    let shutOffSeenAt = Infinity;
    let sentAfterShutOff = 0;
    let acceptedAfterShutOff = 0;
    next = 0;
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        for (let i = next++; i < o.comments; i = next++) {
          const c = checked[i]!;
          const sentAt = performance.now();
          const after = sentAt > shutOffSeenAt;
          if (after) sentAfterShutOff++;
          const a = await send(agent, base, 'POST', '/pm-comments/post', { body: form(c.fields), headers: browser(c.ip) });
          if (a.status === 303 && /#comment-/.test(a.location)) {
            accepted++;
            if (after) acceptedAfterShutOff++;
          } else {
            const why = refusalOf(a);
            refusals[why] = (refusals[why] ?? 0) + 1;
            if (why.includes('PM_ERR_COMMENT_SHUT_OFF')) shutOffSeenAt = Math.min(shutOffSeenAt, performance.now());
          }
        }
      }),
    );
    const floodSeconds = (performance.now() - t1) / 1000;
    phase = 'after';
    await sleep(o.quietMs);
    reading = false;
    await reader;
    // How heavy the page under the flood got: what the reader was served (gzip), and unzipped.
    const gz = await send(readerAgent, base, 'GET', postUrl, { headers: { 'accept-encoding': 'gzip' } });
    const plain = await send(readerAgent, base, 'GET', postUrl);
    const postPage = { gzipBytes: gz.bytes, htmlBytes: plain.bytes };
    agent.destroy();
    readerAgent.destroy();
    await server.stop();

    const db = dsn ? await readPostgres(dsn) : readSqlite(join(dir, 'pagemanager.db'));
    return {
      round: o.round,
      database: dsn ? 'postgres' : 'sqlite',
      settings,
      attempted: o.comments,
      tokens: checked.length,
      accepted,
      refusals,
      sentAfterShutOff,
      acceptedAfterShutOff,
      floodSeconds,
      tokenSeconds,
      latency: {
        post: Object.fromEntries(PHASES.map((p) => [p, summarise(times.post[p], fails.post[p])])) as Record<Phase, Latency>,
        other: Object.fromEntries(PHASES.map((p) => [p, summarise(times.other[p], fails.other[p])])) as Record<Phase, Latency>,
      },
      badReads,
      postPage,
      db,
    };
  } finally {
    await server?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    await dropDb?.();
  }
}

const TEXT_BYTES = 'octet_length(name) + octet_length(website) + octet_length(email) + octet_length(body) + octet_length(reasons)';

/** The comments as the SQLite file holds them, once the server has stopped. */
function readSqlite(file: string): FloodReport['db'] {
  const db = new Database(file, { readonly: true });
  try {
    const one = <T>(q: string) => db.prepare(q).get() as T;
    const byStatus = Object.fromEntries((db.prepare('SELECT status, COUNT(*) AS n FROM pm_comment GROUP BY status').all() as { status: string; n: number }[]).map((x) => [x.status, x.n]));
    const sums = one<{ n: number; size: number; text: number; largest: number; replies: number }>(
      `SELECT COUNT(*) AS n, coalesce(sum(size_bytes), 0) AS size, coalesce(sum(${TEXT_BYTES}), 0) AS text, coalesce(max(size_bytes), 0) AS largest, COUNT(parent_id) AS replies FROM pm_comment`,
    );
    const site = one<{ stored_bytes: number; closed_until: number | null; closed_reason: string } | undefined>('SELECT stored_bytes, closed_until, closed_reason FROM pm_comment_site');
    // The B-tree pages of the table and its indexes (dbstat), what the file spends on them.
    const table = one<{ n: number }>("SELECT coalesce(sum(pgsize), 0) AS n FROM dbstat WHERE name = 'pm_comment' OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'pm_comment')");
    return figures(byStatus, sums, site, table.n);
  } finally {
    db.close();
  }
}

/** The same from PostgreSQL (pg_total_relation_size: table, indexes and TOAST). */
async function readPostgres(dsn: string): Promise<FloodReport['db']> {
  const c = new pg.Client({ connectionString: dsn });
  await c.connect();
  try {
    const byStatus = Object.fromEntries((await c.query('SELECT status, COUNT(*)::int AS n FROM pm_comment GROUP BY status')).rows.map((x: { status: string; n: number }) => [x.status, x.n]));
    const sums = (
      await c.query(`SELECT COUNT(*)::int AS n, coalesce(sum(size_bytes), 0)::bigint AS size, coalesce(sum(${TEXT_BYTES}), 0)::bigint AS text, coalesce(max(size_bytes), 0)::int AS largest, COUNT(parent_id)::int AS replies FROM pm_comment`)
    ).rows[0];
    const site = (await c.query('SELECT stored_bytes, closed_until, closed_reason FROM pm_comment_site')).rows[0];
    const table = (await c.query("SELECT pg_total_relation_size('pm_comment')::bigint AS n")).rows[0];
    return figures(byStatus, sums, site, table.n);
  } finally {
    await c.end();
  }
}

function figures(
  byStatus: Record<string, number>,
  sums: { n: number | string; size: number | string; text: number | string; largest: number | string; replies: number | string },
  site: { stored_bytes: number | string; closed_until: number | string | null; closed_reason: string } | undefined,
  tableBytes: number | string,
): FloodReport['db'] {
  return {
    comments: Number(sums.n),
    byStatus,
    counterBytes: Number(site?.stored_bytes ?? 0),
    sizeBytes: Number(sums.size),
    textBytes: Number(sums.text),
    tableBytes: Number(tableBytes),
    largestComment: Number(sums.largest),
    replies: Number(sums.replies),
    closedReason: site?.closed_reason ?? '',
    closed: site?.closed_until != null,
  };
}

/** A new database on the PostgreSQL server of `url` for one round; returns its DSN and how to drop it. */
async function freshPostgres(url: string, round: string): Promise<{ dsn: string; drop: () => Promise<void> }> {
  const name = `pm_flood_${round}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    dsn: u.href,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    },
  };
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const ms = (n: number) => `${n.toFixed(1)}`;

export function printReport(f: FloodReport, out: (line: string) => void = console.log): void {
  const s = f.settings;
  out(`\n== round "${f.round}" (${f.database}): ${f.attempted} comments on one post; shutoff_max ${s.shutoff_max} in ${s.shutoff_window_minutes} min, cap_bytes ${s.cap_bytes} (${kib(Number(s.cap_bytes))}), per_ip_per_hour ${s.per_ip_per_hour}, min_dwell_seconds ${s.min_dwell_seconds}`);
  out(`tokens: ${f.tokens} check steps in ${f.tokenSeconds.toFixed(1)} s; posts: ${f.attempted} in ${f.floodSeconds.toFixed(1)} s (${(f.attempted / f.floodSeconds).toFixed(0)}/s)`);
  out(`stored before the shut-off: ${f.accepted} accepted (303), ${f.db.comments} rows in pm_comment (${Object.entries(f.db.byStatus).map(([k, v]) => `${k} ${v}`).join(', ')}; ${f.db.replies} replies); shut off: ${f.db.closed ? `yes, reason "${f.db.closedReason}"` : 'no'}`);
  out(`after the first shut-off answer: ${f.sentAfterShutOff} posts sent, ${f.acceptedAfterShutOff} stored`);
  out('refusals:');
  for (const [k, v] of Object.entries(f.refusals).sort((a, b) => b[1] - a[1])) out(`  ${String(v).padStart(6)}  ${k}`);
  out(`post page after the flood: ${kib(f.postPage.htmlBytes)} of HTML, ${kib(f.postPage.gzipBytes)} gzipped`);
  out('page reads (ms)              reads  not-200   p50    p95    max   (tokens+wait: fetching the tokens, then the dwell time)');
  for (const page of ['post', 'other'] as const) {
    for (const p of PHASES) {
      const l = f.latency[page][p];
      out(`  ${(page === 'post' ? 'post page ' : 'other page') + ' ' + (p === 'tokens' ? 'tokens+wait' : p).padEnd(11)}   ${String(l.reads).padStart(6)} ${String(l.failed).padStart(6)} ${ms(l.p50).padStart(7)} ${ms(l.p95).padStart(6)} ${ms(l.max).padStart(6)}`);
    }
  }
  const cap = Number(s.cap_bytes);
  out(
    `database: counter ${f.db.counterBytes} B, sum(size_bytes) ${f.db.sizeBytes} B, text columns ${f.db.textBytes} B, pm_comment ${f.database === 'sqlite' ? '+ indexes (dbstat)' : '(pg_total_relation_size)'} ${kib(f.db.tableBytes)}; largest comment ${f.db.largestComment} B; cap ${cap} B → ${f.db.counterBytes <= cap ? 'under the cap' : 'OVER THE CAP'}`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      comments: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '24' },
      rounds: { type: 'string', default: 'rate,size' },
      'shutoff-max': { type: 'string', default: '600' },
      'cap-kib': { type: 'string', default: '256' },
      postgres: { type: 'string' },
    },
  });
  const rounds = values.rounds.split(',').map((x) => x.trim()) as ('rate' | 'size')[];
  for (const round of rounds) {
    if (round !== 'rate' && round !== 'size') throw new Error(`--rounds: rate, size or both, not ${round}`);
    const f = await runFlood({
      round,
      comments: Number(values.comments),
      concurrency: Number(values.concurrency),
      shutoffMax: Number(values['shutoff-max']),
      capBytes: Number(values['cap-kib']) * 1024,
      minDwellSeconds: 3,
      perIpPerHour: 6,
      quietMs: 2000,
      postgres: values.postgres,
      log: (l) => console.log(l),
    });
    printReport(f);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
