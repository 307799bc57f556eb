/**
 * Fault 10 (hardening issue): --cache-mb bounds memory. 20,000 stored pages read at random
 * over HTTP from a real `pagemanager serve --cache-mb 8`, first by clients that accept gzip,
 * then by clients that do not; the server's anonymous RSS must stay within the budget plus a
 * fixed margin. Before the fix it rose ~100 MB here: evicted entries piled up in the old
 * generation until a full collection, and a gunzipped copy of each page read without gzip was
 * kept beside it, uncounted.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { measure, seedPages } from '../../scripts/cache-memory/measure.js';
import { tempDir } from '../cli/cli-helpers.js';

const CACHE_MB = 8;
/**
 * What a busy server costs besides its cache, whatever the budget: V8's young generation alone
 * grows to ~48 MB under load; with the cache off this run measured +16 to +24 MB.
 */
const MARGIN_MB = 56;

test(`RSS stays within --cache-mb ${CACHE_MB} plus ${MARGIN_MB} MB over 20,000 pages, with gzip and identity clients`, { skip: !existsSync('/proc/self/status') && 'needs /proc (Linux)' }, async (t) => {
  const dir = tempDir(t, 'pm-cache-mem-');
  const paths = await seedPages(dir, 20_000);
  const s = await measure(dir, paths, CACHE_MB, 12_000);
  const rise = s.peakAnon - s.baseAnon;
  t.diagnostic(
    `--cache-mb ${CACHE_MB}, 20,000 pages, ${s.requests} requests: anonymous RSS ${s.baseAnon.toFixed(0)} → peak ${s.peakAnon.toFixed(0)} MiB (+${rise.toFixed(0)}); ` +
      `RSS peak ${s.peakRssGzip.toFixed(0)} (gzip) / ${s.peakRssPlain.toFixed(0)} (identity) MiB from ${s.baseRss.toFixed(0)}; ${s.seconds.toFixed(1)} s`,
  );
  assert.ok(rise <= CACHE_MB * 1.25 + MARGIN_MB, `anonymous RSS rose ${rise.toFixed(0)} MiB with a ${CACHE_MB} MiB cache`);
});
