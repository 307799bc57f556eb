/**
 * The themes manager: loads every theme from a ReadonlyFS, renders a
 * template with a page's data, injects styles/scripts and builds the CSP
 * that matches them, and serves theme assets. See README.md for the flow.
 */
import { randomBytes } from 'node:crypto';
import { PmError, isPmError } from '../errors/errors.js';
import { checkSchema as formsCheckSchema, renderMarkdown } from '../forms/index.js';
import { assertAssetSet, buildInjection, esc } from './injection.js';
import type { AssetSet, CspSources, ScriptAsset } from './injection.js';
import { normalizeFsPath } from './readonly-fs.js';
import type { ReadonlyFS } from './readonly-fs.js';
import { fingerprintOf, serveThemeAsset } from './theme-assets.js';
import { collectUploadUrls, pictureHtml, type ImageInfo, type ImageResolver, type PictureOptions } from './images.js';
import type { AssetResponse } from './theme-assets.js';
import { publicTemplateError, shortError } from './theme-engine.js';
import { loadThemes } from './theme-loader.js';
import type { LoadedTheme } from './theme-loader.js';
import { createFsTemplateConfigSource } from './template-config-source.js';
import type { TemplateConfigSource } from './template-config-source.js';

export type { AssetSet, CspSources, ScriptAsset } from './injection.js';
export type { AssetResponse } from './theme-assets.js';
export type { TemplateConfigSource } from './template-config-source.js';
export type { ImageInfo, ImageResolver, ImageVariant, PictureOptions } from './images.js';
export type { TemplateDef, ThemeManifest } from './theme-manifest.js';
import type { TemplateDef, ThemeManifest } from './theme-manifest.js';

export interface ThemesManagerOptions {
  /** Root holds one folder per theme. */
  fs: ReadonlyFS;
  /** Where schemas and samples come from; default: the theme's files in `fs`. */
  configSource?: TemplateConfigSource;
  /** Markdown → sanitised HTML, for `it.md()`. Default: forms' `renderMarkdown`. */
  md?: (s: string) => string;
  /** Checks a JSON Schema; returns its problems. Used by `check()`. Default: forms' `checkSchema`. */
  checkSchema?: (schema: unknown) => string[];
  /**
   * Properties added to every template's object schema unless it defines them
   * itself (the SEO section every page has). `getTemplate` returns the result.
   */
  sharedProperties?: Record<string, unknown>;
}

/** A theme as the dashboard lists it: its theme.json's descriptive fields, with screenshots as URLs. */
export interface ThemeInfo extends Pick<ThemeManifest, 'id' | 'name' | 'description' | 'version' | 'author' | 'license' | 'notFound' | 'fills'> {
  /** URL of the screenshot (fingerprinted, under /pm-themes/), when the theme has one. */
  screenshot?: string;
  templates: { name: string; title: string; description: string; screenshot?: string }[];
  ok: boolean;
  errors: string[];
}

/** What a template needs: its JSON Schema (for the form), sample data (for previews), description. */
export interface TemplateConfig {
  name: string;
  description: string;
  /** `{ "type": "object" }` when the template declares no schema. */
  schema: unknown;
  /** `{}` when the template declares no sample. */
  sample: unknown;
}

export interface RenderContext {
  site: { title: string; description: string; langcode: string };
  page: { urlPath: string; url: string };
  /**
   * The site's menus, as `it.menus.primary` / `it.menus.footer`: links
   * `{ label, url, children? }` (one level of children). A page's own `nav`
   * field, when filled, replaces the primary menu (the theme decides that).
   */
  menus?: { primary: MenuLinkLike[]; footer: MenuLinkLike[] };
  /**
   * What goes in <head> for search engines and link previews, resolved by the
   * caller (src/pages/seo.ts), as `it.seo`. Absent: the theme falls back on the page's data.
   */
  seo?: { title: string; description: string; image: string; canonical: string; noindex: boolean; contentLang: string };
  /**
   * The page in each language of the site, as `it.languages` (only when the
   * site has more than one): `own` is false where that language shows the
   * default's content (no hreflang for it), `current` marks this one.
   */
  languages?: { langcode: string; href: string; label: string; own: boolean; current: boolean }[];
  /**
   * Plugins' components for this page, as `it.components.NAME` (HTML, included with `<%~ %>`):
   * the comments, say. Filled by the page renderers from the plugins' providers; absent: `{}`.
   */
  components?: Record<string, string>;
  /** Anything else the template may use, as `it.extra` (the blog's posts, …). */
  extra?: Record<string, unknown>;
  /** Prefix-aware link builder for `it.url()`; default: identity. */
  url?: (path: string) => string;
  /** For a response rendered per request. Omit for a page stored once: inline scripts are then allowed by hash. */
  nonce?: string;
  /** Stylesheet URLs for this page only. */
  styles?: string[];
  scripts?: ScriptAsset[];
  cspSources?: CspSources;
}

