import { Marked } from 'marked';
import type { IOptions } from 'sanitize-html';
import { requireSanitizeHtml } from './lazy-libs.js';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * The allowlist for HTML written by people (markdown fields, comments): text structure, links
 * (http, https, mailto, or relative), images (http, https, or relative), code and tables.
 * No scripts, styles, iframes, forms, event handlers or `javascript:`/`data:` URLs.
 * Frozen, because plugins share it.
 */
export const SANITIZE_OPTIONS: Readonly<IOptions> = deepFreeze({
  allowedTags: [
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr',
    'ul', 'ol', 'li', 'blockquote', 'pre', 'code',
    'em', 'strong', 'del', 's', 'sup', 'sub',
    'a', 'img',
    'table', 'thead', 'tbody', 'tr', 'th', 'td',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    ol: ['start'],
    th: ['align'],
    td: ['align'],
    code: ['class'],
  },
  allowedClasses: { code: ['language-*'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
});

/**
 * Markdown (GitHub flavour) to safe HTML: marked, then sanitize-html with `SANITIZE_OPTIONS`.
 *
 * @example
 * renderMarkdown('**Hello** <script>alert(1)</script>') // '<p><strong>Hello</strong> </p>\n'
 */
export function renderMarkdown(md: string): string {
  // marked recurses once per '>' level: thousands of them overflow the stack, so quotes nest 20 deep at most.
  const text = String(md ?? '').replace(QUOTE_DEPTH, '$1');
  let html: string;
  try {
    // A fresh Marked per call: `marked.use()` elsewhere must not change what is allowed here.
    html = new Marked({ gfm: true, breaks: false }).parse(text, { async: false });
  } catch {
    // Some other pathological nesting marked cannot parse: the text as typed, in paragraphs.
    html = text
      .split(/\n{2,}/)
      .map((p) => `<p>${p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</p>`)
      .join('\n');
  }
  return requireSanitizeHtml()(html, SANITIZE_OPTIONS as IOptions);
}

const QUOTE_DEPTH = /^((?: {0,3}>[ \t]?){20})(?: {0,3}>[ \t]?)+/gm;
