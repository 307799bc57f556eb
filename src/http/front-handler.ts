import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { PmError } from '../errors/errors.js';
import type { Mode } from '../config/load-config.js';
import type { ServablePage } from '../pages/page-cache.js';
import type { PageService } from '../pages/page-service.js';
import type { Site, User } from '../store/types.js';
import type { Auth, SessionUser } from './auth.js';
import { hostName, type HostGuard } from './host-guard.js';
import type { SiteRegistry } from './site-registry.js';
import { splitPath, urlPrefix, type URLInfo } from './url-info.js';
import { NEVER_PAGES } from '../pages/address-service.js';

/** What the front handler learned, handed to Fastify on the raw request. */
export interface FrontContext {
  url: URLInfo;
  site: Site;
  session: SessionUser | undefined;
  via: 'cookie' | 'offline' | 'token' | undefined;
  /** The raw cookie value, for renewal. */
  cookieValue: string | undefined;
  aliasedFrom: string | undefined;
  /** The user record, when finding who is asking loaded it already (an API token). */
  user?: User;
}

export const kFront = Symbol('pm.front');
type RawReq = IncomingMessage & { [kFront]?: FrontContext };
type HtmlPage = Extract<ServablePage, { kind: 'html' }>;

/**
 * Paths that never hold pages: the page store is not consulted for them.
 * `/pm/…` is consulted, because the URL dashboard itself is reached through
 * content redirects that a user may add or remove.
 */
const RESERVED = NEVER_PAGES.map((r) => r.prefix + '/');
const isReserved = (p: string) => RESERVED.some((r) => p.startsWith(r));

/** The token of `Authorization: Bearer …`, if the request carries one. */
function bearerOf(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  return h !== undefined && h.startsWith('Bearer ') ? h.slice(7) : undefined;
}

export function frontContext(req: IncomingMessage): FrontContext | undefined {
  return (req as RawReq)[kFront];
}

/**
 * Runs before Fastify routes anything: URLInfo and site, session, then the
 * page store. A stored page is answered right here, from bytes and headers
 * computed when it was written; everything else goes on to `next` (Fastify)
 * with the context attached to the raw request and `req.url` rewritten
 * without the ~tilde and langcode prefixes.
 */
