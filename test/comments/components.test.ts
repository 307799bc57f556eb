/**
 * The core's extension point the comments plugin stands on: components in stored pages
 * (`it.components.NAME`), the components cache dropping entries by key and bounded by bytes,
 * and re-rendering ONE stored page (a template page or a blog post) and nothing else.
 */
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { createComponentsCache } from '../../src/app/components-cache.js';
import type { Plugin, PluginServer } from '../../src/plugins/plugin.js';
import { BUILTIN_PLUGINS } from '../../src/app/builtin-plugins.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DIALECTS } from '../helpers/dialects.js';

describe('components cache', () => {
  test('a page change drops only the entries that depend on that page (or on the whole site)', async () => {
    const c = createComponentsCache();
    let n = 0;
    const get = (key: string, deps?: Parameters<typeof c.get>[3]) => c.get('s1', key, () => `${key}#${++n}`, deps);
    await get('plain');
    await get('about', { pages: [{ langcode: '', urlPath: '/about' }] });
    await get('any', { site: true });
    await c.get('s2', 'about', () => 'other site', { pages: [{ langcode: '', urlPath: '/about' }] });
    c.pageChanged('s1', '', '/contact');
    assert.equal(await get('plain'), 'plain#1');
    assert.equal(await get('about', { pages: [{ langcode: '', urlPath: '/about' }] }), 'about#2', 'another page: kept');
    assert.equal(await get('any', { site: true }), 'any#4', 'the site-wide entry went');
    c.pageChanged('s1', '', '/about');
    assert.equal(await get('about', { pages: [{ langcode: '', urlPath: '/about' }] }), 'about#5', 'its page changed: dropped');
    assert.equal(await get('plain'), 'plain#1', 'an entry without dependencies stays');
    assert.equal(await c.get('s2', 'about', () => 'x'), 'other site', 'another site is not touched');
    c.delete('s1', 'plain');
    assert.equal(await get('plain'), 'plain#6', 'dropped by its key');
  });

  test('a computation that started before its entry was deleted is not kept', async () => {
    const c = createComponentsCache();
    let release!: () => void;
    const slow = c.get('s', 'k', () => new Promise<string>((r) => (release = () => r('stale'))));
    await new Promise((r) => setImmediate(r));
    c.delete('s', 'k');
    release();
    assert.equal(await slow, 'stale');
    assert.equal(await c.get('s', 'k', () => 'fresh'), 'fresh');
  });

  test('bounded by bytes: the least recently used entries go first', async () => {
    const c = createComponentsCache({ maxBytes: 64 * 1024 });
    const big = 'x'.repeat(10 * 1024);
    for (let i = 0; i < 20; i++) await c.get('s', `k${i}`, () => big + i);
    assert.ok(c.bytes <= 64 * 1024, `${c.bytes} bytes kept`);
    assert.ok(c.bytes > 40 * 1024, 'the room is used');
    let recomputed = false;
    await c.get('s', 'k0', () => ((recomputed = true), 'again'));
    assert.ok(recomputed, 'the oldest entry was evicted');
    recomputed = false;
    await c.get('s', 'k19', () => ((recomputed = true), 'again'));
    assert.ok(!recomputed, 'the newest entry is still there');
  });
});

/** A plugin providing `it.components.greeting` from a per-page counter. */
function greetingPlugin(counts: Map<string, number>, servers: PluginServer[]): Plugin {
  return {
    name: 'greeting',
    init(server) {
      servers.push(server);
      server.components.provide('comments', (page) => {
        const k = `${page.kind}:${page.langcode}:${page.urlPath}`;
        return server.components.get(page.siteId, `greeting:${k}`, () => `<p class="greeting">Hello ${page.kind} ${page.urlPath} #${counts.get(k) ?? 0}</p>`);
      });
    },
  };
}

async function snapshot(t: TestApp): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const p of await t.app.stores.pages.list(t.siteId)) out.set(`${p.langcode}:${p.urlPath}`, `${p.etag}:${p.updatedAt}`);
  return out;
}

function changed(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}

async function stored(t: TestApp, langcode: string, urlPath: string): Promise<string> {
  const p = await t.app.stores.pages.get(t.siteId, langcode, urlPath);
  return p?.gz ? gunzipSync(p.gz).toString('utf8') : '';
}

