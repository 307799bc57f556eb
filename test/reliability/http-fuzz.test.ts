/**
 * A fuzz run of raw HTTP requests over real sockets against a real
 * `pagemanager serve` (offline mode, so the requests reach the dashboard and
 * the API as the superadmin): random methods, paths (the app's own routes
 * mangled with `..`, %-garbage, unicode, control characters, huge ones),
 * hosts, cookies, CSRF and API tokens (some valid), bodies and content types.
 * Every request gets an answer (no dropped connection), no answer is a 5xx,
 * and the server is alive at the end. Seeded (PM_TEST_SEED) so a failure can
 * be replayed; each failure prints the request that caused it.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { tempDir, mapLimit } from '../cli/cli-helpers.js';
import { startTestApp } from '../helpers/app.js';
import { routesOf } from '../security/csrf-route-list.js';
import { apiToken, call, putPage, seeded, serve } from './real-server.js';

const REQUESTS = Number(process.env.PM_FUZZ_REQUESTS ?? 4000);
const SEED = Number(process.env.PM_TEST_SEED ?? 20261202);
const CONCURRENCY = 12;

interface Outcome {
  statuses: number[];
  error?: string;
}

/** Writes the bytes, reads until the server closes; the status line of each response. */
function exchange(port: number, bytes: Buffer, timeoutMs = 20_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = connect({ host: '127.0.0.1', port });
    const done = (error?: string) => {
      clearTimeout(timer);
      s.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ statuses: [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1])), error });
    };
    const timer = setTimeout(() => done('no end within the timeout'), timeoutMs);
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => done());
    s.on('error', (e: NodeJS.ErrnoException) => done(chunks.length ? undefined : `socket error ${e.code ?? e.message}`));
    s.write(bytes);
  });
}

