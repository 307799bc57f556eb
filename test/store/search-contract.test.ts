/**
 * Full-text search: one contract, run on every dialect (FTS5 on SQLite,
 * tsvector + GIN on PostgreSQL), so the blog gets the same answers on both.
 */
import assert from 'node:assert/strict';
import { sql } from '../../src/store/kysely.js';
import { RANK_WINDOW, type SearchIndex } from '../../src/store/search.js';
import { forEachDialect } from '../helpers/dialects.js';

const DOCS = [
  { id: 'p1', siteId: 's1', title: 'Kysely migrations', body: 'How the schema builder writes tables and indexes for both databases.' },
  { id: 'p2', siteId: 's1', title: 'Caching pages', body: 'The page cache keeps gzipped pages; migrations are mentioned once here.' },
  { id: 'p3', siteId: 's1', title: 'Unrelated', body: 'Nothing about the topic, only <script>alert(1)</script> & friends.' },
  { id: 'p4', siteId: 's2', title: 'Migrations elsewhere', body: 'Another site also writes about migrations and migrations again.' },
  { id: 'p5', siteId: 's1', title: 'Pagemanager', body: 'The program pagemanager serves pages from memory.' },
  { id: 'p6', siteId: 's1', title: 'Contact', body: 'Write to ada@example.org or see https://docs.example.org/e-mail.' },
];

async function seeded(db: { createSearchIndex(name: string): Promise<SearchIndex> }): Promise<SearchIndex> {
  const index = await db.createSearchIndex('contract');
  for (const d of DOCS) await index.index(d);
  return index;
}

forEachDialect('search: ids in rank order, a title match first, the total, a highlighted and escaped snippet', async ({ db }) => {
  const index = await seeded(db);
  assert.equal(index.table, 'pm_search_contract');
  const r = await index.search('migrations', { siteId: 's1' });
  assert.equal(r.total, 2);
  assert.deepEqual(r.hits.map((h) => h.id), ['p1', 'p2'], 'the title match ranks above a body mention');
  assert.ok(r.hits[0]!.score >= r.hits[1]!.score);
  assert.match(r.hits[1]!.snippet, /<mark>migrations<\/mark>/i);
  const all = await index.search('MIGRATIONS');
  assert.deepEqual(all.hits.map((h) => h.id).sort(), ['p1', 'p2', 'p4'], 'without siteId every site is searched; case does not matter');
  const script = await index.search('script alert', { siteId: 's1' });
  assert.deepEqual(script.hits.map((h) => h.id), ['p3']);
  assert.doesNotMatch(script.hits[0]!.snippet, /<script>/, 'the snippet is escaped HTML');
  assert.match(script.hits[0]!.snippet, /alert/);
  const mail = await index.search('example', { siteId: 's1' });
  assert.deepEqual(mail.hits.map((h) => h.id), ['p6'], 'words inside an address or a path are words on both databases');
});

forEachDialect('search: every word must match, the last also as a prefix; punctuation and operators cannot break a query', async ({ db }) => {
  const index = await seeded(db);
  assert.deepEqual((await index.search('schema builder', { siteId: 's1' })).hits.map((h) => h.id), ['p1']);
  assert.deepEqual((await index.search('schema cache', { siteId: 's1' })).hits, [], 'both words must be in one document');
  assert.deepEqual((await index.search('pagem', { siteId: 's1' })).hits.map((h) => h.id), ['p5'], 'the last word matches as a prefix');
  for (const q of ['"', "'; DROP TABLE x; --", 'a AND OR NOT (', '*:&|!', 'NEAR(x y)', '', '   ']) {
    const r = await index.search(q, { siteId: 's1' });
    assert.ok(Array.isArray(r.hits), `"${q}" gives an answer, not an error`);
  }
  assert.deepEqual(await index.search('', { siteId: 's1' }), { total: 0, capped: false, hits: [] });
  // A one-letter last word is a word, not the prefix of most of the vocabulary.
  assert.deepEqual((await index.search('schema b', { siteId: 's1' })).hits, []);
  assert.deepEqual((await index.search('schema bu', { siteId: 's1' })).hits.map((h) => h.id), ['p1']);
});

