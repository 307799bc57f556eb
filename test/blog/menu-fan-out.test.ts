/**
 * A menu change re-renders the pages that show that menu, and only those,
 * the blog's stored pages included (its posts, the first index, tag and
 * author pages): the blog hears of the change through server.menus.onChange.
 * The set is read from the page store's own change events.
 */
import assert from 'node:assert/strict';
import type { MenuRowInput } from '../../src/pages/menu-service.js';
import { forEachBlog } from './blog-fixture.js';

const DAY = 86_400_000;
const link = (label: string, url: string): MenuRowInput => ({ label, page: '', url, nested: false });
const headerHas = (body: string, label: string) => new RegExp(`<nav class="site-nav"[\\s\\S]*?>${label}</a>[\\s\\S]*?</nav>`).test(body);
const footerHas = (body: string, label: string) => new RegExp(`<nav class="footer-nav"[\\s\\S]*?>${label}</a>[\\s\\S]*?</nav>`).test(body);

forEachBlog('a menu change re-renders the blog’s stored pages of the languages that show it, and nothing else', async (f) => {
  const app = f.t.app;
  await app.siteService.update(f.siteId, { enabledLocales: ['en', 'fr'] });
  const save = (urlPath: string, templateName: string, data: unknown) => app.templates.save({ siteId: f.siteId, langcode: '', urlPath, themeId: 'daybreak', templateName, data });
  assert.ok((await save('/about', 'about', { title: 'About', body: 'Us.' })).ok);
  assert.ok((await save('/contact', 'contact', { title: 'Contact', nav: [{ label: 'Only here', url: '/' }] })).ok, 'a page with its own menu');
  const t0 = Date.now() - 20 * DAY;
  for (let i = 1; i <= 11; i++) {
    const r = await f.api('editor', 'POST', '/pm/api/posts', { title: `Post ${i}`, slug: `post-${i}`, body: `Text ${i}`, tags: i % 2 ? ['glaze', 'kiln'] : ['glaze'], status: 'published', publishAt: t0 + i * DAY });
    assert.equal(r.statusCode, 201, r.body);
  }
  assert.equal((await f.api('editor', 'POST', '/pm/api/posts', { title: 'Bonjour', body: 'Salut.', tags: ['four'], status: 'published', langcode: 'fr' })).statusCode, 201);
  assert.equal((await f.api('editor', 'POST', '/pm/api/posts', { title: 'Quiet draft', body: 'x', tags: ['glaze'] })).statusCode, 201);
  // A listing page past the first is rendered on request and kept until the blog's generation changes.
  assert.ok(!headerHas((await f.visit('/blog/page/2')).body, 'Workshops'));

  // The default language's primary menu: every page without its own menu, in English and in French (which has none of its own).
  let rerendered: { langcode: string; urlPath: string }[] = [];
  const primary = await f.changes(async () => {
    const r = await app.menus.save(f.siteId, '', 'primary', [link('Workshops', '/workshops')]);
    assert.ok(r.ok);
    rerendered = r.rerendered;
  });
  const posts = Array.from({ length: 11 }, (_, i) => `:/blog/post-${i + 1}`);
  const blogEn = [...posts, ':/blog', ':/blog/tag/glaze', ':/blog/tag/kiln', ':/blog/author/edith'];
  const blogFr = ['fr:/blog', 'fr:/blog/bonjour', 'fr:/blog/tag/four', 'fr:/blog/author/edith'];
  assert.deepEqual(primary, [':/', ':/about', 'fr:/', 'fr:/about', ...blogEn, ...blogFr].sort(), 'not /contact (its own menu), not the draft');
  assert.deepEqual([...new Set(rerendered.map((p) => `${p.langcode}:${p.urlPath}`))].sort(), primary, 'the save lists the blog’s pages with the template pages');
  for (const url of ['/blog/post-3', '/blog', '/blog/tag/kiln', '/blog/author/edith', '/fr/blog/bonjour', '/fr/blog']) {
    assert.ok(headerHas((await f.visit(url)).body, 'Workshops'), url);
  }
  assert.ok(headerHas((await f.visit('/blog/page/2')).body, 'Workshops'), 'a page rendered on request is rendered afresh');
  assert.ok(!headerHas((await f.visit('/contact')).body, 'Workshops'));

  // French gets a footer of its own: French pages only, /contact included (its own menu is the header's).
  const etag = async (lang: string, path: string) => (await app.pages.get(f.siteId, lang, path))?.etag;
  const before = await etag('', '/blog/post-3');
  const footer = await f.changes(async () => assert.ok((await app.menus.save(f.siteId, 'fr', 'footer', [link('Mentions légales', '/mentions')])).ok));
  assert.deepEqual(footer, ['fr:/', 'fr:/about', 'fr:/contact', ...blogFr].sort());
  assert.equal(await etag('', '/blog/post-3'), before, 'an English post is untouched');
  assert.ok(footerHas((await f.visit('/fr/blog/bonjour')).body, 'Mentions légales'));
  assert.ok(!footerHas((await f.visit('/blog/post-3')).body, 'Mentions légales'));

  // Going back to the default's footer in French: the same French pages again.
  const reset = await f.changes(() => app.menus.reset(f.siteId, 'fr', 'footer'));
  assert.deepEqual(reset, footer);
  assert.ok(!footerHas((await f.visit('/fr/blog/bonjour')).body, 'Mentions légales'));
});
