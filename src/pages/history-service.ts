/**
 * Nothing typed or made is lost by a slip. Each save of a template page keeps
 * the data it replaces as a revision (the newest N, a site setting), and the
 * revisions move with the page when it is renamed. Deleting anything the URL
 * dashboard lists (a template page, a redirect, an alias, stored HTML) moves
 * it to the trash for D days (a setting), from where it comes back at its
 * address. A template page comes back through the template service's save,
 * so it is checked and rendered like any save (and the version it replaces
 * becomes a revision in turn); a redirect or an alias through the address
 * rules (its target must still be allowed); stored HTML as it was.
 */
import { gunzipSync } from 'node:zlib';
import { isPmError } from '../errors/errors.js';
import type { HistoryStore, Revision, TrashEntry } from '../store/history-store.js';
import type { AddressService } from './address-service.js';
import type { PageService } from './page-service.js';
import type { SiteSettingStore } from '../store/site-setting-store.js';
import type { PageRecord, TemplateUrl } from '../store/types.js';
import type { TemplateUrlService } from './template-url-service.js';

export type { Revision, TrashEntry, TrashKind } from '../store/history-store.js';

/** What a trash entry that is not a template page was, in words ("Redirect to /about (301)"); '' for a template page. */
export function trashSummary(e: Pick<TrashEntry, 'kind' | 'data'>): string {
  const d = (e.data && typeof e.data === 'object' ? e.data : {}) as Record<string, unknown>;
  if (e.kind === 'redirect') return `Redirect to ${String(d.target)} (${String(d.status)})`;
  if (e.kind === 'alias') return `Alias: shows ${String(d.contentUrl)}`;
  if (e.kind === 'html') return 'Stored page (HTML)';
  return '';
}

export interface HistorySettings {
  /** How many earlier versions of each page are kept. */
  keepRevisions: number;
  /** How many days a deleted page stays in the trash. */
  trashDays: number;
}

export const HISTORY_DEFAULTS: HistorySettings = { keepRevisions: 20, trashDays: 30 };
export const HISTORY_LIMITS = { keepRevisions: [0, 500], trashDays: [1, 3650] } as const;
const DAY = 24 * 60 * 60 * 1000;

type Restored = { ok: true; langcode: string; urlPath: string } | { ok: false; error: string };

export interface HistoryService {
  /** The template service calls these before it replaces or removes stored data. */
  onReplace(old: TemplateUrl): Promise<void>;
  onRemove(old: TemplateUrl): Promise<void>;
  /**
   * The address service calls this before it deletes a redirect, an alias or
   * stored HTML (raw HTML, a plugin's page): it goes to the trash too, and
   * comes back as it was (a redirect or alias through the address rules).
   */
  onRemovePage(old: PageRecord): Promise<void>;
  /** A page moved to another address (a rename): its revisions go with it. */
  onMove(old: TemplateUrl, to: string): Promise<void>;
  revisions(siteId: string, langcode: string, urlPath: string): Promise<Revision[]>;
  restoreRevision(siteId: string, revisionId: string): Promise<Restored>;
  /** The site's trash, newest first; entries past their time are purged first. */
  trash(siteId: string): Promise<TrashEntry[]>;
  restoreTrash(siteId: string, trashId: string): Promise<Restored>;
  emptyTrash(siteId: string): Promise<number>;
  settings(siteId: string): Promise<HistorySettings>;
  /** Checks settings as typed; errors are keyed by setting name. */
  checkSettings(s: { keepRevisions: string | number; trashDays: string | number }): { ok: true; value: HistorySettings } | { ok: false; errors: Partial<Record<keyof HistorySettings, string>> };
  /** Checks and stores the settings. Nothing is stored when one is refused. */
  setSettings(siteId: string, s: { keepRevisions: string | number; trashDays: string | number }): Promise<{ ok: true } | { ok: false; errors: Partial<Record<keyof HistorySettings, string>> }>;
}

const shown = (langcode: string, urlPath: string) => (langcode ? `/${langcode}` : '') + urlPath;
const sameContent = (a: { themeId: string; templateName: string; data: unknown }, b: { themeId: string; templateName: string; data: unknown }) =>
  a.themeId === b.themeId && a.templateName === b.templateName && JSON.stringify(a.data) === JSON.stringify(b.data);

