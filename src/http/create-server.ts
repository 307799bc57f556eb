import { gunzipSync, gzipSync } from 'node:zlib';
import type { Server } from 'node:http';
import fastifyCompress from '@fastify/compress';
import { fastifyCookie } from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { InjectOptions, Response as InjectResponse } from 'light-my-request';
import { PmError } from '../errors/errors.js';
import { requireFastifyCompilers } from '../forms/lazy-libs.js';
import { NO_SCRIPT_PAGE_CSP, sharedOriginCsp } from '../pages/page-csp.js';
import type { StoredHtml } from '../pages/not-found-page.js';
import type { RequestContext } from '../plugins/api.js';
import type { Stores, User } from '../store/types.js';
import type { RenderContext, ThemesManager } from '../themes/themes-manager.js';
import { CSRF_COOKIE, type Csrf } from './csrf.js';
import { renderError, wantsJson } from './error-response.js';
import { frontContext } from './front-handler.js';
import { createFrontServer, type FrontDeps, type FrontServer } from './front-server.js';
import { urlPrefix } from './url-info.js';

declare module 'fastify' {
  interface FastifyRequest {
    pm: RequestContext;
  }
  interface FastifyContextConfig {
    pseudoroute?: boolean;
    /** A dashboard page outside /pm/ (the URL dashboard, reached through aliases): it gets the dashboard's headers. */
    dashboard?: boolean;
  }
}

/** The policy of dashboard pages: their own stylesheet and scripts, pictures from anywhere over https. */
const DASHBOARD_CSP = "default-src 'self'; img-src 'self' data: https:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

export interface HttpServer {
  fastify: FastifyInstance;
  server: Server;
  /** Like fastify.inject, but through the front handler, exactly as a socket request. */
  inject(opts: InjectOptions | string): Promise<InjectResponse>;
  /**
   * Stops accepting and lets responses in flight finish, flushed to the client, for up to
   * `deadlineMs`; then closes what is left (stalled clients). Resolves with how many were cut.
   */
  drain(deadlineMs: number): Promise<{ forced: number }>;
  /** Renders an error as the response: JSON for API calls, a page otherwise. */
  sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply;
  /**
   * Listens before the routes are ready (`pagemanager serve`): stored pages are answered from the
   * first moment, every other request waits until `open()` and then takes the full path, from
   * the start (the page it asked for may have been written meanwhile: the welcome page).
   */
  listenEarly(host: string, port: number): Promise<void>;
  /** The routes are ready: held requests go on, and from now on nothing is held. */
  open(): void;
  /** How many requests arrived so far. */
  requests(): number;
  /** The start failed after `listenEarly`: held requests get a 500 (the details go to the log), the server stops listening. */
  abort(): void;
}

export interface ServerDeps extends FrontDeps {
  /** The socket server, when it was made (and maybe listening) before the routes: see listenEarly. */
  front?: FrontServer;
  stores: Stores;
  csrf: Csrf;
  themes: ThemesManager;
  /** The theme whose 404 template answers unknown URLs. */
  defaultTheme: (siteId: string | undefined) => string;
  /** The site menus the 404 page shows. */
  menus?: (siteId: string, langcode: string) => Promise<RenderContext['menus']>;
  /** The site's own not-found page, stored (see src/pages/not-found-page.ts); the theme's 404 template is rendered without one. */
  notFoundPage?: (siteId: string, langcode: string) => Promise<{ page: StoredHtml; fromCache: boolean } | undefined>;
  logger: boolean | object;
}

/**
 * Fastify's default schema compilers, loaded on the first route that declares a schema
 * (src/forms/lazy-libs.ts): none of ours does, and Fastify would load ajv when the server is made.
 */
export const LAZY_SCHEMA_CONTROLLER = {
  compilersFactory: {
    buildValidator: ((...a: unknown[]) => requireFastifyCompilers().validator(...a)) as never,
    buildSerializer: ((...a: unknown[]) => requireFastifyCompilers().serializer(...a)) as never,
  },
};

