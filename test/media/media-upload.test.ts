/**
 * Uploads through the JSON API, as a script or the dashboard's picker sends
 * them: what is stored, what is served, and every bad file refused with a
 * clear error and nothing stored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { cameraJpeg, gif, HTML_AS_JPG, PDF, png, pngBomb, SVG_WITH_SCRIPT, webp } from './fixtures.js';
import { startS3rver, type TestS3 } from '../helpers/s3rver.js';
import { startMediaApp, type MediaApp } from './media-harness.js';

/** The quota's files part (pages and posts count beside it). */
const mediaBytes = (q: { parts: { part: string; bytes: number }[] }) => q.parts.find((p) => p.part === 'media')!.bytes;

describe('media uploads', () => {
  let t: MediaApp;
  before(async () => void (t = await startMediaApp()));
  after(() => t?.close());

  async function nothingStored() {
    const list = await t.api('GET', '/pm/api/media');
    assert.deepEqual(list.json.items, []);
    assert.deepEqual(t.storedFiles(), []);
    assert.equal(mediaBytes((await t.api('GET', '/pm/api/media-quota')).json), 0);
  }

  it('refuses bad files with a clear error and stores nothing', async () => {
    const cases: [string, Buffer, number, string, RegExp][] = [
      ['holiday.jpg', HTML_AS_JPG, 415, 'PM_ERR_MEDIA_TYPE', /not a JPEG, PNG, WebP, AVIF or GIF picture, nor a PDF/],
      ['logo.svg', SVG_WITH_SCRIPT, 415, 'PM_ERR_MEDIA_TYPE', /SVG pictures can carry script/],
      ['bomb.png', pngBomb(), 413, 'PM_ERR_MEDIA_PIXELS', /20000×20000 pixels; pictures may have at most 50 megapixels/],
      ['empty.jpg', Buffer.alloc(0), 400, 'PM_ERR_MEDIA_EMPTY', /empty/],
    ];
    const jpg = await cameraJpeg();
    cases.push(['cut.jpg', jpg.subarray(0, Math.floor(jpg.length * 0.6)), 422, 'PM_ERR_MEDIA_UNREADABLE', /cut off/]);
    for (const [name, body, status, code, message] of cases) {
      const started = Date.now();
      const r = await t.upload(name, body);
      assert.equal(r.status, status, `${name}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.code, code, name);
      assert.match(r.json.message, message, name);
      if (code === 'PM_ERR_MEDIA_PIXELS') assert.ok(Date.now() - started < 2000, 'the bomb is refused from its header, not decoded');
    }
    await nothingStored();
  });

  it('stores a camera JPEG upright, without EXIF or GPS, in several widths and formats', async () => {
    const r = await t.upload('IMG_0001.jpg', await cameraJpeg(640, 480), { alt: 'A red and blue card' });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const m = r.json;
    assert.equal(m.status, 'ready');
    assert.equal(m.mime, 'image/jpeg');
    // Orientation 6 applied: the 640×480 sensor picture stands 480×640.
    assert.deepEqual([m.width, m.height], [480, 640]);
    assert.equal(m.alt, 'A red and blue card');
    assert.match(m.url, /^\/pm-uploads\/[0-9A-Z]{26}\/img-0001\.jpg$/);
    const formats = new Set(m.variants.map((v: { format: string }) => v.format));
    assert.deepEqual([...formats].sort(), ['avif', 'jpg', 'webp']);
    assert.deepEqual([...new Set<number>(m.variants.map((v: { width: number }) => v.width))].sort((a, b) => a - b), [320, 480]);

    for (const v of m.variants) {
      const res = await t.get(v.url);
      assert.equal(res.statusCode, 200, v.url);
      assert.equal(res.headers['content-type'], v.format === 'jpg' ? 'image/jpeg' : `image/${v.format}`);
      const meta = await sharp(res.rawPayload).metadata();
      assert.equal(meta.width, v.width);
      assert.equal(meta.exif, undefined, `${v.url} carries no EXIF`);
      assert.ok(!res.rawPayload.toString('latin1').includes('Secret Model X'), `${v.url} names no camera`);
      assert.ok(meta.orientation === undefined || meta.orientation === 1);
    }
    // The red half was on the left of the sensor: turned a quarter clockwise, it is on top.
    const full = await t.get(m.url);
    const { data } = await sharp(full.rawPayload).raw().toBuffer({ resolveWithObject: true });
    assert.ok(data[0] > 150 && data[2] < 100, `top-left pixel is red, got ${data[0]},${data[1]},${data[2]}`);
    const list = await t.api('GET', '/pm/api/media');
    assert.equal(list.json.total, 1);
    const quota = (await t.api('GET', '/pm/api/media-quota')).json;
    assert.equal(mediaBytes(quota), m.bytes);
    assert.equal(mediaBytes(quota), m.variants.reduce((n: number, v: { bytes: number }) => n + v.bytes, 0));
    assert.equal(quota.limitBytes, null, 'the primary site has no limit by default');
  });

  it('serves with ETag, type, nosniff, immutable caching for fingerprinted names, and ranges', async () => {
    const { json: m } = await t.upload('range.png', await png(800, 600));
    const fp = m.variants.find((v: { format: string; width: number }) => v.format === 'png' && v.width === 800).url;
    const a = await t.get(fp);
    assert.equal(a.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(a.headers['x-content-type-options'], 'nosniff');
    assert.equal(a.headers['accept-ranges'], 'bytes');
    assert.equal(a.headers['content-disposition'], undefined, 'pictures show inline');
    const stable = await t.get(m.url);
    assert.equal(stable.headers['cache-control'], 'public, max-age=0, must-revalidate');
    assert.deepEqual(stable.rawPayload, a.rawPayload);
    assert.equal((await t.get(m.url, { 'if-none-match': String(a.headers.etag) })).statusCode, 304);
    const part = await t.get(fp, { range: 'bytes=0-99' });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], `bytes 0-99/${a.rawPayload.length}`);
    assert.deepEqual(part.rawPayload, a.rawPayload.subarray(0, 100));
    const tail = await t.get(fp, { range: 'bytes=-10' });
    assert.deepEqual(tail.rawPayload, a.rawPayload.subarray(-10));
    assert.equal((await t.get(fp, { range: `bytes=${a.rawPayload.length + 5}-` })).statusCode, 416);
    // Nothing else under the file's folder is served: not the source, not a guessed name.
    for (const bad of [m.url.replace('.png', '.webp'), fp.replace(/[0-9a-f]{12}/, '000000000000'), `${m.url}/../x`, '/pm-uploads/../pagemanager.db', '/pm-uploads/' + m.mediaId + '/source-x']) {
      assert.equal((await t.get(bad)).statusCode, 404, bad);
    }
  });

  it('takes PNG, WebP, GIF and PDF; a PDF is a download', async () => {
    for (const [name, body, mime] of [['a.png', await png(), 'image/png'], ['b.webp', await webp(), 'image/webp'], ['c.gif', await gif(), 'image/gif'], ['Menu (été).pdf', PDF, 'application/pdf']] as const) {
      const r = await t.upload(name, body);
      assert.equal(r.status, 201, `${name}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.mime, mime);
      const res = await t.get(r.json.url);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], mime);
      if (mime === 'application/pdf') {
        assert.equal(res.headers['content-disposition'], `attachment; filename="menu-ete.pdf"; filename*=UTF-8''Menu%20(%C3%A9t%C3%A9).pdf`);
        assert.match(String(res.headers['content-security-policy']), /sandbox/);
        assert.deepEqual(res.rawPayload, PDF);
      }
    }
  });

  it('keeps a name with ../ and unicode for people and builds a safe address from it', async () => {
    const r = await t.upload('../../etc/Ünïcødé café ☕.png', await png(20, 20));
    assert.equal(r.status, 201);
    assert.equal(r.json.name, 'Ünïcødé café ☕.png');
    assert.match(r.json.url, /^\/pm-uploads\/[0-9A-Z]{26}\/unic-de-cafe\.png$/, "ø has no ASCII letter in it: it becomes a dash");
    for (const f of t.storedFiles()) assert.ok(f.startsWith(t.dir + '/pm-uploads/'), f);
    const found = await t.api('GET', '/pm/api/media?q=' + encodeURIComponent('café'));
    assert.deepEqual(found.json.items.map((i: { name: string }) => i.name), ['Ünïcødé café ☕.png']);
  });

  it('filters by type and searches name and alt', async () => {
    const docs = await t.api('GET', '/pm/api/media?type=document');
    assert.ok(docs.json.items.length >= 1);
    assert.ok(docs.json.items.every((i: { kind: string }) => i.kind === 'document'));
    const byAlt = await t.api('GET', '/pm/api/media?q=red%20and%20blue');
    assert.deepEqual(byAlt.json.items.map((i: { name: string }) => i.name), ['IMG_0001.jpg']);
    assert.equal((await t.api('GET', '/pm/api/media?type=video')).status, 400);
  });
});

