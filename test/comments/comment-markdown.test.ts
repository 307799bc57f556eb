// The comment body's markdown subset and the website field (pm-plugins/comments/comment-markdown.ts):
// what a visitor can format, what stays text, and that links are only http(s)/mailto with rel="nofollow ugc".
// The browser corpus (xss.test.ts) checks the same functions against 100+ attacks in Chromium.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderCommentBody, safeWebsite, sanitizeCommentHtml } from '../../pm-plugins/comments/comment-markdown.js';

const r = (md: string) => renderCommentBody(md).trim();

describe('renderCommentBody: the subset', () => {
  const cases: [what: string, md: string, html: string][] = [
    ['a paragraph', 'Hello there', '<p>Hello there</p>'],
    ['paragraphs and line breaks', 'one\ntwo\n\nthree', '<p>one<br />two</p>\n<p>three</p>'],
    ['emphasis and strong', '*a* _b_ **c** __d__', '<p><em>a</em> <em>b</em> <strong>c</strong> <strong>d</strong></p>'],
    ['strikethrough', '~~gone~~', '<p><del>gone</del></p>'],
    ['inline code, escaped', 'use `a < b && c`', '<p>use <code>a &lt; b &amp;&amp; c</code></p>'],
    ['a code block, no language class', '```js\nif (a < b) {}\n```', '<pre><code>if (a &lt; b) {}\n</code></pre>'],
    ['an indented code block', '    x = 1', '<pre><code>x = 1\n</code></pre>'],
    ['a block quote', '> quoted\n\nreply', '<blockquote>\n<p>quoted</p>\n</blockquote>\n<p>reply</p>'],
    ['a link', '[docs](https://example.com/docs)', '<p><a href="https://example.com/docs" rel="nofollow ugc">docs</a></p>'],
    ['an autolink', '<https://example.com>', '<p><a href="https://example.com/" rel="nofollow ugc">https://example.com</a></p>'],
    ['a bare URL', 'see https://example.com/x.', '<p>see <a href="https://example.com/x" rel="nofollow ugc">https://example.com/x</a>.</p>'],
    ['a mailto link', '[mail me](mailto:ada@example.org)', '<p><a href="mailto:ada@example.org" rel="nofollow ugc">mail me</a></p>'],
    ['an email address', 'ada@example.org', '<p><a href="mailto:ada@example.org" rel="nofollow ugc">ada@example.org</a></p>'],
    ['a link title is dropped', '[x](https://a.example "t")', '<p><a href="https://a.example/" rel="nofollow ugc">x</a></p>'],
  ];
  for (const [what, md, html] of cases) test(what, () => assert.equal(r(md), html));
});

describe('renderCommentBody: outside the subset stays text', () => {
  const cases: [what: string, md: string, html: string][] = [
    ['a heading', '# Big', '<p># Big</p>'],
    ['a setext heading', 'Big\n===', '<p>Big<br />===</p>'],
    ['a list', '- a\n- b', '<p>- a<br />- b</p>'],
    ['a rule', '---', '<p>---</p>'],
    ['a table', '| a | b |\n|---|---|\n| 1 | 2 |', '<p>| a | b |<br />|---|---|<br />| 1 | 2 |</p>'],
    ['an image becomes a link to it', '![cat](https://img.example/cat.png)', '<p><a href="https://img.example/cat.png" rel="nofollow ugc">cat</a></p>'],
    ['an image with a bad URL becomes its text', '![cat](javascript:alert(1))', '<p>cat</p>'],
    ['raw inline HTML is shown', 'a <b>bold</b> move', '<p>a &lt;b&gt;bold&lt;/b&gt; move</p>'],
    ['a raw HTML block is shown', '<div onclick="x()">hi</div>', '<p>&lt;div onclick="x()"&gt;hi&lt;/div&gt;</p>'],
    ['a script is shown', '<script>alert(1)</script>', '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'],
    ['an HTML comment is shown', '<!-- hidden -->', '<p>&lt;!-- hidden --&gt;</p>'],
  ];
  for (const [what, md, html] of cases) test(what, () => assert.equal(r(md), html));
});

