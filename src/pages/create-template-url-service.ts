import { isPmError, PmError } from '../errors/errors.js';
import type { FieldErrors } from '../forms/index.js';
import type { Site, TemplateUrl, TemplateUrlStore } from '../store/types.js';
import type { RenderContext, ThemesManager } from '../themes/themes-manager.js';
import type { PageService } from './page-service.js';
import type { SaveChecks } from './save-checks.js';
import type { TemplateUrlInput, TemplateUrlService } from './template-url-service.js';
import { resolveSeo } from './seo.js';
import { normalizeUrlPath } from './url-path.js';
import type { SiteUsage } from '../store/site-usage.js';
import { gzipSync } from 'node:zlib';

/**
 * Top-level fields of the stored data that the schema does not know (a page
 * moved from a theme with more fields) survive a save from a form that could
 * not show them, so switching themes and back loses nothing.
 */
function keepUnknownFields(existing: TemplateUrl | undefined, data: unknown, schema: unknown): unknown {
  const props = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  const old = existing?.data;
  if (!props || !old || typeof old !== 'object' || Array.isArray(old) || !data || typeof data !== 'object' || Array.isArray(data)) return data;
  const kept = Object.fromEntries(Object.entries(old as Record<string, unknown>).filter(([k]) => !(k in props) && !(k in (data as Record<string, unknown>))));
  return Object.keys(kept).length ? { ...kept, ...(data as Record<string, unknown>) } : data;
}

/** Rendering, gzip and SQLite writes are synchronous: a long re-render lets waiting requests through this often. */
const YIELD_EVERY = 10;
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Template data → rendered page. Renders happen here, at write time; the
 * request path only ever sees the stored result. A locale without its own
 * data gets the default locale's data rendered under its prefix.
 */
