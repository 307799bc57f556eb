/** The blog's addresses, in one place (inside a site, before any ~tilde or langcode prefix). */
export const BLOG_BASE = '/blog';
/** The pseudoroute `/` is aliased to when the blog is the home page. */
export const HOME_ROUTE = '/pm-blog-home';

export const postPath = (slug: string) => `${BLOG_BASE}/${slug}`;
export const indexPath = (page = 1) => (page <= 1 ? BLOG_BASE : `${BLOG_BASE}/page/${page}`);
export const tagPath = (slug: string, page = 1) => `${BLOG_BASE}/tag/${slug}${page > 1 ? `/page/${page}` : ''}`;
export const authorPath = (username: string, page = 1) => `${BLOG_BASE}/author/${encodeURIComponent(username)}${page > 1 ? `/page/${page}` : ''}`;
export const searchPath = `${BLOG_BASE}/search`;
export const feedPath = (kind: 'rss' | 'atom', tag?: string) => `${tag ? `${BLOG_BASE}/tag/${tag}` : BLOG_BASE}/${kind === 'rss' ? 'feed.xml' : 'atom.xml'}`;

/** The ~tilde and langcode prefix of a site's links. */
export function sitePrefix(site: { tildePrefix: string | null }, langcode: string): string {
  return (site.tildePrefix ? `/~${site.tildePrefix}` : '') + (langcode ? `/${langcode}` : '');
}

/** A path as it goes into an href, each segment percent-encoded (usernames may hold dots, tags never need it). */
export function encodePath(p: string): string {
  return p.split('/').map((s) => encodeURIComponent(decodeURIComponentSafe(s))).join('/');
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
