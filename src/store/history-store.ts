/**
 * pm_revision: earlier versions of a template page's data, newest first.
 * pm_trash: deleted addresses, kept until `expire_at`: template pages (theme,
 * template, data), and redirects, aliases and stored pages (`kind`; theme and
 * template empty, what they held in `data`: `{ target, status }`,
 * `{ contentUrl, pseudoroute }`, `{ gz (base64), headers, hidden }`).
 */
import { monotonicFactory } from 'ulid';
import type { Db } from './db.js';
import { sql } from './kysely.js';
import { parseJson } from './store-options.js';
import type { TemplateUrl } from './types.js';

export interface Revision {
  revisionId: string;
  siteId: string;
  langcode: string;
  urlPath: string;
  themeId: string;
  templateName: string;
  data: unknown;
  savedAt: number;
}

/** What a trash entry was: a page made from a template, a redirect, an alias, or stored HTML (raw HTML, or a plugin's page). */
export type TrashKind = 'template' | 'redirect' | 'alias' | 'html';
export const TRASH_KINDS: readonly TrashKind[] = ['template', 'redirect', 'alias', 'html'];

export interface TrashEntry extends Omit<Revision, 'revisionId' | 'savedAt'> {
  trashId: string;
  kind: TrashKind;
  deletedAt: number;
  expireAt: number;
}

export interface HistoryStore {
  addRevision(t: TemplateUrl, savedAt: number): Promise<Revision>;
  listRevisions(siteId: string, langcode: string, urlPath: string): Promise<Revision[]>;
  getRevision(siteId: string, revisionId: string): Promise<Revision | undefined>;
  /** Gives a page's revisions its new address (a rename); returns how many moved. */
  moveRevisions(siteId: string, langcode: string, from: string, to: string): Promise<number>;
  /** Deletes all but the newest `keep` revisions of a page; returns how many went. */
  trimRevisions(siteId: string, langcode: string, urlPath: string, keep: number): Promise<number>;
  addTrash(t: Pick<TemplateUrl, 'siteId' | 'langcode' | 'urlPath' | 'themeId' | 'templateName' | 'data'> & { kind?: TrashKind }, deletedAt: number, expireAt: number): Promise<TrashEntry>;
  listTrash(siteId: string): Promise<TrashEntry[]>;
  getTrash(siteId: string, trashId: string): Promise<TrashEntry | undefined>;
  deleteTrash(siteId: string, trashId: string): Promise<boolean>;
  /** Empties the site's trash, or only entries past their expiry with `before`. */
  purgeTrash(siteId: string, before?: number): Promise<number>;
}

interface RevRow {
  revision_id: string;
  site_id: string;
  langcode: string;
  url_path: string;
  theme_id: string;
  template_name: string;
  data: string;
  saved_at: number;
}
interface TrashRow extends Omit<RevRow, 'revision_id' | 'saved_at'> {
  trash_id: string;
  kind: string;
  deleted_at: number;
  expire_at: number;
}

const REV = 'revision_id, site_id, langcode, url_path, theme_id, template_name, data, saved_at';
const TRASH = 'trash_id, kind, site_id, langcode, url_path, theme_id, template_name, data, deleted_at, expire_at';
const toRev = (r: RevRow): Revision => ({
  revisionId: r.revision_id, siteId: r.site_id, langcode: r.langcode, urlPath: r.url_path, themeId: r.theme_id, templateName: r.template_name, data: parseJson<unknown>(r.data, null), savedAt: Number(r.saved_at),
});
const toTrash = (r: TrashRow): TrashEntry => ({
  trashId: r.trash_id, kind: (TRASH_KINDS as readonly string[]).includes(r.kind) ? (r.kind as TrashKind) : 'template', siteId: r.site_id, langcode: r.langcode, urlPath: r.url_path, themeId: r.theme_id, templateName: r.template_name, data: parseJson<unknown>(r.data, null), deletedAt: Number(r.deleted_at), expireAt: Number(r.expire_at),
});

