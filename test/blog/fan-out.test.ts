/**
 * The fan-out: saving or deleting a post re-renders exactly the stored pages
 * it appears on, and the next view of each shows the change. The set is
 * read from the page store's own change events, not from the blog.
 */
import assert from 'node:assert/strict';
import { forEachBlog, type BlogFixture } from './blog-fixture.js';

const DAY = 86_400_000;

async function seed(f: BlogFixture, n: number, tagsOf: (i: number) => string[]) {
  const ids: string[] = [];
  const t0 = Date.now() - (n + 1) * DAY;
  for (let i = 0; i < n; i++) {
    const r = await f.api('editor', 'POST', '/pm/api/posts', { title: `Post ${i}`, slug: `post-${i}`, body: `Text ${i}`, tags: tagsOf(i), status: 'published', publishAt: t0 + i * DAY });
    assert.equal(r.statusCode, 201, r.body);
    ids.push(r.json().post.postId);
  }
  return ids;
}

forEachBlog('editing a post re-renders it, its neighbours and the first pages it is on, nothing else', async (f) => {
  // page_size is 10: post-0 … post-24, newest first, so post-24 … post-15 are on /blog.
  const ids = await seed(f, 25, (i) => (i % 2 ? ['odd'] : ['even']).concat(i === 20 ? ['special'] : []));

  // A post on the first page of the index and of its tags; post-22 and post-24 list it as related (older, tag "even").
  const changed = await f.changes(() => f.api('editor', 'PATCH', `/pm/api/posts/${ids[20]}`, { title: 'Post 20, renamed' }));
  assert.deepEqual(changed, [':/blog', ':/blog/author/edith', ':/blog/post-19', ':/blog/post-20', ':/blog/post-21', ':/blog/post-22', ':/blog/post-24', ':/blog/tag/even', ':/blog/tag/special'].sort());
  for (const url of ['/blog', '/blog/post-19', '/blog/post-21', '/blog/post-22', '/blog/tag/even', '/blog/tag/special']) {
    assert.match((await f.visit(url)).body, /Post 20, renamed/, url);
  }

  // An old post, on no first page: its page and its two neighbours.
  const old = await f.changes(() => f.api('editor', 'PATCH', `/pm/api/posts/${ids[3]}`, { body: 'New words only' }));
  // Only its own page: the neighbours show its title, which did not change, and it is past every first page.
  assert.deepEqual(old, [':/blog/post-3']);
  // …and the deeper listing page that shows it is fresh on the next view, though it is not stored.
  assert.match((await f.visit('/blog/page/3')).body, /Post 3/);

  // A new post goes on top: its page, the post below it, the first pages of the index, its tag and author.
  const added = await f.changes(async () => {
    const r = await f.api('editor', 'POST', '/pm/api/posts', { title: 'Fresh', body: 'x', tags: ['odd'], status: 'published' });
    assert.equal(r.statusCode, 201, r.body);
  });
  assert.deepEqual(added, [':/blog', ':/blog/author/edith', ':/blog/fresh', ':/blog/post-24', ':/blog/tag/odd']);
  assert.match((await f.visit('/blog/page/2')).body, /Post 14/);

  // Deleting: the post's page goes, its neighbours link past it, the posts that listed it as related
  // (12, 14, 16: newer, tag "even") pick another, and it was on the first page of "even".
  const gone = await f.changes(() => f.api('editor', 'DELETE', `/pm/api/posts/${ids[10]}`));
  assert.deepEqual(gone, [':/blog/post-10', ':/blog/post-11', ':/blog/post-12', ':/blog/post-14', ':/blog/post-16', ':/blog/post-9', ':/blog/tag/even']);
  assert.match((await f.visit('/blog/post-11')).body, /href="\/blog\/post-9"/);
  assert.equal((await f.visit('/blog/post-10')).statusCode, 404);

  // A draft changes no public page at all.
  const draft = await f.changes(() => f.api('editor', 'POST', '/pm/api/posts', { title: 'Quiet draft', tags: ['odd'] }));
  assert.deepEqual(draft, []);
});

forEachBlog('a post lists older related posts; renaming one re-renders the pages that list it', async (f) => {
  const ids = await seed(f, 4, (i) => (i === 3 ? ['glaze', 'kiln'] : i === 1 ? ['glaze', 'kiln'] : ['glaze']));
  const page3 = (await f.visit('/blog/post-3')).body;
  assert.match(page3, /Related posts/);
  // post-1 shares two tags with post-3, so it comes first.
  assert.ok(page3.indexOf('href="/blog/post-1"') < page3.indexOf('href="/blog/post-0"'), 'the post sharing most tags comes first');
  const changed = await f.changes(() => f.api('editor', 'PATCH', `/pm/api/posts/${ids[0]}`, { title: 'The first one' }));
  // post-0's page, its neighbour post-1, post-2 and post-3, which list it as related, and the first
  // pages of the index, its tag and its author (four posts all fit on them).
  assert.deepEqual(changed, [':/blog', ':/blog/author/edith', ':/blog/post-0', ':/blog/post-1', ':/blog/post-2', ':/blog/post-3', ':/blog/tag/glaze']);
  assert.match((await f.visit('/blog/post-3')).body, /The first one/);
});
