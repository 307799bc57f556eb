import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';

/** A tiny theme in the data folder's pm-themes/, which the test can change on disk. */
function writeTheme(dir: string, template = '<html lang="<%= it.site.langcode %>"><head><%~ it.pm.head() %></head><body><h1><%= it.data.title %></h1><%~ it.pm.bodyEnd() %></body></html>') {
  const root = join(dir, 'pm-themes', 'plain');
  mkdirSync(join(root, 'templates'), { recursive: true });
  mkdirSync(join(root, 'schemas'), { recursive: true });
  writeFileSync(
    join(root, 'theme.json'),
    JSON.stringify({ id: 'plain', name: 'Plain', version: '1.0.0', templates: [{ name: 'page', file: 'templates/page.eta', schema: 'schemas/page.json', description: 'A page' }] }),
  );
  writeFileSync(join(root, 'schemas', 'page.json'), JSON.stringify({ type: 'object', required: ['title'], properties: { title: { type: 'string', maxLength: 40 } } }));
  writeFileSync(join(root, 'templates', 'page.eta'), template);
}

describe('template URLs: the page is rendered once, when the data is saved', () => {
  let t: TestApp;
  let dir: string;
  const save = (urlPath: string, data: unknown, langcode = '', themeId = 'plain', templateName = 'page') =>
    t.app.templates.save({ siteId: t.siteId, langcode, urlPath, themeId, templateName, data });
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pm-tpl-'));
    writeTheme(dir);
    t = await startTestApp({}, { dir });
    await t.app.siteService.update(t.siteId, { defaultLocale: 'en', enabledLocales: ['en', 'fr'] });
  });
  after(() => t.close());

  test('saving renders into the page store; the CSP carries the inline script hash, not a nonce', async () => {
    const remove = t.app.themes.addGlobalAsset({ scripts: [{ inline: 'console.log("injected by a plugin")' }] });
    assert.deepEqual(await save('/hello', { title: 'Hello world' }), { ok: true });
    remove();
    const r = await t.app.http.inject('/hello');
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<h1>Hello world<\/h1>/);
    assert.match(r.body, /injected by a plugin/);
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /'sha256-/);
    assert.doesNotMatch(csp, /nonce-/);
    assert.equal(r.headers['x-pm-cache'], 'hit');
  });

  test('an invalid submission returns the errors by field and changes nothing stored', async () => {
    await save('/keep', { title: 'Kept' });
    const bad = await save('/keep', { title: 'x'.repeat(41) });
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.errors.title?.[0]?.includes('40'));
    const missing = await save('/keep', {});
    assert.ok(!missing.ok && /Required/.test(missing.errors.title?.[0] ?? ''));
    assert.match((await t.app.http.inject('/keep')).body, /Kept/);
    assert.deepEqual((await t.app.templates.get(t.siteId, '', '/keep'))?.data, { title: 'Kept' });
  });

  test('a path with .. is refused before anything is stored', async () => {
    await assert.rejects(save('/a/../b', { title: 'x' }), (e: Error & { code?: string }) => e.code === 'PM_ERR_PATH_INVALID');
    assert.equal(await t.app.templates.get(t.siteId, '', '/b'), undefined);
  });

  test('a missing translation falls back to the default locale’s data; its own data wins', async () => {
    await save('/about', { title: 'About' });
    const fr = await t.app.http.inject('/fr/about');
    assert.match(fr.body, /<h1>About<\/h1>/);
    assert.match(fr.body, /lang="en"/, 'an untranslated copy carries the language of its content (issue 11)');
    await save('/about', { title: 'À propos' }, 'fr');
    assert.match((await t.app.http.inject('/fr/about')).body, /À propos/);
    assert.match((await t.app.http.inject('/fr/about')).body, /lang="fr"/);
    assert.match((await t.app.http.inject('/about')).body, /<h1>About<\/h1>/);
    await t.app.templates.remove(t.siteId, 'fr', '/about');
    assert.match((await t.app.http.inject('/fr/about')).body, /<h1>About<\/h1>/, 'back to the fallback');
  });

  test('preview renders without saving', async () => {
    const r = await t.app.templates.preview({ siteId: t.siteId, langcode: '', urlPath: '/draft', themeId: 'plain', templateName: 'page', data: { title: 'Not saved' } });
    assert.ok(r.ok);
    assert.match(r.html, /Not saved/);
    assert.equal((await t.app.http.inject('/draft')).statusCode, 404);
    const sample = await t.app.templates.preview({ siteId: t.siteId, langcode: '', urlPath: '/x', themeId: 'daybreak', templateName: 'about' });
    assert.ok(sample.ok);
    assert.match(sample.html, /<h1/);
  });

  test('removing the mapping removes the page (and its fallbacks)', async () => {
    await save('/gone', { title: 'Soon gone' });
    assert.equal((await t.app.http.inject('/fr/gone')).statusCode, 200);
    assert.equal(await t.app.templates.remove(t.siteId, '', '/gone'), true);
    assert.equal((await t.app.http.inject('/gone')).statusCode, 404);
    assert.equal((await t.app.http.inject('/fr/gone')).statusCode, 404);
  });

  test('changing a template and reloading re-renders every page that uses it', async () => {
    await save('/one', { title: 'One' });
    await save('/two', { title: 'Two' });
    writeTheme(dir, '<html><head><%~ it.pm.head() %></head><body><h2 class="v2"><%= it.data.title %></h2></body></html>');
    const r = await t.app.themes.reload();
    assert.deepEqual(r.changed, ['plain']);
    for (const [p, title] of [['/one', 'One'], ['/two', 'Two'], ['/fr/one', 'One']]) {
      assert.match((await t.app.http.inject(p)).body, new RegExp(`<h2 class="v2">${title}</h2>`), p);
    }
  });

  test('a template that stops compiling: the last good pages keep serving, saving reports the theme error', async () => {
    await save('/stable', { title: 'Stable' });
    writeTheme(dir, '<h1><%= it.data.title </h1>');
    await t.app.themes.reload();
    assert.match((await t.app.http.inject('/stable')).body, /Stable/);
    await assert.rejects(save('/stable', { title: 'Changed' }), (e: Error & { code?: string }) => e.code === 'PM_ERR_THEME_BROKEN');
    assert.match((await t.app.http.inject('/stable')).body, /Stable/);
    assert.deepEqual((await t.app.templates.get(t.siteId, '', '/stable'))?.data, { title: 'Stable' });
    const listed = t.app.themes.list().find((x) => x.id === 'plain');
    assert.ok(listed && listed.errors.length > 0);
    writeTheme(dir);
    await t.app.themes.reload();
  });
});

