/**
 * The media rules, written once: the dashboard's library and the JSON API are
 * two doors onto this service. An upload is checked (type from its bytes,
 * size, pixels from the header), counted against the site's quota and stored
 * as a private source file before the request ends; the variants are made off
 * the request path, in a bounded queue, and the pages that show the file are
 * rendered again once it is ready.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { ulid } from 'ulid';
import { formatBytes, isPmError, PmError } from '../../src/plugins/plugin.js';
import type { FileStorage, ImageInfo, PluginServer } from '../../src/plugins/plugin.js';
import type { Media, MediaSettings, MediaStore, MediaUse, Variant } from './media-store.js';
import { processImage, readHeader, type createQueue } from './processor.js';
import { ACCEPTED, cleanName, looksComplete, sniff, SVG_MIME } from './sniff.js';
import { sanitiseSvg } from './svg-sanitise.js';

export interface MediaLimits {
  maxBytes: number;
  maxPixels: number;
  /** Quota of a site without its own setting: null (unlimited) for the primary site, this for the others. */
  defaultQuotaBytes: number | null;
}

/** A site's storage quota and what counts against it. */
export interface Usage {
  limit: number | null;
  used: number;
  /** `media` (files with all their sizes) first, then `pages`, `page history`, `posts`, … */
  parts: { part: string; label: string; bytes: number }[];
}

export interface UploadInput {
  siteId: string;
  body: Buffer;
  filename: string | undefined;
  alt?: string;
}

const ID_IN_URL = /\/pm-uploads\/([0-9A-HJKMNP-TV-Z]{26})\//g;

