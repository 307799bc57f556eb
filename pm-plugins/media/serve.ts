/**
 * GET/HEAD /pm-uploads/…: the files of the site asking, never another's.
 *
 *   /pm-uploads/{id}/{slug}.{ext}                  the current full-size file (the address pages store); revalidated by ETag
 *   /pm-uploads/{id}/{version}/{slug}-{name}.{fmt}  one variant of one version; immutable
 *
 * Hot files are kept in a memory LRU bounded by bytes. Only what processing
 * made is served (the uploaded source, with its EXIF, never is), with its
 * type, `nosniff`, ranges, and `Content-Disposition: attachment` for anything
 * that is not a picture.
 */
import { LRUCache } from 'lru-cache';
import { PmError } from '../../src/plugins/plugin.js';
import type { FileStorage, PmReply, PmRequest } from '../../src/plugins/plugin.js';
import type { Media, MediaStore } from './media-store.js';
import type { MediaService } from './media-service.js';

const ID = '[0-9A-HJKMNP-TV-Z]{26}';
const STABLE = new RegExp(`^/pm-uploads/(${ID})/([a-z0-9-]+)\\.([a-z0-9]+)$`);
const VARIANT = new RegExp(`^/pm-uploads/(${ID})/([0-9a-f]{12})/([a-z0-9-]+)-(full|thumb|w\\d{1,5})\\.([a-z0-9]+)$`);
const TYPES: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', avif: 'image/avif', gif: 'image/gif', pdf: 'application/pdf', svg: 'image/svg+xml' };
/** How long a file's row is trusted before it is read again (a delete or replace on another instance shows after this). */
const META_TTL_MS = 2000;

export function createUploadServer(o: { storage: FileStorage; store: MediaStore; media: MediaService; cacheBytes: number; maxEntryBytes?: number }) {
  const files = new LRUCache<string, Buffer>({ maxSize: Math.max(1, o.cacheBytes), maxEntrySize: o.maxEntryBytes ?? Math.max(1, Math.floor(o.cacheBytes / 8)), sizeCalculation: (b) => b.length || 1 });
  const meta = new LRUCache<string, { m: Media | undefined; at: number }>({ max: 5000 });

  async function row(mediaId: string): Promise<Media | undefined> {
    const hit = meta.get(mediaId);
    if (hit && Date.now() - hit.at < META_TTL_MS) return hit.m;
    const m = await o.store.get(mediaId);
    meta.set(mediaId, { m, at: Date.now() });
    return m;
  }

  function notFound(path: string): PmError {
    return new PmError('PM_ERR_NOT_FOUND', { what: `file ${path}` });
  }

  async function handle(request: PmRequest, reply: PmReply): Promise<PmReply> {
    const path = request.pm.url.urlPath;
    let mediaId: string;
    let version: string;
    let variant: { name: string; format: string };
    let immutable = false;
    let m: Media | undefined;
    let s = VARIANT.exec(path);
    if (s) {
      [, mediaId, version] = s;
      m = await row(mediaId);
      variant = { name: s[4], format: s[5] };
      immutable = true;
      if (!m || m.slug !== s[3]) throw notFound(path);
    } else if ((s = STABLE.exec(path))) {
      mediaId = s[1];
      m = await row(mediaId);
      if (!m || m.slug !== s[2] || o.media.urlOf(m) !== path) throw notFound(path);
      version = m.version;
      variant = { name: 'full', format: s[3] };
    } else throw notFound(path);
    if (m.siteId !== request.pm.site.siteId || version !== m.version || !m.variants.some((v) => v.name === variant.name && v.format === variant.format)) {
      throw notFound(path);
    }
    const key = o.media.storageKey(m, version, `${variant.name}.${variant.format}`);
    const etag = `"${version}-${variant.name}-${variant.format}"`;
    const type = TYPES[variant.format] ?? 'application/octet-stream';
    reply.header('content-type', type);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('etag', etag);
    reply.header('accept-ranges', 'bytes');
    reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate');
    if (m.kind !== 'image') {
      const fname = `${m.slug}.${variant.format}`;
      reply.header('content-disposition', `attachment; filename="${fname}"; filename*=UTF-8''${encodeURIComponent(m.name)}`);
      // A PDF is a download here: nothing of it may run on this origin if a browser shows it anyway.
      reply.header('content-security-policy', "default-src 'none'; sandbox");
    }
    if (variant.format === 'svg') {
      // Rebuilt without script at upload; opened on its own it still may load nothing and run nothing.
      reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
    }
    const inm = request.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return reply.code(304).send();

    let body = files.get(key);
    if (!body) {
      body = await o.storage.get(key);
      if (!body) throw notFound(path);
      files.set(key, body);
    }
    const range = request.headers.range;
    if (range && (!request.headers['if-range'] || request.headers['if-range'] === etag)) {
      const r = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      const size = body.length;
      let start = r?.[1] ? Number(r[1]) : NaN;
      let end = r?.[2] ? Number(r[2]) : size - 1;
      if (r && !r[1] && r[2]) (start = Math.max(0, size - Number(r[2])), (end = size - 1));
      if (!r || Number.isNaN(start) || start >= size || start > end) {
        return reply.code(416).header('content-range', `bytes */${size}`).send();
      }
      end = Math.min(end, size - 1);
      return reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`).send(body.subarray(start, end + 1));
    }
    return reply.code(200).send(body);
  }

  return {
    handle,
    /** Forgets a file at once on this instance (after a delete or a replacement here). */
    forget(mediaId: string): void {
      meta.delete(mediaId);
    },
    get cachedBytes() {
      return files.calculatedSize;
    },
  };
}
