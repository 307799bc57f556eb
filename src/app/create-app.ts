import { accessSync, constants, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/load-config.js';
import { createAuth, type Auth } from '../http/auth.js';
import type { HttpServer } from '../http/create-server.js';
import { createFrontServer, type FrontServer } from '../http/front-server.js';
import { createSiteRegistry, parseLocales, type SiteRegistry } from '../http/site-registry.js';
import type { HistoryService } from '../pages/history-service.js';
import type { MenuService } from '../pages/menu-service.js';
import { createPageCache } from '../pages/page-cache.js';
import { createPageService, type PageService } from '../pages/page-service.js';
import type { TemplateUrlService } from '../pages/template-url-service.js';
import type { AddressService } from '../pages/address-service.js';
import type { SiteThemeService } from '../pages/site-theme-service.js';
import type { NotFoundPage } from '../pages/not-found-page.js';
import type { Plugin, SiteService } from '../plugins/api.js';
import { createEventBus, type EventBus } from '../plugins/events.js';
import { CONTENT_NAMESPACE, contentMigrations } from '../store/content-migrations.js';
import { jobMigrations, type Jobs } from '../jobs/jobs.js';
import { coreMigrations } from '../store/core-migrations.js';
import { LOCK_NAMESPACE, lockMigrations } from '../store/lease-lock.js';
import type { OwnedTable } from '../store/core-tables.js';
import { createStores } from '../store/create-stores.js';
import type { Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { openDb } from '../store/open-db.js';
import type { StoreOptions } from '../store/store-options.js';
import { THEME_FILE_NAMESPACE, themeFileMigrations } from '../store/theme-file-store.js';
import type { Site, Stores, User } from '../store/types.js';
import type { ReadonlyFS } from '../themes/readonly-fs.js';
import type { ThemesManager } from '../themes/themes-manager.js';
import type { FileStorage } from '../files/index.js';
import type { UserService } from '../users/user-service.js';
import { createComponentsCache } from './components-cache.js';
import { PmError } from '../errors/errors.js';
import type { BuiltinPlugin } from './builtin-plugins.js';
import { runtime } from './runtime.js';
/** Where `pagemanager install-theme` puts themes in the pm_theme_file table. */
export const THEMES_DB_ROOT = 'pm-themes';

export interface App {
  config: Config;
  db: Db;
  stores: Stores;
  sites: SiteRegistry;
  siteService: SiteService;
  pages: PageService;
  templates: TemplateUrlService;
  menus: MenuService;
  siteThemes: SiteThemeService;
  history: HistoryService;
  users: UserService;
  addresses: AddressService;
  themes: ThemesManager;
  auth: Auth;
  events: EventBus;
  http: HttpServer;
  plugins: Plugin[];
  jobs: Jobs;
  /** Where uploads are kept: the data folder's pm-uploads/ or an S3-compatible bucket. */
  uploads: FileStorage;
  /** Namespace ('core', 'jobs', a plugin's name) → the highest migration version applied. */
  schemaVersions(): Promise<Record<string, number>>;
  /** Every table in the database and who owns it (core stores, then plugins), in dependency order: what a backup copies. */
  tables(): OwnedTable[];
  /** Listens on config.host:config.port; resolves with the bound address. */
  listen(): Promise<{ host: string; port: number; url: string }>;
  /**
   * Closes everything. With `drainMs`, first stops accepting and lets responses in flight
   * finish (flushed to slow readers) for up to that long, then closes stalled connections.
   */
  close(opts?: { drainMs?: number }): Promise<void>;
}

export interface AppOptions {
  /** Pino options, or false for silence (tests). */
  logger?: boolean | object;
  /** Extra plugins (tests), loaded after the others. */
  extraPlugins?: Plugin[];
  /** The built-in plugins to load (tests may load fewer); default: all of them. */
  builtInPlugins?: readonly BuiltinPlugin[];
  /** PostgreSQL schema to use (tests isolate runs this way). */
  dbSchema?: string;
  /** What the Stop button (offline mode) does: `serve` stops as on SIGTERM; default: close the app. */
  onStopRequested?: () => void;
  /** Store options (tests lower the scrypt cost). */
  storeOptions?: StoreOptions;
  /** Where PM_S3_* settings are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** false: no jobs run (maintenance commands such as backup and restore). Default true. */
  background?: boolean;
  /**
   * Listen on config.host:config.port as soon as the page store can answer, before themes,
   * plugins and routes are ready (`pagemanager serve`); requests for routes wait until they
   * are. A listen error is thrown with `listenFailed: true`. Not for host `localhost`, which
   * Fastify's own listen binds on both 127.0.0.1 and ::1: `listen()` does it then.
   */
  listenEarly?: boolean;
}

/** Ensures the data folder exists and is writable, with a message that says which folder. */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    for (const sub of ['pm-themes', 'pm-plugins', 'pm-uploads']) mkdirSync(join(dir, sub), { recursive: true });
  } catch (e) {
    throw new PmError('PM_ERR_CONFIG', { detail: `the data folder ${dir} cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pick another with --dir` });
  }
}

