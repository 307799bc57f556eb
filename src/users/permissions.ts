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
