/**
 * The first start sets a data folder up (the primary site, in offline mode the
 * first superadmin, the welcome page); later starts change nothing. On
 * PostgreSQL, two processes starting at once on an empty database agree.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { coreMigrations } from '../../src/store/core-migrations.js';
import { freePort, httpGet, NO_POSTGRES, POSTGRES_URL, startServer, tempDir, tempPostgresDatabase } from './cli-helpers.js';

type Dump = Record<string, string[]>;

/** Every row of every pm_ table, as sorted JSON lines (binary columns as hex). */
function dumpSqlite(file: string): Dump {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'pm\\_%' ESCAPE '\\' ORDER BY name").all() as { name: string }[];
    const out: Dump = {};
    for (const { name } of tables) {
      const rows = db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[];
      out[name] = rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (Buffer.isBuffer(v) ? `hex:${v.toString('hex')}` : v))).sort();
    }
    return out;
  } finally {
    db.close();
  }
}

/** Starts the server, checks it serves the welcome page, stops it with SIGTERM. */
async function startAndStop(t: Parameters<typeof tempDir>[0], args: string[]): Promise<void> {
  const s = await startServer(args, { t });
  const home = await httpGet(s.url);
  assert.equal(home.status, 200);
  assert.match(home.body, /Your site is ready/);
  const r = await s.stop('SIGTERM');
  assert.equal(r.code, 0, r.stderr);
}

test('first run creates the primary site, the first superadmin and the welcome page; the second and third runs change nothing', async (t) => {
  const dir = tempDir(t);
  const args = ['serve', '--no-open', '--dir', dir, '--addr', `127.0.0.1:${await freePort()}`];
  const file = join(dir, 'pagemanager.db');

  await startAndStop(t, args);
  const first = dumpSqlite(file);
  const sites = first.pm_site.map((r) => JSON.parse(r) as { is_primary: number; site_id: string });
  assert.equal(sites.length, 1, 'one site');
  assert.equal(sites[0].is_primary, 1, 'and it is the primary one');
  const users = first.pm_user.map((r) => JSON.parse(r) as { role: string; site_id: string; username: string });
  assert.deepEqual(
    users.map((u) => [u.role, u.site_id]),
    [['superadmin', sites[0].site_id]],
    'offline mode created exactly one user, the superadmin of the primary site',
  );
  assert.ok(first.pm_page.some((r) => (JSON.parse(r) as { url_path: string }).url_path === '/'), 'the welcome page is stored at /');
  const core = first.pm_migration.map((r) => JSON.parse(r) as { namespace: string }).filter((m) => m.namespace === 'core');
  assert.equal(core.length, coreMigrations.length, 'every core migration recorded once');

  await startAndStop(t, args);
  assert.deepEqual(dumpSqlite(file), first, 'the second start changed nothing in the database');
  await startAndStop(t, args);
  assert.deepEqual(dumpSqlite(file), first, 'nor did the third');
});

test(
  'PostgreSQL: two processes starting at once on an empty database end with one primary site, one superadmin, migrations applied once',
  { skip: POSTGRES_URL ? false : NO_POSTGRES },
  async (t) => {
    const dsn = await tempPostgresDatabase(t, 'pm_cli_race');

    const [portA, portB] = [await freePort(), await freePort()];
    const start = (port: number) => startServer(['serve', '--no-open', '--dir', tempDir(t), '--dsn', dsn, '--addr', `127.0.0.1:${port}`], { t });
    const servers = await Promise.all([start(portA), start(portB)]);
    for (const s of servers) {
      const home = await httpGet(s.url);
      assert.equal(home.status, 200, `${s.url} serves the welcome page`);
      assert.match(home.body, /Your site is ready/);
    }
    for (const r of await Promise.all(servers.map((s) => s.stop('SIGTERM')))) assert.equal(r.code, 0, r.stderr);

    const db = new pg.Client({ connectionString: dsn });
    await db.connect();
    try {
      const one = async (sql: string) => (await db.query(sql)).rows[0] as Record<string, string>;
      assert.deepEqual(await one('SELECT count(*)::int AS n, sum(is_primary)::int AS primaries FROM pm_site'), { n: 1, primaries: 1 }, 'exactly one site, the primary');
      assert.deepEqual(await one("SELECT count(*)::int AS n FROM pm_user WHERE role = 'superadmin'"), { n: 1 }, 'exactly one superadmin');
      assert.deepEqual(await one('SELECT count(*)::int AS n FROM pm_user'), { n: 1 }, 'and no other user');
      assert.deepEqual(await one("SELECT count(*)::int AS n FROM pm_page WHERE url_path = '/'"), { n: 1 }, 'one welcome page');
      const migrations = (await db.query('SELECT namespace, version, count(*)::int AS n FROM pm_migration GROUP BY namespace, version ORDER BY namespace, version')).rows as { namespace: string; n: number }[];
      assert.ok(migrations.every((m) => m.n === 1), 'no migration recorded twice');
      assert.equal(migrations.filter((m) => m.namespace === 'core').length, coreMigrations.length, 'every core migration applied');
    } finally {
      await db.end();
    }
  },
);
