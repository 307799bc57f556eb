/**
 * /sitemap.xml lists every public page, template URL and published post with
 * lastmod and hreflang alternates, and nothing a visitor should not find;
 * an index past max_urls; /robots.txt names it and is edited in the
 * dashboard; each site of a multisite server has its own.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { Element } from 'domhandler';
import { startTestApp } from '../helpers/app.js';
import { forEachBlog } from '../blog/blog-fixture.js';

const locs = (xmlText: string) => (DomUtils.getElementsByTagName('loc', parseDocument(xmlText, { xmlMode: true }) as never, true) as Element[]).map((n) => DomUtils.textContent(n).trim());

forEachBlog('the sitemap lists public pages and published posts, nothing else', async (f) => {
  const { app } = f.t;
  const site = f.siteId;
  await app.siteService.update(site, { enabledLocales: ['en', 'fr'] });
  const save = async (langcode: string, urlPath: string, data: Record<string, unknown>) => assert.deepEqual(await app.templates.save({ siteId: site, langcode, urlPath, themeId: 'daybreak', templateName: 'about', data }), { ok: true });
  await save('', '/about', { title: 'About', body: 'Us.' });
  await save('fr', '/about', { title: 'À propos', body: 'Nous.' });
  await save('', '/secret-plans', { title: 'Plans', body: 'x', seo: { noindex: true } });
  await app.pages.set(site, '', '/hidden', '<p>h</p>', { hidden: true });
  await app.pages.redirect(site, '', '/old', '/about', 301);
  await app.pages.alias(site, '', '/also-about', '/about');
  for (const body of [
    { title: 'Published post', status: 'published' },
    { title: 'Draft post' },
    { title: 'Scheduled post', status: 'scheduled', publishAt: new Date(Date.now() + 3_600_000).toISOString() },
    { title: 'Quiet post', status: 'published', noindex: true },
  ]) assert.equal((await f.api('editor', 'POST', '/pm/api/posts', body)).statusCode, 201);

  const res = await f.visit('/sitemap.xml', { host: 'pots.example' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /application\/xml/);
  const urls = locs(res.body);
  const base = 'http://pots.example';
  for (const u of ['/', '/about', '/fr/about', '/blog', '/blog/published-post', '/blog/author/edith']) assert.ok(urls.includes(base + u), `lists ${u}: ${urls.join(' ')}`);
  for (const u of ['/secret-plans', '/hidden', '/old', '/also-about', '/blog/draft-post', '/blog/scheduled-post', '/blog/quiet-post', '/pm/urls', '/pm-blog-home', '/pm-url-dashboard']) {
    assert.ok(!urls.some((x) => x === base + u), `leaves out ${u}`);
  }
  assert.ok(!urls.some((u) => u.includes('/pm/')), 'nothing of the dashboard');
  const doc = parseDocument(res.body, { xmlMode: true });
  const about = (DomUtils.getElementsByTagName('url', doc as never, true) as Element[]).find((u) => DomUtils.textContent(DomUtils.getElementsByTagName('loc', u as never)[0]).trim() === `${base}/about`)!;
  assert.ok(Number.isFinite(Date.parse(DomUtils.textContent(DomUtils.getElementsByTagName('lastmod', about as never)[0]))));
  const alts = (DomUtils.getElementsByTagName('xhtml:link', about as never) as Element[]).map((l) => `${l.attribs.hreflang}=${l.attribs.href}`).sort();
  assert.deepEqual(alts, [`en=${base}/about`, `fr=${base}/fr/about`]);
  // A change shows at once.
  await save('', '/contact-us', { title: 'Contact', body: 'Write.' });
  assert.ok(locs((await f.visit('/sitemap.xml', { host: 'pots.example' })).body).includes(`${base}/contact-us`));
});

test('past max_urls the sitemap is an index of parts; robots.txt names it and is edited under Site settings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pm-sitemap-'));
  writeFileSync(join(dir, 'config.toml'), '[plugins.sitemap]\nmax_urls = 3\n');
  const t = await startTestApp({}, { dir });
  try {
    for (let i = 0; i < 7; i++) await t.app.pages.set(t.siteId, '', `/p${i}`, `<p>${i}</p>`);
    const index = (await t.app.http.inject({ url: '/sitemap.xml', headers: { host: 'pots.example' } })).body;
    assert.match(index, /<sitemapindex /);
    const parts = locs(index);
    assert.ok(parts.length >= 3);
    let seen: string[] = [];
    for (const p of parts) {
      const r = await t.app.http.inject({ url: new URL(p).pathname, headers: { host: 'pots.example' } });
      assert.equal(r.statusCode, 200, p);
      const l = locs(r.body);
      assert.ok(l.length <= 3);
      seen = seen.concat(l);
    }
    for (let i = 0; i < 7; i++) assert.ok(seen.includes(`http://pots.example/p${i}`));
    assert.equal((await t.app.http.inject({ url: '/sitemap-99.xml' })).statusCode, 404);

    const robots = await t.app.http.inject({ url: '/robots.txt', headers: { host: 'pots.example' } });
    assert.match(String(robots.headers['content-type']), /text\/plain/);
    assert.match(robots.body, /Disallow: \/pm\//);
    assert.match(robots.body, /Sitemap: http:\/\/pots\.example\/sitemap\.xml/);

    await t.user('root', 'root passphrase', 'admin');
    const cookie = await t.login('root', 'root passphrase');
    const form = await t.app.http.inject({ url: '/pm/settings/robots', headers: { cookie } });
    assert.equal(form.statusCode, 200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1];
    const post = (body: string) => t.app.http.inject({ method: 'POST', url: '/pm/settings/robots', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:80' }, payload: new URLSearchParams({ _csrf: csrf, body }).toString() });
    assert.equal((await post('User-agent: *\nDisallow: /drafts/\n')).statusCode, 303);
    const mine = (await t.app.http.inject({ url: '/robots.txt', headers: { host: 'pots.example' } })).body;
    assert.match(mine, /Disallow: \/drafts\//);
    assert.match(mine, /Sitemap: http:\/\/pots\.example\/sitemap\.xml/, 'the sitemap line is added');
    // A bad text is refused beside the field and the stored one stays.
    const bad = await post('User-agent: *\u0000');
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /control characters/);
    assert.match((await t.app.http.inject({ url: '/robots.txt' })).body, /Disallow: \/drafts\//);
    // An editor may not change it.
    await t.user('ed', 'ed passphrase', 'editor');
    const ed = await t.app.http.inject({ url: '/pm/settings/robots', headers: { cookie: await t.login('ed', 'ed passphrase') } });
    assert.equal(ed.statusCode, 403);
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('multisite: each site has its own sitemap and robots.txt', async () => {
  const t = await startTestApp({ mode: 'multisite', baseDomain: 'example.com' });
  try {
    const bob = await t.app.siteService.create({ tildePrefix: 'bob', title: 'Bob' });
    await t.app.pages.set(bob.siteId, '', '/bobs-page', '<p>bob</p>');
    await t.app.pages.set(t.siteId, '', '/main-page', '<p>main</p>');
    const bobUrls = locs((await t.app.http.inject({ url: '/~bob/sitemap.xml', headers: { host: 'example.com' } })).body);
    assert.ok(bobUrls.includes('http://example.com/~bob/bobs-page'), bobUrls.join(' '));
    assert.ok(!bobUrls.some((u) => u.includes('main-page')));
    const mainUrls = locs((await t.app.http.inject({ url: '/sitemap.xml', headers: { host: 'example.com' } })).body);
    assert.ok(mainUrls.includes('http://example.com/main-page'));
    assert.ok(!mainUrls.some((u) => u.includes('bobs-page')));
    assert.match((await t.app.http.inject({ url: '/~bob/robots.txt', headers: { host: 'example.com' } })).body, /Sitemap: http:\/\/example\.com\/~bob\/sitemap\.xml/);
  } finally {
    await t.close();
  }
});
