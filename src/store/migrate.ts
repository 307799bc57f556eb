/**
 * Versioned migrations, applied at start. Each list has a namespace ('core',
 * or a plugin's name) so plugin versions never collide with core versions;
 * `pm_migration(namespace, version, name, applied_at)` records what ran.
 *
 * Everything happens inside `db.exclusive('pm_migrate', …)`: on PostgreSQL an
 * advisory lock, so when several processes start at once one migrates and the
 * others, once they get the lock, re-read the table and find nothing to do.
 */
import { isPmError, PmError } from '../errors/errors.js';
import type { Db, Dialect, Queryable } from './db.js';

export interface Migration {
  /** Positive integer, strictly increasing within a list. Never reuse or renumber one that has shipped. */
  version: number;
  /** Short description, recorded with the version; also used to spot a list run under the wrong namespace. */
  name: string;
  /** The SQL script, built from the dialect's column types (`d.types.bigint`, …). */
  up: (d: Dialect) => string;
}

const LOCK_NAME = 'pm_migrate';

function checkList(namespace: string, migrations: readonly Migration[]): void {
  if (!/^[a-z0-9_-]+$/i.test(namespace)) throw new PmError('PM_ERR_CONFIG', { detail: `the migration namespace "${namespace}" must be letters, digits, - and _` });
  let previous = 0;
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= previous) {
      throw new PmError('PM_ERR_CONFIG', { detail: `the ${namespace} migrations must have increasing positive integer versions; ${m.version} (${m.name}) comes after ${previous}` });
    }
    previous = m.version;
  }
}

async function createMigrationTable(tx: Queryable, d: Dialect): Promise<void> {
  await tx.execScript(`CREATE TABLE IF NOT EXISTS pm_migration (
  namespace ${d.types.text} NOT NULL,
  version INTEGER NOT NULL,
  name ${d.types.text} NOT NULL,
  applied_at ${d.types.bigint} NOT NULL,
  PRIMARY KEY (namespace, version)
)`);
}

/**
 * An existing database about to be upgraded is copied first where the dialect can (SQLite, into
 * `pm-backups/`): a migration that cannot be undone by its transaction still leaves a way back.
 * A new database, or a namespace migrating for the first time, has nothing of its own to lose.
 */
async function copyIfUpgrading(db: Db, migrations: readonly Migration[], namespace: string): Promise<void> {
  if (!db.copyBeforeUpgrade || migrations.length === 0) return;
  let done: number;
  try {
    done = Number((await db.get<{ v: number | null }>('SELECT MAX(version) AS v FROM pm_migration WHERE namespace = ?', [namespace]))?.v ?? 0);
  } catch {
    return; // no pm_migration: a new database
  }
  const latest = migrations[migrations.length - 1]!.version;
  // done 0: a new install or a new plugin, whose first migration creates its own tables.
  if (done === 0 || latest <= done) return;
  await db.copyBeforeUpgrade(`${namespace}-v${done}-to-v${latest}`);
}

/**
 * Applies the migrations of `namespace` that have not run yet, in order, in
 * one transaction: either all pending ones apply or none do.
 * @example
 *   await migrate(db, [{ version: 1, name: 'posts', up: (d) => `CREATE TABLE pm_blog_post (…, created_at ${d.types.bigint})` }], 'blog');
 */
export async function migrate(db: Db, migrations: readonly Migration[], namespace = 'core'): Promise<{ applied: string[] }> {
  checkList(namespace, migrations);
  await copyIfUpgrading(db, migrations, namespace);
  return db.exclusive(LOCK_NAME, async (tx) => {
    // Inside the lock: two PostgreSQL processes running CREATE TABLE IF NOT EXISTS at once can still collide.
    await createMigrationTable(tx, db.dialect);
    const rows = await tx.all<{ version: number; name: string }>('SELECT version, name FROM pm_migration WHERE namespace = ? ORDER BY version', [namespace]);
    const done = new Map(rows.map((r) => [Number(r.version), r.name]));
    const known = new Set(migrations.map((m) => m.version));
    for (const [version, name] of done) {
      if (!known.has(version)) {
        throw new PmError('PM_ERR_CONFIG', {
          detail: `the database has ${namespace} migration ${version} (${name}), which this version of pagemanager does not know; it was probably run by a newer version`,
        });
      }
    }
    const applied: string[] = [];
    for (const m of migrations) {
      const recorded = done.get(m.version);
      if (recorded !== undefined) {
        if (recorded !== m.name) {
          throw new PmError('PM_ERR_CONFIG', {
            detail: `${namespace} migration ${m.version} is recorded as "${recorded}" but the list calls it "${m.name}"; is the list run under the right namespace?`,
          });
        }
        continue;
      }
      try {
        await tx.execScript(m.up(db.dialect));
      } catch (e) {
        if (isPmError(e, 'PM_ERR_DB_UNAVAILABLE')) throw e;
        throw new PmError('PM_ERR_CONFIG', { detail: `${namespace} migration ${m.version} (${m.name}) failed: ${e instanceof Error ? e.message : String(e)}` }, { cause: e });
      }
      await tx.run('INSERT INTO pm_migration (namespace, version, name, applied_at) VALUES (?, ?, ?, ?)', [namespace, m.version, m.name, Date.now()]);
      applied.push(`${namespace}/${m.version} ${m.name}`);
    }
    return { applied };
  });
}
