/** pm_template_url: which theme template, with which JSON data, renders a URL. */
import { PmError } from '../errors/errors.js';
import type { Db } from './db.js';
import { requireText } from './store-options.js';
import type { TemplateUrl, TemplateUrlStore } from './types.js';

interface TemplateUrlRow {
  site_id: string;
  langcode: string;
  url_path: string;
  theme_id: string;
  template_name: string;
  data: string;
  updated_at: number;
}

const COLUMNS = 'site_id, langcode, url_path, theme_id, template_name, data, updated_at';

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

export function createTemplateUrlStore(db: Db): TemplateUrlStore {
  return {
    async get(siteId, langcode, urlPath) {
      const r = await db.get<TemplateUrlRow>(`SELECT ${COLUMNS} FROM pm_template_url WHERE site_id = ? AND langcode = ? AND url_path = ?`, [siteId, langcode, urlPath]);
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
      await db.run(
        `INSERT INTO pm_template_url (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (site_id, langcode, url_path) DO UPDATE SET theme_id = excluded.theme_id, template_name = excluded.template_name,
           data = excluded.data, updated_at = excluded.updated_at`,
        [t.siteId, t.langcode, t.urlPath, themeId, templateName, data, t.updatedAt],
      );
    },
    async delete(siteId, langcode, urlPath) {
      return (await db.run('DELETE FROM pm_template_url WHERE site_id = ? AND langcode = ? AND url_path = ?', [siteId, langcode, urlPath])).changes > 0;
    },
    async list(siteId) {
      const rows = await db.all<TemplateUrlRow>(`SELECT ${COLUMNS} FROM pm_template_url WHERE site_id = ? ORDER BY url_path, langcode`, [siteId]);
      return rows.map(toTemplateUrl);
    },
    async listByTemplate(themeId, templateName) {
      const rows =
        templateName === undefined
          ? await db.all<TemplateUrlRow>(`SELECT ${COLUMNS} FROM pm_template_url WHERE theme_id = ? ORDER BY site_id, url_path, langcode`, [themeId])
          : await db.all<TemplateUrlRow>(`SELECT ${COLUMNS} FROM pm_template_url WHERE theme_id = ? AND template_name = ? ORDER BY site_id, url_path, langcode`, [
              themeId,
              templateName,
            ]);
      return rows.map(toTemplateUrl);
    },
    async listLangcodes(siteId, urlPath) {
      const rows = await db.all<TemplateUrlRow>(`SELECT ${COLUMNS} FROM pm_template_url WHERE site_id = ? AND url_path = ? ORDER BY langcode`, [siteId, urlPath]);
      return rows.map(toTemplateUrl);
    },
  };
}
