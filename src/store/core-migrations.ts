/**
 * The core schema. Append new migrations at the end with the next version;
 * never edit one that has shipped (see README.md).
 *
 * Conventions: tables prefixed pm_, snake_case columns, timestamps are BIGINT
 * milliseconds, booleans INTEGER 0/1, JSON as text. Every table that belongs
 * to a site references pm_site with ON DELETE CASCADE, so deleting a site
 * removes its users, sessions, keys, pages, template URLs and locales.
 */
import { sql } from './kysely.js';
import type { Migration } from './migrate.js';
import { rebuildSiteUsage } from './site-usage.js';

export const CORE_NAMESPACE = 'core';

export const coreMigrations: readonly Migration[] = [
  {
    // Written as SQL text when it shipped; rebuilt here with the schema builder. It makes the same
    // columns, keys and indexes (compared on both dialects), so databases that recorded it are unchanged.
    version: 1,
    name: 'core schema',
    up: async ({ schema, column: { text, bigint, blob, integer } }) => {
      await schema
        .createTable('pm_site')
        .addColumn('site_id', text, (c) => c.notNull().primaryKey())
        .addColumn('domain', text, (c) => c.unique())
        .addColumn('subdomain', text, (c) => c.unique())
        .addColumn('tilde_prefix', text, (c) => c.unique())
        .addColumn('is_primary', integer, (c) => c.notNull().defaultTo(0))
        .addColumn('title', text, (c) => c.notNull().defaultTo(''))
        .addColumn('description', text, (c) => c.notNull().defaultTo(''))
        .addColumn('default_locale', text, (c) => c.notNull().defaultTo('en'))
        .addColumn('enabled_locales', text, (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute();
      // At most one primary site; ensurePrimary() relies on this to stay race-safe.
      await schema.createIndex('pm_site_one_primary').on('pm_site').column('is_primary').unique().where(sql.ref('is_primary'), '=', 1).execute();

      await schema
        .createTable('pm_user')
        .addColumn('user_id', text, (c) => c.notNull().primaryKey())
        .addColumn('site_id', text, (c) => c.notNull().references('pm_site.site_id').onDelete('cascade'))
        .addColumn('username', text, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull().defaultTo(''))
        .addColumn('email', text, (c) => c.notNull().defaultTo(''))
        .addColumn('role', text, (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .addUniqueConstraint('pm_user_site_id_username_key', ['site_id', 'username'])
        .execute();

      // Kept apart from pm_user so that listing users never reads a hash.
      await schema
        .createTable('pm_password')
        .addColumn('user_id', text, (c) => c.notNull().primaryKey().references('pm_user.user_id').onDelete('cascade'))
        .addColumn('password_hash', text, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute();

      await schema
        .createTable('pm_session')
        .addColumn('session_hash', text, (c) => c.notNull().primaryKey())
        .addColumn('user_id', text, (c) => c.notNull().references('pm_user.user_id').onDelete('cascade'))
        .addColumn('site_id', text, (c) => c.notNull().references('pm_site.site_id').onDelete('cascade'))
        .addColumn('expire_at', bigint, (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute();
      await schema.createIndex('pm_session_user_id').on('pm_session').column('user_id').execute();
      await schema.createIndex('pm_session_expire_at').on('pm_session').column('expire_at').execute();

      await schema
        .createTable('pm_session_revocation')
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('key', text, (c) => c.notNull())
        .addColumn('revoked_at', bigint, (c) => c.notNull())
        .addColumn('expire_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('pm_session_revocation_pkey', ['kind', 'key'])
        .execute();
      await schema.createIndex('pm_session_revocation_expire_at').on('pm_session_revocation').column('expire_at').execute();

      await schema
        .createTable('pm_key')
        .addColumn('key_id', text, (c) => c.notNull().primaryKey())
        .addColumn('site_id', text, (c) => c.notNull().references('pm_site.site_id').onDelete('cascade'))
        .addColumn('user_id', text, (c) => c.references('pm_user.user_id').onDelete('cascade'))
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('value', text, (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('last_used_at', bigint)
        .execute();
      // A site's secrets are looked up by name; API tokens by the hash of their value.
      await schema.createIndex('pm_key_secret_name').on('pm_key').columns(['site_id', 'name']).unique().where(sql.ref('kind'), '=', 'secret').execute();
      await schema.createIndex('pm_key_token_value').on('pm_key').column('value').unique().where(sql.ref('kind'), '=', 'api_token').execute();
      await schema.createIndex('pm_key_user_id').on('pm_key').column('user_id').execute();

      await schema
        .createTable('pm_page')
        .addColumn('site_id', text, (c) => c.notNull().references('pm_site.site_id').onDelete('cascade'))
        .addColumn('langcode', text, (c) => c.notNull())
        .addColumn('url_path', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('gz', blob)
        .addColumn('headers', text, (c) => c.notNull().defaultTo('{}'))
        .addColumn('etag', text)
        .addColumn('redirect_url', text)
        .addColumn('redirect_status', integer)
        .addColumn('content_url', text)
        .addColumn('hidden', integer, (c) => c.notNull().defaultTo(0))
        .addColumn('pseudoroute', integer, (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('pm_page_pkey', ['site_id', 'langcode', 'url_path'])
        .execute();

      await schema
        .createTable('pm_template_url')
        .addColumn('site_id', text, (c) => c.notNull().references('pm_site.site_id').onDelete('cascade'))
        .addColumn('langcode', text, (c) => c.notNull())
        .addColumn('url_path', text, (c) => c.notNull())
        .addColumn('theme_id', text, (c) => c.notNull())
        .addColumn('template_name', text, (c) => c.notNull())
        .addColumn('data', text, (c) => c.notNull().defaultTo('null'))
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('pm_template_url_pkey', ['site_id', 'langcode', 'url_path'])
        .execute();
      await schema.createIndex('pm_template_url_template').on('pm_template_url').columns(['theme_id', 'template_name']).execute();

      await schema
        .createTable('pm_locale')
        .addColumn('site_id', text, (c) => c.notNull().references('pm_site.site_id').onDelete('cascade'))
        .addColumn('langcode', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('pm_locale_pkey', ['site_id', 'langcode'])
        .execute();
    },
  },
  {
    version: 2,
    name: 'site usage counters',
    // What each site stores, counted by the writes from now on (site-usage.ts); set once from a scan.
    up: async ({ db, schema, column: { text, bigint } }) => {
      await schema
        .createTable('pm_site_usage')
        .addColumn('site_id', text, (c) => c.notNull().references('pm_site.site_id').onDelete('cascade'))
        .addColumn('part', text, (c) => c.notNull())
        .addColumn('bytes', bigint, (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('pm_site_usage_pkey', ['site_id', 'part'])
        .execute();
      await rebuildSiteUsage(db);
    },
  },
];
