/**
 * RSS of `pagemanager serve` against --cache-mb (fault 10 of the hardening issue):
 *
 *   node --import tsx scripts/measure-cache-memory.ts [--pages 20000] [--requests 40000] [--cache-mb 0,8,64]
 *
 * Seeds --pages pages (~10 KB of HTML, ~3 KB gzipped each) into a temporary SQLite folder,
 * then for each --cache-mb starts a server and reads --requests random pages with gzip, then
 * as many without, printing RSS and anonymous RSS at start and at peak (MiB). Linux only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measure, seedPages } from './cache-memory/measure.js';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '20000' }, requests: { type: 'string', default: '40000' }, 'cache-mb': { type: 'string', default: '0,8,64' } } });
const dir = mkdtempSync(join(tmpdir(), 'pm-cache-mem-'));
try {
  const t0 = performance.now();
  const paths = await seedPages(dir, Number(values.pages));
  console.log(`seeded ${paths.length} pages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log('cache-mb  base RSS  peak RSS gzip  peak RSS identity  base anon  peak anon  (MiB; requests, seconds)');
  for (const mb of String(values['cache-mb']).split(',').map(Number)) {
    const s = await measure(dir, paths, mb, Number(values.requests));
    const f = (n: number) => n.toFixed(0).padStart(8);
    console.log(`${String(mb).padStart(8)}  ${f(s.baseRss)}  ${f(s.peakRssGzip)}       ${f(s.peakRssPlain)}           ${f(s.baseAnon)}   ${f(s.peakAnon)}   (${s.requests}, ${s.seconds.toFixed(1)} s)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
