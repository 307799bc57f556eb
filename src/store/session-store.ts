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
import type { CoreTables } from './core-tables.js';

/** A pm_session row, as core-tables.ts declares it. */
type SessionRow = CoreTables['pm_session'];

function toSession(r: SessionRow): Session {
  return { sessionHash: r.session_hash, userId: r.user_id, siteId: r.site_id, expireAt: Number(r.expire_at), createdAt: Number(r.created_at) };
}

const REVOCATION_KINDS = ['session', 'user'] as const;

export function createSessionStore(db: Db, opts: StoreOptions = {}): SessionStore {
  const { now } = resolveStoreOptions(opts);
  const k = db.kysely;
  const userSelect = USER_COLUMNS.map((c) => `u.${c} as u_${c}` as const);

  return {
    async create({ userId, siteId, ttlMs }) {
      if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new PmError('PM_ERR_BAD_REQUEST', { detail: 'A session needs a positive lifetime (ttlMs).' });
      const sessionId = newSessionId();
      const t = now();
      const session: Session = { sessionHash: hashSessionId(sessionId), userId, siteId, expireAt: t + ttlMs, createdAt: t };
      await k.insertInto('pm_session').values({ session_hash: session.sessionHash, user_id: userId, site_id: siteId, expire_at: session.expireAt, created_at: t }).execute();
      return { sessionId, session };
    },
    async lookup(sessionId, at) {
      if (typeof sessionId !== 'string' || sessionId === '') return undefined;
      const r = (await k
        .selectFrom('pm_session as s')
        .innerJoin('pm_user as u', 'u.user_id', 's.user_id')
        .select(['s.session_hash', 's.user_id', 's.site_id', 's.expire_at', 's.created_at', ...userSelect])
        .where('s.session_hash', '=', hashSessionId(sessionId))
        .where('s.expire_at', '>', at ?? now())
        .executeTakeFirst()) as (SessionRow & Record<string, unknown>) | undefined;
      if (!r) return undefined;
      const u = Object.fromEntries(USER_COLUMNS.map((c) => [c, r[`u_${c}`]])) as unknown as UserRow;
      return { session: toSession(r), user: toUser(u) };
    },
    async extend(sessionHash, expireAt) {
      await k.updateTable('pm_session').set({ expire_at: expireAt }).where('session_hash', '=', sessionHash).execute();
    },
    async delete(sessionHash) {
      await k.deleteFrom('pm_session').where('session_hash', '=', sessionHash).execute();
    },
    async deleteForUser(userId) {
      return (await db.run(k.deleteFrom('pm_session').where('user_id', '=', userId))).changes;
    },
    /** Also drops revocations past their expiry; returns the number of sessions removed. */
    async deleteExpired(at) {
      const t = at ?? now();
      await k.deleteFrom('pm_session_revocation').where('expire_at', '<=', t).execute();
      return (await db.run(k.deleteFrom('pm_session').where('expire_at', '<=', t))).changes;
    },
    async addRevocation({ kind, key, revokedAt, expireAt }) {
      if (!REVOCATION_KINDS.includes(kind)) throw new PmError('PM_ERR_BAD_REQUEST', { detail: `A revocation kind must be session or user, not ${String(kind)}.` });
      await k
        .insertInto('pm_session_revocation')
        .values({ kind, key, revoked_at: revokedAt, expire_at: expireAt })
        .onConflict((oc) => oc.columns(['kind', 'key']).doUpdateSet({ revoked_at: revokedAt, expire_at: expireAt }))
        .execute();
    },
    async listRevocations(at) {
      const rows = await k
        .selectFrom('pm_session_revocation')
        .select(['kind', 'key', 'revoked_at', 'expire_at'])
        .where('expire_at', '>', at ?? now())
        .orderBy('revoked_at')
        .orderBy('kind')
        .orderBy('key')
        .execute();
      return rows.map((r) => ({ kind: r.kind as 'session' | 'user', key: r.key, revokedAt: Number(r.revoked_at), expireAt: Number(r.expire_at) }));
    },
  };
}
