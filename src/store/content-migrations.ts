/**
 * Tables of what a site owner arranges around pages: menus, site settings
 * (the active theme, how long the trash keeps pages), page revisions and the
 * trash. Run under their own namespace ('content') so their versions never
 * collide with the core list. Append only; never edit one that has shipped.
 */
import type { Migration } from './migrate.js';

export const CONTENT_NAMESPACE = 'content';

export const contentMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'menus and site settings',
    up: ({ types: { text, bigint } }) => `
CREATE TABLE pm_menu (
  site_id ${text} NOT NULL REFERENCES pm_site (site_id) ON DELETE CASCADE,
  langcode ${text} NOT NULL,
  name ${text} NOT NULL,
  items ${text} NOT NULL DEFAULT '[]',
  updated_at ${bigint} NOT NULL,
  PRIMARY KEY (site_id, langcode, name)
);

CREATE TABLE pm_site_setting (
  site_id ${text} NOT NULL REFERENCES pm_site (site_id) ON DELETE CASCADE,
  name ${text} NOT NULL,
  value ${text} NOT NULL,
  updated_at ${bigint} NOT NULL,
  PRIMARY KEY (site_id, name)
);
`,
  },
  {
    version: 2,
    name: 'revisions and trash',
    up: ({ types: { text, bigint } }) => `
CREATE TABLE pm_revision (
  revision_id ${text} NOT NULL PRIMARY KEY,
  site_id ${text} NOT NULL REFERENCES pm_site (site_id) ON DELETE CASCADE,
  langcode ${text} NOT NULL,
  url_path ${text} NOT NULL,
  theme_id ${text} NOT NULL,
  template_name ${text} NOT NULL,
  data ${text} NOT NULL,
  saved_at ${bigint} NOT NULL
);
CREATE INDEX pm_revision_page ON pm_revision (site_id, langcode, url_path, saved_at);

CREATE TABLE pm_trash (
  trash_id ${text} NOT NULL PRIMARY KEY,
  site_id ${text} NOT NULL REFERENCES pm_site (site_id) ON DELETE CASCADE,
  langcode ${text} NOT NULL,
  url_path ${text} NOT NULL,
  theme_id ${text} NOT NULL,
  template_name ${text} NOT NULL,
  data ${text} NOT NULL,
  deleted_at ${bigint} NOT NULL,
  expire_at ${bigint} NOT NULL
);
CREATE INDEX pm_trash_site ON pm_trash (site_id, deleted_at);
`,
  },
  {
    version: 3,
    name: 'trash for redirects, aliases and stored pages',
    // What a non-template entry held goes in `data` (see history-store.ts); entries from before are template pages.
    up: ({ types: { text } }) => `ALTER TABLE pm_trash ADD COLUMN kind ${text} NOT NULL DEFAULT 'template';`,
  },
];
