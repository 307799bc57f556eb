// The spam rules against a corpus of real-looking comments (corpus/ham.json, corpus/spam.json):
// every comment is classified, the confusion table is printed, and the bar is that no reader's
// comment is called spam and at least 90% of the spam is not published.
//
// The corpus was written together with the weights, so these figures flatter the rules; a new
// comment that comes out wrong belongs in the corpus, then a rule or a weight changes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { scoreComment, type CommentCandidate } from '../../pm-plugins/comments/spam-rules.js';

interface Sample extends CommentCandidate {
  siteLanguage: string;
  bodySeenBefore?: boolean;
}

const load = (name: string) => JSON.parse(readFileSync(new URL(`./corpus/${name}.json`, import.meta.url), 'utf8')) as Sample[];
const ham = load('ham');
const spam = load('spam');

function classify(samples: Sample[]) {
  const table = { publish: 0, hold: 0, spam: 0 };
  const results = samples.map((s) => {
    const v = scoreComment(s, { bodySeenBefore: s.bodySeenBefore ?? false, siteLanguage: s.siteLanguage });
    table[v.verdict]++;
    return { s, v };
  });
  return { table, results };
}

test('the corpus: at least 50 ham in several languages and 50 spam', () => {
  assert.ok(ham.length >= 50, `${ham.length} ham`);
  assert.ok(spam.length >= 50, `${spam.length} spam`);
  assert.ok(new Set(ham.map((h) => h.siteLanguage.split('-')[0])).size >= 5, 'ham in at least five site languages');
  assert.equal(new Set(ham.map((h) => h.body)).size, ham.length, 'no ham is there twice');
});

test('classifies the corpus, prints the confusion table and meets the bar', () => {
  const h = classify(ham);
  const s = classify(spam);
  const row = (label: string, t: { publish: number; hold: number; spam: number }, n: number) =>
    `${label.padEnd(6)} ${String(t.publish).padStart(9)} ${String(t.hold).padStart(6)} ${String(t.spam).padStart(6)} ${String(n).padStart(7)}`;
  const lines = [
    'spam-rules confusion table (rows: what it is; columns: what the rules decided)',
    `${''.padEnd(6)} ${'published'.padStart(9)} ${'held'.padStart(6)} ${'spam'.padStart(6)} ${'total'.padStart(7)}`,
    row('ham', h.table, ham.length),
    row('spam', s.table, spam.length),
    '',
    'ham not published:',
    ...h.results.filter((r) => r.v.verdict !== 'publish').map((r) => `  ${r.v.verdict} ${r.v.points}: ${r.s.body.slice(0, 70)}`),
    'spam published:',
    ...s.results.filter((r) => r.v.verdict === 'publish').map((r) => `  ${r.v.points}: ${r.s.body.slice(0, 70)}`),
  ];
  console.log(lines.join('\n'));
  assert.equal(h.table.spam, 0, 'no ham is marked spam');
  assert.ok(h.table.publish / ham.length >= 0.9, 'at least 90% of ham is published');
  assert.ok((s.table.hold + s.table.spam) / spam.length >= 0.9, 'at least 90% of spam is not published');
  assert.ok(s.table.spam / spam.length >= 0.5, 'at least half the spam goes to the spam folder by itself');
});
