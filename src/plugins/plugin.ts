/**
 * The one entry a plugin imports, built-in or not: `pagemanager/plugin`
 * (package.json "exports"). A plugin in the data folder's pm-plugins/ imports
 * it by that name too, as plain JavaScript:
 *
 * @example
 * ```js
 * // pagemanager-data/pm-plugins/hello/index.mjs
 * import { html } from 'pagemanager/plugin';
 * export default {
 *   name: 'hello',
 *   errors: { PM_ERR_HELLO_SHY: { status: 403, message: 'Hello is shy today, {name}.' } },
 *   routes(router, server) {
 *     router.get('/hello', async (request, reply) => {
 *       if (request.query.shy) throw server.error('PM_ERR_HELLO_SHY', { name: request.pm.session?.name ?? 'visitor' });
 *       return reply.type('text/html').send(html`<p>Hello from ${request.pm.site.title}</p>`.value);
 *     });
 *   },
 * };
 * ```
 *
 * Everything else a plugin uses at run time comes through the `PluginServer`
 * it is given (services, not stores). Types are in ./api.ts.
 */
export { ERRORS, isPmError, PmError, type DeclaredErrorCode, type ErrorCode, type ErrorDef } from '../errors/errors.js';
export { esc, html, qs, raw, SafeHtml, timeAgo, word } from './html.js';
export { checkbox, fixed, hidden, input, select, str, strs, textarea, type FieldOptions } from './fields.js';
export { encodeLocation, encodePath } from '../pages/url-path.js';
export { searchTerms, snippetAround } from '../store/search.js';
export { formatBytes } from '../store/site-usage.js';
export { DEFAULT_URL_DASHBOARD_ALIAS, describeOccupant, routeMatches, shownPath, URL_DASHBOARD_PLUGIN, URL_DASHBOARD_ROUTE } from '../pages/address-service.js';
export { makeAsset, sendAsset, type Asset } from './assets.js';
export { trashSummary } from '../pages/history-service.js';
/** sanitize-html, loaded on first use (it costs start time), for a plugin with its own allow-list; `server.sanitize` has the site's. */
export { requireSanitizeHtml } from '../forms/lazy-libs.js';
export { flattenFieldErrors, intParam, pageTarget, queryParam, readBody, resolveLangcode, signedInUser, type BodySchema, type PageTarget } from './request-input.js';
export type { DashboardShell, HomeStat, NavKey, Notice, PageOptions } from './dashboard-shell.js';
export type * from './api.js';