test('fuzzed raw HTTP requests: every one answered, none with a 5xx, the server alive', { timeout: 300_000 }, async (t) => {
  const rnd = seeded(SEED);
  // The routes to mangle, from the app itself (an in-process copy: the same code as the process below).
  const probe = await startTestApp({ mode: 'offline' });
  // Not /pm/stop: with the valid CSRF token some requests carry, stopping is what it should do.
  const known = routesOf(probe.app.http.fastify, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).filter((r) => r.url !== '/pm/stop');
  await probe.close();

  const dir = tempDir(t, 'pm-fuzz-');
  const server = await serve(dir, { t });
  const token = await apiToken(server.base);
  const csrf = JSON.parse((await call(server.base, 'GET', '/pm/api/me')).body).csrfToken as string;
  for (const p of ['/about', '/blog/a-post', '/café', '/docs/a/b/c']) assert.equal((await putPage(server.base, token, p, `<h1>${p}</h1>`)).status, 201);
  const port = server.port;

  const unicode = ['é', '日本', '😀', '\u202e', '\u0000', '\uffff', 'ß', '\ud800', 'İ', '∕'];
  const segments = ['..', '.', '%2e%2e', '%2E%2E%2F', '%', '%z', '%zz', '%00', '%c0%af', '%ff', '%e2%80%ae', '~x', '~', 'pm', 'pm-themes', 'pm-uploads', 'fr', 'de-ch', 'api', '*', ';', ',', '@', ':', 'a b', '"', '<script>', "'", '\\', '//', ''];
  const mangle = (url: string) => {
    const parts = url.replace(/:(\w+)/g, () => rnd.pick(['x', '01ARZ3NDEKTSV4RRFFQ69G5FAV', '..', '%00', '0', '-1', '9'.repeat(30)])).split('/');
    const n = rnd.int(0, 3);
    for (let i = 0; i < n; i++) {
      const at = rnd.int(0, parts.length);
      const raw = rnd.chance(0.3) ? rnd.pick(unicode) : rnd.pick(segments);
      // Mostly percent-encoded, so the request passes Node's parser and reaches the app; sometimes raw.
      let seg = raw;
      try {
        if (!rnd.chance(0.2) && !/^[\w.~%-]*$/.test(raw)) seg = encodeURIComponent(raw).replace(/%25/g, '%');
      } catch {
        // A lone surrogate cannot be encoded: it goes raw.
      }
      parts.splice(at, rnd.chance(0.3) ? 1 : 0, seg);
    }
    let path = parts.join('/');
    if (!path.startsWith('/') && rnd.chance(0.8)) path = '/' + path;
    if (rnd.chance(0.03)) path += '/' + 'a'.repeat(rnd.pick([300, 5000, 70_000]));
    if (rnd.chance(0.4)) path += '?' + rnd.pick(['url=/x', 'url=' + rnd.pick(segments), 'url=%', 'path=/about', 'next=//evil.example', 'next=/%E2%88%95x', 'q=' + rnd.pick(unicode), 'lang=fr', 'langcode=zz', 'limit=-1', 'offset=1e309', 'user=x', 'menu=footer', 'v=1', 'a=1&a=2', 'url=/about&url=/x', '=&&=']);
    if (rnd.chance(0.05)) path = rnd.pick(['*', 'http://evil.example/pm/', 'http://127.0.0.1:' + port + '/pm/api/me', '', ' ', '/pm/api/me#frag']);
    return path;
  };
  const hosts = [`127.0.0.1:${port}`, `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'evil.example', '', '127.0.0.1:99999', 'localhost.evil.example', 'ß.example', 'a'.repeat(300), '127.0.0.1:' + port + ', evil.example', '[::1', '@'];
  const methods = ['GET', 'GET', 'GET', 'HEAD', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'CONNECT', 'get', 'FOO', 'M-SEARCH'];
  const contentTypes = ['application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'multipart/form-data', 'text/plain', 'application/xml', 'application/vnd.api+json', '', 'garbage', 'application/json; charset=klingon', '*/*'];
  const bodyOf = (type: string): Buffer => {
    const kind = rnd.int(0, 9);
    if (kind === 0) return Buffer.alloc(0);
    if (kind === 1) return Buffer.from(Array.from({ length: rnd.int(1, 3000) }, () => rnd.int(0, 255)));
    if (kind === 2) return Buffer.from(rnd.pick(['{', '[]', 'null', '"x"', '{"html":1}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}', '1e999', '{"html":"' + 'x'.repeat(rnd.int(0, 2_000_000)) + '"}']));
    if (kind === 3) return Buffer.from(`_csrf=${rnd.chance(0.5) ? csrf : 'x'}&${rnd.pick(['title=x', 'userId=x', 'path=/about', 'path=..', 'items[0][label]=x&items[99999][url]=y', 'a[b][c][d][e]=1', 'role=superadmin', 'to=/x', '=', '&&&', '%', 'x=%zz'])}`);
    if (kind === 4 && type.startsWith('multipart')) return Buffer.from(`--xyz\r\nContent-Disposition: form-data; name="file"; filename="${rnd.pick(['a.png', '../../etc/passwd', '', '\u0000'])}"\r\nContent-Type: image/png\r\n\r\n\x89PNG garbage\r\n${rnd.chance(0.5) ? '--xyz--\r\n' : ''}`);
    if (kind === 5) return Buffer.from(JSON.stringify({ html: '<p>' + rnd.pick(unicode) + '</p>', target: rnd.pick(['/x', 'javascript:alert(1)', '//evil', '/∕x']), title: rnd.pick(unicode), name: 'x', role: rnd.pick(['editor', 'superadmin', 'god']), themeId: rnd.pick(['daybreak', '..', 'nope']), templateName: rnd.pick(['about', '404', '../x']), data: rnd.pick([{}, null, [], { title: 1 }]) }));
    return Buffer.from(JSON.stringify({ [rnd.pick(['html', 'title', 'x', '_csrf'])]: rnd.pick(['', 'x', 1, null, true, [], {}]) }));
  };

  const request = (): { bytes: Buffer; summary: string } => {
    const route = rnd.pick(known);
    const method = rnd.chance(0.7) ? route.method : rnd.pick(methods);
    let target = mangle(route.url);
    if (/^\/+pm\/+stop\b/i.test(target)) target = '/pm/stopp';
    const type = rnd.pick(contentTypes);
    const body = ['GET', 'HEAD'].includes(method) && rnd.chance(0.8) ? Buffer.alloc(0) : bodyOf(type);
    const headers: string[] = [];
    if (rnd.chance(0.97)) headers.push(`Host: ${rnd.chance(0.75) ? `127.0.0.1:${port}` : rnd.pick(hosts)}`);
    headers.push('Connection: close');
    if (body.length || rnd.chance(0.2)) {
      if (rnd.chance(0.85)) headers.push(`Content-Type: ${type}`);
    }
    const chunked = body.length > 0 && rnd.chance(0.15);
    if (chunked) headers.push('Transfer-Encoding: chunked');
    else if (body.length || rnd.chance(0.1)) headers.push(`Content-Length: ${body.length}`);
    if (rnd.chance(0.3)) headers.push(`Cookie: ${rnd.pick(['pm_session_x=garbage', 'pm_csrf=' + 'a'.repeat(rnd.int(0, 100)), '=;=;', 'pm_session_' + 'z'.repeat(40) + '=' + '%'.repeat(10), 'a=' + 'b'.repeat(rnd.pick([10, 4000, 20_000])), 'pm_flash=' + rnd.pick(['x', '%7B', 'eyJ9']), 'pm_session_01ARZ3NDEKTSV4RRFFQ69G5FAV=x.y.z'])}`);
    if (rnd.chance(0.3)) headers.push(`X-CSRF-Token: ${rnd.chance(0.6) ? csrf : rnd.pick(['', 'x', csrf + 'x', '\u00ff'])}`);
    if (rnd.chance(0.15)) headers.push(`Authorization: ${rnd.pick([`Bearer ${token}`, `Bearer ${token}`, 'Bearer ', 'Bearer pm_x', 'Basic YTpi', 'Bearer ' + 'x'.repeat(5000)])}`);
    if (rnd.chance(0.3)) headers.push(`Accept-Encoding: ${rnd.pick(['gzip', 'br', 'gzip, deflate, br', 'identity', '*', 'gzip;q=0', 'x'])}`);
    if (rnd.chance(0.3)) headers.push(`Accept: ${rnd.pick(['application/json', 'text/html', '*/*', '', 'application/json;q=0'])}`);
    if (rnd.chance(0.15)) headers.push(`Origin: ${rnd.pick(['http://evil.example', 'null', `http://127.0.0.1:${port}`, 'x'])}`);
    if (rnd.chance(0.1)) headers.push(`Range: ${rnd.pick(['bytes=0-10', 'bytes=-5', 'bytes=10-5', 'bytes=0-0,1-1,2-2', 'lines=1'])}`);
    if (rnd.chance(0.1)) headers.push(`If-None-Match: ${rnd.pick(['*', '"x"', 'W/"y"', ''])}`);
    if (rnd.chance(0.1)) headers.push(`X-Forwarded-For: ${rnd.pick(['1.2.3.4', 'x', '1.1.1.1, 2.2.2.2'])}`);
    if (rnd.chance(0.03)) headers.push(rnd.pick(['Upgrade: websocket', 'Upgrade: h2c', 'Connection: Upgrade', 'Expect: 100-continue', 'Expect: nonsense']));
    if (rnd.chance(0.05)) headers.push(`X-Garbage: ${'\u00e9'.repeat(rnd.int(1, 50))}`);
    const head = Buffer.from(`${method} ${target} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`, rnd.chance(0.8) ? 'utf8' : 'latin1');
    const payload = chunked ? Buffer.concat([Buffer.from(body.length.toString(16) + '\r\n'), body, Buffer.from('\r\n0\r\n\r\n')]) : body;
    const summary = `${method} ${JSON.stringify(target.slice(0, 200))} [${headers.filter((h) => !/^Connection/.test(h)).map((h) => h.slice(0, 60)).join(' | ')}] body ${body.length} B ${JSON.stringify(body.subarray(0, 80).toString('latin1'))}`;
    return { bytes: Buffer.concat([head, payload]), summary };
  };

  // Generate every request first (the seed alone decides them), then send them.
  const requests = Array.from({ length: REQUESTS }, request);
  // Found by this run: Node drops a CONNECT unanswered unless the server listens for it; it is a 405 now.
  const connectTo = await exchange(port, Buffer.from(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
  assert.deepEqual(connectTo.statuses, [405]);
  const problems: string[] = [];
  const byStatus: Record<number, number> = {};
  const started = Date.now();
  await mapLimit(requests, CONCURRENCY, async (r) => {
    const o = await exchange(port, r.bytes);
    for (const s of o.statuses) byStatus[s] = (byStatus[s] ?? 0) + 1;
    if (o.error || !o.statuses.length) problems.push(`no answer (${o.error ?? 'closed without a response'}): ${r.summary}`);
    else if (o.statuses.some((s) => s >= 500)) problems.push(`${o.statuses.join(',')}: ${r.summary}`);
  });
  const secs = (Date.now() - started) / 1000;
  console.log(`# fuzz: ${REQUESTS} requests in ${secs.toFixed(1)} s (seed ${SEED}); answers by status ${JSON.stringify(byStatus)}`);

  assert.equal(server.child.exitCode, null, `the server exited: ${server.stderr().slice(-2000)}`);
  assert.equal((await call(server.base, 'GET', '/pm/health')).status, 200);
  assert.equal((await call(server.base, 'GET', '/about')).body, '<h1>/about</h1>', 'a stored page is still served');
  assert.deepEqual(problems.slice(0, 25), [], `${problems.length} of ${REQUESTS} requests failed (seed ${SEED})`);
  const stopped = await server.stop();
  assert.equal(stopped.code, 0);
});
