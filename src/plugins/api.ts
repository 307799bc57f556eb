/**
 * The plugin API's types: everything a plugin (built-in or the user's) may
 * see. A plugin imports them, and the few values it needs (PmError, html, the
 * form fields), from the one entry `src/plugins/plugin.ts`, published as
 * `pagemanager/plugin`. A plugin gets no Fastify root, no database driver and
 * no raw stores, only services; when a plugin needs something this file
 * lacks, this file grows.
 *
 * @example
 * ```ts
 * import type { Plugin } from 'pagemanager/plugin';
 * const plugin: Plugin = {
 *   name: 'hello',
 *   routes(router) {
 *     router.get('/hello', async (request) => `Hello from ${request.pm.site.title}`);
 *   },
 * };
 * export default plugin;
 * ```
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Mode } from '../config/load-config.js';
import type { Auth, SessionUser } from '../http/auth.js';
import type { Permission } from '../users/permissions.js';
import type { URLInfo } from '../http/url-info.js';
import type { PageService } from '../pages/page-service.js';
import type { MenuService } from '../pages/menu-service.js';
import type { SiteThemeService } from '../pages/site-theme-service.js';
import type { HistoryService } from '../pages/history-service.js';
import type { ContentList } from '../pages/content-list.js';
import type { LinkTargets } from '../pages/link-targets.js';
import type { NotFoundPage } from '../pages/not-found-page.js';
import type { TemplateUrlService } from '../pages/template-url-service.js';
import type { AddressService } from '../pages/address-service.js';
import type { DeclaredErrorCode, ErrorDef, PmError } from '../errors/errors.js';
import type { Kysely, sql } from 'kysely';
import type { Db } from '../store/db.js';
import type { Role, Site, Stores, User } from '../store/types.js';
import type { ReadonlyFS } from '../themes/readonly-fs.js';
import type { ThemesManager } from '../themes/themes-manager.js';
import type { UserService } from '../users/user-service.js';
import type { DashboardShell } from './dashboard-shell.js';
import type { EventBus } from './events.js';
import type { FileStorage } from '../files/file-storage.js';
import type { Jobs } from '../jobs/jobs.js';
import type { StorageUsage } from '../pages/storage-usage.js';
import type { SaveChecks } from '../pages/save-checks.js';

export type { EventBus, PmEvents } from './events.js';
export type { Job, JobHandler, Jobs } from '../jobs/jobs.js';
export type { Permission } from '../users/permissions.js';
export type { AddressService, Occupant, RouteRef } from '../pages/address-service.js';
export type { UserService, NewUser, UserPatch } from '../users/user-service.js';
export type { ReadonlyFS, FsEntry, FsStat } from '../themes/readonly-fs.js';
export type { Key, PageRecord, Role, Site, TemplateUrl, User } from '../store/types.js';
export type { ThemeInfo, TemplateConfig, ImageInfo, ImageResolver, ImageVariant } from '../themes/themes-manager.js';
export type { FileStorage, StoredFile } from '../files/file-storage.js';
export type { MenuChange, MenuChangeListener, MenuLink, MenuName, MenuRowInput, RenderedPage, SiteMenus } from '../pages/menu-service.js';
export type { Revision, TrashEntry } from '../pages/history-service.js';
export type { StorageUsage, StoredPart } from '../pages/storage-usage.js';
export type { ContentToSave, SaveCheck, SaveChecks } from '../pages/save-checks.js';
export type { FieldErrors } from '../forms/index.js';
export type { ContentEntry, ContentKind, ContentPage, ContentSort } from '../pages/content-list.js';

/** What every request carries by the time a route runs. */
export interface RequestContext {
  url: URLInfo;
  site: Site;
  /** The signed-in user as the session knows it (no database call with PM_SECRET_KEY). */
  session: SessionUser | undefined;
  /** How the user was authenticated. */
  via: 'cookie' | 'token' | 'offline' | undefined;
  /** Set when a content redirect (alias) brought the request here: the URL the visitor asked for. */
  aliasedFrom: string | undefined;
  /** The full user record, loaded once on first call. */
  user(): Promise<User | undefined>;
  /** A link inside this site, with its ~tilde and langcode prefixes. */
  link(path: string): string;
  /** The token a state-changing form must send back as `_csrf` (or the `x-csrf-token` header). */
  csrfToken(): string;
  /** True when the request came over HTTPS (X-Forwarded-Proto only with --trust-proxy). */
  secure: boolean;
  ip: string;
}

