/**
 * Pages, redirects and aliases: the rows of the page store, addressed by
 * `?url=/path` (a path parameter cannot hold slashes cleanly) and `?langcode=`.
 *
 * Page HTML sent here is stored as written only from a superadmin (the
 * pages.raw-html permission) on a site with its own origin; anyone else's is
 * sanitised and served with a policy that forbids script (PageService.setRawHtml).
 */
import { gunzipSync } from 'node:zlib';
import { isPmError, PmError } from '../../src/plugins/plugin.js';
import type { PluginRouter, PluginServer, PmReply, PmRequest } from '../../src/plugins/plugin.js';
import { intParam, pageTarget, queryParam, readBody, type BodySchema } from '../../src/plugins/plugin.js';
import { pageView } from './views.js';

const REDIRECT_STATUSES = [301, 302, 307, 308];
const HTML_LIMIT = 10 * 1024 * 1024;

const PAGE_BODY: BodySchema = {
  type: 'object',
  properties: {
    html: { type: 'string' },
    hidden: { type: 'boolean' },
  },
  required: ['html'],
};

const REDIRECT_BODY: BodySchema = {
  type: 'object',
  properties: {
    target: { type: 'string', minLength: 1, maxLength: 2048 },
    status: { type: 'integer', enum: REDIRECT_STATUSES },
  },
  required: ['target'],
};

const ALIAS_BODY: BodySchema = {
  type: 'object',
  properties: {
    contentUrl: { type: 'string', minLength: 1, maxLength: 1024 },
  },
  required: ['contentUrl'],
};

/** The address service names the alias target `target`; this call's field is `contentUrl`. */
function asContentUrl(e: unknown): unknown {
  if (!isPmError(e, 'PM_ERR_VALIDATION') || e.fields?.target === undefined) return e;
  const { target, ...rest } = e.fields;
  return new PmError('PM_ERR_VALIDATION', {}, { fields: { ...rest, contentUrl: target }, cause: e });
}

export function registerPageRoutes(router: PluginRouter, server: PluginServer): void {
  const addresses = server.addresses;

  async function answer(request: PmRequest, reply: PmReply, langcode: string, urlPath: string, existed: boolean, extra: Record<string, unknown> = {}) {
    const page = await server.pages.get(request.pm.site.siteId, langcode, urlPath);
    return reply.code(existed ? 200 : 201).send({ page: page && pageView(page), ...extra });
  }

  router.get(
    '/pm/api/pages',
    async (request) => {
      const siteId = request.pm.site.siteId;
      if (queryParam(request, 'url') !== undefined) {
        const { urlPath, langcode } = pageTarget(request, server, { forWrite: false });
        const page = await server.pages.get(siteId, langcode, urlPath);
        if (!page) throw new PmError('PM_ERR_PAGE_NOT_FOUND', { urlPath });
        const tpl = await server.templates.get(siteId, langcode, urlPath);
        return {
          page: {
            ...pageView(page),
            ...(page.kind === 'html' ? { html: page.gz ? gunzipSync(page.gz).toString('utf8') : '' } : {}),
            template: tpl ? { themeId: tpl.themeId, templateName: tpl.templateName } : null,
          },
        };
      }
      const limit = intParam(request, 'limit', 100, 1, 1000);
      const offset = intParam(request, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
      const q = queryParam(request, 'q')?.trim() || undefined;
      const prefix = queryParam(request, 'prefix') || undefined;
      // One extra row says whether there is a next batch without a COUNT.
      const rows = await server.pages.list(siteId, { search: q, prefix, limit: limit + 1, offset });
      return { pages: rows.slice(0, limit).map(pageView), limit, offset, more: rows.length > limit };
    },
    { permission: 'url-dashboard', description: 'JSON API: list pages, or read one with ?url=' },
  );

  router.put(
    '/pm/api/pages',
    async (request, reply) => {
      const body = readBody<{ html: string; hidden?: boolean }>(request, server, PAGE_BODY);
      const { urlPath, langcode } = pageTarget(request, server, { forWrite: true });
      const user = await request.pm.user();
      const author = { holdsRawHtml: server.can(user?.role, 'pages.raw-html'), tildeSite: Boolean(request.pm.site.tildePrefix) };
      const r = await addresses.setHtml({ siteId: request.pm.site.siteId, langcode }, urlPath, body.html, author, { hidden: body.hidden ?? false });
      return answer(request, reply, langcode, r.urlPath, r.existed, { sanitised: r.sanitised });
    },
    { permission: 'pages.write', bodyLimit: HTML_LIMIT, description: 'JSON API: store a page’s HTML' },
  );

  router.delete(
    '/pm/api/pages',
    async (request, reply) => {
      const { urlPath, langcode } = pageTarget(request, server, { forWrite: false });
      if (!(await addresses.remove(request.pm.site.siteId, langcode, urlPath))) throw new PmError('PM_ERR_PAGE_NOT_FOUND', { urlPath });
      return reply.code(204).send();
    },
    { permission: 'pages.write', description: 'JSON API: delete a page, redirect or alias' },
  );

  router.put(
    '/pm/api/redirects',
    async (request, reply) => {
      const body = readBody<{ target: string; status?: number }>(request, server, REDIRECT_BODY);
      const { urlPath, langcode } = pageTarget(request, server, { forWrite: true });
      const r = await addresses.redirect({ siteId: request.pm.site.siteId, langcode }, urlPath, body.target, body.status ?? 302);
      return answer(request, reply, langcode, r.urlPath, r.existed);
    },
    { permission: 'pages.write', description: 'JSON API: redirect a URL' },
  );

  router.put(
    '/pm/api/aliases',
    async (request, reply) => {
      const body = readBody<{ contentUrl: string }>(request, server, ALIAS_BODY);
      const { urlPath, langcode } = pageTarget(request, server, { forWrite: true });
      try {
        const r = await addresses.alias({ siteId: request.pm.site.siteId, langcode }, urlPath, body.contentUrl);
        return answer(request, reply, langcode, r.urlPath, r.existed);
      } catch (e) {
        throw asContentUrl(e);
      }
    },
    { permission: 'pages.write', description: 'JSON API: serve another URL’s content at a URL' },
  );
}
