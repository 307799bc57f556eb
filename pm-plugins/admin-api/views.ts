/** What the API answers for each record: the public fields only (no HTML bytes, no token hashes). */
import type { Key, PageRecord, Site, TemplateUrl, User } from '../../src/plugins/plugin.js';

export function pageView(p: PageRecord) {
  const base = { urlPath: p.urlPath, langcode: p.langcode, kind: p.kind, hidden: p.hidden, updatedAt: p.updatedAt };
  if (p.kind === 'redirect') return { ...base, target: p.redirectUrl, status: p.redirectStatus };
  if (p.kind === 'content') return { ...base, contentUrl: p.contentUrl };
  return base;
}

export function templateUrlView(t: TemplateUrl, withData: boolean) {
  const base = { urlPath: t.urlPath, langcode: t.langcode, themeId: t.themeId, templateName: t.templateName, updatedAt: t.updatedAt };
  return withData ? { ...base, data: t.data } : base;
}

export function userView(u: User) {
  return { userId: u.userId, username: u.username, name: u.name, email: u.email, role: u.role, createdAt: u.createdAt, updatedAt: u.updatedAt };
}

/** A token as listed: never its value, not even the hash. */
export function tokenView(k: Key) {
  return { keyId: k.keyId, name: k.name, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt };
}

export function siteView(s: Site) {
  return {
    siteId: s.siteId,
    title: s.title,
    description: s.description,
    defaultLocale: s.defaultLocale,
    enabledLocales: s.enabledLocales,
    domain: s.domain,
    subdomain: s.subdomain,
    tildePrefix: s.tildePrefix,
    isPrimary: s.isPrimary,
  };
}
