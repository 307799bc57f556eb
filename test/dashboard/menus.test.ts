import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decode, inputValue, shownErrors, startHarness, type Client, type Harness } from './dashboard-harness.js';

const PASSWORD = 'correct horse battery';

/** The header menu of a public page: [label, href] of every link, sub-links prefixed with "- ". */
function headerLinks(body: string): string[] {
  const nav = /<nav class="site-nav"[\s\S]*?<\/nav>/.exec(body)?.[0] ?? '';
  return [...nav.matchAll(/<li[^>]*>(\s*)<a href="([^"]*)"[^>]*>([^<]*)<\/a>/g)].map((m) => {
    const inSub = nav.slice(0, m.index).lastIndexOf('site-nav__sub') > nav.slice(0, m.index).lastIndexOf('</ul>');
    return `${inSub ? '- ' : ''}${decode(m[3])} ${decode(m[2])}`;
  });
}
function footerLinks(body: string): string[] {
  const nav = /<nav class="footer-nav"[\s\S]*?<\/nav>/.exec(body)?.[0] ?? '';
  return [...nav.matchAll(/<a href="([^"]*)"[^>]*>([^<]*)<\/a>/g)].map((m) => `${decode(m[2])} ${decode(m[1])}`);
}

/** The editor's rows as form fields. */
function rows(...items: { label?: string; page?: string; url?: string; nested?: boolean }[]): Record<string, string> {
  const out: Record<string, string> = {};
  items.forEach((it, i) => {
    out[`items[${i}][label]`] = it.label ?? '';
    out[`items[${i}][page]`] = it.page ?? '';
    out[`items[${i}][url]`] = it.url ?? '';
    if (it.nested) out[`items[${i}][nested]`] = '1';
  });
  return out;
}