export type PmRequest = FastifyRequest & { pm: RequestContext };
export type PmReply = FastifyReply;
export type Handler = (request: PmRequest, reply: PmReply) => unknown;

export interface RouteOptions {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | ('GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE')[];
  url: string;
  handler: Handler;
  /**
   * Require a signed-in user with this permission. Anonymous HTML requests are
   * sent to the login page; JSON requests get 401; a user without it gets 403.
   */
  permission?: Permission;
  /** CSRF check on state-changing methods; on by default, off only for token-authenticated calls. */
  csrf?: boolean;
  /**
   * A route no visitor reaches by its own path: only through a URL that a
   * user aliased to it (a content redirect). This is how the blog index can sit at `/`.
   */
  pseudoroute?: boolean;
  /**
   * A dashboard page at an address outside /pm/ (the URL dashboard's pseudoroute, reached through
   * aliases such as /admin): it gets the dashboard's headers (no-store, no framing, noindex, its CSP),
   * as everything under /pm/ does.
   */
  dashboard?: boolean;
  /** Request body limit in bytes. */
  bodyLimit?: number;
  /** Per-IP rate limit for this route. */
  rateLimit?: { max: number; timeWindowMs: number };
  /** A one-line description for the URL dashboard's list of plugin routes. */
  description?: string;
}

export interface PluginRouter {
  get(url: string, handler: Handler, opts?: Partial<RouteOptions>): void;
  post(url: string, handler: Handler, opts?: Partial<RouteOptions>): void;
  put(url: string, handler: Handler, opts?: Partial<RouteOptions>): void;
  patch(url: string, handler: Handler, opts?: Partial<RouteOptions>): void;
  delete(url: string, handler: Handler, opts?: Partial<RouteOptions>): void;
  route(opts: RouteOptions): void;
  /**
   * How this plugin's HTML pages show a refusal (a 4xx PmError: forbidden,
   * not found, conflict), such as the dashboard's layout with the message in
   * plain words. JSON requests, 401 and 5xx keep the core's answer.
   */
  errorPage(render: ErrorPageRenderer): void;
}

/** Renders a refusal for `errorPage`; `error.params.who` may say who could ("Only an admin can manage themes."). */
export type ErrorPageRenderer = (request: PmRequest, reply: PmReply, error: { status: number; code: string; message: string; params: Record<string, string | number> }) => unknown;

/**
 * The stored page a component is rendered into: a template page (`kind: 'page'`, by its
 * site, langcode and path) or a blog post (`kind: 'post'`, with its `postId`).
 */
export interface ComponentPage {
  siteId: string;
  langcode: string;
  urlPath: string;
  kind: 'page' | 'post';
  postId?: string;
}

/** Renders one component (`it.components.NAME`) for one stored page; HTML the provider is responsible for escaping. */
export type ComponentProvider = (page: ComponentPage) => Promise<string> | string;

/** What a cached snippet depends on: a page change drops only the entries that named that page, or the site. */
export interface ComponentDeps {
  /** Dropped when one of these pages of the site is stored, replaced or deleted. */
  pages?: readonly { langcode: string; urlPath: string }[];
  /** Dropped when any page of the site changes. */
  site?: boolean;
}

/**
 * Components and the cache of HTML snippets. No table; bounded by bytes (an LRU).
 *
 * A plugin provides a component that templates include with `<%~ it.components.comments %>`;
 * every stored page (template pages and blog posts) is rendered with every component filled.
 * An entry stays until its plugin deletes it by key, a page it declared (`deps`) changes, or the
 * LRU needs its room.
 * @example
 *   server.components.provide('comments', (page) =>
 *     server.components.get(page.siteId, `comments:${page.langcode}:${page.urlPath}`, () => renderThread(page)));
 *   // a comment was approved: drop its snippet, then re-render that one page
 *   server.components.delete(siteId, key);
 *   await server.rerenderPage(page);
 */
