// `pagemanager serve` listens as soon as the page store can answer (AppOptions.listenEarly):
// stored pages are served while the plugins still load, a request for a route waits until the
// routes are open and is then answered in full, and a start that fails after listening answers
// what it held and lets go of the port.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Plugin } from '../../src/plugins/api.js';
import { freePort } from '../cli/cli-helpers.js';
import { startTestApp } from '../helpers/app.js';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A plugin whose init waits until the test lets it go (or fails then). */
function slowPlugin(): { plugin: Plugin; release(): void; fail(): void; started: Promise<void> } {
  let go!: (ok: boolean) => void;
  const gate = new Promise<boolean>((r) => (go = r));
  let started!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  return {
    plugin: {
      name: 'slow-start',
      async init() {
        started();
        if (!(await gate)) throw new Error('the slow plugin gave up');
      },
    },
    release: () => go(true),
    fail: () => go(false),
    started: startedP,
  };
}

/** A data folder with its welcome page, then a start with listenEarly held up by the slow plugin, listening. */
async function startHeldUp(t: { after(f: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'pm-early-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A first start writes the welcome page.
  await (await startTestApp({}, { dir })).app.close();
  const port = await freePort();
  const slow = slowPlugin();
  const starting = startTestApp({ addr: `127.0.0.1:${port}` }, { dir, listenEarly: true, extraPlugins: [slow.plugin] });
  await slow.started;
  return { dir, port, slow, starting };
}

test('while the plugins load, stored pages are answered and routes wait, then answer in full', async (t) => {
  const { port, slow, starting } = await startHeldUp(t);
  const home = await until('the welcome page', async () => {
    const r = await get(port, '/');
    return r.status === 200 ? r : undefined;
  });
  assert.match(home.body, /Your site is ready/, 'the stored welcome page, answered before the plugins are ready');

  let healthAnswered = false;
  const health = get(port, '/pm/health').then((r) => ((healthAnswered = true), r));
  const login = get(port, '/pm/login');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(healthAnswered, false, 'a route waits while the plugins load');

  slow.release();
  const started = await starting;
  t.after(() => started.app.close());
  const h = await health;
  assert.equal(h.status, 200);
  assert.deepEqual(JSON.parse(h.body), { name: 'pagemanager', status: 'ok' });
  const l = await login;
  assert.equal(l.status, 200, 'the held dashboard request is answered by its route');
  assert.match(l.body, /<form/);
  const addr = await started.app.listen();
  assert.equal(addr.port, port, 'listen() gives the address bound early');
  assert.equal((await get(port, '/no-such-page')).status, 404, 'and a missing page is the not-found page, once routes are open');
});

test('a start that fails after listening answers what it held with a 500 and lets go of the port', async (t) => {
  const { dir, port, slow, starting } = await startHeldUp(t);
  await until('the port', async () => ((await get(port, '/')).status === 200 ? true : undefined));
  const held = get(port, '/pm/health');
  await new Promise((r) => setTimeout(r, 100));
  slow.fail();
  await assert.rejects(starting, /slow-start failed to start/);
  const r = await held;
  assert.equal(r.status, 500);
  assert.doesNotMatch(r.body, /gave up/, 'the cause stays in the log');
  await assert.rejects(get(port, '/'), /ECONNREFUSED/, 'nothing listens any more');
  // The same port can be had again at once.
  const again = await startTestApp({ addr: `127.0.0.1:${port}` }, { dir, listenEarly: true });
  t.after(() => again.app.close());
  assert.equal((await get(port, '/pm/health')).status, 200);
});
