import { describe, it, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isPmError } from '../../src/errors/errors.js';
import type { ErrorCode } from '../../src/errors/errors.js';
import { createMemoryFS } from '../../src/themes/memory-fs.js';
import type { MemoryFS } from '../../src/themes/memory-fs.js';
import { createThemesManager } from '../../src/themes/themes-manager.js';
import type { RenderContext, ThemesManager } from '../../src/themes/themes-manager.js';

const LOGO = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);
const STYLE = 'body { color: #333 }';
const sha256hex = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const sha256b64 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64');

const LAYOUT =
  '<!doctype html><html><head><title><%= it.site.title %></title>\n<%~ it.pm.head() %>\n</head>\n' +
  '<body><%~ it.body %>\n<% include("/partials/footer") %><%~ include("/partials/footer") %>\n<%~ it.pm.bodyEnd() %>\n</body></html>';

function daybreak(): Record<string, string | Buffer> {
  return {
    'daybreak/theme.json': JSON.stringify({
      id: 'daybreak',
      name: 'Daybreak',
      description: 'A calm theme',
      version: '1.0.0',
      author: 'Ada',
      license: 'MIT',
      screenshot: 'screenshots/home.png',
      styles: ['assets/style.css'],
      scripts: ['assets/app.js'],
      templates: [
        { name: 'home', file: 'templates/home.eta', schema: 'schemas/home.json', sample: 'samples/home.json', description: 'The front page', screenshot: 'screenshots/home.png' },
        { name: '404', file: 'templates/404.eta', description: 'Not found' },
        { name: 'bare', file: 'templates/bare.eta', description: 'No hooks called' },
      ],
      notFound: '404',
    }),
    'daybreak/templates/layout.eta': LAYOUT,
    'daybreak/partials/footer.eta': '<footer><%= it.theme.name %></footer>',
    'daybreak/templates/home.eta':
      "<% layout('./layout') %><h1><%= it.data.title %></h1><div class=\"intro\"><%~ it.md(it.data.intro ?? '') %></div>" +
      '<a href="<%= it.url(\'/about\') %>">About</a><img src="<%= it.asset(\'assets/logo.png\') %>"><p><%= it.extra.note ?? \'\' %></p>',
    'daybreak/templates/404.eta': "<% layout('./layout') %><h1>Not here: <%= it.page.urlPath %></h1>",
    'daybreak/templates/bare.eta': '<html><head><title>x</title></head><body><p>bare</p></body></html>',
    'daybreak/assets/style.css': STYLE,
    'daybreak/assets/app.js': 'console.log(1)',
    'daybreak/assets/logo.png': LOGO,
    'daybreak/screenshots/home.png': LOGO,
    'daybreak/schemas/home.json': JSON.stringify({ type: 'object', properties: { title: { type: 'string' }, intro: { type: 'string' } } }),
    'daybreak/samples/home.json': JSON.stringify({ title: 'Sample title', intro: 'Some *intro*' }),
  };
}

function brokenThemes(): Record<string, string | Buffer> {
  return {
    'cracked/theme.json': '{ "id": "cracked", "templates": [ ',
    'cracked/templates/home.eta': '<p>never rendered</p>',
    'patchy/theme.json': JSON.stringify({
      name: 'Patchy',
      styles: ['assets/gone.css'],
      templates: [
        { name: 'fine', file: 'templates/fine.eta' },
        { name: 'syntax', file: 'templates/syntax.eta' },
        { name: 'absent', file: 'templates/absent.eta' },
        { name: 'runtime', file: 'templates/runtime.eta' },
        { name: 'nolayout', file: 'templates/nolayout.eta' },
        { name: 'badschema', file: 'templates/fine.eta', schema: 'schemas/bad.json' },
      ],
    }),
    'patchy/templates/fine.eta': '<p>fine <%= it.data.x %></p>',
    'patchy/templates/syntax.eta': '<p><%= it.data.x </p>',
    'patchy/templates/runtime.eta': '<p>line one</p>\n<p><%= it.data.missing.deeper %></p>',
    'patchy/templates/nolayout.eta': "<% layout('../../elsewhere/layout') %><p>x</p>",
    'patchy/schemas/bad.json': '{ not json',
  };
}

const CTX: RenderContext = {
  site: { title: 'My <Site>', description: 'About things', langcode: 'en' },
  page: { urlPath: '/', url: 'https://example.com/' },
};

async function rejectsCode(p: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isPmError(e, code), `expected ${code}, got ${String(e)}`);
    if (message) assert.match((e as Error).message, message);
    return true;
  });
}

