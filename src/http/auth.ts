import { createHmac, timingSafeEqual } from 'node:crypto';
import { fastifyCookie } from '@fastify/cookie';
import { LRUCache } from 'lru-cache';
import { PmError } from '../errors/errors.js';
import type { Db } from '../store/db.js';
import { hashSessionId } from '../store/session-id.js';
import type { Stores, User } from '../store/types.js';

/** Who a request belongs to. With signed cookies this is all that is known without a database call. */
export interface SessionUser {
  userId: string;
  username: string;
  name: string;
  sessionHash: string;
  expireAt: number;
  /** True when the cookie was verified by signature rather than a table lookup. */
  signed: boolean;
}

const REVOKE_CHANNEL = 'pm_session_revoke';
/**
 * Failed logins. Per (username, address): a few free tries, then a delay that doubles with
 * each failure (1 s, 2 s, 4 s, … up to 15 min). Per username: past MAX_FAILURES_USER in the
 * window, addresses that failed for that user are refused, but one with no recent failures
 * may still try, so a stranger guessing cannot lock the owner out. Per address: a cap across
 * usernames. The address is `request.ip`, which believes X-Forwarded-For only as far as
 * `--trust-proxy` says.
 */
const FREE_TRIES_PER_PAIR = 5;
const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 15 * 60_000;
const MAX_FAILURES_USER = 10;
const MAX_FAILURES_IP = 50;
const FAILURE_WINDOW_MS = 15 * 60_000;
/** How long a stored session found in the table is trusted without asking it again. */
const TOUCH_EVERY_MS = 60_000;
const STORED_SESSION_TTL_MS = 30_000;

