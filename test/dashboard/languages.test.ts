import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decode, inputValue, startHarness, type Client, type Harness } from './dashboard-harness.js';

const PASSWORD = 'correct horse battery';

/** Issue 11, "Languages", tried as a new user would. */
describe('languages that work', () => {
  let h: Harness;
  let ada: Client;
  const visit = (url: string) => h.app.http.inject({ url });

  before(async () => {
    h = await startHarness();
    await h.user('ada', PASSWORD, 'superadmin');
    ada = await h.loggedIn('ada', PASSWORD);
    for (const [path, title] of [['/about-us', 'About us'], ['/contact', 'Contact'], ['/work', 'Work']]) {
      assert.ok((await h.app.templates.save({ siteId: h.siteId, langcode: '', urlPath: path, themeId: 'daybreak', templateName: 'about', data: { title, body: `The ${title} page.` } })).ok);
    }
  });
  after(() => h.close());

  test('enabling French and German reports the pages, not the renderings, and the list keeps one row per page', async () => {
    const r = await ada.post('/pm/settings', { title: 'My site', description: '', defaultLocale: 'en', enabledLocales: ['en', 'fr', 'de'], keepRevisions: '20', trashDays: '30' });
    assert.equal(r.statusCode, 303);
    assert.match(decode((await ada.get('/pm/settings')).body), /Settings saved\. 4 pages were rendered again with them\./, 'four pages (the welcome page and three), each in three languages');
    const list = await ada.get('/pm/urls');
    assert.equal([...list.body.matchAll(/<a class="url" href="\/pm\/urls\/edit\?path=%2Fabout-us">/g)].length, 1, 'one row for /about-us');
    assert.match(list.body, /Pages <span class="count">4<\/span>/);
    assert.match(list.body, /href="\/pm\/urls\/new\?theme=daybreak&amp;template=about&amp;path=%2Fabout-us&amp;lang=fr&amp;from=default" title="Translate into fr">\+ fr</);
    const home = await ada.get('/pm/');
    assert.match(home.body, /<b>4<\/b><span>pages<\/span>/, 'the home page counts the same pages');
    assert.match(home.body, /<b>1<\/b><span>alias<\/span>/);
    assert.match((await ada.get('/pm/urls?kind=aliases')).body, /Aliases <span class="count">1<\/span>/, 'and the list the same aliases');
  });

  test('/fr/about-us shows the default version until a translation exists', async () => {
    const fr = await visit('/fr/about-us');
    assert.equal(fr.statusCode, 200);
    assert.match(fr.body, /The About us page\./);
    assert.match(fr.body, /<html lang="en">/);
    assert.match(fr.body, /<link rel="canonical" href="\/about-us">/);
  });

  test('“Translate” opens the form prefilled with the default version, and the French version can be saved at /fr/about-us', async () => {
    const form = await ada.get('/pm/urls/new?theme=daybreak&template=about&path=%2Fabout-us&lang=fr&from=default');
    assert.equal(form.statusCode, 200);
    assert.equal(decode(inputValue(form.body, 'title') ?? ''), 'About us', 'prefilled with the default version');
    assert.match(decode(form.body), /This form starts from the en version/);
    const r = await ada.post('/pm/urls/save', { _pm_mode: 'new', _pm_theme: 'daybreak', _pm_template: 'about', _pm_path: '/about-us', _pm_lang: 'fr', title: 'À propos', body: 'La page.' });
    assert.equal(r.statusCode, 303, 'not refused as “a page made by a plugin”');
    const fr = await visit('/fr/about-us');
    assert.match(fr.body, /À propos/);
    assert.match(fr.body, /<html lang="fr">/);
    const edit = await ada.get('/pm/urls/edit?path=%2Fabout-us&lang=fr');
    assert.equal(edit.statusCode, 200, 'the French row’s Edit opens the French version');
    assert.equal(decode(inputValue(edit.body, 'title') ?? ''), 'À propos');
  });

  test('“Start from the template’s sample content” keeps the address and title already typed', async () => {
    const r = await ada.post('/pm/urls/save', { _pm_mode: 'new', _pm_theme: 'daybreak', _pm_template: 'about', _pm_path: '/our-story', _pm_lang: '', title: 'Our story', body: '', _pm_sample: '1' });
    assert.equal(r.statusCode, 200);
    assert.equal(inputValue(r.body, '_pm_path'), '/our-story');
    assert.equal(inputValue(r.body, 'title'), 'Our story');
    assert.match(r.body, /name="body"[^>]*>[^<]{20,}/, 'the sample’s text fills the empty field');
    assert.equal(await h.app.templates.get(h.siteId, '', '/our-story'), undefined, 'nothing saved');
  });
});
