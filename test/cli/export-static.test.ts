import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { closeForms, findReferences, sitePath } from '../../src/export/static-export.js';
import { postComment, writeCommentsConfig } from '../comments/post-comment.js';
import { startTestApp } from '../helpers/app.js';
import { runCli, tempDir } from './cli-helpers.js';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

/** What a static host does: /x → x, else x/index.html. */
function resolveStatic(out: string, urlPath: string): string | undefined {
  const p = decodeURIComponent(urlPath.split('?')[0]!).replace(/\/+$/, '');
  for (const candidate of [join(out, p), join(out, p, 'index.html')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

test('export-static writes every public page, its assets and redirects; every link and asset in the export resolves', async (t) => {
  const dir = tempDir(t);
  const out = join(tempDir(t), 'site');
  writeCommentsConfig(dir);
  const app = await startTestApp({}, { dir });
  const { siteId } = app;
  let postUrl = '';
  try {
    const save = (urlPath: string, templateName: string, data: Record<string, unknown>) =>
      app.app.templates.save({ siteId, langcode: '', urlPath, themeId: 'daybreak', templateName, data });
    assert.deepEqual(await save('/', 'home', { title: 'Pottery by Maya', heading: 'Pottery by Maya', nav: [{ label: 'About', url: '/about' }, { label: 'Old', url: '/old-about' }], ctaLabel: 'Read about us', ctaUrl: '/a-propos' }), { ok: true });
    assert.deepEqual(await save('/about', 'about', { title: 'About', body: 'We make **stoneware**. See [the café page](/café).' }), { ok: true });
    await app.app.pages.set(siteId, '', '/café', '<!doctype html><title>Café</title><h1>Café</h1><a href="/">home</a>');
    await app.app.pages.set(siteId, '', '/secret', '<h1>hidden</h1>', { hidden: true });
    await app.app.pages.redirect(siteId, '', '/old-about', '/about', 301);
    await app.app.pages.alias(siteId, '', '/a-propos', '/about');
    // Comments: on a blog post and on a page whose template includes the component.
    const root = await app.user('root', 'root passphrase here', 'superadmin');
    const token = (await app.app.users.createToken(root, 'export test')).token;
    const post = await app.app.http.inject({ method: 'POST', url: '/pm/api/posts', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ title: 'Firing day', body: 'Cone 10.', status: 'published' }) });
    assert.equal(post.statusCode, 201, post.body);
    postUrl = post.json().post.url;
    assert.deepEqual(await save('/guestbook', 'post', { title: 'Guestbook', body: 'Say hello.' }), { ok: true });
    for (const path of [postUrl, '/guestbook']) {
      const first = await postComment(app.app, path, { name: 'Reader', body: `The shoulder came out green on ${path}.` });
      assert.equal(first.status, 303, first.body.slice(0, 300));
      const parent = /#comment-(\w+)/.exec(first.location)![1]!;
      assert.equal((await postComment(app.app, path, { name: 'Maya', body: `Which clay body, on ${path}?`, parent })).status, 303);
    }
    assert.match((await app.app.http.inject(postUrl)).body, /<form class="comment-form" method="post" action="\/pm-comments\/check"/, 'the site itself has the form');
  } finally {
    await app.close();
  }

  const r = await runCli(['export-static', '--dir', dir, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Exported \d+ pages, 1 redirects and \d+ files/);

  // Pages as folders with index.html; the alias is a copy of what it shows; the hidden page is absent.
  assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /Pottery by Maya/);
  const about = readFileSync(join(out, 'about/index.html'), 'utf8');
  assert.match(about, /<strong>stoneware<\/strong>/);
  assert.equal(readFileSync(join(out, 'a-propos/index.html'), 'utf8'), about);
  assert.match(readFileSync(join(out, 'café/index.html'), 'utf8'), /<h1>Café<\/h1>/);
  assert.equal(existsSync(join(out, 'secret')), false);
  // URL redirects: a _redirects line and a forwarding page.
  assert.match(readFileSync(join(out, '_redirects'), 'utf8'), /^\/old-about \/about 301$/m);
  assert.match(readFileSync(join(out, 'old-about/index.html'), 'utf8'), /http-equiv="refresh" content="0; url=\/about"/);

  // Pages with comments: the published thread, read-only; no form that posts to a server that is not there.
  assert.match(r.stdout, /4 forms that post to the site were taken out/);
  for (const path of [postUrl, '/guestbook']) {
    const html = readFileSync(join(out, decodeURIComponent(path), 'index.html'), 'utf8');
    assert.ok(html.includes(`The shoulder came out green on ${path}.`), path);
    assert.ok(html.includes(`Which clay body, on ${path}?`), path);
    assert.match(html, /<h2 class="comments__title" id="comments-title">2 comments<\/h2>/);
    assert.doesNotMatch(html, /<form\b[^>]*action="[^"]*\/pm-comments\//);
    assert.doesNotMatch(html, /comment__reply|Preview comment|<form\b[^>]*method="post"/);
    assert.equal(html.split('Comments are closed on this copy of the site').length, 2, 'one notice');
    assert.match(html, /<p class="comments__closed">Comments are closed on this copy of the site\.<\/p>\n<\/section>/);
  }

  // Crawl: every same-site reference of every exported HTML and CSS file resolves to a file.
  const origin = 'http://localhost';
  const missing: string[] = [];
  let checked = 0;
  for (const file of walk(out)) {
    const isCss = file.endsWith('.css');
    if (!file.endsWith('.html') && !isCss) continue;
    const from = '/' + relative(out, file).replace(/index\.html$/, '');
    for (const ref of findReferences(readFileSync(file, 'utf8'), isCss)) {
      const path = sitePath(ref, from, origin);
      if (path === undefined || path === '/pm' || path.startsWith('/pm/')) continue; // the dashboard is not part of a static site
      checked++;
      if (!resolveStatic(out, path)) missing.push(`${from} → ${ref}`);
    }
  }
  assert.ok(checked > 10, `only ${checked} references checked`);
  assert.deepEqual(missing, []);
});

test('export-static: no --out, or no site in the folder, is one clear line and nothing written', async (t) => {
  const dir = tempDir(t);
  const noOut = await runCli(['export-static', '--dir', dir]);
  assert.notEqual(noOut.code, 0);
  assert.match(noOut.stderr, /--out is required/);
  const out = join(tempDir(t), 'site');
  const empty = await runCli(['export-static', '--dir', join(dir, 'nothing-here'), '--out', out]);
  assert.notEqual(empty.code, 0);
  assert.match(empty.stderr, /there is no site in/);
  assert.equal(existsSync(out), false);
});

test('closeForms: only forms that post to the site go; one notice per plugin where its last form was; a reply disclosure goes with its form', () => {
  const notices = [{ prefix: '/pm-comments/', text: 'Comments are closed on this copy.', className: 'comments__closed' }];
  const html = [
    '<details class="faq"><summary>Why?</summary><p>Because.</p></details>',
    '<form action="/search" method="get"><input name="q"></form>',
    '<form method="post" action="https://forms.example.net/x"><button>Send</button></form>',
    '<details class="comment__reply"><summary>Reply</summary><form class="comment-form" method="post" action="/fr/pm-comments/check"><input type="hidden" name="form" value="x"></form></details>',
    '<form class="comment__reply" method="post" action="/fr/pm-comments/check"><input type="hidden" name="parent" value="1"><button>Reply</button></form>',
    '<form class="comment-form" method="POST" action="/fr/pm-comments/check"><textarea name="body"></textarea></form>',
    '<form method="post"><button>Subscribe</button></form>',
  ].join('\n');
  const r = closeForms(html, '/fr/blog/a', 'http://localhost', notices);
  assert.equal(r.closed, 4);
  assert.equal(
    r.html,
    [
      '<details class="faq"><summary>Why?</summary><p>Because.</p></details>',
      '<form action="/search" method="get"><input name="q"></form>',
      '<form method="post" action="https://forms.example.net/x"><button>Send</button></form>',
      '',
      '',
      '<p class="comments__closed">Comments are closed on this copy.</p>',
      '<p class="pm-export-closed">This form cannot be sent from this copy of the site.</p>',
    ].join('\n'),
  );
});
