/**
 * No script survives in a comment: 200+ XSS vectors (xss-vectors.ts: the project's stored-XSS
 * corpus plus markdown, autolink, entity and website tricks) put into a comment's body, name and
 * website, rendered the way the comments list renders them (body through renderCommentBody, name
 * escaped, website through safeWebsite into an href), loaded in Chromium. What counts as "ran" or
 * "could run" is test/security/xss-browser.ts's (dialogs, PWNED on the console, page errors,
 * window.__pwned, frames navigating away, and a DOM audit for on* attributes, javascript:/data:
 * URLs, foreign scripts, frames).
 *
 * A control page renders a few vectors unsanitised first, so a harness that sees nothing is a failure too.
 *
 * The second half does it for real: every vector posted through the comment form's two steps
 * (POST /pm-comments/check, /pm-comments/post) into a stored page, in the body and the name of
 * one comment and the website of another; the moderation queue and the spam folder (where the
 * rules put many of them) loaded as an editor; then everything approved and the stored pages
 * loaded as a visitor would, and the Published tab. A website the form refuses stores nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { renderCommentBody, safeWebsite } from '../../pm-plugins/comments/comment-markdown.js';
import { esc } from '../../src/plugins/plugin.js';
import { BROWSER_SKIP, openXssBrowser, type XssBrowser } from '../security/xss-browser.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { postComment, writeCommentsConfig } from './post-comment.js';
import { BODY_VECTORS, websites, type Vector } from './xss-vectors.js';

interface Shown {
  name: string;
  website?: string;
  body: string;
}

/** One comment as the comments list shows it. */
export function commentHtml(c: Shown): string {
  const href = c.website === undefined ? undefined : safeWebsite(c.website);
  const name = href ? `<a class="comment-author" href="${esc(href)}" rel="nofollow ugc">${esc(c.name)}</a>` : `<span class="comment-author">${esc(c.name)}</span>`;
  return `<article class="comment"><header>${name}</header><div class="comment-body">${renderCommentBody(c.body)}</div></article>`;
}

const page = (items: string[]) => `<!doctype html><meta charset="utf-8"><title>comments</title><section class="comments">${items.join('\n')}</section>`;

