/**
 * The moderation queue in the dashboard: plain HTML forms (CSRF token in each), no script needed.
 *
 *   GET  /pm/comments                  held comments, suspected spam marked (?status=spam: the spam
 *                                      folder; ?status=published: what the site shows), 50 a page
 *   POST /pm/comments/moderate         approve | hold | spam | delete, one (a row's button) or the
 *                                      ticked ones (the bulk buttons), then back to the same list
 *   GET  /pm/comments/:commentId/edit  the edit form;  POST saves it through the service
 *
 * A door only: every change is the comments service's (moderation-actions.ts → service), which
 * re-renders the one page a comment is on. Also puts "N comments waiting" on the dashboard home.
 */
import {
  html, hidden, input, intParam, isPmError, qs, queryParam, raw, str, strs, textarea, timeAgo,
  type DashboardShell, type PluginRouter, type PluginServer, type PmReply, type PmRequest, type SafeHtml,
} from '../../src/plugins/plugin.js';
import { renderCommentBody } from './comment-markdown.js';
import type { CommentService } from './comment-service.js';
import type { Comment, CommentStatus, Thread } from './comment-store.js';
import { LIMITS } from './comment-view.js';
import { checkAction, checkIds, checkStatus, moderate, resultText, suspected, threadsOf, type ModerationAction } from './moderation-actions.js';

const PAGE = 50;
const PERMISSION = { permission: 'comments.moderate' as const };

const TAB_LABEL: Record<CommentStatus, string> = { held: 'Waiting', spam: 'Spam', published: 'Published' };
const LEDE: Record<CommentStatus, string> = {
  held: 'Comments waiting for you: approve them to show them on their page. Suspected spam is marked; the spam rules’ reasons are under each one.',
  spam: 'What the spam rules or you marked as spam. It is never shown, and goes by itself after a week.',
  published: 'Comments shown on the site. Move one back to the queue, mark it as spam or delete it.',
};
/** The buttons each list offers (a row's and the bulk bar's). */
const ACTIONS: Record<CommentStatus, { action: ModerationAction; label: string; cls: string }[]> = {
  held: [{ action: 'approve', label: 'Approve', cls: 'btn-primary' }, { action: 'spam', label: 'Spam', cls: '' }, { action: 'delete', label: 'Delete', cls: 'btn-danger' }],
  spam: [{ action: 'approve', label: 'Not spam: approve', cls: '' }, { action: 'hold', label: 'Not spam: to the queue', cls: '' }, { action: 'delete', label: 'Delete', cls: 'btn-danger' }],
  published: [{ action: 'hold', label: 'Unpublish', cls: '' }, { action: 'spam', label: 'Spam', cls: '' }, { action: 'delete', label: 'Delete', cls: 'btn-danger' }],
};

