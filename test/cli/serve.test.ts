/**
 * `pagemanager serve` through a real process and a real port: flags, the
 * environment, config.toml, the welcome page, a port already taken, and a
 * clean stop on SIGINT/SIGTERM while a request is in flight.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, ROOT, cliEnv, freePort, hasStack, httpGet, runCli, startServer, stderrLines, tempDir, tryConnect, writeSlowPlugin, type RunningServer } from './cli-helpers.js';

/** Slow enough that the stop is seen while the request is still running, even on a busy machine. */
const SLOW_MS = 1500;

async function assertWelcome(url: string): Promise<void> {
  const r = await httpGet(url);
  assert.equal(r.status, 200, r.body.slice(0, 300));
  assert.match(String(r.headers['content-type']), /text\/html/);
  assert.match(r.body, /Your site is ready/);
}

/**
 * Sends `signal` while GET /slow is running, then checks the stop: new connections are
 * refused at once, the slow request still ends with its answer, the database is closed
 * (SQLite folds its -wal file back in only on a clean close), and the exit code is 0.
 */
async function assertGracefulStop(s: RunningServer, signal: NodeJS.Signals, dbFile: string): Promise<void> {
  const port = Number(new URL(s.url).port);
  assert.ok(existsSync(`${dbFile}-wal`), 'while running, SQLite keeps a write-ahead log beside the database');
  const slow = httpGet(new URL('/slow', s.url).href, { timeoutMs: 20_000 }).then((r) => ({ ...r, at: Date.now() }));
  await s.waitForOutput(/slow: started/);
  s.child.kill(signal);
  await s.waitForOutput(new RegExp(`${signal}: finishing requests in flight \\(up to 10 s\\) and closing the database`));

  let refusedAt: number | undefined;
  let last = '';
  for (let i = 0; i < 200 && refusedAt === undefined; i++) {
    last = await tryConnect('127.0.0.1', port, 500);
    if (last === 'ECONNREFUSED') refusedAt = Date.now();
    else await sleep(5);
  }
  assert.ok(refusedAt, `new connections are refused after ${signal} (last attempt: ${last})`);

  const res = await slow;
  assert.equal(res.status, 200);
  assert.equal(res.body, 'done', 'the request in flight was finished, not cut off');
  assert.ok(refusedAt < res.at, 'the server stopped accepting while the slow request was still running');

  const r = await s.exited;
  assert.equal(r.signal, null, 'it exited by itself rather than being killed by the signal');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.ok(!existsSync(`${dbFile}-wal`), 'the database was closed before the exit');
}

test('serve with flags: prints its address, answers GET / with the welcome page, says "already running" to a second start, stops cleanly on SIGTERM', async (t) => {
  const dir = tempDir(t);
  writeSlowPlugin(dir, SLOW_MS);
  const port = await freePort();
  const args = ['serve', '--mode', 'singlesite', '--addr', `127.0.0.1:${port}`, '--dir', dir, '--no-open'];
  const s = await startServer(args, { t });

  assert.equal(s.url, `http://127.0.0.1:${port}/`);
  assert.ok(s.stdout().includes(`(singlesite mode; data in ${dir}; database ${join(dir, 'pagemanager.db')})`), s.stdout());
  // The lines after the address arrive in their own writes; under load they may come a moment later.
  await s.waitForOutput(/Press Ctrl\+C to stop\./);
  assert.ok(!/Offline mode/.test(s.stdout()), 'the offline notice is only for offline mode');
  await s.waitForOutput(/pagemanager create-user --username you --role superadmin --dir /);
  assert.match(s.stdout(), /No one can log in yet: this site has no user\. Create the first one/, 'singlesite without a user says how to create one');
  await assertWelcome(s.url);

  const again = await runCli(args);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, `pagemanager is already running at http://127.0.0.1:${port}/\n`);
  assert.equal(again.stderr, '');
  await assertWelcome(s.url);

  await assertGracefulStop(s, 'SIGTERM', join(dir, 'pagemanager.db'));
});

test('no command means serve; PM_MODE, PM_ADDR, PM_DIR and PM_DSN set it up; offline listens on loopback only; stops cleanly on SIGINT', async (t) => {
  const dir = tempDir(t);
  writeSlowPlugin(dir, SLOW_MS);
  const dbFile = join(dir, 'elsewhere', 'site.db');
  const port = await freePort();
  // A bare port: offline mode fills in the loopback address itself.
  const s = await startServer(['--no-open'], { t, env: { PM_MODE: 'offline', PM_ADDR: String(port), PM_DIR: dir, PM_DSN: dbFile } });

  assert.equal(s.url, `http://127.0.0.1:${port}/`);
  assert.ok(s.stdout().includes(`(offline mode; data in ${dir}; database ${dbFile})`), s.stdout());
  await s.waitForOutput(/Offline mode: only this computer can reach it/);
  assert.ok(existsSync(dbFile), 'the database is where PM_DSN says');
  assert.ok(!existsSync(join(dir, 'pagemanager.db')), 'and not in the default place');
  await assertWelcome(s.url);

  const outside = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal);
  if (outside) {
    assert.equal(await tryConnect(outside.address, port), 'ECONNREFUSED', `offline mode must not answer on ${outside.address}`);
  } else {
    t.diagnostic('this machine has no non-loopback IPv4 address; the "not reachable from outside" check was skipped');
  }

  await assertGracefulStop(s, 'SIGINT', dbFile);
});

