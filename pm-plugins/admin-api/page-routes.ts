/**
 * Pages, redirects and aliases: the rows of the page store, addressed by
 * `?url=/path` (a path parameter cannot hold slashes cleanly) and `?langcode=`.
 *
 * Page HTML sent here is stored as written only from a superadmin (the
 * pages.raw-html permission) on a site with its own origin; anyone else's is
 * sanitised and served with a policy that forbids script (PageService.setRawHtml).
 */
import { gunzipSync } from 'node:zlib';
import { PmError } from '../../src/errors/errors.js';
import type { PluginRouter, PluginServer, PmReply, PmRequest } from '../../src/plugins/api.js';
import { intParam, pageTarget, queryParam, readBody, type BodySchema } from './request-input.js';
import type { UrlDashboardGuard } from '../url-dashboard/entry-guard.js';
import { routeMatches } from '../url-dashboard/entry-guard.js';
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

const invalid = (field: string, message: string) => new PmError('PM_ERR_VALIDATION', {}, { fields: { [field]: message } });

/** A redirect goes to a path on this server or to an http(s) URL; nothing else (no `javascript:`). */
function checkRedirectTarget(target: string, urlPath: string): string {
  const t = target.trim();
  if (t.startsWith('/') && !t.startsWith('//')) {
    if (/[\u0000-\u001f\u007f\\]/.test(t)) throw invalid('target', 'Must not contain control characters or a backslash.');
    if (t.split(/[?#]/)[0] === urlPath) throw invalid('target', 'A page cannot redirect to itself.');
    return t;
  }
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    throw invalid('target', 'Must be a path on this site (/new-page) or a full http:// or https:// URL.');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalid('target', 'Must be a path on this site (/new-page) or a full http:// or https:// URL.');
  return u.href;
}

export function registerPageRoutes(router: PluginRouter, server: PluginServer, guard: UrlDashboardGuard): void {
  /** Raw writes replace a template URL's page; its data goes too, so a theme reload does not bring the old page back. */
  async function dropTemplate(siteId: string, langcode: string, urlPath: string): Promise<void> {
    if (await server.templates.get(siteId, langcode, urlPath)) await server.templates.remove(siteId, langcode, urlPath);
  }

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
      guard.assertMayWriteAt(urlPath);
      const siteId = request.pm.site.siteId;
      const author = { holdsRawHtml: server.can((await request.pm.user())?.role, 'pages.raw-html'), tildeSite: Boolean(request.pm.site.tildePrefix) };
      let sanitised = true;
      const existed = await guard.locked(siteId, async () => {
        await guard.assertCanReplace(siteId, langcode, urlPath);
        const existed = Boolean(await server.pages.get(siteId, langcode, urlPath));
        await dropTemplate(siteId, langcode, urlPath);
        ({ sanitised } = await server.pages.setRawHtml(siteId, langcode, urlPath, body.html, author, { hidden: body.hidden ?? false }));
        return existed;
      });
      return answer(request, reply, langcode, urlPath, existed, { sanitised });
    },
    { permission: 'pages.write', bodyLimit: HTML_LIMIT, description: 'JSON API: store a page’s HTML' },
  );

  router.delete(
    '/pm/api/pages',
    async (request, reply) => {
      const { urlPath, langcode } = pageTarget(request, server, { forWrite: false });
      const siteId = request.pm.site.siteId;
      const removed = await guard.locked(siteId, async () => {
        await guard.assertCanReplace(siteId, langcode, urlPath);
        return (await server.templates.get(siteId, langcode, urlPath))
          ? server.templates.remove(siteId, langcode, urlPath)
          : server.pages.delete(siteId, langcode, urlPath);
      });
      if (!removed) throw new PmError('PM_ERR_PAGE_NOT_FOUND', { urlPath });
      return reply.code(204).send();
    },
    { permission: 'pages.write', description: 'JSON API: delete a page, redirect or alias' },
  );

  router.put(
    '/pm/api/redirects',
    async (request, reply) => {
      const body = readBody<{ target: string; status?: number }>(request, server, REDIRECT_BODY);
      const { urlPath, langcode } = pageTarget(request, server, { forWrite: true });
      guard.assertMayWriteAt(urlPath);
      const target = checkRedirectTarget(body.target, urlPath);
      const siteId = request.pm.site.siteId;
      const existed = await guard.locked(siteId, async () => {
        await guard.assertCanReplace(siteId, langcode, urlPath);
        const existed = Boolean(await server.pages.get(siteId, langcode, urlPath));
        await dropTemplate(siteId, langcode, urlPath);
        await server.pages.redirect(siteId, langcode, urlPath, target, body.status ?? 302);
        return existed;
      });
      return answer(request, reply, langcode, urlPath, existed);
    },
    { permission: 'pages.write', description: 'JSON API: redirect a URL' },
  );

  router.put(
    '/pm/api/aliases',
    async (request, reply) => {
      const body = readBody<{ contentUrl: string }>(request, server, ALIAS_BODY);
      const { urlPath, langcode } = pageTarget(request, server, { forWrite: true });
      const siteId = request.pm.site.siteId;
      let contentUrl: string;
      try {
        contentUrl = server.normalizeUrlPath(body.contentUrl);
      } catch (e) {
        throw invalid('contentUrl', e instanceof PmError ? e.message : 'Is not a valid path.');
      }
      if (contentUrl === urlPath) throw invalid('contentUrl', 'A URL cannot show its own content.');
      guard.assertMayWriteAt(urlPath, contentUrl);
      // The page store follows one hop only: the target must be a stored page or a route.
      const target = await server.pages.get(siteId, langcode, contentUrl);
      const route = server.routes().find((r) => r.method === 'GET' && routeMatches(r.url, contentUrl));
      const isRoute = route !== undefined;
      if (target && target.kind !== 'html' && !isRoute) {
        throw invalid('contentUrl', `${contentUrl} is itself a ${target.kind === 'redirect' ? 'redirect' : 'alias'}; point to the page it leads to.`);
      }
      if (!target && !isRoute) throw invalid('contentUrl', `Nothing is served at ${contentUrl}.`);
      const existed = await guard.locked(siteId, async () => {
        await guard.assertCanReplace(siteId, langcode, urlPath, contentUrl);
        const existed = Boolean(await server.pages.get(siteId, langcode, urlPath));
        await dropTemplate(siteId, langcode, urlPath);
        await server.pages.alias(siteId, langcode, urlPath, contentUrl, { pseudoroute: route?.pseudoroute ?? false });
        return existed;
      });
      return answer(request, reply, langcode, urlPath, existed);
    },
    { permission: 'pages.write', description: 'JSON API: serve another URL’s content at a URL' },
  );
}
