/**
 * Runs a test against every database dialect: SQLite always (in a temporary
 * folder), PostgreSQL when PM_TEST_POSTGRES_URL is set (each run in its own
 * uniquely named schema, dropped afterwards).
 *
 * @example
 *   forEachDialect('pages survive a restart', async ({ stores, site }) => {
 *     await stores.pages.upsert({ siteId: site.siteId, … });
 *   });
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { coreMigrations } from '../../src/store/core-migrations.js';
import { createStores } from '../../src/store/create-stores.js';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { openDb } from '../../src/store/open-db.js';
import type { ScryptParams } from '../../src/store/password-hash.js';
import type { StoreOptions } from '../../src/store/store-options.js';
import type { Site, Stores } from '../../src/store/types.js';

export type DialectName = 'sqlite' | 'postgres';

/** Cheap scrypt parameters so tests that set passwords stay fast; production uses DEFAULT_SCRYPT. */
export const FAST_SCRYPT: ScryptParams = { N: 2 ** 10, r: 8, p: 1, keyLen: 32, saltLen: 16 };

export const POSTGRES_URL = process.env.PM_TEST_POSTGRES_URL || undefined;

/** An empty database, not migrated. */
export interface TestDatabase {
  dialect: DialectName;
  /** What `openDb` was given: a file path, or the PostgreSQL URL (pass `schema` along with it). */
  dsn: string;
  schema?: string;
  db: Db;
  /**
   * Another connection to the same database, as a second process would have; closed by `cleanup`.
   * On SQLite, do not run transactions on both at once in one process (see src/store/README.md).
   */
  openAnother(): Promise<Db>;
  /** Closes every connection and deletes the database (folder or schema). */
  cleanup(): Promise<void>;
}

/** A migrated database with the core stores and the primary site. */
export interface DialectEnv extends TestDatabase {
  stores: Stores;
  site: Site;
}

export interface DialectCase {
  name: DialectName;
  /** Why this dialect is skipped, or false. */
  skip: string | false;
  openEmpty(): Promise<TestDatabase>;
  open(opts?: StoreOptions): Promise<DialectEnv>;
}

async function openEmptySqlite(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'pm-test-'));
  const dsn = join(dir, 'pagemanager.db');
  const db = await openDb(dsn);
  const others: Db[] = [];
  return {
    dialect: 'sqlite',
    dsn,
    db,
    async openAnother() {
      const other = await openDb(dsn);
      others.push(other);
      return other;
    },
    async cleanup() {
      for (const o of others) await o.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openEmptyPostgres(url: string): Promise<TestDatabase> {
  const schema = `pm_test_${process.pid}_${randomBytes(5).toString('hex')}`;
  const db = await openDb(url, { schema });
  const others: Db[] = [];
  return {
    dialect: 'postgres',
    dsn: url,
    schema,
    db,
    async openAnother() {
      const other = await openDb(url, { schema });
      others.push(other);
      return other;
    },
    async cleanup() {
      for (const o of others) await o.close();
      try {
        await db.execScript(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await db.close();
      }
    },
  };
}

async function withStores(empty: TestDatabase, opts: StoreOptions = {}): Promise<DialectEnv> {
  try {
    await migrate(empty.db, coreMigrations);
    const stores = createStores(empty.db, { scrypt: FAST_SCRYPT, ...opts });
    const site = await stores.sites.ensurePrimary();
    return { ...empty, stores, site };
  } catch (e) {
    await empty.cleanup();
    throw e;
  }
}

export const DIALECTS: readonly DialectCase[] = [
  {
    name: 'sqlite',
    skip: false,
    openEmpty: openEmptySqlite,
    open: async (opts) => withStores(await openEmptySqlite(), opts),
  },
  {
    name: 'postgres',
    skip: POSTGRES_URL ? false : 'PM_TEST_POSTGRES_URL is not set; set it (e.g. postgres://postgres@127.0.0.1:5432/test) to run the PostgreSQL half',
    openEmpty: () => openEmptyPostgres(POSTGRES_URL!),
    open: async (opts) => withStores(await openEmptyPostgres(POSTGRES_URL!), opts),
  },
];

/**
 * Registers one test per dialect, named `name [dialect]`, each with a fresh,
 * migrated database that is deleted afterwards.
 */
export function forEachDialect(name: string, fn: (env: DialectEnv, t: TestContext) => Promise<void>, opts: StoreOptions = {}): void {
  for (const dialect of DIALECTS) {
    test(`${name} [${dialect.name}]`, { skip: dialect.skip }, async (t) => {
      const env = await dialect.open(opts);
      try {
        await fn(env, t);
      } finally {
        await env.cleanup();
      }
    });
  }
}
