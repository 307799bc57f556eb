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
    await db.run(
      `INSERT INTO pm_password (user_id, password_hash, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at`,
      [userId, hash, now()],
    );
  }

  return {
    set,
    async verify(userId, password) {
      if (typeof password !== 'string') return false;
      const row = await db.get<{ password_hash: string }>('SELECT password_hash FROM pm_password WHERE user_id = ?', [userId]);
      if (!row) return verifyAgainstDummy(password, scrypt);
      const ok = await verifyPassword(password, row.password_hash);
      // The only moment the plain password is at hand: upgrade a hash made with older, weaker parameters.
      if (ok && needsRehash(row.password_hash, scrypt)) await set(userId, password);
      return ok;
    },
    async has(userId) {
      return (await db.get('SELECT 1 AS x FROM pm_password WHERE user_id = ?', [userId])) !== undefined;
    },
  };
}
