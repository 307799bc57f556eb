/** The site's own settings: title, description and locales. */
import { PmError } from '../../src/plugins/plugin.js';
import type { PluginRouter, PluginServer } from '../../src/plugins/plugin.js';
import { readBody, type BodySchema } from '../../src/plugins/plugin.js';
import { siteView } from './views.js';

const LOCALE = { type: 'string', minLength: 2, maxLength: 20 };
const SITE_BODY: BodySchema = {
  type: 'object',
  properties: {
    title: { type: 'string', maxLength: 200 },
    description: { type: 'string', maxLength: 2000 },
    defaultLocale: LOCALE,
    enabledLocales: { type: 'array', items: LOCALE, uniqueItems: true, maxItems: 100 },
  },
};

interface SitePatch {
  title?: string;
  description?: string;
  defaultLocale?: string;
  enabledLocales?: string[];
}

export function registerSiteRoutes(router: PluginRouter, server: PluginServer): void {
  router.get(
    '/pm/api/site',
    async (request) => ({ site: siteView(request.pm.site), locales: [...server.locales].sort() }),
    { permission: 'url-dashboard', description: 'JSON API: the site’s settings and the locales it may enable' },
  );

  router.patch(
    '/pm/api/site',
    async (request) => {
      const body = readBody<SitePatch>(request, server, SITE_BODY);
      if (Object.keys(body).length === 0) throw new PmError('PM_ERR_BAD_REQUEST', { detail: 'Send at least one of title, description, defaultLocale, enabledLocales.' });
      const site = request.pm.site;
      const fields: Record<string, string> = {};
      const patch: SitePatch = { ...body };
      if (body.defaultLocale !== undefined) {
        patch.defaultLocale = body.defaultLocale.trim().toLowerCase();
        if (!server.locales.has(patch.defaultLocale)) fields.defaultLocale = `${body.defaultLocale} is not in locales.txt.`;
      }
      if (body.enabledLocales !== undefined) {
        patch.enabledLocales = body.enabledLocales.map((l) => l.trim().toLowerCase());
        const unknown = patch.enabledLocales.filter((l) => !server.locales.has(l));
        if (unknown.length) fields.enabledLocales = `Not in locales.txt: ${unknown.join(', ')}.`;
      }
      const defaultLocale = patch.defaultLocale ?? site.defaultLocale;
      const enabled = patch.enabledLocales ?? site.enabledLocales;
      if (!fields.defaultLocale && !fields.enabledLocales && !enabled.includes(defaultLocale)) {
        fields[body.enabledLocales ? 'enabledLocales' : 'defaultLocale'] = `The enabled locales must include the default locale (${defaultLocale}).`;
      }
      if (Object.keys(fields).length) throw new PmError('PM_ERR_VALIDATION', {}, { fields });
      return { site: siteView(await server.sites.update(site.siteId, patch)) };
    },
    { permission: 'site.settings', description: 'JSON API: change the site’s title, description or locales' },
  );
}
