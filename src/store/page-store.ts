/**
 * pm_page: what the page store serves without running any route — gzipped
 * HTML, a redirect, or another URL's content — keyed by (site, langcode, path).
 */
import { PmError } from '../errors/errors.js';
import { sql } from './kysely.js';
import type { Db, Queryable } from './db.js';
import { prepare } from './query.js';
import { parseJson } from './store-options.js';
import type { PageKind, PageRecord, PageStore } from './types.js';
import type { CoreTables } from './core-tables.js';
import type { SiteUsage } from './site-usage.js';

/** A pm_page row (core-tables.ts), its kind narrowed; gz as a driver hands it over, and absent from lists. */
type PageRow = Omit<CoreTables['pm_page'], 'kind' | 'gz'> & { kind: PageKind; gz?: Buffer | Uint8Array | null };

const SERVE_COLUMNS = ['kind', 'headers', 'etag', 'redirect_url', 'redirect_status', 'content_url', 'hidden', 'pseudoroute', 'updated_at'] as const;
const META_COLUMNS = ['site_id', 'langcode', 'url_path', ...SERVE_COLUMNS] as const;
const KINDS: readonly PageKind[] = ['html', 'redirect', 'content'];

/** The key comes apart from the row so the request path's read (SERVE_SQL) need not select it. */
function toPage(r: Omit<PageRow, 'site_id' | 'langcode' | 'url_path'>, siteId: string, langcode: string, urlPath: string): PageRecord {
  const gz = r.gz ?? null;
  return {
    siteId,
    langcode,
    urlPath,
    kind: r.kind,
    gz: gz === null ? null : Buffer.isBuffer(gz) ? gz : Buffer.from(gz),
    headers: parseJson<Record<string, string>>(r.headers, {}),
    etag: r.etag,
    redirectUrl: r.redirect_url,
    redirectStatus: r.redirect_status === null ? null : Number(r.redirect_status),
    contentUrl: r.content_url,
    hidden: Number(r.hidden) === 1,
    pseudoroute: Number(r.pseudoroute) === 1,
    updatedAt: Number(r.updated_at),
  };
}

function bad(detail: string): PmError {
  return new PmError('PM_ERR_BAD_REQUEST', { detail });
}

function checkPage(p: PageRecord): void {
  if (!KINDS.includes(p.kind)) throw bad(`A page kind must be html, redirect or content, not ${String(p.kind)}.`);
  if (typeof p.urlPath !== 'string' || !p.urlPath.startsWith('/')) throw bad(`A page URL path must start with /, not ${JSON.stringify(p.urlPath)}.`);
  if (p.kind === 'html' && !(p.gz instanceof Uint8Array)) throw bad(`The html page ${p.urlPath} has no gzipped content.`);
  if (p.kind === 'redirect' && !p.redirectUrl) throw bad(`The redirect at ${p.urlPath} has no target URL.`);
  if (p.kind === 'content' && !p.contentUrl) throw bad(`The content alias at ${p.urlPath} names no URL to serve.`);
}

