/**
 * A real app with the comments plugin, on SQLite or PostgreSQL, a known PM_SECRET_KEY (so a
 * test can sign tokens as the plugin does: expired ones, say), a page made from the `post`
 * template, and helpers that post a comment the way a browser without JavaScript does.
 */
import { createHmac } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { test, type TestContext } from 'node:test';
import type { Response } from 'light-my-request';
import { createTokens } from '../../pm-plugins/comments/comment-token.js';
import type { CommentService } from '../../pm-plugins/comments/comment-service.js';
import type { Plugin, PluginServer } from '../../src/plugins/plugin.js';
import { sql } from '../../src/store/kysely.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DIALECTS, type DialectName } from '../helpers/dialects.js';

export const SECRET = 'comments-test-secret-0123456789abcdef';
/** The plugin's form key, derived from the installation secret as server.secret('form') does. */
export const tokens = createTokens(createHmac('sha256', SECRET).update('plugin:comments:form').digest('base64url'));

export interface Fixture {
  t: TestApp;
  dialect: DialectName;
  siteId: string;
  service: CommentService;
  server: PluginServer;
  /** GET a page as a visitor. */
  visit(url: string): Promise<Response>;
  /** Step one from the page's form (or another one), returning the check step's response. */
  check(fields: Record<string, string>, opts?: { page?: string; ip?: string; form?: string }): Promise<Response>;
  /** Both steps, waiting `waitMs` between them (default: just past the dwell time the fixture sets). */
  post(fields: Record<string, string>, opts?: { page?: string; ip?: string; waitMs?: number; accept?: string; form?: string }): Promise<Response>;
  /** Step two with a token of one's own. */
  send(fields: Record<string, string>, opts?: { ip?: string; accept?: string }): Promise<Response>;
  count(where?: string): Promise<number>;
  /** Every stored page's `langcode:path` → etag+time, to see which ones a write changed. */
  snapshot(): Promise<Map<string, string>>;
  stored(urlPath: string, langcode?: string): Promise<string>;
  mails(): Promise<{ to_addr: string; subject: string; text_body: string; headers: string }[]>;
}

export const DWELL_MS = 1000;

export const formOf = (body: string) => /name="form" value="([^"]+)"/.exec(body)?.[1] ?? '';
export const tokenOf = (body: string) => /name="token" value="([^"]+)"/.exec(body)?.[1] ?? '';

export function changed(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startCommentsFixture(dialect: DialectName, o: { settings?: Record<string, string | number>; config?: string } = {}): Promise<Fixture & { close(): Promise<void> }> {
  const holder: { service?: CommentService; server?: PluginServer } = {};
  const probe: Plugin = {
    name: 'comments-probe',
    dependsOn: ['comments'],
    init(server) {
      holder.server = server;
      holder.service = server.use<CommentService>('comments');
    },
  };
  const t = await startTestApp({}, { dialect, env: { PM_SECRET_KEY: SECRET }, extraPlugins: [probe] });
  const siteId = t.siteId;
  const service = holder.service!;
  const r = await service.saveSettings(siteId, { min_dwell_seconds: DWELL_MS / 1000, ...(o.settings ?? {}) });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  for (const [urlPath, title] of [['/hello', 'Hello'], ['/other', 'Other']]) {
    const s = await t.app.templates.save({ siteId, langcode: '', urlPath, themeId: 'daybreak', templateName: 'post', data: { title, body: 'Text.' } });
    if (!s.ok) throw new Error('page');
  }
  const form = (fields: Record<string, string>) => new URLSearchParams({ parent: '', homepage: '', name: '', email: '', website: '', body: '', ...fields }).toString();
  const inject = (url: string, payload: string, ip = '203.0.113.7', accept = 'text/html') =>
    t.app.http.inject({ method: 'POST', url, remoteAddress: ip, headers: { 'content-type': 'application/x-www-form-urlencoded', accept }, payload });
  const fx: Fixture = {
    t,
    dialect,
    siteId,
    service,
    server: holder.server!,
    visit: (url) => t.app.http.inject({ method: 'GET', url }),
    async check(fields, opts = {}) {
      const f = opts.form ?? formOf((await fx.visit(opts.page ?? '/hello')).body);
      return inject('/pm-comments/check', form({ form: f, ...fields }), opts.ip);
    },
    async post(fields, opts = {}) {
      const step = await fx.check(fields, opts);
      if (step.statusCode !== 200) return step;
      await sleep(opts.waitMs ?? DWELL_MS + 50);
      return inject('/pm-comments/post', form({ form: formOf(step.body), token: tokenOf(step.body), ...fields }), opts.ip, opts.accept);
    },
    send: (fields, opts = {}) => inject('/pm-comments/post', form(fields), opts.ip, opts.accept),
    async count(where) {
      const r = await t.app.db.get<{ n: number }>(where ? sql`SELECT COUNT(*) AS n FROM pm_comment WHERE status = ${where}` : sql`SELECT COUNT(*) AS n FROM pm_comment`);
      return Number(r?.n ?? 0);
    },
    async snapshot() {
      const out = new Map<string, string>();
      for (const p of await t.app.stores.pages.list(siteId)) out.set(`${p.langcode}:${p.urlPath}`, `${p.etag}:${p.updatedAt}`);
      return out;
    },
    async stored(urlPath, langcode = '') {
      const p = await t.app.stores.pages.get(siteId, langcode, urlPath);
      return p?.gz ? gunzipSync(p.gz).toString('utf8') : '';
    },
    async mails() {
      return t.app.db.all(sql`SELECT to_addr, subject, text_body, headers FROM pm_mail_outbox ORDER BY created_at, mail_id`);
    },
  };
  return { ...fx, close: () => t.close() };
}

/** One test per dialect, each with a fresh fixture. */
export function forEachComments(name: string, fn: (f: Fixture, t: TestContext) => Promise<void>, o: Parameters<typeof startCommentsFixture>[1] = {}): void {
  for (const d of DIALECTS) {
    test(`${name} [${d.name}]`, { skip: d.skip }, async (tc) => {
      const f = await startCommentsFixture(d.name, o);
      try {
        await fn(f, tc);
      } finally {
        await f.close();
      }
    });
  }
}
