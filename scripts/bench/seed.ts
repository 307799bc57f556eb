/**
 * Writes the benchmark's pages once, through the page service, into a
 * SQLite data folder that every pagemanager variant then serves. The bare
 * servers get the very bytes pm_page holds (read back from the table), in
 * pages.bin + pages.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { pageHtml } from './page-html.js';

export const BENCH_USER = { username: 'bench', password: 'bench-password-1234' };

export interface SeededPage {
  url: string;
  etag: string;
  gz: Buffer;
}

export interface Seeded {
  siteId: string;
  pages: SeededPage[];
  /** Hidden pages: served only to a logged-in visitor. */
  hidden: SeededPage[];
  /** Published blog posts (written through the blog's JSON API, so rendered and stored as any post is). */
  posts: SeededPage[];
  avgPostGzBytes: number;
  avgRawBytes: number;
  avgGzBytes: number;
  seconds: number;
}

/** The file the bare servers load: every page's URL, etag and gzipped bytes. */
export interface BareIndex {
  entries: { url: string; etag: string; offset: number; length: number }[];
}

/** A post's markdown, from the same prose as the pages: paragraphs and headings of `pageHtml(n)`. */
function postMarkdown(n: number): string {
  const html = pageHtml(n, 10_000);
  const blocks = html.match(/<(p|h2)>[^<]*<\/\1>/g) ?? [];
  return blocks.map((b) => (b.startsWith('<h2>') ? `## ${b.slice(4, -5)}` : b.slice(3, -4))).join('\n\n');
}

export async function seed(dir: string, count: number, hiddenCount: number, log: (s: string) => void, postCount = 0): Promise<Seeded> {
  const t0 = performance.now();
  const config = loadConfig({ dir, mode: 'singlesite', addr: '127.0.0.1:0', open: false }, {});
  const app = await createApp(config, { logger: false });
  try {
    const siteId = app.sites.primary().siteId;
    let raw = 0;
    const paths: string[] = [];
    for (let i = 0; i < count; i++) {
      const html = pageHtml(i);
      raw += Buffer.byteLength(html);
      const path = `/bench/page-${i}`;
      await app.pages.set(siteId, '', path, html);
      paths.push(path);
      if ((i + 1) % 2500 === 0) log(`  seeded ${i + 1}/${count}`);
    }
    const hiddenPaths: string[] = [];
    for (let i = 0; i < hiddenCount; i++) {
      const path = `/bench/private-${i}`;
      await app.pages.set(siteId, '', path, pageHtml(count + i), { hidden: true });
      hiddenPaths.push(path);
    }
    const readBack = async (url: string): Promise<SeededPage> => {
      const rec = await app.stores.pages.get(siteId, '', url);
      if (!rec?.gz || !rec.etag) throw new Error(`seeded page ${url} did not come back from pm_page`);
      return { url, etag: rec.etag, gz: rec.gz };
    };
    const pages: SeededPage[] = [];
    for (const p of paths) pages.push(await readBack(p));
    const hidden: SeededPage[] = [];
    for (const p of hiddenPaths) hidden.push(await readBack(p));

    const user = await app.stores.users.create({ siteId, username: BENCH_USER.username, name: 'Bench User', role: 'editor' });
    await app.stores.passwords.set(user.userId, BENCH_USER.password);

    const postUrls: string[] = [];
    if (postCount > 0) {
      const { token } = await app.users.createToken(user, 'bench');
      for (let i = 0; i < postCount; i++) {
        const r = await app.http.inject({
          method: 'POST',
          url: '/pm/api/posts',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ title: `Journal entry ${i}`, body: postMarkdown(count + hiddenCount + i), tags: [`tag-${i % 10}`], status: 'published' }),
        });
        if (r.statusCode !== 201) throw new Error(`publishing bench post ${i} answered ${r.statusCode}: ${r.body.slice(0, 200)}`);
        postUrls.push(r.json().post.url as string);
      }
      log(`  published ${postCount} blog posts`);
    }
    // Read back after the last one: publishing a post re-renders its neighbours' previous/next links.
    const posts: SeededPage[] = [];
    for (const p of postUrls) posts.push(await readBack(p));

    const gzTotal = pages.reduce((n, p) => n + p.gz.length, 0);
    const postGz = posts.reduce((n, p) => n + p.gz.length, 0);
    return { siteId, pages, hidden, posts, avgRawBytes: raw / count, avgGzBytes: gzTotal / count, avgPostGzBytes: posts.length ? postGz / posts.length : 0, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await app.close();
  }
}

export function writeBareData(dir: string, pages: SeededPage[]): { bin: string; index: string } {
  const bin = join(dir, 'bench-pages.bin');
  const index = join(dir, 'bench-pages.json');
  const entries: BareIndex['entries'] = [];
  let offset = 0;
  for (const p of pages) {
    entries.push({ url: p.url, etag: p.etag, offset, length: p.gz.length });
    offset += p.gz.length;
  }
  writeFileSync(bin, Buffer.concat(pages.map((p) => p.gz)));
  writeFileSync(index, JSON.stringify({ entries } satisfies BareIndex));
  return { bin, index };
}
