import type { Role } from '../store/types.js';

/** What each role may do. A plugin checks permissions, never role names. */
export const PERMISSIONS = {
  'url-dashboard': ['superadmin', 'admin', 'editor', 'author'],
  'pages.write': ['superadmin', 'admin', 'editor'],
  /** Raw page HTML stored as written, script included (anyone else's is sanitised). */
  'pages.raw-html': ['superadmin'],
  /** Writing blog posts: an author only their own (the blog checks ownership). */
  'posts.write': ['superadmin', 'admin', 'editor', 'author'],
  /** Every post of the site, whoever wrote it. */
  'posts.manage': ['superadmin', 'admin', 'editor'],
  /** The comments' moderation queue and spam folder: approve, edit, mark as spam, delete (every comment of the site). */
  'comments.moderate': ['superadmin', 'admin', 'editor'],
  'themes.manage': ['superadmin', 'admin'],
  'menus.manage': ['superadmin', 'admin'],
  'site.settings': ['superadmin', 'admin'],
  'users.manage': ['superadmin', 'admin'],
  'users.manage-superadmins': ['superadmin'],
  /** Download and schedule whole-site backups (they hold every user's password hash). */
  'site.backup': ['superadmin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;
export const ROLES: readonly Role[] = ['superadmin', 'admin', 'editor', 'author'];

export function can(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** What a permission lets someone do, in words that finish "You do not have permission to …". */
const PERMISSION_WORDS: Record<Permission, string> = {
  'url-dashboard': 'use the dashboard',
  'pages.write': 'change pages',
  'pages.raw-html': 'store pages with their own scripts',
  'posts.write': 'write posts',
  'posts.manage': 'manage everyone’s posts',
  'comments.moderate': 'moderate comments',
  'themes.manage': 'manage themes',
  'menus.manage': 'change the menus',
  'site.settings': 'change the site settings',
  'users.manage': 'manage users',
  'users.manage-superadmins': 'manage superadmins',
  'site.backup': 'back up the site',
};

/**
 * A refusal in plain words: `action` ("manage themes") and `who` ("Only an
 * admin can manage themes."), naming the least role that may.
 */
export function refusalFor(permission: Permission): { action: string; who: string } {
  const action = PERMISSION_WORDS[permission] ?? permission.replace(/[-.]/g, ' ');
  const roles = PERMISSIONS[permission] as readonly Role[];
  const least = [...ROLES].reverse().find((r) => roles.includes(r)) ?? 'superadmin';
  const article = /^[aeiou]/.test(least) ? 'an' : 'a';
  return { action, who: `Only ${article} ${least} can ${action}.` };
}
