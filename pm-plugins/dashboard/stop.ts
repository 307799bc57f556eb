/**
 * Offline mode's "Stop pagemanager" button: a user who double-clicked the
 * program has no terminal to press Ctrl+C in. A POST (with the CSRF token, like
 * every form) stops it as SIGTERM would. Other modes have no such route.
 */
import { html, type PluginRouter, type PluginServer } from '../../src/plugins/plugin.js';
import type { Shell as DashboardShell } from './layout.js';

export function stopRoutes(router: PluginRouter, server: PluginServer, shell: DashboardShell): void {
  if (server.mode !== 'offline') return;
  router.post(
    '/pm/stop',
    async (request, reply) => {
      server.requestStop();
      return shell.page(request, reply, {
        title: 'pagemanager has stopped',
        body: html`<section class="card"><p>Your site is saved. You can close this tab.</p>
<p>To work on it again, start pagemanager again (double-click it, or run <code>pagemanager</code>).</p></section>`,
      });
    },
    { permission: 'site.settings', description: 'Stops pagemanager (offline mode only)' },
  );
}