export function createHistoryStore(db: Db): HistoryStore {
  const newId = monotonicFactory();
  return {
    async addRevision(t, savedAt) {
      const rev: Revision = { revisionId: newId(), siteId: t.siteId, langcode: t.langcode, urlPath: t.urlPath, themeId: t.themeId, templateName: t.templateName, data: t.data, savedAt };
      await db.run(sql`INSERT INTO pm_revision (${sql.raw(REV)}) VALUES (${rev.revisionId}, ${rev.siteId}, ${rev.langcode}, ${rev.urlPath}, ${rev.themeId}, ${rev.templateName}, ${JSON.stringify(rev.data ?? null)}, ${savedAt})`);
      return rev;
    },
    async listRevisions(siteId, langcode, urlPath) {
      const rows = await db.all<RevRow>(sql`SELECT ${sql.raw(REV)} FROM pm_revision WHERE site_id = ${siteId} AND langcode = ${langcode} AND url_path = ${urlPath} ORDER BY saved_at DESC, revision_id DESC`);
      return rows.map(toRev);
    },
    async getRevision(siteId, revisionId) {
      const r = await db.get<RevRow>(sql`SELECT ${sql.raw(REV)} FROM pm_revision WHERE site_id = ${siteId} AND revision_id = ${revisionId}`);
      return r && toRev(r);
    },
    async moveRevisions(siteId, langcode, from, to) {
      return (await db.run(sql`UPDATE pm_revision SET url_path = ${to} WHERE site_id = ${siteId} AND langcode = ${langcode} AND url_path = ${from}`)).changes;
    },
    async trimRevisions(siteId, langcode, urlPath, keep) {
      const rows = await db.all<{ revision_id: string }>(sql`SELECT revision_id FROM pm_revision WHERE site_id = ${siteId} AND langcode = ${langcode} AND url_path = ${urlPath} ORDER BY saved_at DESC, revision_id DESC`);
      let n = 0;
      for (const r of rows.slice(Math.max(0, keep))) n += (await db.run(sql`DELETE FROM pm_revision WHERE revision_id = ${r.revision_id}`)).changes;
      return n;
    },
    async addTrash(t, deletedAt, expireAt) {
      const e: TrashEntry = { trashId: newId(), kind: t.kind ?? 'template', siteId: t.siteId, langcode: t.langcode, urlPath: t.urlPath, themeId: t.themeId, templateName: t.templateName, data: t.data, deletedAt, expireAt };
      await db.run(sql`INSERT INTO pm_trash (${sql.raw(TRASH)}) VALUES (${e.trashId}, ${e.kind}, ${e.siteId}, ${e.langcode}, ${e.urlPath}, ${e.themeId}, ${e.templateName}, ${JSON.stringify(e.data ?? null)}, ${deletedAt}, ${expireAt})`);
      return e;
    },
    async listTrash(siteId) {
      return (await db.all<TrashRow>(sql`SELECT ${sql.raw(TRASH)} FROM pm_trash WHERE site_id = ${siteId} ORDER BY deleted_at DESC, trash_id DESC`)).map(toTrash);
    },
    async getTrash(siteId, trashId) {
      const r = await db.get<TrashRow>(sql`SELECT ${sql.raw(TRASH)} FROM pm_trash WHERE site_id = ${siteId} AND trash_id = ${trashId}`);
      return r && toTrash(r);
    },
    async deleteTrash(siteId, trashId) {
      return (await db.run(sql`DELETE FROM pm_trash WHERE site_id = ${siteId} AND trash_id = ${trashId}`)).changes > 0;
    },
    async purgeTrash(siteId, before) {
      return before === undefined
        ? (await db.run(sql`DELETE FROM pm_trash WHERE site_id = ${siteId}`)).changes
        : (await db.run(sql`DELETE FROM pm_trash WHERE site_id = ${siteId} AND expire_at <= ${before}`)).changes;
    },
  };
}
