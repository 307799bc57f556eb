/**
 * The rules about users, written once for the dashboard's Users and profile
 * pages, the JSON API, the CLI and plugins: what a username, a name and an
 * email may be, the password policy, and who may create, change, log out or
 * delete whom. Anything that touches a superadmin, or makes one, takes
 * users.manage-superadmins; the site keeps at least one superadmin; nobody
 * deletes themselves.
 *
 * A refusal is a PmError whose `fields` say which input was wrong, with a
 * sentence for people (the dashboard shows it beside the field, the API
 * returns it). Nothing is written when anything is refused.
 */
import { randomBytes } from 'node:crypto';
import { PmError, type ErrorCode } from '../errors/errors.js';
import { hashSessionId } from '../store/session-id.js';
import type { Key, Role, Stores, User } from '../store/types.js';
import { checkPassword } from './password-policy.js';
import { can, ROLES } from './permissions.js';

/** Letters, digits, dots, dashes, underscores and @, 1 to 64, starting with a letter or digit. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const USERNAME_RULE = 'Use letters, digits, dots, dashes, underscores and @ only (up to 64), starting with a letter or digit.';
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_NAME = 200;
const MAX_EMAIL = 320;
const MAX_TOKEN_NAME = 100;

type Fields = Record<string, string>;

/**
 * One refusal for several fields: the code of the only kind of problem there
 * is (a weak password alone is PM_ERR_WEAK_PASSWORD), or PM_ERR_VALIDATION.
 */
function refusal(fields: Fields, codes: ErrorCode[]): PmError {
  const distinct = [...new Set(codes)];
  const code = distinct.length === 1 ? distinct[0] : 'PM_ERR_VALIDATION';
  const params: Record<string, string> =
    code === 'PM_ERR_FORBIDDEN' ? { action: 'create a superadmin' } : code === 'PM_ERR_CONFLICT' ? { what: 'That username' } : code === 'PM_ERR_WEAK_PASSWORD' ? { detail: fields.password ?? '' } : {};
  return new PmError(code, params, { fields });
}

export interface NewUser {
  siteId: string;
  username: string;
  name?: string;
  email?: string;
  role: string;
  /** Undefined: a user without a password (they cannot log in until one is set). '' is refused. */
  password?: string;
}

export interface UserPatch {
  role?: string;
  name?: string;
  email?: string;
}

export interface UserService {
  list(siteId: string): Promise<User[]>;
  count(siteId: string): Promise<number>;
  /** A user of this site: another site's user is as absent as a missing one (PM_ERR_NOT_FOUND). */
  get(siteId: string, userId: string): Promise<User>;
  /** A user by id, or undefined (a plugin showing who wrote something refers to them by user_id). */
  find(userId: string): Promise<User | undefined>;
  findByUsername(siteId: string, username: string): Promise<User | undefined>;
  hasPassword(userId: string): Promise<boolean>;
  /**
   * The policy's refusal of a new password and its confirmation, worded for the field beside which
   * it shows. `userInputs` (the username, the name) make a password that contains them weaker.
   */
  passwordErrors(password: string, confirm?: string, userInputs?: readonly string[]): { password?: string; confirm?: string };
  /** Creates a user (with a password, when given). */
  create(actor: User | undefined, input: NewUser): Promise<User>;
  /** Changes a role, name or email. */
  update(actor: User | undefined, target: User, patch: UserPatch): Promise<User>;
  /**
   * Sets someone's password; every session of theirs ends. When it is the actor's own, so do the
   * actor's: the door then gives the request it came through a fresh session (`auth.reissue`).
   */
  setPassword(actor: User, target: User, password: string, confirm?: string): Promise<{ sessionsRevoked: boolean }>;
  /** Changes your own password (the current one is asked for when there is one); every session of yours ends, as above. */
  changeOwnPassword(user: User, input: { current: string; password: string; confirm?: string }): Promise<void>;
  /** Ends every session of `target`. */
  revokeSessions(actor: User | undefined, target: User): Promise<void>;
  /** Deletes `target`: sessions end at once, signed cookies stay revoked, tokens and password go with the row. */
  remove(actor: User | undefined, target: User): Promise<void>;
  /** The refusal a delete of `target` by `actor` would get now, if any (for a confirmation page). */
  removeRefusal(actor: User | undefined, target: User): Promise<PmError | undefined>;

  /** API tokens: shown once at creation, stored hashed, revocable. The name is 1 to 100 characters (`fields.name`). */
  createToken(user: User, name: string): Promise<{ token: string; key: Key }>;
  listTokens(userId: string): Promise<Key[]>;
  /** False when the token does not exist or is not the user's. */
  revokeToken(userId: string, keyId: string): Promise<boolean>;
}

