/**
 * A bounded comment flood against a real `pagemanager serve` (scripts/flood-comments.ts, smaller):
 * a few hundred comments through the two-step form from many addresses (X-Forwarded-For behind
 * --trust-proxy 127.0.0.1), honouring the dwell time, while a reader loads the post and another
 * stored page. Once on rate, once on size: the shut-off happens, nothing is stored after the
 * first "closed for a while" answer, every row stored was answered as stored, every page read
 * answered 200, and the comments' bytes stay within the cap. No timing is asserted. SQLite, and
 * PostgreSQL (a new database per round) when PM_TEST_POSTGRES_URL is set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printReport, runFlood, type FloodReport } from '../../scripts/flood-comments.js';
import { DIALECTS } from '../helpers/dialects.js';

const base = { comments: 200, concurrency: 16, minDwellSeconds: 1, perIpPerHour: 6, quietMs: 500, shutoffMax: 60, capBytes: 32 * 1024 };

function common(f: FloodReport): void {
  const lines: string[] = [];
  printReport(f, (l) => lines.push(l));
  const told = lines.join('\n');
  assert.ok(f.db.closed, `commenting shut off\n${told}`);
  assert.equal(f.db.closedReason, f.round, told);
  assert.ok((f.refusals['503 PM_ERR_COMMENT_SHUT_OFF'] ?? 0) > 0, told);
  assert.equal(f.acceptedAfterShutOff, 0, `nothing stored after the shut-off\n${told}`);
  assert.equal(f.db.comments, f.accepted, `every stored comment was answered as stored\n${told}`);
  assert.equal(f.accepted + Object.values(f.refusals).reduce((n, v) => n + v, 0), f.attempted, told);
  assert.equal(f.db.replies, 0, `each visitor used the page's own form, not a Reply form\n${told}`);
  assert.deepEqual(f.badReads, [], `every page read answered 200\n${told}`);
  const during = (['tokens', 'flood'] as const).reduce((n, p) => n + f.latency.post[p].reads + f.latency.other[p].reads, 0);
  assert.ok(during > 0, `pages were read during the flood\n${told}`);
  assert.equal(f.db.counterBytes, f.db.sizeBytes, `the byte counter is the sum of the comments' sizes\n${told}`);
}

for (const d of DIALECTS) {
  const postgres = d.name === 'postgres' ? process.env.PM_TEST_POSTGRES_URL : undefined;

  test(`a comment flood shuts commenting off on rate; pages keep answering [${d.name}]`, { skip: d.skip, timeout: 120_000 }, async () => {
    const f = await runFlood({ ...base, round: 'rate', postgres });
    common(f);
    // Exactly: the rate is counted again inside the insert's transaction, with the site's row locked.
    assert.equal(f.db.comments, base.shutoffMax, `${f.db.comments} stored for shutoff_max ${base.shutoffMax}`);
  });

  test(`a comment flood shuts commenting off on size; the database stays under the cap [${d.name}]`, { skip: d.skip, timeout: 120_000 }, async () => {
    const f = await runFlood({ ...base, round: 'size', postgres });
    common(f);
    assert.ok(f.db.counterBytes <= base.capBytes, `${f.db.counterBytes} B stored, cap ${base.capBytes}`);
    assert.ok(f.db.sizeBytes <= base.capBytes + f.db.largestComment);
    assert.ok(f.db.counterBytes > base.capBytes - 2 * f.db.largestComment, 'it closed at the cap, not long before');
  });
}