describe('site menus', () => {
  let h: Harness;
  let ada: Client;
  const visit = (url: string) => h.app.http.inject({ url });
  const etagOf = async (lang: string, path: string) => (await h.app.pages.get(h.siteId, lang, path))?.etag;

  before(async () => {
    h = await startHarness();
    await h.user('ada', PASSWORD, 'superadmin');
    await h.user('eve', PASSWORD, 'editor');
    ada = await h.loggedIn('ada', PASSWORD);
    const save = (urlPath: string, templateName: string, data: unknown) =>
      h.app.templates.save({ siteId: h.siteId, langcode: '', urlPath, themeId: 'daybreak', templateName, data });
    await save('/about', 'about', { title: 'About the studio', body: 'We make pots.' });
    await save('/contact', 'contact', { title: 'Contact', nav: [{ label: 'Only here', url: '/' }] });
    await save('/work', 'gallery', { title: 'Work' });
  });
  after(() => h.close());

  test('the editor adds, reorders and nests links without JavaScript; nothing is stored until Save', async () => {
    const empty = await ada.get('/pm/menus');
    assert.equal(empty.statusCode, 200);
    assert.match(empty.body, /<h1>Menus<\/h1>/);
    assert.match(decode(empty.body), /<option value="\/about">About the studio \(\/about\)<\/option>/, 'pages are offered by their title');
    // Two links typed, then "Add another link": a third, empty row appears and nothing is stored.
    const two = rows({ label: 'About', page: '/about' }, { label: 'Shop', url: 'https://shop.example/' });
    const added = await ada.post('/pm/menus', { menu: 'primary', lang: '', ...two, _op: 'add' });
    assert.equal(added.statusCode, 200);
    assert.match(decode(added.body), /Not saved yet/);
    assert.equal(inputValue(added.body, 'items[1][url]'), 'https://shop.example/');
    assert.equal(inputValue(added.body, 'items[2][label]'), '');
    assert.equal(await h.app.menus.own(h.siteId, '', 'primary'), undefined);
    // ↑ on the second row swaps them.
    const moved = await ada.post('/pm/menus', { menu: 'primary', lang: '', ...two, _op: 'up:1' });
    assert.equal(inputValue(moved.body, 'items[0][label]'), 'Shop');
    assert.equal(inputValue(moved.body, 'items[1][label]'), 'About');
    // Save: Home, About with Work under it, Shop.
    const saved = await ada.post('/pm/menus', {
      menu: 'primary',
      lang: '',
      ...rows({ label: 'Home', page: '/' }, { label: 'About', page: '/about' }, { label: 'Work', page: '/work', nested: true }, { label: 'Shop', url: 'https://shop.example/' }, {}),
    });
    assert.equal(saved.statusCode, 303);
    const after = await ada.get(String(saved.headers.location));
    assert.match(decode(after.body), /Menu saved\. 3 pages were rendered again with it\./);
    assert.deepEqual(await h.app.menus.own(h.siteId, '', 'primary'), [
      { label: 'Home', url: '/' },
      { label: 'About', url: '/about', children: [{ label: 'Work', url: '/work' }] },
      { label: 'Shop', url: 'https://shop.example/' },
    ]);
    // The editor shows it back, page links as choices and the nested one ticked.
    assert.match(after.body, /<option value="\/work" selected>/);
    assert.match(after.body, /name="items\[2\]\[nested\]" value="1" checked/);
  });

  test('every kind of page shows it: template pages, the welcome page and the 404 page; a page’s own menu field wins', async () => {
    const expected = ['Home /', 'About /about', '- Work /work', 'Shop https://shop.example/'];
    assert.deepEqual(headerLinks((await visit('/')).body), expected, 'the welcome page');
    assert.deepEqual(headerLinks((await visit('/about')).body), expected);
    const missing = await visit('/no-such-page');
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(headerLinks(missing.body), expected, 'the 404 page');
    assert.deepEqual(headerLinks((await visit('/contact')).body), ['Only here /'], 'the page’s own nav field overrides the site menu');
  });

  test('a menu change re-renders exactly the pages that show it', async () => {
    const before = { home: await etagOf('', '/'), about: await etagOf('', '/about'), contact: await etagOf('', '/contact'), work: await etagOf('', '/work') };
    const r = await h.app.menus.save(h.siteId, '', 'primary', [
      { label: 'Home', page: '/', url: '', nested: false },
      { label: 'Studio', page: '/about', url: '', nested: false },
    ]);
    assert.ok(r.ok);
    // /contact has its own menu links: the primary menu is not on it, so it is not rendered again.
    assert.deepEqual(r.rerendered.map((p) => p.urlPath).sort(), ['/', '/about', '/work']);
    assert.notEqual(await etagOf('', '/about'), before.about);
    assert.notEqual(await etagOf('', '/work'), before.work);
    assert.equal(await etagOf('', '/contact'), before.contact, '/contact was not touched');
    assert.deepEqual(headerLinks((await visit('/about')).body), ['Home /', 'Studio /about']);
    // The footer menu is on every page, /contact included.
    const f = await h.app.menus.save(h.siteId, '', 'footer', [{ label: 'Email us', page: '', url: 'mailto:hello@example.com', nested: false }, { label: 'Call', page: '', url: 'tel:+331234', nested: false }]);
    assert.ok(f.ok);
    assert.deepEqual(f.rerendered.map((p) => p.urlPath).sort(), ['/', '/about', '/contact', '/work']);
    assert.deepEqual(footerLinks((await visit('/contact')).body), ['Email us mailto:hello@example.com', 'Call tel:+331234']);
    assert.notEqual(await etagOf('', '/contact'), before.contact);
  });

  test('menus are per language: a language without its own shows the default’s; its own changes only its pages', async () => {
    await h.app.siteService.update(h.siteId, { enabledLocales: ['en', 'fr'] });
    await h.app.templates.save({ siteId: h.siteId, langcode: 'fr', urlPath: '/about', themeId: 'daybreak', templateName: 'about', data: { title: 'L’atelier', body: 'Des pots.' } });
    assert.deepEqual(headerLinks((await visit('/fr/about')).body), ['Home /fr/', 'Studio /fr/about'], 'the default menu, with French addresses');
    const fr = await ada.get('/pm/menus?lang=fr');
    assert.match(decode(fr.body), /Pages in <strong>fr<\/strong> show the default language’s main menu/);
    const defaultBefore = await etagOf('', '/about');
    const saved = await ada.post('/pm/menus', { menu: 'primary', lang: 'fr', ...rows({ label: 'Accueil', page: '/' }, { label: 'L’atelier', page: '/about' }) });
    assert.equal(saved.statusCode, 303);
    assert.deepEqual(headerLinks((await visit('/fr/about')).body), ['Accueil /fr/', 'L’atelier /fr/about']);
    assert.deepEqual(headerLinks((await visit('/about')).body), ['Home /', 'Studio /about'], 'the default language keeps its menu');
    assert.equal(await etagOf('', '/about'), defaultBefore, 'no page of the default language was rendered again');
    // A change of the default menu now leaves French alone.
    const r = await h.app.menus.save(h.siteId, '', 'primary', [{ label: 'Home', page: '/', url: '', nested: false }]);
    assert.ok(r.ok);
    assert.deepEqual([...new Set(r.rerendered.map((p) => p.langcode))], ['']);
    // Back to the default's.
    const reset = await ada.post('/pm/menus/reset', { menu: 'primary', lang: 'fr' });
    assert.equal(reset.statusCode, 303);
    assert.deepEqual(headerLinks((await visit('/fr/about')).body), ['Home /fr/']);
    await h.app.siteService.update(h.siteId, { enabledLocales: ['en'] });
  });

  test('bad links are refused beside their field, and nothing stored changes', async () => {
    const menuBefore = await h.app.menus.own(h.siteId, '', 'primary');
    const pageBefore = await etagOf('', '/about');
    const cases: { row: Parameters<typeof rows>[0]; field: string; message: RegExp }[] = [
      { row: { label: 'Hi', url: 'javascript:alert(1)' }, field: 'url', message: /javascript: are not allowed/ },
      { row: { label: 'Hi', url: '  JaVaScRiPt:alert(1)' }, field: 'url', message: /javascript: are not allowed/ },
      { row: { label: 'Hi', url: 'java\tscript:alert(1)' }, field: 'url', message: /control characters/ },
      { row: { label: 'Hi', url: 'vbscript:msgbox(1)' }, field: 'url', message: /vbscript: are not allowed/ },
      { row: { label: 'Hi', url: 'data:text/html,<script>alert(1)</script>' }, field: 'url', message: /data: are not allowed/ },
      { row: { label: 'Hi', url: '//evil.example/' }, field: 'url', message: /single \// },
      { row: { label: '', url: '/about' }, field: 'label', message: /Give the link a label/ },
      { row: { label: 'Hi' }, field: 'url', message: /Choose a page from the list, or type an address/ },
      { row: { label: 'Hi', page: '/nowhere' }, field: 'page', message: /There is no page at \/nowhere/ },
      { row: { label: 'Hi', page: '/about', url: 'https://x.example/' }, field: 'url', message: /not both/ },
      { row: { label: 'x'.repeat(61), url: '/about' }, field: 'label', message: /under 60 characters/ },
    ];
    for (const c of cases) {
      const r = await ada.post('/pm/menus', { menu: 'primary', lang: '', ...rows({ label: 'Home', page: '/' }, c.row) });
      assert.equal(r.statusCode, 422, JSON.stringify(c.row));
      const beside = new RegExp(`id="f-items-1-${c.field}-error">[^<]*${c.message.source}`);
      assert.ok(beside.test(decode(r.body)), `${JSON.stringify(c.row)}: ${shownErrors(r.body).join(' | ')}`);
      assert.equal(decode(inputValue(r.body, 'items[1][label]') ?? ''), c.row.label ?? '', 'what was typed comes back');
      assert.equal(decode(inputValue(r.body, 'items[1][url]') ?? ''), c.row.url ?? '');
    }
    const nestedFirst = await ada.post('/pm/menus', { menu: 'primary', lang: '', ...rows({ label: 'Home', page: '/', nested: true }) });
    assert.equal(nestedFirst.statusCode, 422);
    assert.ok(shownErrors(nestedFirst.body).includes('The first link cannot go under another one.'), shownErrors(nestedFirst.body).join(' | '));
    assert.deepEqual(await h.app.menus.own(h.siteId, '', 'primary'), menuBefore);
    assert.equal(await etagOf('', '/about'), pageBefore);
  });

  test('an editor sees no Menus link and is refused the editor', async () => {
    const eve = await h.loggedIn('eve', PASSWORD);
    const home = await eve.get('/pm/');
    assert.doesNotMatch(home.body, /href="\/pm\/menus"/);
    assert.equal((await eve.get('/pm/menus')).statusCode, 403);
    const r = await eve.post('/pm/menus', { menu: 'primary', lang: '', ...rows({ label: 'Mine', url: '/' }) });
    assert.equal(r.statusCode, 403);
    assert.deepEqual((await h.app.menus.forRender(h.siteId, '')).primary, [{ label: 'Home', url: '/' }]);
  });
});
