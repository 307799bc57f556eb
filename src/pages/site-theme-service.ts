/**
 * The site's active theme: the one its new pages, its welcome page and its
 * 404 page use, chosen in the dashboard. Applying a theme moves every page
 * whose template the new theme also has (same name, data untouched) and
 * renders it again; pages whose template it lacks stay on their theme and are
 * listed. Switching back moves them back, with the same data, so they look
 * exactly as before.
 */
import { PmError } from '../errors/errors.js';
import type { Db } from '../store/db.js';
import type { SiteSettingStore } from '../store/site-setting-store.js';
import type { TemplateUrl } from '../store/types.js';
import type { RenderResult, ThemesManager } from '../themes/themes-manager.js';
import type { TemplateUrlService } from './template-url-service.js';

export interface ThemeSwitchPlan {
  themeId: string;
  /** Pages that will be shown in the new theme. */
  moves: TemplateUrl[];
  /** Pages whose template the new theme lacks: they keep their theme. */
  stays: TemplateUrl[];
}

export interface SiteThemeService {
  /** The active theme of a site (the configured default until one is chosen). */
  active(siteId: string): string;
  /** What applying `themeId` would do, without doing it. Throws PM_ERR_THEME_NOT_FOUND / PM_ERR_THEME_BROKEN. */
  plan(siteId: string, themeId: string): Promise<ThemeSwitchPlan>;
  /** Makes `themeId` the site's theme and renders again the pages that move. */
  apply(siteId: string, themeId: string): Promise<{ rerendered: { langcode: string; urlPath: string }[]; stayed: TemplateUrl[] }>;
  /** A stored page (its data) rendered in another theme, stored nowhere: the preview before applying. */
  preview(siteId: string, themeId: string, langcode: string, urlPath: string): Promise<RenderResult>;
  start(siteIds: string[]): Promise<void>;
  close(): Promise<void>;
}

const SETTING = 'theme';
const CHANNEL = 'pm_site_theme';

export function createSiteThemeService(opts: {
  db: Db;
  settings: SiteSettingStore;
  themes: ThemesManager;
  templates: TemplateUrlService;
  defaultTheme: () => string;
}): SiteThemeService {
  const { db, settings, themes, templates } = opts;
  const chosen = new Map<string, string>();
  let unlisten: (() => Promise<void>) | undefined;

  async function read(siteId: string): Promise<void> {
    const v = (await settings.all(siteId))[SETTING];
    if (typeof v === 'string' && v) chosen.set(siteId, v);
    else chosen.delete(siteId);
  }

  function usable(themeId: string) {
    const info = themes.list().find((t) => t.id === themeId);
    if (!info) throw new PmError('PM_ERR_THEME_NOT_FOUND', { themeId });
    if (!info.ok) throw new PmError('PM_ERR_THEME_BROKEN', { themeId, detail: info.errors[0] ?? 'it has errors' });
    return info;
  }

  return {
    active: (siteId) => chosen.get(siteId) ?? opts.defaultTheme(),
    async plan(siteId, themeId) {
      const info = usable(themeId);
      const names = new Set(info.templates.map((t) => t.name));
      const moves: TemplateUrl[] = [];
      const stays: TemplateUrl[] = [];
      for (const t of await templates.list(siteId)) if (t.themeId !== themeId) (names.has(t.templateName) ? moves : stays).push(t);
      return { themeId, moves, stays };
    },
    async apply(siteId, themeId) {
      const info = usable(themeId);
      const names = new Set(info.templates.map((t) => t.name));
      await settings.set(siteId, SETTING, themeId);
      chosen.set(siteId, themeId);
      if (db.dialect.crossProcessNotify) await db.notify(CHANNEL, siteId);
      const r = await templates.moveToTheme(siteId, themeId, (name) => names.has(name));
      return { rerendered: r.moved, stayed: r.stayed };
    },
    async preview(siteId, themeId, langcode, urlPath) {
      usable(themeId);
      const t = (await templates.get(siteId, langcode, urlPath)) ?? (langcode ? await templates.get(siteId, '', urlPath) : undefined);
      if (!t) throw new PmError('PM_ERR_PAGE_NOT_FOUND', { urlPath });
      return templates.render({ ...t, themeId }, langcode);
    },
    async start(siteIds) {
      for (const id of siteIds) await read(id);
      if (!db.dialect.crossProcessNotify) return;
      unlisten = await db.listen(CHANNEL, (siteId) => {
        if (siteId) void read(siteId).catch(() => chosen.delete(siteId));
      });
    },
    async close() {
      await unlisten?.();
    },
  };
}