describe('renderCommentBody: links are http(s) or mailto, always nofollow ugc', () => {
  for (const href of [
    'javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'javascript&#58;alert(1)', '&#106;avascript:alert(1)',
    'java%0ascript:alert(1)', 'vbscript:msgbox(1)', 'data:text/html,<script>alert(1)</script>', 'file:///etc/passwd',
    '//evil.example', '/relative', '#top', 'ftp://files.example', 'http://user:pw@evil.example', '<javascript:alert(1)>',
  ]) {
    test(`[x](${href}) is just its text`, () => {
      const html = r(`[x](${href})`);
      assert.doesNotMatch(html, /href/, html);
      assert.match(html, /x/);
    });
  }
  test('every link in a long comment has rel="nofollow ugc" and nothing else', () => {
    const html = r('[a](https://a.example) <https://b.example> https://c.example www.d.example e@f.example ![g](https://g.example/g.png)');
    const anchors = html.match(/<a [^>]*>/g) ?? [];
    assert.equal(anchors.length, 6, html);
    for (const a of anchors) assert.match(a, /^<a href="(https?|mailto):[^"]+" rel="nofollow ugc">$/, a);
  });
  test('quotes in a URL cannot leave the attribute', () => {
    const html = r('[x](https://a.example/"onmouseover="alert(1))');
    assert.doesNotMatch(html, /" onmouseover|onmouseover="/);
  });
});

describe('the second wall (sanitize-html) on its own', () => {
  test('keeps the subset, drops the rest but its text, fixes every link', () => {
    const html = sanitizeCommentHtml(
      '<h1>h</h1><p style="x" class="y">p <em>e</em></p><a href="javascript:alert(1)">bad</a><a href="https://ok.example" target="_blank" rel="opener">ok</a>' +
        '<img src=x onerror=alert(1)><script>alert(1)</script><iframe src="https://x.example"></iframe><ul><li>li</li></ul><code class="language-js">c</code>',
    );
    assert.equal(html, 'h<p>p <em>e</em></p><a>bad</a><a href="https://ok.example/" rel="nofollow ugc">ok</a>li<code>c</code>');
  });
});

describe('renderCommentBody: odd input', () => {
  test('empty, null-ish and huge bodies', () => {
    assert.equal(renderCommentBody(''), '');
    assert.equal(renderCommentBody(undefined as unknown as string), '');
    const big = renderCommentBody('word '.repeat(20_000));
    assert.ok(big.startsWith('<p>word'));
  });
  test('deeply nested quotes and emphasis do not hang', () => {
    const t0 = Date.now();
    renderCommentBody('>'.repeat(5000) + ' x');
    renderCommentBody('*'.repeat(20_000) + 'x' + '*'.repeat(20_000));
    renderCommentBody('['.repeat(10_000) + 'x' + ']('.repeat(10_000));
    assert.ok(Date.now() - t0 < 5000, `${Date.now() - t0} ms`);
  });
});

describe('safeWebsite', () => {
  const good: [string, string][] = [
    ['https://example.com', 'https://example.com/'],
    ['http://Example.COM/Me?a=1#x', 'http://example.com/Me?a=1#x'],
    ['  https://example.com/me  ', 'https://example.com/me'],
    ['example.com', 'http://example.com/'],
    ['www.example.co.uk/blog', 'http://www.example.co.uk/blog'],
    ['https://bücher.example', 'https://xn--bcher-kva.example/'],
    ['https://example.com:8443/', 'https://example.com:8443/'],
    ['https://example.com/"onmouseover=x', 'https://example.com/%22onmouseover=x'],
  ];
  for (const [input, out] of good) test(`${input} → ${out}`, () => assert.equal(safeWebsite(input), out));

  const bad = [
    '', '   ', 'javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'java\tscript:alert(1)', 'java\nscript:alert(1)', '\u0001javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>', 'vbscript:x', 'file:///etc/passwd', 'ftp://example.com', 'mailto:a@example.com',
    '//example.com', '/me', 'me', 'about:blank', 'http:example.com', 'http:/example.com', 'https://user:pw@example.com', 'https://user@example.com',
    'http://localhost', 'http://127.0.0.1', 'http://[::1]/', 'https://exa mple.com', 'https://example.com\\@evil.example', 'http://',
    'javascript://example.com/%0aalert(1)', `https://example.com/${'a'.repeat(2000)}`, '<https://example.com>',
  ];
  for (const input of bad) test(`${JSON.stringify(input.slice(0, 60))} → undefined`, () => assert.equal(safeWebsite(input), undefined));
});
