/** pm_template_url: which theme template, with which JSON data, renders a URL. */
import { PmError } from '../errors/errors.js';
import type { Db, Queryable } from './db.js';
import { sql } from './kysely.js';
import type { SiteUsage } from './site-usage.js';
import { requireText } from './store-options.js';
import type { TemplateUrl, TemplateUrlStore } from './types.js';
import type { CoreTables } from './core-tables.js';

/** A pm_template_url row, as core-tables.ts declares it. */
type TemplateUrlRow = CoreTables['pm_template_url'];

const COLUMNS = ['site_id', 'langcode', 'url_path', 'theme_id', 'template_name', 'data', 'updated_at'] as const;

function toTemplateUrl(r: TemplateUrlRow): TemplateUrl {
  return {
    siteId: r.site_id,
    langcode: r.langcode,
    urlPath: r.url_path,
    themeId: r.theme_id,
    templateName: r.template_name,
    // Written by JSON.stringify below; a parse failure means the row was damaged outside pagemanager.
    data: JSON.parse(r.data) as unknown,
    updatedAt: Number(r.updated_at),
  };
}

export function createTemplateUrlStore(db: Db, usage: SiteUsage): TemplateUrlStore {
  const k = db.kysely;
  /** The bytes a row counts for in the site's `pages` usage: its data. */
  const storedBytes = async (q: Queryable, siteId: string, langcode: string, urlPath: string) =>
    Number(
      (
        await q.kysely
          .selectFrom('pm_template_url')
          .select(sql<number | string>`octet_length(data)`.as('n'))
          .where('site_id', '=', siteId)
          .where('langcode', '=', langcode)
          .where('url_path', '=', urlPath)
          .executeTakeFirst()
      )?.n ?? 0,
    );
  const rows = () => k.selectFrom('pm_template_url').select(COLUMNS);
  return {
    async get(siteId, langcode, urlPath) {
      const r = await rows().where('site_id', '=', siteId).where('langcode', '=', langcode).where('url_path', '=', urlPath).executeTakeFirst();
      return r && toTemplateUrl(r);
    },
    async upsert(t) {
      if (typeof t.urlPath !== 'string' || !t.urlPath.startsWith('/')) {
        throw new PmError('PM_ERR_BAD_REQUEST', { detail: `A URL path must start with /, not ${JSON.stringify(t.urlPath)}.` });
      }
      const themeId = requireText(t.themeId, 'themeId', 'A theme');
      const templateName = requireText(t.templateName, 'templateName', 'A template');
      let data: string;
      try {
        data = JSON.stringify(t.data ?? null);
      } catch (e) {
        throw new PmError('PM_ERR_BAD_REQUEST', { detail: `The data for ${t.urlPath} cannot be stored as JSON: ${e instanceof Error ? e.message : String(e)}` });
      }
      const set = { theme_id: themeId, template_name: templateName, data, updated_at: t.updatedAt };
      await usage.write(t.siteId, 'pages', async (tx) => {
        const old = await storedBytes(tx, t.siteId, t.langcode, t.urlPath);
        await tx.kysely
          .insertInto('pm_template_url')
          .values({ site_id: t.siteId, langcode: t.langcode, url_path: t.urlPath, ...set })
          .onConflict((oc) => oc.columns(['site_id', 'langcode', 'url_path']).doUpdateSet(set))
          .execute();
        return { result: undefined, delta: Buffer.byteLength(data, 'utf8') - old };
        // Counted, not refused here: a save asks the quota once, before any of its writes (template-url-service).
      });
    },
    async delete(siteId, langcode, urlPath) {
      return usage.write(siteId, 'pages', async (tx) => {
        const old = await storedBytes(tx, siteId, langcode, urlPath);
        const r = await tx.run(tx.kysely.deleteFrom('pm_template_url').where('site_id', '=', siteId).where('langcode', '=', langcode).where('url_path', '=', urlPath));
        return { result: r.changes > 0, delta: r.changes > 0 ? -old : 0 };
      });
    },
    async list(siteId) {
      return (await rows().where('site_id', '=', siteId).orderBy('url_path').orderBy('langcode').execute()).map(toTemplateUrl);
    },
    async listByTemplate(themeId, templateName) {
      let q = rows().where('theme_id', '=', themeId);
      if (templateName !== undefined) q = q.where('template_name', '=', templateName);
      return (await q.orderBy('site_id').orderBy('url_path').orderBy('langcode').execute()).map(toTemplateUrl);
    },
    async listLangcodes(siteId, urlPath) {
      return (await rows().where('site_id', '=', siteId).where('url_path', '=', urlPath).orderBy('langcode').execute()).map(toTemplateUrl);
    },
  };
}