export function createHttpServer(deps: ServerDeps): HttpServer {
  const { stores, auth, csrf, themes } = deps;
  const front = deps.front ?? createFrontServer(deps);
  const fastify = Fastify({
    logger: deps.logger,
    trustProxy: front.trust ?? false,
    bodyLimit: 1024 * 1024,
    // Stopping is ours (connection-drain.ts): Fastify's 'idle' closing cuts responses still flushing.
    forceCloseConnections: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    schemaController: LAZY_SCHEMA_CONTROLLER,
    // The socket server is front-server.ts's: Fastify answers what its front handler passes on.
    serverFactory(handler) {
      front.setRoutes(handler, { error: (obj, msg) => fastify.log.error(obj, msg) });
      return front.server;
    },
  });

  const secureOf = (request: FastifyRequest) => request.protocol === 'https';

  fastify.decorateRequest('pm', null as unknown as RequestContext);
  fastify.register(fastifyCookie);
  fastify.register(fastifyFormbody);
  // Multipart bodies are read only by the routes that ask (request.file() / request.parts()), with their own limits.
  fastify.register(fastifyMultipart, { limits: { fields: 50, fieldSize: 100_000, files: 20, parts: 100 } });
  fastify.register(fastifyCompress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });
  fastify.register(fastifyRateLimit, { global: false });

  fastify.addHook('onRequest', async (request, reply) => {
    const f = frontContext(request.raw);
    if (!f) throw new PmError('PM_ERR_SITE_NOT_FOUND');
    // Who is asking was decided by the front handler (cookie, signed cookie, offline, API token); this only attaches it.
    const { via, session } = f;
    let userCache: Promise<User | undefined> | undefined = f.user ? Promise.resolve(f.user) : undefined;
    const secure = secureOf(request);
    let anonBinding = request.cookies[CSRF_COOKIE];
    const ctx: RequestContext = {
      url: f.url,
      site: f.site,
      session,
      via,
      aliasedFrom: f.aliasedFrom,
      secure,
      ip: request.ip,
      user: () => (userCache ??= session ? stores.users.get(session.userId) : Promise.resolve(undefined)),
      link: (path: string) => urlPrefix(f.url) + (path.startsWith('/') ? path : '/' + path),
      csrfToken() {
        if (session) return csrf.tokenFor(f.site.siteId, session.sessionHash || 'offline');
        if (!anonBinding) {
          anonBinding = csrf.newBinding();
          reply.header('set-cookie', fastifyCookie.serialize(CSRF_COOKIE, anonBinding, { httpOnly: true, sameSite: 'lax', path: '/', secure }));
        }
        return csrf.tokenFor(f.site.siteId, anonBinding);
      },
    };
    request.pm = ctx;
    if (request.routeOptions.config?.pseudoroute && !f.aliasedFrom) return reply.callNotFound();
    if (session && via === 'cookie' && f.cookieValue) {
      const renewed = await auth.renew(f.site.siteId, session, f.cookieValue, secure);
      if (renewed) reply.header('set-cookie', renewed);
    }
  });

  // Dashboard and API responses: never cached anywhere, never framed, never indexed. The one place these
  // headers are set: /pm/ addresses, and dashboard pages a plugin serves elsewhere (route option `dashboard`).
  fastify.addHook('onSend', async (request, reply, payload) => {
    // Nothing a user uploaded or wrote is ever taken for a script or a stylesheet by sniffing.
    reply.header('x-content-type-options', 'nosniff');
    if (request.url.startsWith('/pm/') || request.url === '/pm' || request.routeOptions.config?.dashboard) {
      // Dashboard assets keep the caching their plugin chose (ETag revalidation).
      if (!request.url.startsWith('/pm/assets/')) reply.header('cache-control', 'no-store');
      reply.header('x-frame-options', 'DENY');
      reply.header('referrer-policy', 'same-origin');
      reply.header('x-robots-tag', 'noindex');
      if (!reply.getHeader('content-security-policy')) reply.header('content-security-policy', DASHBOARD_CSP);
    } else if (!reply.getHeader('content-security-policy') && String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      // A plugin's page that set no policy of its own runs no script.
      reply.header('content-security-policy', NO_SCRIPT_PAGE_CSP);
    }
    // A ~tilde site shares its origin with the others: whatever answered, the page's policy
    // keeps only the scripts the installation's theme and plugins injected (see page-csp.ts).
    const csp = reply.getHeader('content-security-policy');
    if (request.pm?.url.tildePrefix && typeof csp === 'string') {
      reply.header('content-security-policy', sharedOriginCsp(csp, typeof payload === 'string' ? payload : undefined));
    }
  });

  function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
    const a = renderError(err, { accept: request.headers.accept, url: request.url });
    if (a.status >= 500) request.log.error({ err: (a.error.cause ?? err) as Error, code: a.error.code, detail: a.error.privateMessage }, 'request failed');
    return reply.code(a.status).headers(a.headers).send(a.body);
  }

  fastify.setErrorHandler((err, request, reply) => sendError(request, reply, err));

  // After the plugins above have loaded, so the 404 page gets their decorators and hooks.
  fastify.after(() => fastify.setNotFoundHandler(async (request, reply) => {
    if (wantsJson(request.headers.accept, request.url)) {
      return sendError(request, reply, new PmError('PM_ERR_NOT_FOUND', { what: request.pm?.url.urlPath ?? request.url }));
    }
    const site = request.pm?.site;
    const urlPath = request.pm?.url.urlPath ?? request.url;
    // The page the owner made for it, served from the page store as stored (gzipped, with its own policy); not for the dashboard's addresses.
    const own = site && !(urlPath === '/pm' || urlPath.startsWith('/pm/')) ? await deps.notFoundPage?.(site.siteId, request.pm.url.langcode).catch((err: unknown) => (request.log.warn({ err }, 'the site’s not-found page could not be read'), undefined)) : undefined;
    if (own) {
      const p = own.page;
      for (const [k, v] of Object.entries(p.extraHeaders)) reply.header(k, v);
      reply.code(404).type('text/html; charset=utf-8').header('etag', p.etag).header('vary', 'Accept-Encoding').header('cache-control', 'no-cache').header('x-pm-cache', own.fromCache ? 'hit' : 'miss');
      const ae = String(request.headers['accept-encoding'] ?? '');
      if (/\bgzip\b/.test(ae) && !ae.includes('gzip;q=0')) return reply.header('content-encoding', 'gzip').send(request.method === 'HEAD' ? undefined : p.gz);
      return reply.send(request.method === 'HEAD' ? undefined : gunzipSync(p.gz));
    }
    try {
      const themeId = deps.defaultTheme(site?.siteId);
      const html = await themes.render(themeId, '404', {}, {
        site: { title: site?.title ?? '', description: site?.description ?? '', langcode: request.pm?.url.langcode || site?.defaultLocale || 'en' },
        page: { urlPath: request.pm?.url.urlPath ?? request.url, url: request.url },
        url: request.pm?.link,
        menus: site ? await deps.menus?.(site.siteId, request.pm.url.langcode) : undefined,
      });
      for (const [k, v] of Object.entries(html.headers)) reply.header(k, v);
      reply.code(404).type('text/html; charset=utf-8');
      // @fastify/compress hooks routes only (onRoute); the 404 handler compresses its page itself.
      if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
        return reply.header('content-encoding', 'gzip').header('vary', 'Accept-Encoding').send(gzipSync(html.html));
      }
      return reply.send(html.html);
    } catch (err) {
      request.log.warn({ err }, 'the theme could not render its 404 page');
      return sendError(request, reply, new PmError('PM_ERR_PAGE_NOT_FOUND', { urlPath: request.pm?.url.urlPath ?? request.url }));
    }
  }));

  // How `pagemanager serve` recognises a running pagemanager on a busy port.
  fastify.get('/pm/health', async () => ({ name: 'pagemanager', status: 'ok' }));

  fastify.get('/pm-themes/:themeId/*', async (request, reply) => {
    const { themeId, '*': path } = request.params as { themeId: string; '*': string };
    const q = request.query as { v?: string };
    const r = await themes.serveAsset(themeId, path, request.headers['if-none-match'], q.v);
    for (const [k, v] of Object.entries(r.headers)) reply.header(k, v);
    if (r.status === 404) throw new PmError('PM_ERR_NOT_FOUND', { what: `theme file ${path}` });
    return reply.code(r.status).send(r.body);
  });

  return {
    fastify,
    server: front.server,
    sendError,
    drain: (ms) => front.drain(ms),
    listenEarly: (host, port) => front.listenEarly(host, port),
    requests: () => front.requests(),
    open: () => front.open(),
    abort: () => front.abort(),
    // light-my-request is for tests and in-process callers (the CLI, benchmarks): loaded on the first inject, as Fastify does.
    inject: async (opts) => (await import('light-my-request')).default(front.dispatch, typeof opts === 'string' ? { url: opts } : opts),
  };
}
