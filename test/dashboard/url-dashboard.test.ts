import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { APP_DIALECTS } from '../helpers/app.js';
import { decode, inputValue, shownErrors, startHarness, type Client, type Harness } from './dashboard-harness.js';

const PASSWORD = 'correct horse battery';
const ABOUT = { _pm_mode: 'new', _pm_theme: 'daybreak', _pm_template: 'about' };

for (const { name: dialect, skip } of APP_DIALECTS) describe(`the URL dashboard [${dialect}]`, { skip }, () => {
  let h: Harness;
  let ada: Client;
  const page = (url: string) => h.app.http.inject({ url });
  const stored = (path: string, lang = '') => h.app.templates.get(h.siteId, lang, path);

  before(async () => {
    h = await startHarness({ dialect });
    await h.user('ada', PASSWORD, 'superadmin');
    ada = await h.loggedIn('ada', PASSWORD);
  });
  after(() => h.close());

  test('a new site has /pm/urls, an alias to the URL dashboard', async () => {
    const rec = await h.app.pages.get(h.siteId, '', '/pm/urls');
    assert.equal(rec?.kind, 'content');
    assert.equal(rec?.contentUrl, '/pm-url-dashboard');
    const r = await ada.get('/pm/urls');
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<h1>Pages &amp; URLs<\/h1>/);
    assert.match(String(r.headers['content-security-policy']), /default-src 'self'/, 'an alias outside /pm/ still gets the dashboard CSP');
    assert.equal((await ada.get('/pm-url-dashboard')).statusCode, 404, 'the pseudoroute is not reachable by its own path');
  });

  test('the list shows pages by title, aliases in their tab, plugin routes in a collapsed section, and searches', async () => {
    const all = await ada.get('/pm/urls');
    assert.match(all.body, /<a class="url" href="\/pm\/urls\/edit\?path=%2F">Welcome<\/a><span class="sub">\/<\/span><\/td>\n<td>Home page<span class="sub">daybreak/, 'the welcome page, by its title');
    assert.match(all.body, /<details class="card advanced"><summary>Advanced: what plugins serve/);
    assert.match(all.body, /<code>\/pm\/login<\/code>/, 'plugin routes, in the advanced section');
    const aliases = await ada.get('/pm/urls?kind=aliases');
    assert.match(aliases.body, /class="url">\/pm\/urls<\/span><span class="sub">shows the URL dashboard/);
    assert.doesNotMatch(aliases.body, />Welcome</);
    const found = await ada.get('/pm/urls?q=login');
    assert.match(found.body, /<code>\/pm\/login<\/code>/);
    assert.doesNotMatch(found.body, />Welcome</);
    const none = await ada.get('/pm/urls?q=zebra');
    assert.match(decode(none.body), /Nothing matches “zebra”/);
  });

  test('create a page: choose a template, fill the form, save, see it at its URL', async () => {
    const chooser = await ada.get('/pm/urls/new');
    assert.match(chooser.body, /href="\/pm\/urls\/new\?theme=daybreak&amp;template=about"/);
    assert.match(chooser.body, /src="\/pm-themes\/daybreak\/screenshots\/about\.png/);
    const form = await ada.get('/pm/urls/new?theme=daybreak&template=about');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /name="title"/);
    assert.match(form.body, /src="\/pm\/assets\/forms\.js/);
    const r = await ada.post('/pm/urls/save', { ...ABOUT, _pm_path: '/about', title: 'About the studio', body: 'We make **pots**.' });
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers.location, '/pm/urls/edit?path=%2Fabout');
    const edit = await ada.get(String(r.headers.location));
    assert.match(edit.body, /Saved\. The page is live at \/about\. <a href="\/about">View page →<\/a>/);
    const visit = await page('/about');
    assert.equal(visit.statusCode, 200);
    assert.match(visit.body, /About the studio/);
    assert.match(visit.body, /<strong>pots<\/strong>/);
  });

  test('an invalid form keeps the input, shows errors beside the fields, and stores nothing', async () => {
    const r = await ada.post('/pm/urls/save', { ...ABOUT, _pm_path: '/team', title: 'Our team', body: '', portrait: 'not a url with spaces' });
    assert.equal(r.statusCode, 422);
    assert.equal(inputValue(r.body, 'title'), 'Our team');
    assert.equal(inputValue(r.body, '_pm_path'), '/team');
    assert.match(r.body, /id="pm-f-body-error"[^>]*>Required\./);
    assert.equal(await stored('/team'), undefined);
    assert.equal((await page('/team')).statusCode, 404);
  });

  test('editing with invalid data changes nothing stored', async () => {
    const before = await stored('/about');
    const html = (await page('/about')).body;
    const r = await ada.post('/pm/urls/save', { ...ABOUT, _pm_mode: 'edit', _pm_path: '/about', title: 'x'.repeat(500), body: 'Still here' });
    assert.equal(r.statusCode, 422);
    assert.ok(shownErrors(r.body).some((e) => /120/.test(e)), shownErrors(r.body).join(' | '));
    assert.equal(inputValue(r.body, 'title'), 'x'.repeat(500));
    assert.deepEqual(await stored('/about'), before);
    assert.equal((await page('/about')).body, html);
  });

  test('edit: the form is filled with the stored data, and saving changes the page', async () => {
    const form = await ada.get('/pm/urls/edit?path=/about');
    assert.equal(inputValue(form.body, 'title'), 'About the studio');
    const r = await ada.post('/pm/urls/save', { ...ABOUT, _pm_mode: 'edit', _pm_path: '/about', title: 'About us now', body: 'Changed.' });
    assert.equal(r.statusCode, 303);
    assert.match((await page('/about')).body, /About us now/);
  });

  test('array buttons without JavaScript add an item and keep what was typed', async () => {
    const r = await ada.post('/pm/urls/save', { ...ABOUT, _pm_path: '/arr', title: 'Typed title', _pm_form_op: 'add:nav' });
    assert.equal(r.statusCode, 200);
    assert.equal(inputValue(r.body, 'title'), 'Typed title');
    assert.match(r.body, /name="nav\[0\]\[label\]"/);
    assert.equal(await stored('/arr'), undefined, 'nothing saved by an array button');
  });

  test('preview renders without saving, with the theme’s own CSP', async () => {
    const r = await ada.post('/pm/urls/preview', { ...ABOUT, _pm_path: '/draft', title: 'Preview only', body: 'Draft' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /Preview only/);
    assert.match(String(r.headers['content-security-policy']), /style-src 'self'/);
    assert.equal(await stored('/draft'), undefined);
  });

  const badPaths: { path: string; error: RegExp }[] = [
    { path: '', error: /Enter an address/ },
    { path: '/a/../b', error: /“\.” or “\.\.” segments/ },
    { path: '/pm-themes/x', error: /reserved for theme files/ },
    { path: '/pm-uploads/x', error: /reserved for uploaded files/ },
    { path: '/pm/secret', error: /belong to the dashboard/ },
    { path: '/about', error: /Something is already at \/about: a page/ },
    { path: '/a//b', error: /empty segment/ },
  ];
  for (const k of badPaths) {
    test(`the address ${JSON.stringify(k.path)} is refused beside the field`, async () => {
      const r = await ada.post('/pm/urls/save', { ...ABOUT, _pm_path: k.path, title: 'T', body: 'B' });
      assert.equal(r.statusCode, 422);
      const errs = shownErrors(decode(r.body));
      assert.ok(errs.some((e) => k.error.test(e)), errs.join(' | '));
      assert.match(r.body, /id="f-_pm_path-error"/);
      assert.equal(inputValue(r.body, 'title'), 'T');
    });
  }

  test('rename moves the page and leaves a 301 at the old address', async () => {
    await ada.post('/pm/urls/save', { ...ABOUT, _pm_path: '/old-name', title: 'Moving page', body: 'B' });
    const form = await ada.get('/pm/urls/rename?path=/old-name');
    assert.match(form.body, /name="leaveRedirect" value="1" checked/);
    let r = await ada.post('/pm/urls/rename', { path: '/old-name', lang: '', to: '/about', leaveRedirect: '1' });
    assert.equal(r.statusCode, 422, 'not over another page');
    assert.ok(shownErrors(r.body).some((e) => /already a page/.test(e)));
    r = await ada.post('/pm/urls/rename', { path: '/old-name', lang: '', to: '/new-name', leaveRedirect: '1' });
    assert.equal(r.statusCode, 303);
    const old = await page('/old-name');
    assert.equal(old.statusCode, 301);
    assert.equal(old.headers.location, '/new-name');
    assert.match((await page('/new-name')).body, /Moving page/);
    assert.equal(await stored('/old-name'), undefined);
    assert.equal((await stored('/new-name'))?.templateName, 'about');
  });

  test('rename without the redirect leaves nothing behind', async () => {
    await ada.post('/pm/urls/save', { ...ABOUT, _pm_path: '/gone-soon', title: 'Page', body: 'B' });
    const r = await ada.post('/pm/urls/rename', { path: '/gone-soon', lang: '', to: '/elsewhere' });
    assert.equal(r.statusCode, 303);
    assert.equal((await page('/gone-soon')).statusCode, 404);
    assert.equal((await page('/elsewhere')).statusCode, 200);
  });

  test('delete asks first, then removes the page', async () => {
    const confirm = await ada.get('/pm/urls/delete?path=/elsewhere');
    assert.match(decode(confirm.body), /It goes to the <a href="\/pm\/trash">trash<\/a> for 30 days/, 'a template page is deleted into the trash');
    assert.equal((await page('/elsewhere')).statusCode, 200, 'the confirmation page deletes nothing');
    const r = await ada.post('/pm/urls/delete', { path: '/elsewhere', lang: '' });
    assert.equal(r.statusCode, 303);
    assert.equal((await page('/elsewhere')).statusCode, 404);
    assert.equal(await stored('/elsewhere'), undefined);
    assert.match((await ada.get('/pm/urls')).body, /Deleted \/elsewhere\./);
  });

  describe('redirects', () => {
    test('a URL redirect with its status, followed by visitors', async () => {
      const r = await ada.post('/pm/urls/redirect', { path: '/shop', lang: '', target: 'https://shop.example.com/', status: '302' });
      assert.equal(r.statusCode, 303);
      const v = await page('/shop');
      assert.equal(v.statusCode, 302);
      assert.equal(v.headers.location, 'https://shop.example.com/');
    });

    test('editing a redirect changes its target and status', async () => {
      const form = await ada.get('/pm/urls/edit?path=/shop');
      assert.equal(inputValue(form.body, 'target'), 'https://shop.example.com/');
      const r = await ada.post('/pm/urls/redirect', { path: '/shop', lang: '', original: '1', target: '/about', status: '308' });
      assert.equal(r.statusCode, 303);
      const v = await page('/shop');
      assert.equal(v.statusCode, 308);
      assert.equal(v.headers.location, '/about');
    });

    const bad: { name: string; body: Record<string, string>; error: RegExp }[] = [
      { name: 'no target', body: { path: '/r1', target: '', status: '301' }, error: /Enter where visitors should go/ },
      { name: 'a javascript: target', body: { path: '/r1', target: 'javascript:alert(1)', status: '301' }, error: /Only http:\/\/ and https:\/\// },
      { name: 'a protocol-relative target', body: { path: '/r1', target: '//evil.example', status: '301' }, error: /single \// },
      { name: 'a redirect to itself', body: { path: '/r1', target: '/r1', status: '301' }, error: /would never end/ },
      { name: 'an unknown status', body: { path: '/r1', target: '/about', status: '200' }, error: /Pick one of the kinds/ },
      { name: 'an address taken by a page', body: { path: '/about', target: '/x', status: '301' }, error: /already at \/about: a page/ },
      { name: 'an address under /pm/', body: { path: '/pm/x', target: '/x', status: '301' }, error: /belong to the dashboard/ },
    ];
    for (const k of bad) {
      test(`a redirect with ${k.name} is refused beside the field, nothing stored`, async () => {
        const before = await h.app.pages.get(h.siteId, '', k.body.path);
        const r = await ada.post('/pm/urls/redirect', { lang: '', ...k.body });
        assert.equal(r.statusCode, 422);
        assert.ok(shownErrors(decode(r.body)).some((e) => k.error.test(e)), shownErrors(decode(r.body)).join(' | '));
        assert.equal(inputValue(r.body, 'target'), k.body.target.replace(/&/g, '&amp;'));
        assert.deepEqual(await h.app.pages.get(h.siteId, '', k.body.path), before);
      });
    }
  });

  describe('aliases (content redirects)', () => {
    test('an alias shows another page’s content at its own address', async () => {
      const r = await ada.post('/pm/urls/alias', { path: '/about-us', lang: '', target: '/about' });
      assert.equal(r.statusCode, 303);
      const v = await page('/about-us');
      assert.equal(v.statusCode, 200);
      assert.match(v.body, /About us now/);
    });

    test('an alias to a missing page, to a redirect or to itself is refused', async () => {
      for (const [target, error] of [
        ['/nowhere', /Nothing is at \/nowhere/],
        ['/shop', /is itself a redirect/],
        ['/self', /cannot show itself/],
      ] as const) {
        const r = await ada.post('/pm/urls/alias', { path: '/self', lang: '', target });
        assert.equal(r.statusCode, 422, target);
        assert.ok(shownErrors(decode(r.body)).some((e) => error.test(e)), shownErrors(decode(r.body)).join(' | '));
      }
      assert.equal(await h.app.pages.get(h.siteId, '', '/self'), undefined);
    });

    test('the last way into the URL dashboard cannot be deleted', async () => {
      const confirm = await ada.get('/pm/urls/delete?path=/pm/urls');
      assert.match(decode(confirm.body), /This is the last way into the URL dashboard; add another entry before deleting it\./);
      assert.doesNotMatch(confirm.body, /btn-danger/);
      const r = await ada.post('/pm/urls/delete', { path: '/pm/urls', lang: '' });
      assert.equal(r.statusCode, 409);
      assert.match(decode(r.body), /This is the last way into the URL dashboard/);
      assert.equal((await h.app.pages.get(h.siteId, '', '/pm/urls'))?.contentUrl, '/pm-url-dashboard');
    });

    test('nor pointed elsewhere', async () => {
      const r = await ada.post('/pm/urls/alias', { path: '/pm/urls', lang: '', original: '1', target: '/about' });
      assert.equal(r.statusCode, 422, 'a non-dashboard alias may not sit under /pm/');
      assert.equal((await h.app.pages.get(h.siteId, '', '/pm/urls'))?.contentUrl, '/pm-url-dashboard');
    });

    test('with a second entry (/admin), the first can go, and the dashboard lives on at /admin', async () => {
      let r = await ada.post('/pm/urls/alias', { path: '/admin', lang: '', target: '/pm-url-dashboard' });
      assert.equal(r.statusCode, 303);
      assert.equal((await ada.get('/admin')).statusCode, 200);
      r = await ada.post('/pm/urls/delete', { path: '/pm/urls', lang: '' });
      assert.equal(r.statusCode, 303);
      assert.equal(r.headers.location, '/admin');
      const list = await ada.get('/admin');
      assert.match(list.body, /<h1>Pages &amp; URLs<\/h1>/);
      assert.match(list.body, /<a href="\/admin" aria-current="page">Pages &amp; URLs<\/a>/, 'the sidebar follows the alias');
      r = await ada.post('/pm/urls/delete', { path: '/admin', lang: '' });
      assert.equal(r.statusCode, 409, 'now /admin is the last one');
      // Put /pm/urls back for the other tests.
      await ada.post('/pm/urls/alias', { path: '/pm/urls', lang: '', target: '/pm-url-dashboard' });
    });

    test('two tabs deleting the last two entries at once: one is deleted, the other refused', async () => {
      if (!(await h.app.pages.get(h.siteId, '', '/admin'))) await ada.post('/pm/urls/alias', { path: '/admin', lang: '', target: '/pm-url-dashboard' });
      assert.equal((await h.app.pages.get(h.siteId, '', '/admin'))?.contentUrl, '/pm-url-dashboard');
      // A slow database: each check is still looking when the other request arrives.
      const list = h.app.pages.list;
      h.app.pages.list = async (...args) => {
        const rows = await list(...args);
        await new Promise((r) => setTimeout(r, 50));
        return rows;
      };
      let first, second;
      try {
        [first, second] = await Promise.all([
          ada.post('/pm/urls/delete', { path: '/pm/urls', lang: '' }),
          ada.post('/pm/urls/delete', { path: '/admin', lang: '' }),
        ]);
      } finally {
        h.app.pages.list = list;
      }
      assert.deepEqual([first.statusCode, second.statusCode].sort(), [303, 409]);
      const left = [await h.app.pages.get(h.siteId, '', '/pm/urls'), await h.app.pages.get(h.siteId, '', '/admin')].filter(Boolean);
      assert.equal(left.length, 1, 'one way in is left');
      assert.equal(left[0]?.contentUrl, '/pm-url-dashboard');
      if (left[0]?.urlPath !== '/pm/urls') {
        await ada.post('/pm/urls/alias', { path: '/pm/urls', lang: '', target: '/pm-url-dashboard' });
        await ada.post('/pm/urls/delete', { path: '/admin', lang: '' });
      }
      assert.equal((await h.app.pages.get(h.siteId, '', '/pm/urls'))?.contentUrl, '/pm-url-dashboard');
    });

    test('an alias may not shadow a dashboard page', async () => {
      const r = await ada.post('/pm/urls/alias', { path: '/pm/themes', lang: '', target: '/pm-url-dashboard' });
      assert.equal(r.statusCode, 422);
      assert.ok(shownErrors(r.body).some((e) => /already a page of the dashboard plugin/.test(e)));
    });
  });

  test('an editor may edit pages; the URL dashboard refuses anonymous JSON with 401', async () => {
    await h.user('ed', PASSWORD, 'editor');
    const ed = await h.loggedIn('ed', PASSWORD);
    assert.equal((await ed.get('/pm/urls/new')).statusCode, 200);
    const r = await h.app.http.inject({ url: '/pm/urls/new', headers: { accept: 'application/json' } });
    assert.equal(r.statusCode, 401);
  });

  test('with a second language, a page can be written for it, and an unknown language is refused', async () => {
    await h.app.siteService.update(h.siteId, { enabledLocales: ['en', 'fr'] });
    const form = await ada.get('/pm/urls/new?theme=daybreak&template=about');
    assert.match(form.body, /<option value="fr">fr \(addresses start with \/fr\)<\/option>/);
    let r = await ada.post('/pm/urls/save', { ...ABOUT, _pm_path: '/about', _pm_lang: 'fr', title: 'À propos', body: 'Bonjour.' });
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers.location, '/pm/urls/edit?path=%2Fabout&lang=fr');
    assert.match((await page('/fr/about')).body, /À propos/);
    assert.match((await page('/about')).body, /About us now/, 'the default language keeps its own page');
    assert.match((await ada.get('/pm/urls?q=about')).body, /<a class="lang" href="\/pm\/urls\/edit\?path=%2Fabout&amp;lang=fr"/, 'one row for /about, with its French version');
    r = await ada.post('/pm/urls/save', { ...ABOUT, _pm_path: '/x', _pm_lang: 'de', title: 'T', body: 'B' });
    assert.equal(r.statusCode, 400);
    assert.match(decode(r.body), /The site has no language “de”/);
  });

  test('a form posted without the CSRF token is refused and stores nothing', async () => {
    const r = await ada.post('/pm/urls/save', { ...ABOUT, _pm_path: '/csrf', title: 'T', body: 'B' }, { csrf: false });
    assert.equal(r.statusCode, 403);
    assert.match(r.body, /PM_ERR_CSRF/);
    assert.equal(await stored('/csrf'), undefined);
  });
});
