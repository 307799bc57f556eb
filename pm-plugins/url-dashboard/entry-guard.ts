/**
 * The URL dashboard is a pseudoroute: nobody reaches it by its own path, only
 * through an alias (`/pm/urls` by default). Removing or overwriting the last
 * such alias would lock every user out of it, so the dashboard's forms and the
 * JSON API (both use this module) refuse that write with PM_ERR_LAST_URL_DASHBOARD.
 * The check and the write run inside `guard.locked(siteId, …)`, so two requests
 * deleting the last two aliases at once cannot both pass the check: an
 * in-process chain per site, and on PostgreSQL also an advisory lock, so
 * instances sharing the database take turns too.
 */
import { PmError } from '../../src/errors/errors.js';
import type { PageRecord, PluginServer, RouteInfo } from '../../src/plugins/api.js';

/** The plugin whose pseudoroutes count as "the URL dashboard". */
export const URL_DASHBOARD_PLUGIN = 'url-dashboard';
const SCAN_PAGE = 500;

/** Whether a Fastify route pattern (`/a/:id`, `/files/*`) matches a concrete path. */
export function routeMatches(pattern: string, path: string): boolean {
  if (pattern === path) return true;
  if (!pattern.includes(':') && !pattern.includes('*')) return false;
  const re = pattern
    .split('/')
    .map((seg) => (seg === '*' ? '.*' : seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${re}$`).test(path);
}

/** One chain per site, shared by every plugin that imports this module. */
const siteLocks = new Map<string, Promise<void>>();

async function locked<T>(siteId: string, fn: () => Promise<T>): Promise<T> {
  const before = siteLocks.get(siteId) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = before.then(() => mine);
  siteLocks.set(siteId, tail);
  await before;
  try {
    return await fn();
  } finally {
    release();
    if (siteLocks.get(siteId) === tail) siteLocks.delete(siteId);
  }
}

export interface UrlDashboardGuard {
  /**
   * Runs a check and the write it allows without another guarded write on the
   * same site in between, in this process or in another one on the same
   * PostgreSQL database.
   */
  locked<T>(siteId: string, fn: () => Promise<T>): Promise<T>;
  /** Whether a content URL leads to a URL dashboard pseudoroute. */
  leadsToDashboard(contentUrl: string): boolean;
  /**
   * Throws PM_ERR_LAST_URL_DASHBOARD when the page at this URL is the last
   * alias into the URL dashboard and the write would remove it. `replacement`
   * is the content URL an alias write puts there instead, if any.
   */
  assertCanReplace(siteId: string, langcode: string, urlPath: string, replacement?: string): Promise<void>;
  /**
   * Addresses under /pm/ belong to the dashboard, and the page store is
   * consulted there before any route: a page at /pm/login would hide the
   * login form. Only an alias into the URL dashboard may go there (as the URL
   * dashboard itself allows), and never at the path of a route.
   */
  assertMayWriteAt(urlPath: string, aliasTo?: string): void;
}

export function createUrlDashboardGuard(server: PluginServer): UrlDashboardGuard {
  // Read on each call: routes are registered after this plugin's own routes() runs.
  const dashboardRoutes = (): RouteInfo[] => server.routes().filter((r) => r.plugin === URL_DASHBOARD_PLUGIN && r.pseudoroute);
  const leadsToDashboard = (contentUrl: string) => dashboardRoutes().some((r) => routeMatches(r.url, contentUrl));
  const isWayIn = (p: PageRecord) => p.kind === 'content' && p.contentUrl !== null && leadsToDashboard(p.contentUrl);

  // SQLite: one writer, and in practice one process; its `exclusive` would hold the
  // connection the page service needs. PostgreSQL: the advisory lock is held by its
  // own pooled connection while `fn` writes through the others.
  const acrossProcesses = <T>(siteId: string, fn: () => Promise<T>): Promise<T> =>
    server.db.dialect.singleWriter ? fn() : server.db.exclusive(`pm-url-dashboard-entries:${siteId}`, () => fn());

  return {
    locked: (siteId, fn) => locked(siteId, () => acrossProcesses(siteId, fn)),
    leadsToDashboard,
    assertMayWriteAt(urlPath, aliasTo) {
      if (urlPath !== '/pm' && !urlPath.startsWith('/pm/')) return;
      const reason = (why: string) => new PmError('PM_ERR_PATH_INVALID', { path: JSON.stringify(urlPath), reason: why });
      if (aliasTo === undefined || !leadsToDashboard(aliasTo)) throw reason('addresses under /pm/ belong to the dashboard; only an alias to the URL dashboard may go there');
      const route = server.routes().find((r) => routeMatches(r.url.replace(/(.)\/$/, '$1'), urlPath));
      if (route) throw reason(`it is a page of the ${route.plugin} plugin`);
    },
    async assertCanReplace(siteId, langcode, urlPath, replacement) {
      const current = await server.pages.get(siteId, langcode, urlPath);
      if (!current || !isWayIn(current)) return;
      if (replacement !== undefined && leadsToDashboard(replacement)) return;
      // Any other alias, in any locale, hidden or not, is still a way in for a signed-in user.
      for (let offset = 0; ; offset += SCAN_PAGE) {
        const batch = await server.pages.list(siteId, { limit: SCAN_PAGE, offset });
        if (batch.some((p) => isWayIn(p) && !(p.langcode === langcode && p.urlPath === urlPath))) return;
        if (batch.length < SCAN_PAGE) break;
      }
      throw new PmError('PM_ERR_LAST_URL_DASHBOARD');
    },
  };
}