function cspOf(headers: Record<string, string>): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const part of (headers['content-security-policy'] ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) m.set(name, sources);
  }
  return m;
}

let fs: MemoryFS;
let themes: ThemesManager;
beforeEach(async () => {
  fs = createMemoryFS({ ...daybreak(), ...brokenThemes() });
  themes = createThemesManager({ fs });
  await themes.load();
});

describe('listing themes', () => {
  it('lists every theme, good and broken, with what the dashboard shows', () => {
    const list = themes.list();
    assert.deepEqual(list.map((t) => t.id), ['cracked', 'daybreak', 'patchy']);
    const d = list.find((t) => t.id === 'daybreak');
    assert.deepEqual(d?.errors, []);
    assert.equal(d?.ok, true);
    assert.equal(d?.name, 'Daybreak');
    assert.equal(d?.version, '1.0.0');
    assert.equal(d?.author, 'Ada');
    assert.equal(d?.license, 'MIT');
    assert.equal(d?.notFound, '404');
    assert.equal(d?.screenshot, `/pm-themes/daybreak/screenshots/home.png?v=${sha256hex(LOGO).slice(0, 10)}`);
    assert.deepEqual(d?.templates.map((t) => t.name), ['home', '404', 'bare']);
    assert.equal(d?.templates[0]?.description, 'The front page');
  });

  it('a theme.json that is not JSON is listed as broken with the parser message', () => {
    const c = themes.list().find((t) => t.id === 'cracked');
    assert.equal(c?.ok, false);
    assert.match(c?.errors[0] ?? '', /theme\.json is not valid JSON/);
  });

  it('a template that does not compile, a missing file and a missing layout are all listed', () => {
    const p = themes.list().find((t) => t.id === 'patchy');
    assert.equal(p?.ok, false);
    const errors = p?.errors.join('\n') ?? '';
    assert.match(errors, /templates\/syntax\.eta does not compile/);
    assert.match(errors, /template "absent": templates\/absent\.eta is missing/);
    assert.match(errors, /the stylesheet assets\/gone\.css is missing/);
    assert.match(errors, /templates\/nolayout\.eta uses "\.\.\/\.\.\/elsewhere\/layout", which is outside the theme folder/);
  });

  it('a folder without theme.json, and an id that does not match its folder, are reported', async () => {
    fs.writeFile('empty-folder/readme.txt', 'hi');
    fs.writeFile('mismatch/theme.json', JSON.stringify({ id: 'other', templates: [] }));
    await themes.reload();
    const list = themes.list();
    assert.deepEqual(list.find((t) => t.id === 'empty-folder')?.errors, ['theme.json is missing']);
    assert.match(list.find((t) => t.id === 'mismatch')?.errors[0] ?? '', /"id" is "other" but the folder is "mismatch"/);
  });

  it('check() reports every theme with problems, including bad schemas, and nothing for a good theme', async () => {
    fs.writeFile('strict/theme.json', JSON.stringify({ templates: [{ name: 'home', file: 'home.eta', schema: 's.json' }] }));
    fs.writeFile('strict/home.eta', 'ok');
    fs.writeFile('strict/s.json', JSON.stringify({ type: 'object', properties: { title: { type: 'strin' } } }));
    await themes.reload();
    const result = await themes.check();
    assert.deepEqual(result.map((r) => r.themeId), ['cracked', 'patchy', 'strict']);
    const patchy = result.find((r) => r.themeId === 'patchy')?.errors.join('\n') ?? '';
    assert.match(patchy, /template "badschema": the schema schemas\/bad\.json is not valid JSON/);
    const strict = result.find((r) => r.themeId === 'strict')?.errors ?? [];
    assert.equal(strict.length > 0, true);
    assert.match(strict.join('\n'), /template "home": schema s\.json: /);
  });
});

