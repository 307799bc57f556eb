/**
 * pm_page: what the page store serves without running any route — gzipped
 * HTML, a redirect, or another URL's content — keyed by (site, langcode, path).
 */
import { PmError } from '../errors/errors.js';
import type { Db } from './db.js';
import { parseJson } from './store-options.js';
import type { PageKind, PageRecord, PageStore } from './types.js';

interface PageRow {
  site_id: string;
  langcode: string;
  url_path: string;
  kind: PageKind;
  gz?: Buffer | Uint8Array | null;
  headers: string;
  etag: string | null;
  redirect_url: string | null;
  redirect_status: number | null;
  content_url: string | null;
  hidden: number;
  pseudoroute: number;
  updated_at: number;
}

const KEY_COLUMNS = 'site_id, langcode, url_path';
const META_COLUMNS = `${KEY_COLUMNS}, kind, headers, etag, redirect_url, redirect_status, content_url, hidden, pseudoroute, updated_at`;
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

const GET_SQL = `SELECT ${META_COLUMNS}, gz FROM pm_page WHERE site_id = ? AND langcode = ? AND url_path = ?`;
/** The request path's read: the key columns come from the caller, not the row (each value read is an allocation). */
const SERVE_SQL = `SELECT kind, headers, etag, redirect_url, redirect_status, content_url, hidden, pseudoroute, updated_at, gz FROM pm_page WHERE site_id = ? AND langcode = ? AND url_path = ?`;

export function createPageStore(db: Db): PageStore {
  return {
    async get(siteId, langcode, urlPath) {
      const r = await db.get<PageRow>(GET_SQL, [siteId, langcode, urlPath]);
      return r && toPage(r, r.site_id, r.langcode, r.url_path);
    },
    getSync(siteId, langcode, urlPath) {
      const r = db.getSync?.<Omit<PageRow, 'site_id' | 'langcode' | 'url_path'>>(SERVE_SQL, [siteId, langcode, urlPath]);
      return r && { page: r.row && toPage(r.row, siteId, langcode, urlPath) };
    },
    async upsert(p) {
      checkPage(p);
      await db.run(
        `INSERT INTO pm_page (${META_COLUMNS}, gz) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (${KEY_COLUMNS}) DO UPDATE SET kind = excluded.kind, headers = excluded.headers, etag = excluded.etag,
           redirect_url = excluded.redirect_url, redirect_status = excluded.redirect_status, content_url = excluded.content_url,
           hidden = excluded.hidden, pseudoroute = excluded.pseudoroute, updated_at = excluded.updated_at, gz = excluded.gz`,
        [
          p.siteId,
          p.langcode,
          p.urlPath,
          p.kind,
          JSON.stringify(p.headers ?? {}),
          p.etag ?? null,
          p.redirectUrl ?? null,
          p.redirectStatus ?? null,
          p.contentUrl ?? null,
          !!p.hidden,
          !!p.pseudoroute,
          p.updatedAt,
          p.gz == null ? null : Buffer.isBuffer(p.gz) ? p.gz : Buffer.from(p.gz),
        ],
      );
    },
    async delete(siteId, langcode, urlPath) {
      return (await db.run('DELETE FROM pm_page WHERE site_id = ? AND langcode = ? AND url_path = ?', [siteId, langcode, urlPath])).changes > 0;
    },
    async list(siteId, opts = {}) {
      checkCount(opts.limit, 'limit');
      checkCount(opts.offset, 'offset');
      const where = ['site_id = ?'];
      const params: unknown[] = [siteId];
      if (opts.prefix) {
        // substr rather than LIKE: LIKE is case-insensitive on SQLite and case-sensitive on PostgreSQL.
        where.push('substr(url_path, 1, ?) = ?');
        params.push([...opts.prefix].length, opts.prefix);
      }
      if (opts.search) {
        where.push("lower(url_path) LIKE ? ESCAPE '\\'");
        params.push(containsPattern(opts.search));
      }
      let sql = `SELECT ${META_COLUMNS} FROM pm_page WHERE ${where.join(' AND ')} ORDER BY url_path, langcode`;
      if (opts.limit !== undefined || opts.offset !== undefined) {
        sql += ' LIMIT ? OFFSET ?';
        params.push(opts.limit ?? Number.MAX_SAFE_INTEGER, opts.offset ?? 0);
      }
      const rows = await db.all<PageRow>(sql, params);
      return rows.map((r) => toPage(r, r.site_id, r.langcode, r.url_path));
    },
    async count(siteId) {
      const r = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM pm_page WHERE site_id = ?', [siteId]);
      return Number(r?.n ?? 0);
    },
  };
}
