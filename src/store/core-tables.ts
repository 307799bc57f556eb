/**
 * The core tables: their row types (what Kysely checks queries against) and
 * which store owns each one. `CORE_TABLES` is in dependency order (a table
 * comes after the tables it references), so a backup can copy them in this
 * order and a restore insert them in it.
 */

export interface CoreTables {
  pm_migration: { namespace: string; version: number; name: string; applied_at: number };
  pm_site: {
    site_id: string;
    domain: string | null;
    subdomain: string | null;
    tilde_prefix: string | null;
    is_primary: number;
    title: string;
    description: string;
    default_locale: string;
    enabled_locales: string;
    created_at: number;
    updated_at: number;
  };
  pm_user: { user_id: string; site_id: string; username: string; name: string; email: string; role: string; created_at: number; updated_at: number };
  pm_password: { user_id: string; password_hash: string; updated_at: number };
  pm_session: { session_hash: string; user_id: string; site_id: string; expire_at: number; created_at: number };
  pm_session_revocation: { kind: string; key: string; revoked_at: number; expire_at: number };
  pm_key: {
    key_id: string;
    site_id: string;
    user_id: string | null;
    kind: string;
    name: string;
    value: string;
    created_at: number;
    last_used_at: number | null;
  };
  pm_page: {
    site_id: string;
    langcode: string;
    url_path: string;
    kind: string;
    gz: Buffer | null;
    headers: string;
    etag: string | null;
    redirect_url: string | null;
    redirect_status: number | null;
    content_url: string | null;
    hidden: number;
    pseudoroute: number;
    updated_at: number;
  };
  pm_template_url: { site_id: string; langcode: string; url_path: string; theme_id: string; template_name: string; data: string; updated_at: number };
  pm_locale: { site_id: string; langcode: string };
  pm_theme_file: { path: string; data: Buffer; mtime_ms: number };
  pm_menu: { site_id: string; langcode: string; name: string; items: string; updated_at: number };
  pm_site_setting: { site_id: string; name: string; value: string; updated_at: number };
  pm_lock: { lock_key: string; holder: string; expires_at: number };
  pm_site_usage: { site_id: string; part: string; bytes: number };
}

/** A table and who owns it: 'core/<store>' for the core, 'plugin/<name>' for a plugin. */
export interface OwnedTable {
  readonly table: string;
  readonly owner: string;
}

/** Every core table, in dependency order, with the store that owns it. */
export const CORE_TABLES: readonly OwnedTable[] = [
  { table: 'pm_migration', owner: 'core/migrate' },
  { table: 'pm_site', owner: 'core/sites' },
  { table: 'pm_locale', owner: 'core/locales' },
  { table: 'pm_user', owner: 'core/users' },
  { table: 'pm_password', owner: 'core/passwords' },
  { table: 'pm_session', owner: 'core/sessions' },
  { table: 'pm_session_revocation', owner: 'core/sessions' },
  { table: 'pm_key', owner: 'core/keys' },
  { table: 'pm_page', owner: 'core/pages' },
  { table: 'pm_template_url', owner: 'core/template-urls' },
  { table: 'pm_theme_file', owner: 'core/theme-files' },
  { table: 'pm_menu', owner: 'core/menus' },
  { table: 'pm_site_setting', owner: 'core/site-settings' },
  { table: 'pm_revision', owner: 'core/history' },
  { table: 'pm_trash', owner: 'core/history' },
  { table: 'pm_job', owner: 'core/jobs' },
  { table: 'pm_lock', owner: 'core/locks' },
  { table: 'pm_site_usage', owner: 'core/site-usage' },
];

/**
 * The core tables, then each plugin's declared `tables` in load order: the
 * list a backup walks. A plugin's table must be named `pm_…` and belong to one owner.
 */
export function ownedTables(plugins: readonly { name: string; tables?: readonly string[] }[]): OwnedTable[] {
  const out = [...CORE_TABLES];
  const seen = new Map(out.map((t) => [t.table, t.owner]));
  for (const p of plugins) {
    for (const table of p.tables ?? []) {
      const owner = `plugin/${p.name}`;
      if (!/^pm_[a-z0-9_]+$/.test(table)) throw new Error(`The plugin ${p.name} declares the table "${table}"; table names are pm_ followed by lower-case letters, digits and _.`);
      const other = seen.get(table);
      if (other && other !== owner) throw new Error(`The plugin ${p.name} declares the table ${table}, which ${other} already owns.`);
      if (!other) out.push({ table, owner });
      seen.set(table, owner);
    }
  }
  return out;
}
