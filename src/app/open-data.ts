import type { Config } from '../config/load-config.js';
import type { Db } from '../store/db.js';
import { coreMigrations } from '../store/core-migrations.js';
import { createStores } from '../store/create-stores.js';
import { migrate } from '../store/migrate.js';
import { openDb } from '../store/open-db.js';
import { THEME_FILE_NAMESPACE, themeFileMigrations } from '../store/theme-file-store.js';
import type { Site, Stores } from '../store/types.js';
import { prepareDataDir } from './create-app.js';
import { runtime } from './runtime.js';

/** The data without the server: what the CLI's maintenance commands work on. */
export async function openData(config: Config, opts: { dbSchema?: string } = {}): Promise<{ db: Db; stores: Stores; primary: Site; close(): Promise<void> }> {
  prepareDataDir(config.dir);
  const db = await openDb(config.dsn, { schema: opts.dbSchema, sqliteAddon: () => runtime().sqliteAddon(config.dir) });
  try {
    await migrate(db, coreMigrations);
    await migrate(db, themeFileMigrations, THEME_FILE_NAMESPACE);
    const stores = createStores(db);
    const primary = await stores.sites.ensurePrimary();
    return { db, stores, primary, close: () => db.close() };
  } catch (e) {
    await db.close();
    throw e;
  }
}
