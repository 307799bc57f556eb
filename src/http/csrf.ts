import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CSRF_COOKIE = 'pm_csrf';

/**
 * Tokens bound to the session (or, before login, to a random `pm_csrf`
 * cookie), signed with a per-installation secret. A page on another site can
 * neither read the token nor compute it.
 */
export function createCsrf(secret: string) {
  const tokenFor = (siteId: string, binding: string) =>
    createHmac('sha256', secret).update(`${siteId}:${binding}`).digest('base64url');
  return {
    tokenFor,
    newBinding: () => randomBytes(18).toString('base64url'),
    verify(siteId: string, binding: string | undefined, token: unknown): boolean {
      if (!binding || typeof token !== 'string' || token.length === 0) return false;
      const want = Buffer.from(tokenFor(siteId, binding));
      const got = Buffer.from(token);
      return want.length === got.length && timingSafeEqual(want, got);
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