export function createHistoryService(opts: {
  store: HistoryStore;
  settings: SiteSettingStore;
  pages: PageService;
  templates: () => TemplateUrlService;
  /** Resolved lazily (built after this service): a redirect or alias comes back through the address rules. */
  addresses?: () => AddressService;
  now?: () => number;
}): HistoryService {
  const { store } = opts;
  const now = opts.now ?? Date.now;

  async function settings(siteId: string): Promise<HistorySettings> {
    const all = await opts.settings.all(siteId);
    const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isInteger(v) ? v : d);
    return { keepRevisions: num(all.keepRevisions, HISTORY_DEFAULTS.keepRevisions), trashDays: num(all.trashDays, HISTORY_DEFAULTS.trashDays) };
  }

  /** Put back what a revision or the trash holds, through save (checked and rendered). */
  async function putBack(siteId: string, e: { langcode: string; urlPath: string; themeId: string; templateName: string; data: unknown }): Promise<Restored> {
    try {
      const r = await opts.templates().save({ siteId, langcode: e.langcode, urlPath: e.urlPath, themeId: e.themeId, templateName: e.templateName, data: e.data });
      if (!r.ok) return { ok: false, error: `It no longer fits its template: ${Object.entries(r.errors).map(([k, v]) => `${k || 'the data'}: ${v.join(' ')}`).join('; ')}` };
      return { ok: true, langcode: e.langcode, urlPath: e.urlPath };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Put back a redirect, an alias or stored HTML as it was deleted. */
  async function putBackPage(siteId: string, e: TrashEntry): Promise<Restored> {
    const d = (e.data && typeof e.data === 'object' ? e.data : {}) as Record<string, unknown>;
    const where = { siteId, langcode: e.langcode };
    try {
      if (e.kind === 'redirect' || e.kind === 'alias') {
        const addresses = opts.addresses?.();
        if (!addresses) return { ok: false, error: 'Redirects and aliases cannot be restored here.' };
        if (e.kind === 'redirect') await addresses.redirect(where, e.urlPath, String(d.target ?? ''), Number(d.status ?? 301), { replace: false });
        else await addresses.alias(where, e.urlPath, String(d.contentUrl ?? ''), { replace: false });
      } else {
        const html = gunzipSync(Buffer.from(String(d.gz ?? ''), 'base64')).toString('utf8');
        await opts.pages.set(siteId, e.langcode, e.urlPath, html, { headers: (d.headers ?? {}) as Record<string, string>, hidden: d.hidden === true });
      }
      return { ok: true, langcode: e.langcode, urlPath: e.urlPath };
    } catch (err) {
      // The address rules' refusal, as they word it (a target that is gone, a loop).
      if (isPmError(err)) return { ok: false, error: err.fields ? Object.values(err.fields).join(' ') : err.message };
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  function checkSettings(s: { keepRevisions: string | number; trashDays: string | number }) {
    const errors: Partial<Record<keyof HistorySettings, string>> = {};
    const value = { ...HISTORY_DEFAULTS };
    for (const key of ['keepRevisions', 'trashDays'] as const) {
      const raw = String(s[key]).trim();
      const [min, max] = HISTORY_LIMITS[key];
      const n = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < min || n > max) errors[key] = `Enter a whole number from ${min} to ${max}.`;
      else value[key] = n;
    }
    return Object.keys(errors).length ? { ok: false as const, errors } : { ok: true as const, value };
  }

  return {
    async onReplace(old) {
      const { keepRevisions } = await settings(old.siteId);
      if (keepRevisions <= 0) return;
      const last = (await store.listRevisions(old.siteId, old.langcode, old.urlPath))[0];
      if (last && sameContent(last, old)) return;
      await store.addRevision(old, old.updatedAt || now());
      await store.trimRevisions(old.siteId, old.langcode, old.urlPath, keepRevisions);
    },
    async onRemove(old) {
      const { trashDays } = await settings(old.siteId);
      const at = now();
      await store.addTrash(old, at, at + trashDays * DAY);
    },
    async onMove(old, to) {
      if (old.urlPath === to) return;
      await store.moveRevisions(old.siteId, old.langcode, old.urlPath, to);
      // Revisions an earlier page at the new address left there stay too; the newest N are kept.
      const { keepRevisions } = await settings(old.siteId);
      await store.trimRevisions(old.siteId, old.langcode, to, keepRevisions);
    },
    async onRemovePage(old) {
      const { trashDays } = await settings(old.siteId);
      const at = now();
      const data =
        old.kind === 'redirect'
          ? { target: old.redirectUrl, status: old.redirectStatus ?? 302 }
          : old.kind === 'content'
            ? { contentUrl: old.contentUrl, pseudoroute: old.pseudoroute }
            : { gz: (old.gz ?? Buffer.alloc(0)).toString('base64'), headers: old.headers, hidden: old.hidden };
      const kind = old.kind === 'redirect' ? 'redirect' : old.kind === 'content' ? 'alias' : 'html';
      await store.addTrash({ siteId: old.siteId, langcode: old.langcode, urlPath: old.urlPath, themeId: '', templateName: '', data, kind }, at, at + trashDays * DAY);
    },
    revisions: (siteId, langcode, urlPath) => store.listRevisions(siteId, langcode, urlPath),
    async restoreRevision(siteId, revisionId) {
      const rev = await store.getRevision(siteId, revisionId);
      if (!rev) return { ok: false, error: 'That version is no longer kept.' };
      return putBack(siteId, rev);
    },
    async trash(siteId) {
      await store.purgeTrash(siteId, now());
      return store.listTrash(siteId);
    },
    async restoreTrash(siteId, trashId) {
      const e = await store.getTrash(siteId, trashId);
      if (!e || e.expireAt <= now()) return { ok: false, error: 'That page is no longer in the trash.' };
      const where = shown(e.langcode, e.urlPath);
      if (await opts.templates().get(siteId, e.langcode, e.urlPath)) return { ok: false, error: `Another page is at ${where} now. Rename or delete it first, then restore this one.` };
      const page = await opts.pages.get(siteId, e.langcode, e.urlPath);
      // A language's copy of the default page is only a fallback render: a restored translation replaces it.
      const fallback = page && page.kind === 'html' && e.langcode !== '' && (await opts.templates().get(siteId, '', e.urlPath));
      if (page && !fallback) return { ok: false, error: `Something is at ${where} now (a ${page.kind === 'redirect' ? 'redirect' : page.kind === 'content' ? 'an alias' : 'page'}). Move it first, then restore this page.` };
      const r = e.kind === 'template' ? await putBack(siteId, e) : await putBackPage(siteId, e);
      if (r.ok) await store.deleteTrash(siteId, trashId);
      return r;
    },
    emptyTrash: (siteId) => store.purgeTrash(siteId),
    settings,
    checkSettings,
    async setSettings(siteId, s) {
      const c = checkSettings(s);
      if (!c.ok) return c;
      await opts.settings.set(siteId, 'keepRevisions', c.value.keepRevisions);
      await opts.settings.set(siteId, 'trashDays', c.value.trashDays);
      return { ok: true };
    },
  };
}
