/**
 * What a post may hold, checked once for every door (dashboard form, JSON
 * API, scheduler). Each problem is named by field with a message for people,
 * and everything is checked before anything is stored.
 */
import { PmError } from '../../src/plugins/plugin.js';

export type PostStatus = 'draft' | 'scheduled' | 'published';
export const STATUSES: readonly PostStatus[] = ['draft', 'scheduled', 'published'];

/** What a caller sends; every field optional on an update. */
export interface PostInput {
  title?: string;
  slug?: string;
  body?: string;
  excerpt?: string;
  cover?: string;
  coverAlt?: string;
  tags?: string[];
  authorIds?: string[];
  status?: string;
  /** ISO 8601 (`2026-12-24T09:00:00Z`; without a zone it is UTC), or milliseconds. */
  publishAt?: string | number | null;
  seoTitle?: string;
  seoDescription?: string;
  noindex?: boolean;
  langcode?: string;
  /** The id of a post in another language that this one translates. */
  translationOf?: string | null;
}

/** A checked post, as stored. */
export interface PostFields {
  title: string;
  slug: string;
  body: string;
  excerpt: string;
  cover: string;
  coverAlt: string;
  tags: string[];
  authorIds: string[];
  status: PostStatus;
  publishAt: number | null;
  seoTitle: string;
  seoDescription: string;
  noindex: boolean;
  langcode: string;
}

export const LIMITS = { title: 200, slug: 100, body: 200_000, excerpt: 500, cover: 2048, coverAlt: 300, tag: 50, tags: 20, authors: 10, seoTitle: 200, seoDescription: 320 };

/** Slugs that would shadow the blog's own addresses. */
export const RESERVED_SLUGS = new Set(['page', 'tag', 'author', 'search', 'feed', 'atom', 'rss']);
export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

// Control characters other than tab, newline and carriage return.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// Zero-width and bidirectional controls do not belong in a title or a tag.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