describe('XSS vectors in comments, rendered in Chromium', { skip: BROWSER_SKIP }, () => {
  let server: Server;
  let base: string;
  let browser: XssBrowser;
  const pages = new Map<string, string>();

  before(async () => {
    server = createServer((req, res) => {
      const body = pages.get(new URL(req.url ?? '/', 'http://x').pathname);
      res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(body ?? 'not found');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await openXssBrowser(base, 'pm_none=1');
  });

  after(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
  });

  test('the corpus is big enough', () => {
    assert.ok(BODY_VECTORS.length >= 100, `${BODY_VECTORS.length} vectors`);
  });

  test('control: the same vectors unsanitised are caught by the harness', async () => {
    pages.set('/control', page(['<img src=x onerror="top.__pwned=1">', '<a href="javascript:alert(1)">x</a>', '<svg onload=alert(1)>']));
    const { findings } = await browser.visit('/control');
    assert.ok(findings.length >= 3, `the harness sees unescaped HTML: ${findings.join('\n')}`);
  });

  // Body, name and website each carry the vector; a page holds a batch (many comments per load).
  const fields: [field: string, make: (v: Vector) => Shown][] = [
    ['body', (v) => ({ name: 'Ada', body: v.payload })],
    ['name', (v) => ({ name: v.payload, website: 'https://example.com/', body: 'hello' })],
    ['website', (v) => ({ name: 'Ada', website: v.payload, body: 'hello' })],
  ];
  for (const [field, make] of fields) {
    test(`every vector in the ${field}: nothing runs or could run`, async () => {
      const vectors = field === 'website' ? [...BODY_VECTORS, ...websites.map((payload, i) => ({ id: `website-${i + 1}`, payload }))] : BODY_VECTORS;
      const findings: string[] = [];
      for (let i = 0; i < vectors.length; i += 40) {
        const batch = vectors.slice(i, i + 40);
        const path = `/${field}-${i}`;
        pages.set(path, page(batch.map((v) => `<!-- ${esc(v.id)} -->${commentHtml(make(v))}`)));
        const loaded = await browser.visit(path);
        // A finding names the element, so the vector is found from it; the ids of the batch help.
        findings.push(...loaded.findings.map((f) => `${f} (batch ${batch[0]!.id}…${batch.at(-1)!.id})`));
      }
      assert.deepEqual(findings, [], `ran or could run:\n${findings.join('\n')}`);
    });
  }

  test('the website field: only http(s) hrefs reach the page', () => {
    const hrefs = [...BODY_VECTORS.map((v) => v.payload), ...websites].map(safeWebsite).filter((h): h is string => h !== undefined);
    for (const h of hrefs) assert.match(h, /^https?:\/\/[^/@\s]+\//, h);
  });
});

describe('XSS vectors posted through the comment form, on the stored pages and in the queue', { skip: BROWSER_SKIP }, () => {
  const PER_PAGE = 40;
  let t: TestApp;
  let dir: string;
  let base: string;
  let browser: XssBrowser;
  let token: string;
  const pagePaths: string[] = [];
  const outcome = { stored: 0, refused: 0, bodyStored: 0, websiteStored: 0, refusedBodies: [] as string[] };

  const api = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
    const r = await t.app.http.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, payload: body ? JSON.stringify(body) : undefined });
    return r.json() as Record<string, unknown>;
  };
  const ids = async (status: string) => {
    const out: string[] = [];
    for (let offset = 0; ; offset += 100) {
      const r = await api('GET', `/pm/api/comments?status=${status}&limit=100&offset=${offset}`);
      const got = (r.comments as { commentId: string }[]).map((c) => c.commentId);
      out.push(...got);
      if (got.length < 100) return out;
    }
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pm-comments-xss-'));
    writeCommentsConfig(dir);
    t = await startTestApp({}, { dir });
    const eve = await t.user('eve', 'a long passphrase', 'editor');
    token = (await t.app.users.createToken(eve, 'xss')).token;
    const all: { path: string; name: string; body: string; website?: string }[] = [];
    const vectors = [...BODY_VECTORS, ...websites.map((payload, i) => ({ id: `website-${i + 1}`, payload }))];
    for (const [i, v] of vectors.entries()) {
      const path = `/xss/${Math.floor(i / (PER_PAGE / 2))}`;
      // The name is at most 80 characters long: the vector's first 80.
      all.push({ path, name: v.payload.slice(0, 80), body: v.payload });
      all.push({ path, name: 'Ada', body: `website vector ${v.id}`, website: v.payload });
    }
    for (const path of new Set(all.map((c) => c.path))) {
      const saved = await t.app.templates.save({ siteId: t.siteId, langcode: '', urlPath: path, themeId: 'daybreak', templateName: 'post', data: { title: `XSS ${path}`, body: 'Vectors in the comments below.' } });
      assert.ok(saved.ok);
      pagePaths.push(path);
    }
    for (const c of all) {
      const r = await postComment(t.app, c.path, c);
      if (r.status === 303) {
        outcome.stored++;
        if (c.website === undefined) outcome.bodyStored++;
        else outcome.websiteStored++;
      } else {
        if (c.website === undefined) outcome.refusedBodies.push(`${JSON.stringify(c.body.slice(0, 50))}: ${(/class="[^"]*error[^"]*"[^>]*>([^<]{3,160})/.exec(r.body) ?? [])[1] ?? r.status}`);
        assert.equal(r.status, 422, `a refused comment is a 422 with the form again: ${r.body.slice(0, 200)}`);
        outcome.refused++;
      }
    }
    base = (await t.app.listen()).url;
    browser = await openXssBrowser(base, await t.login('eve', 'a long passphrase'));
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('every vector was stored in a body and a name; websites the form refuses stored nothing', () => {
    console.log(`comments with a vector: ${outcome.stored} stored (${outcome.bodyStored} with it in body and name, ${outcome.websiteStored} in the website), ${outcome.refused} refused by the form`);
    assert.deepEqual(outcome.refusedBodies, [], 'every vector reached a stored page in a body and a name');
    assert.ok(outcome.bodyStored >= BODY_VECTORS.length, `${outcome.bodyStored} stored`);
  });

  const visitAll = async (paths: string[]) => {
    const findings: string[] = [];
    for (const p of paths) findings.push(...(await browser.visit(p)).findings);
    return findings;
  };
  const queuePages = async (status: string) => {
    const n = (await ids(status)).length;
    return Array.from({ length: Math.ceil(n / 50) }, (_, i) => `/pm/comments?status=${status}${i ? `&offset=${i * 50}` : ''}`);
  };

  test('the moderation queue and the spam folder, as an editor sees them: nothing runs', async () => {
    const paths = [...(await queuePages('held')), ...(await queuePages('spam'))];
    assert.ok(paths.length >= 2, `${paths.join(' ')}`);
    const findings = await visitAll(paths);
    // The edit form of a few shows the raw text in fields.
    for (const id of (await ids('spam')).slice(0, 5)) findings.push(...(await browser.visit(`/pm/comments/${id}/edit`)).findings);
    assert.deepEqual(findings, []);
  });

  test('approved, on the stored pages and the Published tab: nothing runs', async () => {
    for (const status of ['held', 'spam']) {
      const list = await ids(status);
      for (let i = 0; i < list.length; i += 500) await api('POST', '/pm/api/comments/moderate', { action: 'approve', ids: list.slice(i, i + 500) });
    }
    const published = await ids('published');
    assert.equal(published.length, outcome.stored, 'every stored comment is shown');
    const findings = await visitAll([...pagePaths, ...(await queuePages('published'))]);
    assert.deepEqual(findings, []);
    // And the pages do show the comments (the test is not looking at empty pages).
    const sample = await t.app.http.inject({ url: pagePaths[0]! });
    assert.ok((sample.body.match(/class="comment\b/g) ?? []).length >= 10, 'the page lists its comments');
  });
});
