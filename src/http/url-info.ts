/** Where a request is going, resolved before any route runs. */
export interface URLInfo {
  /** The URL as the client sent it (path and query). */
  rawURL: string;
  /** The Host header without port, lowercased. */
  domain: string;
  /** multisite: the label in front of the base domain (`alice` in alice.example.com). */
  subdomain: string;
  /** multisite: the `~name` prefix without the tilde, or ''. */
  tildePrefix: string;
  /** A locale from locales.txt when the first path segment names one; '' for the site's default locale. */
  langcode: string;
  /** The path with tilde prefix and langcode removed, decoded, no query. */
  urlPath: string;
  /** The query string including '?', or ''. */
  search: string;
}

/** The link prefix of a request (`/~alice/fr`), for building prefix-aware links. */
export function urlPrefix(u: Pick<URLInfo, 'tildePrefix' | 'langcode'>): string {
  return (u.tildePrefix ? `/~${u.tildePrefix}` : '') + (u.langcode ? `/${u.langcode}` : '');
}

/** Splits `/~alice/fr/about?x=1` → tilde 'alice', then langcode candidates. */
export function splitPath(rawURL: string): { path: string; search: string } {
  const q = rawURL.indexOf('?');
  return q === -1 ? { path: rawURL, search: '' } : { path: rawURL.slice(0, q), search: rawURL.slice(q) };
}
