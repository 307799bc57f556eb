/**
 * The trash, as the dashboard's Trash page has it: what was deleted (template
 * pages, redirects, aliases, stored HTML), and restoring one at its address.
 * The rules (what may come back, and where) are the history service's.
 */
import { PmError, trashSummary } from '../../src/plugins/plugin.js';
import type { PluginRouter, PluginServer, TrashEntry } from '../../src/plugins/plugin.js';

const view = (e: TrashEntry) => {
  const d = (e.data && typeof e.data === 'object' ? e.data : {}) as Record<string, unknown>;
  return {
    trashId: e.trashId,
    kind: e.kind,
    langcode: e.langcode,
    urlPath: e.urlPath,
    deletedAt: e.deletedAt,
    expireAt: e.expireAt,
    ...(e.kind === 'template' ? { themeId: e.themeId, templateName: e.templateName, title: typeof d.title === 'string' ? d.title : null } : { summary: trashSummary(e) }),
    ...(e.kind === 'redirect' ? { target: d.target, status: d.status } : e.kind === 'alias' ? { contentUrl: d.contentUrl } : {}),
  };
};

export function registerTrashRoutes(router: PluginRouter, server: PluginServer): void {
  router.get('/pm/api/trash', async (request) => ({ trash: (await server.history.trash(request.pm.site.siteId)).map(view) }), {
    permission: 'pages.write',
    description: 'JSON API: what was deleted (pages, redirects, aliases), newest first',
  });

  router.post(
    '/pm/api/trash/:trashId/restore',
    async (request, reply) => {
      const siteId = request.pm.site.siteId;
      const { trashId } = request.params as { trashId: string };
      if (!(await server.history.trash(siteId)).some((e) => e.trashId === trashId)) throw new PmError('PM_ERR_NOT_FOUND', { what: 'that entry in the trash' });
      const r = await server.history.restoreTrash(siteId, trashId);
      if (!r.ok) throw new PmError('PM_ERR_VALIDATION', {}, { fields: { '': r.error } });
      const page = await server.pages.get(siteId, r.langcode, r.urlPath);
      return reply.code(201).send({ restored: { langcode: r.langcode, urlPath: r.urlPath, kind: page?.kind ?? null } });
    },
    { permission: 'pages.write', description: 'JSON API: put a deleted page, redirect or alias back at its address' },
  );
}