/** Makes sure the first superadmin exists (offline mode); safe when two processes race. */
export async function ensureFirstSuperadmin(stores: Stores, siteId: string): Promise<User> {
  const existing = await stores.users.firstSuperadmin(siteId);
  if (existing) return existing;
  try {
    return await stores.users.create({ siteId, username: 'admin', name: 'Admin', role: 'superadmin' });
  } catch (e) {
    const again = await stores.users.firstSuperadmin(siteId);
    if (again) return again;
    throw e;
  }
}

/** The data folder's locales.txt, else the one pagemanager ships, else English alone. */
async function readLocales(userFile: string, shipped: ReadonlyFS): Promise<Set<string>> {
  for (const read of [() => readFile(userFile), () => shipped.readFile('locales.txt')]) {
    try {
      return parseLocales((await read()).toString('utf8'));
    } catch {
      // Try the next one.
    }
  }
  return new Set(['en']);
}

/** What createApp makes before the rest (compose-app.ts): enough to answer stored pages. */
export interface FrontParts {
  config: Config;
  opts: AppOptions;
  db: Db;
  /** Run in reverse order by closeAll (and by createApp when the start fails). */
  closers: (() => Promise<void> | void)[];
  closeAll(): Promise<void>;
  stores: Stores;
  primary: Site;
  sites: SiteRegistry;
  offlineUser: () => User | undefined;
  events: EventBus;
  components: ReturnType<typeof createComponentsCache>;
  pages: PageService;
  auth: Auth;
  locales: ReadonlySet<string>;
  /** Listening already when `opts.listenEarly` (a failed listen throws before compose-app.ts). */
  server: FrontServer;
  /** What compose-app.ts fills in: the not-found page, and whether the start finished. */
  late: { notFoundPage?: NotFoundPage; started: boolean };
}

/** The composition root: config → store → page store → (server listening) → compose-app.ts: themes → plugins → routes. */
export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  prepareDataDir(config.dir);
  const db = await openDb(config.dsn, { schema: opts.dbSchema, sqliteAddon: () => runtime().sqliteAddon(config.dir) });
  const closers: (() => Promise<void> | void)[] = [() => db.close()];
  const closeAll = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    await migrate(db, coreMigrations);
    await migrate(db, themeFileMigrations, THEME_FILE_NAMESPACE);
    await migrate(db, contentMigrations, CONTENT_NAMESPACE);
    await migrate(db, jobMigrations, 'jobs');
    await migrate(db, lockMigrations, LOCK_NAMESPACE);
    const stores = createStores(db, opts.storeOptions);
    const primary = await stores.sites.ensurePrimary();
    const sites = createSiteRegistry({ mode: config.mode, baseDomain: config.baseDomain, sites: await stores.sites.list() });
    let offlineUser: User | undefined;
    if (config.mode === 'offline') offlineUser = await ensureFirstSuperadmin(stores, primary.siteId);

    const log = { error: console.error } as const;
    const events = createEventBus((err, event) => log.error(`an event listener for ${event} failed:`, err));
    // A quarter of the page cache's budget (the snippets are parts of pages), at least 1 MiB.
    const components = createComponentsCache({ maxBytes: Math.max(1, config.cacheMb / 4) * 1024 * 1024 });
    /** Set once the rest is made (compose-app.ts). */
    const late: FrontParts['late'] = { started: false };
    const pages = createPageService({
      db,
      store: stores.pages,
      cache: createPageCache(config.cacheMb),
      sharedOrigin: (siteId) => config.mode === 'multisite' && Boolean(sites.get(siteId)?.tildePrefix),
      onChange: (change) => {
        components.pageChanged(change.siteId, change.langcode, change.urlPath);
        late.notFoundPage?.invalidate(change.siteId);
        events.emit('page.changed', change);
      },
    });
    await pages.start();
    closers.push(() => pages.close());
    const auth = createAuth({ stores, db, secretKey: config.secretKey, ttlMs: config.sessionTtlMs });
    await auth.start();
    closers.push(() => auth.close());
    const locales = await readLocales(join(config.dir, 'locales.txt'), runtime().files());
    const server = createFrontServer({ config, sites, locales, pages, auth, offlineUser: () => offlineUser });
    if (opts.listenEarly) {
      // Stored pages are served from here on: a restart keeps visitors waiting only this long.
      closers.push(() => {
        if (server.server.listening) server.server.close();
      });
      try {
        await server.listenEarly(config.host, config.port);
      } catch (e) {
        throw Object.assign(e as Error, { listenFailed: true });
      }
      // A start that fails from here answers the requests it held (and stops listening, above).
      closers.push(() => {
        if (!late.started) server.abort();
      });
    }
    // Themes, forms, Fastify and the plugins: loaded only now, while stored pages already answer.
    const { composeApp } = await import('./compose-app.js');
    return await composeApp({ config, opts, db, closers, closeAll, stores, primary, sites, offlineUser: () => offlineUser, events, components, pages, auth, locales, server, late });
  } catch (e) {
    await closeAll().catch(() => {});
    throw e;
  }
}
