import type { Duplex } from 'node:stream';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { PmError } from '../errors/errors.js';
import type { Config } from '../config/load-config.js';
import type { PageService } from '../pages/page-service.js';
import type { User } from '../store/types.js';
import type { Auth } from './auth.js';
import { renderError } from './error-response.js';
import { createFrontHandler, kFront } from './front-handler.js';
import { createConnectionDrain } from './connection-drain.js';
import { createHostGuard } from './host-guard.js';
import type { SiteRegistry } from './site-registry.js';
import { trustFunction, type TrustFn } from './trust-proxy.js';

/**
 * A client gets 20 s to send its headers and 5 min for the whole request (a 25 MB upload on a
 * slow line), checked every 2 s; a client that stalls longer is disconnected with a 408.
 */
export const SERVER_TIMEOUTS = { headersTimeout: 20_000, requestTimeout: 300_000, connectionsCheckingInterval: 2_000 } as const;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The socket server and the front handler, without Fastify: what answers stored pages. It
 * exists before the routes do, so `pagemanager serve` can listen while the rest of the
 * program still loads (src/app/create-app.ts); create-server.ts then hands it Fastify's handler.
 */
export interface FrontServer {
  server: Server;
  /** Proxies whose forwarded headers are believed (config.trustProxy). */
  trust: TrustFn | undefined;
  /** Through the front handler, exactly as a request from a socket. */
  dispatch: Handler;
  /** Where what the front handler does not answer goes from now on (Fastify's handler). */
  setRoutes(handler: Handler, log: { error(obj: object, msg: string): void }): void;
  /** See HttpServer.drain. */
  drain(deadlineMs: number): Promise<{ forced: number }>;
  /** See HttpServer.listenEarly. */
  listenEarly(host: string, port: number): Promise<void>;
  open(): void;
  abort(): void;
  requests(): number;
}

export interface FrontDeps {
  config: Config;
  sites: SiteRegistry;
  locales: ReadonlySet<string>;
  pages: PageService;
  auth: Auth;
  offlineUser: () => User | undefined;
}

export function createFrontServer(deps: FrontDeps): FrontServer {
  const { config } = deps;
  let routes: Handler | undefined;
  let log: { error(obj: object, msg: string): void } = { error: (obj, msg) => console.error(msg, obj) };
  /** Requests received so far (src/http/idle-memory.ts watches it). */
  let requests = 0;
  /** False between `listenEarly` and `open`: what the front handler does not answer waits in `held`. */
  let routesOpen = true;
  let held: [IncomingMessage, ServerResponse][] = [];
  const trust = trustFunction(config.trustProxy);

  function sendRawError(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    const a = renderError(err, { accept: req.headers.accept, url: req.url ?? '' });
    if (a.status >= 500) log.error({ err: (a.error.cause ?? err) as Error, code: a.error.code, detail: a.error.privateMessage }, 'request failed');
    res.writeHead(a.status, { ...a.headers, 'content-length': Buffer.byteLength(a.body) });
    res.end(a.body);
  }

  const front = createFrontHandler({
    mode: config.mode,
    sites: deps.sites,
    locales: deps.locales,
    pages: deps.pages,
    auth: deps.auth,
    offlineUser: deps.offlineUser,
    hosts: createHostGuard({ mode: config.mode, allowedHosts: config.allowedHosts, trust }),
    sendError: sendRawError,
  });
  const toRoutes: Handler = (req, res) => routes!(req, res);
  const dispatch: Handler = (req, res) => {
    if (routesOpen) return front(req, res, toRoutes);
    const url = req.url;
    front(req, res, (r, s) => {
      // As it arrived: the front handler runs again on it once the routes are open.
      r.url = url;
      delete (r as IncomingMessage & { [kFront]?: unknown })[kFront];
      held.push([r, s]);
    });
  };
  const release = (each: Handler) => {
    const waiting = held;
    held = [];
    for (const [req, res] of waiting) if (!res.destroyed && !res.headersSent) each(req, res);
  };

  const server = createServer(SERVER_TIMEOUTS, (req, res) => {
    requests++;
    drain.track(res);
    dispatch(req, res);
  });
  const drain = createConnectionDrain(server);
  // A client that sends its request and shuts its writing side (some tools and proxies do)
  // still gets its answer: by default Node aborts the request and ends the socket on that
  // FIN, which lost responses still being produced (an aliased route, gzipped).
  (server as { httpAllowHalfOpen?: boolean }).httpAllowHalfOpen = true;
  // Node hands CONNECT to a 'connect' listener and, without one, drops the connection unanswered.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {});
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD, POST, PUT, PATCH, DELETE\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });

  return {
    server,
    trust,
    dispatch,
    setRoutes(handler, l) {
      routes = handler;
      log = l;
    },
    drain: (ms) => drain.drain(ms),
    listenEarly(host, port) {
      routesOpen = false;
      return new Promise((resolve, reject) => {
        const failed = (err: Error) => {
          routesOpen = true;
          reject(err);
        };
        server.once('error', failed);
        server.listen({ host, port }, () => {
          server.off('error', failed);
          resolve();
        });
      });
    },
    requests: () => requests,
    open() {
      routesOpen = true;
      release((req, res) => {
        try {
          dispatch(req, res);
        } catch {
          res.destroy();
        }
      });
    },
    abort() {
      routesOpen = true;
      release((req, res) => sendRawError(req, res, new PmError('PM_ERR_INTERNAL')));
      if (server.listening) server.close();
    },
  };
}
