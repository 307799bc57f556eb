/**
 * A real app with only the admin-api plugin and a stand-in `url-dashboard`
 * plugin (one pseudoroute, as the real one registers), three users with API
 * tokens and a cookie session, and a scenario runner: each scenario is one
 * call, the status and error code it must get, and what must (not) have
 * changed in storage.
 */
import assert from 'node:assert/strict';
import type { Response } from 'light-my-request';
import { BUILTIN_PLUGINS } from '../../src/app/builtin-plugins.js';
import type { Plugin } from '../../src/plugins/api.js';
import type { User } from '../../src/store/types.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import type { DialectName } from '../helpers/dialects.js';

export const DASHBOARD_ROUTE = '/pm-url-dashboard';
export const STUDIO_DATA = { title: 'The studio', body: 'We make **stoneware** by hand.' };

/** Registers what the real url-dashboard plugin registers that the API cares about: a pseudoroute, and a route under /pm/. */
const urlDashboardStandIn: Plugin = {
  name: 'url-dashboard',
  routes(router) {
    router.get(DASHBOARD_ROUTE, async (_request, reply) => reply.type('text/html').send('<h1>URL dashboard</h1>'), { pseudoroute: true });
    router.get('/pm/urls/new', async (_request, reply) => reply.type('text/html').send('<h1>New page</h1>'));
  },
};

export type Caller =
  | 'anonymous'
  | 'root'
  | 'admin'
  | 'editor'
  | 'bogus'
  | 'revoked'
  | 'cookie'
  | 'cookie-no-csrf'
  | 'cookie-bad-csrf';

export interface Fixture {
  t: TestApp;
  siteId: string;
  users: { root: User; admin: User; editor: User };
  tokens: Record<string, string>;
  cookies: { root: string; admin: string; editor: string };
  csrf: string;
  /** One call as `as`, JSON body unless `raw` is given. */
  call(as: Caller, method: string, url: string, body?: unknown, raw?: { payload: string | Buffer; type: string }): Promise<Response>;
  /** A visitor's (or a cookie holder's) plain request. */
  visit(url: string, cookie?: string): Promise<Response>;
  close(): Promise<void>;
}

export async function startApiFixture(opts: { dialect?: DialectName } = {}): Promise<Fixture> {
  // Only this plugin of the built-in ones: the others are built in parallel and must not decide these tests.
  const builtInPlugins = BUILTIN_PLUGINS.filter((p) => p.folder === 'admin-api');
  const t = await startTestApp({}, { builtInPlugins, extraPlugins: [urlDashboardStandIn], dialect: opts.dialect });
  const siteId = t.siteId;
  const users = {
    root: await t.user('root', 'root passphrase', 'superadmin'),
    admin: await t.user('ada', 'ada passphrase', 'admin'),
    editor: await t.user('eddie', 'eddie passphrase', 'editor'),
  };
  const tokens: Record<string, string> = { bogus: 'pm_this-token-was-never-issued' };
  for (const [k, u] of Object.entries(users)) tokens[k] = (await t.app.users.createToken(u, `${k} test token`)).token;
  const cookies = { root: await t.login('root', 'root passphrase'), admin: await t.login('ada', 'ada passphrase'), editor: await t.login('eddie', 'eddie passphrase') };

  // The way into the URL dashboard, as the url-dashboard plugin sets it up.
  await t.app.pages.alias(siteId, '', '/pm/urls', DASHBOARD_ROUTE, { pseudoroute: true });
  await t.app.pages.set(siteId, '', '/about', '<h1>About</h1>');
  const saved = await t.app.templates.save({ siteId, langcode: '', urlPath: '/studio', themeId: 'daybreak', templateName: 'about', data: STUDIO_DATA });
  assert.deepEqual(saved, { ok: true });

  const me = await t.app.http.inject({ url: '/pm/api/me', headers: { cookie: cookies.root } });
  assert.equal(me.statusCode, 200, me.body);
  const csrf = me.json().csrfToken as string;

  const fixture: Fixture = {
    t,
    siteId,
    users,
    tokens,
    cookies,
    csrf,
    call(as, method, url, body, raw) {
      const headers: Record<string, string> = {};
      if (as === 'cookie' || as === 'cookie-no-csrf' || as === 'cookie-bad-csrf') headers.cookie = cookies.root;
      if (as === 'cookie') headers['x-csrf-token'] = fixture.csrf;
      if (as === 'cookie-bad-csrf') headers['x-csrf-token'] = 'not-the-token';
      if (as !== 'anonymous' && !as.startsWith('cookie')) headers.authorization = `Bearer ${tokens[as]}`;
      let payload: string | Buffer | undefined;
      if (raw) {
        payload = raw.payload;
        headers['content-type'] = raw.type;
      } else if (body !== undefined) {
        payload = JSON.stringify(body);
        headers['content-type'] = 'application/json';
      }
      return t.app.http.inject({ method: method as 'GET', url, headers, payload });
    },
    visit: (url, cookie) => t.app.http.inject({ url, headers: cookie ? { cookie } : {} }),
    async close() {
      await t.close();
    },
  };
  return fixture;
}

/** One row of a scenario table. */
export interface Scenario {
  name: string;
  as: Caller;
  method: string;
  url: string | (() => string);
  body?: unknown;
  raw?: { payload: string | Buffer; type: string };
  status: number;
  /** The error code, for error answers. */
  code?: string;
  /** Field names `fields` must name (PM_ERR_VALIDATION). */
  fields?: string[];
  /** More checks of the answer. */
  expect?: (res: Response) => void | Promise<void>;
  /** What storage (or a visitor) must show afterwards: the side effect, or that there was none. */
  effect?: () => Promise<void>;
}

export async function runScenario(f: Fixture, s: Scenario): Promise<void> {
  const url = typeof s.url === 'function' ? s.url() : s.url;
  const res = await f.call(s.as, s.method, url, s.body, s.raw);
  assert.equal(res.statusCode, s.status, `${s.method} ${url} as ${s.as}: ${res.body.slice(0, 500)}`);
  if (s.code) {
    assert.match(String(res.headers['content-type']), /application\/json/);
    const err = res.json();
    assert.equal(err.code, s.code, res.body);
    assert.equal(typeof err.message, 'string');
    assert.ok(err.message.length > 0);
  }
  if (s.fields) {
    const fields = res.json().fields ?? {};
    for (const name of s.fields) assert.ok(typeof fields[name] === 'string' && fields[name].length > 0, `fields.${name} missing in ${res.body}`);
  }
  await s.expect?.(res);
  await s.effect?.();
}
