import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { BUILTIN_THEMES_DIR, createSampleRenderer, startPreviewServer } from '../../scripts/screenshot-themes.js';
import { chromiumSkip, launchChromium } from '../browser/chromium.js';
import type { PreviewServer, SampleRenderer, ThemePreview } from '../../scripts/screenshot-themes.js';
import type { RenderContext } from '../../src/themes/themes-manager.js';

const THEMES = ['daybreak', 'nightfall'];
const TEMPLATES = ['home', 'about', 'blog-index', 'post', 'gallery', 'contact', 'resume', 'talks', '404'];

interface TemplateEntry {
  name: string;
  file: string;
  schema: string;
  sample: string;
  screenshot: string;
  description: string;
}
interface Manifest {
  id: string;
  name: string;
  description: string;
  version: string;
  author: string;
  license: string;
  screenshot: string;
  styles: string[];
  scripts: string[];
  templates: TemplateEntry[];
  notFound: string;
}
type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; required?: string[]; title?: string; description?: string };
type Data = Record<string, unknown>;

const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;
const themePath = (id: string, ...p: string[]): string => join(BUILTIN_THEMES_DIR, id, ...p);
const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');

function createValidator(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  // ajv-formats is CommonJS; under NodeNext its default import is the module object.
  (formatsPlugin as unknown as { default: (a: Ajv) => void }).default(ajv);
  for (const f of ['markdown', 'textarea', 'color', 'image']) ajv.addFormat(f, true);
  return ajv;
}

/** Keys in `data` that the schema does not declare: a typo in a sample would otherwise render nothing, silently. */
function undeclared(data: unknown, schema: Schema, at = ''): string[] {
  if (Array.isArray(data)) return data.flatMap((v, i) => (schema.items ? undeclared(v, schema.items, `${at}/${i}`) : []));
  if (!data || typeof data !== 'object' || !schema.properties) return [];
  return Object.entries(data).flatMap(([k, v]) => {
    const sub = schema.properties?.[k];
    return sub ? undeclared(v, sub, `${at}/${k}`) : [`${at}/${k}`];
  });
}

/** Every property at every depth, to check the form has words for each field. */
function fields(schema: Schema, at = ''): [string, Schema][] {
  const out: [string, Schema][] = [];
  for (const [k, s] of Object.entries(schema.properties ?? {})) {
    out.push([`${at}/${k}`, s]);
    out.push(...fields(s, `${at}/${k}`));
    if (s.items) out.push(...fields(s.items, `${at}/${k}[]`));
  }
  return out;
}

function headlineOf(template: string, data: Data): string {
  const key = template === 'home' ? 'heading' : template === 'resume' ? 'name' : 'title';
  return String(data[key]);
}

