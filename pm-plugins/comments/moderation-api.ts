/**
 * The moderation queue through the JSON API (docs/api.md, "Comments"): the same lists and the
 * same actions as the dashboard's forms, through the same code (moderation-actions.ts → the
 * comments service), so both doors give the same answer.
 *
 *   GET   /pm/api/comments?status=held|spam|published&limit=&offset=
 *   GET   /pm/api/comments/:commentId
 *   POST  /pm/api/comments/moderate   { "action": "approve|hold|spam|delete", "ids": ["…"] }
 *   PATCH /pm/api/comments/:commentId { "name"?, "website"?, "body"? }
 */
import { intParam, queryParam, readBody, type BodySchema, type PluginRouter, type PluginServer, type PmRequest } from '../../src/plugins/plugin.js';
import { renderCommentBody } from './comment-markdown.js';
import type { CommentService } from './comment-service.js';
import { checkAction, checkIds, checkStatus, commentView, MAX_IDS, MODERATION_ACTIONS, moderate, threadsOf } from './moderation-actions.js';

const PERMISSION = { permission: 'comments.moderate' as const };
const MODERATE_BODY: BodySchema = {
  type: 'object',
  properties: { action: { type: 'string', enum: [...MODERATION_ACTIONS] }, ids: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: MAX_IDS } },
  required: ['action', 'ids'],
};
const PATCH_BODY: BodySchema = {
  type: 'object',
  properties: { name: { type: 'string' }, website: { type: 'string' }, body: { type: 'string' } },
  minProperties: 1,
};

export function moderationApi(router: PluginRouter, server: PluginServer, service: CommentService): void {
  const idOf = (request: PmRequest) => (request.params as { commentId: string }).commentId;
  const view = async (siteId: string, id: string) => {
    const c = /^[0-9A-Za-z]{26}$/.test(id) ? await service.get(siteId, id.toUpperCase()) : undefined;
    if (!c) throw server.error('PM_ERR_COMMENT_NOT_FOUND', { what: id.slice(0, 40) });
    return commentView(c, await service.thread(siteId, c.threadKey), service, renderCommentBody);
  };

  router.get('/pm/api/comments', async (request) => {
    const status = checkStatus(queryParam(request, 'status'));
    const limit = intParam(request, 'limit', 50, 1, 100);
    const offset = intParam(request, 'offset', 0, 0, 1_000_000);
    const siteId = request.pm.site.siteId;
    const [list, counts] = await Promise.all([service.list({ siteId, status, limit, offset }), service.counts(siteId)]);
    const threads = await threadsOf(service, siteId, list);
    return { comments: list.map((c) => commentView(c, threads.get(c.threadKey), service, renderCommentBody)), counts, total: counts[status], limit, offset };
  }, { ...PERMISSION, description: 'The moderation queue, spam folder or published comments (JSON)' });

  router.get('/pm/api/comments/:commentId', async (request) => ({ comment: await view(request.pm.site.siteId, idOf(request)) }), {
    ...PERMISSION,
    description: 'One comment, as moderators see it (JSON)',
  });

  router.post('/pm/api/comments/moderate', async (request) => {
    const b = readBody<{ action: string; ids: string[] }>(request, server, MODERATE_BODY);
    const siteId = request.pm.site.siteId;
    const r = await moderate(service, server, siteId, checkAction(b.action), checkIds(b.ids));
    return { action: r.action, changed: r.changed.map((c) => ({ commentId: c.commentId, status: r.action === 'delete' ? 'deleted' : c.status })), missing: r.missing, counts: await service.counts(siteId) };
  }, { ...PERMISSION, description: 'Approves, unpublishes, marks as spam or deletes comments (JSON)' });

  router.patch('/pm/api/comments/:commentId', async (request) => {
    const b = readBody<{ name?: string; website?: string; body?: string }>(request, server, PATCH_BODY);
    const siteId = request.pm.site.siteId;
    const before = await view(siteId, idOf(request));
    const saved = await service.edit(siteId, before.commentId, b);
    return { comment: commentView(saved, await service.thread(siteId, saved.threadKey), service, renderCommentBody) };
  }, { ...PERMISSION, description: 'Edits a comment (JSON)' });
}
