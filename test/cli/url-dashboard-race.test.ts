/**
 * Two pagemanager processes on one PostgreSQL database, each asked at the
 * same moment to delete one of the last two ways into the URL dashboard.
 * The rule "the last one stays" must hold across processes, not only within one;
 * the same with two processes on one SQLite file.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startTestApp } from '../helpers/app.js';
import { freePort, NO_POSTGRES, POSTGRES_URL, startServer, tempDir, tempPostgresDatabase } from './cli-helpers.js';

/** A user plugin that makes page listing slow, so each process's check is still running when the other's starts. */
function writeSlowListPlugin(dir: string, ms: number): void {
  const folder = join(dir, 'pm-plugins', 'slow-list');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(
    join(folder, 'index.js'),
    `export default {
  name: 'slow-list',
  init(server) {
    const list = server.pages.list;
    server.pages.list = async (...args) => {
      const rows = await list(...args);
      await new Promise((r) => setTimeout(r, ${ms}));
      return rows;
    };
  },
  routes() {},
};
`,
  );
}

/**
 * Sets up a superadmin with an API token and a second entry at /admin through an in-process
 * instance, then starts two server processes on the same database and has each delete one entry.
 */
async function raceTwoProcesses(t: TestContext, db: { dsn: string } | { dir: string }): Promise<void> {
  // SQLite: both processes and the setup instance share the data folder, so one pagemanager.db.
  const shared = 'dir' in db ? db.dir : undefined;
  if (shared) writeSlowListPlugin(shared, 300);
  const setup = await startTestApp('dsn' in db ? { dsn: db.dsn } : {}, shared ? { dir: shared } : {});
  t.after(() => setup.close());
  const root = await setup.user('root', 'correct horse battery', 'superadmin');
  const { token } = await setup.app.users.createToken(root, 'race');
  await setup.app.pages.alias(setup.siteId, '', '/admin', '/pm-url-dashboard', { pseudoroute: true });
  assert.equal((await setup.app.pages.get(setup.siteId, '', '/pm/urls'))?.contentUrl, '/pm-url-dashboard');

  const start = async () => {
    const dir = shared ?? tempDir(t);
    if (!shared) writeSlowListPlugin(dir, 300);
    const where = 'dsn' in db ? ['--dsn', db.dsn] : [];
    return startServer(['serve', '--mode', 'singlesite', '--no-open', '--dir', dir, ...where, '--addr', `127.0.0.1:${await freePort()}`], { t });
  };
  const [a, b] = await Promise.all([start(), start()]);
  const del = (base: string, path: string) =>
    fetch(new URL(`/pm/api/pages?url=${path}`, base), { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  const [ra, rb] = await Promise.all([del(a.url, '/pm/urls'), del(b.url, '/admin')]);
  const bodies = `${await ra.text()} | ${await rb.text()}`;
  assert.deepEqual([ra.status, rb.status].sort(), [204, 409], bodies);
  assert.match(bodies, /PM_ERR_LAST_URL_DASHBOARD/);
  const left = (await Promise.all(['/pm/urls', '/admin'].map((p) => setup.app.pages.get(setup.siteId, '', p)))).filter(Boolean);
  assert.equal(left.length, 1, 'one way into the URL dashboard is left');
  for (const s of [a, b]) assert.equal((await s.stop('SIGTERM')).code, 0);
}

test('PostgreSQL: two processes deleting the last two URL-dashboard entries at once leave one', { skip: POSTGRES_URL ? false : NO_POSTGRES }, async (t) => {
  await raceTwoProcesses(t, { dsn: await tempPostgresDatabase(t, 'pm_cli_urlrace') });
});

// Two `serve` on one data folder (different ports) share its SQLite file: the rule holds there too
// (Db.withLock's lease row; before it, SQLite's guard was a lock in each process's memory).
test('SQLite: two processes on one data folder deleting the last two URL-dashboard entries at once leave one', async (t) => {
  await raceTwoProcesses(t, { dir: tempDir(t) });
});
