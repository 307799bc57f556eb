/**
 * A real app on a temporary data folder, for tests through `app.http.inject`
 * (the same request path as a socket) or a real port.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppOptions } from '../../src/app/create-app.js';
import { loadConfig, type ConfigFlags } from '../../src/config/load-config.js';
import { openDb } from '../../src/store/open-db.js';
import type { Role, User } from '../../src/store/types.js';
import { DIALECTS, FAST_SCRYPT, POSTGRES_URL, type DialectName } from './dialects.js';

/**
 * The dialects a scenario suite runs on: SQLite always, PostgreSQL when
 * PM_TEST_POSTGRES_URL is set (`skip` says why not).
 * @example
 *   for (const { name: dialect, skip } of APP_DIALECTS) describe(`pages [${dialect}]`, { skip }, () => {
 *     before(async () => (t = await startTestApp({}, { dialect })));
 *   });
 */
export const APP_DIALECTS: readonly { name: DialectName; skip: string | false }[] = DIALECTS.map((d) => ({ name: d.name, skip: d.skip }));

export interface TestApp {
  app: App;
  dialect: DialectName;
  /** The PostgreSQL schema (dropped by close() unless it was passed in as `dbSchema`). */
  schema: string | undefined;
  dir: string;
  siteId: string;
  /** Creates a user with a password. */
  user(username: string, password: string, role?: Role): Promise<User>;
  /** Logs in through the auth service and returns the Cookie header value. */
  login(username: string, password: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestApp(
  flags: ConfigFlags = {},
  opts: AppOptions & { env?: NodeJS.ProcessEnv; dir?: string; dialect?: DialectName } = {},
): Promise<TestApp> {
  const dialect = opts.dialect ?? 'sqlite';
  if (dialect === 'postgres' && !POSTGRES_URL) throw new Error('startTestApp: the postgres dialect needs PM_TEST_POSTGRES_URL');
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'pm-app-'));
  // PostgreSQL: a schema of its own, dropped by close().
  const schema = dialect === 'postgres' ? (opts.dbSchema ?? `pm_test_${process.pid}_${randomBytes(5).toString('hex')}`) : undefined;
  const pgFlags = dialect === 'postgres' ? { dsn: POSTGRES_URL } : {};
  const config = loadConfig({ mode: 'singlesite', addr: '127.0.0.1:0', open: false, ...pgFlags, ...flags, dir }, opts.env ?? {});
  const dropSchema = async (): Promise<void> => {
    if (!schema || opts.dbSchema) return;
    const db = await openDb(POSTGRES_URL!);
    try {
      await db.execScript(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await db.close();
    }
  };
  let app: App;
  try {
    app = await createApp(config, { logger: false, storeOptions: { scrypt: FAST_SCRYPT }, ...opts, ...(schema ? { dbSchema: schema } : {}) });
  } catch (e) {
    await dropSchema();
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const siteId = app.sites.primary().siteId;
  return {
    app,
    dialect,
    schema,
    dir,
    siteId,
    async user(username, password, role = 'editor') {
      const u = await app.stores.users.create({ siteId, username, role, name: username });
      await app.stores.passwords.set(u.userId, password);
      return u;
    },
    async login(username, password) {
      const { setCookie } = await app.auth.login({ siteId, username, password, ip: '127.0.0.1', secure: false });
      return setCookie.split(';')[0];
    },
    async close() {
      try {
        await app.close();
      } finally {
        await dropSchema();
        if (!opts.dir) rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
