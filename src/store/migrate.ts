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
import type { Db, Queryable } from './db.js';
import { columnTypes, migrationContext, type MigrationContext } from './schema.js';

export type { MigrationContext } from './schema.js';

export interface Migration {
  /** Positive integer, strictly increasing within a list. Never reuse or renumber one that has shipped. */
  version: number;
  /** Short description, recorded with the version; also used to spot a list run under the wrong namespace. */
  name: string;
  /**
   * Builds the schema change with Kysely's schema builder and the typed column
   * helpers (`schema.createTable(…).addColumn('name', column.text, …).execute()`),
   * on the migration's transaction. Returning SQL text (the old style) still
   * works: it is run as a script.
   */
  up: (m: MigrationContext) => Promise<void> | string;
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

/** The table `migrate` keeps; declared as owned by the store (see core-tables.ts). */
export const MIGRATION_TABLE = 'pm_migration';

async function createMigrationTable(tx: Queryable, db: Db): Promise<void> {
  const column = columnTypes(db.dialect);
  await tx.kysely.schema
    .createTable(MIGRATION_TABLE)
    .ifNotExists()
    .addColumn('namespace', column.text, (c) => c.notNull())
    .addColumn('version', column.integer, (c) => c.notNull())
    .addColumn('name', column.text, (c) => c.notNull())
    .addColumn('applied_at', column.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('pm_migration_pkey', ['namespace', 'version'])
    .execute();
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
    done = Number((await db.kysely.selectFrom('pm_migration').select((eb) => eb.fn.max('version').as('v')).where('namespace', '=', namespace).executeTakeFirst())?.v ?? 0);
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
 *   await migrate(db, [{ version: 1, name: 'posts', up: async ({ schema, column }) => {
 *     await schema.createTable('pm_blog_post').addColumn('post_id', column.text, (c) => c.primaryKey()).execute();
 *   } }], 'blog');
 */
export async function migrate(db: Db, migrations: readonly Migration[], namespace = 'core'): Promise<{ applied: string[] }> {
  checkList(namespace, migrations);
  await copyIfUpgrading(db, migrations, namespace);
  return db.exclusive(LOCK_NAME, async (tx) => {
    // Inside the lock: two PostgreSQL processes running CREATE TABLE IF NOT EXISTS at once can still collide.
    await createMigrationTable(tx, db);
    const rows = await tx.kysely.selectFrom('pm_migration').select(['version', 'name']).where('namespace', '=', namespace).orderBy('version').execute();
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
        const script = await m.up(migrationContext(db.dialect, tx));
        if (typeof script === 'string') await tx.execScript(script);
      } catch (e) {
        if (isPmError(e, 'PM_ERR_DB_UNAVAILABLE')) throw e;
        throw new PmError('PM_ERR_CONFIG', { detail: `${namespace} migration ${m.version} (${m.name}) failed: ${e instanceof Error ? e.message : String(e)}` }, { cause: e });
      }
      await tx.kysely.insertInto('pm_migration').values({ namespace, version: m.version, name: m.name, applied_at: Date.now() }).execute();
      applied.push(`${namespace}/${m.version} ${m.name}`);
    }
    return { applied };
  });
}
