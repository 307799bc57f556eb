/**
 * The media plugin's tables: one row per file (pm_media), the bytes each site
 * has stored against its quota (pm_media_quota, changed by the same writes
 * that store or delete files, never by scanning), and where each file is used
 * (pm_media_use, kept up to date as pages change).
 */
import type { Migration, PluginServer } from '../../src/plugins/plugin.js';

export type MediaStatus = 'processing' | 'ready' | 'failed';

/** One stored encoding of a file: `full` or `w640`, in a format. */
export interface Variant {
  name: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
}

export interface Media {
  mediaId: string;
  siteId: string;
  name: string;
  slug: string;
  mime: string;
  kind: 'image' | 'document';
  alt: string;
  width: number;
  height: number;
  /** Bytes stored for this file, all variants together (what the quota counts). */
  bytes: number;
  status: MediaStatus;
  error: string;
  /** Fingerprint of the content being served; changes when the file is replaced. */
  version: string;
  /** Fingerprint of a new content still being processed ('' when none). */
  pending: string;
  variants: Variant[];
  createdAt: number;
  updatedAt: number;
}

export interface MediaUse {
  mediaId: string;
  langcode: string;
  urlPath: string;
}

export function mediaMigrations(): Migration[] {
  return [
    {
      version: 1,
      name: 'create pm_media, pm_media_quota, pm_media_use',
      up: (d) => `
CREATE TABLE pm_media (
  media_id ${d.types.text} PRIMARY KEY,
  site_id ${d.types.text} NOT NULL,
  name ${d.types.text} NOT NULL,
  slug ${d.types.text} NOT NULL,
  mime ${d.types.text} NOT NULL,
  kind ${d.types.text} NOT NULL,
  alt ${d.types.text} NOT NULL DEFAULT '',
  width INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  bytes ${d.types.bigint} NOT NULL DEFAULT 0,
  status ${d.types.text} NOT NULL,
  error ${d.types.text} NOT NULL DEFAULT '',
  version ${d.types.text} NOT NULL,
  pending ${d.types.text} NOT NULL DEFAULT '',
  variants ${d.types.text} NOT NULL DEFAULT '[]',
  created_at ${d.types.bigint} NOT NULL,
  updated_at ${d.types.bigint} NOT NULL
);
CREATE INDEX pm_media_site ON pm_media (site_id, created_at);
CREATE TABLE pm_media_quota (
  site_id ${d.types.text} PRIMARY KEY,
  limit_bytes ${d.types.bigint},
  used_bytes ${d.types.bigint} NOT NULL DEFAULT 0
);
CREATE TABLE pm_media_use (
  site_id ${d.types.text} NOT NULL,
  media_id ${d.types.text} NOT NULL,
  langcode ${d.types.text} NOT NULL,
  url_path ${d.types.text} NOT NULL,
  PRIMARY KEY (site_id, langcode, url_path, media_id)
);
CREATE INDEX pm_media_use_media ON pm_media_use (media_id);
`,
    },
  ];
}

interface Row {
  media_id: string;
  site_id: string;
  name: string;
  slug: string;
  mime: string;
  kind: string;
  alt: string;
  width: number | string;
  height: number | string;
  bytes: number | string;
  status: string;
  error: string;
  version: string;
  pending: string;
  variants: string;
  created_at: number | string;
  updated_at: number | string;
}

