/**
 * The comments' rules, in one place: who may post where and when, what the
 * defences refuse, what a comment becomes (published, held, spam), the limits
 * and the automatic shut-off, which one stored page a change re-renders, and
 * the mail it sends. The routes (public-routes.ts, dashboard-routes.ts, the
 * moderation files) are doors: they parse a request and render the answer.
 * The rules are called from here; shut-off.ts (closing and reopening the site),
 * thread-refresh.ts (re-rendering a thread's page) and comment-mail.ts (the
 * mail) carry them out.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { ulid } from 'ulid';
import type { ComponentPage, PluginServer, Site } from '../../src/plugins/plugin.js';
import { DEFAULT_SETTINGS, readSettings, writeSettings, type CommentSettings } from './comment-settings.js';
import type { Comment, CommentStatus, CommentStore, Thread } from './comment-store.js';
import type { FormId, Tokens } from './comment-token.js';
import { checkHtml, EMPTY_FORM, LIMITS, threadHtml, type ClosedReason, type FormValues, type Markup } from './comment-view.js';
import type { CommentCandidate, SpamFacts, SpamVerdict } from './spam-rules.js';
import { createCommentMail, type MailLike } from './comment-mail.js';
import { createShutOff } from './shut-off.js';
import { cacheKey, createThreadRefresh } from './thread-refresh.js';

export { HELD_MAIL_EVERY_MS, type MailLike } from './comment-mail.js';
export { REOPEN_JOB } from './shut-off.js';

export const PURGE_JOB = 'comments.purge';
export const AUTOCLOSE_JOB = 'comments.autoclose';
/** The spam folder keeps a comment this long, then the purge job deletes it. */
export const SPAM_KEEP_MS = 7 * 86_400_000;
/** A comment form's fields as a request sent them (strings, untrusted). */
export type FormBody = Record<string, unknown>;

export interface CheckStep {
  /** HTML of the "check your comment" step, for `it.components.comments` of a page rendered per request. */
  html: string;
  page: FormId;
  status: number;
}

export interface Posted {
  comment: Comment;
  /** Where the visitor goes next: the page, at the comment or at the "awaiting approval" notice. */
  redirect: string;
}

export interface CommentService {
  settings(siteId: string): Promise<CommentSettings>;
  saveSettings(siteId: string, form: Record<string, unknown>): Promise<{ ok: true; settings: CommentSettings } | { ok: false; errors: Record<string, string> }>;
  /** The provider of `it.components.comments`. */
  component(page: ComponentPage): Promise<string>;
  /** A stored page's template included the comments: it is a thread from now on (auto-close counts from its first time). */
  shown(page: ComponentPage): Promise<void>;
  /** Step one (the stored page's form was sent): the check step with a fresh visit token. */
  check(body: FormBody, ctx: RequestFacts): Promise<CheckStep>;
  /** Step two: every defence, then the comment is stored (or not) and its page re-rendered. */
  post(body: FormBody, ctx: RequestFacts): Promise<Posted>;
  /** The check step again, with a refusal's message and the visitor's input kept. */
  refusedStep(body: FormBody, ctx: RequestFacts, message: string, fieldErrors?: Record<string, string>): Promise<CheckStep | undefined>;
  get(siteId: string, commentId: string): Promise<Comment | undefined>;
  list(o: { siteId: string; status?: CommentStatus; limit?: number; offset?: number }): Promise<Comment[]>;
  counts(siteId: string): Promise<Record<CommentStatus, number>>;
  /** Moderation: each re-renders exactly the pages whose shown comments changed. */
  approve(siteId: string, commentIds: string[]): Promise<Comment[]>;
  hold(siteId: string, commentIds: string[]): Promise<Comment[]>;
  markSpam(siteId: string, commentIds: string[]): Promise<Comment[]>;
  remove(siteId: string, commentIds: string[]): Promise<Comment[]>;
  edit(siteId: string, commentId: string, patch: { name?: string; website?: string; body?: string }): Promise<Comment>;
  /** Where a thread is (for links in the dashboard). */
  thread(siteId: string, threadKey: string): Promise<Thread | undefined>;
  threads(siteId: string): Promise<Thread[]>;
  setThreadMode(siteId: string, threadKey: string, mode: Thread['mode']): Promise<void>;
  /** The automatic shut-off as the dashboard shows it. */
  shutOffState(siteId: string): Promise<{ closed: boolean; until: number | null; reason: string; storedBytes: number; capBytes: number }>;
  reopen(siteId: string): Promise<boolean>;
  /** Jobs. */
  reopenDue(siteId: string): Promise<void>;
  purge(): Promise<{ spam: number; nonces: number }>;
  autoClose(siteId: string, threadKey: string): Promise<void>;
  /** The commenter's one-click unsubscribe link check. */
  unsubscribe(commentId: string, sig: unknown): Promise<Comment>;
  /** A link for the page of a thread, as a visitor reaches it. */
  pageUrl(t: { siteId: string; langcode: string; urlPath: string }): string;
}

