/**
 * Finding published posts by words, through the store's full-text index
 * (`server.db.createSearchIndex`: FTS5 on SQLite, tsvector on PostgreSQL).
 * Any query text gives results or an empty list, and only published posts
 * are ever indexed or returned. The words of a query and the shape of a
 * snippet are the store's (`searchTerms`, `snippetAround`), so the blog
 * shapes nothing twice.
 */
import { searchTerms, snippetAround } from '../../src/plugins/plugin.js';
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

const FILL_BATCH = 500;

/**
 * The store's full-text index (`pm_search_blog_post`: FTS5 on SQLite, tsvector +
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
      const terms = searchTerms(q);
      if (!terms.length) return [];
      const { hits } = await (await index()).search(String(q), { siteId: scope(siteId, langcode), limit: Math.min(100, Math.max(1, limit)) });
      // The posts of a page of hits in one read (20 reads of one post each cost more than the search itself).
      const byId = new Map((await store.getMany(hits.map((h) => h.id))).map((p) => [p.postId, p]));
      const out: SearchHit[] = [];
      for (const h of hits) {
        const post = byId.get(h.id);
        // The index follows writes; a post unpublished a moment ago is not shown meanwhile.
        if (!post || post.status !== 'published' || post.siteId !== siteId || post.langcode !== langcode) continue;
        // The index's snippet is of the text; a post found by its title shows the title in its snippet, marked,
        // before the start of its text (the summary kept with the post: no Markdown rendered per hit).
        const snippet = h.snippet.includes('<mark>') ? h.snippet : snippetAround(`${post.title} — ${post.summary}`, terms);
        out.push({ post, snippet });
      }
      return out;
    },
  };
}