function fromRow(r: Row): Media {
  return {
    mediaId: r.media_id,
    siteId: r.site_id,
    name: r.name,
    slug: r.slug,
    mime: r.mime,
    kind: r.kind as Media['kind'],
    alt: r.alt,
    width: Number(r.width),
    height: Number(r.height),
    bytes: Number(r.bytes),
    status: r.status as MediaStatus,
    error: r.error,
    version: r.version,
    pending: r.pending,
    variants: JSON.parse(r.variants) as Variant[],
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export interface ListQuery {
  q?: string;
  kind?: 'image' | 'document';
  limit?: number;
  offset?: number;
}

export function createMediaStore(server: Pick<PluginServer, 'db'>) {
  const db = server.db;
  const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);
  return {
    async insert(m: Media): Promise<void> {
      await db.run(
        `INSERT INTO pm_media (media_id, site_id, name, slug, mime, kind, alt, width, height, bytes, status, error, version, pending, variants, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [m.mediaId, m.siteId, m.name, m.slug, m.mime, m.kind, m.alt, m.width, m.height, m.bytes, m.status, m.error, m.version, m.pending, JSON.stringify(m.variants), m.createdAt, m.updatedAt],
      );
    },
    async update(mediaId: string, patch: Partial<Omit<Media, 'mediaId' | 'siteId' | 'createdAt'>>): Promise<void> {
      const cols: Record<string, string> = { name: 'name', slug: 'slug', mime: 'mime', kind: 'kind', alt: 'alt', width: 'width', height: 'height', bytes: 'bytes', status: 'status', error: 'error', version: 'version', pending: 'pending', variants: 'variants', updatedAt: 'updated_at' };
      const sets: string[] = [];
      const params: unknown[] = [];
      for (const [k, v] of Object.entries({ ...patch, updatedAt: patch.updatedAt ?? Date.now() })) {
        if (!(k in cols) || v === undefined) continue;
        sets.push(`${cols[k]} = ?`);
        params.push(k === 'variants' ? JSON.stringify(v) : v);
      }
      await db.run(`UPDATE pm_media SET ${sets.join(', ')} WHERE media_id = ?`, [...params, mediaId]);
    },
    async get(mediaId: string): Promise<Media | undefined> {
      const r = await db.get<Row>('SELECT * FROM pm_media WHERE media_id = ?', [mediaId]);
      return r ? fromRow(r) : undefined;
    },
    async getMany(ids: string[]): Promise<Media[]> {
      if (!ids.length) return [];
      const rows = await db.all<Row>(`SELECT * FROM pm_media WHERE media_id IN (${ids.map(() => '?').join(', ')})`, ids);
      return rows.map(fromRow);
    },
    async list(siteId: string, o: ListQuery = {}): Promise<{ items: Media[]; total: number }> {
      const where = ['site_id = ?'];
      const params: unknown[] = [siteId];
      if (o.kind) (where.push('kind = ?'), params.push(o.kind));
      if (o.q?.trim()) {
        const like = `%${likeEscape(o.q.trim().toLowerCase())}%`;
        where.push(`(lower(name) LIKE ? ESCAPE '\\' OR lower(alt) LIKE ? ESCAPE '\\')`);
        params.push(like, like);
      }
      const w = where.join(' AND ');
      const total = Number((await db.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM pm_media WHERE ${w}`, params))?.n ?? 0);
      const rows = await db.all<Row>(`SELECT * FROM pm_media WHERE ${w} ORDER BY created_at DESC, media_id DESC LIMIT ? OFFSET ?`, [...params, Math.min(o.limit ?? 60, 500), o.offset ?? 0]);
      return { items: rows.map(fromRow), total };
    },
    async delete(mediaId: string): Promise<void> {
      await db.run('DELETE FROM pm_media WHERE media_id = ?', [mediaId]);
      await db.run('DELETE FROM pm_media_use WHERE media_id = ?', [mediaId]);
    },
    async listByStatus(status: MediaStatus): Promise<Media[]> {
      return (await db.all<Row>('SELECT * FROM pm_media WHERE status = ?', [status])).map(fromRow);
    },

    // Quota: one row per site, created with the site's default limit the first time it is needed.
    async quota(siteId: string, defaultLimit: number | null): Promise<{ limit: number | null; used: number }> {
      await db.run('INSERT INTO pm_media_quota (site_id, limit_bytes, used_bytes) VALUES (?, ?, 0) ON CONFLICT (site_id) DO NOTHING', [siteId, defaultLimit]);
      const r = await db.get<{ limit_bytes: number | string | null; used_bytes: number | string }>('SELECT limit_bytes, used_bytes FROM pm_media_quota WHERE site_id = ?', [siteId]);
      return { limit: r?.limit_bytes === null || r?.limit_bytes === undefined ? null : Number(r.limit_bytes), used: Number(r?.used_bytes ?? 0) };
    },
    async setLimit(siteId: string, limit: number | null, defaultLimit: number | null): Promise<void> {
      await this.quota(siteId, defaultLimit);
      await db.run('UPDATE pm_media_quota SET limit_bytes = ? WHERE site_id = ?', [limit, siteId]);
    },
    /** Adds `bytes` to what the site uses, only if that stays within its limit: one statement, so two writers cannot both pass. */
    async reserve(siteId: string, bytes: number): Promise<boolean> {
      const r = await db.run('UPDATE pm_media_quota SET used_bytes = used_bytes + ? WHERE site_id = ? AND (limit_bytes IS NULL OR used_bytes + ? <= limit_bytes)', [bytes, siteId, bytes]);
      return r.changes === 1;
    },
    async release(siteId: string, bytes: number): Promise<void> {
      await db.run('UPDATE pm_media_quota SET used_bytes = CASE WHEN used_bytes > ? THEN used_bytes - ? ELSE 0 END WHERE site_id = ?', [bytes, bytes, siteId]);
    },

    async setUses(siteId: string, langcode: string, urlPath: string, mediaIds: string[]): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.run('DELETE FROM pm_media_use WHERE site_id = ? AND langcode = ? AND url_path = ?', [siteId, langcode, urlPath]);
        for (const id of mediaIds) await tx.run('INSERT INTO pm_media_use (site_id, media_id, langcode, url_path) VALUES (?, ?, ?, ?)', [siteId, id, langcode, urlPath]);
      });
    },
    async usesOf(mediaId: string): Promise<MediaUse[]> {
      const rows = await db.all<{ media_id: string; langcode: string; url_path: string }>('SELECT media_id, langcode, url_path FROM pm_media_use WHERE media_id = ? ORDER BY url_path, langcode', [mediaId]);
      return rows.map((r) => ({ mediaId: r.media_id, langcode: r.langcode, urlPath: r.url_path }));
    },
  };
}

export type MediaStore = ReturnType<typeof createMediaStore>;
