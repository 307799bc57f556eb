/**
 * A site's storage quota counts everything it stores, on SQLite and
 * PostgreSQL alike: its files (every variant), its pages (stored HTML and
 * template data) and their history, its blog posts and theirs. An upload that
 * would pass it is refused naming the quota and what counts, with nothing
 * stored; the dashboard shows used / allowed and the parts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { APP_DIALECTS } from '../helpers/app.js';
import { png } from './fixtures.js';
import { startMediaApp, type MediaApp } from './media-harness.js';

type Part = { part: string; bytes: number };
const partOf = (q: { parts: Part[] }, name: string) => q.parts.find((p) => p.part === name)?.bytes;

for (const { name: dialect, skip } of APP_DIALECTS) {
  describe(`storage quota counts everything a site stores [${dialect}]`, { skip }, () => {
    let t: MediaApp;
    before(async () => void (t = await startMediaApp({}, { dialect })));
    after(() => t?.close());
    const quota = async () => (await t.api('GET', '/pm/api/media-quota')).json as { limitBytes: number | null; usedBytes: number; parts: Part[] };

    it('adds pages, page history, posts and post history to the files, part by part', async () => {
      const empty = await quota();
      assert.deepEqual(empty.parts.map((p) => p.part).slice(0, 3), ['media', 'pages', 'page history']);
      assert.ok(empty.parts.some((p) => p.part === 'posts') && empty.parts.some((p) => p.part === 'post history'), JSON.stringify(empty.parts));
      assert.equal(empty.usedBytes, empty.parts.reduce((n, p) => n + p.bytes, 0));

      const body = 'A long paragraph about glazes. '.repeat(400);
      const put = await t.api('PUT', '/pm/api/template-urls?url=/glazes', { themeId: 'daybreak', templateName: 'about', data: { title: 'Glazes', body } });
      assert.ok(put.status < 300, JSON.stringify(put.json));
      const withPage = await quota();
      assert.ok(partOf(withPage, 'pages')! > partOf(empty, 'pages')! + body.length, 'the template data and the stored HTML count');
      // A second save keeps the first as a revision.
      await t.api('PUT', '/pm/api/template-urls?url=/glazes', { themeId: 'daybreak', templateName: 'about', data: { title: 'Glazes, again', body } });
      assert.ok(partOf(await quota(), 'page history')! >= body.length, 'the revision counts');

      const post = await t.api('POST', '/pm/api/posts', { title: 'Ash glaze', body: 'Wood ash, feldspar and clay. '.repeat(300), status: 'draft' });
      assert.equal(post.status, 201, JSON.stringify(post.json));
      const withPost = await quota();
      assert.ok(partOf(withPost, 'posts')! >= 'Wood ash, feldspar and clay. '.length * 300, JSON.stringify(withPost.parts));
      assert.equal(withPost.usedBytes, withPost.parts.reduce((n, p) => n + p.bytes, 0));

      const up = await t.upload('tile.png', await png(600, 400), { alt: 'A tile' });
      assert.equal(up.status, 201);
      const withFile = await quota();
      assert.equal(partOf(withFile, 'media'), up.json.bytes, 'every variant of the file counts');
      assert.equal(withFile.usedBytes - withPost.usedBytes, up.json.bytes);
    });

    it('refuses an upload that only the pages and posts push over the quota, naming what counts; nothing is stored', async () => {
      const before = await quota();
      const pic = await png(500, 500, '#246');
      // Room for the file beside the other files, not beside the pages and posts as well.
      const limit = partOf(before, 'media')! + pic.length * 3;
      assert.ok(before.usedBytes + pic.length > limit, 'the pages and posts take more than the room left for files');
      await t.api('PUT', '/pm/api/media-quota', { limitBytes: limit });
      const files = t.storedFiles().length;
      const r = await t.upload('over.png', pic, { alt: 'Over' });
      assert.equal(r.status, 413, JSON.stringify(r.json));
      assert.equal(r.json.code, 'PM_ERR_QUOTA_EXCEEDED');
      assert.match(r.json.message, /storage quota of .* used: media .*, pages .*, posts .*; .* more needed/);
      assert.equal(t.storedFiles().length, files, 'nothing was written');
      assert.equal((await t.api('GET', '/pm/api/media?q=over')).json.total, 0, 'no row either');
      assert.equal((await quota()).usedBytes, before.usedBytes);

      const page = await t.get('/pm/media', { authorization: `Bearer ${t.token}` });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Storage: [\d.]+ [KM]?B of [\d.]+ [KM]?B used \(\d+%\)/);
      for (const label of ['Files', 'Pages', 'Blog posts', 'Page revisions and trash']) assert.ok(page.body.includes(label), label);

      // Deleting a page frees its share.
      await t.api('DELETE', '/pm/api/template-urls?url=/glazes');
      await t.api('PUT', '/pm/api/media-quota', { limitBytes: null });
      assert.ok(partOf(await quota(), 'pages')! < partOf(before, 'pages')!);
    });
  });
}