describe('theme assets', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  test('served with an ETag, 304 on If-None-Match, immutable when fingerprinted', async () => {
    const r = await t.app.http.inject('/pm-themes/daybreak/assets/style.css');
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /text\/css/);
    assert.match(String(r.headers['cache-control']), /max-age=300/);
    const again = await t.app.http.inject({ url: '/pm-themes/daybreak/assets/style.css', headers: { 'if-none-match': String(r.headers.etag) } });
    assert.equal(again.statusCode, 304);
    const url = t.app.themes.assetUrl('daybreak', 'assets/style.css');
    assert.match(String((await t.app.http.inject(url)).headers['cache-control']), /immutable/);
  });

  for (const path of ['theme.json', 'templates/home.eta', 'schemas/home.json', 'samples/home.json']) {
    test(`never serves ${path}`, async () => {
      assert.equal((await t.app.http.inject(`/pm-themes/daybreak/${path}`)).statusCode, 404);
    });
  }

  test('a path with .. is refused', async () => {
    const r = await t.app.http.inject('/pm-themes/daybreak/assets/%2e%2e/theme.json');
    assert.ok([400, 404].includes(r.statusCode), String(r.statusCode));
    assert.doesNotMatch(r.body, /"templates"/);
  });
});

describe('--strict-themes', () => {
  test('refuses to start, listing every error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-strict-'));
    mkdirSync(join(dir, 'pm-themes', 'broken'), { recursive: true });
    writeFileSync(join(dir, 'pm-themes', 'broken', 'theme.json'), '{ not json');
    await assert.rejects(startTestApp({ strictThemes: true }, { dir }), (e: Error) => /strict-themes/.test(e.message) && /broken/.test(e.message));
    // Without the flag the server starts and the other themes work.
    const t = await startTestApp({}, { dir });
    try {
      assert.equal((await t.app.http.inject('/')).statusCode, 200);
      assert.ok(t.app.themes.list().find((x) => x.id === 'broken')?.errors.length);
    } finally {
      await t.close();
    }
  });
});