export interface ComponentsCache {
  get(siteId: string, key: string, compute: () => Promise<string> | string, deps?: ComponentDeps): Promise<string>;
  /** Drops one entry (the data it shows changed). */
  delete(siteId: string, key: string): void;
  /** Drops every entry of a site (or of every site): a theme change, say. */
  invalidate(siteId?: string): void;
  /**
   * Offers `it.components.NAME` to every stored page's template. `shown` hears of each page whose
   * template actually included it (after the render). Returns a function that withdraws it.
   */
  provide(name: string, provider: ComponentProvider, opts?: { shown?: (page: ComponentPage) => Promise<void> | void }): () => void;
  /**
   * Every component for one page, as `it.components` (the page renderers call this; so does a
   * plugin that stores its own pages). The record notes which names the template reads: pass it
   * to `shown` once the page is rendered.
   */
  renderFor(page: ComponentPage): Promise<Record<string, string>>;
  /** After a render with `renderFor`'s record: tells the providers whose component the template included. */
  shown(page: ComponentPage, components: Record<string, string> | undefined): Promise<void>;
}

/**
 * Re-renders the stored pages of one kind a plugin owns (the blog registers `post`):
 * returns false when it has no such page.
 */
export type PageRerenderer = (page: ComponentPage) => Promise<boolean>;

export interface Logger {
  info(msg: string, obj?: Record<string, unknown>): void;
  warn(msg: string, obj?: Record<string, unknown>): void;
  error(msg: string, obj?: Record<string, unknown>): void;
  debug(msg: string, obj?: Record<string, unknown>): void;
}

/**
 * A plugin's migration: tables and columns declared with Kysely's schema
 * builder and the typed column helpers (`column.text` is byte-ordered on both
 * databases). See src/store/schema.ts.
 */
export type { Migration, MigrationContext } from '../store/migrate.js';
import type { Migration } from '../store/migrate.js';

/** A route a plugin registered, as the URL dashboard lists it. */
export interface RouteInfo {
  plugin: string;
  method: string;
  url: string;
  pseudoroute: boolean;
  description: string;
}

/** JSON Schema forms (see src/forms/README.md). */
export interface Forms {
  /** The fields of a form for `schema`, filled with `data`, errors beside their fields. */
  render: typeof import('../forms/index.js').renderForm;
  /** A urlencoded body back into typed JSON following the schema. */
  parse: typeof import('../forms/index.js').parseFormBody;
  /** The no-JavaScript add/remove/move buttons of array fields (`_pm_form_op`). */
  applyOp: typeof import('../forms/index.js').applyFormOp;
  /** ajv with every error, messages for people, keyed by field path. */
  validate(schema: unknown, data: unknown): import('../forms/index.js').ValidationResult;
  /** Client-side niceties for array fields, and the form stylesheet. */
  readonly script: string;
  readonly styles: string;
}

/**
 * Services plugins provide to each other, by name (`provides` / `dependsOn`).
 * A plugin that provides one adds its type here by declaration merging:
 * `declare module 'pagemanager/plugin' { interface PluginServices { blog: BlogService } }`.
 */
export interface PluginServices {
  /** The dashboard's page shell (the dashboard plugin). */
  dashboard: DashboardShell;
}

