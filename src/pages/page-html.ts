import type { IOptions } from 'sanitize-html';
import { requireSanitizeHtml } from '../forms/lazy-libs.js';
import { SANITIZE_OPTIONS } from '../forms/sanitize-options.js';
import { NO_SCRIPT_PAGE_CSP, TRUSTED_PAGE_CSP } from './page-csp.js';

/**
 * Who may put script on the site's origin. Raw page HTML is stored as written only
 * for a user who holds `pages.raw-html` (superadmins) on a site with its own origin;
 * from anyone else, and on every `~tilde` site (they share one origin), it is
 * sanitised like markdown, and the page is served with a policy that forbids script.
 */

/** The markdown allowlist widened to whole pages: structure and media, still no script, styles, frames, forms or handlers. */
const PAGE_SANITIZE_OPTIONS: IOptions = {
  ...(SANITIZE_OPTIONS as IOptions),
  allowedTags: [
    ...(SANITIZE_OPTIONS.allowedTags as string[]),
    'html', 'head', 'body', 'title', 'meta',
    'div', 'span', 'section', 'article', 'header', 'footer', 'nav', 'main', 'aside',
    'figure', 'figcaption', 'picture', 'source', 'small', 'mark', 'b', 'i', 'u', 'abbr', 'cite', 'q', 'time',
    'dl', 'dt', 'dd', 'caption', 'tfoot', 'colgroup', 'col', 'details', 'summary',
  ],
  allowedAttributes: {
    ...(SANITIZE_OPTIONS.allowedAttributes as Record<string, string[]>),
    // No `style`: inline CSS lets a page lay a fixed overlay over the dashboard's look (UI redress).
    '*': ['class', 'id', 'lang', 'dir', 'title'],
    html: ['lang', 'dir'],
    meta: ['charset', 'name', 'content'],
    a: ['href', 'title', 'rel', 'target'],
    img: ['src', 'alt', 'title', 'width', 'height', 'srcset', 'sizes', 'loading'],
    source: ['srcset', 'sizes', 'type', 'media'],
    td: ['align', 'colspan', 'rowspan'],
    th: ['align', 'colspan', 'rowspan', 'scope'],
    time: ['datetime'],
  },
  allowedClasses: undefined,
  allowedSchemesByTag: { img: ['http', 'https'], source: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'srcset', 'cite'],
  // A `<meta http-equiv="refresh">` would redirect visitors away; only charset/name/content pass.
  exclusiveFilter: (frame) => frame.tag === 'meta' && !frame.attribs.charset && !frame.attribs.name,
};

/** What to store for raw page HTML, and the policy to serve it with. */
export function preparePageHtml(html: string, opts: { mayRunScript: boolean }): { html: string; headers: Record<string, string> } {
  if (opts.mayRunScript) return { html, headers: { 'content-security-policy': TRUSTED_PAGE_CSP } };
  const clean = requireSanitizeHtml()(html, PAGE_SANITIZE_OPTIONS);
  return { html: /^\s*<!doctype/i.test(html) ? `<!doctype html>\n${clean}` : clean, headers: { 'content-security-policy': NO_SCRIPT_PAGE_CSP } };
}
