import { LRUCache } from 'lru-cache';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { PageRecord } from '../store/types.js';
import { NO_SCRIPT_PAGE_CSP } from './page-csp.js';
import { encodeLocation } from './url-path.js';

/**
 * What the request path needs to answer a page without thinking: bytes and
 * header arrays computed once, when the page was written (or first read).
 * `kind: 'none'` remembers that a URL has no page, so routes such as the
 * dashboard do not pay a table lookup on every request.
 */
export type ServablePage =
  | { kind: 'none'; size: number }
  | {
      kind: 'html';
      size: number;
      hidden: boolean;
      etag: string;
      gz: Buffer;
      /** Flat [name, value, …] arrays for `res.writeHead`, for a cache hit and a miss. */
      headersHit: string[];
      headersMiss: string[];
      extraHeaders: Record<string, string>;
    }
  | { kind: 'redirect'; size: number; hidden: boolean; location: string; status: number }
  | { kind: 'content'; size: number; hidden: boolean; contentUrl: string; pseudoroute: boolean };

/** Headers a renderer asked for, minus those the page store sets itself. */
const OWN_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'etag', 'vary', 'cache-control', 'x-pm-cache', 'set-cookie', 'x-content-type-options']);
function pageExtraHeaders(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (!OWN_HEADERS.has(k.toLowerCase())) out[k.toLowerCase()] = v;
  return out;
}

export function pageKey(siteId: string, langcode: string, urlPath: string): string {
  return `${siteId}\u0000${langcode}\u0000${urlPath}`;
}

export function toServable(rec: PageRecord | undefined): ServablePage {
  if (!rec) return { kind: 'none', size: 64 };
  const hidden = rec.hidden;
  if (rec.kind === 'redirect') {
    return { kind: 'redirect', size: 128 + (rec.redirectUrl?.length ?? 0), hidden, location: encodeLocation(rec.redirectUrl ?? '/'), status: rec.redirectStatus ?? 302 };
  }
  if (rec.kind === 'content') {
    return { kind: 'content', size: 128 + (rec.contentUrl?.length ?? 0), hidden, contentUrl: rec.contentUrl ?? '/', pseudoroute: rec.pseudoroute };
  }
  const gz = rec.gz ?? Buffer.alloc(0);
  const etag = rec.etag ?? '"0"';
  const base = [
    'content-type', 'text/html; charset=utf-8',
    'content-encoding', 'gzip',
    'content-length', String(gz.length),
    'etag', etag,
    'vary', 'Accept-Encoding',
    'cache-control', 'no-cache',
    // A page is never taken for a script (`<script src>` of a page whose text is valid JS).
    'x-content-type-options', 'nosniff',
  ];
  const extra = pageExtraHeaders(rec.headers);
  // Every page carries a policy; one stored without (an older row, a plugin's page) may run no script.
  extra['content-security-policy'] ??= NO_SCRIPT_PAGE_CSP;
  for (const [k, v] of Object.entries(extra)) base.push(k, v);
  let headerBytes = 0;
  for (const [k, v] of Object.entries(extra)) headerBytes += k.length + v.length;
  return {
    kind: 'html',
    // The bytes, plus what the entry costs on the JS heap (measured: ~1.3 KB with a CSP header).
    size: gz.length + 1024 + headerBytes,
    hidden,
    etag,
    gz,
    headersHit: [...base, 'x-pm-cache', 'hit'],
    headersMiss: [...base, 'x-pm-cache', 'miss'],
    extraHeaders: extra,
  };
}

export interface PageCache {
  get(key: string): ServablePage | undefined;
  /**
   * The read of every request: `get` by the parts of the key, without building the key. It
   * refreshes the entry's place in the LRU at most once a second (see `createPageCache`).
   */
  find(siteId: string, langcode: string, urlPath: string): ServablePage | undefined;
  /** A page just written: always kept (if it fits). */
  set(key: string, page: ServablePage): void;
  /**
   * A page just read from the table: kept only if its key was asked for recently (see
   * `createPageCache`), so a stream of one-off reads does not churn the cache.
   */
  offer(key: string, page: ServablePage): void;
  delete(key: string): void;
  clear(): void;
  readonly enabled: boolean;
  stats(): { entries: number; bytes: number; maxBytes: number };
}

/**
 * An LRU bounded by bytes. `maxMb` 0 gives a cache that holds nothing.
 *
 * Why reads are admitted only on their second miss: every entry that enters the cache lives
 * long enough to be promoted to V8's old generation, so each one evicted later is garbage that
 * only a full collection frees. With many more pages than the budget holds, admitting every
 * miss made evicted entries pile up (+100 MB of RSS over an 8 MB budget, fault 10). A key seen
 * once is only remembered (a string in a bounded set); the page read for it dies young and is
 * freed at once. A page asked for again within the window is admitted, as a write always is,
 * and so is every read while the cache has room (nothing is evicted then).
 *
 * What is still evicted is old-generation garbage whose bytes live outside the JS heap, and
 * V8 starts a full collection for such memory only ~64 MB past the last one: that alone is
 * more than a small budget. So once evictions add up to a quarter of the budget (4–32 MB) the
 * cache asks for a full collection (one, at the next turn of the event loop; ~10–30 ms on a
 * typical heap), which bounds RSS to the budget plus that much.
 *
 * The read of every request (`find`) does not go through the LRU: building the key (a
 * concatenation V8 must flatten and hash) and moving the entry to the LRU's tail cost more than
 * the rest of answering a cached page in JavaScript. Entries are also kept in plain maps by site,
 * language and path (the path is the request's own string, hashed once), and a hit tells the
 * LRU only when the entry was not touched yet in the current second: the eviction order is
 * exact to within a second, which is all a cache of pages needs.
 */
