import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/load-config.js';
import { PmError } from '../errors/errors.js';
import { sql } from '../store/kysely.js';
import { applyFormOp, createFormValidator, FORM_SCRIPT, FORM_STYLES, parseFormBody, renderForm, renderMarkdown } from '../forms/index.js';
import type { Auth } from '../http/auth.js';
import type { HttpServer } from '../http/create-server.js';
import type { AddressService } from '../pages/address-service.js';
import type { LinkTargets } from '../pages/link-targets.js';
import type { NotFoundPage } from '../pages/not-found-page.js';
import type { PageService } from '../pages/page-service.js';
import type { MenuService } from '../pages/menu-service.js';
import type { SiteThemeService } from '../pages/site-theme-service.js';
import type { HistoryService } from '../pages/history-service.js';
import type { ContentList } from '../pages/content-list.js';
import type { TemplateUrlService } from '../pages/template-url-service.js';
import type { ComponentsCache, Logger, Plugin, PluginRouter, PluginServer, RouteInfo, SiteService } from '../plugins/api.js';
import { createPluginRouter } from '../plugins/create-router.js';
import type { EventBus } from '../plugins/events.js';
import type { Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import type { ReadonlyFS } from '../themes/readonly-fs.js';
import type { ThemesManager } from '../themes/themes-manager.js';
import { createCsrf } from '../http/csrf.js';
import { can, PERMISSIONS, type Permission } from '../users/permissions.js';
import type { UserService } from '../users/user-service.js';
import { normalizeUrlPath } from '../pages/url-path.js';

export interface SharedServices {
  config: Config;
  db: Db;
  pages: PageService;
  users: UserService;
  addresses: AddressService;
  links: LinkTargets;
  notFoundPage: NotFoundPage;
  templates: TemplateUrlService;
  menus: MenuService;
  siteThemes: SiteThemeService;
  history: HistoryService;
  content: ContentList;
  components: ComponentsCache;
  themes: ThemesManager;
  auth: Auth;
  siteService: SiteService;
  events: EventBus;
  uploads: import('../files/file-storage.js').FileStorage;
  backups: import('../backup/backup-service.js').BackupService;
  routes: RouteInfo[];
  locales: ReadonlySet<string>;
  http: HttpServer;
  csrf: ReturnType<typeof createCsrf>;
  sanitize(html: string): string;
  shippedFiles: import('../themes/readonly-fs.js').ReadonlyFS;
  requestStop(): void;
  forms: import('../plugins/api.js').Forms;
  jobs: import('../jobs/jobs.js').Jobs;
  usage: import('../pages/storage-usage.js').StorageUsage;
  saveChecks: import('../pages/save-checks.js').SaveChecks;
  /** Who re-renders the stored pages of a kind a plugin owns (`post`: the blog). */
  pageKinds: Map<string, import('../plugins/api.js').PageRerenderer>;
  /** The installation's secret (PM_SECRET_KEY, or the one kept in pm_key): plugins get keys derived from it. */
  installationSecret: string;
  /** What plugins provided to each other, by name (filled in load order). */
  provided: Map<string, unknown>;
}

export function createForms(validator = createFormValidator()): import('../plugins/api.js').Forms {
  return {
    render: renderForm,
    parse: parseFormBody,
    applyOp: applyFormOp,
    validate: (schema, data) => validator.validate(schema as never, data),
    script: FORM_SCRIPT,
    styles: FORM_STYLES,
  };
}

/** The view of the app one plugin gets, plus the hook the app uses to give it a router on its own scope. */
export function createPluginServer(plugin: Plugin, s: SharedServices): PluginServer & { router(scope: FastifyInstance): PluginRouter } {
  const pino = s.http.fastify.log.child({ plugin: plugin.name });
  const log: Logger = {
    info: (m, o) => pino.info(o ?? {}, m),
    warn: (m, o) => pino.warn(o ?? {}, m),
    error: (m, o) => pino.error(o ?? {}, m),
    debug: (m, o) => pino.debug(o ?? {}, m),
  };
  const provides = new Set([plugin.name, ...(plugin.provides ?? [])]);
  const needs = new Set(plugin.dependsOn ?? []);
  const misuse = (detail: string) => new PmError('PM_ERR_PLUGIN_INIT', { plugin: plugin.name, detail });
  return {
    name: plugin.name,
    mode: s.config.mode,
    db: s.db,
    kysely: s.db.kysely as unknown as PluginServer['kysely'],
    sql,
    dbType: s.db.dialect.name,
    migrate: async (migrations) => void (await migrate(s.db, migrations, `plugin_${plugin.name.replace(/[^A-Za-z0-9_-]/g, '_')}`)),
    config: s.config.plugins[plugin.name] ?? {},
    sanitize: s.sanitize,
    shippedFiles: s.shippedFiles,
    requestStop: s.requestStop,
    renderMarkdown,
    forms: s.forms,
    users: s.users,
    addresses: s.addresses,
    links: s.links,
    notFoundPage: s.notFoundPage,
    pages: s.pages,
    templates: s.templates,
    menus: s.menus,
    siteThemes: s.siteThemes,
    history: s.history,
    content: s.content,
    components: s.components,
    async rerenderPage(page) {
      if (page.kind === 'page') return s.templates.rerender(page.siteId, page.langcode, page.urlPath);
      const r = s.pageKinds.get(page.kind);
      return r ? r(page) : false;
    },
    registerPageKind(kind, rerender) {
      if (s.pageKinds.has(kind)) throw misuse(`it registers the page kind "${kind}", which another plugin already renders`);
      s.pageKinds.set(kind, rerender);
    },
    secret: (name) => createHmac('sha256', s.installationSecret).update(`plugin:${plugin.name}:${name}`).digest('base64url'),
    themes: s.themes,
    auth: s.auth,
    sites: s.siteService,
    log,
    events: s.events,
    uploads: s.uploads,
    backups: s.backups,
    jobs: s.jobs,
    usage: s.usage,
    saveChecks: s.saveChecks,
    routes: () => [...s.routes],
    locales: s.locales,
    normalizeUrlPath,
    can,
    permissionsOf: (role) => (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(role, p)),
    sendError: (request, reply, err) => s.http.sendError(request, reply, err),
    error(code, params, opts) {
      const def = plugin.errors?.[code];
      if (!def) throw misuse(`it threw ${code}, which is not in its errors list`);
      return PmError.of(code, def, params, opts);
    },
    provide(name: string, service: unknown) {
      if (!provides.has(name)) throw misuse(`it provides "${name}" without naming it in provides`);
      s.provided.set(name, service);
    },
    use(name: string) {
      if (!needs.has(name) && !provides.has(name)) throw misuse(`it uses "${name}" without naming it in dependsOn`);
      if (!s.provided.has(name)) throw misuse(`it uses "${name}", which its provider did not offer (server.provide in init)`);
      return s.provided.get(name) as never;
    },
    router: (scope) => createPluginRouter(scope, plugin.name, s.csrf, s.routes),
  };
}
