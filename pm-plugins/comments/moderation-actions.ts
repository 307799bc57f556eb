/**
 * What both moderation doors (the dashboard's forms, moderation-routes.ts, and the JSON API,
 * moderation-api.ts) share: the names of the actions, how a list of ids is checked, and the one
 * call into the comments service per action. The rules (which pages re-render, what a status
 * means) are the service's; this file only turns a request into that call, the same way for both.
 *
 * Who moderates: `comments.moderate` (superadmin, admin, editor), every comment of the site.
 * Authors do not moderate, not even under their own posts: a comment knows its page, not the
 * post's authors (that is the blog's, and plugins do not read each other's tables), and a queue
 * filtered per author would let spam on other posts wait unseen. Documented in docs/api.md ("Comments").
 */
import { PmError, type PluginServer } from '../../src/plugins/plugin.js';
import type { CommentService } from './comment-service.js';
import type { Comment, CommentStatus, Thread } from './comment-store.js';
import { PUBLISH_AT } from './spam-rules.js';

export const MODERATION_ACTIONS = ['approve', 'hold', 'spam', 'delete'] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];
export const STATUSES: readonly CommentStatus[] = ['held', 'spam', 'published'];
/** One request moderates at most this many comments (a page of the queue is 50). */
export const MAX_IDS = 500;
const ID = /^[0-9A-HJKMNP-TV-Z]{26}$/i;

export interface ModerationResult {
  action: ModerationAction;
  /** The comments the action changed (for delete: what went, replies included). */
  changed: Comment[];
  /** Ids that are not comments of this site (already deleted, or never were). */
  missing: string[];
}

/** The ids a request names: strings that look like comment ids, each once, 1 to MAX_IDS of them. */
export function checkIds(raw: unknown, field = 'ids'): string[] {
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null || raw === '' ? [] : [raw];
  if (!list.length) throw new PmError('PM_ERR_VALIDATION', {}, { fields: { [field]: 'Choose at least one comment.' } });
  if (list.length > MAX_IDS) throw new PmError('PM_ERR_VALIDATION', {}, { fields: { [field]: `At most ${MAX_IDS} comments at once.` } });
  const bad = list.filter((v) => typeof v !== 'string' || !ID.test(v));
  if (bad.length) throw new PmError('PM_ERR_VALIDATION', {}, { fields: { [field]: 'Comment ids are 26 letters and digits, as the list gives them.' } });
  return [...new Set((list as string[]).map((v) => v.toUpperCase()))];
}

export function checkAction(raw: unknown): ModerationAction {
  if (typeof raw === 'string' && (MODERATION_ACTIONS as readonly string[]).includes(raw)) return raw as ModerationAction;
  throw new PmError('PM_ERR_VALIDATION', {}, { fields: { action: `Is one of ${MODERATION_ACTIONS.join(', ')}.` } });
}

export function checkStatus(raw: string | undefined): CommentStatus {
  if (raw === undefined || raw === '') return 'held';
  if ((STATUSES as readonly string[]).includes(raw)) return raw as CommentStatus;
  throw new PmError('PM_ERR_BAD_REQUEST', { detail: `?status= is one of ${STATUSES.join(', ')}.` });
}

/**
 * Runs one action on the comments named, through the service (which re-renders only the pages
 * whose shown comments changed). Ids of other sites count as missing; when every id is missing
 * the answer is PM_ERR_COMMENT_NOT_FOUND and nothing changed.
 */
export async function moderate(service: CommentService, server: PluginServer, siteId: string, action: ModerationAction, ids: string[]): Promise<ModerationResult> {
  const found = (await Promise.all(ids.map((id) => service.get(siteId, id)))).filter((c): c is Comment => !!c);
  const present = new Set(found.map((c) => c.commentId));
  const missing = ids.filter((id) => !present.has(id));
  if (!found.length) throw server.error('PM_ERR_COMMENT_NOT_FOUND', { what: ids.length === 1 ? ids[0]! : `none of the ${ids.length} ids` });
  const todo = [...present];
  const changed =
    action === 'approve' ? await service.approve(siteId, todo)
    : action === 'hold' ? await service.hold(siteId, todo)
    : action === 'spam' ? await service.markSpam(siteId, todo)
    : await service.remove(siteId, todo);
  return { action, changed, missing };
}

/** A held comment that the spam rules did not clear: it waits as "suspected spam". */
export const suspected = (c: Comment) => c.status === 'held' && c.points < PUBLISH_AT;

/** The threads of a list of comments, by key (one lookup per page shown). */
export async function threadsOf(service: CommentService, siteId: string, comments: Comment[]): Promise<Map<string, Thread | undefined>> {
  const keys = [...new Set(comments.map((c) => c.threadKey))];
  const threads = await Promise.all(keys.map((k) => service.thread(siteId, k)));
  return new Map(keys.map((k, i) => [k, threads[i]]));
}

/** What the JSON API says about a comment; the dashboard shows the same facts. */
export function commentView(c: Comment, thread: Thread | undefined, service: CommentService, renderBody: (md: string) => string) {
  return {
    commentId: c.commentId,
    status: c.status,
    suspectedSpam: suspected(c),
    name: c.name,
    website: c.website,
    email: c.email,
    body: c.body,
    html: renderBody(c.body),
    parentId: c.parentId,
    points: c.points,
    reasons: c.reasons,
    page: thread ? { url: service.pageUrl(thread), kind: thread.kind, langcode: thread.langcode, urlPath: thread.urlPath, postId: thread.postId } : null,
    createdAt: new Date(c.createdAt).toISOString(),
    updatedAt: new Date(c.updatedAt).toISOString(),
  };
}

/** "Approved 2 comments." and friends, for the dashboard's notice. */
export function resultText(r: ModerationResult): string {
  const n = r.changed.length;
  const what = `${n} ${n === 1 ? 'comment' : 'comments'}`;
  const done = { approve: `Approved ${what}: shown on the site.`, hold: `Moved ${what} back to the queue: no longer shown.`, spam: `Marked ${what} as spam: kept in the spam folder for a week, never shown.`, delete: `Deleted ${what}.` }[r.action];
  return r.missing.length ? `${done} ${r.missing.length} ${r.missing.length === 1 ? 'was' : 'were'} already gone.` : done;
}