describe('media uploads into an S3-compatible bucket (s3rver)', () => {
  let s3: TestS3;
  let t: MediaApp;
  before(async () => {
    s3 = await startS3rver('pm-media');
    t = await startMediaApp({}, { env: s3.env });
  });
  after(async () => {
    await t?.close();
    await s3?.close();
  });

  it('stores the variants in the bucket, serves them, and deletes them all', async () => {
    const r = await t.upload('bucket.jpg', await cameraJpeg(800, 600), { alt: 'In the bucket' });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.deepEqual(t.storedFiles(), [], 'nothing in the data folder');
    for (const v of r.json.variants) {
      const res = await t.get(v.url);
      assert.equal(res.statusCode, 200, v.url);
      assert.equal((await sharp(res.rawPayload).metadata()).width, v.width);
    }
    const part = await t.get(r.json.url, { range: 'bytes=0-9' });
    assert.equal(part.statusCode, 206);
    assert.equal(part.rawPayload.length, 10);
    assert.equal((await t.api('DELETE', `/pm/api/media/${r.json.mediaId}`)).status, 204);
    assert.equal((await t.get(r.json.variants[0].url)).statusCode, 404);
    const { createUploadStorage } = await import('../../src/files/index.js');
    const bucket = createUploadStorage('/unused', s3.env);
    assert.deepEqual(await bucket.list(''), [], 'the bucket is empty again');
    await bucket.close();
  });
});
