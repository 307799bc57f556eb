/**
 * Who may do what to whom among a site's users, for the dashboard's Users
 * page and the JSON API (pm-plugins/admin-api) alike. Every check returns the
 * refusal as a PmError, or undefined when the action may go ahead; callers
 * decide whether to throw it (the API) or show it (the dashboard).
 *
 * The rules: anything that touches a superadmin, or makes one, takes
 * users.manage-superadmins; the site keeps at least one superadmin; nobody
 * deletes themselves.
 */
import { PmError } from '../../src/errors/errors.js';
import type { PluginServer, Role, User } from '../../src/plugins/api.js';

export interface UserRules {
  /** Adding a user with this role. */
  create(actor: User | undefined, role: Role): PmError | undefined;
  /** Changing `target`'s role to `role` (or, without a role, their name or email). */
  change(actor: User | undefined, target: User, role?: Role): Promise<PmError | undefined>;
  /** Ending every session of `target`. */
  revoke(actor: User | undefined, target: User): PmError | undefined;
  /** Deleting `target`. */
  remove(actor: User | undefined, target: User): Promise<PmError | undefined>;
}

export function createUserRules(server: PluginServer): UserRules {
  const mayTouchSuperadmins = (actor: User | undefined) => server.can(actor?.role, 'users.manage-superadmins');
  const forbidden = (action: string) => new PmError('PM_ERR_FORBIDDEN', { action });
  const isLastSuperadmin = async (target: User) =>
    target.role === 'superadmin' && (await server.stores.users.list(target.siteId)).filter((u) => u.role === 'superadmin').length <= 1;

  return {
    create(actor, role) {
      return role === 'superadmin' && !mayTouchSuperadmins(actor) ? forbidden('create a superadmin') : undefined;
    },
    async change(actor, target, role) {
      if (target.role === 'superadmin' && !mayTouchSuperadmins(actor)) return forbidden('change a superadmin');
      if (role === 'superadmin' && !mayTouchSuperadmins(actor)) return forbidden('make someone superadmin');
      if (role !== undefined && role !== 'superadmin' && (await isLastSuperadmin(target))) return new PmError('PM_ERR_LAST_SUPERADMIN');
      return undefined;
    },
    revoke(actor, target) {
      return target.role === 'superadmin' && !mayTouchSuperadmins(actor) ? forbidden('log a superadmin out') : undefined;
    },
    async remove(actor, target) {
      if (actor && target.userId === actor.userId) return new PmError('PM_ERR_DELETE_SELF');
      if (target.role === 'superadmin' && !mayTouchSuperadmins(actor)) return forbidden('delete a superadmin');
      if (await isLastSuperadmin(target)) return new PmError('PM_ERR_LAST_SUPERADMIN');
      return undefined;
    },
  };
}
