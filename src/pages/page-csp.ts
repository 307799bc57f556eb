/** The Content-Security-Policy of stored pages (see page-html.ts for who gets which). */

/** Pages whose HTML was sanitised, and any page stored without a policy of its own: no script at all. */
export const NO_SCRIPT_PAGE_CSP =
  "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; font-src 'self' data: https:; media-src 'self' https:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/** Raw HTML written by a superadmin: their own inline and https: script may run, nothing is framed or embedded. */
export const TRUSTED_PAGE_CSP =
  "default-src 'self' https: data: 'unsafe-inline'; script-src 'self' https: 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'";

const HASH_OR_NONCE = /^'(sha256|sha384|sha512|nonce)-[A-Za-z0-9+/_=-]+'$/;
/** `https://cdn.example.com`, `cdn.example.com/js/`: a named host, no wildcard, not a bare scheme. */
const NAMED_HOST = /^(https:\/\/)?[a-z0-9.-]+\.[a-z]{2,}(:\d+)?(\/[^\s;,]*)?$/i;

/**
 * The policy of a page on a `~tilde` site. Those sites share one origin, so a script on one can
 * call another's API with its visitor's cookie: no script a user wrote may run there. What is
 * left of `script-src` is what the theme and plugins (installed by whoever runs the installation)
 * injected: their inline scripts by hash or nonce, and `'self'` and named hosts only when the
 * page loads a script file at all. `'unsafe-inline'`, `'unsafe-eval'`, schemes and wildcards go.
 *
 * @param html the page, when known: without a `<script src>` in it, no file source is kept.
 */
export function sharedOriginCsp(csp: string, html?: string): string {
  const directives = csp.split(';').map((d) => d.trim()).filter(Boolean);
  const byName = new Map(directives.map((d) => [d.split(/\s+/)[0]!.toLowerCase(), d.split(/\s+/).slice(1)]));
  const from = byName.get('script-src') ?? byName.get('default-src') ?? [];
  const loadsFiles = html === undefined || /<script\b[^>]*\ssrc\s*=/i.test(html);
  const keep = from.filter((t) => HASH_OR_NONCE.test(t) || (loadsFiles && (t === "'self'" || NAMED_HOST.test(t))));
  const scriptSrc = `script-src ${keep.length ? [...new Set(keep)].join(' ') : "'none'"}`;
  const out = directives.filter((d) => !/^script-src(-elem|-attr)?\s/i.test(d + ' '));
  out.splice(Math.min(1, out.length), 0, scriptSrc, "script-src-attr 'none'");
  if (!byName.has('object-src')) out.push("object-src 'none'");
  if (!byName.has('base-uri')) out.push("base-uri 'self'");
  return out.join('; ');
}