export interface PluginServer {
  readonly name: string;
  readonly mode: Mode;
  readonly db: Db;
  /**
   * The query builder for this plugin's own tables (runs on `db`; inside
   * `db.transaction(async (tx) => …)` build on `tx.kysely`). Give it your tables' types:
   * @example
   *   const k = server.kysely.withTables<{ pm_fruit: { name: string; colour: string } }>();
   *   const fruits = await k.selectFrom('pm_fruit').select(['name', 'colour']).orderBy('name').execute();
   */
  readonly kysely: Kysely<{}>;
  /** Kysely's `sql` tag, for what the builder lacks (`sql\`used_bytes + ${n}\``); values become parameters. */
  readonly sql: typeof sql;
  readonly dbType: 'sqlite' | 'postgres';
  /** Runs this plugin's own migrations (namespaced by plugin name). */
  migrate(migrations: Migration[]): Promise<void>;
  /** This plugin's `[plugins.NAME]` section of config.toml. */
  readonly config: Record<string, unknown>;
  /** sanitize-html with the site policy: use it on any HTML a user typed. */
  sanitize(html: string): string;
  renderMarkdown(md: string): string;
  readonly forms: Forms;
  /** Users, passwords, roles and API tokens, with their rules. */
  readonly users: UserService;
  /** What may be stored at which address: pages, redirects, aliases, renames, deletes. */
  readonly addresses: AddressService;
  /** Where a page's links lead: which of them nothing answers yet (the editor offers to create those pages). */
  readonly links: LinkTargets;
  /** The site's not-found page: the page chosen in Site settings, else one made from the theme's not-found template; it answers every unknown address with 404. */
  readonly notFoundPage: NotFoundPage;
  readonly pages: PageService;
  readonly templates: TemplateUrlService;
  /** The site's primary and footer menus, per language; saving one re-renders the pages that show it. */
  readonly menus: MenuService;
  /** Each site's active theme (new pages, the welcome and 404 pages); applying one moves the pages whose template it has. */
  readonly siteThemes: SiteThemeService;
  /** Revisions of template pages and the trash of deleted ones. */
  readonly history: HistoryService;
  /** The site's pages (one entry each, with their languages), redirects and aliases: searched, sorted, paged, counted. */
  readonly content: ContentList;
  readonly components: ComponentsCache;
  /**
   * Renders ONE stored page again, and nothing else: a template page by site, langcode and
   * path, or (`kind: 'post'`) a blog post through the plugin that registered that kind.
   * Returns false when there is no such stored page (nothing is written then).
   * @example await server.rerenderPage({ siteId, langcode: '', urlPath: '/about', kind: 'page' })
   */
  rerenderPage(page: ComponentPage): Promise<boolean>;
  /** Says how `rerenderPage` renders the pages of a kind this plugin stores itself (the blog: `post`). */
  registerPageKind(kind: 'post', rerender: PageRerenderer): void;
  /**
   * A secret of this installation for this plugin (HMAC keys: signed tokens, unsubscribe links),
   * the same on every instance sharing the database, different per plugin and per name.
   */
  secret(name: string): string;
  readonly themes: ThemesManager;
  readonly auth: Auth;
  readonly sites: SiteService;
  readonly log: Logger;
  readonly events: EventBus;
  /**
   * Where uploaded files live: the data folder's `pm-uploads/`, or an S3-compatible
   * bucket when PM_S3_BUCKET is set. Keys are plain relative paths (see src/files/).
   */
  readonly uploads: FileStorage;
  /** Jobs run at a time by exactly one instance (see src/jobs/README.md). */
  readonly jobs: Jobs;
  /**
   * What each site stores, part by part (the core's pages, counted as written, and their history;
   * a plugin adds its own, measured with `count` or counted in its transactions with `counted` +
   * `add`), in bytes: what a storage quota adds up. The quota's keeper registers its limit with
   * `limit`; page writes past it are then refused.
   * @example server.usage.count('fruits', (siteId) => myBytes(siteId))
   * @example await db.transaction(async (tx) => { await insertFruit(tx, f); await server.usage.add(siteId, 'fruits', f.bytes, tx); })
   */
  readonly usage: StorageUsage;
  /**
   * Checks of what a user saves, whichever door it comes through: template pages run them in
   * `templates.save`; a plugin's own content runs them itself (`run`) before storing. Errors are by
   * field path and refuse the save, shown beside the field with what was typed.
   * @example server.saveChecks.add(async ({ data }) => (tooLong(data) ? { body: ['Keep it under a million words.'] } : undefined))
   */
  readonly saveChecks: SaveChecks;
  /**
   * Whole-site backups (docs/backup.md): stream one, or store one in the backups storage
   * (the data folder's pm-backups/ or the bucket) keeping the newest N.
   * @example await server.backups.write(reply.raw)
   */
  readonly backups: import('../backup/backup-service.js').BackupService;
  /** Every route registered by every plugin (for the URL dashboard). */
  routes(): RouteInfo[];
  /** Known locales (locales.txt). */
  readonly locales: ReadonlySet<string>;
  /**
   * The files pagemanager ships (built-in themes, locales.txt, the built-in
   * plugins' stylesheets and scripts), wherever it runs from: the checkout,
   * dist/ or the single executable.
   * @example (await server.shippedFiles.readFile('pm-plugins/dashboard/dashboard.css')).toString('utf8')
   */
  readonly shippedFiles: ReadonlyFS;
  /**
   * Asks pagemanager to stop as SIGTERM would (requests in flight finish, the
   * database closes, the process exits 0). Only in offline mode, where the
   * dashboard's "Stop pagemanager" button serves a user who started it without
   * a terminal; elsewhere it throws PM_ERR_FORBIDDEN.
   */
  requestStop(): void;
  /**
   * The one canonical form of a page path, as the page store keys it
   * (`/about/` and `/about` are the same page). Throws PM_ERR_PATH_INVALID.
   * @example server.normalizeUrlPath('/caf%C3%A9/') // '/café'
   */
  normalizeUrlPath(input: string): string;
  /** Whether a role has a permission; plugins check permissions, never role names. */
  can(role: Role | undefined, permission: Permission): boolean;
  /** Every permission a role has. */
  permissionsOf(role: Role): Permission[];
  /** Renders an error (PmError or not) as the response: HTML page or JSON by Accept. */
  sendError(request: PmRequest, reply: PmReply, err: unknown): PmReply;
  /**
   * An error with one of the codes this plugin declared in `errors`; throw
   * it from a route and the client gets that status, code and message.
   * @example throw server.error('PM_ERR_FRUIT_NOT_FOUND', { name })
   */
  error(code: DeclaredErrorCode, params?: Record<string, string | number>, opts?: { cause?: unknown; fields?: Record<string, string> }): PmError;
  /** Offers a service to the plugins that depend on this one; call it in `init`, for a name in `provides`. */
  provide<K extends keyof PluginServices>(name: K, service: PluginServices[K]): void;
  provide(name: string, service: unknown): void;
  /** A service another plugin provides; the name must be in this plugin's `dependsOn`. */
  use<K extends keyof PluginServices>(name: K): PluginServices[K];
  use<T = unknown>(name: string): T;
}