describe('rendering', () => {
  it('renders a template inside its layout, with site, page, theme, url() and extra', async () => {
    const { html, headers } = await themes.render('daybreak', 'home', { title: 'Hello', intro: 'A *warm* welcome' }, {
      ...CTX,
      url: (p) => `/~ada${p}`,
      extra: { note: 'from the blog' },
    });
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<title>My &lt;Site&gt;<\/title>/);
    assert.match(html, /<h1>Hello<\/h1>/);
    assert.match(html, /<div class="intro"><p>A <em>warm<\/em> welcome<\/p>\n?<\/div>/);
    assert.match(html, /<a href="\/~ada\/about">About<\/a>/);
    assert.match(html, /<p>from the blog<\/p>/);
    assert.match(html, /<footer>Daybreak<\/footer>/);
    assert.equal(headers['content-type'], 'text/html; charset=utf-8');
  });

  it('escapes data by default; <%~ is the only way to raw HTML, and md() is sanitised', async () => {
    const { html } = await themes.render('daybreak', 'home', { title: '<script>alert(1)</script>', intro: 'hi <script>alert(2)</script> <img src=x onerror=alert(3)>' }, CTX);
    assert.match(html, /<h1>&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/h1>/);
    assert.doesNotMatch(html, /alert\(2\)<\/script>/);
    assert.doesNotMatch(html, /onerror/);
  });

  it('asset() fingerprints a file with the first 10 hex of its sha256', async () => {
    const { html } = await themes.render('daybreak', 'home', { title: 't' }, CTX);
    assert.ok(html.includes(`<img src="/pm-themes/daybreak/assets/logo.png?v=${sha256hex(LOGO).slice(0, 10)}">`), html);
    assert.equal(themes.assetUrl('daybreak', 'assets/style.css'), `/pm-themes/daybreak/assets/style.css?v=${sha256hex(STYLE).slice(0, 10)}`);
    assert.equal(themes.assetUrl('daybreak', 'assets/not there.css'), '/pm-themes/daybreak/assets/not%20there.css');
    assert.throws(() => themes.assetUrl('daybreak', '../patchy/theme.json'), (e: unknown) => isPmError(e, 'PM_ERR_PATH_INVALID'));
  });

  it('asset() with a path that leaves the theme breaks the render with a clear message', async () => {
    fs.writeFile('climber/theme.json', JSON.stringify({ templates: [{ name: 'p', file: 'p.eta' }] }));
    fs.writeFile('climber/p.eta', "<img src=\"<%= it.asset('../daybreak/assets/logo.png') %>\">");
    await themes.reload();
    await rejectsCode(themes.render('climber', 'p', {}, CTX), 'PM_ERR_THEME_BROKEN', /template "p":[\s\S]*'\.\.'/);
  });

  it('head() links the theme styles and bodyEnd() loads its scripts, plus global and per-page assets', async () => {
    const remove = themes.addGlobalAsset({ styles: ['/pm-plugins/comments/comments.css'], scripts: [{ src: 'https://cdn.example.com/widget.js' }], cspSources: { 'connect-src': ['https://api.example.com'] } });
    const { html, headers } = await themes.render('daybreak', 'home', { title: 't' }, { ...CTX, styles: ['/page.css'], scripts: [{ src: '/page.js' }] });
    const head = html.slice(0, html.indexOf('</head>'));
    const styleUrl = `/pm-themes/daybreak/assets/style.css?v=${sha256hex(STYLE).slice(0, 10)}`;
    assert.ok(head.includes(`<link rel="stylesheet" href="${styleUrl}">`), head);
    assert.ok(head.indexOf(styleUrl) < head.indexOf('comments.css') && head.indexOf('comments.css') < head.indexOf('/page.css'), 'theme, then plugins, then page');
    const tail = html.slice(html.indexOf('</footer>'), html.indexOf('</body>'));
    assert.ok(tail.includes(`<script src="/pm-themes/daybreak/assets/app.js?v=${sha256hex('console.log(1)').slice(0, 10)}"></script>`), tail);
    assert.ok(tail.includes('<script src="https://cdn.example.com/widget.js"></script>'));
    assert.ok(tail.includes('<script src="/page.js"></script>'));
    const csp = cspOf(headers);
    assert.ok(csp.get('script-src')?.includes('https://cdn.example.com'), 'an external script origin is allowed');
    assert.deepEqual(csp.get('connect-src'), ["'self'", 'https://api.example.com']);

    remove();
    const after = await themes.render('daybreak', 'home', { title: 't' }, CTX);
    assert.doesNotMatch(after.html, /comments\.css|widget\.js/);
    assert.equal(cspOf(after.headers).has('connect-src'), false);
  });

  it('injects into </head> and </body> when a template forgets the hooks', async () => {
    themes.addGlobalAsset({ styles: ['/x.css'], scripts: [{ inline: 'go()' }] });
    const { html } = await themes.render('daybreak', 'bare', {}, CTX);
    assert.match(html, /<link rel="stylesheet" href="\/x\.css">\n<\/head>/);
    assert.match(html, /<script>go\(\)<\/script>\n<\/body>/);
  });

  it('the CSP of a plain page is exactly the default policy', async () => {
    const empty = createMemoryFS({ 'plain/theme.json': JSON.stringify({ templates: [{ name: 'p', file: 'p.eta' }] }), 'plain/p.eta': '<p><%~ it.pm.head() %><%~ it.pm.bodyEnd() %></p>' });
    const m = createThemesManager({ fs: empty });
    const { html, headers } = await m.render('plain', 'p', {}, CTX);
    assert.equal(html, '<p></p>');
    assert.equal(headers['content-security-policy'], "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'");
  });

  it('with a nonce, inline scripts carry it and the CSP lists it (and no hashes)', async () => {
    const nonce = 'bm9uY2Utb25lLXR3bw==';
    const { html, headers } = await themes.render('daybreak', 'home', { title: 't' }, { ...CTX, nonce, scripts: [{ inline: 'window.pm = 1;' }] });
    assert.ok(html.includes(`<script nonce="${nonce}">window.pm = 1;</script>`), html);
    const scriptSrc = cspOf(headers).get('script-src') ?? [];
    assert.ok(scriptSrc.includes(`'nonce-${nonce}'`), scriptSrc.join(' '));
    assert.ok(!scriptSrc.some((s) => s.startsWith("'sha256-")), 'no hashes with a nonce');
  });

  it('without a nonce (a stored page), each inline script is allowed by its sha256, which matches the script', async () => {
    const code = 'document.body.dataset.ready = "</script><b>";';
    const { html, headers } = await themes.render('daybreak', 'home', { title: 't' }, { ...CTX, scripts: [{ inline: code }, { inline: 'two()' }] });
    assert.doesNotMatch(html, /nonce/);
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);
    assert.equal(inline.length, 2);
    assert.ok(inline[0]?.includes('<\\/script><b>'), 'a closing tag inside the code cannot end the element');
    const scriptSrc = cspOf(headers).get('script-src') ?? [];
    for (const body of inline) assert.ok(scriptSrc.includes(`'sha256-${sha256b64(body)}'`), `hash of ${body} in ${scriptSrc.join(' ')}`);
    assert.ok(!scriptSrc.some((s) => s.startsWith("'nonce-")));
  });

  it('a theme can add CSP sources in theme.json', async () => {
    fs.writeFile('fonts/theme.json', JSON.stringify({ templates: [{ name: 'p', file: 'p.eta' }], csp: { 'font-src': ['https://fonts.example.com'], 'style-src': ["'unsafe-inline'"] } }));
    fs.writeFile('fonts/p.eta', '<p>x</p>');
    await themes.reload();
    const csp = cspOf((await themes.render('fonts', 'p', {}, CTX)).headers);
    assert.deepEqual(csp.get('font-src'), ["'self'", 'https://fonts.example.com']);
    assert.deepEqual(csp.get('style-src'), ["'self'", "'unsafe-inline'"]);
  });

  it('refuses CSP sources that would break out of the header', () => {
    assert.throws(() => themes.addGlobalAsset({ cspSources: { 'script-src': ["'self'; script-src *"] } }), /not allowed/);
    assert.throws(() => themes.addGlobalAsset({ scripts: [{}] }), /exactly one of "src" and "inline"/);
  });
});

