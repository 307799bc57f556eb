/**
 * Backup and restore of a seeded site, measured: 500 template pages, 200 published posts with
 * three comments each (two and a reply, sent through the real comment form), 100 uploads of
 * ~200 KB, users, tokens, redirects and a user theme. A `serve` process takes a page
 * write every few milliseconds through the JSON API while `pagemanager backup` runs; the longest
 * write before and during the backup is the stall. Then the archive is restored onto an empty
 * folder (and onto PostgreSQL when PM_TEST_POSTGRES_URL is set).
 *
 * Usage: node --import tsx scripts/measure-backup.ts
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from '../src/app/create-app.js';
import { loadConfig } from '../src/config/load-config.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(ROOT, 'bin/pagemanager.js');
const dir = mkdtempSync(join(tmpdir(), 'pm-measure-backup-'));
const env = { ...process.env, PM_NO_OPEN: '1' };

/** The hidden fields of the first form in `html` posting to `action`. */
function hidden(html: string, action: string): Record<string, string> {
  const form = (html.match(/<form\b[^>]*>[\s\S]*?<\/form>/g) ?? []).find((f) => f.includes(`action="${action}"`) && !f.includes('name="start"'));
  if (!form) throw new Error(`no form posting to ${action}`);
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]!] = m[2]!.replace(/&amp;/g, '&');
  return out;
}

/** One comment the way a visitor sends it: the page's form, the check step, then "Send". Returns its id. */
async function comment(app: App, path: string, fields: Record<string, string>): Promise<string> {
  const post = (url: string, f: Record<string, string>) =>
    app.http.inject({ method: 'POST', url, remoteAddress: '203.0.113.7', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(f).toString() });
  const all = { email: '', website: '', parent: '', ...fields };
  const check = await post('/pm-comments/check', { ...hidden((await app.http.inject({ url: path })).body, '/pm-comments/check'), ...all });
  if (check.statusCode !== 200) throw new Error(`comment on ${path}: check ${check.statusCode}`);
  const sent = await post('/pm-comments/post', { ...hidden(check.body, '/pm-comments/post'), ...all });
  const id = /#comment-(\w+)/.exec(String(sent.headers.location ?? ''))?.[1];
  if (sent.statusCode !== 303 || !id) throw new Error(`comment on ${path}: ${sent.statusCode} ${sent.headers.location}`);
  return id;
}

let comments = 0;

