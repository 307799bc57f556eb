/**
 * The rest of the composition root, after createApp (create-app.ts) has what answers stored
 * pages: themes, forms, the Fastify routes, plugins, jobs, the welcome page. Imported when it
 * is needed, so `pagemanager serve` can listen before any of this is loaded.
 */
import { randomBytes } from 'node:crypto';
import { sql } from '../store/kysely.js';
import { join } from 'node:path';
import { createFormValidator, renderMarkdown, SANITIZE_OPTIONS } from '../forms/index.js';
import { requireSanitizeHtml } from '../forms/lazy-libs.js';
import { createHttpServer } from '../http/create-server.js';
import { createCsrf } from '../http/csrf.js';
import { startIdleCollector } from '../http/idle-memory.js';
import { linkProblem } from '../pages/link-url.js';
import { SEO_PROPERTY } from '../pages/seo.js';
import { createSiteThemeService } from '../pages/site-theme-service.js';
import { createSiteSettingStore } from '../store/site-setting-store.js';
import { createHistoryService } from '../pages/history-service.js';
import { createStorageUsage } from '../pages/storage-usage.js';
import { createSaveChecks } from '../pages/save-checks.js';
import { createContentList } from '../pages/content-list.js';
import { createHistoryStore } from '../store/history-store.js';
import { createTemplateUrlService } from '../pages/create-template-url-service.js';
import { createMenuService } from '../pages/menu-service.js';
import { memoryReducingCollection } from '../pages/page-cache.js';
import type { TemplateUrlService } from '../pages/template-url-service.js';
import { createAddressService } from '../pages/address-service.js';
import { createLinkTargets } from '../pages/link-targets.js';
import type { PageRerenderer, Plugin, RouteInfo, SiteService } from '../plugins/api.js';
import { createNotFoundPage } from '../pages/not-found-page.js';
import { discoverPlugins, importPlugin, orderPlugins } from '../plugins/load-plugins.js';
import { createJobs } from '../jobs/jobs.js';
import { ownedTables } from '../store/core-tables.js';
import { createMenuStore } from '../store/menu-store.js';
import { openDb } from '../store/open-db.js';
import { createThemeFileStore } from '../store/theme-file-store.js';
import { createDbFS } from '../themes/db-fs.js';
import { createDirFS } from '../themes/dir-fs.js';
import { createOverlayFS } from '../themes/overlay-fs.js';
import { createThemesManager, type ThemesManager } from '../themes/themes-manager.js';
import { createBackupStorage, createUploadStorage } from '../files/index.js';
import { createBackupService } from '../backup/backup-service.js';
import { createUserService } from '../users/user-service.js';
import { PmError } from '../errors/errors.js';
import { ensureWelcomePage } from './first-run.js';
import { BUILTIN_PLUGINS } from './builtin-plugins.js';
import { runtime } from './runtime.js';
import { createForms, createPluginServer } from './plugin-server.js';

import { THEMES_DB_ROOT, type App, type FrontParts } from './create-app.js';

