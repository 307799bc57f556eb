/**
 * The comments' HTML: the component a stored page includes (the thread, the
 * form or why it is closed) and the "check your comment" step. Everything a
 * commenter typed is escaped, and the body goes through the comment markdown
 * renderer, which sanitises. The markup is described in README.md ("Markup").
 */
import { html, raw, type SafeHtml } from '../../src/plugins/plugin.js';
import type { Comment } from './comment-store.js';

export interface Markup {
  /** Markdown subset → sanitised HTML (links rel="nofollow ugc"). */
  renderBody(markdown: string): string;
  /** A normalised http(s) URL, or undefined. */
  safeWebsite(url: string): string | undefined;
}

export interface FormValues {
  name: string;
  email: string;
  website: string;
  body: string;
  notify: boolean;
  parent: string;
}

export const EMPTY_FORM: FormValues = { name: '', email: '', website: '', body: '', notify: false, parent: '' };

/** Limits of what a comment may hold, shown in the form (maxlength) and checked by the service. */
export const LIMITS = { name: 80, email: 254, website: 300, body: 5000 } as const;

// One formatter per language: making one is costly (ICU data), and a thread formats every comment's date.
const formats = new Map<string, Intl.DateTimeFormat | null>();
function day(ms: number, lang: string): string {
  const key = lang || 'en';
  let f = formats.get(key);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat(key, { dateStyle: 'long', timeZone: 'UTC' });
    } catch {
      f = null;
    }
    if (formats.size < 200) formats.set(key, f);
  }
  return f ? f.format(ms) : new Date(ms).toISOString().slice(0, 10);
}

function author(c: Comment, m: Markup): SafeHtml {
  const site = c.website ? m.safeWebsite(c.website) : undefined;
  return site ? html`<a class="comment__author" href="${site}" rel="nofollow ugc noopener">${c.name}</a>` : html`<span class="comment__author">${c.name}</span>`;
}

/** The fields of the comment form; `hp` adds the honeypot (always, in both steps). */
function fields(id: string, v: FormValues): SafeHtml {
  return html`<p class="comment-form__hp" hidden><label>Leave this field empty <input name="homepage" value="" tabindex="-1" autocomplete="off"></label></p>
<div class="comment-form__row">
<p class="comment-form__field"><label for="${id}-name">Name</label><input id="${id}-name" name="name" required maxlength="${LIMITS.name}" autocomplete="name" value="${v.name}"></p>
<p class="comment-form__field"><label for="${id}-email">Email <span class="comment-form__hint">(optional, never shown)</span></label><input id="${id}-email" name="email" type="email" maxlength="${LIMITS.email}" autocomplete="email" value="${v.email}"></p>
</div>
<p class="comment-form__field"><label for="${id}-website">Website <span class="comment-form__hint">(optional)</span></label><input id="${id}-website" name="website" type="text" inputmode="url" maxlength="${LIMITS.website}" autocomplete="url" placeholder="https://" value="${v.website}"></p>
<p class="comment-form__field"><label for="${id}-body">Comment</label><textarea id="${id}-body" name="body" rows="6" required maxlength="${LIMITS.body}">${v.body}</textarea>
<span class="comment-form__hint">*emphasis*, **strong**, [a link](https://example.com), \`code\` and &gt; quotes work.</span></p>
<p class="comment-form__check"><label><input type="checkbox" name="notify" value="1"${v.notify ? raw(' checked') : ''}> Mail me when someone replies (needs your email)</label></p>`;
}

/** The form in the stored page (step one: "Preview"), the same for every visitor. */
export function pageForm(o: { action: string; formId: string; parent?: string; idPrefix: string; title: string }): SafeHtml {
  return html`<form class="comment-form" method="post" action="${o.action}" id="${o.idPrefix}">
<h3 class="comment-form__title">${o.title}</h3>
<input type="hidden" name="form" value="${o.formId}">
<input type="hidden" name="parent" value="${o.parent ?? ''}">
${fields(o.idPrefix, { ...EMPTY_FORM, parent: o.parent ?? '' })}
<p class="comment-form__actions"><button class="comment-form__button" type="submit">Preview comment</button> <span class="comment-form__hint">You check it on the next page, then send it.</span></p>
</form>`;
}

export type ClosedReason = 'shut-off' | 'closed' | undefined;

