/**
 * Full-text search: one interface, a capability of each dialect (FTS5 on
 * SQLite, a tsvector column with a GIN index on PostgreSQL). Both give the
 * same answer shape: ids in rank order (title matches weigh more than body
 * matches), the total, and a snippet of the body with the matched words in
 * `<mark>`, as safe HTML (the text is escaped).
 *
 * A query is words: every word must match, the last one also as a prefix
 * (`pagem` finds "pagemanager"; a one-letter last word only as a word), case
 * does not matter, punctuation is ignored, and no query can be a syntax error.
 *
 * What a search costs is bounded, however many documents match: ranking looks at
 * the newest `RANK_WINDOW` matching documents (most recently added on SQLite,
 * highest ids on PostgreSQL: the same for time-ordered ids such as ULIDs), and
 * `total` counts up to that many (`capped` then says there are more). A word in
 * nearly every post of a 100,000-post blog ranked all of them: 0.5 s a search.
 * With fewer matches than the window nothing changes.
 *
 * @example
 *   // the blog, once at start:
 *   const posts = await db.createSearchIndex('blog_post');      // table pm_search_blog_post
 *   await posts.index({ id: post.postId, siteId, title: post.title, body: post.markdown });
 *   const { total, hits } = await posts.search('kysely migrations', { siteId, limit: 10, offset: 0 });
 *   // hits: [{ id: '01J…', score: 0.61, snippet: 'how <mark>migrations</mark> run…' }, …]
 *   await posts.remove(post.postId);
 */
import type { Kysely } from 'kysely';
import type { Db, Queryable } from './db.js';

export interface SearchDoc {
  /** Your key (a post id); indexing the same id again replaces the document. */
  id: string;
  /** Searches can be limited to one site; '' when the document belongs to none. */
  siteId?: string;
  title?: string;
  body: string;
}

export interface SearchHit {
  id: string;
  /** Higher is better. Comparable within one result only (bm25 and ts_rank use different scales). */
  score: number;
  /** Some words of the body around the matches, HTML-escaped, matches in `<mark>…</mark>`. */
  snippet: string;
}

export interface SearchResult {
  /** How many documents match (for paging), counted up to `RANK_WINDOW` (or offset + limit, if more). */
  total: number;
  /** True when more documents match than `total` counted. */
  capped: boolean;
  hits: SearchHit[];
}

export interface SearchOptions {
  siteId?: string;
  /** 1 to 100; 20 by default. */
  limit?: number;
  offset?: number;
}

export interface SearchIndex {
  readonly name: string;
  /** The table holding the documents (`id, site_id, title, body`): declare it among your tables. */
  readonly table: string;
  /** Adds or replaces a document. Pass `tx` to index inside your own transaction. */
  index(doc: SearchDoc, tx?: Queryable): Promise<void>;
  /** True when the document was there. */
  remove(id: string, tx?: Queryable): Promise<boolean>;
  search(q: string, opts?: SearchOptions): Promise<SearchResult>;
}

export const MAX_SEARCH_LIMIT = 100;
/** How many of the newest matching documents a search ranks and counts (see above). */
export const RANK_WINDOW = 500;

/** The window for a page of results: RANK_WINDOW, or further for a page beyond it. */
export function rankWindow(limit: number, offset: number): number {
  return Math.max(RANK_WINDOW, offset + limit);
}

/** Whether the last word is matched as a prefix too: not a single letter (it would match most of the vocabulary). */
export function prefixLast(terms: string[]): boolean {
  return [...(terms[terms.length - 1] ?? '')].length >= 2;
}
const MAX_TERMS = 32;
/** What of a query is read: a 3,000-character paste costs no more than this. */
const MAX_QUERY_CHARS = 800;
/** Private-use characters the database puts around matches; escaped text cannot contain a tag, these become `<mark>`. */
export const MARK_START = '\uE000';
export const MARK_END = '\uE001';

/** `pm_search_{name}`; `name` is lower-case letters, digits and _. */
export function searchTable(name: string): string {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(name)) {
    throw new Error(`A search index name must be lower-case letters, digits and _ (starting with a letter, at most 40), not ${JSON.stringify(name)}.`);
  }
  return `pm_search_${name}`;
}

