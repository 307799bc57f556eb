/**
 * What a visitor types becomes HTML here, and only here: the comment body
 * (a small markdown subset) and the website field.
 *
 * Two walls. marked renders only the subset (emphasis, strong, links, inline
 * code and code blocks, block quotes, paragraphs and line breaks; headings,
 * lists, tables, rules and images stay plain text, and raw HTML is shown as
 * text, never passed through). Then sanitize-html keeps only the tags that
 * subset can produce, with http(s)/mailto links that all carry
 * rel="nofollow ugc". The second wall is there for the day the first has a bug.
 */
import { Marked, type Tokens } from 'marked';
import type { IOptions } from 'sanitize-html';
import { esc, requireSanitizeHtml } from '../../src/plugins/plugin.js';

const LINK_REL = 'nofollow ugc';

/** The tags the subset renders; anything else is dropped, its text kept. */
const SANITIZE: IOptions = {
  allowedTags: ['p', 'br', 'em', 'strong', 'del', 'code', 'pre', 'blockquote', 'a'],
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => {
      const href = attribs.href && linkHref(attribs.href);
      // An <a> without a good href keeps no attribute: inert text. (Renaming it to a dropped tag
      // confuses sanitize-html's closing tags, seen in the test.)
      const kept: Record<string, string> = href ? { href, rel: LINK_REL } : {};
      return { tagName, attribs: kept };
    },
  },
};

/** An absolute http(s) or mailto URL as it should go into href, or undefined. */
function linkHref(href: string): string | undefined {
  const h = href.trim();
  if (/^mailto:/i.test(h)) {
    // mailto:someone@example.org (a query is allowed; nothing that could close the attribute).
    return /^mailto:[^\s<>"'\\]+@[^\s<>"'\\]+$/i.test(h) ? h : undefined;
  }
  return safeWebsite(h);
}

function createCommentMarked(): Marked {
  const m = new Marked({ gfm: true, breaks: true, async: false });
  m.use({
    // Block syntax outside the subset is not recognised, so it stays the text the visitor typed.
    tokenizer: {
      heading: () => undefined,
      lheading: () => undefined,
      hr: () => undefined,
      list: () => undefined,
      table: () => undefined,
    },
    renderer: {
      // Raw HTML, block or inline, is shown as the text it is.
      html: ({ text, block }: Tokens.HTML | Tokens.Tag) => (block ? `<p>${esc(text)}</p>\n` : esc(text)),
      // An image is shown as a link to it (no pictures from strangers' servers in the page).
      image: ({ href, text }: Tokens.Image) => {
        const target = linkHref(href);
        const label = esc(text || href);
        return target ? `<a href="${esc(target)}" rel="${LINK_REL}">${label}</a>` : label;
      },
      link(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, { href, tokens }: Tokens.Link) {
        const inner = this.parser.parseInline(tokens);
        const target = linkHref(href);
        return target ? `<a href="${esc(target)}" rel="${LINK_REL}">${inner}</a>` : inner;
      },
    },
  });
  return m;
}

function plainParagraphs(text: string): string {
  return text
    .split(/\n{2,}/)
    .filter((p) => p.trim())
    .map((p) => `<p>${esc(p).replace(/\n/g, '<br />')}</p>\n`)
    .join('');
}

const QUOTE_DEPTH = /^((?: {0,3}>[ \t]?){5})(?: {0,3}>[ \t]?)+/gm;

/**
 * A comment's markdown to the HTML shown under a post: safe to put in a page
 * as it is.
 *
 * @example
 * renderCommentBody('**Thanks!** See [the docs](https://example.com) <script>x</script>')
 * // '<p><strong>Thanks!</strong> See <a href="https://example.com/" rel="nofollow ugc">the docs</a> &lt;script&gt;x&lt;/script&gt;</p>\n'
 */
export function renderCommentBody(markdown: string): string {
  // marked recurses once per '>' level: thousands of them overflow the stack, so quotes nest five deep at most.
  const md = String(markdown ?? '').replace(QUOTE_DEPTH, '$1');
  let html: string;
  try {
    // A fresh Marked per call: nothing configured elsewhere can widen what a comment may do.
    html = createCommentMarked().parse(md, { async: false });
  } catch {
    // marked gives up on some pathological nesting (a stack overflow on 20,000 '*'): show the text as typed.
    html = plainParagraphs(md);
  }
  return sanitizeCommentHtml(html);
}

/** The second wall on its own: any HTML cut down to what a comment may contain (exported for its test). */
export function sanitizeCommentHtml(html: string): string {
  return requireSanitizeHtml()(html, SANITIZE);
}

/**
 * The website a commenter gave, as a normalised absolute http(s) URL, or
 * undefined when it is anything else: another scheme (javascript:, data:,
 * vbscript:, file:), a relative or protocol-relative address, a user name or
 * password in it, no real host name, or control characters. A bare
 * `example.com/me` gets `http://` in front. Escape the result when putting it
 * in an attribute, as with any string.
 *
 * @example
 * safeWebsite('Example.COM/me')        // 'http://example.com/me'
 * safeWebsite('javascript:alert(1)')   // undefined
 */
export function safeWebsite(url: string): string | undefined {
  const raw = String(url ?? '').trim();
  if (!raw || raw.length > 2000) return undefined;
  // Control characters and spaces are how "java\tscript:" and friends slip past naive checks.
  if (/[\u0000-\u0020\u007f-\u009f\u2028\u2029\\]/.test(raw)) return undefined;
  let candidate = raw;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(raw)) {
    // No scheme: only a host name at the start (example.com, www.example.com/x) is taken as a website.
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(?::\d+)?(?:[/?#]|$)/i.test(raw)) return undefined;
    candidate = `http://${raw}`;
  }
  let u: URL;
  try {
    u = new URL(candidate);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  if (!/^https?:\/\/[^/]/i.test(candidate)) return undefined; // "http:example.com" is a relative reference in spirit
  if (u.username || u.password) return undefined;
  const host = u.hostname;
  // A real host: a dotted name with a letter TLD, or an IP literal would be odd for a website; refuse it.
  if (!/^([a-z0-9-]+\.)+(xn--[a-z0-9-]+|[a-z]{2,})$/i.test(host)) return undefined;
  return u.href;
}
