/**
 * The Posts section of the dashboard without a browser: an author sees only
 * their posts and may not open another's; a bad form comes back with what was
 * typed and the errors beside the fields; the draft preview is for signed-in
 * writers only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startBlogFixture } from './blog-fixture.js';

test('the Posts section: lists, filters, the editor, refusals', async () => {
  const f = await startBlogFixture('sqlite');
  try {
    const { app } = f.t;
    const mine = (await f.api('author', 'POST', '/pm/api/posts', { title: 'Arthur writes', tags: ['clay'] })).json().post;
    const hers = (await f.api('other', 'POST', '/pm/api/posts', { title: 'Olive writes', status: 'published' })).json().post;
    const cookie = await f.t.login('arthur', 'arthur passphrase');
    const get = (url: string, c = cookie) => app.http.inject({ url, headers: { cookie: c } });

    const home = await get('/pm/');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /href="\/pm\/posts"[^>]*>Posts</);
    const list = await get('/pm/posts');
    assert.match(list.body, /Arthur writes/);
    assert.doesNotMatch(list.body, /Olive writes/, 'an author sees only their own posts');
    assert.doesNotMatch(list.body, /Use the blog as the home page/, 'only site admins change the home page');
    assert.equal((await get(`/pm/posts/${hers.postId}`)).statusCode, 403);
    assert.equal((await get(`/pm/posts/${hers.postId}/preview`)).statusCode, 403);
    assert.equal((await get('/pm/themes')).statusCode, 403);
    assert.match((await get(`/pm/posts/${mine.postId}/preview`)).body, /Arthur writes/);
    // A visitor is sent to log in.
    const anon = await app.http.inject({ url: `/pm/posts/${mine.postId}/preview` });
    assert.equal(anon.statusCode, 303);
    assert.match(String(anon.headers.location), /\/pm\/login/);

    // Filters.
    const ed = await f.t.login('edith', 'edith passphrase');
    assert.match((await get('/pm/posts?status=published', ed)).body, /Olive writes/);
    assert.doesNotMatch((await get('/pm/posts?status=published', ed)).body, /Arthur writes/);
    assert.match((await get('/pm/posts?tag=clay', ed)).body, /Arthur writes/);
    assert.doesNotMatch((await get('/pm/posts?tag=clay', ed)).body, /Olive writes/);
    assert.match((await get('/pm/posts?q=olive', ed)).body, /Olive writes/);
    assert.match((await get(`/pm/posts?author=${f.users.other.userId}`, ed)).body, /Olive writes/);
    assert.doesNotMatch((await get(`/pm/posts?author=${f.users.other.userId}`, ed)).body, /Arthur writes/);

    // A bad save keeps the input and names the field; nothing is stored.
    const form = await get('/pm/posts/new');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1];
    const bad = await app.http.inject({
      method: 'POST',
      url: '/pm/posts/new',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:80' },
      payload: new URLSearchParams({ _csrf: csrf, _action: 'save', title: 'Kept <title>', slug: 'Bad Slug', body: 'my **words**', status: 'draft', authorIds: f.users.author.userId }).toString(),
    });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /value="Kept (&lt;|&#60;)title(&gt;|&#62;)"/);
    assert.match(bad.body, /my \*\*words\*\*/);
    assert.match(bad.body, /class="pm-field-error" id="f-slug-error"/);
    assert.equal((await f.api('author', 'GET', '/pm/api/posts')).json().total, 1);
  } finally {
    await f.close();
  }
});
