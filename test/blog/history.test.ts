/**
 * Revisions and trash for posts: a save keeps what it replaced, restoring puts
 * it back (and renders it); a deleted post waits in the trash and comes back
 * with its id and address; a restore that would clash is refused and keeps the
 * entry. Both databases.
 */
import assert from 'node:assert/strict';
import { forEachBlog } from './blog-fixture.js';

forEachBlog('revisions: every content change is kept; restoring renders it again', async (f) => {
  const r = await f.api('editor', 'POST', '/pm/api/posts', { title: 'First words', body: 'One.', status: 'published' });
  const id = r.json().post.postId as string;
  await f.api('editor', 'PATCH', `/pm/api/posts/${id}`, { title: 'Second words', body: 'Two.' });
  await f.api('editor', 'PATCH', `/pm/api/posts/${id}`, { noindex: false });
  const revs = (await f.api('editor', 'GET', `/pm/api/posts/${id}/revisions`)).json().revisions;
  assert.deepEqual(revs.map((x: { title: string }) => x.title), ['First words'], 'a save that changes nothing keeps no revision');
  assert.match((await f.visit('/blog/first-words')).body, /Second words/);
  const back = await f.api('editor', 'POST', `/pm/api/posts/${id}/revisions/${revs[0].revisionId}/restore`);
  assert.equal(back.statusCode, 200, back.body);
  assert.equal(back.json().post.title, 'First words');
  assert.equal(back.json().post.status, 'published');
  assert.match((await f.visit('/blog/first-words')).body, /<h1[^>]*>First words<\/h1>/);
  const after = (await f.api('editor', 'GET', `/pm/api/posts/${id}/revisions`)).json().revisions;
  assert.deepEqual(after.map((x: { title: string }) => x.title), ['Second words', 'First words']);
  assert.equal((await f.api('editor', 'POST', `/pm/api/posts/${id}/revisions/01NOSUCHREVISION/restore`)).statusCode, 404);
  assert.equal((await f.api('other', 'GET', `/pm/api/posts/${id}/revisions`)).statusCode, 403, 'another author cannot read them');
});

forEachBlog('trash: a deleted post comes back with its id and address; a clash is refused and loses nothing', async (f) => {
  const mine = await f.api('author', 'POST', '/pm/api/posts', { title: 'Kiln log', body: 'Day one.', tags: ['kiln'], status: 'published' });
  const id = mine.json().post.postId as string;
  assert.equal((await f.api('author', 'DELETE', `/pm/api/posts/${id}`)).statusCode, 204);
  assert.equal((await f.visit('/blog/kiln-log')).statusCode, 404);
  const trash = (await f.api('author', 'GET', '/pm/api/posts/trash')).json().trash;
  assert.deepEqual(trash.map((t: { postId: string }) => t.postId), [id]);
  assert.deepEqual((await f.api('other', 'GET', '/pm/api/posts/trash')).json().trash, [], 'another author does not see it');
  assert.equal((await f.api('other', 'POST', `/pm/api/posts/trash/${trash[0].trashId}/restore`)).statusCode, 403);

  // Someone took the slug meanwhile: refused, and the entry stays.
  const squat = await f.api('editor', 'POST', '/pm/api/posts', { title: 'Kiln log', body: 'Mine now.' });
  const clash = await f.api('author', 'POST', `/pm/api/posts/trash/${trash[0].trashId}/restore`);
  assert.equal(clash.statusCode, 409, clash.body);
  assert.equal((await f.api('author', 'GET', '/pm/api/posts/trash')).json().trash.length, 1);
  await f.api('editor', 'DELETE', `/pm/api/posts/${squat.json().post.postId}`);

  const back = await f.api('author', 'POST', `/pm/api/posts/trash/${trash[0].trashId}/restore`);
  assert.equal(back.statusCode, 201, back.body);
  assert.equal(back.json().post.postId, id, 'the same id (and so the same feed id)');
  assert.equal(back.json().post.status, 'published');
  assert.match((await f.visit('/blog/kiln-log')).body, /Day one\./);
  assert.match((await f.visit('/blog/tag/kiln')).body, /Kiln log/);
  assert.deepEqual((await f.api('author', 'GET', '/pm/api/posts/trash')).json().trash.filter((t: { postId: string }) => t.postId === id), []);
});

forEachBlog('revisions follow a slug change: the history is the post’s, and restoring the old slug moves it back', async (f) => {
  const r = await f.api('editor', 'POST', '/pm/api/posts', { title: 'Glaze notes', body: 'Celadon.', status: 'published' });
  const id = r.json().post.postId as string;
  await f.api('editor', 'PATCH', `/pm/api/posts/${id}`, { body: 'Celadon, second firing.' });
  const moved = await f.api('editor', 'PATCH', `/pm/api/posts/${id}`, { slug: 'celadon-notes', body: 'Celadon, third firing.' });
  assert.equal(moved.statusCode, 200, moved.body);
  assert.equal((await f.visit('/blog/glaze-notes')).statusCode, 301, 'the old address redirects');
  assert.match((await f.visit('/blog/celadon-notes')).body, /third firing/);
  const revs = (await f.api('editor', 'GET', `/pm/api/posts/${id}/revisions`)).json().revisions as { revisionId: string; slug: string }[];
  assert.deepEqual(revs.map((x) => x.slug), ['glaze-notes', 'glaze-notes'], 'the versions kept before the slug changed are still listed');
  const editor = await f.t.app.http.inject({ url: `/pm/posts/${id}`, headers: { authorization: `Bearer ${f.tokens.editor}`, accept: 'text/html' } });
  assert.equal((editor.body.match(/\/revisions\/[0-9A-Z]+\/restore/g) ?? []).length, 2, 'the editor lists both');
  const back = await f.api('editor', 'POST', `/pm/api/posts/${id}/revisions/${revs[revs.length - 1].revisionId}/restore`);
  assert.equal(back.statusCode, 200, back.body);
  assert.equal(back.json().post.slug, 'glaze-notes');
  assert.match((await f.visit('/blog/glaze-notes')).body, /<p>Celadon\.<\/p>/, 'served at the restored slug');
  assert.equal((await f.visit('/blog/celadon-notes')).statusCode, 301, 'and the newer address redirects to it');
});
