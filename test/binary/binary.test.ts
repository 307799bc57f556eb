/**
 * The single executable (dist/pagemanager, from `npm run build:binary`), as a
 * user gets it: copied alone into an empty folder and started with nothing
 * but a PATH that has no node in it (as `env -i` would). Skipped when the
 * binary has not been built; CI builds it before `npm test`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import { freePort } from '../cli/cli-helpers.js';

const BINARY = fileURLToPath(new URL('../../dist/pagemanager', import.meta.url));
const skip = existsSync(BINARY) ? false : 'dist/pagemanager is not built (npm run build:binary)';

interface Run {
  exited: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
  stdout(): string;
  kill(signal: NodeJS.Signals): void;
}

function run(bin: string, args: string[], env: Record<string, string>, input?: string): Run {
  const child = spawn(bin, args, { cwd: join(bin, '..'), env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin.end(input ?? '');
  const exited = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => setImmediate(() => resolve({ code, signal, stdout, stderr }))),
  );
  return { exited, stdout: () => stdout, kill: (s) => child.kill(s) };
}

async function waitForUrl(r: Run): Promise<string> {
  let ended = false;
  void r.exited.then(() => (ended = true));
  for (let i = 0; i < 300; i++) {
    const m = /is running at (http:\/\/\S+)/.exec(r.stdout());
    if (m) return m[1];
    if (ended) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  const e = await Promise.race([r.exited, new Promise((res) => setTimeout(() => res(undefined), 10))]);
  throw new Error(`the binary did not start: ${JSON.stringify(e ?? r.stdout())}`);
}

/** A real PNG of w×h red pixels, made here (no fixture file). */
function tinyPng(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(w * 3, Buffer.from([220, 30, 30]))]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A tiny cookie jar: what a browser would send back. */
function jar() {
  const cookies = new Map<string, string>();
  return {
    take(res: Response) {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair.indexOf('=');
        cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      return res;
    },
    header: () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
  };
}

test('the binary runs alone: offline start, user plugins (.mjs, .cjs), reset-password, singlesite login, a page through the JSON API, a picture through sharp, SIGTERM', { skip, timeout: 120_000 }, async (t) => {
  const home = realpathSync(mkdtempSync(join(tmpdir(), 'pm-binary-')));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const folder = join(home, 'Downloads');
  const emptyBin = join(home, 'bin');
  mkdirSync(folder);
  mkdirSync(emptyBin);
  const bin = join(folder, 'pagemanager');
  copyFileSync(BINARY, bin);
  const port = await freePort();
  // Nothing from this process's environment: no node on the PATH, no NODE_* variables, no node_modules.
  const env = { PATH: emptyBin, HOME: home, PM_ADDR: `127.0.0.1:${port}` };

  // A user's plugins in the data folder, one of each module kind, laid out before the first start.
  const data = join(folder, 'pagemanager-data');
  mkdirSync(join(data, 'pm-plugins', 'hello-mjs'), { recursive: true });
  mkdirSync(join(data, 'pm-plugins', 'hello-cjs'), { recursive: true });
  writeFileSync(
    join(data, 'pm-plugins', 'hello-mjs', 'index.mjs'),
    `export default { name: 'hello-mjs', routes(router) { router.get('/hello-mjs', (request, reply) => reply.type('text/plain').send('hello from an ES module plugin')); } };\n`,
  );
  writeFileSync(
    join(data, 'pm-plugins', 'hello-cjs', 'index.cjs'),
    `module.exports = { name: 'hello-cjs', routes(router) { router.get('/hello-cjs', (request, reply) => reply.type('text/plain').send('hello from a CommonJS plugin')); } };\n`,
  );

  // 1. No arguments: offline mode, data beside the binary, said at start.
  const first = run(bin, [], env);
  t.after(() => first.kill('SIGKILL'));
  const url = await waitForUrl(first);
  assert.match(first.stdout(), /offline mode/);
  assert.ok(first.stdout().includes(`data in ${data}`), first.stdout());
  const welcome = await fetch(url);
  assert.equal(welcome.status, 200);
  assert.match(await welcome.text(), /Your site is ready/);
  const css = await fetch(new URL('/pm/assets/dashboard.css', url));
  assert.equal(css.status, 200, 'the dashboard stylesheet comes from inside the binary');
  assert.match(await css.text(), /\.side/);
  assert.equal(await (await fetch(new URL('/hello-mjs', url))).text(), 'hello from an ES module plugin');
  assert.equal(await (await fetch(new URL('/hello-cjs', url))).text(), 'hello from a CommonJS plugin');
  first.kill('SIGTERM');
  assert.equal((await first.exited).code, 0);

  // 2. reset-password from the binary, as from npm start.
  const reset = run(bin, ['reset-password', '--user', 'admin', '--password-stdin'], env, 'a long binary passphrase\n');
  const r = await reset.exited;
  assert.equal(r.code, 0, r.stderr);

  // 3. Singlesite: log in through the form, create a page through the JSON API, load it.
  const second = run(bin, ['serve', '--mode', 'singlesite'], env);
  t.after(() => second.kill('SIGKILL'));
  const url2 = await waitForUrl(second);
  const cookies = jar();
  const loginPage = await (await fetch(new URL('/pm/login', url2)).then(cookies.take)).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(loginPage)?.[1] ?? '';
  const login = cookies.take(
    await fetch(new URL('/pm/login', url2), {
      method: 'POST',
      headers: { cookie: cookies.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, username: 'admin', password: 'a long binary passphrase' }).toString(),
      redirect: 'manual',
    }),
  );
  assert.equal(login.status, 303, await login.text());
  const me = (await (await fetch(new URL('/pm/api/me', url2), { headers: { cookie: cookies.header() } })).json()) as { csrfToken: string; user: { username: string } };
  assert.equal(me.user.username, 'admin');
  const put = await fetch(new URL('/pm/api/pages?url=/from-the-binary', url2), {
    method: 'PUT',
    headers: { cookie: cookies.header(), 'x-csrf-token': me.csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify({ html: '<!doctype html><title>Binary</title><h1>Made in the binary</h1>' }),
  });
  assert.equal(put.status, 201, await put.text());
  const page = await fetch(new URL('/from-the-binary', url2));
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Made in the binary/);

  // A picture through the media library: sharp and libvips, native code carried inside the binary.
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(tinyPng(40, 30))], { type: 'image/png' }), 'dot.png');
  const upload = await fetch(new URL('/pm/api/media?wait=true', url2), { method: 'POST', headers: { cookie: cookies.header(), 'x-csrf-token': me.csrfToken }, body: form });
  const uploaded = (await upload.json()) as { status?: string; width?: number };
  assert.equal(upload.status, 201, JSON.stringify(uploaded));
  assert.equal(uploaded.status, 'ready', JSON.stringify(uploaded));

  second.kill('SIGTERM');
  const end = await second.exited;
  assert.equal(end.code, 0, end.stderr);
  assert.match(end.stdout, /SIGTERM: finishing requests in flight/);
});
