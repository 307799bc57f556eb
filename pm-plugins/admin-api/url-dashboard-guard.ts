/**
 * The URL dashboard is a pseudoroute: nobody reaches it by its own path, only
 * through an alias (`/pm/urls` by default). Removing or overwriting the last
 * such alias would lock every user out of it, so the API refuses that write
 * with PM_ERR_LAST_URL_DASHBOARD.
 */
import { PmError } from '../../src/app/errors.js';
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

export interface UrlDashboardGuard {
  /** Whether a content URL leads to a URL dashboard pseudoroute. */
  leadsToDashboard(contentUrl: string): boolean;
  /**
   * Throws PM_ERR_LAST_URL_DASHBOARD when the page at this URL is the last
   * alias into the URL dashboard and the write would remove it. `replacement`
   * is the content URL an alias write puts there instead, if any.
   */
  assertCanReplace(siteId: string, langcode: string, urlPath: string, replacement?: string): Promise<void>;
}

export function createUrlDashboardGuard(server: PluginServer): UrlDashboardGuard {
  // Read on each call: routes are registered after this plugin's own routes() runs.
  const dashboardRoutes = (): RouteInfo[] => server.routes().filter((r) => r.plugin === URL_DASHBOARD_PLUGIN && r.pseudoroute);
  const leadsToDashboard = (contentUrl: string) => dashboardRoutes().some((r) => routeMatches(r.url, contentUrl));
  const isWayIn = (p: PageRecord) => p.kind === 'content' && p.contentUrl !== null && leadsToDashboard(p.contentUrl);

  return {
    leadsToDashboard,
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
