/**
 * Feeds parse as XML with the elements RFC 4287 and RSS 2.0 require, links
 * and ids absolute, ids stable across edits; the excerpt setting; and search:
 * any query gives a page of results or none, never an error, and visitors
 * never find drafts or scheduled posts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { Element } from 'domhandler';
import { forEachBlog, startBlogFixture, type BlogFixture } from './blog-fixture.js';

type Node = Element;
const xml = (text: string) => parseDocument(text, { xmlMode: true });
const all = (root: ReturnType<typeof xml> | Node, name: string) => DomUtils.getElementsByTagName(name, root as never, true) as Node[];
const one = (root: ReturnType<typeof xml> | Node, name: string) => {
  const found = all(root, name);
  assert.ok(found.length > 0, `no <${name}>`);
  return found[0];
};
const text = (n: Node) => DomUtils.textContent(n).trim();
const isAbsolute = (u: string) => /^https?:\/\/[^/]+\//.test(u);

async function post(f: BlogFixture, body: Record<string, unknown>) {
  const r = await f.api('editor', 'POST', '/pm/api/posts', body);
  assert.equal(r.statusCode, 201, r.body);
  return r.json().post as { postId: string };
}

forEachBlog('Atom and RSS feeds: required elements, absolute links, ids stable across edits', async (f) => {
  const a = await post(f, { title: 'Ash & <glaze>', body: 'Wood ash **glaze**.', tags: ['Glaze'], status: 'published', publishAt: '2026-01-05T10:00:00Z' });
  await post(f, { title: 'Second firing', body: 'Cone 10.', tags: ['Kiln'], status: 'published', publishAt: '2026-01-06T10:00:00Z' });
  await post(f, { title: 'Not yet', body: 'draft' });
  const host = { host: 'pots.example' };

  const atomRes = await f.visit('/blog/atom.xml', host);
  assert.equal(atomRes.statusCode, 200);
  assert.match(String(atomRes.headers['content-type']), /application\/atom\+xml/);
  const atom = xml(atomRes.body);
  const feed = one(atom, 'feed');
  assert.equal(feed.attribs.xmlns, 'http://www.w3.org/2005/Atom');
  for (const el of ['id', 'title', 'updated']) assert.ok(text(all(feed, el)[0]), `feed <${el}>`);
  assert.ok(isAbsolute(text(one(feed, 'id'))));
  const self = all(feed, 'link').find((l) => l.attribs.rel === 'self')!;
  assert.equal(self.attribs.href, 'http://pots.example/blog/atom.xml');
  const entries = all(atom, 'entry');
  assert.equal(entries.length, 2, 'drafts are not in the feed');
  assert.equal(text(one(entries[0], 'title')), 'Second firing', 'newest first');
  for (const e of entries) {
    for (const el of ['id', 'title', 'updated', 'published']) assert.ok(text(one(e, el)), `entry <${el}>`);
    assert.ok(Number.isFinite(Date.parse(text(one(e, 'updated')))));
    assert.ok(isAbsolute(one(e, 'link').attribs.href));
  }
  const ash = entries.find((e) => text(one(e, 'title')) === 'Ash & <glaze>')!;
  assert.match(text(one(ash, 'content')), /<strong>glaze<\/strong>/, 'full content by default, as escaped HTML');
  const idBefore = text(one(ash, 'id'));

  const rssRes = await f.visit('/blog/feed.xml', host);
  assert.match(String(rssRes.headers['content-type']), /application\/rss\+xml/);
  const rss = xml(rssRes.body);
  assert.equal(one(rss, 'rss').attribs.version, '2.0');
  const channel = one(rss, 'channel');
  for (const el of ['title', 'link', 'description']) assert.ok(text(all(channel, el)[0]), `channel <${el}>`);
  const items = all(rss, 'item');
  assert.equal(items.length, 2);
  for (const i of items) {
    assert.ok(isAbsolute(text(one(i, 'link'))));
    assert.ok(Number.isFinite(Date.parse(text(one(i, 'pubDate')))));
    assert.ok(text(one(i, 'guid')));
  }
  const guidBefore = text(one(items.find((i) => text(one(i, 'title')) === 'Ash & <glaze>')!, 'guid'));

  // Editing the title and the slug keeps the ids.
  assert.equal((await f.api('editor', 'PATCH', `/pm/api/posts/${a.postId}`, { title: 'Ash glaze', slug: 'ash-glaze' })).statusCode, 200);
  const after = xml((await f.visit('/blog/atom.xml', host)).body);
  const edited = all(after, 'entry').find((e) => text(one(e, 'title')) === 'Ash glaze')!;
  assert.equal(text(one(edited, 'id')), idBefore);
  assert.equal(one(edited, 'link').attribs.href, 'http://pots.example/blog/ash-glaze');
  const rssAfter = xml((await f.visit('/blog/feed.xml', host)).body);
  assert.ok(all(rssAfter, 'guid').some((g) => text(g) === guidBefore));

  // Per tag, and linked from the pages' <head>.
  const tagFeed = xml((await f.visit('/blog/tag/kiln/atom.xml', host)).body);
  assert.deepEqual(all(tagFeed, 'entry').map((e) => text(one(e, 'title'))), ['Second firing']);
  assert.equal((await f.visit('/blog/tag/nothing-here/feed.xml')).statusCode, 404);
  const head = (await f.visit('/blog/tag/kiln')).body;
  assert.match(head, /<link rel="alternate" type="application\/atom\+xml"[^>]*href="\/blog\/atom.xml"/);
  assert.match(head, /<link rel="alternate" type="application\/rss\+xml"[^>]*href="\/blog\/tag\/kiln\/feed.xml"/);
});

test('feed_content = "excerpt" puts only the excerpt in the feeds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pm-blog-feed-'));
  writeFileSync(join(dir, 'config.toml'), '[plugins.blog]\nfeed_content = "excerpt"\n');
  const f = await startBlogFixture('sqlite', { dir });
  try {
    await post(f, { title: 'Short', body: 'The **whole** text, long and secret.', excerpt: 'Only this.', status: 'published' });
    const feed = xml((await f.visit('/blog/atom.xml')).body);
    const content = text(one(feed, 'content'));
    assert.match(content, /Only this\./);
    assert.doesNotMatch(content, /secret/);
  } finally {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

forEachBlog('search: any query answers a page; drafts and scheduled posts are never found', async (f) => {
  await post(f, { title: 'Celadon glaze notes', body: 'Iron in a reduction firing turns the glaze green. Café crème.', tags: ['glaze'], status: 'published' });
  await post(f, { title: 'Secret celadon draft', body: 'celadon draft text' });
  await post(f, { title: 'Scheduled celadon', body: 'celadon later', status: 'scheduled', publishAt: new Date(Date.now() + 3_600_000).toISOString() });

  const page = await f.visit('/blog/search?q=celadon');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Celadon glaze notes/);
  assert.doesNotMatch(page.body, /Secret celadon|Scheduled celadon/);
  assert.match(page.body, /<mark>[Cc]eladon<\/mark>|<mark>glaze<\/mark>/);
  assert.match(page.body, /name="robots" content="noindex"/);
  assert.match((await f.visit('/blog/search?q=REDUCTION')).body, /Celadon glaze notes/, 'case does not matter');

  const odd = ['"unbalanced', 'NEAR(celadon', '"', '*', 'celadon*', 'x'.repeat(3000), '!!!???', '\u200b\u200b', 'a AND OR NOT', "'; DROP TABLE pm_blog_post; --", '%', '_', '\\', 'celadon"glaze', '(', ')', '{}[]', '', '   '];
  for (const q of odd) {
    const r = await f.visit(`/blog/search?q=${encodeURIComponent(q)}`);
    assert.equal(r.statusCode, 200, `q=${JSON.stringify(q.slice(0, 20))}: ${r.statusCode}`);
    assert.doesNotMatch(r.body, /Secret celadon|Scheduled celadon/);
    const api = await f.api('editor', 'GET', `/pm/api/posts/search?q=${encodeURIComponent(q)}`);
    assert.equal(api.statusCode, 200, `api q=${JSON.stringify(q.slice(0, 20))}: ${api.body}`);
    assert.ok(Array.isArray(api.json().results));
  }
  assert.match((await f.visit('/blog/search?q=celadon%22glaze')).body, /Celadon glaze notes/, 'punctuation separates words');
  assert.equal((await f.visit('/blog/search?q=a&q=b')).statusCode, 200, 'a repeated parameter');
  const api = (await f.api('editor', 'GET', '/pm/api/posts/search?q=green')).json();
  assert.deepEqual(api.results.map((r: { post: { title: string } }) => r.post.title), ['Celadon glaze notes']);
  assert.match(api.results[0].snippet, /<mark>green<\/mark>/);
  // The draft is still in the database, and still not found after publishing something else.
  assert.equal((await f.api('editor', 'GET', '/pm/api/posts?status=draft')).json().total, 1);
});
