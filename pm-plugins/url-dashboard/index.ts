/**
 * The URL dashboard: every address of the site, and the forms that create,
 * edit, rename, redirect and delete them. Its index is a pseudoroute reached
 * through content redirects (aliases) — `/pm/urls` out of the box, and any
 * other a user adds, such as `/admin`. The last such alias cannot be deleted.
 */
import { DEFAULT_URL_DASHBOARD_ALIAS, URL_DASHBOARD_ROUTE, type Plugin, type PluginServer } from '../../src/plugins/plugin.js';
import { historyRoutes } from './history-pages.js';
import { pageEditorRoutes } from './page-editor.js';
import { urlActionRoutes } from './url-actions.js';
import { showUrlList } from './url-list.js';

/** Gives a site its way into the URL dashboard, unless it already has one (a user may have moved it). */
async function ensureEntry(server: PluginServer, siteId: string): Promise<void> {
  if ((await server.addresses.urlDashboardEntries(siteId)).length) return;
  await server.pages.alias(siteId, '', DEFAULT_URL_DASHBOARD_ALIAS, URL_DASHBOARD_ROUTE, { pseudoroute: true });
}

const plugin: Plugin = {
  name: 'url-dashboard',
  dependsOn: ['dashboard'],
  async init(server) {
    for (const site of server.sites.list()) await ensureEntry(server, site.siteId);
    server.events.on('site.changed', ({ siteId }) => {
      ensureEntry(server, siteId).catch((err) => server.log.error('could not give the site its URL dashboard alias', { siteId, err: String(err) }));
    });
  },
  routes(router, server) {
    const shell = server.use('dashboard');
    // Refusals on these pages keep the dashboard around them, in plain words.
    router.errorPage((request, reply, e) => (request.pm ? shell.errorPage(request, reply, e) : server.sendError(request, reply, e)));
    router.get(URL_DASHBOARD_ROUTE, (request, reply) => showUrlList(server, shell, request, reply), {
      pseudoroute: true,
      dashboard: true,
      permission: 'url-dashboard',
      description: 'The URL dashboard: every address of the site',
    });
    const pages = pageEditorRoutes(router, server, shell);
    urlActionRoutes(router, server, shell, pages);
    historyRoutes(router, server, shell);
  },
};

export default plugin;
