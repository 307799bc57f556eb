/**
 * Reading what a JSON API call sends (the admin API's and any plugin's): the JSON body (checked against a JSON
 * Schema with messages for people), and the `?url=` / `?langcode=` pair that
 * names a page. Everything here throws before any write, so a bad request
 * never changes what is stored.
 */
import { PmError } from '../errors/errors.js';
import type { PluginServer, PmRequest, User } from './api.js';

/** A body schema: an object schema whose `properties` are the only fields the call takes. */
export interface BodySchema {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  minProperties?: number;
  [keyword: string]: unknown;
}

const bad = (detail: string) => new PmError('PM_ERR_BAD_REQUEST', { detail });

/** `{ 'a[b]': ['x', 'y'] }` → `{ 'a[b]': 'x y' }`, optionally under a parent field. */
export function flattenFieldErrors(errors: Record<string, string[]>, parent = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, messages] of Object.entries(errors)) {
    const key = !parent ? path : !path ? parent : parent + path.replace(/^([^[]+)/, '[$1]');
    out[key] = messages.join(' ');
  }
  return out;
}

/**
 * The JSON object a call sent, checked: JSON content type, an object, no
 * unknown fields (a typo like `titel` is an error, not a silent no-op), and
 * the schema. `_csrf` is accepted and dropped: cookie callers may send it in
 * the body instead of the `x-csrf-token` header.
 */
export function readBody<T>(request: PmRequest, server: PluginServer, schema: BodySchema): T {
  const type = String(request.headers['content-type'] ?? '');
  if (request.body === undefined || request.body === null) {
    throw bad('This call needs a JSON body, sent with the header Content-Type: application/json.');
  }
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw bad(`Send the body as JSON with the header Content-Type: application/json (it came as ${type.split(';')[0] || 'no content type'}).`);
  }
  const body = request.body;
  if (typeof body !== 'object' || Array.isArray(body)) throw bad('The body must be a JSON object, such as {"name": "value"}.');
  const { _csrf: _drop, ...fields } = body as Record<string, unknown>;
  const known = Object.keys(schema.properties);
  const unknown = Object.keys(fields).filter((k) => !known.includes(k));
  if (unknown.length) {
    const message = `Is not a field of this call; it takes ${known.join(', ')}.`;
    throw new PmError('PM_ERR_VALIDATION', {}, { fields: Object.fromEntries(unknown.map((k) => [k, message])) });
  }
  const v = server.forms.validate(schema, fields);
  if (!v.ok) throw new PmError('PM_ERR_VALIDATION', {}, { fields: flattenFieldErrors(v.errors) });
  return fields as T;
}

/** One query parameter as a string; repeated parameters are refused rather than guessed at. */
export function queryParam(request: PmRequest, name: string): string | undefined {
  const v = (request.query as Record<string, unknown> | undefined)?.[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw bad(`Give ?${name}= once.`);
  return v;
}

/** A whole number query parameter within bounds, or the default. */
export function intParam(request: PmRequest, name: string, dflt: number, min: number, max: number): number {
  const raw = queryParam(request, name);
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw bad(`?${name}= must be a whole number from ${min} to ${max}.`);
  return n;
}

export interface PageTarget {
  /** Canonical path, as the page store keys it. */
  urlPath: string;
  /** '' for the site's default locale. */
  langcode: string;
}

/**
 * The page a call is about, from `?url=` and `?langcode=`. Writes
 * (`forWrite`) also refuse locales the site has not enabled (what may be
 * written at which path is the address service's to say); reads and deletes
 * accept any known locale, so rows left from a locale that was switched off
 * can still be seen and removed.
 */
export function pageTarget(request: PmRequest, server: PluginServer, opts: { forWrite: boolean; langcode?: string }): PageTarget {
  const raw = queryParam(request, 'url');
  if (raw === undefined || raw === '') throw bad('Say which page with ?url=/path (for example ?url=/about).');
  const urlPath = server.normalizeUrlPath(raw);
  return { urlPath, langcode: resolveLangcode(request, server, opts.forWrite, opts.langcode ?? queryParam(request, 'langcode')) };
}

/** A requested langcode → the stored one: '' and the default locale are the same thing. */
export function resolveLangcode(request: PmRequest, server: PluginServer, forWrite: boolean, raw: string | undefined): string {
  const site = request.pm.site;
  const l = (raw ?? '').trim().toLowerCase();
  if (l === '' || l === site.defaultLocale) return '';
  if (!server.locales.has(l)) throw bad(`${JSON.stringify(l)} is not a locale pagemanager knows (see locales.txt).`);
  if (forWrite && !site.enabledLocales.includes(l)) {
    throw bad(`The locale ${l} is not enabled on this site (enabled: ${site.enabledLocales.join(', ') || 'none'}); enable it with PATCH /pm/api/site first.`);
  }
  return l;
}

/** The caller, for calls open to every signed-in user whatever their role. */
export async function signedInUser(request: PmRequest): Promise<User> {
  const user = request.pm.session ? await request.pm.user() : undefined;
  if (!user) throw new PmError('PM_ERR_UNAUTHENTICATED');
  return user;
}