/** Tables a dialect adds beside `table` (SQLite's FTS5 table and its shadow tables) start with this. */
export function searchDerivedPrefix(table: string): string {
  return `${table}_fts`;
}

/**
 * The words of a query, lower-cased; at most 32. Only letters and digits, so no quote or operator
 * reaches the database; compatibility forms folded (NFKC: "ﬁ" is "fi") and zero-width characters
 * dropped, so a word pasted with one inside is still one word.
 */
export function searchTerms(q: string): string[] {
  if (typeof q !== 'string') return [];
  return q
    .slice(0, MAX_QUERY_CHARS)
    .normalize('NFKC')
    .replace(/[\u200b-\u200f\u2060-\u2064\ufeff]/g, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, MAX_TERMS);
}


export function checkSearchOptions(opts: SearchOptions = {}): { siteId: string | undefined; limit: number; offset: number } {
  const limit = opts.limit ?? 20;
  const offset = opts.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) throw new RangeError(`limit must be a whole number from 1 to ${MAX_SEARCH_LIMIT}, not ${limit}`);
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be a whole number, 0 or more, not ${offset}`);
  return { siteId: opts.siteId, limit, offset };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The database's snippet (with MARK_START/MARK_END) as safe HTML. */
export function snippetHtml(raw: string | null | undefined): string {
  return String(raw ?? '')
    .replace(/[&<>"']/g, (c) => ESCAPES[c]!)
    .replaceAll(MARK_START, '<mark>')
    .replaceAll(MARK_END, '</mark>');
}

/**
 * A snippet the database did not make, shaped like a hit's (escaped, matches in `<mark>`): up to
 * about 200 characters of `text` around the first term found, cut at words. For a document found
 * by its title alone, whose body snippet marks nothing.
 *
 * @example snippetAround(`${post.title} — ${post.summary}`, searchTerms(q))
 */
export function snippetAround(text: string, terms: readonly string[]): string {
  const plain = String(text ?? '').replace(/[\uE000\uE001]/g, '');
  const lower = plain.toLowerCase();
  let at = -1;
  for (const w of terms) {
    const i = lower.indexOf(w);
    if (i !== -1 && (at === -1 || i < at)) at = i;
  }
  const start = Math.max(0, at - 60);
  let part = plain.slice(start, start + 200);
  if (start > 0) part = '…' + part.replace(/^\S*\s/, '');
  if (start + 200 < plain.length) part = part.replace(/\s\S*$/, '') + '…';
  // Marked with the database's own marker characters, so snippetHtml escapes and marks both kinds the same way.
  const words = [...terms].filter(Boolean).sort((a, b) => b.length - a.length);
  if (words.length) part = part.replace(new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'giu'), (m) => MARK_START + m + MARK_END);
  return snippetHtml(part.replaceAll(MARK_END + MARK_START, ''));
}

/**
 * Adding and removing documents, the same on both dialects: an upsert by `id` and a delete (each
 * dialect indexes the row its own way: FTS5 triggers, a generated tsvector column).
 */
export function documentWriter(db: Db, table: string): Pick<SearchIndex, 'index' | 'remove'> {
  const k = (q: Queryable): Kysely<any> => q.kysely as unknown as Kysely<any>;
  return {
    async index(doc, tx = db) {
      const d = checkDoc(doc);
      await k(tx)
        .insertInto(table)
        .values({ id: d.id, site_id: d.siteId, title: d.title, body: d.body })
        .onConflict((oc) => oc.column('id').doUpdateSet({ site_id: d.siteId, title: d.title, body: d.body }))
        .execute();
    },
    async remove(id, tx = db) {
      return (await tx.run(k(tx).deleteFrom(table).where('id', '=', id))).changes > 0;
    },
  };
}

export function checkDoc(doc: SearchDoc): Required<SearchDoc> {
  if (!doc || typeof doc.id !== 'string' || doc.id === '') throw new TypeError('A search document needs an id (non-empty text).');
  return { id: doc.id, siteId: String(doc.siteId ?? ''), title: String(doc.title ?? ''), body: String(doc.body ?? '') };
}
