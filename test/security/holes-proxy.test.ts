/**
 * Hole 5 (hardening issue): `--trust-proxy` believed every X-Forwarded-For entry, so a
 * forged left-most one gave a fresh per-address login budget on every request. Now it takes
 * the number of proxies in front or their addresses, and the client is the address just
 * before the trusted ones. Every case here failed before the fix (trust-proxy was a boolean
 * that trusted all entries).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import type { Plugin } from '../../src/plugins/api.js';
import { startTestApp } from '../helpers/app.js';
import { runCli } from '../cli/cli-helpers.js';

const whoAmI: Plugin = {
  name: 'ip-echo',
  routes(router) {
    router.get('/ip', async (request) => ({ ip: request.pm.ip, secure: request.pm.secure }));
  },
};

const ipOf = async (t: Awaited<ReturnType<typeof startTestApp>>, remoteAddress: string, headers: Record<string, string>) =>
  (await t.app.http.inject({ url: '/ip', remoteAddress, headers })).json() as { ip: string; secure: boolean };

describe('hole 5: --trust-proxy', () => {
  test('behind one proxy that appends to X-Forwarded-For, 24 wrong logins with forged left-most entries meet a 429', async () => {
    // `--trust-proxy` alone (and `true` in config.toml) means one proxy.
    const t = await startTestApp({ trustProxy: true });
    try {
      const visitor = await t.app.http.inject({ url: '/pm/login', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.7' } });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(visitor.body)![1];
      const cookie = String(visitor.headers['set-cookie']).split(';')[0];
      const statuses: number[] = [];
      for (let i = 0; i < 24; i++) {
        const res = await t.app.http.inject({
          method: 'POST',
          url: '/pm/login',
          remoteAddress: '127.0.0.1',
          // The client sends its own forged entry; the proxy appends the address it saw.
          headers: { 'x-forwarded-for': `203.0.113.${i}, 198.51.100.7`, cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrf, username: `guess${i}`, password: 'wrong password' }).toString(),
        });
        statuses.push(res.statusCode);
      }
      assert.ok(statuses.includes(429), `no 429 in ${statuses.join(' ')}`);
      assert.ok(statuses.indexOf(429) <= 21, `the 429 came late: ${statuses.join(' ')}`);
    } finally {
      await t.close();
    }
  });

  test('with N hops the client is the entry just before the N proxies, whatever a client put in front', async () => {
    for (const [setting, remote, xff, want] of [
      [true, '127.0.0.1', '203.0.113.1, 198.51.100.7', '198.51.100.7'],
      ['1', '127.0.0.1', '198.51.100.7', '198.51.100.7'],
      ['2', '10.0.0.9', '203.0.113.1, 198.51.100.7, 10.0.0.3', '198.51.100.7'],
      ['2', '10.0.0.9', '198.51.100.7, 10.0.0.3', '198.51.100.7'],
    ] as const) {
      const t = await startTestApp({ trustProxy: setting }, { extraPlugins: [whoAmI] });
      try {
        assert.equal((await ipOf(t, remote, { 'x-forwarded-for': xff })).ip, want, `${setting} ${xff}`);
      } finally {
        await t.close();
      }
    }
  });

  test('with addresses, only those peers are believed (X-Forwarded-For and -Proto)', async () => {
    const t = await startTestApp({ trustProxy: '10.0.0.2, 192.168.1.0/24' }, { extraPlugins: [whoAmI] });
    try {
      const headers = { 'x-forwarded-for': '203.0.113.1, 198.51.100.7', 'x-forwarded-proto': 'https' };
      assert.deepEqual(await ipOf(t, '10.0.0.2', headers), { ip: '198.51.100.7', secure: true });
      assert.deepEqual(await ipOf(t, '192.168.1.40', headers), { ip: '198.51.100.7', secure: true });
      // A client reaching the port directly is itself, whatever it claims.
      assert.deepEqual(await ipOf(t, '198.51.100.66', headers), { ip: '198.51.100.66', secure: false });
    } finally {
      await t.close();
    }
  });

  test('settings: numbers, addresses, off; anything else is a clear error', () => {
    const cfg = (v: string | boolean | undefined, env: Record<string, string> = {}) => loadConfig({ trustProxy: v, dir: '/tmp/pm-none' }, env).trustProxy;
    assert.equal(cfg(undefined), false);
    assert.equal(cfg(true), 1);
    assert.equal(cfg('true'), 1);
    assert.equal(cfg('off'), false);
    assert.equal(cfg('0'), false);
    assert.equal(cfg('3'), 3);
    assert.equal(cfg(undefined, { PM_TRUST_PROXY: '2' }), 2);
    assert.deepEqual(cfg('10.0.0.2, ::1, 172.16.0.0/12, loopback'), ['10.0.0.2', '::1', '172.16.0.0/12', 'loopback']);
    assert.throws(() => cfg('banana'), /trust-proxy "banana" is neither a number of proxies nor an IP address or range/);
    assert.throws(() => cfg('10.0.0.0/99'), /trust-proxy "10.0.0.0\/99"/);
    assert.throws(() => cfg('100'), /between 0 and 20/);
  });

  test('CLI: --trust-proxy alone, with a number or with addresses; a bad value is one line', async () => {
    // A bad --mode stops the start after the flags were parsed: --trust-proxy alone did not swallow it.
    const alone = await runCli(['serve', '--trust-proxy', '--mode', 'bogus', '--no-open']);
    assert.match(alone.stderr, /unknown mode "bogus"/);
    const bad = await runCli(['serve', '--trust-proxy', 'banana', '--no-open']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    assert.match(bad.stderr, /trust-proxy "banana" is neither/);
    const last = await runCli(['serve', '--mode', 'bogus', '--trust-proxy']);
    assert.match(last.stderr, /unknown mode "bogus"/);
  });
});
