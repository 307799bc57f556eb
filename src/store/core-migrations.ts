/**
 * The core schema. Append new migrations at the end with the next version;
 * never edit one that has shipped (see README.md).
 *
 * Conventions: tables prefixed pm_, snake_case columns, timestamps are BIGINT
 * milliseconds, booleans INTEGER 0/1, JSON as text. Every table that belongs
 * to a site references pm_site with ON DELETE CASCADE, so deleting a site
 * removes its users, sessions, keys, pages, template URLs and locales.
 */
import type { Migration } from './migrate.js';

export const CORE_NAMESPACE = 'core';

export const coreMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'core schema',
    up: ({ types: { text, bigint, blob } }) => `
CREATE TABLE pm_site (
  site_id ${text} NOT NULL PRIMARY KEY,
  domain ${text} UNIQUE,
  subdomain ${text} UNIQUE,
  tilde_prefix ${text} UNIQUE,
  is_primary INTEGER NOT NULL DEFAULT 0,
  title ${text} NOT NULL DEFAULT '',
  description ${text} NOT NULL DEFAULT '',
  default_locale ${text} NOT NULL DEFAULT 'en',
  enabled_locales ${text} NOT NULL DEFAULT '[]',
  created_at ${bigint} NOT NULL,
  updated_at ${bigint} NOT NULL
);
-- At most one primary site; ensurePrimary() relies on this to stay race-safe.
CREATE UNIQUE INDEX pm_site_one_primary ON pm_site (is_primary) WHERE is_primary = 1;

CREATE TABLE pm_user (
  user_id ${text} NOT NULL PRIMARY KEY,
  site_id ${text} NOT NULL REFERENCES pm_site (site_id) ON DELETE CASCADE,
  username ${text} NOT NULL,
  name ${text} NOT NULL DEFAULT '',
  email ${text} NOT NULL DEFAULT '',
  role ${text} NOT NULL,
  created_at ${bigint} NOT NULL,
  updated_at ${bigint} NOT NULL,
  UNIQUE (site_id, username)
);

-- Kept apart from pm_user so that listing users never reads a hash.
CREATE TABLE pm_password (
  user_id ${text} NOT NULL PRIMARY KEY REFERENCES pm_user (user_id) ON DELETE CASCADE,
  password_hash ${text} NOT NULL,
  updated_at ${bigint} NOT NULL
);

CREATE TABLE pm_session (
  session_hash ${text} NOT NULL PRIMARY KEY,
  user_id ${text} NOT NULL REFERENCES pm_user (user_id) ON DELETE CASCADE,
  site_id ${text} NOT NULL REFERENCES pm_site (site_id) ON DELETE CASCADE,
  expire_at ${bigint} NOT NULL,
  created_at ${bigint} NOT NULL
);
CREATE INDEX pm_session_user_id ON pm_session (user_id);
CREATE INDEX pm_session_expire_at ON pm_session (expire_at);

CREATE TABLE pm_session_revocation (
  kind ${text} NOT NULL,
  key ${text} NOT NULL,
  revoked_at ${bigint} NOT NULL,
  expire_at ${bigint} NOT NULL,
  PRIMARY KEY (kind, key)
);
CREATE INDEX pm_session_revocation_expire_at ON pm_session_revocation (expire_at);

CREATE TABLE pm_key (
  key_id ${text} NOT NULL PRIMARY KEY,
  site_id ${text} NOT NULL REFERENCES pm_site (site_id) ON DELETE CASCADE,
  user_id ${text} REFERENCES pm_user (user_id) ON DELETE CASCADE,
  kind ${text} NOT NULL,
  name ${text} NOT NULL,
  value ${text} NOT NULL,
  created_at ${bigint} NOT NULL,
  last_used_at ${bigint}
);
-- A site's secrets are looked up by name; API tokens by the hash of their value.
CREATE UNIQUE INDEX pm_key_secret_name ON pm_key (site_id, name) WHERE kind = 'secret';
CREATE UNIQUE INDEX pm_key_token_value ON pm_key (value) WHERE kind = 'api_token';
CREATE INDEX pm_key_user_id ON pm_key (user_id);

CREATE TABLE pm_page (
  site_id ${text} NOT NULL REFERENCES pm_site (site_id) ON DELETE CASCADE,
  langcode ${text} NOT NULL,
  url_path ${text} NOT NULL,
  kind ${text} NOT NULL,
  gz ${blob},
  headers ${text} NOT NULL DEFAULT '{}',
  etag ${text},
  redirect_url ${text},
  redirect_status INTEGER,
  content_url ${text},
  hidden INTEGER NOT NULL DEFAULT 0,
  pseudoroute INTEGER NOT NULL DEFAULT 0,
  updated_at ${bigint} NOT NULL,
  PRIMARY KEY (site_id, langcode, url_path)
);

CREATE TABLE pm_template_url (
  site_id ${text} NOT NULL REFERENCES pm_site (site_id) ON DELETE CASCADE,
  langcode ${text} NOT NULL,
  url_path ${text} NOT NULL,
  theme_id ${text} NOT NULL,
  template_name ${text} NOT NULL,
  data ${text} NOT NULL DEFAULT 'null',
  updated_at ${bigint} NOT NULL,
  PRIMARY KEY (site_id, langcode, url_path)
);
CREATE INDEX pm_template_url_template ON pm_template_url (theme_id, template_name);

CREATE TABLE pm_locale (
  site_id ${text} NOT NULL REFERENCES pm_site (site_id) ON DELETE CASCADE,
  langcode ${text} NOT NULL,
  PRIMARY KEY (site_id, langcode)
);
`,
  },
];
