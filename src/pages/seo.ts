/**
 * The SEO section every page has, whatever its template: a title for search
 * engines, a description, a social image, a canonical address and "hide from
 * search engines". Its fields are added to every template's schema (as the
 * `seo` object), and `resolveSeo` turns them, with the page's own title,
 * summary and first image as fallbacks, into what the themes put in <head>.
 */

/** The `seo` property every template's form gets (JSON Schema, draft-07). */
export const SEO_PROPERTY = {
  type: 'object',
  title: 'Search engines and sharing',
  description: 'How the page appears in search results and link previews. Everything is optional: the page’s own title, summary and first picture are used otherwise.',
  properties: {
    title: { type: 'string', title: 'Title for search engines', description: 'Shown as the link in search results (about 60 characters).', maxLength: 120 },
    description: { type: 'string', title: 'Description', description: 'One or two sentences under the link in search results and in link previews.', format: 'textarea', maxLength: 300 },
    image: { type: 'string', title: 'Social image', description: 'The picture shown when the page is shared (an address such as /pm-uploads/cover.jpg).', format: 'uri-reference', maxLength: 1000 },
    canonical: { type: 'string', title: 'Canonical address', description: 'Only when this content’s main copy lives at another address.', format: 'uri-reference', maxLength: 1000 },
    noindex: { type: 'boolean', title: 'Hide from search engines', description: 'Asks search engines not to list this page.' },
  },
} as const;

/** What the themes emit, fully resolved. URLs are absolute when the site's origin is known, site-relative otherwise. */
export interface ResolvedSeo {
  title: string;
  description: string;
  image: string;
  canonical: string;
  noindex: boolean;
  /** The language of the content (a fallback page shows the default language's). */
  contentLang: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const first = (...vs: unknown[]): string => vs.map(str).find((s) => s) ?? '';

/** The first picture a page's data holds, by the field names the built-in themes use. */
function firstImage(d: Record<string, unknown>): string {
  const direct = first(d.heroImage, d.cover, d.portrait, d.image);
  if (direct) return direct;
  for (const key of ['images', 'sections', 'projects']) {
    const list = d[key];
    if (Array.isArray(list)) {
      for (const item of list) {
        const src = item && typeof item === 'object' ? first((item as Record<string, unknown>).src, (item as Record<string, unknown>).image) : '';
        if (src) return src;
      }
    }
  }
  return '';
}

/** Markdown and line breaks out of a summary, cut at a word near `max` characters. */
function plain(text: string, max = 200): string {
  const t = text.replace(/[*_`#>[\]()!]/g, '').replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max);
  return cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 20)).trimEnd() + '…';
}

/**
 * @param data the page's data
 * @param o `url(path)` builds a link with the site's prefixes; `origin` ('https://example.com' or '') makes links absolute;
 *   `canonicalPath` is the address of the content's own copy (the default language's for a fallback page).
 */
export function resolveSeo(
  data: unknown,
  o: { siteTitle: string; siteDescription: string; canonicalPath: string; contentLang: string; url: (p: string) => string; origin: string },
): ResolvedSeo {
  const d = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const seo = (d.seo && typeof d.seo === 'object' ? d.seo : {}) as Record<string, unknown>;
  const abs = (u: string): string => {
    if (!u) return '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(u) || u.startsWith('//')) return u;
    return o.origin + (u.startsWith('/') ? u : '/' + u);
  };
  // Relative links go through the site's link builder, as the themes' own links do (a ~tilde site keeps its prefix).
  const local = (u: string): string => (!u || /^[a-z][a-z0-9+.-]*:/i.test(u) || u.startsWith('//') ? u : o.url(u));
  return {
    title: first(seo.title, d.title, d.heading, d.name, o.siteTitle),
    description: plain(first(seo.description, d.description, d.lede, d.intro, d.summary, d.headline, o.siteDescription)),
    image: abs(local(first(seo.image) || firstImage(d))),
    canonical: abs(first(seo.canonical) ? local(first(seo.canonical)) : o.canonicalPath),
    noindex: seo.noindex === true,
    contentLang: o.contentLang,
  };
}
