/** pm_user: the people who can log in to a site. Passwords live apart, in pm_password. */
import { PmError } from '../errors/errors.js';
import type { Db } from './db.js';
import { notFound, relabelConflict, requireText, resolveStoreOptions, type StoreOptions } from './store-options.js';
import type { Role, User, UserStore } from './types.js';

export interface UserRow {
  user_id: string;
  site_id: string;
  username: string;
  name: string;
  email: string;
  role: string;
  created_at: number;
  updated_at: number;
}

export const USER_COLUMNS = 'user_id, site_id, username, name, email, role, created_at, updated_at';
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

  const get = async (userId: string): Promise<User | undefined> => {
    const r = await db.get<UserRow>(`SELECT ${USER_COLUMNS} FROM pm_user WHERE user_id = ?`, [userId]);
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
        await db.run(`INSERT INTO pm_user (${USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [userId, input.siteId, username, name, email, role, t, t]);
      } catch (e) {
        throw relabelConflict(e, `The username ${username}`);
      }
      return { userId, siteId: input.siteId, username, name, email, role, createdAt: t, updatedAt: t };
    },
    get,
    async getByUsername(siteId, username) {
      const r = await db.get<UserRow>(`SELECT ${USER_COLUMNS} FROM pm_user WHERE site_id = ? AND username = ?`, [siteId, username]);
      return r && toUser(r);
    },
    async list(siteId) {
      const rows = await db.all<UserRow>(`SELECT ${USER_COLUMNS} FROM pm_user WHERE site_id = ? ORDER BY created_at, user_id`, [siteId]);
      return rows.map(toUser);
    },
    async count(siteId) {
      const r = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM pm_user WHERE site_id = ?', [siteId]);
      return Number(r?.n ?? 0);
    },
    async firstSuperadmin(siteId) {
      const r = await db.get<UserRow>(
        `SELECT ${USER_COLUMNS} FROM pm_user WHERE site_id = ? AND role = 'superadmin' ORDER BY created_at, user_id LIMIT 1`,
        [siteId],
      );
      return r && toUser(r);
    },
    async update(userId, patch) {
      const sets: string[] = [];
      const params: unknown[] = [];
      if (patch.username !== undefined) {
        sets.push('username = ?');
        params.push(requireText(patch.username, 'username', 'A username'));
      }
      if (patch.name !== undefined) {
        sets.push('name = ?');
        params.push(String(patch.name).trim());
      }
      if (patch.email !== undefined) {
        sets.push('email = ?');
        params.push(checkEmail(patch.email));
      }
      if (patch.role !== undefined) {
        sets.push('role = ?');
        params.push(checkRole(patch.role));
      }
      sets.push('updated_at = ?');
      params.push(now());
      let r;
      try {
        r = await db.run(`UPDATE pm_user SET ${sets.join(', ')} WHERE user_id = ?`, [...params, userId]);
      } catch (e) {
        throw relabelConflict(e, `The username ${String(patch.username).trim()}`);
      }
      if (r.changes === 0) throw notFound(`user ${userId}`);
      return (await get(userId))!;
    },
    async delete(userId) {
      // Password, sessions and API tokens go with the user (ON DELETE CASCADE).
      await db.run('DELETE FROM pm_user WHERE user_id = ?', [userId]);
    },
  };
}
