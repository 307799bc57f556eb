/**
 * No sample link leads to "Page not found". A new site gets its welcome page;
 * an owner who makes a page from a template's sample content sees links to
 * where the theme's other samples live (/about, /contact, …). Each internal
 * link on the welcome page, the 404 page and every sample page either
 * answers, or is offered for creation by the page's editor; with a page made
 * from every template (at the address its sample lives at), all of them answer.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { APP_DIALECTS } from '../helpers/app.js';
import { decode, startHarness, type Client, type Harness } from '../dashboard/dashboard-harness.js';

const PASSWORD = 'correct horse battery';
const THEMES = ['daybreak', 'nightfall'];

/** Internal links (`<a href="/…">`) of a page, decoded, without fragment; each once. */
function internalLinks(body: string): string[] {
  const out = new Set<string>();
  for (const m of body.matchAll(/<a\b[^>]*\bhref="([^"]*)"/g)) {
    const href = decode(m[1]).replace(/#.*$/, '');
    if (href.startsWith('/') && !href.startsWith('//')) out.add(href);
  }
  return [...out];
}

const previewPages = (theme: string): Record<string, string> =>
  (JSON.parse(readFileSync(join(import.meta.dirname, '../../pm-themes', theme, 'samples/preview.json'), 'utf8')) as { pages: Record<string, string> }).pages;

for (const { name: dialect, skip } of APP_DIALECTS) {
  for (const theme of THEMES) {
    describe(`${theme}'s sample links [${dialect}]`, { skip }, () => {
      let h: Harness;
      let ada: Client;
      const status = async (url: string) => (await ada.get(url)).statusCode;
      /** The links of `url` that answer 404, as a logged-in owner follows them. */
      const broken = async (url: string) => {
        const out: string[] = [];
        for (const l of internalLinks((await ada.get(url)).body)) if ((await status(l)) === 404) out.push(l);
        return out;
      };

      before(async () => {
        h = await startHarness({ dialect });
        await h.user('ada', PASSWORD, 'superadmin');
        ada = await h.loggedIn('ada', PASSWORD);
        await h.app.siteThemes.apply(h.siteId, theme);
      });
      after(() => h?.close());

      test('the welcome page and the 404 page link only to what answers', async () => {
        const welcome = await ada.get('/');
        assert.equal(welcome.statusCode, 200);
        assert.ok(internalLinks(welcome.body).includes('/pm/'), 'the welcome page leads into the dashboard');
        assert.deepEqual(await broken('/'), []);
        const missing = await ada.get('/no-such-page');
        assert.equal(missing.statusCode, 404);
        assert.ok(internalLinks(missing.body).length > 0);
        assert.deepEqual(await broken('/no-such-page'), []);
      });

      test('a page made from a sample alone: each link that leads nowhere yet is offered for creation in its editor', async () => {
        const pages = previewPages(theme);
        let offered = 0;
        for (const template of Object.keys(pages)) {
          if (template === '404') continue;
          const alone = `/alone-${template}`;
          const sample = (await h.app.themes.getTemplate(theme, template)).sample;
          assert.ok((await h.app.addresses.saveTemplate({ siteId: h.siteId, langcode: '', urlPath: alone, themeId: theme, templateName: template, data: sample })).ok, template);
          const dead = await broken(alone);
          const editor = (await ada.get(`/pm/urls/edit?path=${encodeURIComponent(alone)}`)).body;
          for (const l of dead) {
            assert.ok(Object.values(pages).includes(l), `${template}: ${l} is where one of the theme's samples lives`);
            assert.ok(editor.includes(`href="/pm/urls/new?path=${encodeURIComponent(l)}"`), `${template}: the editor offers to create ${l}`);
            offered++;
          }
          if (!dead.length) assert.doesNotMatch(editor, /id="pm-missing-links"/);
          await h.app.addresses.remove(h.siteId, '', alone);
        }
        assert.ok(offered >= 5, `the samples link to the theme's other pages (${offered} offers)`);
      });

      test('with a page made from every template at its sample address, no link of any page leads to a 404', async () => {
        const pages = previewPages(theme);
        for (const [template, at] of Object.entries(pages)) {
          if (template === '404') continue;
          const sample = (await h.app.themes.getTemplate(theme, template)).sample;
          const r = await h.app.addresses.saveTemplate({ siteId: h.siteId, langcode: '', urlPath: at, themeId: theme, templateName: template, data: sample });
          assert.ok(r.ok, `${template} at ${at}`);
        }
        for (const [template, at] of Object.entries(pages)) {
          assert.equal(await status(at), template === '404' ? 404 : 200, at);
          assert.deepEqual(await broken(at), [], `${template} at ${at}`);
          if (template === '404') continue;
          const editor = (await ada.get(`/pm/urls/edit?path=${encodeURIComponent(at)}`)).body;
          assert.doesNotMatch(editor, /id="pm-missing-links"/, `${at}: nothing left to offer`);
        }
      });
    });
  }
}
