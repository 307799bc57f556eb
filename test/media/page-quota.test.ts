/**
 * Pages count against the site's quota as they are written, on SQLite and PostgreSQL alike: the
 * core keeps a byte counter per site (pm_site_usage) that the page and template-URL stores move
 * in the write's own transaction, so it always equals a scan of what is stored. A page write that
 * would pass the quota is refused naming it, through both doors (the JSON API: 413; the URL
 * dashboard: the form again, with what was typed), with nothing stored; deleting frees the space.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { APP_DIALECTS } from '../helpers/app.js';
import { Client, decode, inputValue } from '../dashboard/dashboard-harness.js';
import { sql } from '../../src/store/kysely.js';
import { startMediaApp, type MediaApp } from './media-harness.js';

type Part = { part: string; bytes: number };
const partOf = (q: { parts: Part[] }, name: string) => q.parts.find((p) => p.part === name)?.bytes;
const ABOUT = { _pm_mode: 'new', _pm_theme: 'daybreak', _pm_template: 'about' };

for (const { name: dialect, skip } of APP_DIALECTS) {
  describe(`pages count against the quota as they are written [${dialect}]`, { skip }, () => {
    let t: MediaApp;
    let maya: Client;
    before(async () => {
      t = await startMediaApp({}, { dialect });
      maya = new Client(t.app);
      for (const pair of (await t.login('maya', 'a long passphrase')).split(/;\s*/)) {
        const eq = pair.indexOf('=');
        if (eq > 0) maya.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
    });
    after(() => t?.close());
    const quota = async () => (await t.api('GET', '/pm/api/media-quota')).json as { limitBytes: number | null; usedBytes: number; parts: Part[] };
    /** What the old scan measured: every stored page's gzipped HTML and every template URL's data. */
    const scanned = async () => {
      const one = async (q: ReturnType<typeof sql<{ n: number | string }>>) => Number((await t.app.db.get(q))?.n ?? 0);
      const html = await one(sql<{ n: number | string }>`SELECT coalesce(sum(coalesce(octet_length(gz), 0)), 0) AS n FROM pm_page WHERE site_id = ${t.siteId}`);
      const data = await one(sql<{ n: number | string }>`SELECT coalesce(sum(octet_length(data)), 0) AS n FROM pm_template_url WHERE site_id = ${t.siteId}`);
      return html + data;
    };
    const put = (path: string, data: unknown) => t.api('PUT', `/pm/api/template-urls?url=${path}`, { themeId: 'daybreak', templateName: 'about', data });

    it('the counter equals a scan after saves, stored pages, redirects, renames and deletes', async () => {
      assert.equal(partOf(await quota(), 'pages'), await scanned(), 'from the start (the migration set it from a scan)');
      const steps: [string, () => Promise<unknown>][] = [
        ['a template page', () => put('/glazes', { title: 'Glazes', body: 'Ash and feldspar. '.repeat(200) })],
        ['saved again, shorter', () => put('/glazes', { title: 'Glazes', body: 'Ash. '.repeat(20) })],
        ['unicode data', () => put('/été', { title: 'Été', body: 'Chaleur, émail, ŝtono — 陶器. '.repeat(50) })],
        ['a stored page', () => t.api('PUT', '/pm/api/pages?url=/raw', { html: '<h1>Raw</h1>' + '<p>Clay</p>'.repeat(300) })],
        ['a redirect over it', () => t.api('PUT', '/pm/api/redirects?url=/raw', { target: '/glazes' })],
        ['a rename', () => maya.post('/pm/urls/rename', { path: '/glazes', lang: '', to: '/the-glazes', leaveRedirect: '1' })],
        ['a delete', () => t.api('DELETE', '/pm/api/template-urls?url=/%C3%A9t%C3%A9')],
        ['a stored page deleted', () => t.api('DELETE', '/pm/api/pages?url=/raw')],
      ];
      for (const [what, step] of steps) {
        const r = (await step()) as { status?: number; statusCode?: number; json?: unknown };
        assert.ok((r.status ?? r.statusCode ?? 0) < 400, `${what}: ${JSON.stringify(r.json ?? '')}`);
        assert.equal(partOf(await quota(), 'pages'), await scanned(), `after ${what}`);
      }
      assert.ok((await t.app.templates.get(t.siteId, '', '/the-glazes')) !== undefined, 'the rename happened');
    });

    it('refuses a page write over the quota through the API, naming it, with nothing stored; deleting frees the space', async () => {
      const before = await quota();
      const body = 'A long paragraph about kilns and how they fire. '.repeat(400);
      // Room for a little more, not for this page.
      await t.api('PUT', '/pm/api/media-quota', { limitBytes: before.usedBytes + 2000 });
      const r = await put('/kilns', { title: 'Kilns', body });
      assert.equal(r.status, 413, JSON.stringify(r.json));
      assert.equal(r.json.code, 'PM_ERR_QUOTA_EXCEEDED');
      assert.match(r.json.message, /storage quota of .* used: media .*, pages .*; .* more needed/);
      assert.equal(await t.app.templates.get(t.siteId, '', '/kilns'), undefined, 'no data');
      assert.equal(await t.app.pages.get(t.siteId, '', '/kilns'), undefined, 'no page');
      assert.equal((await t.get('/kilns')).statusCode, 404);
      assert.equal((await quota()).usedBytes, before.usedBytes, 'nothing counted');
      assert.equal(partOf(await quota(), 'pages'), await scanned());

      // A stored page and a bigger save of an existing page are refused the same way; the old one stays.
      // (Random text: repeated words would gzip to nearly nothing.)
      const raw = await t.api('PUT', '/pm/api/pages?url=/raw-kilns', { html: `<p>${randomBytes(6000).toString('base64')}</p>` });
      assert.equal(raw.status, 413, JSON.stringify(raw.json));
      assert.equal(await t.app.pages.get(t.siteId, '', '/raw-kilns'), undefined);
      const old = await t.app.templates.get(t.siteId, '', '/the-glazes');
      const grow = await put('/the-glazes', { title: 'Glazes', body });
      assert.equal(grow.status, 413);
      assert.deepEqual((await t.app.templates.get(t.siteId, '', '/the-glazes'))?.data, old?.data, 'the old data stays');
      assert.equal(partOf(await quota(), 'pages'), await scanned());

      // A smaller write still passes; with room, the refused page fits, and deleting it gives its bytes back.
      const small = await put('/the-glazes', { title: 'Glazes', body: 'Ash.' });
      assert.ok(small.status < 300, JSON.stringify(small.json));
      const freed = await quota();
      assert.ok(partOf(freed, 'pages')! < partOf(before, 'pages')!, 'the pages take less (the replaced version went to the revisions)');
      await t.api('PUT', '/pm/api/media-quota', { limitBytes: freed.usedBytes + body.length * 3 });
      assert.ok((await put('/kilns', { title: 'Kilns', body })).status < 300);
      const d = await t.api('DELETE', '/pm/api/template-urls?url=/kilns');
      assert.ok(d.status < 300, JSON.stringify(d.json));
      assert.equal(partOf(await quota(), 'pages'), partOf(freed, 'pages'), 'the delete gave back what the page took (its data went to the trash, page history)');
      assert.equal(partOf(await quota(), 'pages'), await scanned());
      await t.api('PUT', '/pm/api/media-quota', { limitBytes: null });
    });

    it('the URL dashboard refuses it too, showing the form again with what was typed', async () => {
      const q = await quota();
      await t.api('PUT', '/pm/api/media-quota', { limitBytes: q.usedBytes + 500 });
      const body = 'Typed by hand, about throwing bowls. '.repeat(300);
      const r = await maya.post('/pm/urls/save', { ...ABOUT, _pm_path: '/bowls', _pm_lang: '', title: 'Bowls', body });
      assert.equal(r.statusCode, 413);
      const page = decode(r.body);
      assert.match(page, /Nothing was saved: This would pass the site’s storage quota of/);
      assert.equal(inputValue(r.body, 'title'), 'Bowls', 'what was typed is kept');
      assert.ok(page.includes(body.trim()), 'the body too');
      assert.equal(await t.app.templates.get(t.siteId, '', '/bowls'), undefined);
      assert.equal(await t.app.pages.get(t.siteId, '', '/bowls'), undefined);
      assert.equal((await quota()).usedBytes, q.usedBytes);

      const media = await t.get('/pm/media', { authorization: `Bearer ${t.token}` });
      assert.equal(media.statusCode, 200);
      assert.match(media.body, /Storage: [\d.]+ [KM]?B of [\d.]+ [KM]?B used \(\d+%\)/);
      for (const label of ['Files', 'Pages', 'Blog posts', 'Page revisions and trash']) assert.ok(media.body.includes(label), label);
      await t.api('PUT', '/pm/api/media-quota', { limitBytes: null });
    });

    it('a post over the quota is refused before anything of it is stored; renders of what is stored are counted, not refused', async () => {
      const made = await t.api('POST', '/pm/api/posts', { title: 'Small', body: 'A short note on kilns.', status: 'published' });
      assert.equal(made.status, 201, JSON.stringify(made.json));
      const q = await quota();
      await t.api('PUT', '/pm/api/media-quota', { limitBytes: q.usedBytes + 3000 });
      const big = await t.api('POST', '/pm/api/posts', { title: 'Big', body: randomBytes(20_000).toString('base64'), status: 'published' });
      assert.equal(big.status, 413, JSON.stringify(big.json));
      assert.equal((big.json as { code: string }).code, 'PM_ERR_QUOTA_EXCEEDED');
      const posts = (await t.api('GET', '/pm/api/posts')).json as { posts: { title: string }[] };
      assert.deepEqual(posts.posts.map((p) => p.title).filter((x) => x === 'Big'), [], 'no post stored');
      assert.equal(await t.app.pages.get(t.siteId, '', '/blog/big'), undefined, 'no page stored');
      // Over the limit now (a limit below what is stored): a re-render of the stored post still happens, and is counted.
      await t.api('PUT', '/pm/api/media-quota', { limitBytes: 1 });
      const before = (await t.app.pages.get(t.siteId, '', '/blog/small'))!;
      const edited = await t.api('PATCH', `/pm/api/posts/${(made.json as { post: { postId: string } }).post.postId}`, { title: 'Tiny' });
      assert.equal(edited.status, 200, `an edit that adds almost nothing passes: ${JSON.stringify(edited.json)}`);
      const after = (await t.app.pages.get(t.siteId, '', '/blog/small'))!;
      assert.notEqual(after.etag, before.etag, 'its page was rendered again, over the limit, and stored');
      assert.equal((await quota()).parts.find((p) => p.part === 'pages')!.bytes, await scanned(), 'counted as written');
      await t.api('PUT', '/pm/api/media-quota', { limitBytes: null });
    });
  });
}
