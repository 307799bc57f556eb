/**
 * Upgrades that cannot brick a site: a migration that fails leaves every row as it was, the error
 * names it, and the previous version still starts on the same data; a database migrated by a newer
 * version is refused by an older one with a clear message.
 */
import { sql } from '../../src/store/kysely.js';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { Plugin } from '../../src/plugins/api.js';
import type { Migration } from '../../src/store/migrate.js';
import { listBackupTables } from '../../src/backup/tables.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp } from '../helpers/app.js';
import { NO_POSTGRES, POSTGRES_URL, tempDir, tempPostgresDatabase } from '../cli/cli-helpers.js';

const V1: Migration = {
  version: 1,
  name: 'notes',
  up: (d) => `CREATE TABLE pm_upgrade_note (note_id ${d.types.text} PRIMARY KEY, body ${d.types.text} NOT NULL);
INSERT INTO pm_upgrade_note (note_id, body) VALUES ('a', 'first'), ('b', 'second');`,
};
// A real-looking upgrade that dies halfway: the first statements work, the last one cannot.
const V2_BROKEN: Migration = {
  version: 2,
  name: 'notes: a title column',
  up: (d) => `ALTER TABLE pm_upgrade_note ADD COLUMN title ${d.types.text};
UPDATE pm_upgrade_note SET body = 'changed by v2';
DELETE FROM pm_page;
INSERT INTO pm_upgrade_no_such_table VALUES (1);`,
};
const V3_FUTURE: Migration = { version: 3, name: 'from the future', up: () => 'SELECT 1' };

const plugin = (migrations: Migration[]): Plugin => ({
  name: 'upgrade',
  async init(server) {
    await server.migrate(migrations);
  },
});

/** Every row of every pm_ table, as text, for a before/after comparison. */
async function dump(db: Db): Promise<string> {
  const out: string[] = [];
  for (const { table } of await listBackupTables(db, [])) {
    const rows = await db.all<Record<string, unknown>>(sql`SELECT * FROM ${sql.table(table)}`);
    const lines = rows.map((r) => JSON.stringify(Object.entries(r).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('base64') : v]))).sort();
    out.push(`${table}: ${lines.join('|')}`);
  }
  return out.join('\n');
}

async function scenario(t: { after(fn: () => void | Promise<void>): void }, dsn?: string) {
  const dir = tempDir(t);
  const flags = dsn ? { dsn } : {};
  const first = await startTestApp(flags, { dir, extraPlugins: [plugin([V1])] });
  await first.app.pages.set(first.siteId, '', '/kept', '<p>kept</p>');
  const before = await dump(first.app.db);
  await first.close();

  await assert.rejects(startTestApp(flags, { dir, extraPlugins: [plugin([V1, V2_BROKEN])] }), (e: Error) => {
    assert.match(e.message, /upgrade/);
    assert.match(e.message, /notes: a title column|version 2/);
    return true;
  });

  if (!dsn) {
    // SQLite: the database was copied before the upgrade was tried, and the copy holds the old rows.
    const copies = readdirSync(join(dir, 'pm-backups')).filter((n) => n.startsWith('before-upgrade-'));
    assert.equal(copies.length, 1, copies.join(', '));
    assert.match(copies[0]!, /upgrade-v1-to-v2\.db$/);
    const copy = new Database(join(dir, 'pm-backups', copies[0]!), { readonly: true });
    assert.deepEqual(copy.prepare('SELECT body FROM pm_upgrade_note ORDER BY note_id').all(), [{ body: 'first' }, { body: 'second' }]);
    copy.close();
  }

  // The previous version starts on the same data, and every row is as it was.
  const again = await startTestApp(flags, { dir, extraPlugins: [plugin([V1])] });
  try {
    assert.equal(await dump(again.app.db), before);
    const page = await again.app.http.inject('/kept');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /kept/);
  } finally {
    await again.close();
  }

  // A version that ran migration 3 leaves data this one does not know: refused, clearly, not halfway.
  const newer = await startTestApp(flags, { dir, extraPlugins: [plugin([V1, { ...V2_BROKEN, up: (d) => `ALTER TABLE pm_upgrade_note ADD COLUMN title ${d.types.text}` }, V3_FUTURE])] });
  await newer.close();
  await assert.rejects(startTestApp(flags, { dir, extraPlugins: [plugin([V1])] }), /upgrade migration 2 .*which this version of pagemanager does not know; it was probably run by a newer version/);
}

test('SQLite: a failing migration leaves every row as it was, names itself, and the previous version still starts', async (t) => {
  await scenario(t);
});

test('PostgreSQL: the same', { skip: POSTGRES_URL ? false : NO_POSTGRES }, async (t) => {
  await scenario(t, await tempPostgresDatabase(t, 'pm_upgrade'));
});
