/**
 * PostgreSQL outages as another instance sees them (issue 17, faults 6 and 7),
 * through a TCP proxy the test controls:
 * - after the server comes back, an instance does not serve a stale page
 *   while its LISTEN connection is still away, and LISTEN is back promptly;
 * - a server that accepts but never answers ends requests in a clear 503
 *   within seconds, while cached pages keep answering.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { POSTGRES_URL } from '../helpers/dialects.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const skip = !POSTGRES_URL && 'PM_TEST_POSTGRES_URL is not set; set it to run the PostgreSQL outage tests';

async function bodyOf(t: TestApp, url: string): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  const r = await t.app.http.inject({ url, headers: { accept: 'application/json' } });
  return { status: r.statusCode, body: r.body, ms: performance.now() - started };
}

async function until(what: string, check: () => boolean, ms: number): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(2);
  }
  return performance.now() - started;
}

describe('two instances, the second behind a proxy that goes down and comes back (fault 6)', { skip }, () => {
  let a: TestApp;
  let b: TestApp;
  let proxy: TcpProxy;
  before(async () => {
    const target = new URL(POSTGRES_URL!);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    a = await startTestApp({}, { dialect: 'postgres' });
    b = await startTestApp({ dsn: proxy.urlFor(POSTGRES_URL!) }, { dialect: 'postgres', dbSchema: a.schema });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await proxy?.close();
  });

  test('during the outage B answers its cached page; after it, B never serves the old page and LISTEN is back within a second', async (t) => {
    await a.app.pages.set(a.siteId, '', '/news', '<p>version 1</p>');
    // The first read may race A's notification (then it is not cached, rightly): read until B has it cached.
    await until('B caches the page', () => b.app.pages.peek(b.siteId, '', '/news') !== undefined, 2000).catch(() => {});
    for (let i = 0; i < 3 && !b.app.pages.peek(b.siteId, '', '/news'); i++) {
      assert.match((await bodyOf(b, '/news')).body, /version 1/);
      await sleep(50);
    }
    assert.ok(b.app.pages.peek(b.siteId, '', '/news'), 'B cached the page');

    proxy.set('down');
    await until('B notices the LISTEN connection is gone', () => !b.app.db.isListening(), 2000);
    const during = await bodyOf(b, '/news');
    assert.equal(during.status, 200, 'the database cannot be reached, so nobody can change the page: the cache answers');
    assert.match(during.body, /version 1/);
    // Long enough for the old backoff (100 ms doubling to 5 s) to have grown to seconds.
    await sleep(3000);

    proxy.set('pass');
    await a.app.pages.set(a.siteId, '', '/news', '<p>version 2</p>');
    const writtenAt = performance.now();
    const seen: string[] = [];
    let freshAt: number | undefined;
    while (performance.now() - writtenAt < 3000) {
      const r = await bodyOf(b, '/news');
      seen.push(/version (\d)/.exec(r.body)?.[1] ?? `${r.status}`);
      if (/version 2/.test(r.body)) {
        freshAt ??= performance.now();
        if (b.app.db.isListening()) break;
      }
      await sleep(5);
    }
    const listenBack = await until('B listens again', () => b.app.db.isListening(), 3000);
    t.diagnostic(`stale window after the server came back: ${freshAt === undefined ? 'never fresh' : `${(freshAt - writtenAt).toFixed(0)} ms`}; answers: ${seen.slice(0, 12).join(',')}…; LISTEN back ${listenBack.toFixed(0)} ms after that`);
    assert.ok(!seen.includes('1'), `B served the old page after the write: ${seen.join(',')}`);
    assert.equal(seen[0], '2', 'the first answer after the write is already the new page');

    // Back to normal: a write on A reaches B's cache through NOTIFY.
    assert.match((await bodyOf(b, '/news')).body, /version 2/);
    await a.app.pages.set(a.siteId, '', '/news', '<p>version 3</p>');
    await until('B hears of version 3', () => b.app.pages.peek(b.siteId, '', '/news') === undefined, 2000).catch(() => {});
    assert.match((await bodyOf(b, '/news')).body, /version 3/);
  });
});

describe('a server that accepts connections but never answers (fault 7)', { skip }, () => {
  let t: TestApp;
  let proxy: TcpProxy;
  before(async () => {
    const target = new URL(POSTGRES_URL!);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    t = await startTestApp({ dsn: proxy.urlFor(POSTGRES_URL!) }, { dialect: 'postgres' });
  });
  after(async () => {
    proxy?.set('pass');
    await t?.close();
    await proxy?.close();
  });

  test('requests that need the database end in 503 within a few seconds, more of them than the pool holds; cached pages keep answering', async (tc) => {
    await t.app.pages.set(t.siteId, '', '/cached', '<p>cached page</p>');
    assert.equal((await bodyOf(t, '/cached')).status, 200);

    proxy.set('stall');
    const cached = await bodyOf(t, '/cached');
    assert.equal(cached.status, 200);
    assert.ok(cached.ms < 500, `the cached page took ${cached.ms} ms`);

    // 15 requests for pages that are not cached, more than the pool's 10 connections.
    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) => bodyOf(t, `/not-cached-${i}`)));
    const slowest = Math.max(...answers.map((r) => r.ms));
    tc.diagnostic(`while PostgreSQL did not answer: slowest ${slowest.toFixed(0)} ms, fastest ${Math.min(...answers.map((r) => r.ms)).toFixed(0)} ms over ${answers.length} requests`);
    for (const r of answers) {
      assert.equal(r.status, 503, r.body);
      assert.equal(JSON.parse(r.body).code, 'PM_ERR_DB_UNAVAILABLE');
      assert.match(JSON.parse(r.body).message, /no answer from 127\.0\.0\.1:\d+ in time/);
    }
    assert.ok(slowest < 7000, `the slowest answer took ${slowest} ms`);
    const again = await bodyOf(t, '/cached');
    assert.equal(again.status, 200, 'the cached page still answers after the pool was exhausted');

    proxy.set('pass');
    const back = await bodyOf(t, '/not-cached-again');
    assert.equal(back.status, 404, `once the server answers, requests work again: ${back.body}`);
  });
});
