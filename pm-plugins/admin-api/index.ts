/**
 * The JSON admin API under `/pm/api/`: everything the dashboard does, for
 * scripts. Authenticated by the session cookie (writes then need the
 * `x-csrf-token` header; `GET /pm/api/me` gives it) or by an API token
 * (`Authorization: Bearer pm_…`). Errors are `{ code, message, fields? }`.
 * docs/api.md documents every call; test/api/api-docs.test.ts runs its examples.
 */
import type { Plugin } from '../../src/plugins/plugin.js';
import { registerPageRoutes } from './page-routes.js';
import { registerSiteRoutes } from './site-routes.js';
import { registerTemplateRoutes } from './template-routes.js';
import { registerTrashRoutes } from './trash-routes.js';
import { registerUserRoutes } from './user-routes.js';

const plugin: Plugin = {
  name: 'admin-api',
  routes(router, server) {
    registerPageRoutes(router, server);
    registerTemplateRoutes(router, server);
    registerUserRoutes(router, server);
    registerSiteRoutes(router, server);
    registerTrashRoutes(router, server);
  },
};

export default plugin;
