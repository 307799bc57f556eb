/**
 * A real app on a temporary data folder, for tests through `app.http.inject`
 * (the same request path as a socket) or a real port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppOptions } from '../../src/app/create-app.js';
import { loadConfig, type ConfigFlags } from '../../src/config/load-config.js';
import type { Role, User } from '../../src/store/types.js';
import { FAST_SCRYPT } from './dialects.js';

export interface TestApp {
  app: App;
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
  opts: AppOptions & { env?: NodeJS.ProcessEnv; dir?: string } = {},
): Promise<TestApp> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'pm-app-'));
  const config = loadConfig({ mode: 'singlesite', addr: '127.0.0.1:0', open: false, ...flags, dir }, opts.env ?? {});
  const app = await createApp(config, { logger: false, storeOptions: { scrypt: FAST_SCRYPT }, ...opts });
  const siteId = app.sites.primary().siteId;
  return {
    app,
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
      await app.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
