// The page cache's request-path read (`find`) against its LRU: what it answers after writes,
// replacements, deletions, evictions and clearing, and that a page read recently outlives
// one that was not, though `find` tells the LRU of a hit at most once a second.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPageCache, pageKey, type ServablePage } from '../../src/pages/page-cache.js';

const KB = 1024;
const page = (label: string, size: number): ServablePage => ({
  kind: 'html',
  size,
  hidden: false,
  etag: `"${label}"`,
  gz: Buffer.from(label),
  headersHit: [],
  headersMiss: [],
  extraHeaders: {},
});
const etagOf = (p: ServablePage | undefined) => (p?.kind === 'html' ? p.etag : undefined);

describe('page cache: find', () => {
  test('answers what was set, by site, language and path; a replacement, a deletion and clear() are seen at once', () => {
    const c = createPageCache(1);
    c.set(pageKey('s1', '', '/a'), page('a', KB));
    c.set(pageKey('s1', 'fr', '/a'), page('a-fr', KB));
    c.set(pageKey('s2', '', '/a'), page('a-s2', KB));
    assert.equal(etagOf(c.find('s1', '', '/a')), '"a"');
    assert.equal(etagOf(c.find('s1', 'fr', '/a')), '"a-fr"');
    assert.equal(etagOf(c.find('s2', '', '/a')), '"a-s2"');
    assert.equal(c.find('s1', '', '/b'), undefined);
    assert.equal(c.find('s3', '', '/a'), undefined);

    c.set(pageKey('s1', '', '/a'), page('a2', KB));
    assert.equal(etagOf(c.find('s1', '', '/a')), '"a2"');
    c.delete(pageKey('s1', 'fr', '/a'));
    assert.equal(c.find('s1', 'fr', '/a'), undefined);
    assert.equal(etagOf(c.find('s1', '', '/a')), '"a2"', 'the other language of the same path stays');
    c.clear();
    assert.equal(c.find('s1', '', '/a'), undefined);
    assert.equal(c.find('s2', '', '/a'), undefined);
    assert.equal(c.stats().entries, 0);
  });

  test('a path holding a NUL character (a decoded %00) is its own entry', () => {
    const c = createPageCache(1);
    c.set(pageKey('s1', '', '/a\u0000b'), page('nul', KB));
    assert.equal(etagOf(c.find('s1', '', '/a\u0000b')), '"nul"');
    assert.equal(c.find('s1', '', '/a'), undefined);
  });

  test('an evicted page is no longer found, and the page found last is not the one evicted', () => {
    const c = createPageCache(1); // 1 MiB: three pages of 300 KiB fit, a fourth evicts one
    for (const p of ['a', 'b', 'c']) c.set(pageKey('s', '', '/' + p), page(p, 300 * KB));
    // 'a' was written first, but read since: 'b' is now the least recently used.
    assert.ok(c.find('s', '', '/a'));
    c.set(pageKey('s', '', '/d'), page('d', 300 * KB));
    assert.equal(c.find('s', '', '/b'), undefined, 'b was evicted');
    assert.equal(c.get(pageKey('s', '', '/b')), undefined);
    for (const p of ['a', 'c', 'd']) assert.equal(etagOf(c.find('s', '', '/' + p)), `"${p}"`);
    assert.ok(c.stats().bytes <= 1024 * KB);
  });

  test('a page larger than the whole budget is not kept, and the cache of 0 MB finds nothing', () => {
    const c = createPageCache(1);
    c.set(pageKey('s', '', '/big'), page('big', 2048 * KB));
    assert.equal(c.find('s', '', '/big'), undefined);
    const off = createPageCache(0);
    off.set(pageKey('s', '', '/a'), page('a', KB));
    assert.equal(off.find('s', '', '/a'), undefined);
  });
});
