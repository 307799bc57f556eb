/**
 * `create-user` and `reset-password` through a real process; what they stored is
 * read back through the stores from the same SQLite file once the process has ended.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { openData } from '../../src/app/open-data.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Stores, Site } from '../../src/store/types.js';
import { BIN, ROOT, cliEnv, hasStack, runCli, stderrLines, tempDir, type CliResult } from './cli-helpers.js';

const TTL = 3600_000;

async function withStores<T>(dir: string, fn: (d: { stores: Stores; primary: Site }) => Promise<T>): Promise<T> {
  const data = await openData(loadConfig({ dir }, {}));
  try {
    return await fn(data);
  } finally {
    await data.close();
  }
}

function assertOneLineError(r: CliResult, expected: string | RegExp, code = 1): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = stderrLines(r);
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  if (typeof expected === 'string') assert.equal(lines[0], expected);
  else assert.match(lines[0], expected);
  assert.ok(!hasStack(r.stderr), 'no stack trace without --debug');
}

test('create-user with every option, the password from stdin', async (t) => {
  const dir = tempDir(t);
  const r = await runCli(['create-user', '--username', 'alice', '--name', 'Alice Liddell', '--email', 'alice@example.test', '--role', 'admin', '--password-stdin', '--dir', dir], { input: 'Wonderland-teapot-42\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Created admin "alice".\n');
  assert.equal(r.stderr, '');
  await withStores(dir, async ({ stores, primary }) => {
    const u = await stores.users.getByUsername(primary.siteId, 'alice');
    assert.ok(u);
    assert.deepEqual({ name: u.name, email: u.email, role: u.role }, { name: 'Alice Liddell', email: 'alice@example.test', role: 'admin' });
    assert.equal(await stores.passwords.verify(u.userId, 'Wonderland-teapot-42'), true);
    assert.equal(await stores.passwords.verify(u.userId, 'Wonderland-43'), false);
  });
});

test('create-user: each role; without a password when stdin is not a terminal; the name defaults to the username', async (t) => {
  const dir = tempDir(t);
  const r1 = await runCli(['create-user', '--username', 'bob', '--dir', dir]);
  assert.equal(r1.code, 0, r1.stderr);
  assert.equal(r1.stdout, 'Created editor "bob" without a password; set one with: pagemanager reset-password --user bob.\n');
  const r2 = await runCli(['create-user', '--username', 'root', '--role', 'superadmin', '--password-stdin', '--dir', dir], { input: 'Root-password-9\r\n' });
  assert.equal(r2.code, 0, r2.stderr);
  await withStores(dir, async ({ stores, primary }) => {
    const bob = await stores.users.getByUsername(primary.siteId, 'bob');
    assert.ok(bob);
    assert.deepEqual({ name: bob.name, email: bob.email, role: bob.role }, { name: 'bob', email: '', role: 'editor' });
    assert.equal(await stores.passwords.has(bob.userId), false);
    const root = await stores.users.getByUsername(primary.siteId, 'root');
    assert.equal(root?.role, 'superadmin');
    assert.equal(await stores.passwords.verify(root!.userId, 'Root-password-9'), true, 'a CRLF line ending is not part of the password');
  });
});

test('create-user refuses bad input with one line, and creates nothing', async (t) => {
  const dir = tempDir(t);
  assert.equal((await runCli(['create-user', '--username', 'alice', '--dir', dir])).code, 0);
  const cases: [string[], string, string?][] = [
    [['--username', 'alice'], 'pagemanager create-user: a user named "alice" already exists.'],
    [[], 'pagemanager create-user: --username is required'],
    [['--username', 'two words'], 'pagemanager create-user: a username is 1-64 letters, digits, and . _ @ -, starting with a letter or digit'],
    [['--username', 'carol', '--role', 'owner'], 'pagemanager create-user: unknown role "owner"; use superadmin, admin, editor, author'],
    [['--username', 'dave', '--password-stdin'], 'pagemanager create-user: The password must be at least 8 characters long.', 'short\n'],
    [['--username', 'erin', '--password-stdin'], 'pagemanager create-user: This password is too easy to guess. This is a commonly used password. Add more words that are less common. Capitalise more than the first letter.', 'Password123\n'],
  ];
  const results = await Promise.all(cases.map(([args, , input]) => runCli(['create-user', ...args, '--dir', dir], { input })));
  for (const [i, r] of results.entries()) assertOneLineError(r, cases[i][1]);
  await withStores(dir, async ({ stores, primary }) => {
    assert.deepEqual((await stores.users.list(primary.siteId)).map((u) => u.username), ['alice']);
  });
});

test('reset-password --password-stdin: refuses short and common passwords, changing nothing; a good one replaces the old and ends every session', async (t) => {
  const dir = tempDir(t);
  const OLD = 'Original-pass-1';
  const setup = await withStores(dir, async ({ stores, primary }) => {
    const carol = await stores.users.create({ siteId: primary.siteId, username: 'carol', role: 'editor' });
    await stores.passwords.set(carol.userId, OLD);
    const a = await stores.sessions.create({ userId: carol.userId, siteId: primary.siteId, ttlMs: TTL });
    const b = await stores.sessions.create({ userId: carol.userId, siteId: primary.siteId, ttlMs: TTL });
    const dan = await stores.users.create({ siteId: primary.siteId, username: 'dan', role: 'editor' });
    const other = await stores.sessions.create({ userId: dan.userId, siteId: primary.siteId, ttlMs: TTL });
    return { userId: carol.userId, sessions: [a.sessionId, b.sessionId], other: other.sessionId };
  });
  const reset = (input: string, user = 'carol') => runCli(['reset-password', '--user', user, '--password-stdin', '--dir', dir], { input });

  const refused: [string, string][] = [
    ['short77\n', 'pagemanager reset-password: The password must be at least 8 characters long.'],
    ['\n', 'pagemanager reset-password: The password must be at least 8 characters long.'],
    ['', 'pagemanager reset-password: The password must be at least 8 characters long.'],
    ['password123\n', 'pagemanager reset-password: This password is too easy to guess. This is a commonly used password. Add more words that are less common.'],
    ['QWERTYUIOP\n', 'pagemanager reset-password: This password is too easy to guess. This is one of the hundred most used passwords. Add more words that are less common. Capitalise some letters, not all.'],
  ];
  const results = await Promise.all([
    ...refused.map(([input]) => reset(input)),
    reset('Valid-password-1\n', 'nobody'),
    runCli(['reset-password', '--password-stdin', '--dir', dir], { input: 'Valid-password-1\n' }),
    runCli(['reset-password', '--user', 'carol', '--dir', dir]),
  ]);
  const expected = [
    ...refused.map(([, e]) => e),
    'pagemanager reset-password: No user named "nobody".',
    'pagemanager reset-password: --user is required',
    'pagemanager reset-password: standard input is not a terminal; pass --password-stdin to read the password from it',
  ];
  for (const [i, r] of results.entries()) {
    assertOneLineError(r, expected[i]);
    assert.equal(r.stdout, '');
  }

  await withStores(dir, async ({ stores }) => {
    assert.equal(await stores.passwords.verify(setup.userId, OLD), true, 'the refused attempts left the old password in place');
    for (const id of setup.sessions) assert.ok(await stores.sessions.lookup(id), 'and the sessions alive');
  });

  const ok = await reset('Correct-Horse-7\n');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'The password of "carol" was changed and their sessions were ended.\n');
  assert.equal(ok.stderr, '');
  await withStores(dir, async ({ stores }) => {
    assert.equal(await stores.passwords.verify(setup.userId, 'Correct-Horse-7'), true);
    assert.equal(await stores.passwords.verify(setup.userId, OLD), false);
    for (const id of setup.sessions) assert.equal(await stores.sessions.lookup(id), undefined, 'every session of the user ended');
    assert.ok(await stores.sessions.lookup(setup.other), "another user's session is untouched");
  });
});

const HAS_SCRIPT = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

/**
 * Runs a command under a pseudo-terminal (util-linux `script`), typing each of
 * `answers` once the matching prompt has appeared, as a person would.
 */