async function seed(): Promise<string> {
  mkdirSync(join(dir, 'pm-themes/mine'), { recursive: true });
  writeFileSync(join(dir, 'pm-themes/mine/NOTES.txt'), 'a theme in progress\n');
  // Comments sent by a script: no dwell time, the limits out of the way.
  writeFileSync(join(dir, 'config.toml'), '[plugins.comments]\nmin_dwell_seconds = 0\nper_ip_per_hour = 10000\nper_page_per_hour = 100000\nshutoff_max = 1000000\n');
  const app = await createApp(loadConfig({ dir, mode: 'singlesite', addr: '127.0.0.1:0', open: false }, {}), { logger: false, background: false });
  try {
    const siteId = app.sites.primary().siteId;
    const root = await app.stores.users.create({ siteId, username: 'root', name: 'Root', role: 'superadmin' });
    await app.stores.passwords.set(root.userId, 'a long root passphrase');
    for (let i = 0; i < 5; i++) await app.stores.users.create({ siteId, username: `editor${i}`, name: `Editor ${i}`, role: 'editor' });
    const token = (await app.users.createToken(root, 'measure')).token;
    const about = await app.themes.getTemplate('daybreak', 'about');
    for (let i = 0; i < 500; i++) {
      await app.templates.save({ siteId, langcode: '', urlPath: `/page-${i}`, themeId: 'daybreak', templateName: 'about', data: { ...(about.sample as object), title: `Page ${i}` } });
    }
    for (let i = 0; i < 20; i++) await app.pages.redirect(siteId, '', `/old-${i}`, `/page-${i}`, 301);
    for (let i = 0; i < 100; i++) await app.uploads.put(`01MEASURE${String(i).padStart(3, '0')}/photo.jpg`, randomBytes(200_000));
    for (let i = 0; i < 200; i++) {
      const res = await app.http.inject({
        method: 'POST',
        url: '/pm/api/posts',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ title: `Post number ${i}`, body: `Some **words** about firing, number ${i}.\n\n`.repeat(20), tags: [`tag${i % 7}`], status: 'published' }),
      });
      if (res.statusCode >= 300) throw new Error(`post ${i}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      const url = (JSON.parse(res.body) as { post: { url: string } }).post.url;
      const first = await comment(app, url, { name: 'Reader', body: `We fired ours for four days; the ash came out green on the shoulder of jar ${i}.` });
      await comment(app, url, { name: 'Maya', body: `Which clay body did you use for the tall jars in post ${i}?`, parent: first });
      await comment(app, url, { name: 'Sam', body: `Does this work with a gas kiln too? Mine has no flue to speak of (${i}).` });
      comments += 3;
    }
    return token;
  } finally {
    await app.close();
  }
}

function timed(args: string[]): number {
  const t0 = performance.now();
  execFileSync(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const token = await seed();
  console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s: 500 pages, 200 posts with ${comments} comments, 100 uploads of 200 KB, 6 users, 20 redirects`);

  const server = spawn(process.execPath, [BIN, 'serve', '--mode', 'singlesite', '--addr', '127.0.0.1:0', '--dir', dir, '--no-open'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((res, rej) => {
    let out = '';
    server.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /is running at (http:\/\/\S+)/.exec(out);
      if (m) res(m[1]!);
    });
    server.on('exit', () => rej(new Error(`serve exited: ${out}`)));
  });
  let phase: 'before' | 'during' | 'after' = 'before';
  const worst = { before: 0, during: 0, after: 0 };
  const count = { before: 0, during: 0, after: 0 };
  let stop = false;
  const writer = (async () => {
    for (let i = 0; !stop; i++) {
      const t = performance.now();
      const r = await fetch(`${url}pm/api/pages?url=/load/${i}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ html: `<p>${i}</p>` }) });
      await r.arrayBuffer();
      if (r.status >= 300) throw new Error(`write ${i}: ${r.status}`);
      const ms = performance.now() - t;
      worst[phase] = Math.max(worst[phase], ms);
      count[phase]++;
      await new Promise((res) => setTimeout(res, 5));
    }
  })();
  await new Promise((res) => setTimeout(res, 2000));
  phase = 'during';
  const file = join(dir, '..', `measure-${process.pid}.tar.gz`);
  const backupMs = await new Promise<number>((res, rej) => {
    const t = performance.now();
    const c = spawn(process.execPath, [BIN, 'backup', '--dir', dir, '--out', file], { env, stdio: 'ignore' });
    c.on('exit', (code) => (code === 0 ? res(performance.now() - t) : rej(new Error(`backup exited ${code}`))));
  });
  phase = 'after';
  await new Promise((res) => setTimeout(res, 1000));
  stop = true;
  await writer;
  server.kill('SIGTERM');
  await new Promise((res) => server.on('exit', res));
  const size = statSync(file).size;
  console.log(`backup while serving: ${(backupMs / 1000).toFixed(2)} s (process start included), ${(size / 1024 / 1024).toFixed(1)} MiB`);
  console.log(`longest page write: before ${worst.before.toFixed(0)} ms (${count.before} writes), during the backup ${worst.during.toFixed(0)} ms (${count.during} writes), after ${worst.after.toFixed(0)} ms`);

  const target = join(dir, '..', `measure-restore-${process.pid}`);
  const restoreMs = timed(['restore', file, '--dir', target]);
  console.log(`restore onto an empty folder (SQLite): ${(restoreMs / 1000).toFixed(2)} s`);
  const pgBase = process.env.PM_TEST_POSTGRES_URL;
  if (pgBase) {
    const name = `pm_measure_${process.pid}`;
    execFileSync('psql', [pgBase, '-qc', `CREATE DATABASE ${name}`]);
    try {
      const pg = pgBase.replace(/\/[^/]*$/, `/${name}`);
      const ms = timed(['restore', file, '--dir', `${target}-pg`, '--dsn', pg]);
      console.log(`restore onto an empty PostgreSQL database: ${(ms / 1000).toFixed(2)} s`);
    } finally {
      execFileSync('psql', [pgBase, '-qc', `DROP DATABASE ${name} WITH (FORCE)`]);
      rmSync(`${target}-pg`, { recursive: true, force: true });
    }
  }
  rmSync(target, { recursive: true, force: true });
  rmSync(file, { force: true });
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
