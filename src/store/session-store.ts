/**
 * pm_session: server-side sessions, keyed by the blake2b hash of the raw id
 * (the raw id lives only in the user's cookie). pm_session_revocation lists
 * signed-cookie sessions (PM_SECRET_KEY mode) that were logged out early.
 */
import { PmError } from '../errors/errors.js';
import type { Db } from './db.js';
import { hashSessionId, newSessionId } from './session-id.js';
import { resolveStoreOptions, type StoreOptions } from './store-options.js';
import type { Session, SessionStore } from './types.js';
import { toUser, USER_COLUMNS, type UserRow } from './user-store.js';

interface SessionRow {
  session_hash: string;
  user_id: string;
  site_id: string;
  expire_at: number;
  created_at: number;
}

function toSession(r: SessionRow): Session {
  return { sessionHash: r.session_hash, userId: r.user_id, siteId: r.site_id, expireAt: Number(r.expire_at), createdAt: Number(r.created_at) };
}

const REVOCATION_KINDS = ['session', 'user'] as const;

export function createSessionStore(db: Db, opts: StoreOptions = {}): SessionStore {
  const { now } = resolveStoreOptions(opts);
  const userSelect = USER_COLUMNS.split(', ').map((c) => `u.${c} AS u_${c}`).join(', ');

  return {
    async create({ userId, siteId, ttlMs }) {
      if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new PmError('PM_ERR_BAD_REQUEST', { detail: 'A session needs a positive lifetime (ttlMs).' });
      const sessionId = newSessionId();
      const t = now();
      const session: Session = { sessionHash: hashSessionId(sessionId), userId, siteId, expireAt: t + ttlMs, createdAt: t };
      await db.run('INSERT INTO pm_session (session_hash, user_id, site_id, expire_at, created_at) VALUES (?, ?, ?, ?, ?)', [
        session.sessionHash,
        userId,
        siteId,
        session.expireAt,
        t,
      ]);
      return { sessionId, session };
    },
    async lookup(sessionId, at) {
      if (typeof sessionId !== 'string' || sessionId === '') return undefined;
      const r = await db.get<SessionRow & Record<string, unknown>>(
        `SELECT s.session_hash, s.user_id, s.site_id, s.expire_at, s.created_at, ${userSelect}
         FROM pm_session s JOIN pm_user u ON u.user_id = s.user_id
         WHERE s.session_hash = ? AND s.expire_at > ?`,
        [hashSessionId(sessionId), at ?? now()],
      );
      if (!r) return undefined;
      const u = Object.fromEntries(USER_COLUMNS.split(', ').map((c) => [c, r[`u_${c}`]])) as unknown as UserRow;
      return { session: toSession(r), user: toUser(u) };
    },
    async extend(sessionHash, expireAt) {
      await db.run('UPDATE pm_session SET expire_at = ? WHERE session_hash = ?', [expireAt, sessionHash]);
    },
    async delete(sessionHash) {
      await db.run('DELETE FROM pm_session WHERE session_hash = ?', [sessionHash]);
    },
    async deleteForUser(userId) {
      return (await db.run('DELETE FROM pm_session WHERE user_id = ?', [userId])).changes;
    },
    /** Also drops revocations past their expiry; returns the number of sessions removed. */
    async deleteExpired(at) {
      const t = at ?? now();
      await db.run('DELETE FROM pm_session_revocation WHERE expire_at <= ?', [t]);
      return (await db.run('DELETE FROM pm_session WHERE expire_at <= ?', [t])).changes;
    },
    async addRevocation({ kind, key, revokedAt, expireAt }) {
      if (!REVOCATION_KINDS.includes(kind)) throw new PmError('PM_ERR_BAD_REQUEST', { detail: `A revocation kind must be session or user, not ${String(kind)}.` });
      await db.run(
        `INSERT INTO pm_session_revocation (kind, key, revoked_at, expire_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (kind, key) DO UPDATE SET revoked_at = excluded.revoked_at, expire_at = excluded.expire_at`,
        [kind, key, revokedAt, expireAt],
      );
    },
    async listRevocations(at) {
      const rows = await db.all<{ kind: 'session' | 'user'; key: string; revoked_at: number; expire_at: number }>(
        'SELECT kind, key, revoked_at, expire_at FROM pm_session_revocation WHERE expire_at > ? ORDER BY revoked_at, kind, key',
        [at ?? now()],
      );
      return rows.map((r) => ({ kind: r.kind, key: r.key, revokedAt: Number(r.revoked_at), expireAt: Number(r.expire_at) }));
    },
  };
}
