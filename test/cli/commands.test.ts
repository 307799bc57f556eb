/**
 * What every command shares, through a real process: --help, --version,
 * --dir and --dsn, and the shape of a failure (one line on stderr naming the
 * problem, a non-zero exit, no stack trace unless --debug).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openData } from '../../src/app/open-data.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ROOT, freePort, hasStack, mapLimit, runCli, stderrLines, tempDir, type CliResult } from './cli-helpers.js';

const PARALLEL = 4;
const UNREACHABLE = 'postgres://postgres@127.0.0.1:1/x';
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

function commandsIn(help: string): string[] {
  const block = help.split('Commands:\n')[1]?.split('\n\n')[0] ?? '';
  return block
    .split('\n')
    .map((l) => /^ {2}([a-z-]+) {2,}\S/.exec(l)?.[1])
    .filter((n): n is string => Boolean(n));
}

test('--help, -h and help list the commands; --version prints the version; each command has its own --help naming --dir and --dsn', async () => {
  const [help, short, word, version] = await mapLimit([['--help'], ['-h'], ['help'], ['--version']], PARALLEL, (args) => runCli(args));
  assert.equal(help.code, 0);
  assert.equal(help.stderr, '');
  assert.match(help.stdout, /^Usage: pagemanager \[command\] \[options\]$/m);
  assert.equal(short.stdout, help.stdout);
  assert.equal(word.stdout, help.stdout);
  const names = commandsIn(help.stdout);
  for (const expected of ['serve', 'create-user', 'reset-password', 'create-site', 'list-sites']) assert.ok(names.includes(expected), `${expected} is listed in:\n${help.stdout}`);
  assert.match(help.stdout, /--dir DIR/);
  assert.match(help.stdout, /--dsn DSN/);
  assert.match(help.stdout, /--version/);

  assert.equal(version.code, 0);
  assert.equal(version.stdout, `pagemanager ${pkg.version}\n`);

  const each = await mapLimit(names, PARALLEL, (name) => runCli([name, '--help']));
  for (const [i, r] of each.entries()) {
    const name = names[i];
    assert.equal(r.code, 0, `${name} --help: ${r.stderr}`);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, new RegExp(`^Usage: pagemanager ${name}\\b`), `${name} --help starts with its usage`);
    assert.match(r.stdout, /--dir DIR/, `${name} --help names --dir`);
    assert.match(r.stdout, /--dsn DSN/, `${name} --help names --dsn`);
  }
  const serveHelp = each[names.indexOf('serve')].stdout;
  for (const flag of ['--mode MODE', '--addr HOST:PORT', '--no-open']) assert.ok(serveHelp.includes(flag), `serve --help names ${flag}`);
  assert.match(each[names.indexOf('reset-password')].stdout, /--user NAME/);
  assert.match(each[names.indexOf('create-user')].stdout, /--username NAME/);
});

interface BadCase {
  name: string;
  args: string[];
  env?: Record<string, string>;
  code: number;
  line: string | RegExp;
}

test('bad input: one clear line on stderr, a non-zero exit, no stack trace, nothing on stdout', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a folder');
  const badToml = join(dir, 'bad-toml');
  const port = await freePort();
  await runCli(['list-sites', '--dir', badToml]); // creates the folder
  writeFileSync(join(badToml, 'config.toml'), 'mode = offline\n');
  const d = (name: string) => join(dir, name);

  const cases: BadCase[] = [
    { name: 'wrong flag', args: ['serve', '--bogus'], code: 2, line: "pagemanager serve: Unknown option '--bogus'. Run pagemanager serve --help." },
    { name: 'wrong flag, no command', args: ['--bogus', '--dir', d('x')], code: 2, line: "pagemanager serve: Unknown option '--bogus'. Run pagemanager serve --help." },
    { name: 'wrong flag of another command', args: ['list-sites', '--mode', 'offline'], code: 2, line: "pagemanager list-sites: Unknown option '--mode'. Run pagemanager list-sites --help." },
    { name: 'flag without its value', args: ['serve', '--dir'], code: 2, line: "pagemanager serve: Option '--dir <value>' argument missing. Run pagemanager serve --help." },
    { name: 'flag value that looks like a flag', args: ['serve', '--dir', '--no-open'], code: 2, line: /^pagemanager serve: Option '--dir' argument is ambiguous\. .*Run pagemanager serve --help\.$/ },
    { name: 'stray argument', args: ['serve', 'now'], code: 2, line: "pagemanager serve: Unexpected argument 'now'. This command does not take positional arguments. Run pagemanager serve --help." },
    { name: 'unknown command', args: ['frobnicate'], code: 2, line: 'pagemanager: unknown command "frobnicate". Run pagemanager --help for the list.' },
    { name: 'unknown user', args: ['reset-password', '--user', 'nobody', '--password-stdin', '--dir', d('users')], code: 1, line: 'pagemanager reset-password: No user named "nobody".' },
    { name: 'unreachable database (serve)', args: ['serve', '--no-open', '--dir', d('pg1'), '--addr', `127.0.0.1:${port}`, '--dsn', UNREACHABLE], code: 1, line: 'pagemanager serve: The database cannot be reached: connection refused at 127.0.0.1:1' },
    { name: 'unreachable database (PM_DSN)', args: ['list-sites', '--dir', d('pg2')], env: { PM_DSN: UNREACHABLE }, code: 1, line: 'pagemanager list-sites: The database cannot be reached: connection refused at 127.0.0.1:1' },
    { name: 'unreachable database (create-user)', args: ['create-user', '--username', 'x', '--dir', d('pg3'), '--dsn', UNREACHABLE], code: 1, line: 'pagemanager create-user: The database cannot be reached: connection refused at 127.0.0.1:1' },
    { name: 'unwritable data folder (serve)', args: ['serve', '--no-open', '--addr', `127.0.0.1:${port}`, '--dir', join(file, 'data')], code: 1, line: `pagemanager serve: Configuration problem: the data folder ${join(file, 'data')} cannot be written (ENOTDIR); pick another with --dir` },
    { name: 'unwritable data folder (PM_DIR)', args: ['list-sites'], env: { PM_DIR: join(file, 'data') }, code: 1, line: `pagemanager list-sites: Configuration problem: the data folder ${join(file, 'data')} cannot be written (ENOTDIR); pick another with --dir` },
    { name: 'unwritable data folder (create-site)', args: ['create-site', '--tilde', 'x', '--dir', join(file, 'data')], code: 1, line: /^pagemanager create-site: Configuration problem: the data folder .* cannot be written \(ENOTDIR\)/ },
    { name: 'SQLite file under a file', args: ['list-sites', '--dir', d('ok'), '--dsn', join(file, 'db', 'x.db')], code: 1, line: `pagemanager list-sites: The database cannot be reached: cannot create the folder ${join(file, 'db')} for the SQLite database (ENOTDIR)` },
    { name: 'unsupported database', args: ['list-sites', '--dir', d('ok'), '--dsn', 'mysql://root@localhost/pm'], code: 1, line: 'pagemanager list-sites: Configuration problem: the database address mysql://… is not supported; use postgres://… or a SQLite file path' },
    { name: 'unknown mode', args: ['serve', '--mode', 'online', '--dir', d('ok')], code: 1, line: 'pagemanager serve: Configuration problem: unknown mode "online"; use offline, singlesite or multisite' },
    { name: 'unknown mode (PM_MODE)', args: ['--dir', d('ok')], env: { PM_MODE: 'public' }, code: 1, line: 'pagemanager serve: Configuration problem: unknown mode "public"; use offline, singlesite or multisite' },
    { name: 'bad address', args: ['serve', '--addr', 'somewhere', '--dir', d('ok')], code: 1, line: 'pagemanager serve: Configuration problem: address "somewhere" is not HOST:PORT (for example 127.0.0.1:7070)' },
    { name: 'port out of range', args: ['serve', '--addr', '127.0.0.1:99999', '--dir', d('ok')], code: 1, line: 'pagemanager serve: Configuration problem: port 99999 is out of range (0-65535)' },
    { name: 'bad cache size', args: ['serve', '--cache-mb', 'big', '--dir', d('ok')], code: 1, line: 'pagemanager serve: Configuration problem: cache size must be a number of MiB, 0 or more (got "big")' },
    { name: 'config.toml that is not TOML', args: ['serve', '--no-open', '--dir', badToml], code: 1, line: new RegExp(`^pagemanager serve: Configuration problem: ${badToml.replace(/[/.]/g, '\\$&')}/config\\.toml is not valid TOML: .+`) },
    { name: 'create-site without an address', args: ['create-site', '--dir', d('ok')], code: 1, line: 'pagemanager create-site: give exactly one of --domain, --subdomain, --tilde' },
  ];

  const results = await mapLimit(cases, PARALLEL, (c) => runCli(c.args, { env: c.env }));
  for (const [i, c] of cases.entries()) {
    const r: CliResult = results[i];
    const lines = stderrLines(r);
    assert.equal(r.code, c.code, `${c.name}: exit code (stderr: ${r.stderr})`);
    assert.equal(lines.length, 1, `${c.name}: one line on stderr, got:\n${r.stderr}`);
    if (typeof c.line === 'string') assert.equal(lines[0], c.line, c.name);
    else assert.match(lines[0], c.line, c.name);
    assert.ok(!hasStack(r.stderr), `${c.name}: no stack trace`);
    assert.equal(r.stdout, '', `${c.name}: nothing on stdout`);
  }
  assert.ok(!existsSync(join(dir, 'ok', 'pagemanager.db')), 'a refused configuration creates no database');
});

test('--debug adds the stack trace (and the cause) to the same first line', async (t) => {
  const dir = tempDir(t);
  const r = await runCli(['list-sites', '--debug', '--dir', dir, '--dsn', UNREACHABLE]);
  assert.equal(r.code, 1);
  const lines = stderrLines(r);
  assert.equal(lines[0], 'pagemanager list-sites: The database cannot be reached: connection refused at 127.0.0.1:1');
  assert.ok(hasStack(r.stderr), `a stack trace follows:\n${r.stderr}`);
  assert.match(r.stderr, /^cause: /m, 'the driver error behind it is shown too');
});

test('every command works on the database that --dsn names, inside the --dir data folder', async (t) => {
  const dir = tempDir(t);
  const dsn = join(dir, 'elsewhere', 'custom.db');
  const common = ['--dir', dir, '--dsn', dsn];
  const created = await runCli(['create-site', '--subdomain', 'blog', '--title', 'The Blog', ...common]);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /^Created site \S+ \(subdomain blog\)\.\n$/);
  const user = await runCli(['create-user', '--username', 'zoe', '--password-stdin', ...common], { input: 'Zoe-password-1\n' });
  assert.equal(user.code, 0, user.stderr);
  const reset = await runCli(['reset-password', '--user', 'zoe', '--password-stdin', ...common], { input: 'Zoe-password-2\n' });
  assert.equal(reset.code, 0, reset.stderr);
  const list = await runCli(['list-sites', ...common]);
  assert.equal(list.code, 0, list.stderr);
  const rows = list.stdout.trim().split('\n');
  assert.equal(rows.length, 2, list.stdout);
  assert.match(rows[0], /^\* \S+ {2}\(default host\) {2}.+$/, 'the primary site is marked');
  assert.match(rows[1], /^ {2}\S+ {2}blog\.\* {2}The Blog$/);

  assert.ok(!existsSync(join(dir, 'pagemanager.db')), 'the default database was never created');
  const data = await openData(loadConfig({ dir, dsn }, {}));
  try {
    const zoe = await data.stores.users.getByUsername(data.primary.siteId, 'zoe');
    assert.ok(zoe);
    assert.equal(await data.stores.passwords.verify(zoe.userId, 'Zoe-password-2'), true);
    assert.equal((await data.stores.sites.list()).length, 2);
  } finally {
    await data.close();
  }
});
