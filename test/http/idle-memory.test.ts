// The idle collector (src/http/idle-memory.ts): full collections only in quiet spells, at most
// two per spell, none while requests keep arriving.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapSpaceStatistics } from 'node:v8';
import { memoryReducingCollection } from '../../src/pages/page-cache.js';
import { startIdleCollector } from '../../src/http/idle-memory.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a quiet server is collected twice, then left alone until requests come and go again', async () => {
  let requests = 0;
  let collections = 0;
  const c = startIdleCollector({ activity: () => requests, collect: () => collections++, everyMs: 10 });
  try {
    for (let i = 0; i < 200 && collections < 2; i++) await sleep(10);
    assert.equal(collections, 2);
    await sleep(100);
    assert.equal(collections, 2, 'no more than two per quiet spell');

    // A request ends the spell; the next quiet one is collected twice more.
    requests++;
    for (let i = 0; i < 200 && collections < 4; i++) await sleep(10);
    assert.equal(collections, 4);
    await sleep(100);
    assert.equal(collections, 4);
  } finally {
    c.stop();
  }
  const after = collections;
  await sleep(60);
  assert.equal(collections, after, 'stop() ends it');
});

test('a server whose requests come 20 looks apart is never collected: a spell must last 60 looks (a minute) first', async () => {
  let requests = 0;
  let collections = 0;
  const c = startIdleCollector({ activity: () => requests, collect: () => collections++, everyMs: 5 });
  try {
    // A request every 100 ms is one every 20 looks: never a quiet spell of 60.
    for (let i = 0; i < 6; i++) {
      await sleep(100);
      requests++;
    }
    assert.equal(collections, 0);
    // Then quiet: collected once the spell is 60 looks long, and again 6 looks later.
    for (let i = 0; i < 200 && collections < 2; i++) await sleep(10);
    assert.equal(collections, 2);
  } finally {
    c.stop();
  }
});

test('without a collection to run (no --expose-gc to be had) it does nothing', async () => {
  const c = startIdleCollector({ activity: () => 0, collect: null, everyMs: 5 });
  await sleep(30);
  c.stop();
});

test('the collection the idle collector runs gives the young generation back (Node 24); on Node 20 it is a plain full collection', (t) => {
  const collect = memoryReducingCollection();
  assert.ok(collect, 'a full collection can be had (--expose-gc set at run time)');
  const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;
  // Churn enough short-lived objects for V8 to grow the young generation to its largest.
  let keep: object[] = [];
  for (let i = 0; i < 3_000_000; i++) {
    keep.push({ i });
    if (keep.length > 100_000) keep = [];
  }
  keep = [];
  const before = newSpace();
  collect();
  const after = newSpace();
  t.diagnostic(`${process.version}: young generation ${(before / 1048576).toFixed(1)} → ${(after / 1048576).toFixed(1)} MiB`);
  if (Number(process.versions.node.split('.')[0]) >= 24) {
    assert.ok(before > 8 * 1048576, `the churn grew the young generation (${before} bytes)`);
    assert.ok(after <= 4 * 1048576, `one collection shrank it to ${after} bytes`);
  }
});
