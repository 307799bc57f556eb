/**
 * The query's words and a snippet the database did not make, as the store shapes them for every
 * caller (the blog's search uses these instead of its own).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { searchTerms, snippetAround } from '../../src/store/search.js';

test('searchTerms: letters and digits, lower-cased; zero-width characters and compatibility forms do not split a word', () => {
  assert.deepEqual(searchTerms('Kiln "NEAR(glaze*'), ['kiln', 'near', 'glaze']);
  assert.deepEqual(searchTerms('pag\u200bemanager'), ['pagemanager']);
  assert.deepEqual(searchTerms('ﬁre'), ['fire']);
  assert.deepEqual(searchTerms('\u200b*""'), []);
  assert.ok(searchTerms('word '.repeat(3000)).length <= 32);
  assert.deepEqual(searchTerms(undefined as unknown as string), []);
});

test('snippetAround: escaped, around the first term, every term marked, the longest first', () => {
  assert.equal(snippetAround('Ash <b>glaze</b> & kiln', ['glaze', 'kiln']), 'Ash &lt;b&gt;<mark>glaze</mark>&lt;/b&gt; &amp; <mark>kiln</mark>');
  assert.equal(snippetAround('category', ['cat', 'category']), '<mark>category</mark>');
  const long = `${'lorem '.repeat(60)}the word kiln here ${'ipsum '.repeat(60)}`;
  const s = snippetAround(long, ['kiln']);
  assert.match(s, /^…lorem .*<mark>kiln<\/mark> here .*ipsum…$/);
  assert.ok(s.length < 260, `${s.length} characters`);
  // The database's marker characters in the text itself mark nothing.
  assert.equal(snippetAround('a\uE000b\uE001c', []), 'abc');
});