for (const d of DIALECTS) {
  test(`a component in stored pages, and re-rendering one page changes exactly that page [${d.name}]`, { skip: d.skip }, async () => {
    const counts = new Map<string, number>();
    const servers: PluginServer[] = [];
    // The comments plugin is left out: this test's own plugin provides `it.components.comments`.
    const t = await startTestApp({}, { dialect: d.name, builtInPlugins: BUILTIN_PLUGINS.filter((p) => p.folder !== 'comments'), extraPlugins: [greetingPlugin(counts, servers)] });
    try {
      const server = servers[0]!;
      for (const theme of ['daybreak', 'nightfall']) {
        for (const urlPath of [`/${theme}-a`, `/${theme}-b`]) {
          const r = await t.app.templates.save({ siteId: t.siteId, langcode: '', urlPath, themeId: theme, templateName: 'post', data: { title: `Post ${urlPath}`, body: 'Text.' } });
          assert.ok(r.ok);
        }
        assert.match(await stored(t, '', `/${theme}-a`), new RegExp(`Hello page /${theme}-a #0`), `the ${theme} post template shows the component`);
      }
      await t.app.templates.save({ siteId: t.siteId, langcode: '', urlPath: '/about', themeId: 'daybreak', templateName: 'about', data: { title: 'About' } });
      assert.doesNotMatch(await stored(t, '', '/about'), /undefined/, 'a template without the component prints nothing for it');

      // A blog post through the blog's own renderer.
      const editor = await t.user('edith', 'edith passphrase', 'editor');
      const token = (await t.app.users.createToken(editor, 'test')).token;
      const made = await t.app.http.inject({ method: 'POST', url: '/pm/api/posts', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ title: 'First post', body: 'Hi', status: 'published' }) });
      assert.equal(made.statusCode, 201, made.body);
      const post = JSON.parse(made.body).post as { postId: string; slug: string };
      const postPath = `/blog/${post.slug}`;
      assert.match(await stored(t, '', postPath), new RegExp(`Hello post ${postPath} #0`));

      // The data behind one page's component changes: drop its key, re-render that page only.
      const before = await snapshot(t);
      counts.set('page::/daybreak-a', 1);
      server.components.delete(t.siteId, 'greeting:page::/daybreak-a');
      assert.equal(await server.rerenderPage({ siteId: t.siteId, langcode: '', urlPath: '/daybreak-a', kind: 'page' }), true);
      const mid = await snapshot(t);
      assert.deepEqual(changed(before, mid), [':/daybreak-a']);
      assert.match(await stored(t, '', '/daybreak-a'), /Hello page \/daybreak-a #1/);
      assert.match((await t.app.http.inject('/daybreak-a')).body, /Hello page \/daybreak-a #1/, 'served from the page store');

      counts.set(`post::${postPath}`, 1);
      server.components.delete(t.siteId, `greeting:post::${postPath}`);
      assert.equal(await server.rerenderPage({ siteId: t.siteId, langcode: '', urlPath: postPath, kind: 'post', postId: post.postId }), true);
      const after = await snapshot(t);
      assert.deepEqual(changed(mid, after), [`:${postPath}`], 'only the post page, not the index or its neighbours');
      assert.match(await stored(t, '', postPath), new RegExp(`Hello post ${postPath} #1`));

      // A page change elsewhere keeps the other components: the untouched page re-renders from the cache.
      counts.set('page::/nightfall-a', 5);
      await t.app.templates.save({ siteId: t.siteId, langcode: '', urlPath: '/nightfall-b', themeId: 'nightfall', templateName: 'post', data: { title: 'Edited', body: 'x' } });
      assert.equal(await server.rerenderPage({ siteId: t.siteId, langcode: '', urlPath: '/nightfall-a', kind: 'page' }), true);
      assert.match(await stored(t, '', '/nightfall-a'), /Hello page \/nightfall-a #0/, 'its cached snippet survived another page’s change');

      assert.equal(await server.rerenderPage({ siteId: t.siteId, langcode: '', urlPath: '/nowhere', kind: 'page' }), false);
      assert.equal(await server.rerenderPage({ siteId: t.siteId, langcode: '', urlPath: '/blog/nope', kind: 'post', postId: 'nope' }), false);
      assert.deepEqual(changed(after, await snapshot(t)).filter((k) => !k.includes('nightfall')), [], 'a page that does not exist writes nothing');
    } finally {
      await t.close();
    }
  });
}
