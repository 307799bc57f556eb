/**
 * Full-text search on PostgreSQL: the documents in `pm_search_{name}` with a
 * generated tsvector column (title weight A, body weight B, the 'simple'
 * configuration: no stemming, no stop words, as FTS5's unicode61) and a GIN
 * index on it, ranked by ts_rank. PostgreSQL's parser reads `<b>` as a tag
 * (and drops it), `a.b/c` as a URL and `e-mail` as one word besides its
 * parts; FTS5 sees only words. The punctuation in `WORD_BREAKS` becomes a
 * space before parsing, so both index the same words.
 */
import { sql } from '../kysely.js';
import type { Db } from '../db.js';
import { checkSearchOptions, documentWriter, MARK_END, MARK_START, prefixLast, rankWindow, searchTable, searchTerms, snippetHtml, type SearchIndex } from '../search.js';

/** `word & word & prefix:*`; words hold only letters and digits, so nothing needs escaping. */
function tsquery(terms: string[]): string {
  const prefix = prefixLast(terms);
  return terms.map((t, i) => (prefix && i === terms.length - 1 ? `${t}:*` : t)).join(' & ');
}

const WORD_BREAKS = `<>/.@:_-+&=?#%~\\|`;
const indexed = (column: string) => `to_tsvector('simple', translate(${column}, '${WORD_BREAKS}', '${' '.repeat(WORD_BREAKS.length - 1)}'))`;

const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=24, MinWords=12, MaxFragments=1, FragmentDelimiter=" … "`;

export async function createPgSearchIndex(db: Db, name: string): Promise<SearchIndex> {
  const table = searchTable(name);
  // The table name is checked above (letters, digits, _), so it can go into the DDL as is.
  await db.exclusive('pm_search_create', (tx) =>
    tx.execScript(`
CREATE TABLE IF NOT EXISTS ${table} (
  id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  site_id TEXT COLLATE "C" NOT NULL DEFAULT '',
  title TEXT COLLATE "C" NOT NULL DEFAULT '',
  body TEXT COLLATE "C" NOT NULL DEFAULT '',
  tsv tsvector GENERATED ALWAYS AS (setweight(${indexed('title')}, 'A') || setweight(${indexed('body')}, 'B')) STORED
);
CREATE INDEX IF NOT EXISTS ${table}_site_id ON ${table} (site_id);
CREATE INDEX IF NOT EXISTS ${table}_tsv ON ${table} USING GIN (tsv);`),
  );
  const t = sql.table(table);

  return {
    name,
    table,
    ...documentWriter(db, table),
    async search(q, opts) {
      const { siteId, limit, offset } = checkSearchOptions(opts);
      const terms = searchTerms(q);
      if (terms.length === 0) return { total: 0, capped: false, hits: [] };
      const query = sql`to_tsquery('simple', ${tsquery(terms)})`;
      const site = siteId === undefined ? sql`` : sql`AND site_id = ${siteId}`;
      // Counted up to one past the window (to tell "more"), ranked within the newest matches (highest ids).
      const window = rankWindow(limit, offset);
      const count = await db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${t} WHERE tsv @@ ${query} ${site} LIMIT ${window + 1}) AS m`);
      const n = Number(count?.n ?? 0);
      if (n === 0) return { total: 0, capped: false, hits: [] };
      const rows = await db.all<{ id: string; score: number; snippet: string }>(
        sql`SELECT id, score, ts_headline('simple', body, q, ${HEADLINE_OPTIONS}) AS snippet
            FROM (SELECT d.id, d.body, q, ts_rank(d.tsv, q) AS score
                  FROM (SELECT id FROM ${t} WHERE tsv @@ ${query} ${site} ORDER BY id DESC LIMIT ${window}) AS w
                  JOIN ${t} d ON d.id = w.id, ${query} AS q
                  ORDER BY score DESC, d.id LIMIT ${limit} OFFSET ${offset}) AS page
            ORDER BY score DESC, id`,
      );
      const hits = rows.map((r) => ({ id: r.id, score: Number(r.score), snippet: snippetHtml(r.snippet) }));
      return { total: Math.min(n, window), capped: n > window, hits };
    },
  };
}
