/**
 * Scheduled posts go out at their time with nobody visiting; one that came
 * due while the server was stopped goes out at start; with two instances on
 * one PostgreSQL database each post is published exactly once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DIALECTS, POSTGRES_URL } from '../helpers/dialects.js';
import { dropSchema, forEachBlog, startBlogFixture } from './blog-fixture.js';

async function until(cond: () => Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(50);
  }
}

forEachBlog('a post scheduled a moment ahead is published with no request sent', async (f) => {
  const at = new Date(Date.now() + 1500).toISOString();
  const r = await f.api('editor', 'POST', '/pm/api/posts', { title: 'On the hour', body: 'Punctual.', tags: ['news'], status: 'scheduled', publishAt: at });
  assert.equal(r.statusCode, 201, r.body);
  assert.equal(r.json().post.status, 'scheduled');
  assert.equal((await f.visit('/blog/on-the-hour')).statusCode, 404, 'not before its time');
  assert.doesNotMatch((await f.visit('/blog')).body, /On the hour/);
  // No request from here on: only the page store is read, as the request path would.
  await until(async () => (await f.t.app.pages.get(f.siteId, '', '/blog/on-the-hour')) !== undefined);
  // The post's own page is written first; the job ends once the listings are too.
  await until(async () => (await f.t.app.jobs.get('blog.publish', r.json().post.postId)) === undefined);
  assert.ok(Date.now() >= Date.parse(at));
  const post = (await f.api('editor', 'GET', `/pm/api/posts/${r.json().post.postId}`)).json().post;
  assert.equal(post.status, 'published');
  assert.equal(post.publishAt, at);
  assert.match((await f.visit('/blog')).body, /On the hour/);
  assert.match((await f.visit('/blog/tag/news')).body, /On the hour/);
  // Rescheduling and unscheduling move or drop the job.
  const later = await f.api('editor', 'POST', '/pm/api/posts', { title: 'Later', status: 'scheduled', publishAt: new Date(Date.now() + 3_600_000).toISOString() });
  assert.equal((await f.t.app.jobs.get('blog.publish', later.json().post.postId))?.status, 'pending');
  await f.api('editor', 'PATCH', `/pm/api/posts/${later.json().post.postId}`, { status: 'draft' });
  assert.equal(await f.t.app.jobs.get('blog.publish', later.json().post.postId), undefined);
});

for (const d of DIALECTS) {
  test(`a post that came due while the server was stopped is published at start [${d.name}]`, { skip: d.skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-blog-restart-'));
    const first = await startBlogFixture(d.name, { dir, schema: d.name === 'postgres' ? `pm_blog_restart_${process.pid}` : undefined });
    let second: Awaited<ReturnType<typeof startBlogFixture>> | undefined;
    try {
      const r = await first.api('editor', 'POST', '/pm/api/posts', { title: 'While you slept', status: 'scheduled', publishAt: new Date(Date.now() + 800).toISOString() });
      assert.equal(r.statusCode, 201, r.body);
      await first.t.app.close();
      await sleep(1200);
      second = await startBlogFixture(d.name, { dir, schema: first.schema });
      // Straight after start, before any request.
      assert.ok(await second.t.app.pages.get(second.siteId, '', '/blog/while-you-slept'), 'published during start');
      assert.equal((await second.visit('/blog/while-you-slept')).statusCode, 200);
    } finally {
      await second?.t.app.close();
      if (first.schema) await dropSchema(first.schema);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('two instances on one PostgreSQL database publish each scheduled post once', { skip: POSTGRES_URL ? false : 'PM_TEST_POSTGRES_URL is not set' }, async () => {
  const schema = `pm_blog_two_${process.pid}`;
  const logA: string[] = [];
  const logB: string[] = [];
  const a = await startBlogFixture('postgres', { schema, logLines: logA });
  const b = await startBlogFixture('postgres', { schema, logLines: logB });
  try {
    for (let i = 0; i < 6; i++) {
      // Each a moment ahead of its creation (a loaded machine may take a while to make six).
      const at = new Date(Date.now() + 1500).toISOString();
      const r = await (i % 2 ? b : a).api('editor', 'POST', '/pm/api/posts', { title: `Due ${i}`, status: 'scheduled', publishAt: at });
      assert.equal(r.statusCode, 201, r.body);
    }
    await until(async () => {
      for (let i = 0; i < 6; i++) if (!(await a.t.app.pages.get(a.siteId, '', `/blog/due-${i}`))) return false;
      return true;
    }, 30_000);
    await sleep(500);
    // Each instance logs every post it published; together they published each post once.
    const published = (lines: string[]) => lines.map((l) => JSON.parse(l) as { msg: string; path?: string }).filter((l) => l.msg === 'published a scheduled post').map((l) => l.path!);
    const all = [...published(logA), ...published(logB)].sort();
    const problems = [...logA, ...logB].filter((l) => /"level":50|"msg":"job /.test(l)).map((l) => l.slice(0, 400));
    assert.deepEqual(all, [0, 1, 2, 3, 4, 5].map((i) => `/blog/due-${i}`), `a: ${published(logA).join(' ')}; b: ${published(logB).join(' ')}; problems: ${problems.join('\n')}`);
    assert.deepEqual(problems, []);
  } finally {
    await a.t.app.close();
    await b.t.app.close();
    await dropSchema(schema);
  }
});
