/**
 * Comments count toward the site's storage quota, on SQLite and PostgreSQL: the media quota
 * (GET /pm/api/media-quota and the Media page) shows a `comments` part, the same figure as the
 * size cap's counter; a comment posted through the real form raises it by its size, deleting it
 * gives it back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CommentService } from '../../pm-plugins/comments/comment-service.js';
import type { Plugin } from '../../src/plugins/plugin.js';
import { sql } from '../../src/store/kysely.js';
import { APP_DIALECTS } from '../helpers/app.js';
import { startMediaApp, type MediaApp } from '../media/media-harness.js';
import { postComment, writeCommentsConfig } from './post-comment.js';

type Part = { part: string; bytes: number };

for (const { name: dialect, skip } of APP_DIALECTS) {
  describe(`comments count toward the storage quota [${dialect}]`, { skip }, () => {
    let t: MediaApp;
    let dir: string;
    let service: CommentService;
    const probe: Plugin = { name: 'comments-probe', dependsOn: ['comments'], init: (server) => void (service = server.use<CommentService>('comments')) };
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'pm-comments-quota-'));
      writeCommentsConfig(dir);
      t = await startMediaApp({}, { dialect, dir, extraPlugins: [probe] });
    });
    after(async () => {
      await t?.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const quota = async () => (await t.api('GET', '/pm/api/media-quota')).json as { usedBytes: number; parts: Part[] };
    const comments = async () => (await quota()).parts.find((p) => p.part === 'comments')?.bytes;

    it('shows a comments part that grows with a comment and shrinks when it is deleted', async () => {
      assert.equal(await comments(), 0, JSON.stringify((await quota()).parts));
      const post = await t.api('POST', '/pm/api/posts', { title: 'Kiln log', body: 'Cone 10 in fourteen hours.', status: 'published' });
      assert.equal(post.status, 201, JSON.stringify(post.json));
      const body = 'We fired to cone 10 as well and saw the same flashing on the shoulder of every jar. '.repeat(20);
      const r = await postComment(t.app, post.json.post.url, { name: 'Reader', body });
      assert.equal(r.status, 303, r.body.slice(0, 300));

      const q = await quota();
      const bytes = q.parts.find((p) => p.part === 'comments')!.bytes;
      assert.ok(bytes >= Buffer.byteLength(body), `comments ${bytes} bytes for a body of ${body.length}`);
      assert.equal(bytes, (await service.shutOffState(t.siteId)).storedBytes, 'the same figure as the size cap keeps');
      const sum = await t.app.db.get<{ n: number | string }>(sql`SELECT coalesce(sum(size_bytes), 0) AS n FROM pm_comment WHERE site_id = ${t.siteId}`);
      assert.equal(bytes, Number(sum?.n), 'the counter is the sum of the comments stored');
      assert.equal(q.usedBytes, q.parts.reduce((n, p) => n + p.bytes, 0), 'and the quota adds it up');

      const page = await t.get('/pm/media', { authorization: `Bearer ${t.token}` });
      assert.match(page.body, /<dt>Comments \(held and spam included\)<\/dt>/, 'the Media page lists it');

      const [c] = await service.list({ siteId: t.siteId, status: 'published' });
      const gone = await t.api('POST', '/pm/api/comments/moderate', { action: 'delete', ids: [c!.commentId] });
      assert.equal(gone.status, 200, JSON.stringify(gone.json));
      assert.equal(await comments(), 0);
    });
  });
}