export function moderationRoutes(router: PluginRouter, server: PluginServer, service: CommentService): void {
  const shell = server.use<DashboardShell>('dashboard');
  const L = (request: PmRequest, path: string) => request.pm.link(path);

  shell.addHomeStat(async (request) => {
    if (!(await shell.can(request, 'comments.moderate'))) return undefined;
    const siteId = request.pm.site.siteId;
    const [n, off] = await Promise.all([service.counts(siteId).then((c) => c.held), service.shutOffState(siteId)]);
    const label = `${n === 1 ? 'comment waiting' : 'comments waiting'}${off.closed ? ' · commenting shut off for a while' : ''}`;
    return { count: n, label, href: L(request, '/pm/comments'), attention: n > 0 || off.closed };
  });

  /** A refusal (bad input, a comment already gone) inside the dashboard's layout. */
  const refuse = (request: PmRequest, reply: PmReply, e: { status: number; code: string; message: string; params?: Record<string, string | number> }) =>
    shell.errorPage(request, reply, { status: e.status, code: e.code, message: e.message, params: e.params ?? {} });

  function pageLink(request: PmRequest, t: Thread | undefined): SafeHtml {
    if (!t) return html`<span class="muted">a page that is gone</span>`;
    const url = service.pageUrl(t);
    return html`<a href="${url}">${t.langcode ? `/${t.langcode}` : ''}${t.urlPath}</a>`;
  }

  function row(request: PmRequest, c: Comment, t: Thread | undefined, status: CommentStatus): SafeHtml {
    const website = c.website ? html`<span class="sub mono">${c.website}</span>` : '';
    const reasons = c.reasons.filter((r) => r.points < 0).map((r) => html`<span class="badge">${r.rule} ${r.points}</span>`);
    const badge = suspected(c) ? html`<span class="badge badge-error">Suspected spam · ${c.points}</span>` : c.status === 'held' ? html`<span class="badge">Held · ${c.points}</span>` : '';
    return html`<tr id="comment-${c.commentId}">
<td class="check-cell"><input type="checkbox" name="ids" value="${c.commentId}" id="pick-${c.commentId}" aria-label="Choose the comment by ${c.name}"></td>
<td class="comment-cell"><label class="comment-who" for="pick-${c.commentId}"><strong>${c.name}</strong></label>${c.email ? html` <span class="muted small">${c.email}</span>` : ''}${website}
<div class="comment-text">${raw(renderCommentBody(c.body))}</div>
${badge || reasons.length ? html`<p class="comment-reasons">${badge} ${reasons}</p>` : ''}${c.parentId ? html`<p class="sub">A reply</p>` : ''}</td>
<td>${pageLink(request, t)}<span class="sub">${timeAgo(c.createdAt)}</span></td>
<td class="actions">${ACTIONS[status].map((a) => html`<button class="btn-small ${a.cls}" type="submit" name="action" value="${a.action}:${c.commentId}">${a.label}</button>`)}<a class="btn btn-small" href="${L(request, `/pm/comments/${c.commentId}/edit` + qs({ back: status }))}">Edit</a></td>
</tr>`;
  }

  router.get('/pm/comments', async (request, reply) => {
    let status: CommentStatus;
    let offset: number;
    try {
      status = checkStatus(queryParam(request, 'status'));
      offset = intParam(request, 'offset', 0, 0, 1_000_000);
    } catch (e) {
      if (isPmError(e)) return refuse(request, reply, e);
      throw e;
    }
    const siteId = request.pm.site.siteId;
    const [counts, list, off, canSettings] = await Promise.all([service.counts(siteId), service.list({ siteId, status, limit: PAGE, offset }), service.shutOffState(siteId), shell.can(request, 'site.settings')]);
    const settingsLink = canSettings ? html`<a class="btn" href="${L(request, '/pm/comments/settings')}">Comment settings</a>` : undefined;
    // The automatic shut-off is the settings page's to undo; the queue says it is on.
    const shutOff = off.closed
      ? html`<div class="notice notice-warn" role="status"><p>Commenting closed by itself (${off.reason === 'size' ? 'the comments reached their size cap' : 'comments arrived faster than the limit'}): visitors see “Comments are closed for a while” until ${new Date(off.until!).toISOString().slice(0, 16).replace('T', ' ')} UTC.${canSettings ? html` <a href="${L(request, '/pm/comments/settings')}">Reopen it now</a>` : ''}</p></div>`
      : '';
    const threads = await threadsOf(service, siteId, list);
    const tabs = html`<nav class="filters" aria-label="Comments">${(['held', 'spam', 'published'] as const).map(
      (s) => html`<a href="${L(request, '/pm/comments' + qs({ status: s === 'held' ? undefined : s }))}"${s === status ? html` aria-current="page"` : ''}>${TAB_LABEL[s]} <span class="count">${counts[s]}</span></a>`,
    )}</nav>`;
    const bulk = (where: string) => html`<div class="button-row bulk-bar" aria-label="${where}"><span class="muted small">With the ticked comments:</span>${ACTIONS[status].map(
      (a) => html`<button class="btn-small ${a.cls}" type="submit" name="action" value="${a.action}">${a.label}</button>`,
    )}</div>`;
    const total = counts[status];
    const pager = total > PAGE
      ? html`<nav class="pager" aria-label="Pages">${offset > 0 ? html`<a class="btn" rel="prev" href="${L(request, '/pm/comments' + qs({ status: status === 'held' ? undefined : status, offset: Math.max(0, offset - PAGE) || undefined }))}">← Newer</a>` : ''}<span class="muted">${offset + 1}–${Math.min(total, offset + PAGE)} of ${total}</span>${offset + PAGE < total ? html`<a class="btn" rel="next" href="${L(request, '/pm/comments' + qs({ status: status === 'held' ? undefined : status, offset: offset + PAGE }))}">Older →</a>` : ''}</nav>`
      : '';
    const body = list.length
      ? html`<form method="post" action="${L(request, '/pm/comments/moderate')}" class="moderation">${shell.csrf(request)}${hidden('back', status)}${offset ? hidden('offset', String(offset)) : ''}
${bulk('Bulk actions')}
<div class="table-wrap"><table class="stack-table comment-table"><thead><tr><th scope="col"><span class="pm-sr-only">Choose</span></th><th scope="col">Comment</th><th scope="col">On</th><th scope="col"><span class="pm-sr-only">Actions</span></th></tr></thead>
<tbody>${list.map((c) => row(request, c, threads.get(c.threadKey), status))}</tbody></table></div>
${list.length > 8 ? bulk('Bulk actions, again') : ''}
</form>${pager}`
      : html`<div class="card empty">${status === 'held' ? 'Nothing is waiting. New comments that need you will show up here.' : status === 'spam' ? 'The spam folder is empty.' : 'No comment is shown on the site yet.'}</div>`;
    return shell.page(request, reply, { title: 'Comments', nav: 'comments', lede: LEDE[status], actions: settingsLink, body: html`${shutOff}${tabs}${body}` });
  }, { ...PERMISSION, description: 'The comments’ moderation queue and spam folder' });

  router.post('/pm/comments/moderate', async (request, reply) => {
    const b = request.body;
    const back = (['held', 'spam', 'published'] as const).find((s) => s === str(b, 'back')) ?? 'held';
    const offset = Number(str(b, 'offset')) || undefined;
    const backHref = L(request, '/pm/comments' + qs({ status: back === 'held' ? undefined : back, offset }));
    // A row's button says "approve:ID"; a bulk button says "approve" and the ticked boxes name the ids.
    const [verb, one] = str(b, 'action').split(':', 2) as [string, string | undefined];
    try {
      const action = checkAction(verb);
      const ids = checkIds(one !== undefined ? one : strs(b, 'ids'));
      const r = await moderate(service, server, request.pm.site.siteId, action, ids);
      return shell.redirect(request, reply, backHref, { kind: 'ok', text: resultText(r) });
    } catch (e) {
      if (isPmError(e, 'PM_ERR_VALIDATION')) {
        const text = Object.values(e.fields ?? {}).join(' ') || e.message;
        return shell.redirect(request, reply, backHref, { kind: 'error', text: `Nothing changed: ${text.charAt(0).toLowerCase()}${text.slice(1)}` });
      }
      if (isPmError(e) && e.status < 500) return refuse(request, reply, e);
      throw e;
    }
  }, { ...PERMISSION, description: 'Approves, unpublishes, marks as spam or deletes comments' });

  interface EditState {
    values?: { name: string; website: string; body: string };
    errors?: Record<string, string>;
    status?: number;
    notice?: { kind: 'error'; text: string };
  }

  async function editPage(request: PmRequest, reply: PmReply, c: Comment, s: EditState = {}): Promise<PmReply> {
    const v = s.values ?? { name: c.name, website: c.website, body: c.body };
    const e = s.errors ?? {};
    const back = checkStatusSafe(queryParam(request, 'back') ?? str(request.body, 'back')) ?? c.status;
    const t = await service.thread(request.pm.site.siteId, c.threadKey);
    const backHref = L(request, '/pm/comments' + qs({ status: back === 'held' ? undefined : back }));
    const body = html`<div class="editor-grid">
<form class="card stack" method="post" action="${L(request, `/pm/comments/${c.commentId}/edit`)}">${shell.csrf(request)}${hidden('back', back)}
${input({ name: 'name', label: 'Name', value: v.name, error: e.name, required: true, maxlength: LIMITS.name })}
${input({ name: 'website', label: 'Website', type: 'url', value: v.website, error: e.website, maxlength: LIMITS.website, help: 'An http(s) address, or empty.' })}
${textarea({ name: 'body', label: 'Comment', value: v.body, error: e.body, rows: 10, required: true, maxlength: LIMITS.body, help: '*emphasis*, **strong**, [links](https://example.com), `code` and > quotes.' })}
<div class="button-row"><button class="btn-primary" type="submit">Save the comment</button><a class="btn" href="${backHref}">Cancel</a></div>
</form>
<section class="card"><h2>As shown now</h2>
<dl class="facts"><dt>On</dt><dd>${pageLink(request, t)}</dd><dt>Status</dt><dd>${TAB_LABEL[c.status]}</dd><dt>Received</dt><dd>${timeAgo(c.createdAt)}</dd>${c.email ? html`<dt>Email</dt><dd>${c.email}</dd>` : ''}<dt>Spam points</dt><dd>${c.points}${c.reasons.length ? html` <span class="sub">${c.reasons.map((r) => `${r.rule} ${r.points > 0 ? '+' : ''}${r.points}`).join(', ')}</span>` : ''}</dd></dl>
<div class="comment-text">${raw(renderCommentBody(c.body))}</div></section>
</div>`;
    return shell.page(request, reply, {
      title: `Edit the comment by ${c.name}`,
      nav: 'comments',
      status: s.status,
      notice: s.notice,
      crumbs: [{ href: backHref, label: 'Comments' }],
      body,
    });
  }

  const commentOr404 = async (request: PmRequest, reply: PmReply): Promise<Comment | PmReply> => {
    const id = (request.params as { commentId: string }).commentId;
    const c = /^[0-9A-Za-z]{26}$/.test(id) ? await service.get(request.pm.site.siteId, id.toUpperCase()) : undefined;
    if (c) return c;
    const e = server.error('PM_ERR_COMMENT_NOT_FOUND', { what: id.slice(0, 40) });
    return refuse(request, reply, e);
  };

  router.get('/pm/comments/:commentId/edit', async (request, reply) => {
    const c = await commentOr404(request, reply);
    return 'commentId' in c ? editPage(request, reply, c) : c;
  }, { ...PERMISSION, description: 'Edit a comment' });

  router.post('/pm/comments/:commentId/edit', async (request, reply) => {
    const c = await commentOr404(request, reply);
    if (!('commentId' in c)) return c;
    const b = request.body;
    const values = { name: str(b, 'name'), website: str(b, 'website'), body: str(b, 'body') };
    try {
      const saved = await service.edit(request.pm.site.siteId, c.commentId, values);
      const back = checkStatusSafe(str(b, 'back')) ?? saved.status;
      return shell.redirect(request, reply, L(request, '/pm/comments' + qs({ status: back === 'held' ? undefined : back })) + `#comment-${saved.commentId}`, {
        kind: 'ok',
        text: saved.status === 'published' ? 'Saved; the page shows the new text.' : 'Saved.',
      });
    } catch (e) {
      if (isPmError(e) && e.status === 422) {
        return editPage(request, reply, c, { values, errors: e.fields ?? {}, status: 422, notice: { kind: 'error', text: 'The comment was not saved: see the fields marked below.' } });
      }
      if (isPmError(e) && e.status < 500) return refuse(request, reply, e);
      throw e;
    }
  }, { ...PERMISSION, description: 'Saves an edited comment' });
}

function checkStatusSafe(s: string | undefined): CommentStatus | undefined {
  return s === 'held' || s === 'spam' || s === 'published' ? s : undefined;
}
