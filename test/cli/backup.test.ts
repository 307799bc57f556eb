/**
 * Backup and restore through the CLI, as an owner would run them: round trips on SQLite, SQLite →
 * PostgreSQL and back, and every way an archive or a target can be wrong.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { hiddenFields, postComment, COMMENTS_TEST_CONFIG } from '../comments/post-comment.js';
import { sql } from '../../src/store/kysely.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { NO_POSTGRES, POSTGRES_URL, runCli, startServer, tempDir, tempPostgresDatabase } from './cli-helpers.js';

interface Seeded {
  urls: string[];
  token: string;
  /** Where comments are (two posts and a template page with the comments component). */
  threads: string[];
  /** The check step's fields of a comment already sent: sending them again is a replay. */
  sent: Record<string, string>;
}

const CONFIG = 'cache_mb = 32\n' + COMMENTS_TEST_CONFIG;
const SPAMMY = { name: 'Kim', website: 'http://kim-deals.xyz', body: 'Great post, thanks for sharing' };
const SPAM = { name: 'Cheap Viagra Online', website: 'http://rx-cheap-meds.top', body: 'Buy viagra online http://rx-cheap-meds.top/viagra http://rx-cheap-meds.top/cialis http://rx-cheap-meds.top/x' };

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const postForm = (t: TestApp, url: string, fields: Record<string, string>) =>
  t.app.http.inject({ method: 'POST', url, remoteAddress: '203.0.113.9', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form(fields) });

/**
 * Comments as visitors leave them, through the real form: published ones and a reply on two posts
 * and on a template page that includes the comments component, one the rules hold, one they file
 * as spam. Returns the fields of one comment's send step, to replay after a restore.
 */
async function seedComments(t: TestApp, token: string): Promise<{ threads: string[]; sent: Record<string, string> }> {
  const threads: string[] = [];
  for (const title of ['Firing the anagama', 'Ash glazes']) {
    const r = await t.app.http.inject({ method: 'POST', url: '/pm/api/posts', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ title, body: `About ${title}.`, status: 'published' }) });
    assert.equal(r.statusCode, 201, r.body);
    threads.push(r.json().post.url as string);
  }
  assert.deepEqual(await t.app.templates.save({ siteId: t.siteId, langcode: '', urlPath: '/guestbook', themeId: 'daybreak', templateName: 'post', data: { title: 'Guestbook', body: 'Say hello.' } }), { ok: true });
  threads.push('/guestbook');
  for (const [i, path] of threads.entries()) {
    const first = await postComment(t.app, path, { name: 'Reader', body: `We fired ours for four days; the ash came out green on the shoulder (${i}).` });
    assert.equal(first.status, 303, first.body.slice(0, 300));
    const parent = /#comment-(\w+)/.exec(first.location)?.[1];
    assert.ok(parent, first.location);
    assert.equal((await postComment(t.app, path, { name: 'Maya', body: `Which clay body did you use for the tall jars? (${i})`, parent })).status, 303);
    assert.equal((await postComment(t.app, path, { name: 'Sam', body: `Does this work with a gas kiln too? Mine has no flue (${i}).` })).status, 303);
  }
  assert.equal((await postComment(t.app, threads[0]!, SPAMMY)).status, 303);
  assert.equal((await postComment(t.app, threads[0]!, SPAM)).status, 303);
  // One more, by hand, keeping what was sent.
  const page = await t.app.http.inject({ url: threads[1]! });
  const fields = { name: 'Lee', email: '', website: '', body: 'The wadding recipe saved my shelves, thank you.' };
  const check = await postForm(t, '/pm-comments/check', { ...hiddenFields(page.body, '/pm-comments/check'), ...fields });
  assert.equal(check.statusCode, 200, check.body.slice(0, 300));
  const sent = { ...hiddenFields(check.body, '/pm-comments/post'), ...fields };
  assert.equal((await postForm(t, '/pm-comments/post', sent)).statusCode, 303);
  return { threads, sent };
}

