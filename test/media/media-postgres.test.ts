/**
 * Media on PostgreSQL with a shared bucket, as several instances run: a file
 * uploaded through one is served by the other; the quota holds when both
 * write at once; a delete on one reaches the other. Skipped without
 * PM_TEST_POSTGRES_URL.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { POSTGRES_URL } from '../helpers/dialects.js';
import { startS3rver, type TestS3 } from '../helpers/s3rver.js';
import { png } from './fixtures.js';
import { startMediaApp, type MediaApp } from './media-harness.js';

/** The quota's files part (pages and posts count beside it). */
const mediaBytes = (q: { parts: { part: string; bytes: number }[] }) => q.parts.find((p) => p.part === 'media')!.bytes;

const skip = POSTGRES_URL ? false : 'PM_TEST_POSTGRES_URL is not set: the PostgreSQL media test needs a server';

describe('media: two instances on PostgreSQL and one bucket', { skip }, () => {
  const schema = `pm_media_${randomBytes(4).toString('hex')}`;
  let s3: TestS3;
  let a: MediaApp;
  let b: MediaApp;
  before(async () => {
    s3 = await startS3rver('pm-shared');
    a = await startMediaApp({ dsn: POSTGRES_URL }, { dbSchema: schema, env: s3.env });
    // The second instance gets its own token for the same user table.
    b = await startMediaApp({ dsn: POSTGRES_URL }, { dbSchema: schema, env: s3.env, username: 'bea' });
  });
  after(async () => {
    await a?.app.db.execScript(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await a?.close();
    await b?.close();
    await s3?.close();
  });

  it('serves on one instance what was uploaded through the other, and forgets it after a delete there', async () => {
    const r = await a.upload('shared.png', await png(700, 500), { alt: 'Shared' });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const onB = await b.get(r.json.url);
    assert.equal(onB.statusCode, 200);
    assert.equal(onB.headers['content-type'], 'image/png');
    assert.equal((await b.api('GET', `/pm/api/media/${r.json.mediaId}`)).json.alt, 'Shared');
    assert.equal((await b.api('DELETE', `/pm/api/media/${r.json.mediaId}`)).status, 204);
    await new Promise((res) => setTimeout(res, 2100)); // a's memory of the file lasts at most 2 s
    assert.equal((await a.get(r.json.url)).statusCode, 404);
  });

  it('two uploads at once on two instances cannot both pass the quota', async () => {
    const used = (await a.api('GET', '/pm/api/media-quota')).json.usedBytes;
    const pic = await png(1200, 900, '#123456');
    await a.api('PUT', '/pm/api/media-quota', { limitBytes: used + Math.round(pic.length * 1.5) });
    const [x, y] = await Promise.all([a.upload('one.png', pic, { wait: false }), b.upload('two.png', pic, { wait: false })]);
    assert.deepEqual([x.status, y.status].sort(), [202, 413], `${JSON.stringify(x.json)} ${JSON.stringify(y.json)}`);
    const refused = x.status === 413 ? x : y;
    assert.equal(refused.json.code, 'PM_ERR_QUOTA_EXCEEDED');
    await a.settled();
    await b.settled();
    const q = (await a.api('GET', '/pm/api/media-quota')).json;
    const items = (await a.api('GET', '/pm/api/media')).json.items;
    assert.equal(mediaBytes(q), items.reduce((n: number, i: { bytes: number }) => n + i.bytes, 0));
    await a.api('PUT', '/pm/api/media-quota', { limitBytes: null });
  });
});
