/**
 * Posts through the JSON API, seen as a visitor sees them: published posts
 * are stored pages (x-pm-cache), drafts are not, every bad input is refused
 * with its field named and nothing stored changes. Both databases.
 */
import assert from 'node:assert/strict';
import { forEachBlog, type BlogFixture } from './blog-fixture.js';

const POST = { title: 'Firing the anagama', body: 'Three days of **wood** and ash.\n\nThe kiln sings.', tags: ['Kiln', 'Wood firing'], status: 'published' };

async function create(f: BlogFixture, body: Record<string, unknown>, as: 'editor' | 'author' | 'other' = 'editor') {
  const r = await f.api(as, 'POST', '/pm/api/posts', body);
  assert.equal(r.statusCode, 201, r.body);
  return r.json().post as { postId: string; url: string; slug: string; status: string; publishAt: string };
}

forEachBlog('a published post is a stored page with its listings; a draft is not', async (f) => {
  const p = await create(f, POST);
  assert.equal(p.slug, 'firing-the-anagama');
  const page = await f.visit('/blog/firing-the-anagama');
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers['x-pm-cache']), /hit|miss/);
  assert.match(page.body, /<h1[^>]*>Firing the anagama<\/h1>/);
  assert.match(page.body, /<strong>wood<\/strong>/);
  assert.match(page.body, /1 min read/);
  assert.match(page.body, /type="application\/atom\+xml"/);
  for (const url of ['/blog', '/blog/tag/kiln', '/blog/tag/wood-firing', '/blog/author/edith']) {
    const r = await f.visit(url);
    assert.equal(r.statusCode, 200, url);
    assert.match(r.body, /href="\/blog\/firing-the-anagama"/, url);
  }
  const draft = await create(f, { title: 'Half-written', body: 'secret words' });
  assert.equal(draft.status, 'draft');
  assert.equal((await f.visit('/blog/half-written')).statusCode, 404);
  assert.doesNotMatch((await f.visit('/blog')).body, /Half-written/);
});

forEachBlog('an author writes and publishes only their own posts; editors manage all', async (f) => {
  const mine = await create(f, { title: 'Arthur’s glaze notes', body: 'Celadon.', status: 'published' }, 'author');
  const hers = await create(f, { title: 'Olive’s notes', body: 'Shino.' }, 'other');
  // Olive cannot see, change or delete Arthur's post.
  assert.equal((await f.api('other', 'GET', `/pm/api/posts/${mine.postId}`)).statusCode, 403);
  const patch = await f.api('other', 'PATCH', `/pm/api/posts/${mine.postId}`, { title: 'Stolen' });
  assert.equal(patch.statusCode, 403);
  assert.equal(patch.json().code, 'PM_ERR_FORBIDDEN');
  assert.equal((await f.api('other', 'DELETE', `/pm/api/posts/${mine.postId}`)).statusCode, 403);
  assert.match((await f.visit('/blog/arthurs-glaze-notes')).body, /Arthur’s glaze notes/);
  // An author lists only their own; cannot write a post under someone else's name only.
  const list = (await f.api('other', 'GET', '/pm/api/posts')).json();
  assert.deepEqual(list.posts.map((p: { postId: string }) => p.postId), [hers.postId]);
  const forged = await f.api('other', 'POST', '/pm/api/posts', { title: 'Forged', authorIds: [f.users.author.userId] });
  assert.equal(forged.statusCode, 422);
  assert.ok(forged.json().fields.authorIds);
  // The editor changes anyone's post.
  const ed = await f.api('editor', 'PATCH', `/pm/api/posts/${mine.postId}`, { title: 'Arthur’s glaze notes, edited' });
  assert.equal(ed.statusCode, 200, ed.body);
  assert.match((await f.visit('/blog/arthurs-glaze-notes')).body, /glaze notes, edited/);
});

