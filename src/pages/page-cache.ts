import { LRUCache } from 'lru-cache';
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
      /** Lazily gunzipped for clients that do not accept gzip. */
      plain?: Buffer;
      extraHeaders: Record<string, string>;
    }
  | { kind: 'redirect'; size: number; hidden: boolean; location: string; status: number }
  | { kind: 'content'; size: number; hidden: boolean; contentUrl: string; pseudoroute: boolean };

/** Headers a renderer asked for, minus those the page store sets itself. */
const OWN_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'etag', 'vary', 'cache-control', 'x-pm-cache', 'set-cookie']);
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
  ];
  const extra = pageExtraHeaders(rec.headers);
  // Every page carries a policy; one stored without (an older row, a plugin's page) may run no script.
  extra['content-security-policy'] ??= NO_SCRIPT_PAGE_CSP;
  for (const [k, v] of Object.entries(extra)) base.push(k, v);
  return {
    kind: 'html',
    size: gz.length + 512,
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
  set(key: string, page: ServablePage): void;
  delete(key: string): void;
  clear(): void;
  readonly enabled: boolean;
  stats(): { entries: number; bytes: number; maxBytes: number };
}

/** An LRU bounded by bytes. `maxMb` 0 gives a cache that holds nothing. */
export function createPageCache(maxMb: number): PageCache {
  if (maxMb <= 0) {
    return {
      enabled: false,
      get: () => undefined,
      set: () => {},
      delete: () => {},
      clear: () => {},
      stats: () => ({ entries: 0, bytes: 0, maxBytes: 0 }),
    };
  }
  const maxBytes = Math.floor(maxMb * 1024 * 1024);
  const lru = new LRUCache<string, ServablePage>({ maxSize: maxBytes, sizeCalculation: (p) => Math.max(1, p.size) });
  return {
    enabled: true,
    get: (k) => lru.get(k),
    set: (k, p) => {
      if (p.size <= maxBytes) lru.set(k, p);
    },
    delete: (k) => {
      lru.delete(k);
    },
    clear: () => lru.clear(),
    stats: () => ({ entries: lru.size, bytes: lru.calculatedSize, maxBytes }),
  };
}
