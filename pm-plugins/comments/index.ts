/**
 * Comments (pm-plugins/comments): visitors comment on blog posts and on any page whose template
 * includes `it.components.comments`. The thread is part of the stored page; a change re-renders
 * that one page. Defences without any third-party service: a honeypot, signed form tokens with a
 * dwell time, a maximum age and one use, spam points (spam-rules.ts), limits per address and per
 * page, and an automatic shut-off on rate or size. See README.md.
 */
import type { Plugin, PluginServer } from '../../src/plugins/plugin.js';
import { renderCommentBody, safeWebsite } from './comment-markdown.js';
import { AUTOCLOSE_JOB, createCommentService, PURGE_JOB, REOPEN_JOB, type CommentService, type MailLike } from './comment-service.js';
import { DEFAULT_SETTINGS, readSettings } from './comment-settings.js';
import { COMMENT_TABLES, commentMigrations, createCommentStore, type CommentStore } from './comment-store.js';
import { createTokens } from './comment-token.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { moderationApi } from './moderation-api.js';
import { moderationRoutes } from './moderation-routes.js';
import { publicRoutes } from './public-routes.js';
import { scoreComment } from './spam-rules.js';
import { countCommentStorage } from './usage.js';

export interface Comments {
  service: CommentService;
  store: CommentStore;
}

/** Each app's comments; keyed by the PluginServer they were made for (a test process runs several apps). */
const made = new WeakMap<PluginServer, Comments>();

const PURGE_EVERY_MS = 6 * 3_600_000;

export const COMMENT_ERRORS = {
  PM_ERR_COMMENT_HONEYPOT: { status: 400, message: 'The comment was not sent: a field that people leave empty (it is hidden) was filled in. If you are a person, open the page again and write your comment there.' },
  PM_ERR_COMMENT_TOKEN_FORGED: { status: 400, message: 'The comment was not sent: this form did not come from a page of this site (its signature does not match). Open the page again and write your comment there.' },
  PM_ERR_COMMENT_TOO_FAST: { status: 400, message: 'That was quick: the comment was not sent. Take a moment to read it over ({seconds} seconds at least), then send it again.' },
  PM_ERR_COMMENT_TOKEN_EXPIRED: { status: 400, message: 'The comment was not sent: this form was open for more than {minutes} minutes. Check it below and send it again.' },
  PM_ERR_COMMENT_TOKEN_REPLAYED: { status: 409, message: 'This comment was already sent once with this form, so it was not stored again. To write another, open the page again.' },
  PM_ERR_COMMENT_INVALID: { status: 422, message: 'The comment needs a few changes before it can be sent.' },
  PM_ERR_COMMENT_CLOSED: { status: 403, message: 'Comments are closed on this page.' },
  PM_ERR_COMMENT_SHUT_OFF: { status: 503, message: 'Comments are closed for a while. Nothing was stored; please come back later.' },
  PM_ERR_COMMENT_RATE: { status: 429, message: 'Too many comments {who} in the last hour: the comment was not stored. Please try again later.' },
  PM_ERR_COMMENT_NOT_FOUND: { status: 404, message: 'There is no such comment ({what}).' },
  PM_ERR_COMMENT_UNSUBSCRIBE: { status: 400, message: 'This unsubscribe link is not valid (it may have been cut short). Use the whole link from the mail.' },
  PM_ERR_COMMENT_SETTINGS: { status: 422, message: 'Some comment settings are not valid; the form says which.' },
} as const;

/** `[plugins.comments]` in config.toml: the defaults of every site (each site can change them in the dashboard). */
function configDefaults(server: PluginServer) {
  const r = readSettings(server.config, DEFAULT_SETTINGS);
  const bad = Object.entries(r.errors);
  if (bad.length) throw new Error(`[plugins.comments] in config.toml: ${bad.map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  return r.settings;
}

const plugin: Plugin = {
  name: 'comments',
  provides: ['comments'],
  dependsOn: ['dashboard', 'mail'],
  tables: COMMENT_TABLES,
  staticExport: { formNotices: { '/pm-comments/': { text: 'Comments are closed on this copy of the site.', className: 'comments__closed' } } },
  errors: COMMENT_ERRORS,
  async init(server) {
    await server.migrate(commentMigrations);
    const store = createCommentStore(server);
    const service = createCommentService({
      server,
      store,
      tokens: createTokens(server.secret('form')),
      markup: { renderBody: renderCommentBody, safeWebsite },
      score: scoreComment,
      mail: server.use<MailLike>('mail'),
      defaults: configDefaults(server),
    });
    made.set(server, { service, store });
    countCommentStorage(server);
    // Other plugins (and tests) reach the rules through this, never the tables.
    server.provide('comments', service);
    server.components.provide('comments', (page) => service.component(page), {
      // Bookkeeping only (where threads are, auto-close): a failure here must not fail the page's save.
      shown: (page) => service.shown(page).catch((e: Error) => server.log.error('recording a page with comments failed', { urlPath: page.urlPath, err: e.message })),
    });
    server.jobs.define(REOPEN_JOB, async (job) => service.reopenDue(String(job.payload.siteId ?? job.key)));
    server.jobs.define(AUTOCLOSE_JOB, async (job) => service.autoClose(String(job.payload.siteId), String(job.payload.threadKey)));
    server.jobs.define(PURGE_JOB, async () => {
      const r = await service.purge();
      if (r.spam || r.nonces) server.log.info('purged old spam comments and used form tokens', r);
      await server.jobs.schedule({ kind: PURGE_JOB, key: 'all', runAt: Date.now() + PURGE_EVERY_MS });
    });
    if (!(await server.jobs.get(PURGE_JOB, 'all'))) await server.jobs.schedule({ kind: PURGE_JOB, key: 'all', runAt: Date.now() + PURGE_EVERY_MS });
  },
  routes(router, server) {
    const c = made.get(server)!;
    publicRoutes(router, server, c.service);
    dashboardRoutes(router, server, c.service);
    // The moderation queue: dashboard pages, the JSON API and the home's "N waiting" (moderation-*.ts).
    moderationRoutes(router, server, c.service);
    moderationApi(router, server, c.service);
  },
};

/** The comments of an app (tests, and the moderation files of this plugin). */
export function commentsOf(server: PluginServer): Comments | undefined {
  return made.get(server);
}

export default plugin;