/** LIKE pattern matching `s` literally anywhere; `\` is the escape character. */
function containsPattern(s: string): string {
  return `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function checkCount(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) throw bad(`${name} must be a whole number, 0 or more.`);
}

/** The bytes a page counts for in the site's `pages` usage: its gzipped HTML. */
const GZ_BYTES = sql<number | string>`coalesce(octet_length(gz), 0)`;

export function createPageStore(db: Db, usage: SiteUsage): PageStore {
  const k = db.kysely;
  const storedBytes = async (q: Queryable, siteId: string, langcode: string, urlPath: string) =>
    Number(
      (await q.kysely.selectFrom('pm_page').select(GZ_BYTES.as('n')).where('site_id', '=', siteId).where('langcode', '=', langcode).where('url_path', '=', urlPath).executeTakeFirst())?.n ??
        0,
    );
  const byKey = (siteId: unknown, langcode: unknown, urlPath: unknown) =>
    k.selectFrom('pm_page').where('site_id', '=', siteId as string).where('langcode', '=', langcode as string).where('url_path', '=', urlPath as string);
  // Compiled once: the request path only puts the three key values in.
  const getQuery = prepare(k, 3, (s, l, u) => byKey(s, l, u).select([...META_COLUMNS, 'gz']));
  /** The request path's read: the key columns come from the caller, not the row (each value read is an allocation). */
  const serveQuery = prepare(k, 3, (s, l, u) => byKey(s, l, u).select([...SERVE_COLUMNS, 'gz']));

  return {
    async get(siteId, langcode, urlPath) {
      const r = await db.get<PageRow>(getQuery(siteId, langcode, urlPath));
      return r && toPage(r, r.site_id, r.langcode, r.url_path);
    },
    getSync(siteId, langcode, urlPath) {
      const r = db.getSync?.<Omit<PageRow, 'site_id' | 'langcode' | 'url_path'>>(serveQuery(siteId, langcode, urlPath));
      return r && { page: r.row && toPage(r.row, siteId, langcode, urlPath) };
    },
    async upsert(p, o = {}) {
      checkPage(p);
      const row = {
        kind: p.kind,
        headers: JSON.stringify(p.headers ?? {}),
        etag: p.etag ?? null,
        redirect_url: p.redirectUrl ?? null,
        redirect_status: p.redirectStatus ?? null,
        content_url: p.contentUrl ?? null,
        hidden: p.hidden ? 1 : 0,
        pseudoroute: p.pseudoroute ? 1 : 0,
        updated_at: p.updatedAt,
        gz: p.gz == null ? null : Buffer.isBuffer(p.gz) ? p.gz : Buffer.from(p.gz),
      };
      // The old row's bytes leave the site's usage and the new one's join it, in one transaction that
      // the quota may refuse when the caller asks (nothing stored then).
      await usage.write(p.siteId, 'pages', async (tx) => {
        const old = await storedBytes(tx, p.siteId, p.langcode, p.urlPath);
        await tx.kysely
          .insertInto('pm_page')
          .values({ site_id: p.siteId, langcode: p.langcode, url_path: p.urlPath, ...row })
          .onConflict((oc) => oc.columns(['site_id', 'langcode', 'url_path']).doUpdateSet(row))
          .execute();
        return { result: undefined, delta: (row.gz?.length ?? 0) - old };
      }, { refuse: o.quota });
    },
    async delete(siteId, langcode, urlPath) {
      return usage.write(siteId, 'pages', async (tx) => {
        const old = await storedBytes(tx, siteId, langcode, urlPath);
        const r = await tx.run(tx.kysely.deleteFrom('pm_page').where('site_id', '=', siteId).where('langcode', '=', langcode).where('url_path', '=', urlPath));
        return { result: r.changes > 0, delta: r.changes > 0 ? -old : 0 };
      });
    },
    async list(siteId, opts = {}) {
      checkCount(opts.limit, 'limit');
      checkCount(opts.offset, 'offset');
      let q = k.selectFrom('pm_page').select(META_COLUMNS).where('site_id', '=', siteId);
      // substr rather than LIKE: LIKE is case-insensitive on SQLite and case-sensitive on PostgreSQL.
      if (opts.prefix) q = q.where(sql<string>`substr(url_path, 1, ${[...opts.prefix].length})`, '=', opts.prefix);
      if (opts.search) q = q.where(sql<boolean>`lower(url_path) LIKE ${containsPattern(opts.search)} ESCAPE '\\'`);
      q = q.orderBy('url_path').orderBy('langcode');
      if (opts.limit !== undefined || opts.offset !== undefined) q = q.limit(opts.limit ?? Number.MAX_SAFE_INTEGER).offset(opts.offset ?? 0);
      const rows = await q.execute();
      return rows.map((r) => toPage(r as Omit<PageRow, 'gz'>, r.site_id, r.langcode, r.url_path));
    },
    async count(siteId) {
      const r = await k.selectFrom('pm_page').select((eb) => eb.fn.countAll<number>().as('n')).where('site_id', '=', siteId).executeTakeFirst();
      return Number(r?.n ?? 0);
    },
  };
}
