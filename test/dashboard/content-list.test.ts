import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decode, startHarness, type Client, type Harness } from './dashboard-harness.js';

const PASSWORD = 'correct horse battery';
const N = 5000;
const rowsOf = (body: string) => [...body.matchAll(/<a class="url" href="[^"]*">([^<]*)<\/a><span class="sub">([^<]*)<\/span>/g)].map((m) => `${decode(m[1])} ${decode(m[2])}`);

describe('the content list with 5,000 pages', () => {
  let h: Harness;
  let ada: Client;

  before(async () => {
    h = await startHarness();
    await h.user('ada', PASSWORD, 'superadmin');
    ada = await h.loggedIn('ada', PASSWORD);
    // Rows straight into the store: the list reads template URLs, so 5,000 renders are not needed to fill it.
    const now = Date.now();
    for (let i = 0; i < N; i++) {
      const n = String(i).padStart(4, '0');
      await h.app.stores.templateUrls.upsert({
        siteId: h.siteId, langcode: '', urlPath: `/p/${n}`, themeId: 'daybreak', templateName: i % 2 ? 'about' : 'gallery',
        data: { title: `Page ${n}`, body: i === 4321 ? 'A glaze called tenmoku oil spot.' : `Words of page ${n}.` }, updatedAt: now + 60_000 - i * 1000,
      });
    }
  });
  after(() => h.close());

  test('paged: 50 a page, with the count of every page and links to the next', async () => {
    const t0 = performance.now();
    const r = await ada.get('/pm/urls');
    const ms = performance.now() - t0;
    console.log(`# the first page of ${N + 1} pages took ${ms.toFixed(0)} ms`);
    assert.equal(r.statusCode, 200);
    assert.equal(rowsOf(r.body).length, 50);
    assert.match(r.body, /Page 1 of 101 · 5001 entries/);
    assert.match(r.body, /Pages <span class="count">5001<\/span>/);
    assert.match(r.body, /href="\/pm\/urls\?page=2" rel="next">Next →/);
    const last = await ada.get('/pm/urls?page=101');
    assert.deepEqual(rowsOf(last.body), ['Welcome /'], 'sorted by title: “Welcome” comes after “Page 4999”');
    assert.match((await ada.get('/pm/urls?page=9999')).body, /Page 101 of 101/, 'a page past the end shows the last');
    assert.match((await ada.get('/pm/urls?page=abc')).body, /Page 1 of 101/);
  });

  test('sortable by title, address, template and last change, both ways', async () => {
    assert.deepEqual(rowsOf((await ada.get('/pm/urls?sort=title&dir=desc')).body).slice(0, 2), ['Welcome /', 'Page 4999 /p/4999']);
    assert.deepEqual(rowsOf((await ada.get('/pm/urls?sort=address&dir=asc')).body).slice(0, 2), ['Welcome /', 'Page 0000 /p/0000']);
    assert.deepEqual(rowsOf((await ada.get('/pm/urls?sort=changed')).body).slice(0, 2), ['Page 0000 /p/0000', 'Page 0001 /p/0001'], 'newest first');
    assert.deepEqual(rowsOf((await ada.get('/pm/urls?sort=changed&dir=asc')).body)[0], 'Page 4999 /p/4999');
    const byTemplate = rowsOf((await ada.get('/pm/urls?sort=template')).body);
    assert.equal(byTemplate[0], 'Page 0001 /p/0001', '“about” before “gallery”');
    const header = (await ada.get('/pm/urls?sort=title')).body;
    assert.match(header, /aria-sort="ascending"><a class="sort" href="\/pm\/urls\?sort=title&amp;dir=desc&amp;page=1"|aria-sort="ascending"><a class="sort" href="\/pm\/urls\?sort=title&amp;dir=desc"/);
  });

  test('searchable by title and by the words on the page, not only the address', async () => {
    assert.deepEqual(rowsOf((await ada.get('/pm/urls?q=tenmoku')).body), ['Page 4321 /p/4321'], 'a word in the text');
    assert.deepEqual(rowsOf((await ada.get('/pm/urls?q=Page%200042')).body), ['Page 0042 /p/0042'], 'the title');
    const many = await ada.get('/pm/urls?q=page%2000');
    assert.match(many.body, /Page 1 of 2 · 100 entries/);
    assert.match(many.body, /href="\/pm\/urls\?q=page\+00&amp;page=2" rel="next"/, 'paging keeps the search');
    assert.match(decode((await ada.get('/pm/urls?q=%3Cscript%3E')).body), /Nothing matches “<script>”/);
    assert.doesNotMatch((await ada.get('/pm/urls?q=%3Cscript%3E')).body, /<script>/, 'the search is escaped');
  });
});
