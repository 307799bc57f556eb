import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';

// Found by the HTTP fuzz run: ?offset=1e309 reached SQL as Infinity and answered 500.
let t: TestApp;
before(async () => {
  t = await startTestApp({ mode: 'offline' });
});
after(() => t.close());

test('the media list refuses paging numbers that are not whole numbers in range, with a 400 naming the parameter', async () => {
  for (const [q, name] of [['offset=1e309', 'offset'], ['offset=-1', 'offset'], ['offset=1.5', 'offset'], ['limit=1e309', 'limit'], ['limit=0', 'limit'], ['limit=abc', 'limit']]) {
    const r = await t.app.http.inject({ url: `/pm/api/media?${q}`, headers: { host: '127.0.0.1' } });
    assert.equal(r.statusCode, 400, `${q}: ${r.body}`);
    assert.equal(r.json().code, 'PM_ERR_BAD_REQUEST');
    assert.match(r.json().message, new RegExp(`\\?${name}= must be a whole number`));
  }
  const ok = await t.app.http.inject({ url: '/pm/api/media?offset=0&limit=10', headers: { host: '127.0.0.1' } });
  assert.equal(ok.statusCode, 200);
  for (const page of ['1e309', '-3', 'x', '999999999']) {
    const r = await t.app.http.inject({ url: `/pm/media?page=${page}`, headers: { host: '127.0.0.1' } });
    assert.equal(r.statusCode, 200, `page=${page}`);
  }
});