/** A menu link as a template sees it. */
export interface MenuLinkLike {
  label: string;
  url: string;
  children?: MenuLinkLike[];
}

export interface RenderResult {
  html: string;
  /** `content-type` and `content-security-policy`. */
  headers: Record<string, string>;
}

/** The parts of a Fastify reply `serveTemplate` uses; structural so this file does not import fastify. */
export interface ReplyLike {
  header(key: string, value: string): unknown;
  type(contentType: string): unknown;
  code(status: number): unknown;
  send(body: string): unknown;
}

export interface ThemesManager {
  /** Scans the root and loads every theme; never throws for a broken theme. Returns the themes that differ from before. */
  load(): Promise<{ changed: string[] }>;
  /** Same as load(): re-reads everything, drops compiled templates, reports changed theme ids (content hash). */
  reload(): Promise<{ changed: string[] }>;
  list(): ThemeInfo[];
  /** Every theme that has a problem, with all its problems (for `--strict-themes`). Empty when all is well. */
  check(): Promise<{ themeId: string; errors: string[] }[]>;
  getTemplate(themeId: string, templateName: string): Promise<TemplateConfig>;
  render(themeId: string, templateName: string, data: unknown, ctx: RenderContext): Promise<RenderResult>;
  /** GET `/pm-themes/{themeId}/{path}` (`v` = the `?v=` query). Bad paths throw PM_ERR_PATH_INVALID. */
  serveAsset(themeId: string, path: string, ifNoneMatch?: string, v?: string): Promise<AssetResponse>;
  /** Renders with a fresh nonce and sends the page with its CSP. `ctx.status` defaults to 200. */
  serveTemplate(reply: ReplyLike, request: unknown, themeId: string, templateName: string, data: unknown, ctx: Omit<RenderContext, 'nonce'> & { status?: number }): Promise<void>;
  /** The fingerprinted URL of a theme file, as `it.asset()` gives it (no `?v=` when the file is missing). */
  assetUrl(themeId: string, path: string): string;
  /** Styles, scripts and CSP sources added to every render (plugins). Returns a function that removes them. */
  addGlobalAsset(set: AssetSet): () => void;
  /**
   * The plugin that owns uploads tells templates about its pictures (`it.image`, `it.picture`).
   * One resolver at a time; returns a function that removes it.
   */
  setImageResolver(resolver: ImageResolver): () => void;
}

function insertBefore(html: string, marker: RegExp, text: string): string {
  const m = marker.exec(html);
  return m ? html.slice(0, m.index) + text + '\n' + html.slice(m.index) : html;
}

const DEFAULT_SCHEMA = { type: 'object' };

interface State {
  themes: Map<string, LoadedTheme>;
  configs: Map<string, Promise<{ schema?: unknown; sample?: unknown }>>;
}

/**
 * @example
 * const themes = createThemesManager({ fs: createDirFS('pm-themes'), md: renderMarkdown, checkSchema });
 * await themes.load();
 * const { html, headers } = await themes.render('daybreak', 'home', { title: 'Hi' }, { site, page });
 */
