/**
 * Finding published posts by words. Written against the store's search
 * capability (`createSearchIndex` / `index` / `remove` / `search`: FTS5 on
 * SQLite, tsvector on PostgreSQL) when the plugin API offers it; until then
 * a LIKE search over title and text, ranked title first, with a snippet cut
 * around the first match. Either way: any query text gives results or an
 * empty list, and only published posts are ever indexed or returned.
 */
import type { PluginServer } from '../../src/plugins/plugin.js';
import { plainText } from './post-input.js';
import type { Post, PostStore } from './post-store.js';

export interface SearchHit {
  post: Post;
  /** Plain text with the matched words between `<mark>` and `</mark>`; everything else escaped. */
  snippet: string;
}

export interface PostSearch {
  index(p: Post): Promise<void>;
  remove(postId: string): Promise<void>;
  query(siteId: string, langcode: string, q: string, limit: number): Promise<SearchHit[]>;
}

const MAX_QUERY = 200;
const FILL_BATCH = 500;
const MAX_WORDS = 8;

/** The words of a query: letters and digits only, so no operator or quote reaches the database. */
export function queryWords(q: string): string[] {
  const words = String(q ?? '')
    .slice(0, MAX_QUERY * 4)
    .normalize('NFKC')
    .replace(/[\u200b-\u200f\u2060-\u2064\ufeff]/g, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
  return [...new Set(words)].slice(0, MAX_WORDS);
}

const escHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Up to ~200 characters around the first word found, each match marked. */
export function snippetOf(text: string, words: string[]): string {
  const lower = text.toLowerCase();
  let at = -1;
  for (const w of words) {
    const i = lower.indexOf(w);
    if (i !== -1 && (at === -1 || i < at)) at = i;
  }
  const start = Math.max(0, at - 60);
  let part = text.slice(start, start + 200);
  if (start > 0) part = '…' + part.replace(/^\S*\s/, '');
  if (start + 200 < text.length) part = part.replace(/\s\S*$/, '') + '…';
  let out = escHtml(part);
  for (const w of words) {
    const re = new RegExp(escHtml(w).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
    out = out.replace(re, (m) => `<mark>${m}</mark>`);
  }
  // A word inside another word's mark ("<mark>ca<mark>t</mark></mark>") is harmless but untidy.
  return out.replace(/<\/mark><mark>/g, '');
}

export function createLikeSearch(server: PluginServer, store: PostStore): PostSearch {
  return {
    async index() {},
    async remove() {},
    async query(siteId, langcode, q, limit) {
      const words = queryWords(q);
      if (!words.length) return [];
      const posts = await store.searchLike(siteId, langcode, words, 200);
      const scored = posts.map((post) => {
        const title = post.title.toLowerCase();
        const text = plainText(server.renderMarkdown(post.body));
        const score = words.reduce((s, w) => s + (title.includes(w) ? 10 : 0) + (text.toLowerCase().split(w).length - 1), 0);
        return { post, text, score };
      });
      scored.sort((a, b) => b.score - a.score || (b.post.publishAt ?? 0) - (a.post.publishAt ?? 0));
      // A post found by its title alone shows the title in its snippet, so the words are marked somewhere.
      const source = (x: (typeof scored)[number]) => (words.some((w) => x.text.toLowerCase().includes(w)) ? x.text : `${x.post.title} — ${x.text}`);
      return scored.slice(0, limit).map((x) => ({ post: x.post, snippet: snippetOf(source(x), words) }));
    },
  };
}

/**
 * The real search: the store's full-text index (`pm_search_blog_post`: FTS5 on SQLite, tsvector +
 * GIN on PostgreSQL; title weighted above the text, the last word also as a prefix). Documents are
 * keyed by post and filtered by "site/language". Only published posts are in it. The index is
 * derived data (a backup leaves it out): when it is empty while published posts exist (first use
 * after an upgrade or a restore) it is filled from the posts once.
 */
type SearchIndex = Awaited<ReturnType<PluginServer['db']['createSearchIndex']>>;

export function createIndexedSearch(server: PluginServer, store: PostStore): PostSearch {
  const scope = (siteId: string, langcode: string) => `${siteId}/${langcode}`;
  let ready: Promise<SearchIndex> | undefined;
  const doc = (p: Post) => ({ id: p.postId, siteId: scope(p.siteId, p.langcode), title: p.title, body: plainText(server.renderMarkdown(p.body)) });

  function index(): Promise<SearchIndex> {
    ready ??= (async () => {
      const idx = await server.db.createSearchIndex('blog_post');
      const { sql } = server;
      const have = Number((await server.db.get<{ n: number }>(sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(idx.table)}`))?.n ?? 0);
      if (have === 0) {
        // 500 posts per transaction, read 500 at a time: 100,000 posts fill in about a minute
        // (one insert per transaction took a commit each, and loading every post at once held them all in memory).
        for (const site of server.sites.list()) {
          let after = '';
          for (;;) {
            const batch = await store.publishedAfter(site.siteId, after, FILL_BATCH);
            if (!batch.length) break;
            const docs = batch.map(doc);
            await server.db.transaction(async (tx) => {
              for (const d of docs) await idx.index(d, tx);
            });
            after = batch[batch.length - 1].postId;
          }
        }
      }
      return idx;
    })().catch((e) => {
      ready = undefined; // try again on the next call
      throw e;
    });
    return ready;
  }

  return {
    async index(p) {
      if (p.status !== 'published') return this.remove(p.postId);
      await (await index()).index(doc(p));
    },
    async remove(postId) {
      await (await index()).remove(postId);
    },
    async query(siteId, langcode, q, limit) {
      if (!queryWords(q).length) return [];
      const { hits } = await (await index()).search(String(q).slice(0, MAX_QUERY * 4), { siteId: scope(siteId, langcode), limit: Math.min(100, Math.max(1, limit)) });
      // The posts of a page of hits in one read (20 reads of one post each cost more than the search itself).
      const byId = new Map((await store.getMany(hits.map((h) => h.id))).map((p) => [p.postId, p]));
      const out: SearchHit[] = [];
      for (const h of hits) {
        const post = byId.get(h.id);
        // The index follows writes; a post unpublished a moment ago is not shown meanwhile.
        if (!post || post.status !== 'published' || post.siteId !== siteId || post.langcode !== langcode) continue;
        // The index's snippet is of the text; a post found by its title shows the title in its snippet, marked,
        // before the start of its text (the summary kept with the post: no Markdown rendered per hit).
        const snippet = h.snippet.includes('<mark>') ? h.snippet : snippetOf(`${post.title} — ${post.summary}`, queryWords(q));
        out.push({ post, snippet });
      }
      return out;
    },
  };
}
