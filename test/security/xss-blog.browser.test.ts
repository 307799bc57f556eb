/**
 * The stored-XSS corpus through blog posts: every field an author (the least
 * trusted role that writes posts) can fill — title, body (markdown), excerpt,
 * tags, cover description, search title and description — one post per
 * vector, all published. Rendered in Chromium as a superadmin would see them:
 * each post's page, the index, tag pages, search, the Atom and RSS feeds (an
 * XML document runs XHTML script too), and the dashboard's post list, editor
 * and preview. Same checks as xss-corpus.browser.test.ts (see xss-browser.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { BROWSER_SKIP, harnessPlugin, openXssBrowser, type Loaded, type XssBrowser } from './xss-browser.js';
import type { Vector } from './xss-fields.js';

const VECTORS: Vector[] = JSON.parse(readFileSync(new URL('./xss-vectors.json', import.meta.url), 'utf8'));
const FRAMES_PER_LOAD = 16;

describe('stored XSS through blog posts, rendered in Chromium', { skip: BROWSER_SKIP }, () => {
  let t: TestApp;
  let b: XssBrowser;
  let author: { cookie: string; csrf: string };
  const findings: string[] = [];
  const posts: { postId: string; url: string; tags: string[] }[] = [];
  let documents = 0;
  let refusedFields = 0;
  const started = Date.now();

  const check = (loaded: Loaded, what: string) => {
    findings.push(...loaded.findings.map((f) => `[${what}] ${f}`));
    for (const [url, csp] of loaded.csp) {
      documents++;
      if (!csp && !/\.xml$/.test(url.split('?')[0])) findings.push(`[${what}] ${url}: no Content-Security-Policy header`);
      else if (/script-src[^;]*'unsafe-inline'/.test(csp)) findings.push(`[${what}] ${url}: the policy allows inline script: ${csp}`);
    }
  };

  before(async () => {
    t = await startTestApp({}, { extraPlugins: [harnessPlugin] });
    await t.user('root', 'root passphrase here', 'superadmin');
    await t.user('writer', 'writer passphrase here', 'author');
    const cookie = await t.login('writer', 'writer passphrase here');
    author = { cookie, csrf: (await t.app.http.inject({ url: '/pm/api/me', headers: { cookie } })).json().csrfToken };
    const { url } = await t.app.listen();
    b = await openXssBrowser(url, await t.login('root', 'root passphrase here'));
  });

  after(async () => {
    await b?.close();
    await t?.close();
    console.log(`# XSS through blog posts: ${VECTORS.length} posts, ${refusedFields} fields refused by validation, ${documents} documents rendered, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  test('an author publishes one post per vector, every field carrying it', async () => {
    const api = (method: string, url: string, body: unknown) =>
      t.app.http.inject({ method: method as 'POST', url, headers: { cookie: author.cookie, 'x-csrf-token': author.csrf, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    for (const v of VECTORS) {
      const p = v.payload;
      const body: Record<string, unknown> = {
        title: p.slice(0, 200) + ` #${v.id}`,
        body: `Before.\n\n${p}\n\nAfter. ${VECTORS[(v.id * 7) % VECTORS.length].payload}`,
        excerpt: p.slice(0, 500),
        tags: [p.slice(0, 45) + ` t${v.id}`, `plain${v.id % 5}`],
        coverAlt: p.slice(0, 300),
        seoTitle: p.slice(0, 200),
        seoDescription: p.slice(0, 320),
        status: 'published',
      };
      let r = await api('POST', '/pm/api/posts', body);
      for (let attempt = 0; r.statusCode === 422 && attempt < 2; attempt++) {
        const fields = (r.json().fields ?? {}) as Record<string, string>;
        refusedFields += Object.keys(fields).length;
        for (const k of Object.keys(fields)) body[k] = k === 'tags' ? [`tag${v.id}`] : k === 'title' ? `Post ${v.id}` : '';
        r = await api('POST', '/pm/api/posts', body);
      }
      assert.equal(r.statusCode, 201, `vector ${v.id}: ${r.body.slice(0, 300)}`);
      const post = r.json().post as { postId: string; url: string; tags?: (string | { slug?: string; name?: string })[] };
      posts.push({ postId: post.postId, url: post.url, tags: (post.tags ?? []).map((x) => (typeof x === 'string' ? x : x.slug ?? x.name ?? '')) });
    }
    assert.equal(posts.length, VECTORS.length);
  });

  test('public pages: each post, the index, tag pages, search and feeds', async () => {
    const paths = [...posts.map((p) => p.url), '/blog', '/blog/page/2', '/blog/page/5', '/blog/search?q=script', '/blog/search?q=%3Cimg', '/blog/author/writer', '/blog/feed.xml', '/blog/atom.xml'];
    const tagPaths = (await Promise.all(posts.filter((_, i) => i % 15 === 0).map(async (p) => {
      const page = await t.app.http.inject(p.url);
      return [...page.body.matchAll(/href="(\/blog\/tag\/[^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
    }))).flat();
    assert.ok(tagPaths.length > 0, 'posts link to their tags');
    paths.push(...new Set(tagPaths));
    for (const p of paths.slice(0, 3)) assert.equal((await t.app.http.inject(p)).statusCode, 200, `${p} is served`);
    for (let i = 0; i < paths.length; i += FRAMES_PER_LOAD) check(await b.visitFramed(paths.slice(i, i + FRAMES_PER_LOAD)), 'public');
    for (const feed of ['/blog/feed.xml', '/blog/atom.xml']) check(await b.visit(feed), 'feeds');
    assert.deepEqual(findings, []);
  });

  test('dashboard: the post list, editors and previews', async () => {
    await b.visit('/pm/posts').then((l) => check(l, 'dashboard'));
    await b.visit('/pm/posts?q=script').then((l) => check(l, 'dashboard'));
    for (const [i, p] of posts.entries()) {
      if (i % 10 !== 0) continue;
      check(await b.visit(`/pm/posts/${p.postId}`), 'dashboard');
      if (i % 30 === 0) check(await b.visit(`/pm/posts/${p.postId}/preview`), 'dashboard');
    }
    assert.deepEqual(findings, []);
    assert.ok(documents > VECTORS.length, `${documents} documents checked`);
  });
});