export function createFrontHandler(opts: {
  mode: Mode;
  sites: SiteRegistry;
  locales: ReadonlySet<string>;
  pages: PageService;
  auth: Auth;
  offlineUser: () => User | undefined;
  /** Which Host names are answered at all, and where state-changing requests may come from. */
  hosts: HostGuard;
  /** Answers an error before Fastify is involved (no site, malformed URL, database down). */
  sendError: (req: IncomingMessage, res: ServerResponse, err: unknown) => void;
}): (req: IncomingMessage, res: ServerResponse, next: (req: IncomingMessage, res: ServerResponse) => void) => void {
  const { sites, locales, pages, auth } = opts;

  function urlInfo(req: IncomingMessage, domain: string): { info: URLInfo; site: Site } | undefined | null {
    const rawURL = req.url ?? '/';
    const { path, search } = splitPath(rawURL);
    let resolved;
    try {
      resolved = sites.resolve(domain, path);
    } catch {
      return null;
    }
    if (!resolved) return undefined;
    let rest = resolved.path;
    let langcode = '';
    const end = rest.indexOf('/', 1);
    const first = rest.slice(1, end === -1 ? undefined : end).toLowerCase();
    if (first && locales.has(first) && resolved.site.enabledLocales.includes(first) && first !== resolved.site.defaultLocale) {
      langcode = first;
      rest = end === -1 ? '/' : rest.slice(end);
    }
    let urlPath: string;
    try {
      urlPath = decodeURIComponent(rest);
    } catch {
      return null;
    }
    const info: URLInfo = { rawURL, domain, subdomain: resolved.subdomain, tildePrefix: resolved.tildePrefix, langcode, urlPath, search };
    return { info, site: resolved.site };
  }

  function serve(req: IncomingMessage, res: ServerResponse, page: ServablePage, hit: boolean, ctx: FrontContext): boolean {
    if (page.kind === 'none') return false;
    if (page.hidden && !ctx.session) return false;
    if (page.kind === 'redirect') {
      res.writeHead(page.status, ['location', page.location, 'content-length', '0', 'x-pm-cache', hit ? 'hit' : 'miss']);
      res.end();
      return true;
    }
    if (page.kind !== 'html') return false;
    sendHtml(req, res, page, hit);
    return true;
  }

  /** A stored page: 304 on a matching If-None-Match, the gzipped bytes as stored, or (rarely) unzipped. */
  function sendHtml(req: IncomingMessage, res: ServerResponse, page: HtmlPage, hit: boolean): void {
    if (req.headers['if-none-match'] === page.etag) {
      res.writeHead(304, ['etag', page.etag, 'vary', 'Accept-Encoding', 'x-pm-cache', hit ? 'hit' : 'miss']);
      res.end();
      return;
    }
    const ae = req.headers['accept-encoding'];
    if (ae !== undefined && ae.includes('gzip') && !ae.includes('gzip;q=0')) {
      res.writeHead(200, hit ? page.headersHit : page.headersMiss);
      res.end(req.method === 'HEAD' ? undefined : page.gz);
      return;
    }
    // Not kept beside the gzipped bytes: it would double the cache's memory, uncounted (fault 10).
    // Clients without gzip are rare (scripts, some bots); the copy dies young.
    const plain = gunzipSync(page.gz);
    const headers = ['content-type', 'text/html; charset=utf-8', 'content-length', String(plain.length), 'etag', page.etag, 'vary', 'Accept-Encoding', 'cache-control', 'no-cache', 'x-content-type-options', 'nosniff', 'x-pm-cache', hit ? 'hit' : 'miss'];
    for (const [k, v] of Object.entries(page.extraHeaders)) headers.push(k, v);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : plain);
  }

  async function lookup(siteId: string, langcode: string, urlPath: string): Promise<{ page: ServablePage; hit: boolean }> {
    const cached = pages.peek(siteId, langcode, urlPath);
    if (cached) return { page: cached, hit: true };
    const r = await pages.lookup(siteId, langcode, urlPath);
    return { page: r.page, hit: r.fromCache };
  }

  async function slow(req: RawReq, res: ServerResponse, next: (req: IncomingMessage, res: ServerResponse) => void, ctx: FrontContext, needSession: boolean): Promise<void> {
    if (needSession && ctx.cookieValue) ctx.session = await auth.readStored(ctx.cookieValue, ctx.site.siteId);
    const { url: info, site } = ctx;
    const isPageMethod = req.method === 'GET' || req.method === 'HEAD';
    if (isPageMethod && !isReserved(info.urlPath)) {
      if (info.urlPath.length > 1 && info.urlPath.endsWith('/')) {
        const canonical = info.urlPath.replace(/\/+$/, '') || '/';
        const { page } = await lookup(site.siteId, info.langcode, canonical);
        // A hidden page does not exist for visitors: no redirect that would say otherwise.
        if (page.kind !== 'none' && (!page.hidden || ctx.session)) {
          const loc = urlPrefix(info) + encodeURI(canonical) + info.search;
          res.writeHead(301, ['location', loc, 'content-length', '0']);
          res.end();
          return;
        }
      } else {
        const { page, hit } = await lookup(site.siteId, info.langcode, info.urlPath);
        if (serve(req, res, page, hit, ctx)) return;
        if (page.kind === 'content' && (!page.hidden || ctx.session)) {
          // One hop: the alias target is a stored page, or a route (pseudoroute or not).
          const target = await lookup(site.siteId, info.langcode, page.contentUrl);
          if (target.page.kind === 'html' && serve(req, res, target.page, target.hit, ctx)) return;
          ctx.aliasedFrom = info.urlPath;
          req.url = encodeURI(page.contentUrl) + info.search;
        }
      }
    }
    await forward(req, res, next, ctx);
  }

  const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

  /**
   * Hands the request to the routes, after deciding who is asking for a caller with an API
   * token (a stored page never depends on it, so the page store answered without it). A token
   * that is unknown, revoked or of another site is a 401 whatever the route.
   */
  async function forward(req: RawReq, res: ServerResponse, next: (req: IncomingMessage, res: ServerResponse) => void, ctx: FrontContext): Promise<void> {
    const token = bearerOf(req);
    if (token !== undefined) {
      const found = await auth.readToken(token, ctx.site.siteId);
      if (!found) return opts.sendError(req, res, new PmError('PM_ERR_UNAUTHENTICATED'));
      ctx.session = found.session;
      ctx.user = found.user;
      ctx.via = 'token';
      ctx.cookieValue = undefined;
    }
    next(req, res);
  }

  /**
   * What the quick path needs of a Host header, computed once per distinct header: the site
   * it names (for paths without a ~tilde prefix), the site's extra languages, and the name of
   * its session cookie. Only Host names the guard allows and a site claims get an entry; the
   * table is bounded (Host is the client's to choose) and dropped whenever the sites change.
   */
  interface HostEntry {
    site: Site;
    /** Enabled locales other than the default: a first path segment among them is a langcode. */
    langs: ReadonlySet<string> | null;
    /** `pm_session_{siteId}=`: a Cookie header without it carries no session for this site. */
    sessionCookie: string;
  }
  const HOST_TABLE_MAX = 256;
  const hostTable = new Map<string, HostEntry>();
  let hostTableVersion = sites.version;

  function hostEntry(host: string): HostEntry | undefined {
    if (hostTableVersion !== sites.version) {
      hostTable.clear();
      hostTableVersion = sites.version;
    }
    const known = hostTable.get(host);
    if (known !== undefined) return known;
    const domain = hostName(host);
    if (!opts.hosts.allows(domain)) return undefined;
    let r;
    try {
      r = sites.resolve(domain, '/');
    } catch {
      return undefined;
    }
    if (!r) return undefined;
    const site = r.site;
    const extra = site.enabledLocales.filter((l) => locales.has(l) && l !== site.defaultLocale);
    const entry: HostEntry = { site, langs: extra.length ? new Set(extra) : null, sessionCookie: auth.cookieName(site.siteId) + '=' };
    if (hostTable.size >= HOST_TABLE_MAX) hostTable.clear();
    hostTable.set(host, entry);
    return entry;
  }

  const offline = opts.mode === 'offline';
  const SLASH = 47;
  const PERCENT = '%';

  /**
   * The quick path: a GET or HEAD for a page in the cache, from a visitor who carries no session
   * cookie for the site (or offline mode's user). It answers before URLInfo, the request
   * context or anything of Fastify exists, with the header arrays computed when the page was
   * stored. It takes only plain addresses (no ~tilde, no percent-encoding, no trailing slash,
   * nothing under /pm), so everything it skips is something the full path below would have found
   * a no-op for; whatever it does not answer (false) goes there unchanged.
   */
  function quick(req: IncomingMessage, res: ServerResponse): boolean {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const host = req.headers.host;
    if (host === undefined) return false;
    const url = req.url;
    if (url === undefined || url.charCodeAt(0) !== SLASH) return false;
    const q = url.indexOf('?');
    let path = q === -1 ? url : url.slice(0, q);
    // `/~name`, `/pm…` (dashboard, theme files, uploads, reserved), and a trailing slash (a redirect) take the full path.
    const c1 = path.charCodeAt(1);
    if (c1 === 126 /* ~ */ || (c1 === 112 /* p */ && path.startsWith('/pm'))) return false;
    if (path.length > 1 && path.charCodeAt(path.length - 1) === SLASH) return false;
    if (path.includes(PERCENT)) return false;
    const entry = hostEntry(host);
    if (entry === undefined) return false;
    let session = false;
    if (offline) {
      session = opts.offlineUser() !== undefined;
    } else {
      const cookie = req.headers.cookie;
      if (cookie !== undefined && cookie.includes(entry.sessionCookie)) return false;
    }
    let langcode = '';
    if (entry.langs !== null) {
      const end = path.indexOf('/', 1);
      const first = path.slice(1, end === -1 ? undefined : end).toLowerCase();
      if (entry.langs.has(first)) {
        langcode = first;
        path = end === -1 ? '/' : path.slice(end);
        if (path.length > 1 && path.charCodeAt(path.length - 1) === SLASH) return false;
      }
    }
    const page = pages.peek(entry.site.siteId, langcode, path);
    if (page === undefined || page.kind !== 'html' || (page.hidden && !session)) return false;
    sendHtml(req, res, page, true);
    return true;
  }

  // Everything here is synchronous; a throw (a header Node refuses, say) must not reach
  // the socket's event handler, where it would end the process.
  return function frontHandler(req: RawReq, res, next) {
    try {
      handle(req, res, next);
    } catch (err) {
      fail(req, res, err);
    }
  };

  /** Answers an error if nothing was sent yet; otherwise (or if even that throws) drops the connection. */
  function fail(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    if (res.headersSent) return void res.destroy();
    try {
      opts.sendError(req, res, err);
    } catch {
      res.destroy();
    }
  }

  function handle(req: RawReq, res: ServerResponse, next: (req: IncomingMessage, res: ServerResponse) => void): void {
    if (quick(req, res)) return;
    const domain = hostName(req.headers.host ?? '');
    if (!opts.hosts.allows(domain)) return opts.sendError(req, res, new PmError('PM_ERR_HOST_NOT_ALLOWED', { host: domain || '(none)' }));
    if (!SAFE_METHODS.has(req.method ?? 'GET')) {
      const foreign = opts.hosts.foreignOrigin(req);
      if (foreign !== undefined) return opts.sendError(req, res, new PmError('PM_ERR_CROSS_ORIGIN', { origin: foreign }));
    }
    const r = urlInfo(req, domain);
    if (r === null) return opts.sendError(req, res, new PmError('PM_ERR_BAD_REQUEST', { detail: 'The address is malformed (broken percent-encoding).' }));
    if (r === undefined) return opts.sendError(req, res, new PmError('PM_ERR_SITE_NOT_FOUND'));
    const { info, site } = r;
    const ctx: FrontContext = { url: info, site, session: undefined, via: undefined, cookieValue: undefined, aliasedFrom: undefined };
    req[kFront] = ctx;
    if (info.tildePrefix || info.langcode) {
      const { path } = splitPath(req.url ?? '/');
      const prefixLen = urlPrefix(info).length;
      // Strip the prefixes in their raw (still encoded) form.
      req.url = (path.slice(0, prefixLen) === urlPrefix(info) ? path.slice(prefixLen) || '/' : encodeURI(info.urlPath)) + info.search;
    }
    let needSession = false;
    if (opts.mode === 'offline') {
      const u = opts.offlineUser();
      if (u) {
        ctx.session = { userId: u.userId, username: u.username, name: u.name, sessionHash: '', expireAt: Number.MAX_SAFE_INTEGER, signed: false };
        ctx.via = 'offline';
      }
    } else {
      const value = auth.cookieValue(req.headers.cookie, site.siteId);
      if (value) {
        ctx.cookieValue = value;
        ctx.via = 'cookie';
        if (auth.signedCookies) ctx.session = auth.readSigned(value, site.siteId);
        else if (!(ctx.session = auth.peekStored(value, site.siteId))) needSession = true;
      }
    }
    // The fast path: a cached page for a request that needs no database call.
    if (!needSession && (req.method === 'GET' || req.method === 'HEAD') && !info.urlPath.endsWith('/') && !isReserved(info.urlPath)) {
      let found;
      try {
        found = pages.lookupSync(site.siteId, info.langcode, info.urlPath);
      } catch (err) {
        return opts.sendError(req, res, err);
      }
      if (found && serve(req, res, found.page, found.fromCache, ctx)) return;
      if (found?.page.kind === 'none') {
        if (!bearerOf(req)) return next(req, res);
        return void forward(req, res, next, ctx).catch((err) => fail(req, res, err));
      }
    }
    slow(req, res, next, ctx, needSession).catch((err) => fail(req, res, err));
  }
}
