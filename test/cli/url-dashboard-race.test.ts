/**
 * Two pagemanager processes on one PostgreSQL database, each asked at the
 * same moment to delete one of the last two ways into the URL dashboard.
 * The rule "the last one stays" must hold across processes, not only within one.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
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

test(
  'PostgreSQL: two processes deleting the last two URL-dashboard entries at once leave one',
  { skip: POSTGRES_URL ? false : NO_POSTGRES },
  async (t) => {
    const dsn = await tempPostgresDatabase(t, 'pm_cli_urlrace');

    // Set up through a third, in-process instance: a superadmin with an API token, and a second entry at /admin.
    const setup = await startTestApp({ dsn });
    t.after(() => setup.close());
    const root = await setup.user('root', 'correct horse battery', 'superadmin');
    const { token } = await setup.app.users.createToken(root, 'race');
    await setup.app.pages.alias(setup.siteId, '', '/admin', '/pm-url-dashboard', { pseudoroute: true });
    assert.equal((await setup.app.pages.get(setup.siteId, '', '/pm/urls'))?.contentUrl, '/pm-url-dashboard');

    const start = async () => {
      const dir = tempDir(t);
      writeSlowListPlugin(dir, 300);
      return startServer(['serve', '--mode', 'singlesite', '--no-open', '--dir', dir, '--dsn', dsn, '--addr', `127.0.0.1:${await freePort()}`], { t });
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
  },
);
