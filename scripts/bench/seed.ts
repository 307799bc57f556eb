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
  avgRawBytes: number;
  avgGzBytes: number;
  seconds: number;
}

/** The file the bare servers load: every page's URL, etag and gzipped bytes. */
export interface BareIndex {
  entries: { url: string; etag: string; offset: number; length: number }[];
}

export async function seed(dir: string, count: number, hiddenCount: number, log: (s: string) => void): Promise<Seeded> {
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

    const gzTotal = pages.reduce((n, p) => n + p.gz.length, 0);
    return { siteId, pages, hidden, avgRawBytes: raw / count, avgGzBytes: gzTotal / count, seconds: (performance.now() - t0) / 1000 };
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