export function createThemesManager(opts: ThemesManagerOptions): ThemesManager {
  const fs = opts.fs;
  const configSource = opts.configSource ?? createFsTemplateConfigSource(fs);
  const md = opts.md ?? renderMarkdown;
  const checkSchema = opts.checkSchema ?? formsCheckSchema;
  const globals: AssetSet[] = [];
  let imageResolver: ImageResolver | undefined;
  let state: State | undefined;
  let loading: Promise<{ changed: string[] }> | undefined;

  async function doLoad(): Promise<{ changed: string[] }> {
    const themes = await loadThemes(fs);
    const before = state?.themes ?? new Map<string, LoadedTheme>();
    const ids = new Set([...before.keys(), ...themes.keys()]);
    const changed = [...ids].filter((id) => before.get(id)?.contentHash !== themes.get(id)?.contentHash).sort();
    state = { themes, configs: new Map() };
    return { changed };
  }

  function load(): Promise<{ changed: string[] }> {
    // Loads run one after another, so the `changed` lists add up and never overlap.
    const next = (loading ?? Promise.resolve()).catch(() => undefined).then(doLoad);
    loading = next;
    return next;
  }

  async function current(): Promise<State> {
    if (!state) await load();
    return state as State;
  }

  /** Throws PM_ERR_PATH_INVALID for a bad path; a file the theme lacks gets no `?v=`. */
  function assetUrlFor(theme: LoadedTheme | undefined, themeId: string, path: string): string {
    const clean = normalizeFsPath(String(path));
    const url = `/pm-themes/${encodeURIComponent(themeId)}/${clean.split('/').map(encodeURIComponent).join('/')}`;
    const hash = theme?.fileHashes.get(clean);
    return hash ? `${url}?v=${fingerprintOf(hash)}` : url;
  }

  function info(t: LoadedTheme): ThemeInfo {
    const m = t.manifest;
    const shot = (p: string | undefined): string | undefined => (p === undefined ? undefined : assetUrlFor(t, t.id, p));
    return {
      id: t.id,
      name: m?.name ?? t.id,
      description: m?.description ?? '',
      version: m?.version ?? '',
      author: m?.author ?? '',
      license: m?.license ?? '',
      screenshot: shot(m?.screenshot),
      templates: (m?.templates ?? []).map((x) => ({ name: x.name, title: x.title, description: x.description, screenshot: shot(x.screenshot) })),
      notFound: m?.notFound,
      fills: { ...(m?.fills ?? {}) },
      ok: t.errors.length === 0,
      errors: [...t.errors],
    };
  }

  function findTemplate(s: State, themeId: string, templateName: string) {
    const theme = s.themes.get(themeId);
    if (!theme) throw new PmError('PM_ERR_THEME_NOT_FOUND', { themeId });
    if (!theme.manifest) throw new PmError('PM_ERR_THEME_BROKEN', { themeId, detail: theme.errors[0] ?? 'theme.json is unusable' });
    const broken = theme.brokenTemplates.get(templateName);
    if (broken !== undefined) throw new PmError('PM_ERR_THEME_BROKEN', { themeId, detail: `template "${templateName}": ${broken}` });
    const def = theme.manifest.templates.find((t) => t.name === templateName);
    if (!def) throw new PmError('PM_ERR_TEMPLATE_NOT_FOUND', { themeId, templateName });
    return { theme, manifest: theme.manifest, def };
  }

  /** The schema with the shared properties added; one object per template, so compiled validators are reused. */
  function withShared(schema: unknown): unknown {
    const extra = opts.sharedProperties;
    if (!extra || schema === undefined || !schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
    const sc = schema as { type?: unknown; properties?: Record<string, unknown> };
    if (sc.type !== undefined && sc.type !== 'object') return schema;
    const add = Object.fromEntries(Object.entries(extra).filter(([k]) => !(sc.properties && k in sc.properties)));
    return Object.keys(add).length ? { ...sc, properties: { ...(sc.properties ?? {}), ...add } } : schema;
  }

  function templateConfig(s: State, themeId: string, def: TemplateDef) {
    const key = `${themeId}\0${def.name}`;
    let p = s.configs.get(key);
    if (!p) {
      p = configSource.load(themeId, def).then((c) => ({ ...c, schema: withShared(c.schema) }));
      s.configs.set(key, p);
      // A failure is not cached: the next call tries again (a network source may recover).
      p.catch(() => s.configs.delete(key));
    }
    return p;
  }

  async function render(themeId: string, templateName: string, data: unknown, ctx: RenderContext): Promise<RenderResult> {
    const s = await current();
    const { theme, manifest, def } = findTemplate(s, themeId, templateName);
    const ctxSet: AssetSet = { styles: ctx.styles, scripts: ctx.scripts, cspSources: ctx.cspSources };
    assertAssetSet(ctxSet, 'render context');
    const themeSet: AssetSet = {
      styles: manifest.styles.map((p) => assetUrlFor(theme, themeId, p)),
      scripts: manifest.scripts.map((p) => ({ src: assetUrlFor(theme, themeId, p) })),
      cspSources: manifest.csp,
    };
    const injection = buildInjection([themeSet, ...globals, ctxSet], ctx.nonce);
    const urls = imageResolver ? [...collectUploadUrls([data, ctx.extra])] : [];
    const images: Map<string, ImageInfo> = urls.length && imageResolver ? await imageResolver(urls).catch(() => new Map<string, ImageInfo>()) : new Map();
    const link = ctx.url ?? ((path: string) => path);
    let headCalled = false;
    let bodyEndCalled = false;
    const it = {
      data,
      site: ctx.site,
      page: ctx.page,
      theme: { id: themeId, name: manifest.name },
      extra: ctx.extra ?? {},
      // A theme's `it.components.comments` prints nothing (not "undefined") where no plugin provides it.
      // Not copied: a caller may pass a record that notes which components the template read (see components-cache).
      components: new Proxy(ctx.components ?? {}, { get: (o, k) => (typeof k === 'string' ? (o[k] ?? '') : undefined) }),
      menus: ctx.menus ?? { primary: [], footer: [] },
      seo: ctx.seo,
      languages: ctx.languages ?? [],
      asset: (path: string) => assetUrlFor(theme, themeId, path),
      url: link,
      md: (text: string) => md(String(text ?? '')),
      image: (src: unknown) => images.get(String(src ?? '')),
      picture: (src: unknown, o: PictureOptions = {}) => pictureHtml(src, images.get(String(src ?? '')), o ?? {}, link),
      esc,
      pm: {
        head: () => {
          headCalled = true;
          return injection.head;
        },
        bodyEnd: () => {
          bodyEndCalled = true;
          return injection.bodyEnd;
        },
      },
    };
    let html: string;
    try {
      html = theme.engine.render(def.file, it);
    } catch (e) {
      // Clients (an API caller's preview, say) get where and what; the template's source lines go to the log only.
      const full = new PmError('PM_ERR_THEME_BROKEN', { themeId, detail: `template "${templateName}": ${shortError(e)}` }).message;
      throw new PmError('PM_ERR_THEME_BROKEN', { themeId, detail: `template "${templateName}": ${publicTemplateError(e)}` }, { cause: e, privateMessage: full });
    }
    // A theme that forgot the hooks still gets plugins' styles and scripts, where they belong.
    if (!headCalled && injection.head) html = insertBefore(html, /<\/head\s*>/i, injection.head);
    if (!bodyEndCalled && injection.bodyEnd) html = insertBefore(html, /<\/body\s*>(?![\s\S]*<\/body)/i, injection.bodyEnd);
    return { html, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': injection.csp } };
  }

  async function check(): Promise<{ themeId: string; errors: string[] }[]> {
    const s = await current();
    const out: { themeId: string; errors: string[] }[] = [];
    for (const theme of [...s.themes.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const errors = [...theme.errors];
      for (const def of theme.manifest?.templates ?? []) {
        if (theme.brokenTemplates.has(def.name)) continue;
        try {
          const { schema } = await templateConfig(s, theme.id, def);
          if (schema !== undefined) {
            for (const why of checkSchema(schema)) errors.push(`template "${def.name}": schema ${def.schema ?? ''}: ${why}`);
          }
        } catch (e) {
          const line = `template "${def.name}": ${isPmError(e, 'PM_ERR_THEME_BROKEN') ? String(e.params.detail) : shortError(e)}`;
          // The loader words a missing file the same way; say it once.
          if (!errors.includes(line)) errors.push(line);
        }
      }
      if (errors.length) out.push({ themeId: theme.id, errors });
    }
    return out;
  }

  return {
    load,
    reload: load,
    check,
    list() {
      if (!state) return [];
      return [...state.themes.values()].map(info).sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    async getTemplate(themeId, templateName) {
      const s = await current();
      const { def } = findTemplate(s, themeId, templateName);
      const { schema, sample } = await templateConfig(s, themeId, def);
      return { name: def.name, description: def.description, schema: schema ?? { ...DEFAULT_SCHEMA }, sample: sample ?? {} };
    },
    render,
    async serveAsset(themeId, path, ifNoneMatch, v) {
      const s = await current();
      // Only loaded themes are served, and each path is checked before any read.
      normalizeFsPath(path);
      if (!s.themes.has(themeId)) return { status: 404, body: Buffer.from('Not found'), headers: { 'content-type': 'text/plain; charset=utf-8' } };
      return serveThemeAsset(fs, themeId, path, ifNoneMatch, v);
    },
    async serveTemplate(reply, _request, themeId, templateName, data, ctx) {
      const nonce = randomBytes(16).toString('base64');
      const { status, ...renderCtx } = ctx;
      const { html, headers } = await render(themeId, templateName, data, { ...renderCtx, nonce });
      reply.code(status ?? 200);
      for (const [k, val] of Object.entries(headers)) reply.header(k, val);
      reply.type('text/html; charset=utf-8');
      reply.send(html);
    },
    assetUrl(themeId, path) {
      return assetUrlFor(state?.themes.get(themeId), themeId, path);
    },
    setImageResolver(resolver) {
      imageResolver = resolver;
      return () => {
        if (imageResolver === resolver) imageResolver = undefined;
      };
    },
    addGlobalAsset(set) {
      assertAssetSet(set, 'addGlobalAsset');
      const copy: AssetSet = { styles: set.styles && [...set.styles], scripts: set.scripts && [...set.scripts], cspSources: set.cspSources && { ...set.cspSources } };
      globals.push(copy);
      return () => {
        const i = globals.indexOf(copy);
        if (i !== -1) globals.splice(i, 1);
      };
    },
  };
}
