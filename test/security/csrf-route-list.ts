/**
 * The server's state-changing routes, read from Fastify's own route tree, and
 * for each a request that would do something real if its CSRF check let it
 * through (so "nothing changed" means something). A route this file has no
 * sample for gets a generic one: it is still tested for the refusals; only
 * the "the sample changes something" check needs a sample here.
 */
import type { FastifyInstance } from 'fastify';
import type { TestApp } from '../helpers/app.js';

export interface Route {
  method: string;
  url: string;
}

export interface Sample {
  url: string;
  type?: string;
  body?: string;
  /** The request with the right token changes what is stored (checked). */
  changes: boolean;
}

const STATE_CHANGING = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** The password of the actors that sign in (the profile's password form asks for it). */
export const ACTOR_PASSWORD = 'csrf test passphrase';

/**
 * Parses `printRoutes({ method, commonPrefix: false })`: one line per node, `├── /seg (METHODS)`,
 * children indented four characters deeper and written relative to their parent.
 */
export function stateChangingRoutes(fastify: FastifyInstance): Route[] {
  return routesOf(fastify, STATE_CHANGING);
}

/** The routes of `methods`, as `stateChangingRoutes` reads them. */
export function routesOf(fastify: FastifyInstance, methods: readonly string[]): Route[] {
  const out: Route[] = [];
  for (const method of methods) {
    const stack: { depth: number; path: string }[] = [];
    for (const line of fastify.printRoutes({ method: method as 'POST', commonPrefix: false }).split('\n')) {
      const m = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
      if (!m) continue;
      const depth = m[1].length / 4;
      while (stack.length && stack[stack.length - 1].depth >= depth) stack.pop();
      const path = (stack.length ? stack[stack.length - 1].path : '') + m[2];
      stack.push({ depth, path });
      if (m[3]?.split(',').map((s) => s.trim()).includes(method)) out.push({ method, url: path });
    }
  }
  return out;
}

const json = (body: unknown) => ({ type: 'application/json', body: JSON.stringify(body) });
const form = (fields: Record<string, string>) => ({ type: 'application/x-www-form-urlencoded', body: new URLSearchParams(fields).toString() });

/**
 * A request for `route` that does something real, with what it acts on created first:
 * a user for `:userId`, a token for `:keyId`, a page, a template URL.
 */
export async function sampleRequest(t: TestApp, route: Route, n: number, createToken: () => Promise<string>): Promise<Sample> {
  const victim = await t.user(`victim${n}`, 'victim passphrase here', 'editor');
  const key = await createToken();
  const page = `/csrf/page${n}`;
  await t.app.pages.setRawHtml(t.siteId, '', page, `<p>page ${n}</p>`, { holdsRawHtml: true, tildeSite: false });
  const tpl = `/csrf/tpl${n}`;
  await t.app.templates.save({ siteId: t.siteId, langcode: '', urlPath: tpl, themeId: 'daybreak', templateName: 'about', data: { title: 'T', body: 'b' } });
  const url = route.url.replace(':userId', victim.userId).replace(':keyId', key).replace(/:(\w+)/g, 'x');
  const q = (path: string) => `${url}?url=${encodeURIComponent(path)}`;
  const samples: Record<string, Sample> = {
    'POST /pm/api/users': { url, changes: true, ...json({ username: `mallory${n}`, role: 'superadmin', password: 'a long attacker passphrase' }) },
    'PATCH /pm/api/users/:userId': { url, changes: true, ...json({ role: 'superadmin' }) },
    'POST /pm/api/users/:userId/password': { url, changes: true, ...json({ password: 'a long attacker passphrase' }) },
    'POST /pm/api/users/:userId/revoke-sessions': { url, changes: false, ...json({}) },
    'DELETE /pm/api/users/:userId': { url, changes: true },
    'POST /pm/api/tokens': { url, changes: true, ...json({ name: 'stolen' }) },
    'DELETE /pm/api/tokens/:keyId': { url, changes: true },
    'PATCH /pm/api/site': { url, changes: true, ...json({ title: 'Defaced' }) },
    'PUT /pm/api/pages': { url: q(`/csrf/new${n}`), changes: true, ...json({ html: '<p>defaced</p>' }) },
    'DELETE /pm/api/pages': { url: q(page), changes: true },
    'PUT /pm/api/redirects': { url: q(page), changes: true, ...json({ target: 'https://evil.example/', status: 302 }) },
    'PUT /pm/api/aliases': { url: q(`/csrf/alias${n}`), changes: true, ...json({ contentUrl: page }) },
    'PUT /pm/api/template-urls': { url: q(tpl), changes: true, ...json({ themeId: 'daybreak', templateName: 'about', data: { title: 'Defaced', body: 'x' } }) },
    'DELETE /pm/api/template-urls': { url: q(tpl), changes: true },
    'POST /pm/api/preview': { url, changes: false, ...json({ themeId: 'daybreak', templateName: 'about', data: { title: 'x', body: 'y' } }) },
    'POST /pm/api/themes/reload': { url, changes: false, ...json({}) },
    'POST /pm/users': { url, changes: true, ...form({ username: `mallory${n}`, name: 'M', role: 'superadmin', password: 'a long attacker passphrase', confirm: 'a long attacker passphrase' }) },
    'POST /pm/users/role': { url, changes: true, ...form({ userId: victim.userId, role: 'superadmin' }) },
    'POST /pm/users/revoke': { url, changes: false, ...form({ userId: victim.userId }) },
    'POST /pm/users/password': { url, changes: true, ...form({ userId: victim.userId, password: 'a long attacker passphrase', confirm: 'a long attacker passphrase' }) },
    'POST /pm/users/delete': { url, changes: true, ...form({ userId: victim.userId }) },
    'POST /pm/settings': { url, changes: true, ...form({ title: 'Defaced', description: 'x', defaultLocale: 'en', enabledLocales: 'en' }) },
    'POST /pm/menus': { url, changes: true, ...form({ menu: 'primary', lang: '', 'items[0][label]': 'Evil', 'items[0][page]': '', 'items[0][url]': 'https://evil.example/' }) },
    'POST /pm/urls/redirect': { url, changes: true, ...form({ path: `/csrf/redir${n}`, lang: '', target: 'https://evil.example/', status: '302' }) },
    'POST /pm/urls/alias': { url, changes: true, ...form({ path: `/csrf/al${n}`, lang: '', target: page }) },
    'POST /pm/urls/rename': { url, changes: true, ...form({ path: tpl, lang: '', to: `/csrf/renamed${n}` }) },
    'POST /pm/urls/delete': { url, changes: true, ...form({ path: page, lang: '' }) },
    'POST /pm/urls/save': { url, changes: true, ...form({ _pm_mode: 'edit', _pm_lang: '', _pm_path: tpl, _pm_theme: 'daybreak', _pm_template: 'about', title: 'Defaced', body: 'x' }) },
    'POST /pm/profile/password': { url, changes: true, ...form({ current: ACTOR_PASSWORD, password: 'a long attacker passphrase', confirm: 'a long attacker passphrase' }) },
    'POST /pm/profile/tokens': { url, changes: true, ...form({ name: 'stolen' }) },
    'POST /pm/profile/tokens/revoke': { url, changes: true, ...form({ keyId: key }) },
    'POST /pm/api/posts': { url, changes: true, ...json({ title: `Forged post ${n}`, body: 'x', status: 'published' }) },
    'PUT /pm/api/blog/home': { url, changes: true, ...json({ home: true }) },
  };
  const known = samples[`${route.method} ${route.url}`];
  if (known) return known;
  // Anything else: a form for the dashboard, JSON for the API, carrying the usual field names.
  const generic = { userId: victim.userId, keyId: key, path: page, target: '/', title: 'x', name: 'x', username: `g${n}`, password: 'a long attacker passphrase' };
  return { url, changes: false, ...(route.url.startsWith('/pm/api/') ? json({}) : form(generic)) };
}