forEachDialect('search: paging with limit and offset; bad paging is refused', async ({ db }) => {
  const index = await db.createSearchIndex('paging');
  for (let i = 0; i < 7; i++) await index.index({ id: `d${i}`, title: `note ${i}`, body: 'same words in every note' });
  const first = await index.search('note', { limit: 3, offset: 0 });
  const second = await index.search('note', { limit: 3, offset: 3 });
  const third = await index.search('note', { limit: 3, offset: 6 });
  assert.equal(first.total, 7);
  assert.equal(first.capped, false);
  assert.deepEqual([first.hits.length, second.hits.length, third.hits.length], [3, 3, 1]);
  assert.equal(new Set([...first.hits, ...second.hits, ...third.hits].map((h) => h.id)).size, 7, 'pages do not overlap');
  await assert.rejects(index.search('note', { limit: 0 }), /limit/);
  await assert.rejects(index.search('note', { limit: 101 }), /limit/);
  await assert.rejects(index.search('note', { offset: -1 }), /offset/);
});

forEachDialect('search: index() replaces a document, remove() deletes it, in a transaction too; the index survives being created again', async ({ db }) => {
  const index = await seeded(db);
  await index.index({ id: 'p1', siteId: 's1', title: 'Renamed', body: 'now about gardening' });
  assert.deepEqual((await index.search('kysely', { siteId: 's1' })).hits, []);
  assert.deepEqual((await index.search('gardening')).hits.map((h) => h.id), ['p1']);
  assert.equal(await index.remove('p1'), true);
  assert.equal(await index.remove('p1'), false);
  assert.deepEqual((await index.search('gardening')).hits, []);
  await assert.rejects(
    db.transaction(async (tx) => {
      await index.index({ id: 'p9', body: 'rolled back words' }, tx);
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.deepEqual((await index.search('rolled')).hits, [], 'a rolled-back transaction indexed nothing');
  const again = await db.createSearchIndex('contract');
  assert.deepEqual((await again.search('caching')).hits.map((h) => h.id), ['p2'], 'creating it again keeps the documents');
  const rows = await db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM pm_search_contract`);
  assert.equal(Number(rows[0]!.n), DOCS.length - 1, 'p1 was removed');
  await assert.rejects(db.createSearchIndex('Bad Name'), /lower-case letters/);
  await assert.rejects(index.index({ id: '', body: 'x' }), /needs an id/);
});

forEachDialect('search: with more matches than RANK_WINDOW, the newest are ranked and counted, and the answer says there are more', async ({ db }) => {
  const index = await db.createSearchIndex('window');
  const n = RANK_WINDOW + 20;
  const id = (i: number) => `d${String(i).padStart(4, '0')}`;
  await db.transaction(async (tx) => {
    // The oldest document has the word in its title: it would rank first, but it is outside the window.
    for (let i = 0; i < n; i++) await index.index({ id: id(i), siteId: 's', title: i === 0 || i === n - 5 ? 'common ground' : `note ${i}`, body: 'a common word in every note' }, tx);
    await index.index({ id: 'x0001', siteId: 'other', title: 'common', body: 'another site' }, tx);
  });
  const r = await index.search('common', { siteId: 's', limit: 5 });
  assert.equal(r.total, RANK_WINDOW);
  assert.equal(r.capped, true);
  assert.equal(r.hits[0]!.id, id(n - 5), 'the title match among the newest ranks first');
  assert.ok(!r.hits.some((h) => h.id === id(0) || h.id === 'x0001'));
  // A page beyond the window widens it.
  const far = await index.search('common', { siteId: 's', limit: 10, offset: n - 10 });
  assert.equal(far.hits.length, 10);
  assert.equal(far.total, n);
  assert.equal(far.capped, false);
  const few = await index.search('ground', { siteId: 's' });
  assert.deepEqual([few.total, few.capped, few.hits.length], [2, false, 2]);
});

forEachDialect('search: an SQLite index made before the prefix indexes is rebuilt with them, documents kept', async ({ db }) => {
  if (db.dialect.name !== 'sqlite') return;
  const index = await seeded(db);
  // The FTS table as it was created before: no prefix option.
  await db.execScript(`DROP TABLE pm_search_contract_fts;
CREATE VIRTUAL TABLE pm_search_contract_fts USING fts5(title, body, content='pm_search_contract', content_rowid='doc_id', tokenize='unicode61 remove_diacritics 0');
INSERT INTO pm_search_contract_fts (pm_search_contract_fts) VALUES ('rebuild');`);
  assert.deepEqual((await index.search('pagem', { siteId: 's1' })).hits.map((h) => h.id), ['p5']);
  const again = await db.createSearchIndex('contract');
  const [row] = await db.all<{ sql: string }>(sql`SELECT sql FROM sqlite_master WHERE name = 'pm_search_contract_fts'`);
  assert.match(row!.sql, /prefix='2 3 4'/);
  assert.deepEqual((await again.search('pagem', { siteId: 's1' })).hits.map((h) => h.id), ['p5']);
  assert.deepEqual((await again.search('migrations', { siteId: 's1' })).hits.map((h) => h.id), ['p1', 'p2']);
});
