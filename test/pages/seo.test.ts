import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decode, inputValue, startHarness, type Client, type Harness } from '../dashboard/dashboard-harness.js';

const PASSWORD = 'correct horse battery';

/** The <head> tags search engines and link previews read, as "name=value" lines. */
function headTags(body: string): Record<string, string> {
  const head = body.split('</head>')[0];
  const out: Record<string, string> = {};
  for (const m of head.matchAll(/<meta (?:name|property)="([^"]+)" content="([^"]*)">/g)) out[m[1]] = decode(m[2]);
  for (const m of head.matchAll(/<link rel="(canonical)" href="([^"]*)">/g)) out[m[1]] = decode(m[2]);
  out.title = decode(/<title>([^<]*)<\/title>/.exec(head)?.[1] ?? '');
  out.lang = /<html lang="([^"]*)"/.exec(body)?.[1] ?? '';
  return out;
}
const alternates = (body: string) => [...body.split('</head>')[0].matchAll(/<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">/g)].map((m) => `${m[1]} ${m[2]}`);

describe('the SEO section of every page', () => {
  let h: Harness;
  let ada: Client;
  const visit = async (url: string) => (await h.app.http.inject({ url })).body;
  const save = (themeId: string, lang: string, urlPath: string, templateName: string, data: unknown) =>
    h.app.templates.save({ siteId: h.siteId, langcode: lang, urlPath, themeId, templateName, data });

  before(async () => {
    h = await startHarness();
    await h.user('ada', PASSWORD, 'superadmin');
    ada = await h.loggedIn('ada', PASSWORD);
  });
  after(() => h.close());

  for (const theme of ['daybreak', 'nightfall']) {
    test(`${theme}: the page's SEO fields become <title>, description, canonical, robots, Open Graph and Twitter tags`, async () => {
      const r = await save(theme, '', `/seo-${theme}`, 'about', {
        title: 'About the studio',
        body: 'We make pots.',
        seo: { title: 'Hand-made stoneware in Lyon', description: 'A small pottery studio.', image: '/pm-uploads/shelf.jpg', canonical: 'https://studio.example/about', noindex: true },
      });
      assert.ok(r.ok);
      const t = headTags(await visit(`/seo-${theme}`));
      assert.match(t.title, /^Hand-made stoneware in Lyon . My site$/);
      assert.equal(t.description, 'A small pottery studio.');
      assert.equal(t.canonical, 'https://studio.example/about');
      assert.equal(t.robots, 'noindex');
      assert.equal(t['og:title'], 'Hand-made stoneware in Lyon');
      assert.equal(t['og:description'], 'A small pottery studio.');
      assert.equal(t['og:image'], '/pm-uploads/shelf.jpg');
      assert.equal(t['og:url'], 'https://studio.example/about');
      assert.equal(t['twitter:card'], 'summary_large_image');
      assert.equal(t['twitter:title'], 'Hand-made stoneware in Lyon');
      assert.equal(t['twitter:image'], '/pm-uploads/shelf.jpg');
    });

    test(`${theme}: without SEO fields it falls back on the page's title, summary and first picture`, async () => {
      assert.ok((await save(theme, '', `/gallery-${theme}`, 'gallery', { title: 'Bowls', intro: 'Twelve **new** bowls from the spring firing.', images: [{ src: '/pm-uploads/bowl-1.jpg', alt: 'A bowl' }] })).ok);
      const t = headTags(await visit(`/gallery-${theme}`));
      assert.match(t.title, /^Bowls . My site$/);
      assert.equal(t.description, 'Twelve new bowls from the spring firing.');
      assert.equal(t['og:image'], '/pm-uploads/bowl-1.jpg');
      assert.equal(t.canonical, `/gallery-${theme}`);
      assert.equal(t.robots, undefined, 'listed by default');
      assert.ok((await save(theme, '', `/plain-${theme}`, 'about', { title: 'Plain', body: 'x' })).ok);
      const p = headTags(await visit(`/plain-${theme}`));
      assert.equal(p['twitter:card'], 'summary', 'no picture: a plain summary card');
      assert.equal(p['og:image'], undefined);
    });
  }

  test('the editor has the section for every template; a bad link or a long title is refused beside the field and nothing is stored', async () => {
    const form = await ada.get('/pm/urls/new?theme=daybreak&template=contact');
    assert.match(form.body, /Search engines and sharing/);
    assert.match(form.body, /name="seo\[noindex\]"/);
    const before = await h.app.templates.get(h.siteId, '', '/seo-daybreak');
    const r = await ada.post('/pm/urls/save', {
      _pm_mode: 'edit', _pm_theme: 'daybreak', _pm_template: 'about', _pm_path: '/seo-daybreak',
      title: 'About', body: 'x', 'seo[title]': 't'.repeat(121), 'seo[image]': 'javascript:alert(1)',
    });
    assert.equal(r.statusCode, 422);
    const beside = (id: string) => decode(new RegExp(`id="pm-f-seo-${id}-error"[^>]*>([^<]*)`).exec(r.body)?.[1] ?? '');
    assert.match(beside('image'), /javascript: are not allowed/);
    assert.match(beside('title'), /at most 120 characters/);
    assert.equal(decode(inputValue(r.body, 'seo[image]') ?? ''), 'javascript:alert(1)');
    assert.deepEqual(await h.app.templates.get(h.siteId, '', '/seo-daybreak'), before);
  });

  test('languages: an untranslated page carries the content’s lang and a canonical link to it; a translation gets its own, and alternates link them', async () => {
    await h.app.siteService.update(h.siteId, { enabledLocales: ['en', 'fr'] });
    assert.ok((await save('daybreak', '', '/about-us', 'about', { title: 'About us', body: 'We make pots.' })).ok);
    const fallback = await visit('/fr/about-us');
    assert.match(fallback, /We make pots\./, 'the default version shows');
    assert.equal(headTags(fallback).lang, 'en', 'with the lang of its content, not fr');
    assert.equal(headTags(fallback).canonical, '/about-us');
    assert.deepEqual(alternates(fallback), ['en /about-us'], 'no hreflang for a language the page does not exist in');
    assert.match(fallback, /<nav class="lang-switch"[\s\S]*href="\/fr\/about-us" hreflang="fr" lang="fr" aria-current="true">Français</, 'a language switcher');
    assert.ok((await save('daybreak', 'fr', '/about-us', 'about', { title: 'À propos', body: 'Nous faisons des pots.' })).ok);
    const fr = await visit('/fr/about-us');
    assert.equal(headTags(fr).lang, 'fr');
    assert.equal(headTags(fr).canonical, '/fr/about-us');
    assert.deepEqual(alternates(fr), ['en /about-us', 'fr /fr/about-us']);
    assert.deepEqual(alternates(await visit('/about-us')), ['en /about-us', 'fr /fr/about-us'], 'the default version was rendered again with the new alternate');
    // Removing the translation brings the fallback back everywhere.
    assert.ok(await h.app.templates.remove(h.siteId, 'fr', '/about-us'));
    assert.deepEqual(alternates(await visit('/about-us')), ['en /about-us']);
    assert.equal(headTags(await visit('/fr/about-us')).lang, 'en');
    await h.app.siteService.update(h.siteId, { enabledLocales: ['en'] });
  });
});