/** `Café crème — déjà vu!` → `cafe-creme-deja-vu`. Empty when nothing latin is left. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[æ]/g, 'ae')
    .replace(/[ø]/g, 'o')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, LIMITS.slug)
    .replace(/-+$/, '');
}

/** Plain text out of rendered HTML (for excerpts, reading time and search). */
export function plainText(html: string): string {
  return html
    // Block ends separate words; inline tags (<strong>, <a>) do not ("twice</strong>." stays "twice.").
    .replace(/<\/?(p|li|ul|ol|h[1-6]|br|hr|div|blockquote|pre|tr|td|th|table|img)\b[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos|nbsp);/gi, (m, e: string) => {
      const k = e.toLowerCase();
      if (k === 'amp') return '&';
      if (k === 'lt') return '<';
      if (k === 'gt') return '>';
      if (k === 'quot') return '"';
      if (k === 'apos') return "'";
      if (k === 'nbsp') return ' ';
      const code = k.startsWith('#x') ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** The first sentences of the text, at most `max` characters, cut at a word. */
export function deriveExcerpt(text: string, max = 200): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const at = cut.lastIndexOf(' ');
  return (at > max / 2 ? cut.slice(0, at) : cut).replace(/[\s,;:.–—-]+$/, '') + '…';
}

/** Minutes at 230 words a minute, at least 1. */
export function readingMinutes(text: string): number {
  const words = text ? text.split(/\s+/).filter(Boolean).length : 0;
  return Math.max(1, Math.round(words / 230));
}

/**
 * A date as the API and the form send it → milliseconds. ISO 8601 dates and
 * times; a time without a zone (what `<input type="datetime-local">` sends) is UTC.
 */
export function parseDate(v: unknown): number | null | 'bad' {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? v : 'bad';
  if (typeof v !== 'string') return 'bad';
  const s = v.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (!m) return 'bad';
  const [, y, mo, d, h = '00', mi = '00', sec = '00'] = m;
  const parts = [+y, +mo, +d, +h, +mi, +sec];
  if (parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > 31 || parts[3] > 23 || parts[4] > 59 || parts[5] > 59) return 'bad';
  const t = Date.parse(m[7] ? s.replace(' ', 'T') : `${y}-${mo}-${d}T${h}:${mi}:${sec}Z`);
  if (!Number.isFinite(t)) return 'bad';
  // 2026-02-31 parses as March 3rd in some engines: the day must survive the round trip.
  const back = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
  if (back.getUTCDate() !== parts[2]) return 'bad';
  if (parts[0] < 1970 || parts[0] > 9999) return 'bad';
  return t;
}

function text(v: unknown, field: string, label: string, max: number, errors: Record<string, string>, opts: { required?: boolean; multiline?: boolean } = {}): string {
  if (v !== undefined && v !== null && typeof v !== 'string') {
    errors[field] = `${label} must be text.`;
    return '';
  }
  const s = opts.multiline ? String(v ?? '').replace(/\r\n?/g, '\n') : String(v ?? '').replace(INVISIBLE, '').trim();
  if (opts.required && !s.trim()) errors[field] = `${label} is required.`;
  else if (s.length > max) errors[field] = `${label} is ${s.length} characters long; the limit is ${max}.`;
  else if (CONTROL.test(s)) errors[field] = `${label} contains control characters.`;
  else if (!opts.multiline && /[\n\t]/.test(s)) errors[field] = `${label} must be one line.`;
  return s;
}

/** A cover picture: a path on this site or an http(s) URL, never `javascript:` or `data:`. */
function coverUrl(v: string, errors: Record<string, string>): string {
  if (!v) return '';
  if (v.startsWith('/') && !v.startsWith('//') && !/[\\\s"'<>]/.test(v)) return v;
  try {
    const u = new URL(v);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && !/[\s"'<>]/.test(v)) return u.href;
  } catch {
    // falls through to the error
  }
  errors.cover = 'The cover must be a path on this site (/pm-uploads/…) or a full https:// address.';
  return '';
}

function tagList(v: unknown, errors: Record<string, string>): string[] {
  if (v === undefined || v === null) return [];
  const raw = typeof v === 'string' ? v.split(',') : v;
  if (!Array.isArray(raw) || raw.some((t) => typeof t !== 'string')) {
    errors.tags = 'Tags must be a list of words, or text with commas between the tags.';
    return [];
  }
  const out: string[] = [];
  const seen = new Set<string>();
  for (const t of raw as string[]) {
    const name = t.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
    if (!name) continue;
    if (name.length > LIMITS.tag) {
      errors.tags = `The tag “${name.slice(0, 20)}…” is longer than ${LIMITS.tag} characters.`;
      continue;
    }
    if (CONTROL.test(name)) {
      errors.tags = 'A tag contains control characters.';
      continue;
    }
    const slug = slugify(name);
    if (!slug) {
      errors.tags = `The tag “${name}” needs at least one letter or digit (a–z, 0–9) to make its address.`;
      continue;
    }
    if (seen.has(slug)) continue;
    seen.add(slug);
    out.push(name);
  }
  if (out.length > LIMITS.tags) errors.tags = `A post takes at most ${LIMITS.tags} tags (this one has ${out.length}).`;
  return out;
}

/**
 * Checks a whole post (an update passes the stored post merged with the
 * changes). `now` decides whether a date is past or future.
 */
export function checkPost(input: PostInput, opts: { now: number; locales: ReadonlySet<string>; enabled: readonly string[] }): { ok: true; fields: PostFields } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const title = text(input.title, 'title', 'The title', LIMITS.title, errors, { required: true });
  let slug = text(input.slug, 'slug', 'The slug', LIMITS.slug, errors);
  if (!slug && title && !errors.title) {
    slug = slugify(title);
    if (!slug) errors.slug = 'The title has no letters or digits (a–z, 0–9) to make an address from: type a slug.';
  } else if (slug && !errors.slug && !SLUG.test(slug)) {
    errors.slug = 'Use lowercase letters a–z, digits and single hyphens between them (for example my-first-post).';
  }
  if (slug && !errors.slug && RESERVED_SLUGS.has(slug)) errors.slug = `“${slug}” is one of the blog’s own addresses (${[...RESERVED_SLUGS].join(', ')}); pick another slug.`;
  const body = text(input.body, 'body', 'The text', LIMITS.body, errors, { multiline: true });
  const excerpt = text(input.excerpt, 'excerpt', 'The excerpt', LIMITS.excerpt, errors, { multiline: true }).trim();
  const cover = coverUrl(text(input.cover, 'cover', 'The cover', LIMITS.cover, errors), errors);
  const coverAlt = text(input.coverAlt, 'coverAlt', 'The cover’s description', LIMITS.coverAlt, errors);
  const tags = tagList(input.tags, errors);
  const seoTitle = text(input.seoTitle, 'seoTitle', 'The search engine title', LIMITS.seoTitle, errors);
  const seoDescription = text(input.seoDescription, 'seoDescription', 'The search engine description', LIMITS.seoDescription, errors);
  if (input.noindex !== undefined && typeof input.noindex !== 'boolean') errors.noindex = 'Must be true or false.';

  let authorIds: string[] = [];
  if (input.authorIds !== undefined) {
    if (!Array.isArray(input.authorIds) || input.authorIds.some((a) => typeof a !== 'string' || !a)) errors.authorIds = 'Authors must be a list of user ids.';
    else authorIds = [...new Set(input.authorIds)];
    if (authorIds.length > LIMITS.authors) errors.authorIds = `A post takes at most ${LIMITS.authors} authors.`;
  }
  if (!errors.authorIds && authorIds.length === 0) errors.authorIds = 'A post needs at least one author.';

  const status = (input.status ?? 'draft') as PostStatus;
  if (!STATUSES.includes(status)) errors.status = `The status must be one of ${STATUSES.join(', ')}.`;
  const date = parseDate(input.publishAt);
  let publishAt: number | null = null;
  if (date === 'bad') errors.publishAt = 'Not a date: use 2026-12-24 or 2026-12-24T09:00 (UTC), or add a zone such as +01:00.';
  else publishAt = date;
  if (!errors.status && !errors.publishAt) {
    if (status === 'scheduled') {
      if (publishAt === null) errors.publishAt = 'A scheduled post needs the date and time to publish it.';
      else if (publishAt <= opts.now) errors.publishAt = 'That time has passed: pick a time in the future, or choose Published to publish now.';
    } else if (status === 'published') {
      if (publishAt === null) publishAt = opts.now;
      else if (publishAt > opts.now + 60_000) errors.publishAt = 'A published post’s date cannot be in the future; choose Scheduled to publish it then.';
    }
  }

  const langcode = String(input.langcode ?? '').trim().toLowerCase();
  if (langcode && (!opts.locales.has(langcode) || !opts.enabled.includes(langcode))) {
    errors.langcode = `The language ${langcode} is not enabled on this site${opts.enabled.length ? ` (enabled: ${opts.enabled.join(', ')})` : ''}.`;
  }

  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, fields: { title, slug, body, excerpt, cover, coverAlt, tags, authorIds, status, publishAt, seoTitle, seoDescription, noindex: input.noindex ?? false, langcode } };
}

export function validationError(errors: Record<string, string>): PmError {
  return new PmError('PM_ERR_VALIDATION', {}, { fields: errors });
}