/** The component: the published thread, then the form or why it is closed. */
export function threadHtml(o: { comments: Comment[]; lang: string; markup: Markup; closed: ClosedReason; action: string; formId: string; bodyHtml?: (c: Comment) => string }): string {
  const { comments, markup } = o;
  const tops = comments.filter((c) => !c.parentId);
  const replies = new Map<string, Comment[]>();
  const ids = new Set(comments.map((c) => c.commentId));
  for (const c of comments) {
    // A reply whose parent is not shown (held, spam) is shown at the top level rather than lost.
    if (c.parentId && ids.has(c.parentId)) (replies.get(c.parentId) ?? replies.set(c.parentId, []).get(c.parentId)!).push(c);
    else if (c.parentId) tops.push(c);
  }
  tops.sort((a, b) => a.createdAt - b.createdAt || (a.commentId < b.commentId ? -1 : 1));
  const one = (c: Comment, reply: boolean): SafeHtml => html`<li class="comment${reply ? ' comment--reply' : ''}" id="comment-${c.commentId}">
<article class="comment__card">
<header class="comment__meta">${author(c, markup)} <a class="comment__date" href="#comment-${c.commentId}"><time datetime="${new Date(c.createdAt).toISOString()}">${day(c.createdAt, o.lang)}</time></a></header>
<div class="comment__body">${raw(o.bodyHtml ? o.bodyHtml(c) : markup.renderBody(c.body))}</div>
${
  !reply && !o.closed
    ? // A small form, not a whole one per comment: it opens the check step with the reply set (a thread of 300 stays light).
      html`<form class="comment__reply" method="post" action="${o.action}"><input type="hidden" name="form" value="${o.formId}"><input type="hidden" name="parent" value="${c.commentId}"><input type="hidden" name="start" value="1"><button class="comment__reply-button" type="submit">Reply</button></form>`
    : ''
}
</article>${
    replies.get(c.commentId)?.length ? html`\n<ol class="comments__replies">${replies.get(c.commentId)!.map((r) => one(r, true))}</ol>` : ''
  }
</li>`;
  const n = comments.length;
  return html`<section class="comments" id="comments" aria-labelledby="comments-title">
<h2 class="comments__title" id="comments-title">${n === 0 ? 'Comments' : n === 1 ? '1 comment' : `${n} comments`}</h2>
<p class="comments__notice" id="comment-held" role="status" hidden>Thank you! Your comment is awaiting approval.</p>
${n ? html`<ol class="comments__list">${tops.map((c) => one(c, false))}</ol>` : o.closed ? '' : html`<p class="comments__empty">No comments yet. Be the first.</p>`}
${
  o.closed === 'shut-off'
    ? html`<p class="comments__closed">Comments are closed for a while.</p>`
    : o.closed === 'closed'
      ? html`<p class="comments__closed">Comments are closed.</p>`
      : pageForm({ action: o.action, formId: o.formId, idPrefix: 'comment-form', title: 'Leave a comment' })
}
</section>`.value;
}

/** Step two, rendered per request: the comment as it will look, the fields to change it, and "Send". */
export function checkHtml(o: { values: FormValues; markup: Markup; action: string; formId: string; token: string; error?: string; fieldErrors?: Record<string, string>; replyTo?: string; pageUrl: string; starting?: boolean }): string {
  const v = o.values;
  const site = v.website ? o.markup.safeWebsite(v.website) : undefined;
  const errs = o.fieldErrors ?? {};
  const errList = Object.values(errs);
  return html`<section class="comments comments--check" id="comments" aria-labelledby="comments-title">
<h2 class="comments__title" id="comments-title">${o.starting ? (o.replyTo ? `Reply to ${o.replyTo}` : 'Write your comment') : 'Check your comment'}</h2>
${o.error ? html`<p class="comments__error" role="alert">${o.error}</p>` : ''}
${errList.length ? html`<ul class="comments__error" role="alert">${errList.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
${o.replyTo ? html`<p class="comments__replying">In reply to ${o.replyTo}.</p>` : ''}
${
  v.body.trim() && !o.starting
    ? html`<ol class="comments__list"><li class="comment comment--preview"><article class="comment__card"><header class="comment__meta">${
        site ? html`<a class="comment__author" href="${site}" rel="nofollow ugc noopener">${v.name || 'Your name'}</a>` : html`<span class="comment__author">${v.name || 'Your name'}</span>`
      }</header><div class="comment__body">${raw(o.markup.renderBody(v.body))}</div></article></li></ol>`
    : ''
}
<form class="comment-form" method="post" action="${o.action}" id="comment-form">
<input type="hidden" name="form" value="${o.formId}">
<input type="hidden" name="token" value="${o.token}">
<input type="hidden" name="parent" value="${v.parent}">
${fields('comment-form', v)}
<p class="comment-form__actions"><button class="comment-form__button" type="submit">${o.starting ? 'Send reply' : 'Send comment'}</button> <a href="${o.pageUrl}#comments">Back to the page</a></p>
<p class="comment-form__hint">Take a few seconds to read it over: a comment sent at once is taken for a robot's.</p>
</form>
</section>`.value;
}