export interface Auth {
  cookieName(siteId: string): string;
  /** The cookie's value for a site out of a raw Cookie header, without parsing the rest. */
  cookieValue(cookieHeader: string | undefined, siteId: string): string | undefined;
  /** Signed cookies: synchronous, no database. Returns undefined for anything invalid. */
  readSigned(value: string, siteId: string, now?: number): SessionUser | undefined;
  /** Database sessions: one lookup of the blake2b hash. */
  readStored(value: string, siteId: string, now?: number): Promise<SessionUser | undefined>;
  /**
   * A stored session this process looked up recently (synchronous, no database).
   * undefined means "not known here": ask `readStored`.
   */
  peekStored(value: string, siteId: string, now?: number): SessionUser | undefined;
  readonly signedCookies: boolean;
  /**
   * Checks the password and opens a session. A wrong username and a wrong
   * password give the same error and take the same time.
   */
  login(input: { siteId: string; username: string; password: string; ip: string; secure: boolean }): Promise<{ user: User; setCookie: string }>;
  logout(siteId: string, session: SessionUser | undefined, secure: boolean): Promise<string>;
  /** Ends every session of a user at once (reset-password, log out everywhere). */
  revokeUser(userId: string): Promise<void>;
  /**
   * An API token (`Authorization: Bearer pm_…`) of this site: the session it stands for and its
   * user, or undefined for a token that was never issued, was revoked, or belongs to another site.
   */
  readToken(token: string, siteId: string): Promise<{ session: SessionUser; user: User } | undefined>;
  /**
   * A fresh session for the user of `current`, after all of theirs were revoked (you changed your
   * own password: your other devices are out, this browser stays in). Returns its Set-Cookie;
   * undefined when `current` is not a cookie session (a token, offline mode).
   */
  reissue(siteId: string, current: SessionUser | undefined, via: string | undefined, secure: boolean): Promise<string | undefined>;
  /** Renews a stored session past half its life; returns a Set-Cookie value when renewed. */
  renew(siteId: string, s: SessionUser, rawValue: string, secure: boolean): Promise<string | undefined>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createAuth(opts: { stores: Stores; db: Db; secretKey: string | undefined; ttlMs: number }): Auth {
  const { stores, db, secretKey, ttlMs } = opts;
  const revokedSessions = new Map<string, number>(); // sessionHash → expireAt
  const revokedUsers = new Map<string, number>(); // userId → revokedAt
  // Bounded by count through maxSize (one unit per entry), not `max`: lru-cache allocates and fills arrays
  // of `max` slots up front, which for these four caches cost ~9 MiB and tens of ms of every start.
  const entries = (n: number) => ({ maxSize: n, sizeCalculation: () => 1 });
  const failures = new LRUCache<string, number>({ ...entries(100_000), ttl: FAILURE_WINDOW_MS });
  const pairFailures = new LRUCache<string, { count: number; last: number }>({ ...entries(100_000), ttl: FAILURE_WINDOW_MS });
  // Cookie value → what verifying it found. Signed: the HMAC and JSON work is done
  // once per cookie (revocations and expiry are still checked on every request).
  // Stored: the table lookup is done once per STORED_SESSION_TTL_MS; logout and
  // revocations, from this process or another, evict entries at once.
  const verified = new LRUCache<string, { site: string; s: SessionUser; issuedAt: number }>(entries(20_000));
  const stored = new LRUCache<string, { site: string; s: SessionUser }>({ ...entries(20_000), ttl: STORED_SESSION_TTL_MS });
  /** When this process last wrote an API token's "last used" time. */
  const touched = new LRUCache<string, number>(entries(10_000));
  const seenRevocations = new Set<string>();
  let unlisten: (() => Promise<void>) | undefined;

  const cookieName = (siteId: string) => `pm_session_${siteId}`;

  function sign(payload: string): string {
    return createHmac('sha256', secretKey as string).update(payload).digest('base64url');
  }

  function cookie(siteId: string, value: string, secure: boolean, maxAgeSec: number): string {
    return fastifyCookie.serialize(cookieName(siteId), value, { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: maxAgeSec });
  }

  function applyRevocation(r: { kind: 'session' | 'user'; key: string; revokedAt: number; expireAt: number }): void {
    const id = `${r.kind}:${r.key}:${r.revokedAt}`;
    if (seenRevocations.has(id)) return;
    seenRevocations.add(id);
    if (r.kind === 'session') revokedSessions.set(r.key, r.expireAt);
    else revokedUsers.set(r.key, Math.max(revokedUsers.get(r.key) ?? 0, r.revokedAt));
    for (const [value, e] of stored.entries()) {
      if (r.kind === 'session' ? e.s.sessionHash === r.key : e.s.userId === r.key) stored.delete(value);
    }
  }

  async function revoke(r: { kind: 'session' | 'user'; key: string; revokedAt: number; expireAt: number }): Promise<void> {
    applyRevocation(r);
    // Written even without a secret key, so a server started later with one still honours it.
    await stores.sessions.addRevocation(r);
    await db.notify(REVOKE_CHANNEL, JSON.stringify(r));
  }

  async function revokeUser(userId: string): Promise<void> {
    await stores.sessions.deleteForUser(userId);
    // Signed cookies issued up to now stop working; the marker outlives the longest session.
    await revoke({ kind: 'user', key: userId, revokedAt: Date.now(), expireAt: Date.now() + ttlMs });
  }

  /** A new session for a user, as a Set-Cookie value. */
  async function issue(siteId: string, user: { userId: string; name: string; username: string }, secure: boolean): Promise<string> {
    const { sessionId, session } = await stores.sessions.create({ userId: user.userId, siteId, ttlMs });
    let value = sessionId;
    if (secretKey) {
      // Issued after any revocation of this user (revocations hold cookies issued up to and including their millisecond).
      const issuedAt = Math.max(Date.now(), (revokedUsers.get(user.userId) ?? 0) + 1);
      const body = Buffer.from(
        JSON.stringify({ s: session.sessionHash, u: user.userId, e: session.expireAt, i: issuedAt, n: user.name, un: user.username, site: siteId }),
      ).toString('base64url');
      value = `v1.${body}.${sign(body)}`;
    }
    return cookie(siteId, value, secure, Math.floor(ttlMs / 1000));
  }

  function fail(key: string): void {
    failures.set(key, (failures.get(key) ?? 0) + 1);
  }

  /** HMAC and payload of a signed cookie; undefined when forged or malformed. */
  function verifySigned(value: string): { site: string; s: SessionUser; issuedAt: number } | undefined {
    const dot = value.lastIndexOf('.');
    if (dot <= 0 || !value.startsWith('v1.')) return undefined;
    const body = value.slice(3, dot);
    const mac = Buffer.from(value.slice(dot + 1), 'base64url');
    const want = Buffer.from(sign(body), 'base64url');
    if (mac.length !== want.length || !timingSafeEqual(mac, want)) return undefined;
    let p: { s: string; u: string; e: number; i: number; n: string; un: string; site: string };
    try {
      p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (typeof p.e !== 'number' || typeof p.s !== 'string' || typeof p.u !== 'string') return undefined;
    return { site: p.site, issuedAt: p.i, s: { userId: p.u, username: p.un, name: p.n, sessionHash: p.s, expireAt: p.e, signed: true } };
  }

  return {
    cookieName,
    async readToken(token, siteId) {
      const key = await opts.stores.keys.findByValue('api_token', hashSessionId(token.trim()));
      const user = key?.userId && key.siteId === siteId ? await opts.stores.users.get(key.userId) : undefined;
      if (!key || !user) return undefined;
      // "Last used" to the minute: a write per API call cost more than many calls themselves (a search, say).
      const now = Date.now();
      if (now - (touched.get(key.keyId) ?? 0) >= TOUCH_EVERY_MS) {
        touched.set(key.keyId, now);
        void opts.stores.keys.touch(key.keyId, now);
      }
      return { user, session: { userId: user.userId, username: user.username, name: user.name, sessionHash: `token:${key.keyId}`, expireAt: Number.MAX_SAFE_INTEGER, signed: false } };
    },
    signedCookies: Boolean(secretKey),
    cookieValue(header, siteId) {
      if (!header) return undefined;
      const name = cookieName(siteId) + '=';
      let i = header.indexOf(name);
      // Make sure the match starts a cookie, not the tail of another name.
      while (i > 0 && header[i - 1] !== ' ' && header[i - 1] !== ';') i = header.indexOf(name, i + 1);
      if (i === -1) return undefined;
      const end = header.indexOf(';', i);
      return header.slice(i + name.length, end === -1 ? undefined : end).trim() || undefined;
    },
    readSigned(value, siteId, now = Date.now()) {
      if (!secretKey) return undefined;
      let hit = verified.get(value);
      if (!hit) {
        const fresh = verifySigned(value);
        if (!fresh) return undefined;
        verified.set(value, (hit = fresh));
      }
      const { s: session, site, issuedAt } = hit;
      if (site !== siteId || session.expireAt <= now) return undefined;
      if (revokedSessions.has(session.sessionHash)) return undefined;
      const userRevoked = revokedUsers.get(session.userId);
      if (userRevoked !== undefined && issuedAt <= userRevoked) return undefined;
      return session;
    },
    peekStored(value, siteId, now = Date.now()) {
      const e = stored.get(value);
      return e && e.site === siteId && e.s.expireAt > now ? e.s : undefined;
    },
    async readStored(value, siteId, now = Date.now()) {
      if (value.length < 20 || value.length > 100 || value.startsWith('v1.')) return undefined;
      const found = await stores.sessions.lookup(value, now);
      if (!found || found.session.siteId !== siteId) return undefined;
      const { session, user } = found;
      const s: SessionUser = { userId: user.userId, username: user.username, name: user.name, sessionHash: session.sessionHash, expireAt: session.expireAt, signed: false };
      stored.set(value, { site: siteId, s });
      return s;
    },
    async login({ siteId, username, password, ip, secure }) {
      const userKey = `u:${siteId}:${username.trim().toLowerCase()}`;
      const ipKey = `ip:${ip}`;
      const pairKey = `${userKey}\u0000${ip}`;
      const now = Date.now();
      const pair = pairFailures.get(pairKey);
      const refuse = (ms: number) => new PmError('PM_ERR_RATE_LIMITED', { retryAfter: Math.max(1, Math.ceil(ms / 1000)) });
      if (pair && pair.count >= FREE_TRIES_PER_PAIR) {
        const wait = pair.last + Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (pair.count - FREE_TRIES_PER_PAIR)) - now;
        if (wait > 0) throw refuse(wait);
      }
      if ((failures.get(ipKey) ?? 0) >= MAX_FAILURES_IP) throw refuse(failures.getRemainingTTL(ipKey));
      if (pair && (failures.get(userKey) ?? 0) >= MAX_FAILURES_USER) throw refuse(pairFailures.getRemainingTTL(pairKey));
      const user = await stores.users.getByUsername(siteId, username.trim());
      // One verification either way, with the same scrypt parameters: for an unknown user the
      // store finds no hash and checks against a dummy one, so the time does not say which part was wrong.
      const ok = await stores.passwords.verify(user?.userId ?? '', password);
      if (!user || !ok) {
        fail(userKey);
        fail(ipKey);
        pairFailures.set(pairKey, { count: (pair?.count ?? 0) + 1, last: Date.now() });
        throw new PmError('PM_ERR_LOGIN_FAILED');
      }
      failures.delete(userKey);
      pairFailures.delete(pairKey);
      return { user, setCookie: await issue(siteId, user, secure) };
    },
    async logout(siteId, session, secure) {
      if (session) {
        for (const [value, e] of stored.entries()) if (e.s.sessionHash === session.sessionHash) stored.delete(value);
        await stores.sessions.delete(session.sessionHash);
        await revoke({ kind: 'session', key: session.sessionHash, revokedAt: Date.now(), expireAt: session.expireAt });
      }
      return cookie(siteId, '', secure, 0);
    },
    revokeUser,
    async reissue(siteId, current, via, secure) {
      return current && via === 'cookie' ? issue(siteId, current, secure) : undefined;
    },
    async renew(siteId, s, rawValue, secure) {
      // Signed cookies carry their expiry; they are renewed by logging in again.
      if (s.signed) return undefined;
      const now = Date.now();
      if (s.expireAt - now > ttlMs / 2) return undefined;
      const expireAt = now + ttlMs;
      await stores.sessions.extend(s.sessionHash, expireAt);
      s.expireAt = expireAt;
      return cookie(siteId, rawValue, secure, Math.floor(ttlMs / 1000));
    },
    async start() {
      // Revocations end signed sessions, and evict cached stored ones, in every process.
      const load = async () => {
        for (const r of await stores.sessions.listRevocations()) applyRevocation(r);
      };
      await load();
      if (db.dialect.crossProcessNotify) {
        unlisten = await db.listen(REVOKE_CHANNEL, (payload) => {
          // '' after a reconnect: revocations may have been missed, the table has them all.
          if (payload === '') return void load().catch(() => {});
          try {
            applyRevocation(JSON.parse(payload));
          } catch {
            /* a malformed notification is ignored; revocations are also in the table */
          }
        });
      } else {
        // SQLite has no cross-process notification: `reset-password` run from the CLI
        // reaches a running server through this poll of a small table.
        const timer = setInterval(() => void load().catch(() => {}), 1000);
        timer.unref();
        unlisten = async () => clearInterval(timer);
      }
    },
    async close() {
      await unlisten?.();
    },
  };
}

export { hashSessionId };
