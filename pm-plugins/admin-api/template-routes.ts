/**
 * Template URLs (a theme's template + JSON data wired to a URL, rendered once
 * at save time), previews, and themes.
 */
import { PmError } from '../../src/plugins/plugin.js';
import type { PluginRouter, PluginServer } from '../../src/plugins/plugin.js';
import { flattenFieldErrors, pageTarget, queryParam, readBody, resolveLangcode, type BodySchema } from '../../src/plugins/plugin.js';
import { templateUrlView } from './views.js';

const DATA_LIMIT = 10 * 1024 * 1024;
const ID = { type: 'string', minLength: 1, maxLength: 200 };

const TEMPLATE_URL_BODY: BodySchema = {
  type: 'object',
  properties: { themeId: ID, templateName: ID, data: {}, langcode: { type: 'string', maxLength: 20 } },
  required: ['themeId', 'templateName', 'data'],
};

const PREVIEW_BODY: BodySchema = {
  type: 'object',
  properties: { themeId: ID, templateName: ID, data: {}, url: { type: 'string', minLength: 1, maxLength: 1024 }, langcode: { type: 'string', maxLength: 20 } },
  required: ['themeId', 'templateName'],
};

interface TemplateBody {
  themeId: string;
  templateName: string;
  data: unknown;
  langcode?: string;
}

export function registerTemplateRoutes(router: PluginRouter, server: PluginServer): void {
  router.get(
    '/pm/api/template-urls',
    async (request) => {
      const siteId = request.pm.site.siteId;
      if (queryParam(request, 'url') !== undefined) {
        const { urlPath, langcode } = pageTarget(request, server, { forWrite: false });
        const t = await server.templates.get(siteId, langcode, urlPath);
        if (!t) throw new PmError('PM_ERR_NOT_FOUND', { what: `template data at ${urlPath}${langcode ? ` (${langcode})` : ''}` });
        return { templateUrl: templateUrlView(t, true) };
      }
      return { templateUrls: (await server.templates.list(siteId)).map((t) => templateUrlView(t, false)) };
    },
    { permission: 'url-dashboard', description: 'JSON API: list template URLs, or read one with ?url=' },
  );

  router.put(
    '/pm/api/template-urls',
    async (request, reply) => {
      const body = readBody<TemplateBody>(request, server, TEMPLATE_URL_BODY);
      const fromQuery = queryParam(request, 'langcode');
      if (fromQuery !== undefined && body.langcode !== undefined && resolveLangcode(request, server, false, fromQuery) !== resolveLangcode(request, server, false, body.langcode)) {
        throw new PmError('PM_ERR_BAD_REQUEST', { detail: `?langcode=${fromQuery} and the body's langcode ${body.langcode} disagree; give one.` });
      }
      const { urlPath, langcode } = pageTarget(request, server, { forWrite: true, langcode: body.langcode ?? fromQuery });
      const siteId = request.pm.site.siteId;
      const r = await server.addresses.saveTemplate({ siteId, langcode, urlPath, themeId: body.themeId, templateName: body.templateName, data: body.data });
      if (!r.ok) throw new PmError('PM_ERR_VALIDATION', {}, { fields: flattenFieldErrors(r.errors, 'data') });
      const saved = await server.templates.get(siteId, langcode, r.urlPath);
      return reply.code(r.existed ? 200 : 201).send({ templateUrl: saved && templateUrlView(saved, true) });
    },
    { permission: 'pages.write', bodyLimit: DATA_LIMIT, description: 'JSON API: save template data at a URL (renders the page)' },
  );

  router.delete(
    '/pm/api/template-urls',
    async (request, reply) => {
      const { urlPath, langcode } = pageTarget(request, server, { forWrite: false });
      if (!(await server.templates.remove(request.pm.site.siteId, langcode, urlPath))) {
        throw new PmError('PM_ERR_NOT_FOUND', { what: `template data at ${urlPath}${langcode ? ` (${langcode})` : ''}` });
      }
      return reply.code(204).send();
    },
    { permission: 'pages.write', description: 'JSON API: remove template data and its page' },
  );

  router.post(
    '/pm/api/preview',
    async (request, reply) => {
      const body = readBody<TemplateBody & { url?: string }>(request, server, PREVIEW_BODY);
      let urlPath = '/';
      if (body.url !== undefined) {
        try {
          urlPath = server.normalizeUrlPath(body.url);
        } catch (e) {
          throw new PmError('PM_ERR_VALIDATION', {}, { fields: { url: e instanceof PmError ? e.message : 'Is not a valid path.' } });
        }
      }
      const langcode = resolveLangcode(request, server, false, body.langcode);
      const r = await server.templates.preview({ siteId: request.pm.site.siteId, langcode, urlPath, themeId: body.themeId, templateName: body.templateName, data: body.data });
      if (!r.ok) throw new PmError('PM_ERR_VALIDATION', {}, { fields: flattenFieldErrors(r.errors, 'data') });
      return reply.type('text/html; charset=utf-8').send(r.html);
    },
    { permission: 'url-dashboard', bodyLimit: DATA_LIMIT, description: 'JSON API: render a template without saving' },
  );

  router.get('/pm/api/themes', async () => ({ themes: server.themes.list() }), { permission: 'url-dashboard', description: 'JSON API: list themes and their templates' });

  router.get(
    '/pm/api/themes/:themeId/templates/:templateName',
    async (request) => {
      const { themeId, templateName } = request.params as { themeId: string; templateName: string };
      return { template: await server.themes.getTemplate(themeId, templateName) };
    },
    { permission: 'url-dashboard', description: 'JSON API: a template’s JSON Schema and sample data' },
  );

  router.post(
    '/pm/api/themes/reload',
    async () => {
      // The plugin API's reload re-renders the stored pages of changed themes and emits themes.reloaded.
      const { changed } = await server.themes.reload();
      return { changed };
    },
    { permission: 'themes.manage', description: 'JSON API: re-read theme files from disk' },
  );
}
