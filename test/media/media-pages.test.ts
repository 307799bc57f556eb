/**
 * Pictures in pages: a theme's image field renders <picture> with srcset,
 * width and height; the library knows where each file is used, refuses to
 * delete it while used, and a replacement reaches the page. Quotas refuse a
 * write that would pass them with nothing stored.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { cameraJpeg, png } from './fixtures.js';
import { startMediaApp, type MediaApp } from './media-harness.js';

/** The quota's files part (pages and posts count beside it). */
const mediaBytes = (q: { parts: { part: string; bytes: number }[] }) => q.parts.find((p) => p.part === 'media')!.bytes;

async function pageHtml(t: MediaApp, url: string): Promise<string> {
  const r = await t.get(url, { 'accept-encoding': 'gzip' });
  assert.equal(r.statusCode, 200, url);
  return r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.rawPayload).toString('utf8') : r.body;
}

describe('pictures in pages', () => {
  let t: MediaApp;
  before(async () => void (t = await startMediaApp()));
  after(() => t?.close());

  it('renders an uploaded picture with srcset, sizes, width and height, and refuses to delete it while used', async () => {
    const { json: m } = await t.upload('Potter at the wheel.jpg', await cameraJpeg(2000, 1500), { alt: 'A potter at the wheel' });
    assert.equal(m.status, 'ready');
    const put = await t.api('PUT', '/pm/api/template-urls?url=/', { themeId: 'daybreak', templateName: 'home', data: { heading: 'Hello', heroImage: m.url } });
    assert.ok(put.status < 300, JSON.stringify(put.json));
    await t.settled(); // the page index is written
    const html = await pageHtml(t, '/');
    const pic = /<picture>[\s\S]*?<\/picture>/.exec(html)?.[0] ?? '';
    assert.match(pic, /<source type="image\/avif" srcset="[^"]*-w320\.avif 320w, [^"]*-w640\.avif 640w, [^"]*-w1024\.avif 1024w[^"]*" sizes="\(min-width: 60rem\) 40vw, 100vw">/);
    assert.match(pic, /<source type="image\/webp" srcset="[^"]*-w320\.webp 320w/);
    assert.match(pic, /<img src="\/pm-uploads\/[0-9A-Z]{26}\/[0-9a-f]{12}\/potter-at-the-wheel-full\.jpg" srcset="[^"]*-w320\.jpg 320w, [^"]*1500w" sizes="[^"]+" width="1500" height="2000" alt="A potter at the wheel" class="arch"/);
    for (const u of pic.match(/\/pm-uploads\/[^\s",]+/g) ?? []) assert.equal((await t.get(u)).statusCode, 200, u);

    const details = await t.api('GET', `/pm/api/media/${m.mediaId}`);
    assert.deepEqual(details.json.usedOn, [{ langcode: '', urlPath: '/' }]);
    const del = await t.api('DELETE', `/pm/api/media/${m.mediaId}`);
    assert.equal(del.status, 409);
    assert.equal(del.json.code, 'PM_ERR_MEDIA_IN_USE');
    assert.match(del.json.message, /used on \//);
    assert.equal((await t.get(m.url)).statusCode, 200, 'still served');
  });

  it('replacing a picture re-renders the pages that show it; the old version is gone', async () => {
    const { json: m } = await t.upload('logo.png', await png(1200, 600, '#c33'), { alt: 'Our logo' });
    await t.api('PUT', '/pm/api/template-urls?url=/about', { themeId: 'daybreak', templateName: 'about', data: { title: 'About', body: 'Hi', portrait: m.url } });
    await t.settled();
    const before = await pageHtml(t, '/about');
    const oldVersion = /\/pm-uploads\/[0-9A-Z]{26}\/([0-9a-f]{12})\//.exec(before)?.[1];
    assert.ok(oldVersion);
    const mp = (await import('./fixtures.js')).multipart([{ name: 'file', filename: 'logo-new.png', body: await png(900, 900, '#3c3') }]);
    const rep = await t.app.http.inject({ method: 'PUT', url: `/pm/api/media/${m.mediaId}/file?wait=true`, headers: { ...mp.headers, authorization: `Bearer ${t.token}`, host: '127.0.0.1' }, payload: mp.payload });
    assert.equal(rep.statusCode, 200, rep.body);
    const after = rep.json();
    assert.notEqual(after.variants[0].url, m.variants[0].url);
    assert.deepEqual([after.width, after.height], [900, 900]);
    assert.equal(after.url, m.url, 'the address pages store stays the same');
    const html = await pageHtml(t, '/about');
    assert.ok(!html.includes(oldVersion), 'the page names the new version');
    assert.match(html, /width="900" height="900"/);
    assert.equal((await t.get(m.variants[0].url)).statusCode, 404, 'the old version is deleted');
    const quota = (await t.api('GET', '/pm/api/media-quota')).json;
    const all = (await t.api('GET', '/pm/api/media')).json.items;
    assert.equal(mediaBytes(quota), all.reduce((n: number, i: { bytes: number }) => n + i.bytes, 0), 'the quota counts what is stored, nothing twice');
  });

  it('a file no page uses any more can be deleted: its files and its bytes go', async () => {
    const { json: m } = await t.upload('spare.png', await png(500, 400), { alt: 'A spare picture' });
    const before = mediaBytes((await t.api('GET', '/pm/api/media-quota')).json);
    await t.api('PUT', '/pm/api/template-urls?url=/spare', { themeId: 'daybreak', templateName: 'about', data: { title: 'Spare', body: 'x', portrait: m.url } });
    await t.settled();
    assert.equal((await t.api('DELETE', `/pm/api/media/${m.mediaId}`)).status, 409);
    await t.api('DELETE', '/pm/api/template-urls?url=/spare');
    await t.settled();
    assert.equal((await t.api('DELETE', `/pm/api/media/${m.mediaId}`)).status, 204);
    assert.equal((await t.get(m.url)).statusCode, 404);
    assert.ok(!t.storedFiles().some((f) => f.includes(m.mediaId)), 'no file of it is left');
    assert.equal(mediaBytes((await t.api('GET', '/pm/api/media-quota')).json), before - m.bytes);
  });

  it('refuses an upload over the quota with a clear error and stores nothing', async () => {
    const used = (await t.api('GET', '/pm/api/media-quota')).json.usedBytes;
    const filesBefore = t.storedFiles().length;
    const set = await t.api('PUT', '/pm/api/media-quota', { limitBytes: used + 1000 });
    assert.deepEqual([set.json.limitBytes, set.json.usedBytes], [used + 1000, used]);
    const r = await t.upload('big.jpg', await cameraJpeg(1600, 1200));
    assert.equal(r.status, 413);
    assert.equal(r.json.code, 'PM_ERR_QUOTA_EXCEEDED');
    assert.match(r.json.message, /storage quota of .* used: media .*; .* more needed/);
    assert.equal(t.storedFiles().length, filesBefore);
    assert.equal((await t.api('GET', '/pm/api/media-quota')).json.usedBytes, used);
    assert.equal((await t.api('PUT', '/pm/api/media-quota', { limitBytes: -5 })).status, 422);
    await t.api('PUT', '/pm/api/media-quota', { limitBytes: null });
    assert.equal((await t.upload('big.jpg', await cameraJpeg(1600, 1200))).status, 201);
  });

  it('refuses a 200 MB upload early, over a real socket, with nothing written', async () => {
    const { url } = await t.app.listen();
    const filesBefore = t.storedFiles().length;
    const total = 200 * 1024 * 1024;
    let sent = 0;
    const boundary = 'pmbig';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
    const chunk = Buffer.alloc(1024 * 1024, 0xff);
    const body = Readable.from((function* () {
      yield head;
      while (sent < total) {
        sent += chunk.length;
        yield chunk;
      }
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    })());
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(new URL('/pm/api/media', url), {
        method: 'POST',
        headers: { host: '127.0.0.1', authorization: `Bearer ${t.token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked', accept: 'application/json' },
      }, (r) => {
        let b = '';
        r.on('data', (d) => (b += d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body: b }));
      });
      req.on('error', (e) => (sent >= total ? reject(e) : undefined));
      body.pipe(req);
    });
    body.destroy();
    assert.equal(res.status, 413, res.body);
    assert.equal(JSON.parse(res.body).code, 'PM_ERR_PAYLOAD_TOO_LARGE');
    assert.match(JSON.parse(res.body).message, /larger than the 25 MB limit/);
    assert.ok(sent < 100 * 1024 * 1024, `the server stopped reading early (the client had sent ${Math.round(sent / 1048576)} MB)`);
    assert.equal(t.storedFiles().length, filesBefore);
  });
});
