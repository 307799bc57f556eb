/** pm_password: one scrypt hash per user, kept apart from pm_user. */
import { PmError } from '../errors/errors.js';
import type { Db } from './db.js';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './password-hash.js';
import { resolveStoreOptions, type StoreOptions } from './store-options.js';
import type { PasswordStore } from './types.js';

export function createPasswordStore(db: Db, opts: StoreOptions = {}): PasswordStore {
  const { now, scrypt } = resolveStoreOptions(opts);

  async function set(userId: string, password: string): Promise<void> {
    // Strength rules belong to whoever asks for the password; the store only refuses nothing at all.
    if (typeof password !== 'string' || password.length === 0) throw new PmError('PM_ERR_WEAK_PASSWORD', { detail: 'The password cannot be empty.' });
    const hash = await hashPassword(password, scrypt);
    const t = now();
    await db.kysely
      .insertInto('pm_password')
      .values({ user_id: userId, password_hash: hash, updated_at: t })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ password_hash: hash, updated_at: t }))
      .execute();
  }

  return {
    set,
    async verify(userId, password) {
      if (typeof password !== 'string') return false;
      const row = await db.kysely.selectFrom('pm_password').select('password_hash').where('user_id', '=', userId).executeTakeFirst();
      if (!row) return verifyAgainstDummy(password, scrypt);
      const ok = await verifyPassword(password, row.password_hash);
      // The only moment the plain password is at hand: upgrade a hash made with older, weaker parameters.
      if (ok && needsRehash(row.password_hash, scrypt)) await set(userId, password);
      return ok;
    },
    async has(userId) {
      return (await db.kysely.selectFrom('pm_password').select('user_id').where('user_id', '=', userId).executeTakeFirst()) !== undefined;
    },
  };
}