/** Sites, changed so that the in-memory table the request path uses follows. */
export interface SiteService {
  list(): Site[];
  create(input: { domain?: string; subdomain?: string; tildePrefix?: string; title?: string }): Promise<Site>;
  update(siteId: string, patch: Parameters<Stores['sites']['update']>[1]): Promise<Site>;
}

export interface Plugin {
  /** Letters, digits, dashes and underscores; `[plugins.NAME]` in config.toml is its section. */
  name: string;
  /** Services this plugin offers to others (with `server.provide` in `init`). Its own name counts too. */
  provides?: string[];
  /** Plugins or services this one needs: they load first, and a missing one stops the start with a message. */
  dependsOn?: string[];
  /** This plugin's own error codes (PM_ERR_…, not one of the core's), thrown with `server.error(code, params)`. */
  errors?: Record<DeclaredErrorCode, ErrorDef>;
  /**
   * The tables this plugin's migrations create (a backup lists and copies them; a test checks that
   * every table in the database is declared by the core or a plugin).
   */
  tables?: readonly string[];
  /**
   * What a static copy of the site (`pagemanager export-static`) shows in place of a form that
   * posts to this plugin's routes: a static host answers no POST, so such a form could only fail.
   * Keys are path prefixes of the form's `action` (a language or `~site` prefix before it is
   * allowed); the notice is one line of text, in a `<p>` of `className` (`pm-export-closed` if
   * none). A form inside a `<details>` of its own (a "Reply" disclosure) goes with its details.
   * Forms no plugin names get "This form cannot be sent from this copy of the site."
   * @example
   *   staticExport: { formNotices: { '/pm-guestbook/': { text: 'The guestbook is closed on this copy of the site.' } } },
   */
  staticExport?: { formNotices?: Record<string, { text: string; className?: string }> };
  /** Runs first, for every plugin, in load order. Throwing stops the start with a message naming the plugin. */
  init?(server: PluginServer): Promise<void> | void;
  /** Runs after every init. */
  routes?(router: PluginRouter, server: PluginServer): Promise<void> | void;
  close?(): Promise<void> | void;
}
