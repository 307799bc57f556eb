/**
 * Full-text search on SQLite: the documents in `pm_search_{name}`, an FTS5
 * index over them in `pm_search_{name}_fts` (external content, kept in step
 * by triggers), ranked by bm25 with the title weighing 10 times the body.
 */
import { sql } from '../kysely.js';
import type { Db } from '../db.js';
import { checkSearchOptions, documentWriter, MARK_END, MARK_START, prefixLast, rankWindow, searchDerivedPrefix, searchTable, searchTerms, snippetHtml, type SearchIndex } from '../search.js';

/** `"word" "word" "prefix"*`: every word must match; words hold only letters and digits, so nothing needs escaping. */
function matchExpression(terms: string[]): string {
  const prefix = prefixLast(terms);
  return terms.map((t, i) => `"${t}"${prefix && i === terms.length - 1 ? '*' : ''}`).join(' ');
}

/**
 * Prefix indexes for 2-, 3- and 4-letter prefixes: without them `"ka"*` merges the lists of every
 * word starting with "ka" on each search. Over 100,000 synthetic posts (SQL only, CPU p95): no
 * prefix index 26 ms, '2 3' 14 ms, '2 3 4' 6 ms; the index is ~75 % larger than without.
 */
const FTS_OPTIONS = `tokenize='unicode61 remove_diacritics 0', prefix='2 3 4'`;

export async function createSqliteSearchIndex(db: Db, name: string): Promise<SearchIndex> {
  const table = searchTable(name);
  const fts = searchDerivedPrefix(table);
  // The table name is checked above (letters, digits, _), so it can go into the DDL as is.
  await db.exclusive('pm_search_create', async (tx) => {
    // An index made with other options (before the prefix indexes, say) is rebuilt, from the documents (derived data).
    const old = await tx.get<{ sql: string }>(sql`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ${fts}`);
    if (old && !old.sql.includes(FTS_OPTIONS)) await tx.execScript(`DROP TABLE ${fts};`);
    await tx.execScript(`
CREATE TABLE IF NOT EXISTS ${table} (
  doc_id INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  site_id TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS ${table}_site_id ON ${table} (site_id);
CREATE VIRTUAL TABLE IF NOT EXISTS ${fts} USING fts5(title, body, content='${table}', content_rowid='doc_id', ${FTS_OPTIONS});
CREATE TRIGGER IF NOT EXISTS ${fts}_ai AFTER INSERT ON ${table} BEGIN
  INSERT INTO ${fts} (rowid, title, body) VALUES (new.doc_id, new.title, new.body);
END;
CREATE TRIGGER IF NOT EXISTS ${fts}_ad AFTER DELETE ON ${table} BEGIN
  INSERT INTO ${fts} (${fts}, rowid, title, body) VALUES ('delete', old.doc_id, old.title, old.body);
END;
CREATE TRIGGER IF NOT EXISTS ${fts}_au AFTER UPDATE ON ${table} BEGIN
  INSERT INTO ${fts} (${fts}, rowid, title, body) VALUES ('delete', old.doc_id, old.title, old.body);
  INSERT INTO ${fts} (rowid, title, body) VALUES (new.doc_id, new.title, new.body);
END;`);
    if (old && !old.sql.includes(FTS_OPTIONS)) await tx.execScript(`INSERT INTO ${fts} (${fts}) VALUES ('rebuild');`);
  });
  const t = sql.table(table);
  const f = sql.table(fts);

  return {
    name,
    table,
    ...documentWriter(db, table),
    async search(q, opts) {
      const { siteId, limit, offset } = checkSearchOptions(opts);
      const terms = searchTerms(q);
      if (terms.length === 0) return { total: 0, capped: false, hits: [] };
      const match = matchExpression(terms);
      const site = siteId === undefined ? sql`` : sql`AND d.site_id = ${siteId}`;
      const from = sql`FROM ${f} JOIN ${t} d ON d.doc_id = ${f}.rowid WHERE ${f} MATCH ${match} ${site}`;
      // FTS5 walks matches newest first and stops: the window's oldest document, if there are that many.
      const window = rankWindow(limit, offset);
      // (and whether one more follows it: then the count is capped).
      const [edge, beyond] = await db.all<{ r: number }>(sql`SELECT ${f}.rowid AS r ${from} ORDER BY ${f}.rowid DESC LIMIT 2 OFFSET ${window - 1}`);
      const total = edge ? window : Number((await db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM (SELECT 1 ${from} LIMIT ${window})`))?.n ?? 0);
      if (total === 0) return { total: 0, capped: false, hits: [] };
      const inWindow = edge ? sql`AND ${f}.rowid >= ${edge.r}` : sql``;
      const rows = await db.all<{ id: string; score: number; snippet: string }>(
        sql`SELECT d.id AS id, -bm25(${f}, 10.0, 1.0) AS score, snippet(${f}, 1, ${MARK_START}, ${MARK_END}, '…', 24) AS snippet
            ${from} ${inWindow} ORDER BY score DESC, d.id LIMIT ${limit} OFFSET ${offset}`,
      );
      return { total, capped: beyond !== undefined, hits: rows.map((r) => ({ id: r.id, score: Number(r.score), snippet: snippetHtml(r.snippet) })) };
    },
  };
}