test('config.toml in the data folder is read; the environment overrides it, and flags override both', async (t) => {
  const dir = tempDir(t);
  const [tomlPort, envPort, flagPort] = [await freePort(), await freePort(), await freePort()];
  const tomlDb = join(dir, 'from-toml.db');
  writeFileSync(join(dir, 'config.toml'), `mode = "multisite"\naddr = "127.0.0.1:${tomlPort}"\ndsn = ${JSON.stringify(tomlDb)}\n`);
  const s = await startServer(['serve', '--no-open', '--dir', dir, '--addr', `127.0.0.1:${flagPort}`], {
    t,
    env: { PM_MODE: 'singlesite', PM_ADDR: `127.0.0.1:${envPort}` },
  });
  assert.equal(s.url, `http://127.0.0.1:${flagPort}/`, 'the --addr flag wins over PM_ADDR and config.toml');
  assert.match(s.stdout(), /\(singlesite mode;/, 'PM_MODE wins over config.toml');
  assert.ok(s.stdout().includes(`database ${tomlDb})`), 'config.toml gives the database when nothing else does');
  assert.ok(existsSync(tomlDb));
  await assertWelcome(s.url);
  assert.equal(await tryConnect('127.0.0.1', envPort), 'ECONNREFUSED');
  assert.equal(await tryConnect('127.0.0.1', tomlPort), 'ECONNREFUSED');
  const r = await s.stop('SIGTERM');
  assert.equal(r.code, 0, r.stderr);
});

test('offline mode refuses a non-loopback --addr with one clear line, and listens nowhere', async (t) => {
  const dir = tempDir(t);
  const port = await freePort();
  const r = await runCli(['serve', '--addr', `0.0.0.0:${port}`, '--dir', dir, '--no-open']);
  assert.equal(r.code, 1);
  assert.deepEqual(stderrLines(r), [
    `pagemanager serve: Configuration problem: offline mode listens on loopback only, and 0.0.0.0 is not a loopback address; use --addr 127.0.0.1:${port}, or --mode singlesite to serve the network`,
  ]);
  assert.ok(!hasStack(r.stderr));
  assert.equal(r.stdout, '');
  assert.equal(await tryConnect('127.0.0.1', port), 'ECONNREFUSED');
});

test('a port held by another program: a clear error naming it, non-zero exit', async (t: TestContext) => {
  const other = createServer((_req, res) => res.end('not pagemanager'));
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  t.after(() => other.close());
  const port = (other.address() as { port: number }).port;
  const dir = tempDir(t);

  const r = await runCli(['serve', '--addr', `127.0.0.1:${port}`, '--dir', dir, '--no-open']);
  assert.equal(r.code, 1);
  const lines = stderrLines(r);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], new RegExp(`^pagemanager serve: Configuration problem: port ${port} on 127\\.0\\.0\\.1 is in use by .+; stop it or pick another port with --addr$`));
  // `ss` names the process (this test's own node); without it the message still says "another program".
  assert.ok(lines[0].includes(`node (pid ${process.pid})`) || lines[0].includes('another program'), lines[0]);
  assert.ok(!/already running/.test(r.stdout + r.stderr), 'it must not mistake another server for pagemanager');
  assert.ok(!hasStack(r.stderr));
  const still = await httpGet(`http://127.0.0.1:${port}/`);
  assert.equal(still.body, 'not pagemanager', 'the other program was left alone');
});

test('offline mode: the dashboard’s Stop pagemanager button (a POST with its CSRF token) stops the process cleanly; without the token it is refused', async (t) => {
  const dir = tempDir(t);
  const port = await freePort();
  const s = await startServer(['--no-open', '--dir', dir, '--addr', `127.0.0.1:${port}`], { t });
  const home = await fetch(new URL('/pm/', s.url));
  const page = await home.text();
  const form = /<form[^>]*action="\/pm\/stop"[^>]*>(.*?)<\/form>/s.exec(page);
  assert.ok(form, 'the dashboard shows the Stop form in offline mode');
  assert.match(form[1], />Stop pagemanager</);
  const token = /name="_csrf" value="([^"]+)"/.exec(form[1])![1];
  const cookie = home.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const post = (body: string) => fetch(new URL('/pm/stop', s.url), { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });

  assert.equal((await post('')).status, 403, 'no CSRF token: refused');
  assert.equal((await fetch(s.url)).status, 200, 'and still running');

  const stopped = await post(`_csrf=${encodeURIComponent(token)}`);
  assert.equal(stopped.status, 200);
  assert.match(await stopped.text(), /pagemanager has stopped/);
  const r = await s.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /The Stop button in the dashboard: finishing requests in flight .*closing the database/);
});