export function createTemplateUrlService(opts: {
  store: TemplateUrlStore;
  pages: PageService;
  themes: ThemesManager;
  getSite: (siteId: string) => Site | undefined;
  validate: (schema: unknown, data: unknown) => { ok: true } | { ok: false; errors: FieldErrors };
  /** The site menus a page in a langcode shows (see menu-service); none when absent. */
  menus?: (siteId: string, langcode: string) => Promise<RenderContext['menus']>;
  /** Keeps what a save replaces (revisions) and what a removal deletes (the trash); see history-service. */
  history?: { onReplace(old: TemplateUrl): Promise<void>; onRemove(old: TemplateUrl): Promise<void>; onMove?(old: TemplateUrl, to: string): Promise<void> };
  /** Plugins' components for a page (`it.components`); none when absent. */
  components?: {
    renderFor(page: { siteId: string; langcode: string; urlPath: string; kind: 'page' }): Promise<Record<string, string>>;
    shown(page: { siteId: string; langcode: string; urlPath: string; kind: 'page' }, record: Record<string, string> | undefined): Promise<void>;
  };
  /** Plugins' checks of what a user saves (save-checks.ts); re-renders do not run them. */
  checks?: SaveChecks;
  /** The site's stored bytes: a save that would pass its quota is refused before anything is stored. */
  usage?: Pick<SiteUsage, 'check'>;
}): TemplateUrlService {
  const { store, pages, themes } = opts;

  function site(siteId: string): Site {
    const s = opts.getSite(siteId);
    if (!s) throw new PmError('PM_ERR_NOT_FOUND', { what: `site ${siteId}` });
    return s;
  }

  function prefix(s: Site, langcode: string): string {
    return (s.tildePrefix ? `/~${s.tildePrefix}` : '') + (langcode ? `/${langcode}` : '');
  }

  // Made on first use: Intl.DisplayNames loads ICU data (tens of ms), which a start that renders nothing does not need.
  let englishNames: Intl.DisplayNames | null | undefined;
  const languageNames = () => {
    if (englishNames === undefined) {
      try {
        englishNames = new Intl.DisplayNames(['en'], { type: 'language' });
      } catch {
        englishNames = null;
      }
    }
    return englishNames ?? undefined;
  };
  /** A language's name in itself ("Français"), for the themes' language switcher. */
  function languageLabel(code: string): string {
    try {
      const own = new Intl.DisplayNames([code], { type: 'language' }).of(code);
      return own ? own[0].toUpperCase() + own.slice(1) : (languageNames()?.of(code) ?? code);
    } catch {
      return code;
    }
  }

  /**
   * Renders the data of `t` (written in `t.langcode`) at its URL in `langcode`:
   * a language without its own data shows the default's, with the default's
   * `lang`, and a canonical link to the default's address.
   */
  async function render(t: Omit<TemplateUrl, 'updatedAt'>, langcode: string): Promise<{ html: string; headers: Record<string, string> }> {
    const s = site(t.siteId);
    const pre = prefix(s, langcode);
    const url = (p: string) => pre + (p.startsWith('/') ? p : '/' + p);
    const contentLang = t.langcode || s.defaultLocale;
    const locales = ['', ...s.enabledLocales.filter((l) => l !== s.defaultLocale)];
    const own = locales.length > 1 ? new Set(['', ...(await store.listLangcodes(t.siteId, t.urlPath)).map((r) => r.langcode), t.langcode]) : new Set(['']);
    const languages =
      locales.length > 1
        ? locales.map((l) => ({ langcode: l || s.defaultLocale, href: prefix(s, l) + t.urlPath, label: languageLabel(l || s.defaultLocale), own: own.has(l), current: l === langcode }))
        : undefined;
    const seo = resolveSeo(t.data, {
      siteTitle: s.title,
      siteDescription: s.description,
      canonicalPath: prefix(s, t.langcode) + t.urlPath,
      contentLang,
      url,
      origin: s.domain ? `https://${s.domain}` : '',
    });
    const page = { siteId: t.siteId, langcode, urlPath: t.urlPath, kind: 'page' as const };
    const components = await opts.components?.renderFor(page);
    const out = await themes.render(t.themeId, t.templateName, t.data, {
      site: { title: s.title, description: s.description, langcode: contentLang },
      page: { urlPath: t.urlPath, url: pre + t.urlPath },
      url,
      menus: await opts.menus?.(t.siteId, langcode),
      seo,
      languages,
      components,
    });
    await opts.components?.shown(page, components);
    return out;
  }

  async function publish(t: Omit<TemplateUrl, 'updatedAt'>, langcode: string): Promise<void> {
    const r = await render(t, langcode);
    await pages.set(t.siteId, langcode, t.urlPath, r.html, { headers: r.headers });
  }

  /** Renders again every other language's version of a URL (their language links changed). */
  async function republishSiblings(siteId: string, urlPath: string, except: string): Promise<void> {
    const rows = await store.listLangcodes(siteId, urlPath);
    for (const r of rows) if (r.langcode !== except) await publish(r, r.langcode);
    const base = rows.find((r) => r.langcode === '');
    if (base) for (const l of await fallbackLocales(siteId, urlPath)) if (l !== except) await publish(base, l);
  }

  /** Locales of the site that have no data of their own at this URL and so show the default's. */
  async function fallbackLocales(siteId: string, urlPath: string): Promise<string[]> {
    const s = site(siteId);
    const own = new Set((await store.listLangcodes(siteId, urlPath)).map((r) => r.langcode));
    return s.enabledLocales.filter((l) => l !== s.defaultLocale && !own.has(l));
  }

  const service: TemplateUrlService = {
    async save(input: TemplateUrlInput) {
      const urlPath = normalizeUrlPath(input.urlPath);
      const tpl = await themes.getTemplate(input.themeId, input.templateName);
      const v = opts.validate(tpl.schema, input.data);
      if (!v.ok) return v;
      const refused = await opts.checks?.run({ siteId: input.siteId, langcode: input.langcode, kind: 'page', urlPath, data: input.data });
      if (refused && Object.keys(refused).length) return { ok: false as const, errors: refused };
      const existing = await store.get(input.siteId, input.langcode, urlPath);
      const t = { ...input, urlPath, data: keepUnknownFields(existing, input.data, tpl.schema) };
      // Render before storing anything: a template that fails leaves the old page and data in place.
      const first = await render(t, input.langcode);
      // Over the quota: refused here, before the revision, the data or the page is stored.
      await opts.usage?.check(t.siteId, async () => {
        const bytes = (d: unknown) => Buffer.byteLength(JSON.stringify(d ?? null), 'utf8');
        const oldGz = (await pages.get(t.siteId, input.langcode, urlPath))?.gz?.length ?? 0;
        // gzipped as pages.set stores it (level 9); only on a site with a limit.
        return bytes(t.data) - (existing ? bytes(existing.data) : 0) + gzipSync(Buffer.from(first.html, 'utf8'), { level: 9 }).length - oldGz;
      });
      if (existing) await opts.history?.onReplace(existing);
      await store.upsert({ ...t, updatedAt: Date.now() });
      try {
        await pages.set(t.siteId, input.langcode, urlPath, first.html, { headers: first.headers });
      } catch (e) {
        // Refused by the quota after all (another write took the room meanwhile): the data goes back as it was.
        if (isPmError(e, 'PM_ERR_QUOTA_EXCEEDED')) await (existing ? store.upsert(existing) : store.delete(t.siteId, input.langcode, urlPath));
        throw e;
      }
      if (input.langcode === '') for (const l of await fallbackLocales(t.siteId, urlPath)) await publish(t, l);
      // The other languages' versions list this one among their alternates now.
      if (site(t.siteId).enabledLocales.length > 1) await republishSiblings(t.siteId, urlPath, input.langcode);
      return { ok: true as const };
    },
    render,
    async rerender(siteId, langcode, urlPath) {
      const p = normalizeUrlPath(urlPath);
      const own = await store.get(siteId, langcode, p);
      if (own) {
        await publish(own, langcode);
        return true;
      }
      // A language without data of its own at this URL shows the default's there.
      if (langcode !== '' && (await fallbackLocales(siteId, p)).includes(langcode)) {
        const base = await store.get(siteId, '', p);
        if (base) {
          await publish(base, langcode);
          return true;
        }
      }
      return false;
    },
    async preview(input) {
      const tpl = await themes.getTemplate(input.themeId, input.templateName);
      const data = input.data === undefined ? tpl.sample : input.data;
      // Data a template was not written for (null where it expects an object, a list of numbers) is refused
      // beside its fields, as on save, rather than failing inside the template.
      const v = opts.validate(tpl.schema, data);
      if (!v.ok) return v;
      return { ok: true as const, html: (await render({ ...input, urlPath: normalizeUrlPath(input.urlPath), data }, input.langcode)).html };
    },
    async remove(siteId, langcode, urlPath, o = {}) {
      const p = normalizeUrlPath(urlPath);
      const row = await store.get(siteId, langcode, p);
      if (!row) return false;
      // Into the trash first: if that fails, nothing is deleted.
      if (o.trash !== false) await opts.history?.onRemove(row);
      const existed = await store.delete(siteId, langcode, p);
      if (!existed) return false;
      if (langcode === '') {
        for (const l of await fallbackLocales(siteId, p)) await pages.delete(siteId, l, p);
        await pages.delete(siteId, '', p);
      } else {
        const base = await store.get(siteId, '', p);
        if (base) await publish(base, langcode);
        else await pages.delete(siteId, langcode, p);
        await republishSiblings(siteId, p, langcode);
      }
      return true;
    },
    async move(siteId, langcode, from, to) {
      const t = await store.get(siteId, langcode, normalizeUrlPath(from));
      if (!t) throw new PmError('PM_ERR_NOT_FOUND', { what: (langcode ? `/${langcode}` : '') + from });
      const target = normalizeUrlPath(to);
      // Written at the new address first: a failure half-way leaves the page reachable.
      const r = await service.save({ siteId, langcode, urlPath: target, themeId: t.themeId, templateName: t.templateName, data: t.data });
      if (!r.ok) return r;
      await opts.history?.onMove?.(t, target);
      await service.remove(siteId, langcode, t.urlPath, { trash: false });
      return { ok: true as const };
    },
    get: (siteId, langcode, urlPath) => store.get(siteId, langcode, normalizeUrlPath(urlPath)),
    list: (siteId) => store.list(siteId),
    async moveToTheme(siteId, themeId, has) {
      const moved: { langcode: string; urlPath: string }[] = [];
      const stayed: TemplateUrl[] = [];
      let count = 0;
      for (const t of await store.list(siteId)) {
        if (t.themeId === themeId) continue;
        if (!has(t.templateName)) {
          stayed.push(t);
          continue;
        }
        const next = { ...t, themeId };
        let first: { html: string; headers: Record<string, string> };
        try {
          first = await render(next, t.langcode);
        } catch {
          stayed.push(t);
          continue;
        }
        await store.upsert({ ...next, updatedAt: Date.now() });
        await pages.set(siteId, t.langcode, t.urlPath, first.html, { headers: first.headers });
        moved.push({ langcode: t.langcode, urlPath: t.urlPath });
        if (t.langcode === '') {
          for (const l of await fallbackLocales(siteId, t.urlPath)) {
            await publish(next, l);
            moved.push({ langcode: l, urlPath: t.urlPath });
          }
        }
        if (++count % YIELD_EVERY === 0) await yieldToRequests();
      }
      return { moved, stayed };
    },
    async rerenderSite(siteId, shows) {
      const done: { langcode: string; urlPath: string }[] = [];
      for (const t of await store.list(siteId)) {
        const langs = [t.langcode, ...(t.langcode === '' ? await fallbackLocales(siteId, t.urlPath) : [])];
        for (const l of langs) {
          if (!shows(t, l)) continue;
          try {
            await publish(t, l);
            done.push({ langcode: l, urlPath: t.urlPath });
            if (done.length % YIELD_EVERY === 0) await yieldToRequests();
          } catch {
            // A broken template keeps serving its last good page; the dashboard shows the theme's error.
          }
        }
      }
      return done;
    },
    async rerenderThemes(themeIds) {
      let n = 0;
      for (const themeId of themeIds) {
        for (const t of await store.listByTemplate(themeId)) {
          try {
            await publish(t, t.langcode);
            n++;
            if (n % YIELD_EVERY === 0) await yieldToRequests();
            if (t.langcode === '') for (const l of await fallbackLocales(t.siteId, t.urlPath)) (await publish(t, l), n++);
          } catch {
            // A broken template keeps serving its last good page; the dashboard shows the theme's error.
          }
        }
      }
      return n;
    },
  };
  return service;
}