/** A small site with a bit of everything: template pages, raw pages, a redirect, an alias, users, a token, an upload, a user theme, config.toml. */
async function seed(dir: string, dsn?: string): Promise<Seeded> {
  mkdirSync(join(dir, 'pm-themes/mine'), { recursive: true });
  writeFileSync(join(dir, 'pm-themes/mine/NOTES.txt'), 'my own theme, work in progress\n');
  writeFileSync(join(dir, 'config.toml'), CONFIG);
  const t = await startTestApp(dsn ? { dsn } : {}, { dir });
  try {
    const { siteId } = t;
    const urls = ['/', '/about', '/studio', '/café', '/old', '/a-propos', '/notes/2'];
    await t.app.templates.save({ siteId, langcode: '', urlPath: '/', themeId: 'daybreak', templateName: 'home', data: { heading: 'Fern & Kiln', intro: 'Stoneware *by hand*.' } });
    await t.app.templates.save({ siteId, langcode: '', urlPath: '/about', themeId: 'nightfall', templateName: 'about', data: { title: 'About', body: 'We are **two**.' } });
    await t.app.templates.save({ siteId, langcode: '', urlPath: '/studio', themeId: 'daybreak', templateName: 'about', data: { title: 'Studio', body: 'By the harbour.' } });
    await t.app.pages.set(siteId, '', '/café', '<!doctype html><title>Café</title><h1>Café ☕</h1>');
    await t.app.pages.set(siteId, '', '/notes/2', '<p>' + 'x'.repeat(20_000) + '</p>');
    await t.app.pages.redirect(siteId, '', '/old', '/about', 301);
    await t.app.pages.alias(siteId, '', '/a-propos', '/about');
    const root = await t.user('root', 'root passphrase here', 'superadmin');
    await t.user('eddie', 'eddie passphrase here', 'editor');
    const token = (await t.app.users.createToken(root, 'backup test')).token;
    await t.app.uploads.put('01TEST/photo.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]));
    const { threads, sent } = await seedComments(t, token);
    return { urls: [...urls, ...threads], token, threads, sent };
  } finally {
    await t.close();
  }
}

/** Every URL's status, location and body bytes, the row counts, the comments per status and the moderation queue, as a visitor, the stores and a moderator see them. */
async function snapshot(t: TestApp, urls: string[], token: string) {
  const pages: Record<string, string> = {};
  for (const url of urls) {
    const res = await t.app.http.inject({ url: encodeURI(url), headers: { 'accept-encoding': 'gzip' } });
    pages[url] = `${res.statusCode} ${res.headers.location ?? ''} ${res.headers.etag ?? ''} ${res.rawPayload.toString('base64')}`;
  }
  const users = (await t.app.stores.users.list(t.siteId)).map((u) => `${u.username}:${u.role}`).sort();
  const list = await t.app.pages.list(t.siteId, { limit: 1000 });
  const statuses = await t.app.db.all<{ status: string; n: number }>(sql`SELECT status, COUNT(*) AS n FROM pm_comment GROUP BY status ORDER BY status`);
  const comments = Object.fromEntries(statuses.map((r) => [r.status, Number(r.n)]));
  const queue = await t.app.http.inject({ url: '/pm/api/comments?status=held&limit=100', headers: { authorization: `Bearer ${token}` } });
  assert.equal(queue.statusCode, 200, queue.body);
  const held = (queue.json().comments as { commentId: string; name: string; body: string; page: { url: string } | null }[]).map((c) => `${c.commentId} ${c.name} ${c.page?.url} ${c.body}`);
  return { pages, users, pageRows: list.length, templates: (await t.app.templates.list(t.siteId)).length, comments, held };
}

async function openAt(dir: string, dsn?: string): Promise<TestApp> {
  return startTestApp(dsn ? { dsn } : {}, { dir });
}

async function backup(dir: string, out: string, dsn?: string) {
  const r = await runCli(['backup', '--dir', dir, ...(dsn ? ['--dsn', dsn] : []), '--out', out], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Backed up \d+ rows of \d+ tables and \d+ files to .* MiB\)\./);
  return r;
}