forEachBlog('bad input is refused beside its field and nothing stored changes', async (f) => {
  const first = await create(f, POST);
  const before = (await f.visit(first.url)).body;
  const cases: [string, Record<string, unknown>, number, string][] = [
    ['no title', { body: 'x' }, 422, 'title'],
    ['empty title', { title: '   ' }, 422, 'title'],
    ['bad slug', { title: 'A', slug: 'Not A Slug!' }, 422, 'slug'],
    ['reserved slug', { title: 'A', slug: 'tag' }, 422, 'slug'],
    ['duplicate slug', { title: 'Another', slug: 'firing-the-anagama', status: 'published' }, 409, 'slug'],
    ['title without letters', { title: '!!! ???' }, 422, 'slug'],
    ['malformed date', { title: 'A', status: 'scheduled', publishAt: '24/12/2026' }, 422, 'publishAt'],
    ['impossible date', { title: 'A', status: 'scheduled', publishAt: '2027-02-31T10:00' }, 422, 'publishAt'],
    ['scheduled in the past', { title: 'A', status: 'scheduled', publishAt: '2001-01-01T00:00Z' }, 422, 'publishAt'],
    ['scheduled without a date', { title: 'A', status: 'scheduled' }, 422, 'publishAt'],
    ['published in the future', { title: 'A', status: 'published', publishAt: '2999-01-01T00:00Z' }, 422, 'publishAt'],
    ['unknown status', { title: 'A', status: 'live' }, 422, 'status'],
    ['javascript: cover', { title: 'A', cover: 'javascript:alert(1)' }, 422, 'cover'],
    ['tag too long', { title: 'A', tags: ['x'.repeat(51)] }, 422, 'tags'],
    ['too many tags', { title: 'A', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 422, 'tags'],
    ['tag of punctuation', { title: 'A', tags: ['???'] }, 422, 'tags'],
    ['unknown author', { title: 'A', authorIds: ['01NOSUCHUSER'] }, 422, 'authorIds'],
    ['unknown field', { title: 'A', titel: 'typo' }, 422, 'titel'],
    ['locale not enabled', { title: 'A', langcode: 'fr' }, 422, 'langcode'],
    ['control characters', { title: 'A\u0007bell' }, 422, 'title'],
  ];
  for (const [name, body, status, field] of cases) {
    const r = await f.api('editor', 'POST', '/pm/api/posts', body);
    assert.equal(r.statusCode, status, `${name}: ${r.body}`);
    assert.ok(r.json().fields?.[field], `${name}: no message beside ${field}: ${r.body}`);
    assert.ok(r.json().message, name);
  }
  // A bad change to the stored post leaves it as it was.
  for (const body of [{ slug: 'Bad Slug' }, { publishAt: 'tomorrow' }, { status: 'scheduled', publishAt: '1999-01-01' }, { title: '' }]) {
    const r = await f.api('editor', 'PATCH', `/pm/api/posts/${first.postId}`, body);
    assert.equal(r.statusCode, 422, JSON.stringify(body));
  }
  const notJson = await f.t.app.http.inject({ method: 'POST', url: '/pm/api/posts', headers: { authorization: `Bearer ${f.tokens.editor}`, 'content-type': 'text/plain' }, payload: 'title=x' });
  assert.equal(notJson.statusCode, 400);
  assert.equal((await f.visit(first.url)).body, before);
  const all = (await f.api('editor', 'GET', '/pm/api/posts')).json();
  assert.equal(all.total, 1);
});

forEachBlog('markup typed into a title, tags or text never runs', async (f) => {
  const p = await create(f, {
    title: '<script>alert("t")</script> Glaze',
    body: 'Hi <img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3)) <iframe src="//evil"></iframe>',
    tags: ['<b onmouseover=alert(4)>hot</b>'],
    excerpt: '<svg onload=alert(5)>',
    status: 'published',
  });
  for (const url of [p.url, '/blog', '/blog/feed.xml', '/blog/atom.xml', '/blog/search?q=glaze']) {
    const body = (await f.visit(url)).body;
    assert.doesNotMatch(body, /<script>alert|onerror=|<iframe|javascript:alert|<svg onload|<b onmouseover/i, url);
  }
  const page = (await f.visit(p.url)).body;
  assert.match(page, /&lt;script&gt;alert\(&quot;t&quot;\)&lt;\/script&gt; Glaze/);
  // The API gives back what was typed, as text.
  assert.equal((await f.api('editor', 'GET', `/pm/api/posts/${p.postId}`)).json().post.tags[0], '<b onmouseover=alert(4)>hot</b>');
});

forEachBlog('changing a slug leaves a redirect; deleting a post removes its page and listing', async (f) => {
  const p = await create(f, POST);
  const r = await f.api('editor', 'PATCH', `/pm/api/posts/${p.postId}`, { slug: 'anagama' });
  assert.equal(r.statusCode, 200, r.body);
  const old = await f.visit('/blog/firing-the-anagama');
  assert.equal(old.statusCode, 301);
  assert.equal(old.headers.location, '/blog/anagama');
  assert.equal((await f.visit('/blog/anagama')).statusCode, 200);
  assert.equal((await f.api('editor', 'DELETE', `/pm/api/posts/${p.postId}`)).statusCode, 204);
  assert.equal((await f.visit('/blog/anagama')).statusCode, 404);
  assert.equal((await f.visit('/blog/tag/kiln')).statusCode, 404);
  assert.doesNotMatch((await f.visit('/blog')).body, /anagama/);
});

forEachBlog('a post that would sit on a page made in the URL dashboard is refused', async (f) => {
  await f.t.app.pages.set(f.siteId, '', '/blog/about', '<h1>mine</h1>');
  const r = await f.api('editor', 'POST', '/pm/api/posts', { title: 'About', status: 'published' });
  assert.equal(r.statusCode, 409);
  assert.ok(r.json().fields.slug);
  assert.match((await f.visit('/blog/about')).body, /mine/);
});

forEachBlog('a new site title or theme re-renders the blog pages', async (f) => {
  const p = await create(f, POST);
  await f.t.app.siteService.update(f.siteId, { title: 'Fern & Kiln' });
  const until = async (cond: () => Promise<boolean>) => {
    const end = Date.now() + 10_000;
    while (!(await cond())) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await until(async () => /Fern &amp; Kiln/.test((await f.visit(p.url)).body) && /Fern &amp; Kiln/.test((await f.visit('/blog')).body));
  // Switching the theme as an admin does, in the dashboard.
  await f.t.user('ada', 'ada passphrase', 'admin');
  const cookie = await f.t.login('ada', 'ada passphrase');
  const page = await f.t.app.http.inject({ url: '/pm/themes/switch?theme=nightfall', headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
  const sw = await f.t.app.http.inject({ method: 'POST', url: '/pm/themes/switch', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:80' }, payload: new URLSearchParams({ _csrf: csrf, theme: 'nightfall' }).toString() });
  assert.ok(sw.statusCode < 400, `switch answered ${sw.statusCode}`);
  await until(async () => /pm-themes\/nightfall\//.test((await f.visit(p.url)).body) && /pm-themes\/nightfall\//.test((await f.visit('/blog/tag/kiln')).body));
});
