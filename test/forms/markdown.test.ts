import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown, SANITIZE_OPTIONS } from '../../src/forms/index.js';

describe('renderMarkdown', () => {
  it('renders headings, emphasis, lists, links, images, code, quotes and tables', () => {
    const html = renderMarkdown(
      '# Title\n\nSome *em* and **strong**, a [link](https://example.com/a "A") and [mail](mailto:a@example.com) and [page](/about).\n\n' +
        '- one\n- two\n\n3. three\n\n> quoted\n\n```js\nlet x = 1 < 2;\n```\n\n![alt text](https://example.com/i.png)\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n---\n',
    );
    assert.match(html, /<h1>Title<\/h1>/);
    assert.match(html, /<em>em<\/em> and <strong>strong<\/strong>/);
    assert.match(html, /<a href="https:\/\/example.com\/a" title="A">link<\/a>/);
    assert.match(html, /<a href="mailto:a@example.com">mail<\/a>/);
    assert.match(html, /<a href="\/about">page<\/a>/);
    assert.match(html, /<ul>\s*<li>one<\/li>/);
    assert.match(html, /<ol start="3">/);
    assert.match(html, /<blockquote>\s*<p>quoted<\/p>/);
    assert.match(html, /<pre><code class="language-js">let x = 1 &lt; 2;/);
    assert.match(html, /<img src="https:\/\/example.com\/i.png" alt="alt text" \/>/);
    assert.match(html, /<th align="left">a<\/th>/);
    assert.match(html, /<hr \/>/);
  });

  it('removes scripts, event handlers, styles, frames and javascript:/data: URLs', () => {
    const html = renderMarkdown(
      'Hi <script>alert(1)</script> there\n\n' +
        '<img src="https://example.com/x.png" onerror="alert(1)">\n\n' +
        '[click](javascript:alert(1)) and <a href="JaVaScRiPt:alert(1)">raw</a> and <a href="java&#x09;script:alert(1)">tab</a>\n\n' +
        '![x](data:image/svg+xml;base64,PHN2Zz4=) <img src="data:image/png;base64,AAAA">\n\n' +
        '<iframe src="https://evil.example"></iframe><style>body{display:none}</style><form action="/x"><input name="a"></form>\n\n' +
        '<p style="color:red" class="x" onclick="alert(1)">styled</p><svg onload="alert(1)"></svg>',
    );
    assert.doesNotMatch(html, /<script|alert\(1\)<\/script>|onerror|onclick|onload|javascript:|data:|<iframe|<style|<form|<input|style=|<svg|class="x"/i);
    assert.match(html, /<img src="https:\/\/example.com\/x.png" \/>/);
    assert.match(html, /<p>styled<\/p>/);
    assert.match(html, /Hi\s+there/);
  });

  it('renders pathological nesting instead of throwing: 5,000 quote levels nest 20 deep, and the text stays', () => {
    const html = renderMarkdown('>'.repeat(5000) + ' deep');
    assert.equal(html.match(/<blockquote>/g)?.length, 20);
    assert.match(html, /deep/);
    assert.match(renderMarkdown('> one\n>> two'), /<blockquote>\s*<p>one<\/p>\s*<blockquote>\s*<p>two/);
  });

  it('shares a frozen allowlist', () => {
    assert.ok(Object.isFrozen(SANITIZE_OPTIONS) && Object.isFrozen(SANITIZE_OPTIONS.allowedTags));
    assert.ok((SANITIZE_OPTIONS.allowedTags as string[]).includes('table'));
    assert.ok(!(SANITIZE_OPTIONS.allowedTags as string[]).includes('script'));
  });
});
