/**
 * Faults 8 and 9 (hardening issue), through a real process and raw sockets:
 * SIGTERM lets responses in flight reach slow readers in full, then exits 0; a stalled
 * client (half a body, half a header) cannot keep the process from exiting past the
 * shutdown deadline. Both failed before the fix: the readers of a 5 MB page were cut at
 * 4.x MB (Node's close destroys "idle" sockets whose response is still flushing), and the
 * process stayed up as long as the stalled client did.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startServer, tempDir } from '../cli/cli-helpers.js';

const PAGE_BYTES = 5 * 1024 * 1024;

/** DIR/pm-plugins/big: a stored 5 MB page at /big-page, and the same bytes from a route at /big-route. */
function writeBigPlugin(dir: string): void {
  const folder = join(dir, 'pm-plugins', 'big');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(
    join(folder, 'index.js'),
    `const body = '<!doctype html><p>' + 'x'.repeat(${PAGE_BYTES} - 18);
export default {
  name: 'big',
  async init(server) {
    for (const site of server.sites.list()) await server.pages.set(site.siteId, '', '/big-page', body);
  },
  routes(router) {
    router.get('/big-route', async (request, reply) => reply.type('text/html').send(Buffer.from(body)));
  },
};
`,
  );
}

interface Read {
  status: string;
  contentLength: number;
  bodyBytes: number;
  ended: 'end' | 'error' | 'close';
}

/** GET over a raw socket, read at about `bytesPerSec`; resolves when the server closes or ends the body. */
function slowGet(port: number, path: string, bytesPerSec: number, onFirstBytes: () => void): Promise<Read> {
  return new Promise((resolve) => {
    const s: Socket = connect(port, '127.0.0.1');
    s.setNoDelay(true);
    s.on('connect', () => s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`));
    let head = Buffer.alloc(0);
    let headDone = false;
    let status = '';
    let contentLength = -1;
    let bodyBytes = 0;
    let first = true;
    const finish = (ended: Read['ended']) => {
      s.destroy();
      resolve({ status, contentLength, bodyBytes, ended });
    };
    s.on('data', (chunk: Buffer) => {
      if (first) {
        first = false;
        onFirstBytes();
      }
      if (!headDone) {
        head = Buffer.concat([head, chunk]);
        const i = head.indexOf('\r\n\r\n');
        if (i === -1) return;
        headDone = true;
        const text = head.subarray(0, i).toString('latin1');
        status = text.split('\r\n')[0]!;
        contentLength = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? -1);
        bodyBytes = head.length - i - 4;
      } else {
        bodyBytes += chunk.length;
      }
      if (contentLength >= 0 && bodyBytes >= contentLength) return finish('end');
      s.pause();
      setTimeout(() => s.resume(), Math.ceil((chunk.length / bytesPerSec) * 1000));
    });
    s.on('error', () => finish('error'));
    s.on('close', () => finish('close'));
  });
}

test('SIGTERM: three slow readers of a 5 MB page (stored and from a route) get every byte, then the process exits 0', async (t) => {
  const dir = tempDir(t);
  writeBigPlugin(dir);
  const port = await freePort();
  const s = await startServer(['serve', '--mode', 'singlesite', '--addr', `127.0.0.1:${port}`, '--dir', dir, '--no-open', '--shutdown-timeout', '20'], { t });
  let started = 0;
  let reads!: Promise<Read>[];
  const allStarted = new Promise<void>((r) => {
    const one = () => ++started === 3 && r();
    reads = [slowGet(port, '/big-page', 2_000_000, one), slowGet(port, '/big-page', 3_000_000, one), slowGet(port, '/big-route', 2_500_000, one)];
  });
  await allStarted;
  await sleep(100);
  const sentAt = Date.now();
  const exited = s.stop('SIGTERM');
  const results = await Promise.all(reads);
  const r = await exited;
  const tookMs = Date.now() - sentAt;
  for (const x of results) {
    assert.match(x.status, /^HTTP\/1\.1 200/);
    assert.equal(x.contentLength, PAGE_BYTES);
    assert.equal(x.bodyBytes, PAGE_BYTES, `a reader was cut at ${x.bodyBytes} of ${PAGE_BYTES} bytes`);
  }
  assert.equal(r.code, 0, r.stderr);
  assert.ok(tookMs < 15_000, `the stop took ${tookMs} ms`);
  t.diagnostic(`3 slow readers of 5 MB: all complete; exit 0 ${tookMs} ms after SIGTERM`);
});

test('SIGTERM: a stalled upload and half a header do not keep the process past --shutdown-timeout; exit 0', async (t) => {
  const dir = tempDir(t);
  const port = await freePort();
  const s = await startServer(['serve', '--mode', 'singlesite', '--addr', `127.0.0.1:${port}`, '--dir', dir, '--no-open', '--shutdown-timeout', '1'], { t });
  const open = (text: string) =>
    new Promise<Socket>((resolve) => {
      const c = connect(port, '127.0.0.1', () => {
        c.write(text);
        resolve(c);
      });
      c.on('error', () => {});
    });
  const halfBody = await open(`PUT /pm/api/pages?url=/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"html":"${'a'.repeat(400)}`);
  const halfHeader = await open('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
  const idle = await open('');
  t.after(() => [halfBody, halfHeader, idle].forEach((c) => c.destroy()));
  await sleep(200);
  const sentAt = Date.now();
  const r = await Promise.race([s.stop('SIGTERM'), sleep(10_000).then(() => undefined)]);
  const tookMs = Date.now() - sentAt;
  assert.ok(r, 'the process was still running 10 s after SIGTERM');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(tookMs >= 900 && tookMs < 5_000, `exited ${tookMs} ms after SIGTERM (deadline 1 s)`);
  t.diagnostic(`stalled clients: exit 0 ${tookMs} ms after SIGTERM with --shutdown-timeout 1`);
});
