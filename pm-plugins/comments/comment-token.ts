/**
 * Signed tokens for the comment form (README.md, "The form and its tokens").
 *
 * - The *form id* is baked into the stored page, identical for every visitor:
 *   it says which page the form belongs to (site, thread, address) and when the
 *   page was rendered. It proves the form came from this site's page, nothing more.
 * - The *visit token* is made per request by the "check your comment" step:
 *   it carries the thread, the time it was issued and a random nonce. Dwell
 *   time, maximum age and one use apply to it.
 *
 * Both are `base64url(JSON).HMAC-SHA256(purpose.payload)` with the plugin's
 * secret; the purpose in the MAC keeps one from passing for the other.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ComponentPage } from '../../src/plugins/plugin.js';

export interface FormId extends ComponentPage {
  threadKey: string;
  renderedAt: number;
}

export interface VisitToken {
  siteId: string;
  threadKey: string;
  issuedAt: number;
  nonce: string;
}

const MAX_TOKEN = 4000;

export function createTokens(secret: string) {
  const mac = (purpose: string, payload: string) => createHmac('sha256', secret).update(`${purpose}.${payload}`).digest('base64url');

  function sign(purpose: string, data: unknown): string {
    const payload = Buffer.from(JSON.stringify(data)).toString('base64url');
    return `${payload}.${mac(purpose, payload)}`;
  }

  function open(purpose: string, token: unknown): Record<string, unknown> | undefined {
    if (typeof token !== 'string' || token.length > MAX_TOKEN) return undefined;
    const dot = token.indexOf('.');
    if (dot <= 0) return undefined;
    const payload = token.slice(0, dot);
    const want = Buffer.from(mac(purpose, payload));
    const got = Buffer.from(token.slice(dot + 1));
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
    try {
      const v = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

  return {
    formId(f: FormId): string {
      return sign('form', { s: f.siteId, t: f.threadKey, k: f.kind, l: f.langcode, u: f.urlPath, p: f.postId ?? null, r: f.renderedAt });
    },
    /** The form id's page, or undefined when it is not one this installation signed. */
    readFormId(token: unknown): FormId | undefined {
      const v = open('form', token);
      if (!v) return undefined;
      const siteId = str(v.s), threadKey = str(v.t), langcode = str(v.l), urlPath = str(v.u), renderedAt = num(v.r);
      const kind = v.k === 'post' ? 'post' : v.k === 'page' ? 'page' : undefined;
      if (!siteId || !threadKey || langcode === undefined || !urlPath || renderedAt === undefined || !kind) return undefined;
      return { siteId, threadKey, kind, langcode, urlPath, postId: str(v.p), renderedAt };
    },
    visitToken(siteId: string, threadKey: string, now: number): string {
      return sign('visit', { s: siteId, t: threadKey, i: now, n: randomBytes(16).toString('base64url') });
    },
    readVisitToken(token: unknown): VisitToken | undefined {
      const v = open('visit', token);
      if (!v) return undefined;
      const siteId = str(v.s), threadKey = str(v.t), issuedAt = num(v.i), nonce = str(v.n);
      if (!siteId || !threadKey || issuedAt === undefined || !nonce) return undefined;
      return { siteId, threadKey, issuedAt, nonce };
    },
    /** A signature of a plain string (the unsubscribe link's). */
    mac: (purpose: string, value: string) => mac(purpose, value),
    checkMac(purpose: string, value: string, sig: unknown): boolean {
      if (typeof sig !== 'string' || sig.length > 200) return false;
      const want = Buffer.from(mac(purpose, value));
      const got = Buffer.from(sig);
      return want.length === got.length && timingSafeEqual(want, got);
    },
  };
}

export type Tokens = ReturnType<typeof createTokens>;
