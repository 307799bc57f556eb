/**
 * Responsive pictures in templates: `it.image(src)` and `it.picture(src, opts)`.
 * A plugin that owns uploads (pm-plugins/media) registers a resolver with
 * `themes.setImageResolver`; before a render, every string of the page's data
 * that starts with `/pm-uploads/` is resolved at once, so the template's
 * helpers stay synchronous. A picture the resolver does not know (a theme
 * asset, another site's address) becomes a plain `<img>`.
 */
import { esc } from './injection.js';

/** One encoded size of a picture. */
export interface ImageVariant {
  /** Site-relative URL (`/pm-uploads/…`), before the `~tilde` prefix. */
  url: string;
  width: number;
}

/** What the resolver knows of an uploaded picture. */
export interface ImageInfo {
  /** The full-size picture, as the browser falls back to it. */
  src: string;
  width: number;
  height: number;
  /** MIME type of `src` and `variants`. */
  type: string;
  /** Sizes in the picture's own format, smallest first. */
  variants: ImageVariant[];
  /** The same sizes in other formats, best first (`image/avif`, `image/webp`). */
  sources: { type: string; variants: ImageVariant[] }[];
  /** The library's description of the picture, used when the page gives none. */
  alt: string;
}

export type ImageResolver = (srcs: string[]) => Promise<Map<string, ImageInfo>>;

export interface PictureOptions {
  alt?: string;
  /** The `sizes` attribute, e.g. `(min-width: 60rem) 50vw, 100vw`. Default `100vw`. */
  sizes?: string;
  class?: string;
  loading?: 'lazy' | 'eager';
}

const MAX_IMAGES = 1000;

/** Every string under `value` that names an upload, at most MAX_IMAGES of them. */
export function collectUploadUrls(value: unknown, out = new Set<string>(), depth = 0): Set<string> {
  if (out.size >= MAX_IMAGES || depth > 20) return out;
  if (typeof value === 'string') {
    if (value.startsWith('/pm-uploads/')) out.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectUploadUrls(v, out, depth + 1);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) collectUploadUrls(v, out, depth + 1);
  }
  return out;
}

/** `<picture>` with AVIF/WebP sources and an `<img>` with srcset, width and height; a plain `<img>` for anything else. */
export function pictureHtml(src: unknown, info: ImageInfo | undefined, o: PictureOptions, url: (p: string) => string): string {
  const s = String(src ?? '');
  if (!s) return '';
  // A use's own words first; an empty one (a form's optional "description" left blank) falls back to the library's.
  const alt = o.alt?.trim() ? o.alt : (info?.alt ?? o.alt ?? '');
  const common = `${o.class ? ` class="${esc(o.class)}"` : ''}${o.loading ? ` loading="${esc(o.loading)}"` : ''}`;
  const link = (p: string) => (p.startsWith('/') ? url(p) : p);
  if (!info) return `<img src="${esc(link(s))}" alt="${esc(alt)}"${common}>`;
  const sizes = esc(o.sizes ?? '100vw');
  const srcset = (vs: ImageVariant[]) => esc(vs.map((v) => `${link(v.url)} ${v.width}w`).join(', '));
  const sources = info.sources
    .filter((x) => x.variants.length)
    .map((x) => `<source type="${esc(x.type)}" srcset="${srcset(x.variants)}" sizes="${sizes}">`)
    .join('');
  const own = info.variants.length ? ` srcset="${srcset(info.variants)}" sizes="${sizes}"` : '';
  return `<picture>${sources}<img src="${esc(link(info.src))}"${own} width="${info.width}" height="${info.height}" alt="${esc(alt)}"${common} decoding="async"></picture>`;
}