describe('broken themes and templates', () => {
  it('a broken theme.json: every render is PM_ERR_THEME_BROKEN', async () => {
    await rejectsCode(themes.render('cracked', 'home', {}, CTX), 'PM_ERR_THEME_BROKEN', /cracked.*theme\.json is not valid JSON/);
  });

  it('a template that does not compile, is missing or uses a missing layout: PM_ERR_THEME_BROKEN naming it', async () => {
    await rejectsCode(themes.render('patchy', 'syntax', {}, CTX), 'PM_ERR_THEME_BROKEN', /template "syntax": templates\/syntax\.eta does not compile/);
    await rejectsCode(themes.render('patchy', 'absent', {}, CTX), 'PM_ERR_THEME_BROKEN', /templates\/absent\.eta is missing/);
    await rejectsCode(themes.render('patchy', 'nolayout', {}, CTX), 'PM_ERR_THEME_BROKEN', /elsewhere\/layout/);
  });

  it('an error while rendering names the file and line', async () => {
    await rejectsCode(themes.render('patchy', 'runtime', {}, CTX), 'PM_ERR_THEME_BROKEN', /template "runtime": templates\/runtime\.eta:2/);
  });

  it('the good templates of a theme with problems, and the other themes, still render', async () => {
    assert.equal((await themes.render('patchy', 'fine', { x: 1 }, CTX)).html, '<p>fine 1</p>');
    assert.match((await themes.render('daybreak', '404', {}, { ...CTX, page: { urlPath: '/gone', url: '/gone' } })).html, /Not here: \/gone/);
  });

  it('a missing theme or template has its own code', async () => {
    await rejectsCode(themes.render('nope', 'home', {}, CTX), 'PM_ERR_THEME_NOT_FOUND', /There is no theme nope/);
    await rejectsCode(themes.render('daybreak', 'nope', {}, CTX), 'PM_ERR_TEMPLATE_NOT_FOUND', /daybreak has no template nope/);
  });

  it('a template cannot read files outside its theme', async () => {
    fs.writeFile('sneaky/theme.json', JSON.stringify({ templates: [{ name: 'a', file: 'a.eta' }, { name: 'b', file: 'b.eta' }] }));
    fs.writeFile('sneaky/a.eta', "<%~ include('/../daybreak/templates/layout') %>");
    fs.writeFile('sneaky/b.eta', "<%~ include(it.data.which) %>");
    await themes.reload();
    await rejectsCode(themes.render('sneaky', 'a', {}, CTX), 'PM_ERR_THEME_BROKEN');
    await rejectsCode(themes.render('sneaky', 'b', { which: '../daybreak/templates/layout' }, CTX), 'PM_ERR_THEME_BROKEN', /outside the theme folder/);
    await rejectsCode(themes.render('sneaky', 'b', { which: '/etc/passwd' }, CTX), 'PM_ERR_THEME_BROKEN', /not found in the theme/);
  });

});

