/**
 * The last way into the URL dashboard. The URL dashboard lives at a
 * pseudoroute, reached only through aliases (`/pm/urls` by default); a write
 * that would take away the last alias leading there (a delete, a rename, a
 * redirect or page written over it) is refused with PM_ERR_LAST_URL_DASHBOARD.
 *
 * Those writes run under a per-site lock that every process on the database
 * respects (`Db.withLock`; two processes can share a SQLite file too): two
 * requests deleting the last two aliases at once leave one. The address
 * service owns the lock and asks this guard before each such write.
 */
import { PmError } from '../errors/errors.js';
import type { Db } from '../store/db.js';
import type { PageRecord } from '../store/types.js';
import type { PageService } from './page-service.js';

/** The URL dashboard's own path: a pseudoroute, reached only through aliases such as /pm/urls. */
export const URL_DASHBOARD_ROUTE = '/pm-url-dashboard';
/** The alias every site gets when it has no way into the URL dashboard. */
export const DEFAULT_URL_DASHBOARD_ALIAS = '/pm/urls';
/** The plugin whose pseudoroutes count as "the URL dashboard". */
export const URL_DASHBOARD_PLUGIN = 'url-dashboard';

const SCAN_PAGE = 500;

/** A route as the address rules need to know it (RouteInfo of the plugin API). */
export interface RouteRef {
  plugin: string;
  method: string;
  url: string;
  pseudoroute: boolean;
}

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

export interface UrlDashboardEntries {
  /** Whether a content URL leads to a URL dashboard pseudoroute. */
  leadsToUrlDashboard(contentUrl: string): boolean;
  /** Throws PM_ERR_LAST_URL_DASHBOARD when a write at the address would take away the last way in. `replacement`: the content URL an alias write puts there instead. */
  assertCanReplace(siteId: string, langcode: string, urlPath: string, replacement?: string): Promise<void>;
  /** The refusal a delete of this address would get now, if any. */
  lastEntryRefusal(siteId: string, langcode: string, path: string): Promise<PmError | undefined>;
  /** Every alias (any locale, hidden or not) that leads to the URL dashboard, read from the page store now. */
  urlDashboardEntries(siteId: string): Promise<PageRecord[]>;
  /** Runs `fn` under the site's lock, which every process on the database respects. */
  locked<T>(siteId: string, fn: () => Promise<T>): Promise<T>;
}

export function createUrlDashboardEntries(deps: { db: Db; pages: PageService; routes: () => readonly RouteRef[] }): UrlDashboardEntries {
  const { db, pages } = deps;

  const dashboardRoutes = () => deps.routes().filter((r) => r.plugin === URL_DASHBOARD_PLUGIN && r.pseudoroute);
  const leadsToUrlDashboard = (contentUrl: string) => dashboardRoutes().some((r) => routeMatches(r.url, contentUrl));
  const isWayIn = (p: PageRecord) => p.kind === 'content' && p.contentUrl !== null && leadsToUrlDashboard(p.contentUrl);

  async function* allPages(siteId: string): AsyncGenerator<PageRecord> {
    for (let offset = 0; ; offset += SCAN_PAGE) {
      const batch = await pages.list(siteId, { limit: SCAN_PAGE, offset });
      yield* batch;
      if (batch.length < SCAN_PAGE) return;
    }
  }

  async function assertCanReplace(siteId: string, langcode: string, urlPath: string, replacement?: string): Promise<void> {
    const current = await pages.get(siteId, langcode, urlPath);
    if (!current || !isWayIn(current)) return;
    if (replacement !== undefined && leadsToUrlDashboard(replacement)) return;
    // Any other alias, in any locale, hidden or not, is still a way in for a signed-in user.
    for await (const p of allPages(siteId)) if (isWayIn(p) && !(p.langcode === langcode && p.urlPath === urlPath)) return;
    throw new PmError('PM_ERR_LAST_URL_DASHBOARD');
  }

  return {
    leadsToUrlDashboard,
    assertCanReplace,
    // A check and the write it allows, one at a time per site across every process on the
    // database (two processes can share a SQLite file too): see `Db.withLock`.
    locked: <T>(siteId: string, fn: () => Promise<T>): Promise<T> => db.withLock(`pm-url-dashboard-entries:${siteId}`, fn),
    async lastEntryRefusal(siteId, langcode, path) {
      try {
        await assertCanReplace(siteId, langcode, path);
        return undefined;
      } catch (e) {
        if (e instanceof PmError && e.code === 'PM_ERR_LAST_URL_DASHBOARD') return e;
        throw e;
      }
    },
    async urlDashboardEntries(siteId) {
      const out: PageRecord[] = [];
      // Any content URL to the URL dashboard's own path counts, even before its routes are registered.
      for await (const p of allPages(siteId)) if (p.kind === 'content' && p.contentUrl !== null && (p.contentUrl === URL_DASHBOARD_ROUTE || leadsToUrlDashboard(p.contentUrl))) out.push(p);
      return out;
    },
  };
}