test('singlesite mode has no Stop button and no /pm/stop', async (t) => {
  const dir = tempDir(t);
  const port = await freePort();
  const s = await startServer(['--no-open', '--mode', 'singlesite', '--dir', dir, '--addr', `127.0.0.1:${port}`], { t });
  const r = await fetch(new URL('/pm/stop', s.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '', redirect: 'manual' });
  assert.equal(r.status, 404);
  assert.equal((await fetch(s.url)).status, 200, 'still running');
  assert.equal((await s.stop()).code, 0);
});

/**
 * A second start of a data folder whose plugin "held" waits in its init until the file "go"
 * appears there: stored pages already answer (listenEarly), the routes do not yet.
 */
async function startHeld(t: TestContext, extraArgs: string[] = []) {
  const dir = tempDir(t);
  const port = await freePort();
  const args = ['serve', '--mode', 'singlesite', '--addr', `127.0.0.1:${port}`, '--dir', dir, '--no-open', ...extraArgs];
  // A first start writes the welcome page, so the next one has a page to serve before its routes.
  await (await startServer(args, { t })).stop('SIGTERM');
  const folder = join(dir, 'pm-plugins', 'held');
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, 'index.mjs'),
    `import { existsSync } from 'node:fs';
export default {
  name: 'held',
  async init() {
    console.log('held: waiting');
    while (!existsSync(${JSON.stringify(join(dir, 'go'))})) await new Promise((r) => setTimeout(r, 20));
  },
};
`,
  );
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => void (child.exitCode === null && child.kill('SIGKILL')));
  const io = { out: '', err: '' };
  child.stdout.setEncoding('utf8').on('data', (c: string) => (io.out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (io.err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const until = async (what: string, ok: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 3000; i++) {
      if (await ok()) return;
      await sleep(10);
    }
    assert.fail(`timed out waiting for ${what}\nstdout: ${io.out}\nstderr: ${io.err}`);
  };
  await until('the held plugin', () => io.out.includes('held: waiting'));
  await until('the stored welcome page', async () => (await httpGet(`http://127.0.0.1:${port}/`).catch(() => ({ status: 0 }))).status === 200);
  return { dir, child, io, exited, until, release: () => writeFileSync(join(dir, 'go'), '') };
}

test('SIGTERM while the plugins still load (stored pages already answer): the start finishes, then it stops cleanly with exit 0', async (t) => {
  const { dir, child, io, exited, until, release } = await startHeld(t);
  child.kill('SIGTERM');
  await until('the notice', () => io.out.includes('SIGTERM: stopping once start-up has finished (up to 10 s)'));
  assert.equal(child.exitCode, null, 'it waits for the start to end rather than dying mid-start');
  release();
  const r = await exited;
  assert.equal(r.signal, null, 'it exited by itself rather than being killed by the signal');
  assert.equal(r.code, 0, io.err);
  assert.equal(io.err, '');
  assert.match(io.out, /SIGTERM: stopped/);
  assert.ok(!/is running at/.test(io.out), 'a start stopped before it finished does not claim to be running');
  assert.ok(!existsSync(join(dir, 'pagemanager.db-wal')), 'the database was closed before the exit');
});

test('a second Ctrl+C while the start is held exits at once, with code 1 and one line saying so', async (t) => {
  const { child, io, exited, until } = await startHeld(t);
  child.kill('SIGINT');
  await until('the notice', () => io.out.includes('SIGINT: stopping once start-up has finished'));
  child.kill('SIGINT');
  const r = await exited;
  assert.equal(r.signal, null);
  assert.equal(r.code, 1);
  assert.equal(io.err, 'pagemanager: SIGINT again during start-up; exiting without waiting\n');
});

test('a start that is still held --shutdown-timeout after SIGTERM is given up: exit 1, and one line saying why', async (t) => {
  const { child, io, exited } = await startHeld(t, ['--shutdown-timeout', '1']);
  const sentAt = Date.now();
  child.kill('SIGTERM');
  const r = await exited;
  assert.equal(r.signal, null);
  assert.equal(r.code, 1);
  assert.equal(io.err, 'pagemanager: start-up did not finish within 1 s of SIGTERM; exiting\n');
  assert.ok(Date.now() - sentAt < 8000, 'it did not wait for the held plugin');
});
