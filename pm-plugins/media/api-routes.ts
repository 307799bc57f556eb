/**
 * The media library in the JSON API, under /pm/api/media (see docs/api.md).
 * Thin: input is parsed here, every rule is in media-service.ts.
 */
import { PmError } from '../../src/plugins/plugin.js';
import type { PluginRouter, PmRequest } from '../../src/plugins/plugin.js';
import type { Media, MediaUse } from './media-store.js';
import type { MediaService, Usage } from './media-service.js';
import { readUpload } from './upload-input.js';

export function mediaView(media: MediaService, m: Media, uses?: MediaUse[]) {
  return {
    mediaId: m.mediaId,
    name: m.name,
    alt: m.alt,
    kind: m.kind,
    mime: m.mime,
    width: m.width,
    height: m.height,
    bytes: m.bytes,
    status: m.status,
    error: m.error || undefined,
    url: media.urlOf(m),
    thumbnailUrl: media.thumbUrl(m),
    variants: m.variants.filter((v) => v.name !== 'thumb').map((v) => ({ url: media.variantUrl(m, v), format: v.format, width: v.width, height: v.height, bytes: v.bytes })),
    createdAt: new Date(m.createdAt).toISOString(),
    updatedAt: new Date(m.updatedAt).toISOString(),
    ...(uses ? { usedOn: uses.map((u) => ({ langcode: u.langcode, urlPath: u.urlPath })) } : {}),
  };
}

function jsonBody(request: PmRequest, allowed: string[]): Record<string, unknown> {
  const ct = String(request.headers['content-type'] ?? '');
  const b = request.body;
  if (!ct.startsWith('application/json') || !b || typeof b !== 'object' || Array.isArray(b)) {
    throw new PmError('PM_ERR_BAD_REQUEST', { detail: 'Send a JSON object with Content-Type: application/json.' });
  }
  const extra = Object.keys(b).filter((k) => !allowed.includes(k));
  if (extra.length) throw new PmError('PM_ERR_VALIDATION', {}, { fields: Object.fromEntries(extra.map((k) => [k, 'This call does not take this field.'])) });
  return b as Record<string, unknown>;
}

const wait = (request: PmRequest) => ['1', 'true', 'yes'].includes(String((request.query as Record<string, unknown>).wait ?? '').toLowerCase());

/** A query number as a whole number within bounds; anything else (`1e309`, `1.5`, `abc`) is refused, not passed to SQL. */
function wholeNumber(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new PmError('PM_ERR_BAD_REQUEST', { detail: `?${name}= must be a whole number from ${min} to ${max}.` });
  return n;
}

