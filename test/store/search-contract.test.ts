/**
 * Full-text search: one contract, run on every dialect (FTS5 on SQLite,
 * tsvector + GIN on PostgreSQL), so the blog gets the same answers on both.
 */
import assert from 'node:assert/strict';
import { sql } from '../../src/store/kysely.js';
import type { SearchIndex } from '../../src/store/search.js';
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
  assert.deepEqual(await index.search('', { siteId: 's1' }), { total: 0, hits: [] });
});

forEachDialect('search: paging with limit and offset; bad paging is refused', async ({ db }) => {
  const index = await db.createSearchIndex('paging');
  for (let i = 0; i < 7; i++) await index.index({ id: `d${i}`, title: `note ${i}`, body: 'same words in every note' });
  const first = await index.search('note', { limit: 3, offset: 0 });
  const second = await index.search('note', { limit: 3, offset: 3 });
  const third = await index.search('note', { limit: 3, offset: 6 });
  assert.equal(first.total, 7);
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
