import { Marked } from 'marked';
import type { IOptions } from 'sanitize-html';
import { requireSanitizeHtml } from './lazy-libs.js';
import { SANITIZE_OPTIONS } from './sanitize-options.js';

export { SANITIZE_OPTIONS };

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