export function createUserService(deps: {
  stores: Pick<Stores, 'users' | 'passwords' | 'keys'>;
  /** Ends every session of a user (the auth service). */
  revokeUser(userId: string): Promise<void>;
}): UserService {
  const { users, passwords, keys } = deps.stores;
  const mayTouchSuperadmins = (actor: User | undefined) => can(actor?.role, 'users.manage-superadmins');
  const forbidden = (action: string, field?: string, sentence?: string) =>
    new PmError('PM_ERR_FORBIDDEN', { action }, field ? { fields: { [field]: sentence ?? `You do not have permission to ${action}.` } } : {});
  const isLastSuperadmin = async (target: User) =>
    target.role === 'superadmin' && (await users.list(target.siteId)).filter((u) => u.role === 'superadmin').length <= 1;

  function passwordErrors(password: string, confirm?: string, userInputs: readonly string[] = []): { password?: string; confirm?: string } {
    if (!password) return { password: 'Enter a new password.' };
    try {
      checkPassword(password, userInputs);
    } catch (e) {
      if (!(e instanceof PmError) || e.code !== 'PM_ERR_WEAK_PASSWORD') throw e;
      return { password: e.message };
    }
    return confirm !== undefined && password !== confirm ? { confirm: 'The two passwords differ.' } : {};
  }

  /** Name, email and role problems of a create or a change. */
  function profileProblems(input: { name?: string; email?: string; role?: string }, fields: Fields, codes: ErrorCode[]): void {
    if (input.name !== undefined && input.name.trim().length > MAX_NAME) {
      fields.name = `Keep the name under ${MAX_NAME} characters.`;
      codes.push('PM_ERR_VALIDATION');
    }
    const email = input.email?.trim();
    if (email && (email.length > MAX_EMAIL || !EMAIL_PATTERN.test(email))) {
      fields.email = 'This does not look like an email address.';
      codes.push('PM_ERR_VALIDATION');
    }
    if (input.role !== undefined && !ROLES.includes(input.role as Role)) {
      fields.role = `Pick a role: ${ROLES.join(', ')}.`;
      codes.push('PM_ERR_VALIDATION');
    }
  }

  async function changeRefusal(actor: User | undefined, target: User, role?: Role): Promise<PmError | undefined> {
    if (target.role === 'superadmin' && !mayTouchSuperadmins(actor)) return forbidden('change a superadmin', 'role');
    if (role === 'superadmin' && !mayTouchSuperadmins(actor)) return forbidden('make someone superadmin', 'role');
    if (role !== undefined && role !== 'superadmin' && (await isLastSuperadmin(target))) return new PmError('PM_ERR_LAST_SUPERADMIN');
    return undefined;
  }

  async function removeRefusal(actor: User | undefined, target: User): Promise<PmError | undefined> {
    if (actor && target.userId === actor.userId) return new PmError('PM_ERR_DELETE_SELF');
    if (target.role === 'superadmin' && !mayTouchSuperadmins(actor)) return forbidden('delete a superadmin');
    if (await isLastSuperadmin(target)) return new PmError('PM_ERR_LAST_SUPERADMIN');
    return undefined;
  }

  const takenMessage = (username: string) => `The username ${username} is taken.`;

  return {
    list: (siteId) => users.list(siteId),
    count: (siteId) => users.count(siteId),
    async get(siteId, userId) {
      const u = userId ? await users.get(userId) : undefined;
      if (!u || u.siteId !== siteId) throw new PmError('PM_ERR_NOT_FOUND', { what: `user ${userId || '(none given)'}` });
      return u;
    },
    find: (userId) => users.get(userId),
    findByUsername: (siteId, username) => users.getByUsername(siteId, username),
    hasPassword: (userId) => passwords.has(userId),
    passwordErrors,

    async create(actor, input) {
      const fields: Fields = {};
      const codes: ErrorCode[] = [];
      const username = (input.username ?? '').trim();
      if (!username) fields.username = 'Enter a username.';
      else if (!USERNAME_PATTERN.test(username)) fields.username = USERNAME_RULE;
      if (fields.username) codes.push('PM_ERR_VALIDATION');
      profileProblems(input, fields, codes);
      if (!fields.role && input.role === 'superadmin' && !mayTouchSuperadmins(actor)) {
        fields.role = 'Only a superadmin can add a superadmin.';
        codes.push('PM_ERR_FORBIDDEN');
      }
      if (input.password !== undefined) {
        const pw = passwordErrors(input.password, undefined, [username, input.name ?? '']).password;
        if (pw) {
          fields.password = pw;
          codes.push(input.password ? 'PM_ERR_WEAK_PASSWORD' : 'PM_ERR_VALIDATION');
        }
      }
      if (!fields.username && (await users.getByUsername(input.siteId, username))) {
        fields.username = takenMessage(username);
        codes.push('PM_ERR_CONFLICT');
      }
      if (codes.length) throw refusal(fields, codes);
      let user: User;
      try {
        user = await users.create({ siteId: input.siteId, username, name: input.name?.trim() || username, email: input.email?.trim() ?? '', role: input.role as Role });
      } catch (e) {
        // Two requests for one username at once: the database's unique key decides.
        if (e instanceof PmError && e.code === 'PM_ERR_CONFLICT') throw refusal({ username: takenMessage(username) }, ['PM_ERR_CONFLICT']);
        throw e;
      }
      if (input.password !== undefined) await passwords.set(user.userId, input.password);
      return user;
    },

    async update(actor, target, patch) {
      const fields: Fields = {};
      const codes: ErrorCode[] = [];
      profileProblems(patch, fields, codes);
      if (codes.length) throw refusal(fields, codes);
      const refused = await changeRefusal(actor, target, patch.role as Role | undefined);
      if (refused) throw refused;
      const changes: Partial<Pick<User, 'name' | 'email' | 'role'>> = {};
      if (patch.role !== undefined && patch.role !== target.role) changes.role = patch.role as Role;
      if (patch.name !== undefined) changes.name = patch.name.trim() || target.username;
      if (patch.email !== undefined) changes.email = patch.email.trim();
      return Object.keys(changes).length ? users.update(target.userId, changes) : target;
    },

    async setPassword(actor, target, password, confirm) {
      if (target.role === 'superadmin' && !mayTouchSuperadmins(actor)) throw forbidden('change a superadmin');
      const errors = passwordErrors(password, confirm, [target.username, target.name]);
      if (errors.password || errors.confirm) throw refusal(errors as Fields, [password && errors.password ? 'PM_ERR_WEAK_PASSWORD' : 'PM_ERR_VALIDATION']);
      await passwords.set(target.userId, password);
      // Whoever held the sessions of this user is out: someone else's after a reset, and after a
      // change of your own, your other devices (a stolen cookie, too). The door keeps the current one.
      await deps.revokeUser(target.userId);
      return { sessionsRevoked: true };
    },

    async changeOwnPassword(user, input) {
      const fields: Fields = {};
      if (await passwords.has(user.userId)) {
        if (!input.current) fields.current = 'Enter your current password.';
        else if (!(await passwords.verify(user.userId, input.current))) fields.current = 'This is not your current password.';
      }
      Object.assign(fields, passwordErrors(input.password, input.confirm, [user.username, user.name]));
      if (Object.keys(fields).length) throw new PmError('PM_ERR_VALIDATION', {}, { fields });
      await passwords.set(user.userId, input.password);
      await deps.revokeUser(user.userId);
    },

    async revokeSessions(actor, target) {
      if (target.role === 'superadmin' && !mayTouchSuperadmins(actor)) throw forbidden('log a superadmin out');
      await deps.revokeUser(target.userId);
    },

    async remove(actor, target) {
      const refused = await removeRefusal(actor, target);
      if (refused) throw refused;
      // Revocations outlive the user row, so a signed cookie of theirs stays dead after a restart too.
      await deps.revokeUser(target.userId);
      await users.delete(target.userId);
    },
    removeRefusal,

    async createToken(user, name) {
      const n = (name ?? '').trim();
      if (!n) throw new PmError('PM_ERR_VALIDATION', {}, { fields: { name: 'Give the token a name, so you know later what it is for.' } });
      if (n.length > MAX_TOKEN_NAME) throw new PmError('PM_ERR_VALIDATION', {}, { fields: { name: `Keep the name under ${MAX_TOKEN_NAME} characters.` } });
      const token = `pm_${randomBytes(32).toString('base64url')}`;
      const key = await keys.create({ siteId: user.siteId, userId: user.userId, kind: 'api_token', name: n, value: hashSessionId(token) });
      return { token, key };
    },
    listTokens: (userId) => keys.listForUser(userId, 'api_token'),
    async revokeToken(userId, keyId) {
      const mine = (await keys.listForUser(userId, 'api_token')).some((k) => k.keyId === keyId);
      if (mine) await keys.delete(keyId);
      return mine;
    },
  };
}
