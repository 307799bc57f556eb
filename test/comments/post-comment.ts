/**
 * Posting a comment the way a visitor does, through the real routes: the stored page's form
 * (POST /pm-comments/check) and then the check step's form (POST /pm-comments/post), each with
 * the hidden fields the page gave. Needs `min_dwell_seconds = 0` (COMMENTS_TEST_CONFIG) unless the
 * test waits. Used by the moderation tests, the XSS corpus and the docs test.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../../src/app/create-app.js';

/** `[plugins.comments]` for tests: no dwell time, limits out of the way. */
export const COMMENTS_TEST_CONFIG = `[plugins.comments]
min_dwell_seconds = 0
per_ip_per_hour = 10000
per_page_per_hour = 100000
shutoff_max = 1000000
`;

export function writeCommentsConfig(dir: string, extra = ''): void {
  writeFileSync(join(dir, 'config.toml'), COMMENTS_TEST_CONFIG + extra);
}

const decode = (s: string) =>
  s.replace(/&(#x?[0-9a-f]+|amp|lt|gt|quot|apos|#39);/gi, (m, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };
    if (named[e.toLowerCase()]) return named[e.toLowerCase()]!;
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });

/** The hidden inputs of the first form in `html` whose action ends with `action`. */
export function hiddenFields(html: string, action: string): Record<string, string> {
  const forms = html.match(/<form\b[^>]*>[\s\S]*?<\/form>/g) ?? [];
  const form = forms.find((f) => new RegExp(`action="[^"]*${action.replace(/[/.]/g, '\\$&')}"`).test(f));
  if (!form) throw new Error(`no form posting to ${action} in the page`);
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input\b[^>]*>/g)) {
    const tag = m[0];
    if (!/type="hidden"/.test(tag)) continue;
    const name = /name="([^"]*)"/.exec(tag)?.[1];
    const value = /value="([^"]*)"/.exec(tag)?.[1] ?? '';
    if (name) out[decode(name)] = decode(value);
  }
  return out;
}

export interface Visitor {
  name: string;
  body: string;
  website?: string;
  email?: string;
  parent?: string;
}

/** Posts one comment on the stored page at `path`; returns what the post step answered (or the check step, when it refused). */
export async function postComment(app: App, path: string, v: Visitor, ip = '203.0.113.7'): Promise<{ status: number; location: string; body: string }> {
  const page = await app.http.inject({ url: path, remoteAddress: ip });
  if (page.statusCode !== 200) throw new Error(`${path} answered ${page.statusCode}`);
  const fields = { name: v.name, email: v.email ?? '', website: v.website ?? '', body: v.body, ...(v.parent ? { parent: v.parent } : {}) };
  const first = { ...hiddenFields(page.body, '/pm-comments/check'), ...fields };
  const check = await app.http.inject({ method: 'POST', url: '/pm-comments/check', remoteAddress: ip, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(first).toString() });
  // A refusal at the first step (a bad website, an empty name) is the answer: nothing was stored.
  if (check.statusCode !== 200) return { status: check.statusCode, location: '', body: check.body };
  const second = { ...hiddenFields(check.body, '/pm-comments/post'), ...fields };
  const res = await app.http.inject({ method: 'POST', url: '/pm-comments/post', remoteAddress: ip, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(second).toString() });
  return { status: res.statusCode, location: String(res.headers.location ?? ''), body: res.body };
}