function pngSize(buf: Buffer): { width: number; height: number } {
  assert.equal(buf.subarray(1, 4).toString('latin1'), 'PNG', 'not a PNG file');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

function luminance(hex: string): number {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * (r as number) + 0.7152 * (g as number) + 0.0722 * (b as number);
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** What every page of a theme must have, whatever the template. */
function assertPageBasics(html: string, where: string): void {
  assert.ok(!html.includes('<%') && !html.includes('%>'), `${where}: leftover eta tags`);
  assert.ok(!/\sstyle\s*=/i.test(html), `${where}: inline style attribute (the CSP forbids it)`);
  assert.ok(!/<style[\s>]/i.test(html), `${where}: inline <style> element`);
  for (const m of html.matchAll(/<script\b[^>]*>/gi)) assert.match(m[0], /\ssrc=/, `${where}: inline <script> without src`);
  assert.ok(!/\son[a-z]+\s*=/i.test(html.replace(/<(pre|code)[\s\S]*?<\/\1>/g, '')), `${where}: inline event handler`);
  assert.ok(!/\bundefined\b|\[object Object\]|\bNaN\b/.test(html.replace(/<[^>]+>/g, ' ')), `${where}: a missing value was printed`);
  assert.ok(!/(src|href)="https?:\/\/(?!example\.)/.test(html.replace(/<(main)[\s\S]*<\/main>/, '')), `${where}: the layout loads something from another site`);
  assert.match(html, /^<!doctype html>/i, `${where}: doctype`);
  assert.match(html, /<html lang="en">/, `${where}: html lang`);
  assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/, `${where}: viewport`);
  assert.match(html, /<meta name="description" content="[^"]+">/, `${where}: meta description`);
  assert.match(html, /<a class="skip-link" href="#main">/, `${where}: skip link`);
  assert.match(html, /<main id="main"/, `${where}: main landmark`);
  assert.match(html, /<header class="site-header">/, `${where}: site header`);
  assert.match(html, /<nav class="site-nav" aria-label="Main">/, `${where}: nav`);
  assert.match(html, /<footer class="site-footer">/, `${where}: footer`);
  assert.match(html, /<link rel="stylesheet" href="\/pm-themes\/[a-z]+\/assets\/style\.css\?v=[^"]+"/, `${where}: the stylesheet from theme.json`);
  assert.equal((html.match(/<h1[\s>]/g) ?? []).length, 1, `${where}: exactly one h1`);
  let previous = 0;
  for (const m of html.matchAll(/<h([1-6])[\s>]/g)) {
    const level = Number(m[1]);
    assert.ok(level <= previous + 1, `${where}: heading h${level} follows h${previous}`);
    previous = level;
  }
  for (const m of html.matchAll(/<img\b[^>]*>/g)) assert.match(m[0], /\salt="/, `${where}: image without alt: ${m[0]}`);
}

describe('built-in themes', () => {
  let renderer: SampleRenderer;
  const manifests = new Map<string, Manifest>();
  const previews = new Map<string, ThemePreview>();

  before(async () => {
    renderer = await createSampleRenderer();
    for (const id of THEMES) {
      manifests.set(id, await readJson<Manifest>(themePath(id, 'theme.json')));
      previews.set(id, await readJson<ThemePreview>(themePath(id, 'samples', 'preview.json')));
    }
  });

  async function render(themeId: string, template: string, data: unknown, ctx: Partial<RenderContext> = {}): Promise<string> {
    const preview = previews.get(themeId) as ThemePreview;
    const urlPath = preview.pages?.[template] ?? '/';
    const { html } = await renderer.manager.render(themeId, template, data, {
      site: preview.site,
      page: { urlPath, url: `http://localhost${urlPath}` },
      ...ctx,
    });
    return html;
  }

  it('are both loaded by the themes manager with no problems at all', async () => {
    assert.deepEqual(renderer.themeIds().filter((id) => THEMES.includes(id)).sort(), THEMES);
    const problems = (await renderer.manager.check()).filter((p) => THEMES.includes(p.themeId));
    assert.deepEqual(problems, []);
  });

  for (const id of THEMES) {
    describe(id, () => {
      it('theme.json describes the theme and lists the nine templates', () => {
        const m = manifests.get(id) as Manifest;
        assert.equal(m.id, id);
        assert.ok(m.name && m.description.length > 20, 'name and description');
        assert.equal(m.version, '1.0.0');
        assert.equal(m.author, 'pagemanager');
        assert.equal(m.license, 'MIT');
        assert.deepEqual(m.styles, ['assets/style.css']);
        assert.deepEqual(m.scripts, []);
        assert.equal(m.notFound, '404');
        assert.deepEqual(m.templates.map((t) => t.name), TEMPLATES);
        for (const t of m.templates) {
          assert.deepEqual(
            { file: t.file, schema: t.schema, sample: t.sample, screenshot: t.screenshot },
            { file: `templates/${t.name}.eta`, schema: `schemas/${t.name}.json`, sample: `samples/${t.name}.json`, screenshot: `screenshots/${t.name}.png` },
          );
          assert.ok(t.description.length > 20, `${t.name}: a description the dashboard can show`);
        }
      });

      it('every file theme.json names exists; screenshots are small 1280×800 PNGs', async () => {
        const m = manifests.get(id) as Manifest;
        const files = [m.screenshot, ...m.styles, ...m.templates.flatMap((t) => [t.file, t.schema, t.sample, t.screenshot])];
        for (const f of files) assert.ok((await stat(themePath(id, f))).isFile(), `${f} is missing`);
        for (const t of m.templates) {
          const png = await readFile(themePath(id, t.screenshot));
          assert.deepEqual(pngSize(png), { width: 1280, height: 800 }, `${t.screenshot} size`);
          assert.ok(png.length < 400_000, `${t.screenshot} is ${png.length} bytes; keep it under 400 kB`);
        }
      });

      it('every schema reads well as a form: titles and descriptions on every field', async () => {
        const m = manifests.get(id) as Manifest;
        for (const t of m.templates) {
          const schema = await readJson<Schema>(themePath(id, t.schema));
          assert.equal(schema.type, 'object', `${t.schema}: root type`);
          assert.ok(schema.title && schema.description, `${t.schema}: title and description`);
          for (const [path, s] of fields(schema)) {
            assert.ok(s.title, `${t.schema}${path}: title`);
            if (s.type !== 'object' && !path.endsWith(']')) assert.ok(s.description, `${t.schema}${path}: description`);
          }
        }
      });

      it('every sample validates against its schema and uses only declared fields', async () => {
        const ajv = createValidator();
        const m = manifests.get(id) as Manifest;
        for (const t of m.templates) {
          const schema = await readJson<Schema>(themePath(id, t.schema));
          const sample = await readJson<Data>(themePath(id, t.sample));
          const validate = ajv.compile(schema);
          assert.ok(validate(sample), `${t.sample}: ${ajv.errorsText(validate.errors)}`);
          assert.deepEqual(undeclared(sample, schema), [], `${t.sample}: fields the schema does not declare`);
        }
      });

      it('a sample that breaks its schema is rejected with a clear error', async () => {
        const ajv = createValidator();
        const validate = ajv.compile(await readJson<Schema>(themePath(id, 'schemas/contact.json')));
        assert.equal(validate({ title: 'Contact', email: 'not an email' }), false);
        assert.match(ajv.errorsText(validate.errors), /\/email must match format "email"/);
        const post = ajv.compile(await readJson<Schema>(themePath(id, 'schemas/post.json')));
        assert.equal(post({ title: 'x'.repeat(201), body: 'b' }), false);
        assert.match(ajv.errorsText(post.errors), /\/title must NOT have more than 200 characters/);
        assert.equal(post({ title: 'No body' }), false);
        assert.match(ajv.errorsText(post.errors), /must have required property 'body'/);
      });

      for (const template of TEMPLATES) {
        it(`${template} renders its sample: headline, page basics, no inline script or style`, async () => {
          const page = await renderer.render(id, template);
          const data = page.data as Data;
          const where = `${id}/${template}`;
          assertPageBasics(page.html, where);
          assert.ok(page.html.includes(escapeHtml(headlineOf(template, data))), `${where}: headline ${headlineOf(template, data)}`);
          const site = (previews.get(id) as ThemePreview).site;
          const title = /<title>([^<]*)<\/title>/.exec(page.html)?.[1] ?? '';
          assert.ok(title.endsWith(escapeHtml(site.title)), `${where}: <title> ${title} names the site`);
          if (template !== 'home') assert.ok(title.length > escapeHtml(site.title).length, `${where}: <title> ${title} names the page`);
          for (const link of (data.nav as { label: string }[]) ?? []) assert.ok(page.html.includes(`>${escapeHtml(link.label)}</a>`), `${where}: menu link ${link.label}`);
        });

        it(`${template} renders with only its required fields, printing no missing values`, async () => {
          const page = await renderer.render(id, template, { minimal: true });
          assertPageBasics(page.html, `${id}/${template} (minimal)`);
        });

        it(`${template} renders even with no data at all (a page just switched to it), with a heading`, async () => {
          const html = await render(id, template, {});
          assertPageBasics(html, `${id}/${template} (empty)`);
          assert.match(html, /<h1[^>]*>[^<\s][^<]*<\/h1>/, 'a non-empty h1');
        });
      }

      it('home shows the call to action, the sections and the quote', async () => {
        const html = (await renderer.render(id, 'home')).html;
        const d = (await renderer.render(id, 'home')).data as Data;
        assert.ok(html.includes(`href="${d.ctaUrl as string}"`) && html.includes(escapeHtml(d.ctaLabel as string)), 'call to action');
        for (const s of d.sections as { heading: string }[]) assert.ok(html.includes(escapeHtml(s.heading)), `section ${s.heading}`);
        assert.ok(html.includes(escapeHtml(d.quote as string)), 'quote');
      });

      it('the menu comes from the page, else from the caller, else is just Home; the current page is marked', async () => {
        const own = await render(id, 'about', { title: 'About', body: 'Hi', nav: [{ label: 'Studio', url: '/about' }, { label: 'Shop', url: 'https://shop.example.com' }] });
        assert.match(own, /<a href="\/about" aria-current="page">Studio<\/a>/);
        assert.match(own, /<a href="https:\/\/shop\.example\.com">Shop<\/a>/);
        const fromExtra = await render(id, 'about', { title: 'About', body: 'Hi' }, { extra: { nav: [{ label: 'Journal', url: '/journal' }] } });
        assert.match(fromExtra, /<a href="\/journal">Journal<\/a>/);
        const none = await render(id, 'about', { title: 'About', body: 'Hi', nav: [] });
        const navHtml = /<nav class="site-nav"[\s\S]*?<\/nav>/.exec(none)?.[0] ?? '';
        assert.equal((navHtml.match(/<a /g) ?? []).length, 1);
        assert.match(navHtml, /<a href="\/">Home<\/a>/);
      });

      it('links the user typed go through it.url, so a ~tilde site keeps its prefix', async () => {
        const html = await render(id, 'home', { heading: 'Hi', ctaLabel: 'Book', ctaUrl: '/book', nav: [{ label: 'About', url: '/about' }] }, { url: (p: string) => `/~ada${p}` });
        assert.match(html, /href="\/~ada\/about"/);
        assert.match(html, /href="\/~ada\/book"/);
        assert.match(html, /href="\/~ada\/"/, 'the site title links home with the prefix');
      });

      it('blog index lists the posts with dates, excerpts, tags and pagination', async () => {
        const html = (await renderer.render(id, 'blog-index')).html;
        const extra = (previews.get(id) as ThemePreview).extra?.['blog-index'] as { posts: { title: string; url: string; date: string; excerpt: string; tags: string[] }[] };
        for (const p of extra.posts) {
          assert.ok(html.includes(`href="${p.url}"`) && html.includes(escapeHtml(p.title)), `post ${p.title}`);
          assert.ok(html.includes(escapeHtml(p.excerpt)), `excerpt of ${p.title}`);
          assert.ok(html.includes(`<time datetime="${p.date}">`), `date of ${p.title}`);
          for (const t of p.tags) assert.ok(html.includes(`>${escapeHtml(t)}</li>`), `tag ${t}`);
        }
        assert.match(html, /<time datetime="2024-0\d-\d\d">[A-Z][a-z]+ \d{1,2}, 2024<\/time>/, 'a friendly date');
        assert.match(html, /rel="next">Older posts/);
        const withPrev = await render(id, 'blog-index', { title: 'Blog' }, { extra: { posts: extra.posts.slice(0, 1), pagination: { prev: '/blog', next: '/blog/page/3' } } });
        assert.match(withPrev, /href="\/blog" rel="prev"/);
        assert.match(withPrev, /href="\/blog\/page\/3" rel="next"/);
      });

      it('blog index without posts says so, in the words the user chose', async () => {
        const html = await render(id, 'blog-index', { title: 'Blog', emptyMessage: 'Back in spring!' });
        assert.ok(html.includes('Back in spring!'));
        assert.ok(!html.includes('Older posts'));
        const fallback = await render(id, 'blog-index', { title: 'Blog' }, { extra: { posts: [] } });
        assert.ok(fallback.includes('The first post is on its way.'));
      });

      it('post shows author, date, tags, cover and the markdown body as HTML', async () => {
        const page = await renderer.render(id, 'post');
        const d = page.data as Data;
        assert.ok(page.html.includes(escapeHtml(d.author as string)));
        assert.match(page.html, new RegExp(`<time datetime="${d.date as string}">`));
        for (const t of d.tags as string[]) assert.ok(page.html.includes(`>${escapeHtml(t)}</li>`));
        assert.ok(page.html.includes(`src="${d.cover as string}" alt="${escapeHtml(d.coverAlt as string)}"`));
        assert.match(page.html, /<h2>[^<]+<\/h2>/, 'markdown headings');
        assert.match(page.html, /<blockquote>/, 'markdown quote');
      });

      it('gallery shows every picture with its alt text and caption', async () => {
        const page = await renderer.render(id, 'gallery');
        for (const img of (page.data as Data).images as { src: string; alt: string; caption: string }[]) {
          assert.ok(page.html.includes(`src="${img.src}" alt="${escapeHtml(img.alt)}"`), img.src);
          assert.ok(page.html.includes(`<figcaption>${escapeHtml(img.caption)}</figcaption>`), img.caption);
        }
      });

      it('contact links email and phone, keeps the address lines, lists social links and hours', async () => {
        const page = await renderer.render(id, 'contact');
        const d = page.data as Data;
        assert.ok(page.html.includes(`href="mailto:${d.email as string}"`));
        assert.ok(page.html.includes(`href="tel:${(d.phone as string).replace(/[^\d+]/g, '')}"`));
        assert.ok(page.html.includes((d.address as string).split('\n').map(escapeHtml).join('<br>')), 'address lines');
        for (const s of d.social as { label: string; url: string }[]) assert.ok(page.html.includes(`href="${s.url}" rel="me"`), s.label);
        for (const h of d.hours as { days: string; hours: string }[]) assert.ok(page.html.includes(`<th scope="row">${escapeHtml(h.days)}</th><td>${escapeHtml(h.hours)}</td>`), h.days);
      });

      it('résumé shows every role, qualification and skill', async () => {
        const page = await renderer.render(id, 'resume');
        const d = page.data as Data;
        for (const e of d.experience as { role: string; org: string }[]) assert.ok(page.html.includes(escapeHtml(e.role)) && page.html.includes(escapeHtml(e.org)), e.role);
        for (const e of d.education as { qualification: string }[]) assert.ok(page.html.includes(escapeHtml(e.qualification)), e.qualification);
        for (const s of d.skills as string[]) assert.ok(page.html.includes(`>${escapeHtml(s)}</li>`), s);
      });

      it('talks link the event, slides and recording of each talk', async () => {
        const page = await renderer.render(id, 'talks');
        for (const t of (page.data as Data).talks as { title: string; url?: string; slides?: string; video?: string; date: string }[]) {
          assert.ok(page.html.includes(escapeHtml(t.title)), t.title);
          for (const u of [t.url, t.slides, t.video]) if (u) assert.ok(page.html.includes(`href="${u}"`), u);
          assert.ok(page.html.includes(`datetime="${t.date}"`), t.date);
        }
      });

      it('404 renders with no data at all, and with a message, and links home', async () => {
        const bare = await render(id, '404', {});
        assertPageBasics(bare.replace(/<meta name="description"[^>]*>/, '<meta name="description" content="x">'), `${id}/404 (empty)`);
        assert.match(bare, /<h1[^>]*>Page not found<\/h1>/);
        assert.match(bare, /<title>Page not found [·—] /);
        assert.match(bare, /<a class="button" href="\/">/);
        const withMessage = await render(id, '404', { message: 'Try the **shop** instead.' });
        assert.ok(withMessage.includes('Try the <strong>shop</strong> instead.'));
      });

      it('escapes what the user typed and sanitises markdown', async () => {
        const html = await render(id, 'home', { heading: '<img src=x onerror=alert(1)> & co', intro: 'Hi <script>alert(1)</script> **there**' });
        assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt; &amp; co'));
        assert.ok(!html.includes('<script>alert(1)'));
        assert.ok(html.includes('<strong>there</strong>'));
      });

      it('templates cope with junk in optional lists instead of failing to render', async () => {
        const html = await render(id, 'home', { heading: 'Hi', sections: 'oops' });
        assert.ok(html.includes('Hi'));
        const gallery = await render(id, 'gallery', { title: 'Pictures', images: null });
        assert.ok(gallery.includes('No pictures yet'));
      });

      it('the stylesheet loads nothing from elsewhere, respects reduced motion, shows focus, prints', async () => {
        const css = await readFile(themePath(id, 'assets/style.css'), 'utf8');
        assert.ok(!/@import|url\(\s*['"]?(https?:)?\/\//i.test(css), 'no external fonts or images');
        assert.match(css, /@media \(prefers-reduced-motion: no-preference\)/);
        assert.match(css, /:focus-visible/);
        assert.match(css, /@media print/);
        assert.match(css, /\.skip-link:focus/);
      });

      it('text colours meet WCAG AA contrast (4.5:1) on the backgrounds they are used on', async () => {
        const css = await readFile(themePath(id, 'assets/style.css'), 'utf8');
        const root = /:root\s*{([^}]*)}/.exec(css)?.[1] ?? '';
        const v = Object.fromEntries([...root.matchAll(/--([a-z0-9-]+):\s*(#[0-9a-f]{3,6})\s*;/gi)].map((m) => [m[1], m[2]])) as Record<string, string>;
        const pairs: [string, string][] =
          id === 'daybreak'
            ? [['ink', 'bg'], ['ink-soft', 'bg'], ['accent', 'bg'], ['on-accent', 'accent'], ['on-accent', 'accent-dark'], ['ink-soft', 'band'], ['accent', 'band'], ['ink-soft', 'surface']]
            : [['text', 'bg'], ['muted', 'bg'], ['muted', 'surface'], ['muted', 'surface-2'], ['accent', 'surface'], ['accent-strong', 'surface-2'], ['accent-2', 'surface'], ['on-accent', 'accent'], ['on-accent', 'accent-strong']];
        for (const [fg, bg] of pairs) {
          assert.ok(v[fg] && v[bg], `--${fg} and --${bg} are defined`);
          const ratio = contrast(v[fg] as string, v[bg] as string);
          assert.ok(ratio >= 4.5, `--${fg} on --${bg}: ${ratio.toFixed(2)}:1`);
        }
      });
    });
  }

  it('the two themes look different: their own stylesheets and markup', async () => {
    const [a, b] = await Promise.all(THEMES.map((id) => readFile(themePath(id, 'assets/style.css'), 'utf8')));
    assert.notEqual(a, b);
    const [homeA, homeB] = await Promise.all(THEMES.map((id) => renderer.render(id, 'home')));
    assert.match(homeA?.html ?? '', /\/pm-themes\/daybreak\/assets\/style\.css/);
    assert.match(homeB?.html ?? '', /\/pm-themes\/nightfall\/assets\/style\.css/);
  });
});

// What only a browser can tell: the stylesheet really loads through the asset route, every sample picture
// loads, nothing scrolls sideways from 360px to 1440px, and the skip link stays out of sight until focused.
describe('built-in themes in a browser', { skip: chromiumSkip('built-in themes in a browser') }, () => {
  let renderer: SampleRenderer;
  let preview: PreviewServer;
  let browser: import('playwright-core').Browser;

  before(async () => {
    renderer = await createSampleRenderer();
    preview = await startPreviewServer(renderer.manager);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await preview?.close();
  });

  for (const id of THEMES) {
    it(`${id}: every template lays out from 360px to 1440px with its stylesheet and pictures`, async () => {
      const problems: string[] = [];
      for (const width of [360, 1440]) {
        const page = await browser.newPage({ viewport: { width, height: 800 }, reducedMotion: 'reduce' });
        page.on('requestfailed', (r) => problems.push(`${width}px: request failed ${r.url()}`));
        page.on('console', (m) => m.type() === 'error' && problems.push(`${width}px: console error ${m.text()}`));
        for (const template of TEMPLATES) {
          const sample = await renderer.render(id, template);
          preview.show(sample);
          const res = await page.goto(preview.origin + sample.urlPath, { waitUntil: 'load' });
          assert.equal(res?.status(), 200);
          // Lazy pictures load once scrolled to.
          await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
          await page.waitForFunction(() => [...document.images].every((i) => i.complete), undefined, { timeout: 5000 }).catch(() => undefined);
          await page.evaluate(() => window.scrollTo(0, 0));
          const r = await page.evaluate(() => ({
            overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            styled: getComputedStyle(document.querySelector('.skip-link') as Element).position === 'absolute',
            skipLinkBottom: (document.querySelector('.skip-link') as Element).getBoundingClientRect().bottom,
            brokenImages: [...document.images].filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src),
          }));
          const where = `${width}px ${template}`;
          if (r.overflow > 0) problems.push(`${where}: scrolls sideways by ${r.overflow}px`);
          if (!r.styled) problems.push(`${where}: the stylesheet did not apply`);
          if (r.skipLinkBottom > 0) problems.push(`${where}: the skip link shows before it is focused`);
          for (const src of r.brokenImages) problems.push(`${where}: picture did not load: ${src}`);
        }
        await page.close();
      }
      assert.deepEqual(problems, []);
    });
  }
});
