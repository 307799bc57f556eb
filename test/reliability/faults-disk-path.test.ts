/**
 * Fault 11 (hardening issue): the disk-full error a client sees names no absolute path; the
 * path goes to the log (and to the operator's CLI) only. Failed before the fix: the 503 said
 * "the disk holding /tmp/…/pagemanager.db is full". The disk fills up for real here: SQLite's
 * max_page_count stops the database file from growing, which SQLite reports as SQLITE_FULL.
 */
import { sql } from '../../src/store/kysely.js';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { startTestApp } from '../helpers/app.js';

test('a full disk: a 503 that says so, without the path; the log has the path; the stored page is intact', async () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const t = await startTestApp({}, { logger: { level: 'error', stream } });
  try {
    await t.user('root', 'root passphrase', 'superadmin');
    const cookie = await t.login('root', 'root passphrase');
    const csrf = (await t.app.http.inject({ url: '/pm/api/me', headers: { cookie } })).json().csrfToken as string;
    const put = (html: string, accept = 'application/json') =>
      t.app.http.inject({ method: 'PUT', url: '/pm/api/pages?url=/note', headers: { cookie, accept, 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload: JSON.stringify({ html }) });
    assert.equal((await put('<p>first version</p>')).statusCode, 201);

    const pages = (await t.app.db.get<{ page_count: number }>(sql`PRAGMA page_count`))!.page_count;
    await t.app.db.execScript(`PRAGMA max_page_count = ${pages}`);
    const big = `<p>${'second version, much longer than the disk allows. '.repeat(40_000)}</p>`;
    for (const accept of ['application/json', 'text/html']) {
      const res = await put(big, accept);
      assert.equal(res.statusCode, 503, res.body.slice(0, 300));
      assert.match(res.body, /disk\b.*\bfull/);
      assert.ok(!res.body.includes(t.dir), `the client sees the data folder: ${res.body.slice(0, 300)}`);
      assert.doesNotMatch(res.body, /pagemanager\.db|\/tmp\//);
    }
    const logged = lines.join('');
    assert.ok(logged.includes(t.dir), 'the log names the database file');
    await t.app.db.execScript('PRAGMA max_page_count = 1073741823');
    const page = await t.app.http.inject({ url: '/note' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /first version/);
  } finally {
    await t.close();
  }
});