/** What a door knows about the request. */
export interface RequestFacts {
  siteId: string;
  ip: string;
  /** `https://example.com`, for links in mail. */
  origin: string;
}

export function createCommentService(o: {
  server: PluginServer;
  store: CommentStore;
  tokens: Tokens;
  markup: Markup;
  score: (c: CommentCandidate, f: SpamFacts) => SpamVerdict;
  mail?: MailLike;
  defaults?: CommentSettings;
  now?: () => number;
}): CommentService {
  const { server, store, tokens, markup } = o;
  const now = o.now ?? Date.now;
  const defaults = o.defaults ?? DEFAULT_SETTINGS;
  const ipKey = server.secret('ip');
  const origins = new Map<string, string>();
  // Each comment's body rendered once (markdown and sanitising are the costly part of a thread), by id and version.
  const bodies = new LRUCache<string, string>({ maxSize: 8 * 1024 * 1024, sizeCalculation: (v, k) => v.length * 2 + k.length + 32 });
  const bodyHtml = (c: Comment) => {
    const k = `${c.commentId}:${c.updatedAt}`;
    let v = bodies.get(k);
    if (v === undefined) bodies.set(k, (v = markup.renderBody(c.body)));
    return v;
  };

  const err = (code: string, params?: Record<string, string | number>, fields?: Record<string, string>) => server.error(code as never, params, fields ? { fields } : undefined);

  function site(siteId: string): Site {
    const s = server.sites.list().find((x) => x.siteId === siteId);
    if (!s) throw err('PM_ERR_COMMENT_NOT_FOUND', { what: 'that site' });
    return s;
  }
  const prefix = (s: Site, langcode: string) => (s.tildePrefix ? `/~${s.tildePrefix}` : '') + (langcode ? `/${langcode}` : '');
  const pageUrl = (t: { siteId: string; langcode: string; urlPath: string }) => {
    const s = site(t.siteId);
    return prefix(s, t.langcode) + t.urlPath.split('/').map((x) => encodeURIComponent(x)).join('/');
  };
  const newThread = (p: ComponentPage, threadKey: string) => ({ siteId: p.siteId, threadKey, kind: p.kind, langcode: p.langcode, urlPath: p.urlPath, postId: p.postId ?? null });
  const threadKeyOf = (p: ComponentPage) => (p.kind === 'post' && p.postId ? `post:${p.postId}` : `page:${p.langcode}:${p.urlPath}`);
  const ipHash = (ip: string) => createHash('blake2b512').update(`${ipKey}:${ip}`).digest('hex').slice(0, 32);
  const bodyHash = (body: string) => createHash('blake2b512').update(body.toLowerCase().replace(/\s+/g, ' ').trim()).digest('hex').slice(0, 40);
  const sizeOf = (v: { name: string; email: string; website: string; body: string }) => Buffer.byteLength(v.name) + Buffer.byteLength(v.email) + Buffer.byteLength(v.website) + Buffer.byteLength(v.body) + 200;

  const { refreshAll, refreshSite } = createThreadRefresh({ server, store });
  const shutoff = createShutOff({ server, store, mail: o.mail, now, site, refreshSite });
  const mail = createCommentMail({ server, store, tokens, mail: o.mail, now, err, site, prefix, pageUrl, origins });

  async function settings(siteId: string): Promise<CommentSettings> {
    const st = await store.site(siteId);
    return readSettings(st.settings, defaults).settings;
  }

  function closedReason(thread: Thread, st: { closedUntil: number | null }, s: CommentSettings, t: number): ClosedReason {
    if (st.closedUntil !== null && st.closedUntil > t) return 'shut-off';
    if (thread.mode === 'closed') return 'closed';
    if (s.autoCloseDays > 0 && t >= thread.firstShownAt + s.autoCloseDays * 86_400_000) return 'closed';
    return undefined;
  }

  function values(body: FormBody): FormValues {
    const s = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    return {
      name: s('name').replace(/[\u0000-\u001f\u007f]/g, ' ').trim(),
      email: s('email').trim(),
      website: s('website').trim(),
      body: s('body').replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim(),
      notify: body.notify === '1' || body.notify === 'on' || body.notify === true,
      parent: s('parent').trim(),
    };
  }

  function validate(v: FormValues): Record<string, string> {
    const e: Record<string, string> = {};
    if (!v.name) e.name = 'Enter your name.';
    else if (v.name.length > LIMITS.name) e.name = `Keep your name under ${LIMITS.name} characters.`;
    if (v.email && (v.email.length > LIMITS.email || !/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(v.email))) e.email = 'Enter an email address such as you@example.com, or leave it empty.';
    if (v.notify && !v.email) e.email = 'Reply notifications need your email address.';
    if (v.website && (v.website.length > LIMITS.website || !markup.safeWebsite(v.website))) e.website = 'Enter a web address starting with http:// or https://, or leave it empty.';
    if (!v.body) e.body = 'Write your comment.';
    else if (v.body.length > LIMITS.body) e.body = `Keep your comment under ${LIMITS.body} characters (it has ${v.body.length}).`;
    return e;
  }

  function readForm(body: FormBody, ctx: RequestFacts): FormId {
    if (typeof body.homepage === 'string' && body.homepage !== '') throw err('PM_ERR_COMMENT_HONEYPOT');
    const f = tokens.readFormId(body.form);
    if (!f || f.siteId !== ctx.siteId) throw err('PM_ERR_COMMENT_TOKEN_FORGED');
    return f;
  }

  async function parentOf(f: FormId, parentId: string): Promise<Comment | undefined> {
    if (!parentId) return undefined;
    const p = await store.get(parentId);
    if (!p || p.siteId !== f.siteId || p.threadKey !== f.threadKey || p.status !== 'published') throw err('PM_ERR_COMMENT_INVALID', {}, { parent: 'The comment you reply to is not shown any more; write a comment of your own.' });
    // One level of threading: a reply to a reply joins its parent's replies.
    return p.parentId ? ((await store.get(p.parentId)) ?? p) : p;
  }

  async function step(f: FormId, v: FormValues, o2: { error?: string; fieldErrors?: Record<string, string>; status: number; starting?: boolean }): Promise<CheckStep> {
    const s = site(f.siteId);
    const parent = v.parent ? await store.get(v.parent).catch(() => undefined) : undefined;
    return {
      page: f,
      status: o2.status,
      html: checkHtml({
        values: v,
        markup,
        action: prefix(s, f.langcode) + '/pm-comments/post',
        formId: tokens.formId({ ...f, renderedAt: f.renderedAt }),
        token: tokens.visitToken(f.siteId, f.threadKey, now()),
        error: o2.error,
        fieldErrors: o2.fieldErrors,
        replyTo: parent && parent.threadKey === f.threadKey && parent.status === 'published' ? parent.name : undefined,
        pageUrl: pageUrl(f),
        starting: o2.starting,
      }),
    };
  }

  async function changeStatus(siteId: string, ids: string[], status: CommentStatus): Promise<Comment[]> {
    const before = new Map((await Promise.all(ids.slice(0, 500).map((id) => store.get(id)))).filter((c): c is Comment => !!c && c.siteId === siteId).map((c) => [c.commentId, c]));
    const changed = await store.setStatus(siteId, [...before.keys()], status);
    // A page changes only where a shown comment appears or goes.
    const touched = changed.filter((c) => (before.get(c.commentId)!.status === 'published') !== (status === 'published')).map((c) => c.threadKey);
    await refreshAll(siteId, touched);
    if (status === 'published') for (const c of changed) if (before.get(c.commentId)!.status !== 'published') await mail.replied(c);
    return changed;
  }

  return {
    settings,
    async saveSettings(siteId, form) {
      // What the form leaves out keeps its current value.
      const old = await settings(siteId);
      const r = readSettings(form, old);
      if (Object.keys(r.errors).length) return { ok: false, errors: r.errors };
      await store.saveSettings(siteId, writeSettings(r.settings));
      // Auto-close or moderation shown on pages changed: the form appears or goes on every page.
      if (old.autoCloseDays !== r.settings.autoCloseDays) await refreshSite(siteId);
      return { ok: true, settings: r.settings };
    },

    async component(page) {
      const threadKey = threadKeyOf(page);
      return server.components.get(page.siteId, cacheKey(threadKey, page.langcode, page.urlPath), async () => {
        const t = now();
        // A page rendered for the first time has no thread yet: `shown` records it once the template included this.
        const thread = (await store.thread(page.siteId, threadKey)) ?? { ...newThread(page, threadKey), mode: 'default' as const, firstShownAt: t };
        const [st, s, comments] = await Promise.all([store.site(page.siteId), settings(page.siteId), store.inThread(page.siteId, threadKey, 'published')]);
        const closed = closedReason(thread, st, s, t);
        const sp = site(page.siteId);
        return threadHtml({
          comments,
          lang: page.langcode || sp.defaultLocale,
          markup,
          closed,
          bodyHtml,
          action: prefix(sp, page.langcode) + '/pm-comments/check',
          formId: tokens.formId({ ...page, threadKey, renderedAt: t }),
        });
      });
    },

    async shown(page) {
      const threadKey = threadKeyOf(page);
      const t = now();
      const thread = await store.touchThread(newThread(page, threadKey), t);
      const [st, s] = await Promise.all([store.site(page.siteId), settings(page.siteId)]);
      if (s.autoCloseDays > 0 && !closedReason(thread, st, s, t)) {
        // The stored page shows the form until then; the job renders it closed.
        await server.jobs.schedule({ kind: AUTOCLOSE_JOB, key: `${page.siteId}:${threadKey}`, runAt: thread.firstShownAt + s.autoCloseDays * 86_400_000, siteId: page.siteId, payload: { siteId: page.siteId, threadKey } });
      }
    },

    async check(body, ctx) {
      const f = readForm(body, ctx);
      origins.set(ctx.siteId, ctx.origin);
      const v = values(body);
      const thread = await store.thread(f.siteId, f.threadKey);
      const [st, s] = await Promise.all([store.site(f.siteId), settings(f.siteId)]);
      if (thread) {
        const closed = closedReason(thread, st, s, now());
        if (closed === 'shut-off') throw err('PM_ERR_COMMENT_SHUT_OFF');
        if (closed) throw err('PM_ERR_COMMENT_CLOSED');
      }
      // A comment's Reply button: the form, empty, with the reply set; nothing to check yet.
      if (body.start === '1' && !v.name && !v.body) return step(f, v, { status: 200, starting: true });
      const fieldErrors = validate(v);
      return step(f, v, { fieldErrors, status: Object.keys(fieldErrors).length ? 422 : 200 });
    },

    async refusedStep(body, ctx, message, fieldErrors) {
      const f = tokens.readFormId(body.form);
      if (!f || f.siteId !== ctx.siteId) return undefined;
      return step(f, values(body), { error: message, fieldErrors, status: 200 });
    },

    async post(body, ctx) {
      const f = readForm(body, ctx);
      origins.set(ctx.siteId, ctx.origin);
      const tok = tokens.readVisitToken(body.token);
      if (!tok || tok.siteId !== f.siteId || tok.threadKey !== f.threadKey) throw err('PM_ERR_COMMENT_TOKEN_FORGED');
      const s = await settings(f.siteId);
      const t = now();
      if (t - tok.issuedAt < s.minDwellSeconds * 1000) throw err('PM_ERR_COMMENT_TOO_FAST', { seconds: s.minDwellSeconds });
      if (t - tok.issuedAt > s.maxAgeMinutes * 60_000) throw err('PM_ERR_COMMENT_TOKEN_EXPIRED', { minutes: s.maxAgeMinutes });
      const v = values(body);
      const fieldErrors = validate(v);
      if (Object.keys(fieldErrors).length) throw err('PM_ERR_COMMENT_INVALID', {}, fieldErrors);
      const parent = await parentOf(f, v.parent);

      // Closed here, or for the whole site: refused before anything counts.
      const st = await store.site(f.siteId);
      const thread = (await store.thread(f.siteId, f.threadKey)) ?? (await store.touchThread(newThread(f, f.threadKey), t));
      const closed = closedReason(thread, st, s, t);
      if (closed === 'shut-off') throw err('PM_ERR_COMMENT_SHUT_OFF');
      if (closed) throw err('PM_ERR_COMMENT_CLOSED');

      // One use per token: taken now, given back if a later rule refuses.
      if (!(await store.useNonce(f.siteId, tok.nonce, tok.issuedAt + s.maxAgeMinutes * 60_000 + 60_000))) throw err('PM_ERR_COMMENT_TOKEN_REPLAYED');
      let stored = false;
      try {
        const ip = ipHash(ctx.ip);
        const hour = t - 3_600_000;
        if ((await store.countSince({ siteId: f.siteId, since: hour, ipHash: ip })) >= s.perIpPerHour) throw err('PM_ERR_COMMENT_RATE', { who: 'from your address' });
        if ((await store.countSince({ siteId: f.siteId, since: hour, threadKey: f.threadKey })) >= s.perPagePerHour) throw err('PM_ERR_COMMENT_RATE', { who: 'on this page' });
        if (await shutoff.overRate(f.siteId, s, t)) {
          await shutoff.close(f.siteId, 'rate', s);
          throw err('PM_ERR_COMMENT_SHUT_OFF');
        }
        const hash = bodyHash(v.body);
        const sp = site(f.siteId);
        const verdict = o.score({ body: v.body, name: v.name, website: v.website || undefined, email: v.email || undefined }, { bodySeenBefore: await store.bodySeen(f.siteId, hash), siteLanguage: f.langcode || sp.defaultLocale });
        const mode = thread.mode === 'publish' || thread.mode === 'hold' ? thread.mode : s.moderation;
        const status: CommentStatus = verdict.verdict === 'spam' ? 'spam' : verdict.verdict === 'hold' || mode === 'hold' ? 'held' : 'published';
        const c = {
          commentId: ulid(t),
          siteId: f.siteId,
          threadKey: f.threadKey,
          parentId: parent?.commentId ?? null,
          name: v.name,
          website: v.website ? (markup.safeWebsite(v.website) ?? '') : '',
          email: v.email,
          body: v.body,
          bodyHash: hash,
          status,
          points: verdict.points,
          reasons: verdict.reasons,
          ipHash: ip,
          notifyReplies: v.notify && !!v.email,
          sizeBytes: sizeOf(v),
          createdAt: t,
        };
        const put = await store.insert(c, { capBytes: s.capBytes, rate: { since: t - s.shutoffWindowMinutes * 60_000, max: s.shutoffMax } });
        if (put !== 'stored') {
          await shutoff.close(f.siteId, put === 'cap' ? 'size' : 'rate', s);
          throw err('PM_ERR_COMMENT_SHUT_OFF');
        }
        stored = true;
        const comment = (await store.get(c.commentId))!;
        const where = pageUrl(thread);
        if (status === 'published') {
          await refreshAll(f.siteId, [f.threadKey]);
          await mail.replied(comment);
          return { comment, redirect: `${where}#comment-${comment.commentId}` };
        }
        if (status === 'held') await mail.held(comment, f, ctx.origin);
        // Spam is told the same as held: a spammer learns nothing from the answer.
        return { comment, redirect: `${where}#comment-held` };
      } finally {
        if (!stored) await store.forgetNonce(tok.nonce).catch(() => undefined);
      }
    },

    get: async (siteId, commentId) => {
      const c = await store.get(commentId);
      return c && c.siteId === siteId ? c : undefined;
    },
    list: (q) => store.list(q),
    counts: (siteId) => store.counts(siteId),
    approve: (siteId, ids) => changeStatus(siteId, ids, 'published'),
    hold: (siteId, ids) => changeStatus(siteId, ids, 'held'),
    markSpam: (siteId, ids) => changeStatus(siteId, ids, 'spam'),
    async remove(siteId, ids) {
      const gone = await store.remove(siteId, ids.slice(0, 500));
      await refreshAll(siteId, gone.filter((c) => c.status === 'published').map((c) => c.threadKey));
      return gone;
    },
    async edit(siteId, commentId, patch) {
      const c = await store.get(commentId);
      if (!c || c.siteId !== siteId) throw err('PM_ERR_COMMENT_NOT_FOUND', { what: 'that comment' });
      const v: FormValues = { ...EMPTY_FORM, name: patch.name ?? c.name, website: patch.website ?? c.website, body: patch.body ?? c.body, email: c.email };
      const clean = values({ ...v, notify: '' });
      const fieldErrors = validate({ ...clean, email: '' });
      if (Object.keys(fieldErrors).length) throw err('PM_ERR_COMMENT_INVALID', {}, fieldErrors);
      const updated = (await store.update(siteId, commentId, {
        name: clean.name,
        website: clean.website ? (markup.safeWebsite(clean.website) ?? '') : '',
        body: clean.body,
        bodyHash: bodyHash(clean.body),
        sizeBytes: sizeOf({ ...clean, email: c.email }),
      }))!;
      if (updated.status === 'published') await refreshAll(siteId, [updated.threadKey]);
      return updated;
    },
    thread: (siteId, threadKey) => store.thread(siteId, threadKey),
    threads: (siteId) => store.threads(siteId),
    async setThreadMode(siteId, threadKey, mode) {
      if (!(await store.setThreadMode(siteId, threadKey, mode))) throw err('PM_ERR_COMMENT_NOT_FOUND', { what: 'that page' });
      await refreshAll(siteId, [threadKey]);
    },
    shutOffState: async (siteId) => shutoff.state(siteId, await settings(siteId)),
    reopen: (siteId) => shutoff.reopen(siteId),
    reopenDue: (siteId) => shutoff.reopenDue(siteId),
    async purge() {
      const t = now();
      return { spam: await store.purgeSpam(t - SPAM_KEEP_MS), nonces: await store.purgeNonces(t) };
    },
    async autoClose(siteId, threadKey) {
      await refreshAll(siteId, [threadKey]);
    },
    unsubscribe: (commentId, sig) => mail.unsubscribe(commentId, sig),
    pageUrl,
  };
}