describe('template configuration', () => {
  it('getTemplate gives the schema, the sample and the description', async () => {
    const t = await themes.getTemplate('daybreak', 'home');
    assert.equal(t.description, 'The front page');
    assert.deepEqual(t.sample, { title: 'Sample title', intro: 'Some *intro*' });
    assert.equal((t.schema as { type: string }).type, 'object');
    const bare = await themes.getTemplate('daybreak', '404');
    assert.deepEqual(bare.schema, { type: 'object' });
    assert.deepEqual(bare.sample, {});
  });

  it('a schema that is not JSON is PM_ERR_THEME_BROKEN naming the file', async () => {
    await rejectsCode(themes.getTemplate('patchy', 'badschema'), 'PM_ERR_THEME_BROKEN', /schemas\/bad\.json is not valid JSON/);
  });

  it('schemas can come from another source', async () => {
    const m = createThemesManager({ fs, configSource: { load: async (themeId, t) => ({ schema: { title: `${themeId}/${t.name}` } }) } });
    assert.deepEqual((await m.getTemplate('daybreak', 'home')).schema, { title: 'daybreak/home' });
  });
});

describe('reload', () => {
  it('reports nothing when nothing changed', async () => {
    assert.deepEqual(await themes.reload(), { changed: [] });
  });

  it('picks up a changed template and asset, and reports only that theme', async () => {
    fs.writeFile('daybreak/templates/404.eta', "<% layout('./layout') %><h1>Gone: <%= it.page.urlPath %></h1>");
    fs.writeFile('daybreak/assets/style.css', 'body { color: red }');
    assert.deepEqual(await themes.reload(), { changed: ['daybreak'] });
    const { html } = await themes.render('daybreak', '404', {}, { ...CTX, page: { urlPath: '/x', url: '/x' } });
    assert.match(html, /Gone: \/x/);
    assert.ok(html.includes(`assets/style.css?v=${sha256hex('body { color: red }').slice(0, 10)}`));
  });

  it('reports added and removed themes, and a fixed theme renders again', async () => {
    fs.writeFile('cracked/theme.json', JSON.stringify({ templates: [{ name: 'home', file: 'templates/home.eta' }] }));
    fs.deleteFile('patchy/theme.json');
    fs.writeFile('fresh/theme.json', JSON.stringify({ templates: [] }));
    assert.deepEqual(await themes.reload(), { changed: ['cracked', 'fresh', 'patchy'] });
    assert.equal((await themes.render('cracked', 'home', {}, CTX)).html, '<p>never rendered</p>');
    for (const p of Object.keys(brokenThemes()).filter((k) => k.startsWith('patchy/'))) fs.deleteFile(p);
    assert.deepEqual(await themes.reload(), { changed: ['patchy'] });
    assert.equal(themes.list().some((t) => t.id === 'patchy'), false);
  });
});

