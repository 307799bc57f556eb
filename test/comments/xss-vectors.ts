/**
 * XSS vectors for comments: the project's stored-XSS corpus (test/security/xss-vectors.json,
 * every kind) plus what is special to a comment: markdown link and image tricks, autolinks,
 * reference links, entity and encoding tricks in hrefs, HTML hidden in code or emphasis, and
 * website-field URLs in every dress.
 */
import { readFileSync } from 'node:fs';

export interface Vector {
  id: string;
  payload: string;
}

const shared = (JSON.parse(readFileSync(new URL('../security/xss-vectors.json', import.meta.url), 'utf8')) as { id: number; kind: string; payload: string }[])
  .map((v) => ({ id: `shared-${v.kind}-${v.id}`, payload: v.payload }));

const js = 'javascript:top.__pwned=1';

/** Markdown tricks that only a markdown body can try. */
const markdown: string[] = [
  `[x](${js})`,
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x]( javascript:alert(1) )',
  '[x](<javascript:alert(1)>)',
  '[x](javascript&#58;alert(1))',
  '[x](javascript&#x3A;alert(1))',
  '[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))',
  '[x](&#x6A;avascript:alert(1))',
  '[x](javascript%3Aalert(1))',
  '[x](java%0ascript:alert(1))',
  '[x](java\tscript:alert(1))',
  '[x](\u0000javascript:alert(1))',
  '[x](jav&#x09;ascript:alert(1))',
  '[x](vbscript:msgbox(1))',
  '[x](data:text/html;base64,PHNjcmlwdD50b3AuX19wd25lZD0xPC9zY3JpcHQ+)',
  '[x](data:text/html,<script>top.__pwned=1</script>)',
  '[x](livescript:alert(1))',
  '[x][1]\n\n[1]: javascript:alert(1)',
  '[x][evil]\n\n[evil]: <javascript:alert(1)> "t"',
  '[x]\n\n[x]: javascript:top.__pwned=1',
  '<javascript:alert(1)>',
  '<javascript:top.__pwned=1//@example.com>',
  '<vbscript:msgbox(1)>',
  '<data:text/html,<script>alert(1)</script>>',
  'www.example.com/"onmouseover="alert(1)',
  'https://example.com/"onmouseover="top.__pwned=1"',
  'https://example.com/\'onmouseover=\'top.__pwned=1\'',
  '[x](https://example.com/"onmouseover="alert(1))',
  '[x](https://example.com "title\\" onmouseover=\\"alert(1)")',
  "[x](https://example.com 'a' onmouseover='alert(1)')",
  '![x](x"onerror="alert(1))',
  '![x](javascript:alert(1))',
  '![<img src=x onerror=alert(1)>](https://example.com/a.png)',
  '![x](https://example.com/a.png"onerror="top.__pwned=1)',
  '[<img src=x onerror=alert(1)>](https://example.com)',
  '[<script>alert(1)</script>](https://example.com)',
  '[![x](javascript:alert(1))](javascript:alert(1))',
  '**<img src=x onerror=alert(1)>**',
  '_<svg onload=alert(1)>_',
  '`</code><script>top.__pwned=1</script>`',
  '```\n</code></pre><script>top.__pwned=1</script>\n```',
  '```html"><script>top.__pwned=1</script>\nx\n```',
  '> <img src=x onerror=alert(1)>',
  '> > > <script>alert(1)</script>',
  '&lt;script&gt;top.__pwned=1&lt;/script&gt;',
  '&#60;script&#62;top.__pwned=1&#60;/script&#62;',
  '&amp;lt;img src=x onerror=alert(1)&amp;gt;',
  '\\<script>top.__pwned=1\\</script>',
  '<scr<!-- -->ipt>alert(1)</script>',
  '<a href="javascript:alert(1)">x</a>',
  '<a href=javascript:alert(1)>x</a>',
  '[url=javascript:alert(1)]x[/url]',
  'x <!-- <img src=x onerror=alert(1)> -->',
  '<details open ontoggle=top.__pwned=1>\n\n**md inside**\n\n</details>',
  '<style>@import "javascript:alert(1)";</style>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<div style="width:expression(alert(1))">x</div>',
  '*[x](javascript:alert(1))*',
  '[x](#"onclick="alert(1))',
  '[x](//evil.example/%0d%0a)',
  '[x](mailto:a@b.example"onmouseover="alert(1))',
  '[x](mailto:javascript:alert(1))',
  'a@b.example"onmouseover="alert(1)',
  '<a@b.example?x="><img src=x onerror=alert(1)>>',
];

/** Website-field values: the comments list puts `safeWebsite(value)` into an href. */
export const websites: string[] = [
  'javascript:alert(1)', 'JAVASCRIPT:top.__pwned=1', ' javascript:alert(1)', 'java\tscript:alert(1)', 'java\nscript:alert(1)',
  '\u0001javascript:alert(1)', 'javascript://example.com/%0atop.__pwned=1', 'javascript&#58;alert(1)', '&#106;avascript:alert(1)',
  'data:text/html,<script>top.__pwned=1</script>', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', 'vbscript:msgbox(1)',
  'https://example.com/"onmouseover="top.__pwned=1', "https://example.com/'onmouseover='top.__pwned=1", 'https://example.com/"><script>top.__pwned=1</script>',
  'https://example.com/<svg onload=alert(1)>', '//evil.example', '/relative', 'http://user:pw@evil.example', 'https://example.com\\@evil.example',
  'example.com/"><img src=x onerror=alert(1)>', 'http:javascript:alert(1)', 'https://example.com#"onmouseover="alert(1)',
];

export const BODY_VECTORS: Vector[] = [...shared, ...markdown.map((payload, i) => ({ id: `md-${i + 1}`, payload }))];
