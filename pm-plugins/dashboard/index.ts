/**
 * The dashboard under /pm/: login, home, themes, users, profile, site
 * settings, and the stylesheet and scripts every dashboard page uses. Built on
 * the plugin API only. It provides `dashboard`, the page shell: another plugin
 * renders its own dashboard pages with `dependsOn: ['dashboard']` and
 * `server.use('dashboard')`.
 */
import type { Plugin } from '../../src/plugins/plugin.js';
import { sendAsset } from '../../src/plugins/plugin.js';
import { dashboardAssets } from './assets.js';
import { homeRoutes } from './home.js';
import { createDashboardShell, FAVICON_SVG, type Shell } from './layout.js';
import { loginRoutes } from './login.js';
import { menusRoutes } from './menus.js';
import { profileRoutes } from './profile.js';
import { settingsRoutes } from './settings.js';
import { stopRoutes } from './stop.js';
import { themesRoutes } from './themes.js';
import { usersRoutes } from './users.js';

const plugin: Plugin = {
  name: 'dashboard',
  provides: ['dashboard'],
  async init(server) {
    server.provide('dashboard', createDashboardShell(server, await dashboardAssets(server)));
  },
  routes(router, server) {
    const shell = server.use('dashboard') as Shell;
    // Refusals on these pages keep the dashboard around them, in plain words.
    router.errorPage((request, reply, e) => (request.pm ? shell.errorPage(request, reply, e) : server.sendError(request, reply, e)));
    const { css, js, forms } = shell.assets;
    router.get('/pm/assets/favicon.svg', (_request, reply) => reply.header('cache-control', 'public, max-age=86400').type('image/svg+xml').send(FAVICON_SVG), { description: 'The dashboard’s tab icon' });
    router.get('/pm/assets/dashboard.css', (request, reply) => sendAsset(request, reply, css), { description: 'The dashboard stylesheet' });
    router.get('/pm/assets/dashboard.js', (request, reply) => sendAsset(request, reply, js), { description: 'The dashboard script' });
    router.get('/pm/assets/forms.js', (request, reply) => sendAsset(request, reply, forms), { description: 'Array editing for JSON Schema forms' });
    loginRoutes(router, server, shell);
    homeRoutes(router, server, shell);
    menusRoutes(router, server, shell);
    themesRoutes(router, server, shell);
    usersRoutes(router, server, shell);
    profileRoutes(router, server, shell);
    settingsRoutes(router, server, shell);
    stopRoutes(router, server, shell);
  },
};

export default plugin;