describe('serving theme assets', () => {
  const fp = (b: Buffer | string): string => sha256hex(b).slice(0, 10);

  it('serves a file with its type, an ETag and a short cache without the right v', async () => {
    const r = await themes.serveAsset('daybreak', 'assets/style.css');
    assert.equal(r.status, 200);
    assert.equal(r.body?.toString(), STYLE);
    assert.equal(r.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'public, max-age=300');
    assert.equal(r.headers.etag, `"${sha256hex(STYLE).slice(0, 16)}"`);
    assert.equal((await themes.serveAsset('daybreak', 'assets/logo.png')).headers['content-type'], 'image/png');
    assert.equal((await themes.serveAsset('daybreak', 'assets/style.css', undefined, 'abcdef0123')).headers['cache-control'], 'public, max-age=300');
  });

  it('is immutable only when v is the file’s fingerprint', async () => {
    const r = await themes.serveAsset('daybreak', 'assets/style.css', undefined, fp(STYLE));
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await themes.serveAsset('daybreak', 'assets/logo.png');
    const etag = first.headers.etag as string;
    const again = await themes.serveAsset('daybreak', 'assets/logo.png', `W/"nope", ${etag}`);
    assert.equal(again.status, 304);
    assert.equal(again.body, undefined);
    assert.equal(again.headers.etag, etag);
    assert.equal((await themes.serveAsset('daybreak', 'assets/logo.png', '"other"')).status, 200);
  });

  it('never serves theme.json, templates, schemas, samples, .eta files or dotfiles', async () => {
    fs.writeFile('daybreak/partials/.secret', 'x');
    for (const p of ['theme.json', 'templates/home.eta', 'schemas/home.json', 'samples/home.json', 'partials/footer.eta', 'partials/.secret']) {
      const r = await themes.serveAsset('daybreak', p);
      assert.equal(r.status, 404, p);
      assert.notEqual(r.body?.toString(), (await fs.readFile(`daybreak/${p}`)).toString(), p);
    }
  });

  it('404 for a missing file, a folder or an unknown theme', async () => {
    assert.equal((await themes.serveAsset('daybreak', 'assets/none.css')).status, 404);
    assert.equal((await themes.serveAsset('daybreak', 'assets')).status, 404);
    assert.equal((await themes.serveAsset('nope', 'assets/style.css')).status, 404);
  });

  it('refuses .. and other bad paths with PM_ERR_PATH_INVALID', async () => {
    await rejectsCode(themes.serveAsset('daybreak', '../patchy/theme.json'), 'PM_ERR_PATH_INVALID', /'\.\.'/);
    await rejectsCode(themes.serveAsset('daybreak', 'assets\\style.css'), 'PM_ERR_PATH_INVALID', /backslash/);
    await rejectsCode(themes.serveAsset('daybreak', '/etc/passwd'), 'PM_ERR_PATH_INVALID', /absolute/);
  });
});

describe('serveTemplate', () => {
  function fakeReply() {
    const sent: { status?: number; type?: string; headers: Record<string, string>; body?: string } = { headers: {} };
    return {
      sent,
      reply: {
        code: (n: number) => (sent.status = n),
        type: (t: string) => (sent.type = t),
        header: (k: string, v: string) => (sent.headers[k] = v),
        send: (b: string) => (sent.body = b),
      },
    };
  }

  it('sends the page with a fresh nonce per response, matching its CSP', async () => {
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { sent, reply } = fakeReply();
      await themes.serveTemplate(reply, {}, 'daybreak', 'home', { title: 'Hi' }, { ...CTX, scripts: [{ inline: 'x()' }] });
      assert.equal(sent.status, 200);
      assert.equal(sent.type, 'text/html; charset=utf-8');
      const nonce = /<script nonce="([^"]+)">x\(\)<\/script>/.exec(sent.body ?? '')?.[1] ?? '';
      assert.equal(Buffer.from(nonce, 'base64').length, 16);
      assert.ok(sent.headers['content-security-policy']?.includes(`'nonce-${nonce}'`));
      nonces.push(nonce);
    }
    assert.notEqual(nonces[0], nonces[1]);
  });

  it('sends the status it is given (the not-found page)', async () => {
    const { sent, reply } = fakeReply();
    await themes.serveTemplate(reply, {}, 'daybreak', '404', {}, { ...CTX, status: 404 });
    assert.equal(sent.status, 404);
    assert.match(sent.body ?? '', /Not here/);
  });
});
