import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { isPmError } from '../errors/errors.js';
import type { Db } from '../store/db.js';
import type { PageRecord, PageStore } from '../store/types.js';
import { NO_SCRIPT_PAGE_CSP, sharedOriginCsp } from './page-csp.js';
import { preparePageHtml } from './page-html.js';
import { pageKey, toServable, type PageCache, type ServablePage } from './page-cache.js';
import { encodeLocation, normalizeUrlPath } from './url-path.js';

const CHANNEL = 'pm_page_invalidate';
export const REDIRECT_STATUSES = [301, 302, 307, 308] as const;

export type PageChange = { type: 'set' | 'redirect' | 'alias' | 'delete'; siteId: string; langcode: string; urlPath: string };

export interface PageService {
  /** Stores rendered HTML (gzipped once, here) at a URL. */
  /** `quota`: a user's own write, refused over the site's quota (PM_ERR_QUOTA_EXCEEDED, nothing stored); renders are counted, not refused. */
  set(siteId: string, langcode: string, urlPath: string, html: string, opts?: { headers?: Record<string, string>; hidden?: boolean; quota?: boolean }): Promise<void>;
  /**
   * Raw HTML a user wrote: stored as written, script included, only from a user who holds
   * `pages.raw-html` (`holdsRawHtml`) on a site with its own origin; otherwise sanitised and
   * served with a no-script policy. Says which it did.
   */
  setRawHtml(
    siteId: string,
    langcode: string,
    urlPath: string,
    html: string,
    author: { holdsRawHtml: boolean; tildeSite: boolean },
    opts?: { hidden?: boolean },
  ): Promise<{ sanitised: boolean }>;
  /** A URL redirect: visitors are sent to `target` with `status`. */
  redirect(siteId: string, langcode: string, urlPath: string, target: string, status?: number): Promise<void>;
  /** A content redirect: `urlPath` serves what `contentUrl` serves (a page or a route), with status 200. */
  alias(siteId: string, langcode: string, urlPath: string, contentUrl: string, opts?: { pseudoroute?: boolean }): Promise<void>;
  delete(siteId: string, langcode: string, urlPath: string): Promise<boolean>;
  /** Cache, then table. `fromCache` says whether the table was skipped. */
  lookup(siteId: string, langcode: string, urlPath: string): Promise<{ page: ServablePage; fromCache: boolean }>;
  /** Synchronous cache-only lookup. */
  peek(siteId: string, langcode: string, urlPath: string): ServablePage | undefined;
  /** Cache, then a synchronous table read where the database allows it; undefined means "use lookup". */
  lookupSync(siteId: string, langcode: string, urlPath: string): { page: ServablePage; fromCache: boolean } | undefined;
  get(siteId: string, langcode: string, urlPath: string): Promise<PageRecord | undefined>;
  list: PageStore['list'];
  readonly cache: PageCache;
  /** Receives invalidations from other instances (PostgreSQL LISTEN). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The only way into `pm_page`: every write updates the table, this
 * instance's cache, and (through NOTIFY) every other instance's cache.
 */
export function createPageService(opts: {
  db: Db;
  store: PageStore;
  cache: PageCache;
  onChange?: (change: PageChange) => void;
  /** True for a site that shares its origin with others (a `~tilde` site): its pages run no user script. */
  sharedOrigin?: (siteId: string) => boolean;
}): PageService {
  const { db, store, cache } = opts;
  const instanceId = randomUUID();
  let unlisten: (() => Promise<void>) | undefined;
  /**
   * Bumped by every invalidation: a page read from the table is cached only if
   * nothing was invalidated while it was being read (else it may be older
   * than what the invalidation announced).
   */
  let generation = 0;
  /**
   * Whether the cache can be trusted: always on SQLite (one process writes
   * through this service); on PostgreSQL only while LISTEN is up, because a
   * write on another instance is announced there and nowhere else.
   */
  const trusted = (): boolean => !db.dialect.crossProcessNotify || db.isListening();

  function remember(key: string, page: ServablePage, readAt: number): void {
    if (readAt === generation && trusted()) cache.offer(key, page);
  }

  /**
   * While not listening (the LISTEN connection dropped and is not back yet),
   * pages come from the table, fresh; the cache only answers when the
   * database cannot be reached at all, when no instance can write either.
   */
  async function readUntrusted(key: string, siteId: string, langcode: string, urlPath: string): Promise<{ page: ServablePage; fromCache: boolean }> {
    try {
      return { page: toServable(await store.get(siteId, langcode, urlPath)), fromCache: false };
    } catch (e) {
      const hit = isPmError(e, 'PM_ERR_DB_UNAVAILABLE') ? cache.get(key) : undefined;
      if (hit) return { page: hit, fromCache: true };
      throw e;
    }
  }

  async function write(rec: PageRecord, type: PageChange['type'], quota = false): Promise<void> {
    await store.upsert(rec, { quota });
    const key = pageKey(rec.siteId, rec.langcode, rec.urlPath);
    generation++;
    cache.set(key, toServable(rec));
    await announce(key);
    opts.onChange?.({ type, siteId: rec.siteId, langcode: rec.langcode, urlPath: rec.urlPath });
  }

  async function announce(key: string): Promise<void> {
    if (db.dialect.crossProcessNotify) await db.notify(CHANNEL, JSON.stringify({ from: instanceId, key }));
  }

  function base(siteId: string, langcode: string, urlPath: string): PageRecord {
    return {
      siteId,
      langcode,
      urlPath: normalizeUrlPath(urlPath),
      kind: 'html',
      gz: null,
      headers: {},
      etag: null,
      redirectUrl: null,
      redirectStatus: null,
      contentUrl: null,
      hidden: false,
      pseudoroute: false,
      updatedAt: Date.now(),
    };
  }

  return {
    cache,
    async set(siteId, langcode, urlPath, html, o = {}) {
      const gz = gzipSync(Buffer.from(html, 'utf8'), { level: 9 });
      const etag = `"${createHash('sha256').update(gz).digest('base64url').slice(0, 22)}"`;
      let headers = o.headers ?? {};
      if (opts.sharedOrigin?.(siteId)) {
        // Whoever rendered it (a theme, a plugin, raw HTML), the policy of a page on a shared origin is narrowed here, once.
        const key = Object.keys(headers).find((k) => k.toLowerCase() === 'content-security-policy');
        const { [key ?? '']: csp, ...rest } = headers;
        headers = { ...rest, 'content-security-policy': sharedOriginCsp(csp ?? NO_SCRIPT_PAGE_CSP, html) };
      }
      await write({ ...base(siteId, langcode, urlPath), gz, etag, headers, hidden: o.hidden ?? false }, 'set', o.quota);
    },
    async setRawHtml(siteId, langcode, urlPath, html, author, o = {}) {
      const mayRunScript = author.holdsRawHtml && !author.tildeSite;
      const prepared = preparePageHtml(html, { mayRunScript });
      // Someone's own HTML: held to the quota (a render of stored data is counted, never refused halfway).
      await this.set(siteId, langcode, urlPath, prepared.html, { headers: prepared.headers, hidden: o.hidden, quota: true });
      return { sanitised: !mayRunScript };
    },
    async redirect(siteId, langcode, urlPath, target, status = 302) {
      if (!(REDIRECT_STATUSES as readonly number[]).includes(status)) throw new RangeError(`redirect status must be one of ${REDIRECT_STATUSES.join(', ')}`);
      await write({ ...base(siteId, langcode, urlPath), kind: 'redirect', redirectUrl: encodeLocation(target), redirectStatus: status }, 'redirect');
    },
    async alias(siteId, langcode, urlPath, contentUrl, o = {}) {
      await write(
        { ...base(siteId, langcode, urlPath), kind: 'content', contentUrl: normalizeUrlPath(contentUrl), pseudoroute: o.pseudoroute ?? false },
        'alias',
      );
    },
    async delete(siteId, langcode, urlPath) {
      const p = normalizeUrlPath(urlPath);
      const existed = await store.delete(siteId, langcode, p);
      const key = pageKey(siteId, langcode, p);
      generation++;
      cache.delete(key);
      await announce(key);
      if (existed) opts.onChange?.({ type: 'delete', siteId, langcode, urlPath: p });
      return existed;
    },
    peek(siteId, langcode, urlPath) {
      return trusted() ? cache.find(siteId, langcode, urlPath) : undefined;
    },
    lookupSync(siteId, langcode, urlPath) {
      if (!trusted()) return undefined;
      const hit = cache.find(siteId, langcode, urlPath);
      if (hit) return { page: hit, fromCache: true };
      const key = pageKey(siteId, langcode, urlPath);
      const readAt = generation;
      const r = store.getSync(siteId, langcode, urlPath);
      if (!r) return undefined;
      const page = toServable(r.page);
      remember(key, page, readAt);
      return { page, fromCache: false };
    },
    async lookup(siteId, langcode, urlPath) {
      const key = pageKey(siteId, langcode, urlPath);
      if (!trusted()) return readUntrusted(key, siteId, langcode, urlPath);
      const hit = cache.get(key);
      if (hit) return { page: hit, fromCache: true };
      const readAt = generation;
      const page = toServable(await store.get(siteId, langcode, urlPath));
      remember(key, page, readAt);
      return { page, fromCache: false };
    },
    get: (siteId, langcode, urlPath) => store.get(siteId, langcode, urlPath),
    list: (siteId, o) => store.list(siteId, o),
    async start() {
      if (!db.dialect.crossProcessNotify || !cache.enabled) return;
      unlisten = await db.listen(CHANNEL, (payload) => {
        generation++;
        // '' after a reconnect: invalidations may have been missed while it was down.
        if (payload === '') return cache.clear();
        try {
          const msg = JSON.parse(payload) as { from: string; key: string };
          if (msg.from !== instanceId) cache.delete(msg.key);
        } catch {
          cache.clear();
        }
      });
    },
    async close() {
      await unlisten?.();
    },
  };
}
