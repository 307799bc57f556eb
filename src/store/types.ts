/** Records and store interfaces shared by both dialects. See README.md. */

/** `author` writes and publishes only their own blog posts (see pm-plugins/blog). */
export type Role = 'superadmin' | 'admin' | 'editor' | 'author';

export interface Site {
  siteId: string;
  domain: string | null;
  subdomain: string | null;
  tildePrefix: string | null;
  isPrimary: boolean;
  title: string;
  description: string;
  defaultLocale: string;
  enabledLocales: string[];
  createdAt: number;
  updatedAt: number;
}

export interface SiteStore {
  list(): Promise<Site[]>;
  get(siteId: string): Promise<Site | undefined>;
  getPrimary(): Promise<Site | undefined>;
  /** Creates the primary site if none exists; safe when several processes race. */
  ensurePrimary(): Promise<Site>;
  /** Exactly one of domain, subdomain, tildePrefix. Unique violation → PmError PM_ERR_CONFLICT. */
  create(input: { domain?: string; subdomain?: string; tildePrefix?: string; title?: string }): Promise<Site>;
  update(siteId: string, patch: Partial<Pick<Site, 'title' | 'description' | 'defaultLocale' | 'enabledLocales' | 'domain' | 'subdomain' | 'tildePrefix'>>): Promise<Site>;
  delete(siteId: string): Promise<void>;
}

export interface User {
  userId: string;
  siteId: string;
  username: string;
  name: string;
  email: string;
  role: Role;
  createdAt: number;
  updatedAt: number;
}

export interface UserStore {
  create(input: { siteId: string; username: string; name?: string; email?: string; role: Role }): Promise<User>;
  get(userId: string): Promise<User | undefined>;
  getByUsername(siteId: string, username: string): Promise<User | undefined>;
  list(siteId: string): Promise<User[]>;
  count(siteId: string): Promise<number>;
  /** The earliest-created superadmin of the site. */
  firstSuperadmin(siteId: string): Promise<User | undefined>;
  update(userId: string, patch: Partial<Pick<User, 'name' | 'email' | 'role' | 'username'>>): Promise<User>;
  delete(userId: string): Promise<void>;
}

export interface PasswordStore {
  /** Hashes with scrypt and stores a self-describing string. */
  set(userId: string, password: string): Promise<void>;
  /** False for a wrong password and for a user without one; constant-time compare. */
  verify(userId: string, password: string): Promise<boolean>;
  has(userId: string): Promise<boolean>;
}

export interface Session {
  sessionHash: string;
  userId: string;
  siteId: string;
  expireAt: number;
  createdAt: number;
}

export interface SessionStore {
  /** Creates a session; returns the raw id (base64url of 32 random bytes), which is never stored. */
  create(input: { userId: string; siteId: string; ttlMs: number }): Promise<{ sessionId: string; session: Session }>;
  /** Looks up by raw id (hashes it); undefined when missing or expired. Joins the user. */
  lookup(sessionId: string, now?: number): Promise<{ session: Session; user: User } | undefined>;
  /** Sliding renewal. */
  extend(sessionHash: string, expireAt: number): Promise<void>;
  delete(sessionHash: string): Promise<void>;
  deleteForUser(userId: string): Promise<number>;
  deleteExpired(now?: number): Promise<number>;
  /** Revocations for signed (stateless) cookies: a session hash, or every session of a user issued before `revokedAt`. */
  addRevocation(input: { kind: 'session' | 'user'; key: string; revokedAt: number; expireAt: number }): Promise<void>;
  listRevocations(now?: number): Promise<{ kind: 'session' | 'user'; key: string; revokedAt: number; expireAt: number }[]>;
}

/** blake2b-512 of the raw session id, hex. Exported so signed cookies and the store agree. */
export type HashSessionId = (sessionId: string) => string;

export interface Key {
  keyId: string;
  siteId: string;
  userId: string | null;
  kind: 'secret' | 'api_token';
  name: string;
  /** blake2b hash of the token (api tokens) or the secret value itself (kind 'secret', server-side only). */
  value: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface KeyStore {
  create(input: Omit<Key, 'keyId' | 'createdAt' | 'lastUsedAt'>): Promise<Key>;
  /** Returns the secret of that name, creating it with `make()` if missing (race-safe). */
  getOrCreateSecret(siteId: string, name: string, make: () => string): Promise<string>;
  findByValue(kind: Key['kind'], value: string): Promise<Key | undefined>;
  listForUser(userId: string, kind: Key['kind']): Promise<Key[]>;
  touch(keyId: string, at: number): Promise<void>;
  delete(keyId: string): Promise<void>;
}

export type PageKind = 'html' | 'redirect' | 'content';

export interface PageRecord {
  siteId: string;
  langcode: string;
  urlPath: string;
  kind: PageKind;
  /** gzipped HTML, for kind 'html'. */
  gz: Buffer | null;
  /** For kind 'html': extra response headers as JSON text (content-security-policy, …). */
  headers: Record<string, string>;
  etag: string | null;
  redirectUrl: string | null;
  redirectStatus: number | null;
  contentUrl: string | null;
  hidden: boolean;
  pseudoroute: boolean;
  updatedAt: number;
}

export interface PageStore {
  get(siteId: string, langcode: string, urlPath: string): Promise<PageRecord | undefined>;
  /** Synchronous read where the database allows it (see Db.getSync); undefined means "use get". */
  getSync(siteId: string, langcode: string, urlPath: string): { page: PageRecord | undefined } | undefined;
  /**
   * Stores the page, its bytes counted in the site's usage. `quota: true` (a user's own write) refuses
   * it over the site's quota; other writes (renders of what is already stored) are counted, not refused.
   */
  upsert(page: PageRecord, o?: { quota?: boolean }): Promise<void>;
  delete(siteId: string, langcode: string, urlPath: string): Promise<boolean>;
  /** Without gz bytes (gz: null), ordered by url_path. */
  list(siteId: string, opts?: { prefix?: string; search?: string; limit?: number; offset?: number }): Promise<PageRecord[]>;
  count(siteId: string): Promise<number>;
}

export interface TemplateUrl {
  siteId: string;
  langcode: string;
  urlPath: string;
  themeId: string;
  templateName: string;
  data: unknown;
  updatedAt: number;
}

export interface TemplateUrlStore {
  get(siteId: string, langcode: string, urlPath: string): Promise<TemplateUrl | undefined>;
  upsert(t: TemplateUrl): Promise<void>;
  delete(siteId: string, langcode: string, urlPath: string): Promise<boolean>;
  list(siteId: string): Promise<TemplateUrl[]>;
  /** Every mapping (all sites, all langcodes) that uses the theme, optionally one template. */
  listByTemplate(themeId: string, templateName?: string): Promise<TemplateUrl[]>;
  /** Every langcode's row of one URL. */
  listLangcodes(siteId: string, urlPath: string): Promise<TemplateUrl[]>;
}

export interface LocaleStore {
  /** Locales enabled for a site (pm_locale rows). */
  list(siteId: string): Promise<string[]>;
  set(siteId: string, langcodes: string[]): Promise<void>;
}

export interface Stores {
  db: import('./db.js').Db;
  /** Each site's stored bytes, counted by the writes (pm_site_usage), and the quota they are held to. */
  usage: import('./site-usage.js').SiteUsage;
  sites: SiteStore;
  users: UserStore;
  passwords: PasswordStore;
  sessions: SessionStore;
  keys: KeyStore;
  pages: PageStore;
  templateUrls: TemplateUrlStore;
  locales: LocaleStore;
}