export function createMediaService(o: {
  server: PluginServer;
  store: MediaStore;
  storage: FileStorage;
  limits: MediaLimits;
  queue: ReturnType<typeof createQueue>;
}) {
  const { server, store, storage, limits, queue } = o;
  const primaryId = () => server.sites.list().find((s) => s.isPrimary)?.siteId;
  const defaultQuota = (siteId: string) => (siteId === primaryId() ? null : limits.defaultQuotaBytes);
  const listeners = new Set<(m: Media) => void>();
  let background = Promise.resolve();
  const MEDIA_LABEL = 'Files (every size of every picture)';
  // The limit page and post writes are held to: the core asks before a write that grows a site.
  server.usage.limit(async (siteId) => {
    const q = await store.readQuota(siteId, defaultQuota(siteId));
    return { limit: q.limit, parts: [{ part: 'media', label: MEDIA_LABEL, bytes: q.used }] };
  });

  const keyOf = (m: Pick<Media, 'siteId' | 'mediaId'>, version: string, file: string) => `${m.siteId}/${m.mediaId}/${version}/${file}`;
  const sourceKey = (m: Pick<Media, 'siteId' | 'mediaId'>, version: string) => `${m.siteId}/${m.mediaId}/source-${version}`;
  const fileOf = (v: Pick<Variant, 'name' | 'format'>) => `${v.name}.${v.format}`;
  const ownFormat = (m: Media) => ACCEPTED[Object.keys(ACCEPTED).find((k) => ACCEPTED[k].mime === m.mime) ?? 'pdf'].ext;

  /** The address pages store: stable across replacements. */
  const urlOf = (m: Pick<Media, 'mediaId' | 'slug' | 'mime'>) => `/pm-uploads/${m.mediaId}/${m.slug}.${ACCEPTED[Object.keys(ACCEPTED).find((k) => ACCEPTED[k].mime === m.mime) ?? 'pdf'].ext}`;
  /** A fingerprinted address of one variant, served as immutable. */
  const variantUrl = (m: Media, v: Pick<Variant, 'name' | 'format'>) => `/pm-uploads/${m.mediaId}/${m.version}/${m.slug}-${v.name}.${v.format}`;
  const thumbOf = (m: Media): Variant | undefined =>
    m.variants.find((v) => v.name === 'thumb') ??
    m.variants.filter((v) => v.format === 'webp').sort((a, b) => Math.abs(a.width - 400) - Math.abs(b.width - 400))[0] ??
    m.variants.find((v) => v.name === 'full' && m.kind === 'image');

  function fail(name: string, code: 'PM_ERR_MEDIA_TYPE' | 'PM_ERR_MEDIA_UNREADABLE', reason: string, type = ''): PmError {
    return new PmError(code, { name, reason, type });
  }

  /**
   * Everything that can be decided from the bytes before anything is stored. An SVG comes back
   * rebuilt (`body` is then the sanitised file), when the site takes them.
   */
  async function inspect(siteId: string, body: Buffer, name: string): Promise<{ type: keyof typeof ACCEPTED; width: number; height: number; body: Buffer }> {
    if (body.length === 0) throw new PmError('PM_ERR_MEDIA_EMPTY', { name });
    if (body.length > limits.maxBytes) throw new PmError('PM_ERR_PAYLOAD_TOO_LARGE', { limit: formatBytes(limits.maxBytes) });
    const t = sniff(body);
    if (t === 'svg') {
      if (!(await store.settings(siteId)).allowSvg) {
        throw fail(name, 'PM_ERR_MEDIA_TYPE', 'SVG pictures can carry script and this site does not take them; save it as PNG or WebP (an admin can allow sanitised SVG on the Media page).', 'SVG');
      }
      const r = sanitiseSvg(body);
      if (!r.ok) throw fail(name, 'PM_ERR_MEDIA_TYPE', `this SVG cannot be made safe: ${r.reason}`, 'SVG');
      return { type: 'svg', width: r.width, height: r.height, body: r.svg };
    }
    if (!t) throw fail(name, 'PM_ERR_MEDIA_TYPE', 'its content is not a JPEG, PNG, WebP, AVIF or GIF picture, nor a PDF (the type is read from the file itself, not its name).');
    if (ACCEPTED[t].kind !== 'image') return { type: t, width: 0, height: 0, body };
    if (!looksComplete(t, body)) throw fail(name, 'PM_ERR_MEDIA_UNREADABLE', 'the file is cut off (was the upload interrupted?).', t.toUpperCase());
    let h;
    try {
      h = await readHeader(body);
    } catch (e) {
      throw fail(name, 'PM_ERR_MEDIA_UNREADABLE', 'its header is broken.', t.toUpperCase());
    }
    if (!h.width || !h.height) throw fail(name, 'PM_ERR_MEDIA_UNREADABLE', 'it has no size.', t.toUpperCase());
    if (h.width * h.height > limits.maxPixels) {
      throw new PmError('PM_ERR_MEDIA_PIXELS', { name, width: h.width, height: h.height, limit: Math.round(limits.maxPixels / 1e6) });
    }
    return { type: t, width: h.width, height: h.height, body };
  }

  /** What the site stores, part by part: its files (counted as they are written), then the parts the core and plugins measure. */
  async function usage(siteId: string): Promise<Usage> {
    const q = await store.quota(siteId, defaultQuota(siteId));
    const parts = [{ part: 'media', label: MEDIA_LABEL, bytes: q.used }, ...(await server.usage.measure(siteId))];
    return { limit: q.limit, used: parts.reduce((n, p) => n + p.bytes, 0), parts };
  }

  /** Counts `bytes` more of files, if the site's quota has room for them beside everything else it stores. */
  async function reserve(siteId: string, bytes: number): Promise<void> {
    const q = await store.quota(siteId, defaultQuota(siteId));
    // Unlimited: nothing to measure. Otherwise pages and posts are measured now and the check is one statement.
    const others = q.limit === null ? 0 : (await server.usage.measure(siteId)).reduce((n, p) => n + p.bytes, 0);
    if (await store.reserve(siteId, bytes, others)) return;
    const now = await usage(siteId);
    throw new PmError('PM_ERR_QUOTA_EXCEEDED', {
      limit: formatBytes(now.limit ?? q.limit ?? 0),
      used: formatBytes(now.used),
      parts: now.parts.map((p) => `${p.part} ${formatBytes(p.bytes)}`).join(', '),
      needed: formatBytes(bytes),
    });
  }

  /** Stores the source privately and counts it; throws with nothing stored or counted when anything fails. */
  async function storeSource(m: Pick<Media, 'siteId' | 'mediaId'>, version: string, body: Buffer, mime: string): Promise<void> {
    await reserve(m.siteId, body.length);
    try {
      await storage.put(sourceKey(m, version), body, { contentType: mime });
    } catch (e) {
      await store.release(m.siteId, body.length);
      throw e;
    }
  }

  function schedule(mediaId: string): Promise<void> {
    const p = queue.run(() => process(mediaId));
    background = background.then(() => p).then(() => {}, () => {});
    return p;
  }

  async function deleteVersion(m: Media, version: string, variants: Variant[]): Promise<void> {
    for (const v of variants) await storage.delete(keyOf(m, version, fileOf(v))).catch(() => {});
  }

  /** Makes the variants of the pending version; swaps them in; frees the old ones. Never throws. */
  async function process(mediaId: string): Promise<void> {
    const m = await store.get(mediaId);
    if (!m || !m.pending) return;
    const version = m.pending;
    const src = await storage.get(sourceKey(m, version));
    if (!src) return void (await store.update(mediaId, { status: m.variants.length ? 'ready' : 'failed', pending: '', error: m.variants.length ? '' : 'The uploaded file was lost before it was processed; upload it again.' }));
    let made: (Variant & { body?: Buffer })[] = [];
    try {
      const ext = ownFormat(m);
      // An SVG is served as it was rebuilt at upload (sanitise-svg.ts): one size fits every width.
      made =
        m.mime === SVG_MIME
          ? [{ name: 'full', format: ext, width: m.width, height: m.height, bytes: src.length, body: src }]
          : m.kind === 'image'
            ? await processImage(src, ext, { maxPixels: limits.maxPixels })
            : [{ name: 'full', format: ext, width: 0, height: 0, bytes: src.length, body: src }];
      const total = made.reduce((n, v) => n + v.bytes, 0);
      // The quota counted the source; it now counts the variants instead.
      const delta = total - src.length;
      if (delta > 0) await reserve(m.siteId, delta);
      try {
        for (const v of made) await storage.put(keyOf(m, version, fileOf(v)), v.body as Buffer, { contentType: v.format === 'pdf' ? 'application/pdf' : v.format === 'svg' ? SVG_MIME : `image/${v.format === 'jpg' ? 'jpeg' : v.format}` });
      } catch (e) {
        if (delta > 0) await store.release(m.siteId, delta);
        await deleteVersion(m, version, made);
        throw e;
      }
      if (delta < 0) await store.release(m.siteId, -delta);
      const full = made.find((v) => v.name === 'full');
      const variants = made.map(({ body: _b, ...v }) => v);
      await store.update(mediaId, { status: 'ready', error: '', version, pending: '', variants, bytes: total, width: full?.width ?? 0, height: full?.height ?? 0 });
      await storage.delete(sourceKey(m, version)).catch(() => {});
      // The old version's files go, and their bytes leave the quota.
      if (m.version !== version && m.variants.length) {
        await deleteVersion(m, m.version, m.variants);
        await store.release(m.siteId, m.bytes);
      }
      const ready = (await store.get(mediaId)) as Media;
      for (const l of listeners) l(ready);
      await rerenderUses(ready);
    } catch (e) {
      const message = isPmError(e) ? e.message : `The picture could not be processed: ${(e as Error).message}`;
      server.log.warn('media processing failed', { mediaId, error: (e as Error).message });
      await storage.delete(sourceKey(m, version)).catch(() => {});
      await store.release(m.siteId, src.length);
      // A failed replacement keeps serving the old file; a failed first upload keeps a row that says why.
      await store.update(mediaId, { status: m.variants.length ? 'ready' : 'failed', pending: '', error: message });
      const now = (await store.get(mediaId)) as Media;
      for (const l of listeners) l(now);
    }
  }

  /** Pages that show the file are rendered again, so their srcset names the new variants (no revision: their data did not change). */
  async function rerenderUses(m: Media): Promise<void> {
    const seen = new Set<string>();
    for (const u of await store.usesOf(m.mediaId)) {
      const key = `${u.langcode}\0${u.urlPath}`;
      if (seen.has(key)) continue;
      seen.add(key);
      await server.templates.rerender(m.siteId, u.langcode, u.urlPath).catch((e) => server.log.warn('re-rendering a page after a media change failed', { urlPath: u.urlPath, error: (e as Error).message }));
    }
  }

  async function mustGet(siteId: string, mediaId: string): Promise<Media> {
    const m = /^[0-9A-HJKMNP-TV-Z]{26}$/.test(mediaId) ? await store.get(mediaId) : undefined;
    if (!m || m.siteId !== siteId) throw new PmError('PM_ERR_NOT_FOUND', { what: `media file ${mediaId}` });
    return m;
  }

  const versionOf = (body: Buffer) => createHash('sha256').update(body).digest('hex').slice(0, 12);

  return {
    urlOf,
    variantUrl,
    thumbUrl: (m: Media) => {
      const t = thumbOf(m);
      return t && m.status !== 'failed' && m.variants.length ? variantUrl(m, t) : undefined;
    },
    storageKey: keyOf,
    limits,
    /** Called after a file is processed, fails or is deleted. */
    onChange(fn: (m: Media) => void): void {
      listeners.add(fn);
    },

    async upload(i: UploadInput): Promise<Media> {
      const { name, slug } = cleanName(i.filename);
      const info = await inspect(i.siteId, i.body, name);
      const body = info.body;
      const t = ACCEPTED[info.type];
      const now = Date.now();
      const version = versionOf(body);
      const m: Media = {
        mediaId: ulid(),
        siteId: i.siteId,
        name,
        slug,
        mime: t.mime,
        kind: t.kind,
        alt: (i.alt ?? '').trim().slice(0, 500),
        width: info.width,
        height: info.height,
        bytes: 0,
        status: 'processing',
        error: '',
        version,
        pending: version,
        variants: [],
        createdAt: now,
        updatedAt: now,
      };
      await storeSource(m, version, body, t.mime);
      try {
        await store.insert(m);
      } catch (e) {
        await storage.delete(sourceKey(m, version)).catch(() => {});
        await store.release(m.siteId, body.length);
        throw e;
      }
      void schedule(m.mediaId);
      return m;
    },

    async replace(siteId: string, mediaId: string, uploaded: Buffer, filename: string | undefined): Promise<Media> {
      const m = await mustGet(siteId, mediaId);
      const { name } = cleanName(filename);
      const info = await inspect(siteId, uploaded, name);
      const body = info.body;
      const t = ACCEPTED[info.type];
      if (t.kind !== m.kind) throw fail(name, 'PM_ERR_MEDIA_TYPE', `a ${m.kind === 'image' ? 'picture' : 'document'} can only be replaced by another ${m.kind === 'image' ? 'picture' : 'document'}.`);
      // Drawings and photographs are served differently (an SVG keeps no sizes and gets its own policy).
      if ((t.mime === SVG_MIME) !== (m.mime === SVG_MIME)) throw fail(name, 'PM_ERR_MEDIA_TYPE', `an ${m.mime === SVG_MIME ? 'SVG can only be replaced by another SVG' : 'SVG cannot replace a photograph or PNG'}; upload it as a new file.`);
      if (m.pending) throw new PmError('PM_ERR_CONFLICT', { what: 'A replacement being processed for this file' });
      const version = versionOf(body);
      if (version === m.version) return m;
      await storeSource(m, version, body, t.mime);
      // The address pages use keeps its extension, so the type may change only within pictures of one format.
      await store.update(mediaId, { pending: version, status: 'processing', mime: t.mime, name, error: '' });
      void schedule(mediaId);
      return (await store.get(mediaId)) as Media;
    },

    /** Resolves when the file is no longer processing. */
    async whenReady(mediaId: string, timeoutMs = 120_000): Promise<Media | undefined> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = await store.get(mediaId);
        if (!m || m.status !== 'processing' || Date.now() > deadline) return m;
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, 250);
          function done() {
            clearTimeout(t);
            listeners.delete(on);
            resolve();
          }
          const on = (x: Media) => x.mediaId === mediaId && done();
          listeners.add(on);
        });
      }
    },

    get: mustGet,
    list: (siteId: string, q: Parameters<MediaStore['list']>[1]) => store.list(siteId, q),
    uses: (mediaId: string): Promise<MediaUse[]> => store.usesOf(mediaId),

    async setAlt(siteId: string, mediaId: string, alt: string): Promise<Media> {
      const m = await mustGet(siteId, mediaId);
      const next = alt.trim().slice(0, 500);
      if (!next && m.kind === 'image') {
        // Pages show a picture only with a description (alt-check.ts): one in use keeps one.
        const uses = await store.usesOf(mediaId);
        if (uses.length) {
          const where = uses.slice(0, 5).map((u) => (u.langcode ? `/${u.langcode}${u.urlPath}` : u.urlPath)).join(', ') + (uses.length > 5 ? ` and ${uses.length - 5} more` : '');
          throw new PmError('PM_ERR_VALIDATION', {}, { fields: { alt: `This picture is used on ${where}, where it needs a description; change it rather than removing it.` } });
        }
      }
      await store.update(mediaId, { alt: next });
      const saved = (await store.get(mediaId)) as Media;
      await rerenderUses(saved);
      return saved;
    },

    async remove(siteId: string, mediaId: string): Promise<void> {
      const m = await mustGet(siteId, mediaId);
      const uses = await store.usesOf(mediaId);
      if (uses.length) {
        const where = uses.slice(0, 10).map((u) => (u.langcode ? `/${u.langcode}${u.urlPath}` : u.urlPath)).join(', ') + (uses.length > 10 ? ` and ${uses.length - 10} more` : '');
        throw new PmError('PM_ERR_MEDIA_IN_USE', { name: m.name, where });
      }
      await store.delete(mediaId);
      await deleteVersion(m, m.version, m.variants);
      if (m.pending) await storage.delete(sourceKey(m, m.pending)).catch(() => {});
      await store.release(siteId, m.bytes);
      for (const l of listeners) l({ ...m, status: 'failed' });
    },

    /** The site's quota: its limit (null: none), what it stores in all and part by part. */
    quota: usage,
    settings: (siteId: string): Promise<MediaSettings> => store.settings(siteId),
    setSettings: (siteId: string, v: MediaSettings) => store.setSettings(siteId, v),
    setQuota: (siteId: string, limitBytes: number | null) => store.setLimit(siteId, limitBytes, defaultQuota(siteId)),

    /** Records which files a page shows, from its stored HTML. */
    async indexPage(siteId: string, langcode: string, urlPath: string): Promise<void> {
      const page = await server.pages.get(siteId, langcode, urlPath);
      const ids = new Set<string>();
      if (page?.kind === 'html' && page.gz) for (const m of gunzipSync(page.gz).toString('utf8').matchAll(ID_IN_URL)) ids.add(m[1]);
      const mine = (await store.getMany([...ids])).filter((m) => m.siteId === siteId).map((m) => m.mediaId);
      await store.setUses(siteId, langcode, urlPath, mine);
    },

    /** For templates: what `it.picture()` needs for each upload address that is ready. */
    async resolve(urls: string[]): Promise<Map<string, ImageInfo>> {
      const byId = new Map<string, string[]>();
      for (const u of urls) {
        const id = /^\/pm-uploads\/([0-9A-HJKMNP-TV-Z]{26})\//.exec(u)?.[1];
        if (id) byId.set(id, [...(byId.get(id) ?? []), u]);
      }
      const out = new Map<string, ImageInfo>();
      for (const m of await store.getMany([...byId.keys()])) {
        if (m.kind !== 'image' || !m.variants.length) continue;
        const ext = ownFormat(m);
        const of = (fmt: string) => m.variants.filter((v) => v.format === fmt && v.name !== 'thumb').sort((a, b) => a.width - b.width).map((v) => ({ url: variantUrl(m, v), width: v.width }));
        const info: ImageInfo = {
          src: variantUrl(m, { name: 'full', format: ext }),
          width: m.width,
          height: m.height,
          type: m.mime,
          variants: ext === 'gif' || ext === 'svg' ? [] : of(ext),
          sources: ext === 'gif' || ext === 'svg' ? [] : (['avif', 'webp'] as const).filter((f) => f !== ext).map((f) => ({ type: `image/${f}`, variants: of(f) })),
          alt: m.alt,
        };
        for (const u of byId.get(m.mediaId) ?? []) out.set(u, info);
      }
      return out;
    },

    /** Picks up files left processing by a stop. */
    async resume(): Promise<void> {
      for (const m of await store.listByStatus('processing')) void schedule(m.mediaId);
    },
    /** Resolves when no processing or indexing is under way (tests, close). */
    async idle(): Promise<void> {
      for (;;) {
        const b = background;
        await queue.drained();
        await b;
        if (b === background && queue.pending === 0) return;
      }
    },
    track(p: Promise<unknown>): void {
      background = background.then(() => p).then(() => {}, () => {});
    },
  };
}

export type MediaService = ReturnType<typeof createMediaService>;
