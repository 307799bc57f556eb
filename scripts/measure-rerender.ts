/**
 * How long re-rendering a site of N pages takes on a menu change (and on a
 * theme switch, `--what theme`), and whether visitors kept being answered
 * meanwhile: a separate process keeps GETting stored pages during the work.
 *
 *   node --import tsx scripts/measure-rerender.ts [--pages 1000] [--posts 0] [--what menu|theme|both]
 *
 * With --posts, that many published blog posts too (through the posts API): a
 * menu change then renders their stored pages (and the first index, tag and
 * author pages) as well, through the blog's server.menus.onChange listener.
 *
 * SQLite in a temporary folder, the server on a real port, the default cache.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app/create-app.js';
import { loadConfig } from '../src/config/load-config.js';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '1000' }, posts: { type: 'string', default: '0' }, what: { type: 'string', default: 'both' } } });
const N = Number(values.pages);
const POSTS = Number(values.posts);
const dir = mkdtempSync(join(tmpdir(), 'pm-rerender-'));
const app = await createApp(loadConfig({ dir, mode: 'singlesite', addr: '127.0.0.1:0', open: false }, {}), { logger: false });
const siteId = app.sites.primary().siteId;
const templates = ['about', 'gallery', 'contact', 'talks'];
const t0 = performance.now();
for (let i = 0; i < N - 1; i++) {
  const templateName = templates[i % templates.length];
  await app.templates.save({ siteId, langcode: '', urlPath: `/page-${i}`, themeId: 'daybreak', templateName, data: { title: `Page ${i}`, body: `Some **words** on page ${i}.` } });
}
console.log(`seeded ${N} pages (welcome page included) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (POSTS > 0) {
  const t1 = performance.now();
  const writer = await app.stores.users.create({ siteId, username: 'writer', role: 'editor', name: 'Writer' });
  const token = (await app.users.createToken(writer, 'measure')).token;
  for (let i = 0; i < POSTS; i++) {
    const r = await app.http.inject({ method: 'POST', url: '/pm/api/posts', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ title: `Post ${i}`, slug: `post-${i}`, body: `Words of post ${i}.`, tags: [`tag-${i % 10}`], status: 'published' }) });
    if (r.statusCode !== 201) throw new Error(r.body);
  }
  console.log(`seeded ${POSTS} blog posts in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
}
const { url } = await app.listen();

async function measure(label: string, work: () => Promise<number>): Promise<void> {
  const paths = ['/', '/page-1', '/page-2', '/page-500', '/page-998'].join(',');
  const load = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./rerender/load.ts', import.meta.url)), '--base', url, '--paths', paths], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  load.stdout.on('data', (d) => (out += d));
  await new Promise((r) => setTimeout(r, 1500)); // the loader's tsx start, then a steady state
  const start = performance.now();
  const n = await work();
  const ms = performance.now() - start;
  load.stdin.end('stop');
  await new Promise((r) => load.on('close', r));
  const stats = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number>;
  console.log(`${label}: ${n} pages rendered again in ${(ms / 1000).toFixed(2)} s (${(ms / n).toFixed(2)} ms a page)`);
  console.log(`  meanwhile (and 1.5 s before): ${stats.answered} requests answered, ${stats.errors} errors, ${stats.non200} not 200; latency p50 ${stats.p50} ms, p99 ${stats.p99} ms, max ${stats.max} ms; longest time without an answer ${stats.longestSilenceMs} ms`);
}

if (values.what !== 'theme') {
  await measure('menu change', async () => {
    const r = await app.menus.save(siteId, '', 'primary', [{ label: 'Home', page: '/', url: '', nested: false }, { label: 'About', page: '/page-0', url: '', nested: false }]);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const page = await app.http.inject({ url: '/page-998' });
    if (!page.body.includes('href="/page-0">About</a>')) throw new Error('/page-998 does not show the new menu');
    if (POSTS > 0 && !(await app.http.inject({ url: '/blog/post-0' })).body.includes('href="/page-0">About</a>')) throw new Error('/blog/post-0 does not show the new menu');
    const posts = r.rerendered.filter((p) => p.urlPath.startsWith('/blog')).length;
    if (POSTS > 0) console.log(`  of which blog pages: ${posts}`);
    return r.rerendered.length;
  });
}
if (values.what !== 'menu') {
  await measure('theme switch to nightfall', async () => {
    const r = await app.siteThemes.apply(siteId, 'nightfall');
    const page = await app.http.inject({ url: '/page-998' });
    if (!page.body.includes('/pm-themes/nightfall/')) throw new Error('/page-998 is not in nightfall');
    return r.rerendered.length;
  });
  await measure('and back to daybreak', async () => (await app.siteThemes.apply(siteId, 'daybreak')).rerendered.length);
}
await app.close();
rmSync(dir, { recursive: true, force: true });
