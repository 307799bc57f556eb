import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { PmError } from '../errors/errors.js';
import type { Csrf } from '../http/csrf.js';
import { CSRF_COOKIE } from '../http/csrf.js';
import { wantsJson } from '../http/error-response.js';
import { can, refusalFor } from '../users/permissions.js';
import type { ErrorPageRenderer, Handler, PluginRouter, RouteInfo, RouteOptions } from './api.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The router a plugin gets: route registration on the plugin's own Fastify
 * scope, with permission and CSRF checks declared per route.
 */
export function createPluginRouter(scope: FastifyInstance, pluginName: string, csrf: Csrf, registry: RouteInfo[]): PluginRouter {
  const requirePermission = (permission: NonNullable<RouteOptions['permission']>): preHandlerAsyncHookHandler =>
    async function (request: FastifyRequest, reply: FastifyReply) {
      const pm = request.pm;
      if (!pm.session) {
        if (request.method === 'GET' && !wantsJson(request.headers.accept, request.url)) {
          // The address the visitor used: an alias, not the route it was rewritten to.
          const next = encodeURIComponent(pm.link(pm.aliasedFrom ? pm.aliasedFrom + pm.url.search : request.url));
          return reply.redirect(pm.link(`/pm/login?next=${next}`), 303);
        }
        throw new PmError('PM_ERR_UNAUTHENTICATED');
      }
      const user = await pm.user();
      if (!user) throw new PmError('PM_ERR_UNAUTHENTICATED');
      if (!can(user.role, permission)) throw new PmError('PM_ERR_FORBIDDEN', refusalFor(permission));
    };

  const checkCsrf: preHandlerAsyncHookHandler = async function (request) {
    const pm = request.pm;
    if (pm.via === 'token') return;
    const body = request.body as Record<string, unknown> | undefined;
    // A multipart form (an upload without JavaScript) has no parsed body yet: its token comes in the action's query.
    const multipart = String(request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
    const query = multipart ? (request.query as Record<string, unknown> | undefined)?._csrf : undefined;
    const token = request.headers['x-csrf-token'] ?? (body && typeof body === 'object' ? body._csrf : undefined) ?? query;
    const binding = pm.session ? pm.session.sessionHash || 'offline' : request.cookies[CSRF_COOKIE];
    if (!csrf.verify(pm.site.siteId, binding, token)) throw new PmError('PM_ERR_CSRF');
  };

  function route(o: RouteOptions): void {
    const methods = Array.isArray(o.method) ? o.method : [o.method];
    const preHandler: preHandlerAsyncHookHandler[] = [];
    if (o.permission) preHandler.push(requirePermission(o.permission));
    if (o.csrf !== false && methods.some((m) => STATE_CHANGING.has(m))) preHandler.push(checkCsrf);
    scope.route({
      method: methods,
      url: o.url,
      bodyLimit: o.bodyLimit,
      config: { pseudoroute: o.pseudoroute ?? false, dashboard: o.dashboard ?? false, ...(o.rateLimit ? { rateLimit: { max: o.rateLimit.max, timeWindow: o.rateLimit.timeWindowMs } } : {}) },
      preHandler,
      handler: o.handler as unknown as (request: FastifyRequest, reply: FastifyReply) => unknown,
    });
    for (const m of methods) {
      registry.push({ plugin: pluginName, method: m, url: o.url, pseudoroute: o.pseudoroute ?? false, description: o.description ?? '' });
    }
  }

  const short =
    (method: RouteOptions['method']) =>
    (url: string, handler: Handler, opts: Partial<RouteOptions> = {}) =>
      route({ ...opts, method, url, handler });

  function errorPage(render: ErrorPageRenderer): void {
    // This plugin's scope only: its HTML pages answer a refusal in their own layout; JSON callers and 5xx keep the core's answer.
    scope.setErrorHandler(async (err, request, reply) => {
      const e = err instanceof PmError ? err : undefined;
      if (!e || e.status >= 500 || e.status === 401 || wantsJson(request.headers.accept, request.url)) throw err;
      return render(request as never, reply, e);
    });
  }

  return { route, errorPage, get: short('GET'), post: short('POST'), put: short('PUT'), patch: short('PATCH'), delete: short('DELETE') };
}
