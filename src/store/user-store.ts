/** pm_user: the people who can log in to a site. Passwords live apart, in pm_password. */
import { PmError } from '../errors/errors.js';
import type { Db } from './db.js';
import { notFound, relabelConflict, requireText, resolveStoreOptions, type StoreOptions } from './store-options.js';
import type { Role, User, UserStore } from './types.js';
import type { CoreTables } from './core-tables.js';

/** A pm_user row, as core-tables.ts declares it. */
export type UserRow = CoreTables['pm_user'];

export const USER_COLUMNS = ['user_id', 'site_id', 'username', 'name', 'email', 'role', 'created_at', 'updated_at'] as const;
export const ROLES: readonly Role[] = ['superadmin', 'admin', 'editor', 'author'];

export function toUser(r: UserRow): User {
  return {
    userId: r.user_id,
    siteId: r.site_id,
    username: r.username,
    name: r.name,
    email: r.email,
    role: r.role as Role,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function checkRole(role: unknown): Role {
  if (!ROLES.includes(role as Role)) {
    throw new PmError('PM_ERR_VALIDATION', {}, { fields: { role: `The role must be one of ${ROLES.join(', ')}.` } });
  }
  return role as Role;
}

function checkEmail(email: unknown): string {
  const e = typeof email === 'string' ? email.trim() : '';
  if (e && !/^[^\s@]+@[^\s@]+$/.test(e)) throw new PmError('PM_ERR_VALIDATION', {}, { fields: { email: `"${e}" is not an email address.` } });
  return e;
}

export function createUserStore(db: Db, opts: StoreOptions = {}): UserStore {
  const { now, newId } = resolveStoreOptions(opts);

  const k = db.kysely;
  const users = () => k.selectFrom('pm_user').select(USER_COLUMNS);
  const get = async (userId: string): Promise<User | undefined> => {
    const r = await users().where('user_id', '=', userId).executeTakeFirst();
    return r && toUser(r);
  };

  return {
    async create(input) {
      const username = requireText(input.username, 'username', 'A username');
      const role = checkRole(input.role);
      const email = checkEmail(input.email);
      const name = typeof input.name === 'string' && input.name.trim() ? input.name.trim() : username;
      const userId = newId();
      const t = now();
      try {
        await k.insertInto('pm_user').values({ user_id: userId, site_id: input.siteId, username, name, email, role, created_at: t, updated_at: t }).execute();
      } catch (e) {
        throw relabelConflict(e, `The username ${username}`);
      }
      return { userId, siteId: input.siteId, username, name, email, role, createdAt: t, updatedAt: t };
    },
    get,
    async getByUsername(siteId, username) {
      const r = await users().where('site_id', '=', siteId).where('username', '=', username).executeTakeFirst();
      return r && toUser(r);
    },
    async list(siteId) {
      const rows = await users().where('site_id', '=', siteId).orderBy('created_at').orderBy('user_id').execute();
      return rows.map(toUser);
    },
    async count(siteId) {
      const r = await k.selectFrom('pm_user').select((eb) => eb.fn.countAll<number>().as('n')).where('site_id', '=', siteId).executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    async firstSuperadmin(siteId) {
      const r = await users().where('site_id', '=', siteId).where('role', '=', 'superadmin').orderBy('created_at').orderBy('user_id').limit(1).executeTakeFirst();
      return r && toUser(r);
    },
    async update(userId, patch) {
      const set: { username?: string; name?: string; email?: string; role?: string; updated_at: number } = { updated_at: 0 };
      if (patch.username !== undefined) set.username = requireText(patch.username, 'username', 'A username');
      if (patch.name !== undefined) set.name = String(patch.name).trim();
      if (patch.email !== undefined) set.email = checkEmail(patch.email);
      if (patch.role !== undefined) set.role = checkRole(patch.role);
      set.updated_at = now();
      let r;
      try {
        r = await db.run(k.updateTable('pm_user').set(set).where('user_id', '=', userId));
      } catch (e) {
        throw relabelConflict(e, `The username ${String(patch.username).trim()}`);
      }
      if (r.changes === 0) throw notFound(`user ${userId}`);
      return (await get(userId))!;
    },
    async delete(userId) {
      // Password, sessions and API tokens go with the user (ON DELETE CASCADE).
      await k.deleteFrom('pm_user').where('user_id', '=', userId).execute();
    },
  };
}
