import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifyArchive } from '../../src/backup/restore.js';
import { runCli, tempDir } from '../cli/cli-helpers.js';
import { startTestApp } from '../helpers/app.js';
import { decode, startHarness, type Harness } from './dashboard-harness.js';

describe('backups in the dashboard', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ files: { 'config.toml': '[plugins.backups]\nevery_hours = 12\nkeep = 2\n' } });
    await h.user('root', 'root passphrase here', 'superadmin');
    await h.user('ada', 'ada passphrase here', 'admin');
    await h.app.pages.set(h.siteId, '', '/kept', '<h1>Kept</h1>');
  });
  after(() => h.close());

  test('only superadmins see Backups and reach its pages', async () => {
    const admin = await h.loggedIn('ada', 'ada passphrase here');
    assert.doesNotMatch((await admin.get('/pm/')).body, /href="\/pm\/backups"/);
    assert.equal((await admin.get('/pm/backups')).statusCode, 403);
    assert.equal((await admin.post('/pm/backups/download', {})).statusCode, 403);
    const root = await h.loggedIn('root', 'root passphrase here');
    assert.match((await root.get('/pm/')).body, /href="\/pm\/backups"/);
    const page = await root.get('/pm/backups');
    assert.equal(page.statusCode, 200);
    assert.match(decode(page.body), /Download a backup/);
    assert.match(decode(page.body), /Every 12 hours, next at .* UTC; the newest 2 are kept in/);
    assert.match(decode(page.body), /No stored backup yet/);
  });

  test('Download a backup streams an archive that restores onto an empty folder', async (t) => {
    const root = await h.loggedIn('root', 'root passphrase here');
    const refused = await root.post('/pm/backups/download', {}, { csrf: false });
    assert.equal(refused.statusCode, 403);
    await root.get('/pm/backups');
    const res = await root.post('/pm/backups/download', {});
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/gzip');
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="pagemanager-backup-\d{8}-\d{6}\.tar\.gz"$/);
    const file = join(tempDir(t), 'download.tar.gz');
    writeFileSync(file, res.rawPayload);
    const manifest = await verifyArchive(file);
    assert.ok(manifest.tables.some((x) => x.table === 'pm_page' && x.rows > 0));
    const target = join(tempDir(t), 'restored');
    const r = await runCli(['restore', file, '--dir', target], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const restored = await startTestApp({}, { dir: target });
    try {
      assert.match((await restored.app.http.inject('/kept')).body, /<h1>Kept<\/h1>/);
    } finally {
      await restored.close();
    }
  });

  test('Back up now stores one, shows the result, keeps the newest N, and serves them to superadmins only', async () => {
    const root = await h.loggedIn('root', 'root passphrase here');
    for (let i = 0; i < 3; i++) {
      await root.get('/pm/backups');
      const r = await root.post('/pm/backups/run', {});
      assert.equal(r.statusCode, 303, r.body);
      await new Promise((res) => setTimeout(res, 1100)); // names carry the second
    }
    const page = decode((await root.get('/pm/backups')).body);
    assert.match(page, /Backed up: pagemanager-backup-/);
    assert.match(page, /OK<\/span> Last backup/);
    const names = [...page.matchAll(/href="\/pm\/backups\/file\/(pagemanager-backup-[^"]+)"/g)].map((m) => m[1]!);
    assert.equal(names.length, 2, page);
    assert.equal(readdirSync(join(h.dir, 'pm-backups')).filter((n) => n.endsWith('.tar.gz')).length, 2);
    const file = await root.get(`/pm/backups/file/${names[0]}`);
    assert.equal(file.statusCode, 200);
    assert.equal(file.headers['content-type'], 'application/gzip');
    for (const bad of ['..%2F..%2Fpagemanager.db', 'pagemanager.db', 'last-backup.json']) assert.equal((await root.get(`/pm/backups/file/${bad}`)).statusCode, 404, bad);
    const admin = await h.loggedIn('ada', 'ada passphrase here');
    assert.equal((await admin.get(`/pm/backups/file/${names[0]}`)).statusCode, 403);
  });
});