export function createPageCache(maxMb: number): PageCache {
  if (maxMb <= 0) {
    return {
      enabled: false,
      get: () => undefined,
      find: () => undefined,
      set: () => {},
      offer: () => {},
      delete: () => {},
      clear: () => {},
      stats: () => ({ entries: 0, bytes: 0, maxBytes: 0 }),
    };
  }
  const maxBytes = Math.floor(maxMb * 1024 * 1024);
  startClock();
  const collect = fullCollection();
  const gcEvery = Math.min(32 * 1024 * 1024, Math.max(4 * 1024 * 1024, maxBytes / 4));
  let evicted = 0;
  let gcPending = false;
  const index = new Map<string, Map<string, Map<string, Indexed>>>();
  const paths = (siteId: string, langcode: string, create: boolean): Map<string, Indexed> | undefined => {
    let bySite = index.get(siteId);
    if (!bySite) {
      if (!create) return undefined;
      index.set(siteId, (bySite = new Map()));
    }
    let byPath = bySite.get(langcode);
    if (!byPath && create) bySite.set(langcode, (byPath = new Map()));
    return byPath;
  };
  const unindex = (k: string) => {
    const [siteId, langcode, urlPath] = splitKey(k);
    const byPath = paths(siteId, langcode, false);
    if (!byPath) return;
    byPath.delete(urlPath);
    if (byPath.size === 0) {
      const bySite = index.get(siteId)!;
      bySite.delete(langcode);
      if (bySite.size === 0) index.delete(siteId);
    }
  };
  const lru = new LRUCache<string, ServablePage>({
    maxSize: maxBytes,
    sizeCalculation: (p) => Math.max(1, p.size),
    dispose: (p, k, reason) => {
      unindex(k);
      if (!collect || (reason !== 'evict' && reason !== 'set' && reason !== 'delete')) return;
      evicted += p.size;
      if (evicted < gcEvery || gcPending) return;
      gcPending = true;
      setImmediate(() => {
        evicted = 0;
        gcPending = false;
        collect();
      }).unref();
    },
  });
  // Two generations of recently missed keys; the older one is dropped when the newer fills up.
  const doorLimit = Math.max(1024, Math.floor(maxBytes / 4096));
  let seen = new Set<string>();
  let seenBefore = new Set<string>();
  const put = (k: string, p: ServablePage) => {
    if (p.size > maxBytes) return;
    lru.set(k, p);
    const [siteId, langcode, urlPath] = splitKey(k);
    // Never touched yet: its first hit refreshes its place in the LRU, whatever the second.
    if (lru.peek(k) === p) paths(siteId, langcode, true)!.set(urlPath, { key: k, page: p, second: -1 });
  };
  return {
    enabled: true,
    get: (k) => lru.get(k),
    find(siteId, langcode, urlPath) {
      const e = index.get(siteId)?.get(langcode)?.get(urlPath);
      if (e === undefined) return undefined;
      if (e.second !== clock.second) {
        e.second = clock.second;
        lru.get(e.key);
      }
      return e.page;
    },
    set: put,
    offer(k, p) {
      // While there is room nothing is evicted, so nothing piles up. "No page here" answers
      // are small and save a table read per request: always kept.
      if (p.kind === 'none' || lru.calculatedSize + p.size <= maxBytes || seen.has(k) || seenBefore.has(k)) return put(k, p);
      if (seen.size >= doorLimit) {
        seenBefore = seen;
        seen = new Set();
      }
      seen.add(k);
    },
    delete: (k) => {
      lru.delete(k);
    },
    clear: () => {
      lru.clear();
      index.clear();
      seen.clear();
      seenBefore.clear();
    },
    stats: () => ({ entries: lru.size, bytes: lru.calculatedSize, maxBytes }),
  };
}

/** An entry of the request path's maps: the page, and the second its LRU entry was last touched. */
interface Indexed {
  key: string;
  page: ServablePage;
  second: number;
}

/** `pageKey`'s parts; the path may itself hold NUL characters (a decoded %00), the others never do. */
function splitKey(k: string): [string, string, string] {
  const a = k.indexOf('\u0000');
  const b = k.indexOf('\u0000', a + 1);
  return [k.slice(0, a), k.slice(a + 1, b), k.slice(b + 1)];
}

/** A second counter shared by every cache, ticked by one unref'd timer started with the first cache. */
const clock = { second: 0, timer: undefined as NodeJS.Timeout | undefined };
function startClock(): void {
  clock.timer ??= setInterval(() => clock.second++, 1000).unref();
}

let gcRaw: ((options?: object) => void) | null | undefined;
/** V8's `gc` function, exposed once per process through a flag and a fresh context; null where it cannot be had. */
function exposedGc(): ((options?: object) => void) | null {
  if (gcRaw !== undefined) return gcRaw;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    gcRaw = typeof gc === 'function' ? (gc as (options?: object) => void) : null;
  } catch {
    gcRaw = null;
  }
  return gcRaw;
}

/** V8's full collection, or null where it cannot be had. */
export function fullCollection(): (() => void) | null {
  const gc = exposedGc();
  return gc && (() => gc());
}

/**
 * A full collection that also gives memory back: V8's "last resort" flavour shrinks the young
 * generation at once (128 → 1 MiB measured on Node 24). Before Node 24 it is a plain full
 * collection. For an idle process (src/http/idle-memory.ts), not for a busy one.
 */
export function memoryReducingCollection(): (() => void) | null {
  const gc = exposedGc();
  // On Node 20 the options form collects, but what follows shrinks less than a plain gc() (measured): plain there.
  if (Number(process.versions.node.split('.')[0]) < 24) return gc && (() => gc());
  return gc && (() => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' }));
}
