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
 */
export function createPageCache(maxMb: number): PageCache {
  if (maxMb <= 0) {
    return {
      enabled: false,
      get: () => undefined,
      set: () => {},
      offer: () => {},
      delete: () => {},
      clear: () => {},
      stats: () => ({ entries: 0, bytes: 0, maxBytes: 0 }),
    };
  }
  const maxBytes = Math.floor(maxMb * 1024 * 1024);
  const collect = fullCollection();
  const gcEvery = Math.min(32 * 1024 * 1024, Math.max(4 * 1024 * 1024, maxBytes / 4));
  let evicted = 0;
  let gcPending = false;
  const lru = new LRUCache<string, ServablePage>({
    maxSize: maxBytes,
    sizeCalculation: (p) => Math.max(1, p.size),
    dispose: (p, _k, reason) => {
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
    if (p.size <= maxBytes) lru.set(k, p);
  };
  return {
    enabled: true,
    get: (k) => lru.get(k),
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
      seen.clear();
      seenBefore.clear();
    },
    stats: () => ({ entries: lru.size, bytes: lru.calculatedSize, maxBytes }),
  };
}

let gcFn: (() => void) | null | undefined;
/** V8's full collection, or null where it cannot be had. Exposed once per process through a flag and a fresh context. */
function fullCollection(): (() => void) | null {
  if (gcFn !== undefined) return gcFn;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    gcFn = typeof gc === 'function' ? () => (gc as () => void)() : null;
  } catch {
    gcFn = null;
  }
  return gcFn;
}