export function mediaApiRoutes(router: PluginRouter, media: MediaService, sites: () => { siteId: string }[], forget: (mediaId: string) => void): void {
  router.get(
    '/pm/api/media',
    async (request) => {
      const q = request.query as Record<string, string | undefined>;
      const kind = q.type === 'image' || q.type === 'document' ? q.type : undefined;
      if (q.type && !kind) throw new PmError('PM_ERR_BAD_REQUEST', { detail: 'type must be image or document.' });
      const limit = wholeNumber('limit', q.limit, 60, 1, 200);
      const offset = wholeNumber('offset', q.offset, 0, 0, 1_000_000);
      const { items, total } = await media.list(request.pm.site.siteId, { q: q.q, kind, limit, offset });
      return { items: items.map((m) => mediaView(media, m)), total, limit, offset };
    },
    { permission: 'url-dashboard', description: 'List the media library (search with q, filter with type)' },
  );

  router.post(
    '/pm/api/media',
    async (request, reply) => {
      const { files, fields } = await readUpload(request, reply, media.limits.maxBytes);
      if (files.length !== 1) throw new PmError('PM_ERR_BAD_REQUEST', { detail: files.length ? 'Send one file per call (field "file").' : 'No file was sent: use the field "file".' });
      const f = files[0];
      let m = await media.upload({ siteId: request.pm.site.siteId, body: f.body, filename: f.filename, alt: fields.alt?.[0] });
      if (wait(request)) m = (await media.whenReady(m.mediaId)) ?? m;
      return reply.code(m.status === 'processing' ? 202 : 201).send(mediaView(media, m));
    },
    { permission: 'pages.write', description: 'Upload a file (multipart, field "file"; alt; ?wait=true)' },
  );

  router.get(
    '/pm/api/media/:mediaId',
    async (request) => {
      const m = await media.get(request.pm.site.siteId, (request.params as { mediaId: string }).mediaId);
      return mediaView(media, m, await media.uses(m.mediaId));
    },
    { permission: 'url-dashboard', description: 'One file of the media library, with where it is used' },
  );

  router.patch(
    '/pm/api/media/:mediaId',
    async (request) => {
      const b = jsonBody(request, ['alt']);
      if (typeof b.alt !== 'string') throw new PmError('PM_ERR_VALIDATION', {}, { fields: { alt: 'A description of the picture, as text.' } });
      const m = await media.setAlt(request.pm.site.siteId, (request.params as { mediaId: string }).mediaId, b.alt);
      return mediaView(media, m, await media.uses(m.mediaId));
    },
    { permission: 'pages.write', description: 'Change the description (alt text) of a file' },
  );

  router.put(
    '/pm/api/media/:mediaId/file',
    async (request, reply) => {
      const { files } = await readUpload(request, reply, media.limits.maxBytes);
      if (files.length !== 1) throw new PmError('PM_ERR_BAD_REQUEST', { detail: 'Send exactly one file (field "file").' });
      let m = await media.replace(request.pm.site.siteId, (request.params as { mediaId: string }).mediaId, files[0].body, files[0].filename);
      if (wait(request)) m = (await media.whenReady(m.mediaId)) ?? m;
      forget(m.mediaId);
      return reply.code(m.status === 'processing' ? 202 : 200).send(mediaView(media, m));
    },
    { permission: 'pages.write', description: 'Replace the content of a file; pages that show it follow' },
  );

  router.delete(
    '/pm/api/media/:mediaId',
    async (request, reply) => {
      const id = (request.params as { mediaId: string }).mediaId;
      await media.remove(request.pm.site.siteId, id);
      forget(id);
      return reply.code(204).send();
    },
    { permission: 'pages.write', description: 'Delete a file (refused while a page shows it)' },
  );

  router.get(
    '/pm/api/media-quota',
    async (request) => quotaView(await media.quota(request.pm.site.siteId)),
    { permission: 'url-dashboard', description: 'The site’s storage quota and what it uses' },
  );

  router.put(
    '/pm/api/media-quota',
    async (request) => {
      const b = jsonBody(request, ['limitBytes', 'siteId']);
      const v = b.limitBytes;
      if (v !== null && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)) {
        throw new PmError('PM_ERR_VALIDATION', {}, { fields: { limitBytes: 'A whole number of bytes, or null for no limit.' } });
      }
      // A site's quota is the host's decision: its own superadmins may set it, and the primary site's for any site.
      const siteId = typeof b.siteId === 'string' && b.siteId ? b.siteId : request.pm.site.siteId;
      if (siteId !== request.pm.site.siteId && !request.pm.site.isPrimary) throw new PmError('PM_ERR_FORBIDDEN', { action: 'set the quota of another site' });
      if (!sites().some((s) => s.siteId === siteId)) throw new PmError('PM_ERR_NOT_FOUND', { what: `site ${siteId}` });
      await media.setQuota(siteId, v as number | null);
      return quotaView(await media.quota(siteId));
    },
    { permission: 'users.manage-superadmins', description: 'Set a site’s storage quota (null: unlimited)' },
  );
}

export function mediaSettingsRoutes(router: PluginRouter, media: MediaService): void {
  router.get('/pm/api/media-settings', async (request) => media.settings(request.pm.site.siteId), { permission: 'url-dashboard', description: 'The site’s media settings' });
  router.put(
    '/pm/api/media-settings',
    async (request) => {
      const b = jsonBody(request, ['allowSvg']);
      if (typeof b.allowSvg !== 'boolean') throw new PmError('PM_ERR_VALIDATION', {}, { fields: { allowSvg: 'true to take SVG pictures (sanitised), false to refuse them.' } });
      await media.setSettings(request.pm.site.siteId, { allowSvg: b.allowSvg });
      return media.settings(request.pm.site.siteId);
    },
    { permission: 'site.settings', description: 'Change the site’s media settings (allowSvg)' },
  );
}

export function quotaView(q: Usage) {
  return { limitBytes: q.limit, usedBytes: q.used, parts: q.parts.map((p) => ({ part: p.part, label: p.label, bytes: p.bytes })) };
}