/** Builds the rest of the app on what createApp made; the caller closes `front.closers` if it throws. */
export async function composeApp(front: FrontParts): Promise<App> {
  const { config, opts, db, closers, closeAll, stores, primary, sites, events, components, pages, auth, locales } = front;
  const listening = opts.listenEarly === true;
  const themes = createThemesManager({
    // The user's folder wins over themes installed into the database, which win over the built-in ones.
    fs: createOverlayFS([
      createDirFS(join(config.dir, 'pm-themes')),
      createDbFS(createThemeFileStore(db, THEMES_DB_ROOT)),
      runtime().files('pm-themes'),
    ]),
    md: renderMarkdown,
    // Every page has an SEO section, whatever its template (src/pages/seo.ts).
    sharedProperties: { seo: SEO_PROPERTY },
  });

  const csrfSecret = config.secretKey ?? (await stores.keys.getOrCreateSecret(primary.siteId, 'csrf', () => randomBytes(32).toString('base64url')));
  const csrf = createCsrf(csrfSecret);
  // The routes' services below are reached only once the routes are open (see listenEarly).
  const http = createHttpServer({
    front: front.server,
    config,
    stores,
    sites,
    locales,
    pages,
    auth,
    csrf,
    themes,
    defaultTheme: (siteId) => (siteId ? siteThemes.active(siteId) : config.theme),
    menus: (siteId, langcode) => menus.forRender(siteId, langcode),
    notFoundPage: (siteId, langcode) => notFoundPage.page(siteId, langcode),
    offlineUser: front.offlineUser,
    logger: opts.logger ?? false,
  });

  await themes.load();
  if (config.strictThemes) {
    const problems = (await themes.check()).filter((t) => t.errors.length);
    if (problems.length) {
      const list = problems.flatMap((t) => t.errors.map((e) => `  ${t.themeId}: ${e}`)).join('\n');
      throw new PmError('PM_ERR_CONFIG', { detail: `--strict-themes: the themes have errors:\n${list}` });
    }
  }

  // Link fields of every form refuse javascript:, data: and other schemes (the rule lives in src/pages/link-url.ts).
  // The menus render into every page; the template service renders and the menu service asks it to re-render.
  let templates!: TemplateUrlService;
  const menus = createMenuService({ db, store: createMenuStore(db), templates: () => templates, getSite: (id) => sites.get(id) });
  await menus.start();
  closers.push(() => menus.close());

  const siteSettings = createSiteSettingStore(db);
  const history = createHistoryService({ store: createHistoryStore(db), settings: siteSettings, pages, templates: () => templates, addresses: () => addresses });

  const validator = createFormValidator({ checkLink: (v) => (v === '' ? undefined : linkProblem(v)) });
  const saveChecks = createSaveChecks();
  templates = createTemplateUrlService({
    store: stores.templateUrls,
    usage: stores.usage,
    pages,
    themes,
    getSite: (id) => sites.get(id),
    validate: (schema, data) => validator.validate(schema as never, data),
    menus: (siteId, langcode) => menus.forRender(siteId, langcode),
    history,
    components,
    checks: saveChecks,
  });

  const notFoundPage = createNotFoundPage({
    pages,
    templates: () => templates,
    store: stores.templateUrls,
    settings: siteSettings,
    notFoundTemplates: () => themes.list().flatMap((t) => (t.notFound ? [{ themeId: t.id, templateName: t.notFound }] : [])),
  });
  front.late.notFoundPage = notFoundPage;

  const siteThemes = createSiteThemeService({ db, settings: siteSettings, themes, templates, defaultTheme: () => config.theme });
  await siteThemes.start(sites.all().map((s) => s.siteId));
  closers.push(() => siteThemes.close());

  const siteService: SiteService = {
    list: () => sites.all(),
    async create(input) {
      const s = await stores.sites.create(input);
      sites.replace(await stores.sites.list());
      events.emit('site.changed', { siteId: s.siteId });
      return s;
    },
    async update(siteId, patch) {
      const s = await stores.sites.update(siteId, patch);
      if (patch.enabledLocales) await stores.locales.set(siteId, patch.enabledLocales);
      sites.replace(await stores.sites.list());
      events.emit('site.changed', { siteId });
      return s;
    },
  };

  const uploads = createUploadStorage(config.dir, opts.env ?? process.env);
  closers.push(() => uploads.close());
  const backupStorage = createBackupStorage(config.dir, opts.env ?? process.env);
  closers.push(() => backupStorage.close());
  const backups = createBackupService({
    db,
    // A second connection for the snapshot, so the server's own keeps answering (an in-memory SQLite has only one).
    openSnapshotDb: config.dsn === ':memory:' ? undefined : () => openDb(config.dsn, { schema: opts.dbSchema, sqliteAddon: () => runtime().sqliteAddon(config.dir) }),
    declaredTables: () => ownedTables(plugins),
    uploads,
    storage: backupStorage,
    dataDir: config.dir,
    programVersion: runtime().version,
  });
  if (uploads.kind === 'folder' && db.dialect.crossProcessNotify) {
    http.fastify.log.warn(`uploads are kept in the folder ${uploads.location}; other instances on this PostgreSQL database will not see them (set PM_S3_BUCKET to share a bucket)`);
  }

  const jobs = createJobs({ db, log: (msg, err) => http.fastify.log.error({ err }, msg) });
  const routes: RouteInfo[] = [];
  const users = createUserService({ stores, revokeUser: (userId) => auth.revokeUser(userId) });
  const addresses = createAddressService({ db, pages, templates, routes: () => routes, getSite: (id) => sites.get(id), trash: (old) => history.onRemovePage(old) });
  const links = createLinkTargets({ addresses, routes: () => routes });
  const found = discoverPlugins(opts.builtInPlugins ?? BUILTIN_PLUGINS, join(config.dir, 'pm-plugins'));
  const loaded: Plugin[] = [];
  const disabled = new Set<string>();
  for (const f of found) {
    const section = config.plugins[f.folder] ?? {};
    if (section.enabled === false) {
      disabled.add(f.folder);
      continue;
    }
    loaded.push(await importPlugin(f));
  }
  loaded.push(...(opts.extraPlugins ?? []));
  const plugins = orderPlugins(loaded, disabled);

  // What plugins get: reloading themes also re-renders every page that uses a changed one.
  const pluginThemes: ThemesManager = {
    ...themes,
    async reload() {
      const r = await themes.reload();
      await templates.rerenderThemes(r.changed);
      events.emit('themes.reloaded', r);
      return r;
    },
  };
  const content = createContentList({ templates, pages });
  let stopRequested = false;
  const requestStop = () => {
    if (config.mode !== 'offline') throw new PmError('PM_ERR_FORBIDDEN', { action: 'stop pagemanager outside offline mode' });
    if (stopRequested) return;
    stopRequested = true;
    // After this response has gone out: the answer to the click must reach the browser first.
    setTimeout(() => (opts.onStopRequested ? opts.onStopRequested() : void closeAll().catch(() => {})), 100).unref();
  };
  const pageKinds = new Map<string, PageRerenderer>();
  const shared = { pageKinds, installationSecret: csrfSecret, config, db, pages, users, addresses, links, notFoundPage, templates, menus, siteThemes, history, components, themes: pluginThemes, auth, siteService, events, routes, locales, http, csrf, uploads, backups, shippedFiles: runtime().files(), requestStop, usage: createStorageUsage(db, stores.usage), saveChecks, forms: createForms(validator), provided: new Map<string, unknown>(), sanitize: (html: string) => requireSanitizeHtml()(html, SANITIZE_OPTIONS) };
  // Plugins that render pages of their own (the blog) hear of a theme switch as a change of the site.
  const pluginSiteThemes: typeof siteThemes = {
    ...siteThemes,
    async apply(siteId, themeId) {
      const r = await siteThemes.apply(siteId, themeId);
      events.emit('site.changed', { siteId });
      return r;
    },
  };
  const servers = plugins.map((p) => createPluginServer(p, { ...shared, content, siteThemes: pluginSiteThemes, jobs }));
  for (const [i, p] of plugins.entries()) {
    try {
      await p.init?.(servers[i]);
    } catch (e) {
      if (e instanceof PmError && e.code === 'PM_ERR_PLUGIN_INIT') throw e;
      throw new PmError('PM_ERR_PLUGIN_INIT', { plugin: p.name, detail: (e as Error).message }, { cause: e });
    }
    if (p.close) closers.push(() => p.close!());
  }
  for (const [i, p] of plugins.entries()) {
    if (p.routes) http.fastify.register(async (scope) => p.routes!(servers[i].router(scope), servers[i]));
  }
  await http.fastify.ready();
  closers.push(() => http.fastify.close());
  // After every plugin defined its kinds: what came due while the server was down runs now.
  closers.push(() => jobs.close());
  if (opts.background !== false) await jobs.start();

  try {
    await ensureWelcomePage({ stores, templates, site: sites.primary(), themeId: siteThemes.active(sites.primary().siteId) });
  } catch (e) {
    // A broken default theme must not stop the start; the dashboard shows the theme's error.
    http.fastify.log.warn({ err: e }, 'could not create the welcome page');
  }
  front.late.started = true;
  if (listening) http.open();
  const idle = startIdleCollector({ activity: () => http.requests(), collect: memoryReducingCollection() });
  closers.push(() => idle.stop());

  return {
    config,
    db,
    stores,
    sites,
    siteService,
    pages,
    templates,
    menus,
    siteThemes,
    history,
    users,
    addresses,
    themes: pluginThemes,
    auth,
    events,
    http,
    plugins,
    jobs,
    uploads,
    async schemaVersions() {
      const rows = await db.all<{ namespace: string; version: number }>(sql`SELECT namespace, MAX(version) AS version FROM pm_migration GROUP BY namespace`);
      return Object.fromEntries(rows.map((r) => [r.namespace, Number(r.version)]));
    },
    tables: () => ownedTables(plugins),
    async listen() {
      if (!listening) await http.fastify.listen({ host: config.host, port: config.port });
      const a = http.server.address();
      const port = typeof a === 'object' && a ? a.port : config.port;
      const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
      return { host: config.host, port, url: `http://${shown}:${port}/` };
    },
    async close(o = {}) {
      if (o.drainMs !== undefined) {
        const { forced } = await http.drain(o.drainMs);
        if (forced) http.fastify.log.warn(`stopped: ${forced} connection(s) still busy after ${o.drainMs} ms were closed`);
      }
      await closeAll();
    },
  };
}