function runOnTerminal(command: string, answers: [RegExp, string][]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: cliEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let next = 0;
    let seen = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      // Type only after the prompt is shown: the program turns echo off just before it.
      while (next < answers.length) {
        const m = answers[next][0].exec(stdout.slice(seen));
        if (!m) break;
        seen += m.index + m[0].length;
        child.stdin.write(answers[next][1]);
        next++;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

test('reset-password on a terminal asks twice without echo', { skip: HAS_SCRIPT ? false : 'util-linux `script` is not installed, so no pseudo-terminal for this case' }, async (t) => {
  const dir = tempDir(t);
  const userId = await withStores(dir, async ({ stores, primary }) => {
    const u = await stores.users.create({ siteId: primary.siteId, username: 'erin', role: 'admin' });
    await stores.passwords.set(u.userId, 'Original-pass-1');
    return u.userId;
  });
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} reset-password --user erin --dir ${JSON.stringify(dir)}`;

  const differ = await runOnTerminal(cmd, [
    [/New password: /, 'First-secret-77\r'],
    [/Repeat it: /, 'Second-secret-77\r'],
  ]);
  assert.notEqual(differ.code, 0);
  assert.match(differ.stdout, /the two passwords differ; nothing was changed/);
  assert.ok(!differ.stdout.includes('secret-77'), `nothing typed was echoed:\n${differ.stdout}`);

  const same = await runOnTerminal(cmd, [
    [/New password: /, 'Typed-twice-88\r'],
    [/Repeat it: /, 'Typed-twice-88\r'],
  ]);
  assert.equal(same.code, 0, same.stdout);
  assert.match(same.stdout, /New password: [\s\S]*Repeat it: [\s\S]*The password of "erin" was changed and their sessions were ended\./);
  assert.ok(!same.stdout.includes('Typed-twice'), `nothing typed was echoed:\n${same.stdout}`);
  assert.ok(!hasStack(same.stdout));

  await withStores(dir, async ({ stores }) => {
    assert.equal(await stores.passwords.verify(userId, 'Typed-twice-88'), true);
  });
});
