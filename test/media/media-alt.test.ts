/**
 * A picture needs a description before a page shows it: saving a template
 * page or publishing a post that uses an upload without alt text is refused
 * beside the field, naming the picture with a link to describe it, through
 * both doors (the dashboard's forms and the JSON API), with nothing stored
 * and what was typed shown again. A use with its own words passes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, inputValue } from '../dashboard/dashboard-harness.js';
import { png } from './fixtures.js';
import { startMediaApp, type MediaApp } from './media-harness.js';

const ABOUT = { _pm_mode: 'new', _pm_theme: 'daybreak', _pm_template: 'about' };

describe('alt text before a picture is used', () => {
  let t: MediaApp;
  let maya: Client;
  let bare: { mediaId: string; url: string; name: string };
  let described: { url: string };
  const stored = (path: string) => t.app.templates.get(t.siteId, '', path);

  before(async () => {
    t = await startMediaApp();
    maya = new Client(t.app);
    for (const pair of (await t.login('maya', 'a long passphrase')).split(/;\s*/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) maya.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    bare = (await t.upload('wheel-throwing.png', await png(400, 300, '#a53'))).json;
    described = (await t.upload('kiln.png', await png(400, 300, '#35a'), { alt: 'The kiln, open' })).json;
    assert.equal((await t.api('GET', `/pm/api/media/${bare.mediaId}`)).json.alt, '', 'the API took it without a description');
  });
  after(() => t?.close());

  it('JSON API: a template page using an undescribed picture is refused beside its field, nothing stored', async () => {
    const r = await t.api('PUT', '/pm/api/template-urls?url=/studio', { themeId: 'daybreak', templateName: 'about', data: { title: 'Studio', body: 'Hello', portrait: bare.url } });
    assert.equal(r.status, 422, JSON.stringify(r.json));
    assert.equal(r.json.code, 'PM_ERR_VALIDATION');
    assert.match(r.json.fields['data[portrait]'], /The picture “wheel-throwing\.png” has no description \(alt text\)/);
    assert.ok(r.json.fields['data[portrait]'].includes(`/pm/media/${bare.mediaId}`), 'with where to describe it');
    assert.equal(await stored('/studio'), undefined);
    assert.equal((await t.get('/studio')).statusCode, 404);

    // In markdown, a picture without words is refused too; with words, or a described file, it passes.
    const md = await t.api('PUT', '/pm/api/template-urls?url=/studio', { themeId: 'daybreak', templateName: 'about', data: { title: 'Studio', body: `Look:\n\n![](${bare.url})` } });
    assert.equal(md.status, 422);
    assert.match(md.json.fields['data[body]'], /wheel-throwing\.png/);
    const html = await t.api('PUT', '/pm/api/template-urls?url=/studio', { themeId: 'daybreak', templateName: 'about', data: { title: 'Studio', body: `<img src="${bare.url}">` } });
    assert.equal(html.status, 422, 'an <img> without alt in the text');
    const gallery = await t.api('PUT', '/pm/api/template-urls?url=/work', { themeId: 'daybreak', templateName: 'gallery', data: { title: 'Work', images: [{ src: described.url, alt: 'Kiln' }, { src: bare.url, alt: '' }] } });
    assert.equal(gallery.status, 422);
    assert.deepEqual(Object.keys(gallery.json.fields), ['data[images][1][src]'], 'the one picture without words is named, by its path');

    for (const data of [
      { title: 'Studio', body: 'Hello', portrait: bare.url, portraitAlt: 'Throwing a bowl on the wheel' },
      { title: 'Studio', body: `Look:\n\n![Throwing a bowl](${bare.url})\n\n[the file](${bare.url})` },
      { title: 'Studio', body: 'Hello', portrait: described.url },
    ]) {
      const ok = await t.api('PUT', '/pm/api/template-urls?url=/studio', { themeId: 'daybreak', templateName: 'about', data });
      assert.ok(ok.status < 300, `${JSON.stringify(data)}: ${JSON.stringify(ok.json)}`);
    }
  });

  it('dashboard form: the refusal keeps what was typed and links to the picture, opening beside the form', async () => {
    const r = await maya.post('/pm/urls/save', { ...ABOUT, _pm_path: '/team', title: 'Our team, typed with care', body: 'Three potters.', portrait: bare.url });
    assert.equal(r.statusCode, 422);
    assert.equal(inputValue(r.body, 'title'), 'Our team, typed with care');
    assert.equal(inputValue(r.body, 'portrait'), bare.url);
    assert.match(r.body, /Three potters\./);
    assert.match(r.body, new RegExp(`id="pm-f-portrait-error"[^>]*>The picture “wheel-throwing\\.png” has no description \\(alt text\\) yet[^<]*<a href="/pm/media/${bare.mediaId}" target="_blank" rel="noopener">/pm/media/${bare.mediaId}</a>`));
    assert.equal(await stored('/team'), undefined);

    // Described in the library (the link's page), the same form saves.
    const details = await maya.get(`/pm/media/${bare.mediaId}`);
    assert.equal(details.statusCode, 200);
    const set = await maya.post(`/pm/media/${bare.mediaId}/alt`, { alt: 'Three potters at their wheels' });
    assert.equal(set.statusCode, 303, set.body);
    const again = await maya.post('/pm/urls/save', { ...ABOUT, _pm_path: '/team', title: 'Our team, typed with care', body: 'Three potters.', portrait: bare.url });
    assert.ok(again.statusCode < 400, again.body.slice(0, 300));
    assert.match((await t.get('/team')).body, /alt="Three potters at their wheels"/);

    // Used now, its description cannot be emptied (the page would show it without one).
    const clear = await maya.post(`/pm/media/${bare.mediaId}/alt`, { alt: '' });
    assert.equal(clear.statusCode, 422);
    assert.match(clear.body, /used on \/team, where it needs a description/);
    const api = await t.api('PATCH', `/pm/api/media/${bare.mediaId}`, { alt: '  ' });
    assert.equal(api.status, 422);
    assert.match(api.json.fields.alt, /used on \/team/);
    assert.equal((await t.api('GET', `/pm/api/media/${bare.mediaId}`)).json.alt, 'Three potters at their wheels');
  });

  it('blog posts, both doors: a published cover or body picture needs a description; a draft may wait', async () => {
    const pic = (await t.upload('glaze-tiles.png', await png(500, 300, '#5a3'))).json;
    const post = { title: 'Glaze tests', body: 'Six tiles.', status: 'published', cover: pic.url };
    const r = await t.api('POST', '/pm/api/posts', post);
    assert.equal(r.status, 422, JSON.stringify(r.json));
    assert.match(r.json.fields.cover, /The picture “glaze-tiles\.png” has no description/);
    assert.equal((await t.api('GET', '/pm/api/posts')).json.total, 0, 'nothing stored');
    const body = await t.api('POST', '/pm/api/posts', { ...post, cover: '', body: `Six tiles:\n\n![](${pic.url})` });
    assert.equal(body.status, 422);
    assert.match(body.json.fields.body, /glaze-tiles\.png/);
    const draft = await t.api('POST', '/pm/api/posts', { ...post, status: 'draft' });
    assert.equal(draft.status, 201, 'a draft is not a page yet');
    const own = await t.api('POST', '/pm/api/posts', { ...post, slug: 'glaze-tests-2', coverAlt: 'Six glaze test tiles' });
    assert.equal(own.status, 201, 'the cover’s own description is enough');

    const form = await maya.get('/pm/posts/new');
    assert.equal(form.statusCode, 200);
    const me = (await t.app.stores.users.getByUsername(t.siteId, 'maya'))!;
    const bad = await maya.post('/pm/posts/new', { _action: 'save', title: 'Typed title stays', body: 'My **words**', status: 'published', cover: pic.url, coverAlt: '', authorIds: me.userId });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /value="Typed title stays"/);
    assert.match(bad.body, /My \*\*words\*\*/);
    assert.match(bad.body, new RegExp(`The picture “glaze-tiles\\.png” has no description[^<]*<a href="/pm/media/${pic.mediaId}" target="_blank" rel="noopener">`));
    assert.equal((await t.api('GET', '/pm/api/posts?q=Typed')).json.total, 0);
  });
});
