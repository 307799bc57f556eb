/**
 * The media plugin's tables: one row per file (pm_media), the bytes of files each
 * site has stored against its quota (pm_media_quota, changed by the same writes
 * that store or delete files, never by scanning), and where each file is used
 * (pm_media_use, kept up to date as pages change), and each site's settings
 * (pm_media_setting: whether SVG pictures are taken).
 */
import type { Migration, PluginServer } from '../../src/plugins/plugin.js';

/** The tables the migrations below create (declared by the plugin as its own). */
export const MEDIA_TABLES = ['pm_media', 'pm_media_quota', 'pm_media_use', 'pm_media_setting'] as const;

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
    {
      version: 2,
      name: 'create pm_media_setting',
      up: (d) => `
CREATE TABLE pm_media_setting (
  site_id ${d.types.text} PRIMARY KEY,
  allow_svg INTEGER NOT NULL DEFAULT 0,
  updated_at ${d.types.bigint} NOT NULL
);
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

type MediaTables = {
  pm_media: Row;
  pm_media_quota: { site_id: string; limit_bytes: number | string | null; used_bytes: number | string };
  pm_media_use: { site_id: string; media_id: string; langcode: string; url_path: string };
  pm_media_setting: { site_id: string; allow_svg: number; updated_at: number };
};

/** A site's media settings. */
export interface MediaSettings {
  /** SVG pictures are taken (sanitised, or refused when they cannot be made safe); refused by default. */
  allowSvg: boolean;
}

export interface ListQuery {
  q?: string;
  kind?: 'image' | 'document';
  limit?: number;
  offset?: number;
}

export function createMediaStore(server: Pick<PluginServer, 'db' | 'kysely' | 'sql'>) {
  const { db, sql } = server;
  const k = server.kysely.withTables<MediaTables>();
  const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);
  const COLUMNS: Record<string, keyof Row> = {
    name: 'name', slug: 'slug', mime: 'mime', kind: 'kind', alt: 'alt', width: 'width', height: 'height', bytes: 'bytes',
    status: 'status', error: 'error', version: 'version', pending: 'pending', variants: 'variants', updatedAt: 'updated_at',
  };
  return {
    async insert(m: Media): Promise<void> {
      await k
        .insertInto('pm_media')
        .values({
          media_id: m.mediaId, site_id: m.siteId, name: m.name, slug: m.slug, mime: m.mime, kind: m.kind, alt: m.alt, width: m.width, height: m.height,
          bytes: m.bytes, status: m.status, error: m.error, version: m.version, pending: m.pending, variants: JSON.stringify(m.variants),
          created_at: m.createdAt, updated_at: m.updatedAt,
        })
        .execute();
    },
    async update(mediaId: string, patch: Partial<Omit<Media, 'mediaId' | 'siteId' | 'createdAt'>>): Promise<void> {
      const set: Partial<Record<keyof Row, unknown>> = {};
      for (const [key, v] of Object.entries({ ...patch, updatedAt: patch.updatedAt ?? Date.now() })) {
        const column = COLUMNS[key];
        if (column && v !== undefined) set[column] = key === 'variants' ? JSON.stringify(v) : v;
      }
      await k.updateTable('pm_media').set(set as Partial<Row>).where('media_id', '=', mediaId).execute();
    },
    async get(mediaId: string): Promise<Media | undefined> {
      const r = await k.selectFrom('pm_media').selectAll().where('media_id', '=', mediaId).executeTakeFirst();
      return r ? fromRow(r) : undefined;
    },
    async getMany(ids: string[]): Promise<Media[]> {
      if (!ids.length) return [];
      return (await k.selectFrom('pm_media').selectAll().where('media_id', 'in', ids).execute()).map(fromRow);
    },
    async list(siteId: string, o: ListQuery = {}): Promise<{ items: Media[]; total: number }> {
      let q = k.selectFrom('pm_media').where('site_id', '=', siteId);
      if (o.kind) q = q.where('kind', '=', o.kind);
      if (o.q?.trim()) {
        const like = `%${likeEscape(o.q.trim().toLowerCase())}%`;
        // ESCAPE '\\' is SQLite's way to make \ the escape character; PostgreSQL uses \ by default.
        q = q.where(sql<boolean>`(lower(name) LIKE ${like} ESCAPE '\\' OR lower(alt) LIKE ${like} ESCAPE '\\')`);
      }
      const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
      const rows = await q.selectAll().orderBy('created_at', 'desc').orderBy('media_id', 'desc').limit(Math.min(o.limit ?? 60, 500)).offset(o.offset ?? 0).execute();
      return { items: rows.map(fromRow), total };
    },
    async delete(mediaId: string): Promise<void> {
      await k.deleteFrom('pm_media').where('media_id', '=', mediaId).execute();
      await k.deleteFrom('pm_media_use').where('media_id', '=', mediaId).execute();
    },
    async listByStatus(status: MediaStatus): Promise<Media[]> {
      return (await k.selectFrom('pm_media').selectAll().where('status', '=', status).execute()).map(fromRow);
    },

    // Quota: one row per site, created with the site's default limit the first time it is needed.
    async quota(siteId: string, defaultLimit: number | null): Promise<{ limit: number | null; used: number }> {
      await k.insertInto('pm_media_quota').values({ site_id: siteId, limit_bytes: defaultLimit, used_bytes: 0 }).onConflict((oc) => oc.column('site_id').doNothing()).execute();
      const r = await k.selectFrom('pm_media_quota').select(['limit_bytes', 'used_bytes']).where('site_id', '=', siteId).executeTakeFirst();
      return { limit: r?.limit_bytes === null || r?.limit_bytes === undefined ? null : Number(r.limit_bytes), used: Number(r?.used_bytes ?? 0) };
    },
    /** The same without writing its row (a page write asks this each time): no row yet is the default limit and nothing used. */
    async readQuota(siteId: string, defaultLimit: number | null): Promise<{ limit: number | null; used: number }> {
      const r = await k.selectFrom('pm_media_quota').select(['limit_bytes', 'used_bytes']).where('site_id', '=', siteId).executeTakeFirst();
      if (!r) return { limit: defaultLimit, used: 0 };
      return { limit: r.limit_bytes === null ? null : Number(r.limit_bytes), used: Number(r.used_bytes) };
    },
    async setLimit(siteId: string, limit: number | null, defaultLimit: number | null): Promise<void> {
      await this.quota(siteId, defaultLimit);
      await k.updateTable('pm_media_quota').set({ limit_bytes: limit }).where('site_id', '=', siteId).execute();
    },
    /**
     * Adds `bytes` to the site's media bytes, only if they, with `others` (what the site's pages and
     * posts take, measured just before), stay within its limit: one statement, so two uploads cannot both pass.
     */
    async reserve(siteId: string, bytes: number, others = 0): Promise<boolean> {
      const r = await db.run(
        k
          .updateTable('pm_media_quota')
          .set({ used_bytes: sql`used_bytes + ${bytes}` })
          .where('site_id', '=', siteId)
          .where(sql<boolean>`(limit_bytes IS NULL OR used_bytes + ${bytes} + ${others} <= limit_bytes)`),
      );
      return r.changes === 1;
    },
    async release(siteId: string, bytes: number): Promise<void> {
      await k
        .updateTable('pm_media_quota')
        .set({ used_bytes: sql`CASE WHEN used_bytes > ${bytes} THEN used_bytes - ${bytes} ELSE 0 END` })
        .where('site_id', '=', siteId)
        .execute();
    },

    async settings(siteId: string): Promise<MediaSettings> {
      const r = await k.selectFrom('pm_media_setting').select('allow_svg').where('site_id', '=', siteId).executeTakeFirst();
      return { allowSvg: Number(r?.allow_svg ?? 0) === 1 };
    },
    async setSettings(siteId: string, v: MediaSettings): Promise<void> {
      const row = { allow_svg: v.allowSvg ? 1 : 0, updated_at: Date.now() };
      await k.insertInto('pm_media_setting').values({ site_id: siteId, ...row }).onConflict((oc) => oc.column('site_id').doUpdateSet(row)).execute();
    },

    async setUses(siteId: string, langcode: string, urlPath: string, mediaIds: string[]): Promise<void> {
      await db.transaction(async (tx) => {
        const t = tx.kysely.withTables<MediaTables>();
        await t.deleteFrom('pm_media_use').where('site_id', '=', siteId).where('langcode', '=', langcode).where('url_path', '=', urlPath).execute();
        for (const id of mediaIds) await t.insertInto('pm_media_use').values({ site_id: siteId, media_id: id, langcode, url_path: urlPath }).execute();
      });
    },
    async usesOf(mediaId: string): Promise<MediaUse[]> {
      const rows = await k.selectFrom('pm_media_use').select(['media_id', 'langcode', 'url_path']).where('media_id', '=', mediaId).orderBy('url_path').orderBy('langcode').execute();
      return rows.map((r) => ({ mediaId: r.media_id, langcode: r.langcode, urlPath: r.url_path }));
    },
  };
}
export type MediaStore = ReturnType<typeof createMediaStore>;
