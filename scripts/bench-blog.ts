/**
 * The blog's figures: search latency (p50/p95) over many generated posts, and
 * the time to publish one post on a blog that already has thousands, on
 * SQLite and (with PM_TEST_POSTGRES_URL or --dsn) on PostgreSQL. Each run
 * starts a real app (all built-in plugins) in a temporary data folder and
 * talks to it through app.http.inject, the request path without a socket.
 *
 *   node --import tsx scripts/bench-blog.ts [--search-posts 100000] [--publish-posts 10000] [--queries 300] [--publishes 20] [--only sqlite|postgres]
 */
import { sql } from '../src/store/kysely.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ulid } from 'ulid';
import { createApp, type App } from '../src/app/create-app.js';
import { loadConfig } from '../src/config/load-config.js';
import { openDb } from '../src/store/open-db.js';

const { values: flags } = parseArgs({
  options: {
    'search-posts': { type: 'string', default: '100000' },
    'publish-posts': { type: 'string', default: '10000' },
    queries: { type: 'string', default: '300' },
    publishes: { type: 'string', default: '20' },
    only: { type: 'string' },
    dsn: { type: 'string' },
  },
});
const pgUrl = flags.dsn ?? process.env.PM_TEST_POSTGRES_URL;

// A vocabulary with a long tail, so queries hit few or many posts as real words do.
const WORDS = Array.from({ length: 3000 }, (_, i) => {
  const syl = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'so', 'vi', 'de', 'fa', 'gu', 'pe', 'zo', 'ba', 'ci'];
  let w = '';
  let n = i + 7;
  do {
    w += syl[n % syl.length];
    n = Math.floor(n / syl.length);
  } while (n > 0);
  return w;
});
let seedState = 42;
const rand = () => ((seedState = (seedState * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const word = () => WORDS[Math.floor(rand() ** 2 * WORDS.length)];
const sentence = (n: number) => Array.from({ length: n }, word).join(' ');

interface Run {
  app: App;
  token: string;
  close(): Promise<void>;
}

async function start(kind: 'sqlite' | 'postgres'): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'pm-bench-blog-'));
  const schema = kind === 'postgres' ? `pm_bench_blog_${randomBytes(4).toString('hex')}` : undefined;
  const config = loadConfig({ mode: 'singlesite', addr: '127.0.0.1:0', open: false, dir, ...(kind === 'postgres' ? { dsn: pgUrl } : {}) }, {});
  const app = await createApp(config, { logger: false, dbSchema: schema });
  const site = app.sites.primary().siteId;
  const user = await app.stores.users.create({ siteId: site, username: 'bench', name: 'Bench', role: 'editor' });
  const { token } = await app.users.createToken(user, 'bench');
  return {
    app,
    token,
    async close() {
      await app.close();
      if (schema) {
        const db = await openDb(pgUrl!, { schema });
        await db.execScript(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await db.close();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Published posts straight into the tables, oldest first, in batches (the fan-out is not what is measured here). */
async function seedPosts(r: Run, n: number): Promise<void> {
  const db = r.app.db;
  const site = r.app.sites.primary().siteId;
  const userId = (await r.app.stores.users.getByUsername(site, 'bench'))!.userId;
  const t0 = Date.now() - n * 60_000 - 3_600_000;
  const BATCH = 500;
  for (let start = 0; start < n; start += BATCH) {
    await db.transaction(async (tx) => {
      const posts: unknown[] = [];
      const tags: unknown[] = [];
      const authors: unknown[] = [];
      const count = Math.min(BATCH, n - start);
      for (let i = start; i < start + count; i++) {
        const id = ulid(t0 + i * 60_000);
        const body = `${sentence(60)}.\n\n${sentence(50)}.\n\n${sentence(40)}.`;
        posts.push(id, site, '', `post-${i}`, `${sentence(5)} ${i}`, body, '', '', '', 'published', t0 + i * 60_000, '', '', 0, id, 150, body.slice(0, 200), t0, t0);
        const t1 = `tag-${i % 50}`;
        const t2 = `tag-${(i * 7) % 50}`;
        tags.push(id, site, '', t1, t1, 0, 'published', t0 + i * 60_000);
        if (t2 !== t1) tags.push(id, site, '', t2, t2, 1, 'published', t0 + i * 60_000);
        authors.push(id, userId, 0, site, '', 'published', t0 + i * 60_000);
      }
      const rows = (values: unknown[], width: number) => sql.join(Array.from({ length: values.length / width }, (_, i) => sql`(${sql.join(values.slice(i * width, (i + 1) * width))})`));
      await tx.run(
        sql`INSERT INTO pm_blog_post (post_id, site_id, langcode, slug, title, body, excerpt, cover, cover_alt, status, publish_at, seo_title, seo_description, noindex, translation_group, words, summary, created_at, updated_at) VALUES ${rows(posts, 19)}`,
      );
      await tx.run(sql`INSERT INTO pm_blog_tag (post_id, site_id, langcode, tag_slug, tag_name, position, status, publish_at) VALUES ${rows(tags, 8)}`);
      await tx.run(sql`INSERT INTO pm_blog_author (post_id, user_id, position, site_id, langcode, status, publish_at) VALUES ${rows(authors, 7)}`);
    });
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function benchSearch(kind: 'sqlite' | 'postgres', n: number, queries: number): Promise<string> {
  const r = await start(kind);
  try {
    const t0 = performance.now();
    await seedPosts(r, n);
    const seeded = performance.now() - t0;
    // The posts went straight into the tables, so the first search fills the index from them
    // (as after an upgrade or a restore): timed on its own, not among the queries.
    const f0 = performance.now();
    const first = await r.app.http.inject({ url: `/pm/api/posts/search?q=${encodeURIComponent(word())}`, headers: { authorization: `Bearer ${r.token}` } });
    if (first.statusCode !== 200) throw new Error(`search answered ${first.statusCode}: ${first.body.slice(0, 200)}`);
    const filled = performance.now() - f0;
    const times: number[] = [];
    const cpu: number[] = [];
    let hits = 0;
    for (let i = 0; i < queries + 20; i++) {
      const q = rand() < 0.5 ? word() : `${word()} ${word()}`;
      const c = process.cpuUsage();
      const a = performance.now();
      const res = await r.app.http.inject({ url: `/pm/api/posts/search?q=${encodeURIComponent(q)}`, headers: { authorization: `Bearer ${r.token}` } });
      const d = performance.now() - a;
      const used = process.cpuUsage(c);
      if (res.statusCode !== 200) throw new Error(`search answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
      if (i >= 20) (times.push(d), cpu.push((used.user + used.system) / 1000), (hits += res.json().results.length));
    }
    // The store's search alone, the same kind of queries: what the index costs without the request around it.
    const idx = await r.app.db.createSearchIndex('blog_post');
    const scope = `${r.app.sites.primary().siteId}/`;
    const storeCpu: number[] = [];
    for (let i = 0; i < queries; i++) {
      const q = rand() < 0.5 ? word() : `${word()} ${word()}`;
      const c = process.cpuUsage();
      await idx.search(q, { siteId: scope, limit: 20 });
      const used = process.cpuUsage(c);
      storeCpu.push((used.user + used.system) / 1000);
    }
    return `${kind}: search over ${n} posts (seeded in ${(seeded / 1000).toFixed(1)} s, index filled by the first search in ${(filled / 1000).toFixed(1)} s), ${queries} queries of 1–2 words: wall p50 ${ms(pct(times, 50))}, p95 ${ms(pct(times, 95))}, max ${ms(Math.max(...times))}; CPU p50 ${ms(pct(cpu, 50))}, p95 ${ms(pct(cpu, 95))}; ${(hits / queries).toFixed(1)} results a query; the store's search() alone: CPU p50 ${ms(pct(storeCpu, 50))}, p95 ${ms(pct(storeCpu, 95))}`;
  } finally {
    await r.close();
  }
}

async function benchPublish(kind: 'sqlite' | 'postgres', n: number, publishes: number): Promise<string> {
  const r = await start(kind);
  try {
    await seedPosts(r, n);
    const times: number[] = [];
    const cpu: number[] = [];
    let pages = 0;
    for (let i = 0; i < publishes + 3; i++) {
      const c = process.cpuUsage();
      const a = performance.now();
      const res = await r.app.http.inject({
        method: 'POST',
        url: '/pm/api/posts',
        headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ title: `New post ${i}`, body: `${sentence(80)}.\n\n${sentence(80)}.`, tags: [`tag-${i % 50}`, 'fresh'], status: 'published' }),
      });
      const d = performance.now() - a;
      const used = process.cpuUsage(c);
      if (res.statusCode !== 201) throw new Error(`publish answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
      // Every affected page shows it on the next view.
      const url = res.json().post.url as string;
      for (const check of [url, '/blog', '/blog/tag/fresh']) {
        const v = await r.app.http.inject({ url: check });
        if (v.statusCode !== 200 || !v.body.includes(`New post ${i}`)) throw new Error(`${check} does not show the new post`);
      }
      if (i >= 3) (times.push(d), cpu.push((used.user + used.system) / 1000), (pages += res.json().rendered.length));
    }
    // CPU time of this process (app and PostgreSQL client; not the PostgreSQL server): what the wall time would be on an idle core.
    return `${kind}: publishing one post on a blog of ${n} (request to answer, fan-out included), ${publishes} posts: wall p50 ${ms(pct(times, 50))}, max ${ms(Math.max(...times))}; CPU p50 ${ms(pct(cpu, 50))}; ${(pages / publishes).toFixed(1)} pages rendered each`;
  } finally {
    await r.close();
  }
}

console.log(`load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} cores`);
const kinds = (['sqlite', 'postgres'] as const).filter((k) => (!flags.only || flags.only === k) && (k === 'sqlite' || pgUrl));
const lines: string[] = [];
for (const k of kinds) {
  lines.push(await benchPublish(k, Number(flags['publish-posts']), Number(flags.publishes)));
  console.log(lines.at(-1));
  lines.push(await benchSearch(k, Number(flags['search-posts']), Number(flags.queries)));
  console.log(lines.at(-1));
}
if (!pgUrl) console.log('(PostgreSQL skipped: set PM_TEST_POSTGRES_URL or pass --dsn)');
