/**
 * The plugins that ship with pagemanager, imported by name rather than found by
 * reading a folder, so a bundle (the single executable) carries them and
 * nothing looks for a source tree at run time. Folder names are the keys of
 * `[plugins.NAME]` in config.toml; a user plugin in the data folder's
 * pm-plugins/ with the same folder name replaces the built-in one.
 */
import type { Plugin } from '../plugins/api.js';

export interface BuiltinPlugin {
  folder: string;
  load(): Promise<{ default: Plugin }>;
}

export const BUILTIN_PLUGINS: readonly BuiltinPlugin[] = [
  { folder: 'admin-api', load: () => import('../../pm-plugins/admin-api/index.js') },
  { folder: 'backups', load: () => import('../../pm-plugins/backups/index.js') },
  { folder: 'blog', load: () => import('../../pm-plugins/blog/index.js') },
  { folder: 'comments', load: () => import('../../pm-plugins/comments/index.js') },
  { folder: 'dashboard', load: () => import('../../pm-plugins/dashboard/index.js') },
  { folder: 'fruits', load: () => import('../../pm-plugins/fruits/index.js') },
  { folder: 'mail', load: () => import('../../pm-plugins/mail/index.js') },
  { folder: 'media', load: () => import('../../pm-plugins/media/index.js') },
  { folder: 'sitemap', load: () => import('../../pm-plugins/sitemap/index.js') },
  { folder: 'url-dashboard', load: () => import('../../pm-plugins/url-dashboard/index.js') },
];
