/** The Content-Security-Policy of stored pages (see page-html.ts for who gets which). */

/** Pages whose HTML was sanitised, and any page stored without a policy of its own: no script at all. */
export const NO_SCRIPT_PAGE_CSP =
  "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; font-src 'self' data: https:; media-src 'self' https:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/** Raw HTML written by a superadmin: their own inline and https: script may run, nothing is framed or embedded. */
export const TRUSTED_PAGE_CSP =
  "default-src 'self' https: data: 'unsafe-inline'; script-src 'self' https: 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'";
