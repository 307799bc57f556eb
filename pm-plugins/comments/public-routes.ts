/**
 * The visitors' doors: the two steps of posting (the stored page's form → "check your comment" →
 * the comment), and the unsubscribe link of reply mail. Each parses the request, hands it to the
 * service and renders the answer; the rules are in comment-service.ts.
 */
import { html, isPmError, type PluginRouter, type PluginServer, type PmReply, type PmRequest } from '../../src/plugins/plugin.js';
import type { CheckStep, CommentService, FormBody, RequestFacts } from './comment-service.js';

/** A comment form is a few KiB; this leaves room and refuses anything larger before it is parsed. */
export const COMMENT_BODY_LIMIT = 32 * 1024;

/** Refusals that come back as the check step, with the visitor's input and a fresh token. */
const STEP_AGAIN = new Set(['PM_ERR_COMMENT_TOO_FAST', 'PM_ERR_COMMENT_TOKEN_EXPIRED', 'PM_ERR_COMMENT_INVALID', 'PM_ERR_COMMENT_RATE']);

export function publicRoutes(router: PluginRouter, server: PluginServer, service: CommentService): void {
  const facts = (request: PmRequest): RequestFacts => ({
    siteId: request.pm.site.siteId,
    ip: request.pm.ip,
    origin: `${request.pm.secure ? 'https' : 'http'}://${String(request.headers.host ?? 'localhost').replace(/[^A-Za-z0-9.:[\]-]/g, '')}`,
  });
  const body = (request: PmRequest): FormBody => (request.body && typeof request.body === 'object' && !Array.isArray(request.body) ? (request.body as FormBody) : {});
  const wantsJson = (request: PmRequest) => /application\/json/.test(String(request.headers.accept ?? '')) && !/text\/html/.test(String(request.headers.accept ?? ''));

  /** The check step inside the site's theme (its `post` template shows `it.components.comments`). */
  async function sendStep(request: PmRequest, reply: PmReply, step: CheckStep, status = step.status): Promise<PmReply> {
    const s = request.pm.site;
    const themeId = server.siteThemes.active(s.siteId);
    const theme = server.themes.list().find((t) => t.id === themeId);
    const template = theme?.fills['blog.post'] ?? (theme?.templates.some((t) => t.name === 'post') ? 'post' : undefined);
    const link = (p: string) => request.pm.link(p);
    reply.header('cache-control', 'no-store');
    reply.header('x-robots-tag', 'noindex');
    if (wantsJson(request)) return reply.code(status).send({ step: 'check', html: step.html });
    if (template) {
      try {
        await server.themes.serveTemplate(reply, request, themeId, template, { title: 'Your comment', body: 'This is how your comment will look. Change it if you like, then send it.' }, {
          site: { title: s.title, description: s.description, langcode: step.page.langcode || s.defaultLocale },
          page: { urlPath: '/pm-comments/check', url: link('/pm-comments/check') },
          url: link,
          menus: await server.menus.forRender(s.siteId, step.page.langcode),
          seo: { title: 'Check your comment', description: '', image: '', canonical: '', noindex: true, contentLang: step.page.langcode || s.defaultLocale },
          components: { comments: step.html },
          status,
        });
        return reply;
      } catch (e) {
        server.log.warn('the theme could not render the comment check step; sending it plain', { err: (e as Error).message });
      }
    }
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(`<!doctype html><html lang="${html`${s.defaultLocale}`}"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Check your comment</title><main>${step.html}</main></html>`);
  }

  async function refused(request: PmRequest, reply: PmReply, e: unknown): Promise<PmReply> {
    if (isPmError(e) && STEP_AGAIN.has(e.code) && !wantsJson(request)) {
      const step = await service.refusedStep(body(request), facts(request), e.code === 'PM_ERR_COMMENT_INVALID' ? '' : e.message, e.fields).catch(() => undefined);
      if (step) return sendStep(request, reply, step, e.status);
    }
    return server.sendError(request, reply, e);
  }

  router.post(
    '/pm-comments/check',
    async (request, reply) => {
      try {
        return await sendStep(request, reply, await service.check(body(request), facts(request)));
      } catch (e) {
        return refused(request, reply, e);
      }
    },
    // The stored page's form carries a signed form id instead of a per-visitor CSRF token (README.md).
    { csrf: false, bodyLimit: COMMENT_BODY_LIMIT, description: 'Comments: check a comment before sending it (step one)' },
  );

  router.post(
    '/pm-comments/post',
    async (request, reply) => {
      try {
        const r = await service.post(body(request), facts(request));
        if (wantsJson(request)) return reply.code(201).send({ commentId: r.comment.commentId, status: r.comment.status === 'spam' ? 'held' : r.comment.status, redirect: r.redirect });
        return reply.code(303).header('location', r.redirect).header('cache-control', 'no-store').send('');
      } catch (e) {
        return refused(request, reply, e);
      }
    },
    { csrf: false, bodyLimit: COMMENT_BODY_LIMIT, description: 'Comments: send a checked comment (step two)' },
  );

  const unsubscribe = async (request: PmRequest, reply: PmReply) => {
    const q = { ...((request.query ?? {}) as Record<string, unknown>), ...body(request) };
    const c = await service.unsubscribe(String(q.c ?? ''), q.s);
    const s = request.pm.site;
    reply.header('cache-control', 'no-store');
    if (wantsJson(request) || request.method === 'POST') return reply.send({ unsubscribed: true });
    const page = html`<!doctype html><html lang="${s.defaultLocale}"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>Unsubscribed</title>
<main><h1>You will get no more reply mails</h1><p>Replies to your comment of ${new Date(c.createdAt).toISOString().slice(0, 10)} on ${s.title} will not be mailed to you any more.</p><p><a href="${request.pm.link('/')}">Back to ${s.title}</a></p></main></html>`;
    return reply.type('text/html; charset=utf-8').send(page.value);
  };
  router.get('/pm-comments/unsubscribe', unsubscribe, { description: 'Comments: stop reply mails (the link in the mail)' });
  // RFC 8058 one-click: mail programs POST to the List-Unsubscribe address.
  router.post('/pm-comments/unsubscribe', unsubscribe, { csrf: false, bodyLimit: 4096, description: 'Comments: one-click unsubscribe (List-Unsubscribe-Post)' });
}
