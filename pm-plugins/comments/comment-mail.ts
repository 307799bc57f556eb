/**
 * The mail the comments send through the mail plugin (`server.use('mail')`): a held comment
 * waits (to the owner, at most one such mail per site every HELD_MAIL_EVERY_MS), a published
 * reply (to the parent's author, when they asked), and the signed one-click unsubscribe link
 * that reply mail carries. The shut-off's notice to the owner is in shut-off.ts. The comment
 * service decides when to call these.
 */
import type { PluginServer, Site } from '../../src/plugins/plugin.js';
import type { Comment, CommentStore } from './comment-store.js';
import type { FormId, Tokens } from './comment-token.js';

/** At most one "a comment waits" mail per site this often. */
export const HELD_MAIL_EVERY_MS = 15 * 60_000;

/** What the mail plugin offers (server.use('mail')), described here so this plugin imports none of its files. */
export interface MailLike {
  send(m: { to: string; subject: string; text: string; html?: string; siteId?: string; headers?: Record<string, string> }): Promise<unknown>;
  notifyOwner(m: { siteId: string; subject: string; text: string; html?: string }): Promise<unknown>;
}

export interface CommentMail {
  /** A comment was held: tell the owner (throttled per site). */
  held(c: Comment, f: FormId, requestOrigin: string): Promise<void>;
  /** A reply was published: tell its parent's author, if they asked. */
  replied(reply: Comment): Promise<void>;
  /** The one-click unsubscribe link's check: no more reply mail for that comment. */
  unsubscribe(commentId: string, sig: unknown): Promise<Comment>;
}

export function createCommentMail(o: {
  server: PluginServer;
  store: CommentStore;
  tokens: Tokens;
  mail?: MailLike;
  now: () => number;
  err: (code: string) => Error;
  site: (siteId: string) => Site;
  prefix: (s: Site, langcode: string) => string;
  pageUrl: (t: { siteId: string; langcode: string; urlPath: string }) => string;
  /** The last origin each site was reached at, for links when a site has no domain. */
  origins: ReadonlyMap<string, string>;
}): CommentMail {
  const { server, store, tokens, now, err, site, prefix, pageUrl, origins } = o;

  /**
   * One mail per held comment, but not a mailbox flooded by a burst: within HELD_MAIL_EVERY_MS of
   * the last one (per site, per process) the comment only joins the queue, which the dashboard shows.
   */
  const heldMailed = new Map<string, number>();
  async function held(c: Comment, f: FormId, requestOrigin: string): Promise<void> {
    const last = heldMailed.get(c.siteId);
    if (last !== undefined && now() - last < HELD_MAIL_EVERY_MS) return;
    heldMailed.set(c.siteId, now());
    const waiting = (await store.counts(c.siteId)).held;
    const sp = site(c.siteId);
    const title = sp.title;
    // The site's own domain when it has one: a Host header is the visitor's to choose.
    const origin = sp.domain ? `https://${sp.domain}` : requestOrigin;
    await o.mail
      ?.notifyOwner({
        siteId: c.siteId,
        subject: `A comment waits for approval on ${title}`,
        text: `${c.name} commented on ${origin}${pageUrl(f)}:\n\n${c.body.slice(0, 2000)}\n\n${waiting > 1 ? `${waiting} comments wait for approval in all. ` : ''}Approve or delete it in the dashboard: ${origin}${prefix(site(c.siteId), '')}/pm/comments\n\n(Further held comments in the next ${HELD_MAIL_EVERY_MS / 60_000} minutes are not mailed one by one; the dashboard lists them.)\n`,
      })
      .catch((e: Error) => server.log.error('mailing the owner about a held comment failed', { err: e.message }));
  }

  function unsubscribeLink(origin: string, c: Comment): string {
    return `${origin}${prefix(site(c.siteId), '')}/pm-comments/unsubscribe?c=${encodeURIComponent(c.commentId)}&s=${tokens.mac('unsubscribe', c.commentId)}`;
  }

  /** A published reply: its parent's author asked to hear of replies. */
  async function replied(reply: Comment): Promise<void> {
    if (!reply.parentId || reply.status !== 'published' || !o.mail) return;
    const parent = await store.get(reply.parentId);
    if (!parent || !parent.notifyReplies || !parent.email || parent.email.toLowerCase() === reply.email.toLowerCase()) return;
    const t = await store.thread(reply.siteId, reply.threadKey);
    const s = site(reply.siteId);
    const origin = s.domain ? `https://${s.domain}` : (origins.get(reply.siteId) ?? 'http://localhost');
    const url = t ? `${origin}${pageUrl(t)}#comment-${reply.commentId}` : origin;
    const unsub = unsubscribeLink(origin, parent);
    await o.mail
      .send({
        siteId: reply.siteId,
        to: parent.email,
        subject: `${reply.name} replied to your comment on ${s.title}`,
        text: `${reply.name} replied to your comment:\n\n${reply.body.slice(0, 2000)}\n\nRead it: ${url}\n\nYou get this because you asked to hear of replies. Stop these mails with one click: ${unsub}\n`,
        headers: { 'List-Unsubscribe': `<${unsub}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      })
      .catch((e: Error) => server.log.error('mailing a reply notification failed', { err: e.message }));
  }

  async function unsubscribe(commentId: string, sig: unknown): Promise<Comment> {
    if (!tokens.checkMac('unsubscribe', commentId, sig)) throw err('PM_ERR_COMMENT_UNSUBSCRIBE');
    const c = await store.get(commentId);
    if (!c) throw err('PM_ERR_COMMENT_UNSUBSCRIBE');
    await store.setNotify(commentId, false);
    return { ...c, notifyReplies: false };
  }

  return { held, replied, unsubscribe };
}