async function restore(file: string, dir: string, dsn?: string) {
  return runCli(['restore', file, '--dir', dir, ...(dsn ? ['--dsn', dsn] : [])], { timeoutMs: 60_000 });
}

/** The site's `pages` byte counter (pm_site_usage) and what a scan of its pages and template data finds. */
async function pagesUsage(app: Awaited<ReturnType<typeof openAt>>) {
  const one = async (q: ReturnType<typeof sql<{ n: number | string }>>) => Number((await app.app.db.get(q))?.n ?? 0);
  const html = await one(sql<{ n: number | string }>`SELECT coalesce(sum(coalesce(octet_length(gz), 0)), 0) AS n FROM pm_page WHERE site_id = ${app.siteId}`);
  const data = await one(sql<{ n: number | string }>`SELECT coalesce(sum(octet_length(data)), 0) AS n FROM pm_template_url WHERE site_id = ${app.siteId}`);
  return { counted: (await app.app.stores.usage.counted(app.siteId)).get('pages') ?? 0, scanned: html + data };
}

async function roundTrip(t: { after(fn: () => void | Promise<void>): void }, from: { dsn?: string }, to: { dsn?: string }) {
  const a = tempDir(t);
  const seeded = await seed(a, from.dsn);
  const before = await (async () => {
    const app = await openAt(a, from.dsn);
    try {
      return { ...(await snapshot(app, seeded.urls, seeded.token)), pagesUsage: await pagesUsage(app) };
    } finally {
      await app.close();
    }
  })();
  const file = join(tempDir(t), 'site.tar.gz');
  await backup(a, file, from.dsn);

  const b = join(tempDir(t), 'restored');
  const r = await restore(file, b, to.dsn);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Restored \d+ rows into \d+ tables, 1 uploads, 1 theme files and 0 plugin files and config\.toml/);

  const app = await openAt(b, to.dsn);
  try {
    const after = { ...(await snapshot(app, seeded.urls, seeded.token)), pagesUsage: await pagesUsage(app) };
    assert.deepEqual(after, before);
    // The per-site byte counter (derived) was set again from what was restored: it equals a scan.
    assert.equal(after.pagesUsage.counted, after.pagesUsage.scanned);
    assert.ok(after.pagesUsage.counted > 0);
    assert.deepEqual(before.comments, { held: 1, published: 10, spam: 1 });
    await commentsStillWork(app, seeded);
    // Passwords, tokens and uploads came along.
    const { setCookie } = await app.app.auth.login({ siteId: app.siteId, username: 'root', password: 'root passphrase here', ip: '127.0.0.1', secure: false });
    assert.match(setCookie, /pm_session_/);
    const me = await app.app.http.inject({ url: '/pm/api/me', headers: { authorization: `Bearer ${seeded.token}` } });
    assert.equal(me.statusCode, 200, me.body);
    assert.equal(me.json().user.username, 'root');
    assert.deepEqual(await app.app.uploads.get('01TEST/photo.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]));
  } finally {
    await app.close();
  }
  assert.equal(readFileSync(join(b, 'pm-themes/mine/NOTES.txt'), 'utf8'), 'my own theme, work in progress\n');
  assert.equal(readFileSync(join(b, 'config.toml'), 'utf8'), CONFIG);
}

/**
 * On the restored site: the form id baked into a stored page before the backup is still accepted
 * (the installation secret is a row of pm_key, and it came along), a token used before the backup
 * is still refused as a replay (pm_comment_nonce came along), and a new comment is published into
 * the page. The size cap's counter still equals the comments' bytes.
 */
async function commentsStillWork(app: TestApp, seeded: Seeded) {
  const replay = await postForm(app, '/pm-comments/post', seeded.sent);
  assert.equal(replay.statusCode, 409, replay.body.slice(0, 300));
  assert.match(replay.body, /PM_ERR_COMMENT_TOKEN_REPLAYED/);
  const path = seeded.threads[1]!;
  const r = await postComment(app.app, path, { name: 'New reader', body: 'Posted on the restored site, about the wadding.' });
  assert.equal(r.status, 303, r.body.slice(0, 300));
  assert.match(r.location, /#comment-\w+/);
  assert.match((await app.app.http.inject({ url: path })).body, /Posted on the restored site, about the wadding\./);
  const bytes = await app.app.db.get<{ stored: number | string; sum: number | string }>(
    sql`SELECT (SELECT stored_bytes FROM pm_comment_site WHERE site_id = ${app.siteId}) AS stored, (SELECT coalesce(sum(size_bytes), 0) FROM pm_comment WHERE site_id = ${app.siteId}) AS sum`,
  );
  assert.equal(Number(bytes?.stored), Number(bytes?.sum));
}

describe('backup and restore', () => {
  test('SQLite → SQLite: every URL answers with the same bytes; users, passwords, tokens, uploads, themes and config.toml come back', async (t) => {
    await roundTrip(t, {}, {});
  });

  test('SQLite → PostgreSQL and PostgreSQL → SQLite serve the same bytes', { skip: POSTGRES_URL ? false : NO_POSTGRES }, async (t) => {
    const pgTo = await tempPostgresDatabase(t, 'pm_restore_to');
    await roundTrip(t, {}, { dsn: pgTo });
    const pgFrom = await tempPostgresDatabase(t, 'pm_restore_from');
    await roundTrip(t, { dsn: pgFrom }, {});
  });

  test('a backup taken while the server serves and takes writes holds every write acknowledged before it began', async (t) => {
    const dir = tempDir(t);
    const seeded = await seed(dir);
    const server = await startServer(['serve', '--mode', 'singlesite', '--addr', '127.0.0.1:0', '--dir', dir, '--no-open'], { t });
    const put = (i: number) =>
      fetch(`${server.url}pm/api/pages?url=/load/${i}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${seeded.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ html: `<p>write ${i}</p>` }),
      }).then((r) => r.status);
    let acknowledged = 0;
    for (; acknowledged < 40; acknowledged++) assert.ok([200, 201].includes(await put(acknowledged)));
    // Keep writing while the backup runs.
    let writing = true;
    let during = 0;
    const writer = (async () => {
      while (writing) {
        const s = await put(1000 + during);
        assert.ok([200, 201].includes(s));
        during++;
      }
    })();
    const file = join(tempDir(t), 'live.tar.gz');
    await backup(dir, file);
    writing = false;
    await writer;
    assert.equal((await server.stop()).code, 0);

    const b = join(tempDir(t), 'restored');
    assert.equal((await restore(file, b)).code, 0);
    const app = await openAt(b);
    try {
      for (let i = 0; i < acknowledged; i++) {
        const res = await app.app.http.inject(`/load/${i}`);
        assert.equal(res.statusCode, 200, `/load/${i}`);
        assert.match(res.body, new RegExp(`write ${i}<`));
      }
    } finally {
      await app.close();
    }
  });
});

describe('restore refuses, and writes nothing', () => {
  async function makeBackup(t: { after(fn: () => void | Promise<void>): void }): Promise<string> {
    const a = tempDir(t);
    await seed(a);
    const file = join(tempDir(t), 'site.tar.gz');
    await backup(a, file);
    return file;
  }

  /** Rewrites the tar inside the gzip: `edit` gets the raw tar bytes. */
  function rewrite(file: string, edit: (tar: Buffer) => Buffer): string {
    const out = file.replace(/\.tar\.gz$/, '-edited.tar.gz');
    writeFileSync(out, gzipSync(edit(gunzipSync(readFileSync(file)))));
    return out;
  }

  async function refused(file: string, t: { after(fn: () => void | Promise<void>): void }, pattern: RegExp) {
    const b = join(tempDir(t), 'target');
    const r = await restore(file, b);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(!existsSync(join(b, 'pagemanager.db')), 'no database was created');
  }

  test('a truncated archive', async (t) => {
    const file = await makeBackup(t);
    const cut = file.replace('.tar.gz', '-cut.tar.gz');
    const bytes = readFileSync(file);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await refused(cut, t, /The backup cannot be used: .*truncated.*Nothing was restored\./);
  });

  test('a tampered entry (its checksum no longer matches)', async (t) => {
    const file = await makeBackup(t);
    const edited = rewrite(file, (tar) => {
      const s = tar.toString('latin1');
      const i = s.indexOf('root');
      assert.ok(i > 0);
      const b = Buffer.from(tar);
      b.write('r00t', i, 'latin1');
      return b;
    });
    await refused(edited, t, /does not match its checksum/);
  });

  test('an archive from a newer pagemanager', async (t) => {
    const file = await makeBackup(t);
    const edited = rewrite(file, (tar) => {
      const s = tar.toString('latin1');
      const i = s.indexOf('"schema": {');
      assert.ok(i > 0);
      const at = s.indexOf('"core": ', i);
      const b = Buffer.from(tar);
      // Same length: the tar header's size stays right.
      const old = /"core": (\d+)/.exec(s.slice(at))![0];
      b.write(('"core": ' + '9'.repeat(old.length - 8)).padEnd(old.length), at, 'latin1');
      return b;
    });
    await refused(edited, t, /made by a newer pagemanager .*the core schema version 9+ is newer than this program knows/);
  });

  test('a file that is not a backup, and a missing file', async (t) => {
    const bogus = join(tempDir(t), 'bogus.tar.gz');
    writeFileSync(bogus, gzipSync('hello'));
    await refused(bogus, t, /cannot be used/);
    await refused(join(tempDir(t), 'nope.tar.gz'), t, /there is no file/);
  });

  test('a target that already holds a site', async (t) => {
    const file = await makeBackup(t);
    const b = tempDir(t);
    await seed(b);
    const before = statSync(join(b, 'pagemanager.db')).mtimeMs;
    const r = await restore(file, b);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /already holds a site; restore onto an empty data folder or database/);
    assert.equal(statSync(join(b, 'pagemanager.db')).mtimeMs, before);
    assert.deepEqual(readdirSync(join(b, 'pm-uploads')), ['01TEST']);
  });

  test('backup: no site in the folder, and an --out that exists, are one line each', async (t) => {
    const dir = tempDir(t);
    const r = await runCli(['backup', '--dir', join(dir, 'none'), '--out', join(dir, 'x.tar.gz')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /there is no site in/);
    const a = tempDir(t);
    await seed(a);
    writeFileSync(join(dir, 'taken.tar.gz'), 'x');
    const again = await runCli(['backup', '--dir', a, '--out', join(dir, 'taken.tar.gz')]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /already exists/);
    assert.equal(readFileSync(join(dir, 'taken.tar.gz'), 'utf8'), 'x');
  });
});

describe('backup onto a full disk', () => {
  test('fails with one line, removes the partial file, and leaves the site as it was', async (t) => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const mnt = mkdtempSync(join(tmpdir(), 'pm-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      rmSync(mnt, { recursive: true, force: true });
      t.skip('cannot mount a small tmpfs here (needs root): the full-disk case is not run');
      return;
    }
    t.after(() => {
      execFileSync('umount', [mnt], { stdio: 'ignore' });
      rmSync(mnt, { recursive: true, force: true });
    });
    const dir = tempDir(t);
    await seed(dir);
    const big = await startTestApp({}, { dir });
    try {
      // Random bytes do not compress: the archive cannot fit in 256 KiB.
      await big.app.uploads.put('01BIG/noise.bin', (await import('node:crypto')).randomBytes(600_000));
    } finally {
      await big.close();
    }
    const r = await runCli(['backup', '--dir', dir, '--out', join(mnt, 'site.tar.gz')], { timeoutMs: 60_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /the disk is full; the partial backup was removed and the site is untouched/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.deepEqual(readdirSync(mnt), []);
    const app = await openAt(dir);
    try {
      assert.equal((await app.app.http.inject('/about')).statusCode, 200);
    } finally {
      await app.close();
    }
  });
});
