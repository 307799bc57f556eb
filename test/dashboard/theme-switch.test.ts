import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decode, shownErrors, startHarness, type Client, type Harness } from './dashboard-harness.js';

const PASSWORD = 'correct horse battery';
const stylesheet = (body: string) => /<link rel="stylesheet" href="\/pm-themes\/([a-z]+)\//.exec(body)?.[1];

describe('the site’s theme', () => {
  let h: Harness;
  let ada: Client;
  const visit = (url: string) => h.app.http.inject({ url });
  const save = (urlPath: string, templateName: string, data: unknown, themeId = 'daybreak') => h.app.templates.save({ siteId: h.siteId, langcode: '', urlPath, themeId, templateName, data });

  before(async () => {
    // A user theme with one template only: pages on it have nowhere to go in Nightfall.
    h = await startHarness({
      files: {
        'pm-themes/zine/theme.json': JSON.stringify({ id: 'zine', name: 'Zine', version: '1.0.0', templates: [{ name: 'flyer', title: 'Flyer', file: 'templates/flyer.eta' }] }),
        'pm-themes/zine/templates/flyer.eta': '<!doctype html><html><head></head><body><h1><%= it.data.title %></h1></body></html>',
      },
    });
    await h.user('ada', PASSWORD, 'superadmin');
    await h.user('eve', PASSWORD, 'editor');
    ada = await h.loggedIn('ada', PASSWORD);
    assert.ok((await save('/about', 'about', { title: 'About', body: 'We make pots.', extraFieldFromAnotherTheme: 'kept' })).ok);
    assert.ok((await save('/flyer', 'flyer', { title: 'Summer sale' }, 'zine')).ok);
  });
  after(() => h.close());

  test('the themes page marks the active theme and offers the others with a preview first', async () => {
    const r = await ada.get('/pm/themes');
    assert.match(decode(r.body), /id="theme-daybreak"[\s\S]*?Your site’s theme/);
    assert.match(r.body, /href="\/pm\/themes\/switch\?theme=nightfall"/);
    assert.match(r.body, /<h3>Blog index<\/h3>/, 'templates by their people’s names');
    assert.match(r.body, /<h3>Résumé<\/h3>/);
    const confirm = await ada.get('/pm/themes/switch?theme=nightfall');
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /href="\/pm\/themes\/preview\?theme=nightfall&amp;path=%2F"/, 'a preview of the home page');
    assert.match(confirm.body, /href="\/pm\/themes\/preview\?theme=nightfall&amp;path=%2Fabout"/, 'and of one other page');
    assert.match(decode(confirm.body), /1 page keeps its theme[\s\S]*<code>\/flyer<\/code>/, 'pages whose template Nightfall lacks are listed');
  });

  test('a preview renders a stored page in the new theme and stores nothing', async () => {
    const before = await h.app.pages.get(h.siteId, '', '/about');
    const p = await ada.get('/pm/themes/preview?theme=nightfall&path=/about');
    assert.equal(p.statusCode, 200);
    assert.equal(stylesheet(p.body), 'nightfall');
    assert.match(p.body, /We make pots\./);
    assert.equal(p.headers['x-robots-tag'], 'noindex');
    assert.equal(stylesheet((await visit('/about')).body), 'daybreak');
    assert.deepEqual(await h.app.pages.get(h.siteId, '', '/about'), before);
  });

  test('applying re-renders the pages whose template it has, keeps the data, lists the others; the 404 page follows; switching back restores the look exactly', async () => {
    const beforeHtml = { home: (await visit('/')).body, about: (await visit('/about')).body };
    const r = await ada.post('/pm/themes/switch', { theme: 'nightfall' });
    assert.equal(r.statusCode, 303);
    const notice = decode((await ada.get(String(r.headers.location))).body);
    assert.match(notice, /Nightfall is now your site’s theme\. 2 pages were rendered again\. 1 page keeps its theme \(Nightfall has no template for it\): \/flyer\./);
    assert.equal(stylesheet((await visit('/')).body), 'nightfall', 'the welcome page');
    assert.equal(stylesheet((await visit('/about')).body), 'nightfall');
    assert.match((await visit('/flyer')).body, /<h1>Summer sale<\/h1>/, 'the flyer stays on its theme');
    const missing = await visit('/nowhere');
    assert.equal(missing.statusCode, 404);
    assert.equal(stylesheet(missing.body), 'nightfall', 'the 404 page follows the active theme');
    const stored = await h.app.templates.get(h.siteId, '', '/about');
    assert.equal(stored?.themeId, 'nightfall');
    assert.deepEqual(stored?.data, { title: 'About', body: 'We make pots.', extraFieldFromAnotherTheme: 'kept' }, 'data carried over, unknown fields kept');
    // Editing in the new theme's form keeps the field it does not show.
    const edit = await ada.post('/pm/urls/save', { _pm_mode: 'edit', _pm_theme: 'nightfall', _pm_template: 'about', _pm_path: '/about', title: 'About', body: 'We make pots.' });
    assert.equal(edit.statusCode, 303, shownErrors(edit.body).join(' | '));
    assert.equal((await h.app.templates.get(h.siteId, '', '/about'))?.data && ((await h.app.templates.get(h.siteId, '', '/about'))!.data as Record<string, unknown>).extraFieldFromAnotherTheme, 'kept');
    // New pages start in the active theme: the chooser lists it first.
    const back = await ada.post('/pm/themes/switch', { theme: 'daybreak' });
    assert.equal(back.statusCode, 303);
    assert.equal((await visit('/')).body, beforeHtml.home, 'the home page is byte for byte what it was');
    assert.equal((await visit('/about')).body, beforeHtml.about);
  });

  test('bad choices are refused in plain words and change nothing', async () => {
    const before = h.app.siteThemes.active(h.siteId);
    mkdirSync(join(h.dir, 'pm-themes', 'broken'), { recursive: true });
    writeFileSync(join(h.dir, 'pm-themes', 'broken', 'theme.json'), '{ not json');
    await h.app.themes.reload();
    for (const [theme, status, message] of [['nope', 404, /There is no theme nope/], ['broken', 500, /The theme broken has an error/]] as const) {
      const r = await ada.post('/pm/themes/switch', { theme });
      assert.equal(r.statusCode, status);
      assert.match(decode(r.body), message);
      assert.equal((await ada.get(`/pm/themes/switch?theme=${theme}`)).statusCode, status);
    }
    assert.equal(h.app.siteThemes.active(h.siteId), before);
    assert.equal(stylesheet((await visit('/about')).body), 'daybreak');
  });

  test('an editor cannot switch or preview themes', async () => {
    const eve = await h.loggedIn('eve', PASSWORD);
    assert.equal((await eve.get('/pm/themes/switch?theme=nightfall')).statusCode, 403);
    assert.equal((await eve.get('/pm/themes/preview?theme=nightfall&path=/')).statusCode, 403);
    assert.equal((await eve.post('/pm/themes/switch', { theme: 'nightfall' })).statusCode, 403);
    assert.equal(h.app.siteThemes.active(h.siteId), 'daybreak');
  });
});
