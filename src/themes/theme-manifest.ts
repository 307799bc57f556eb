/**
 * `theme.json`: what a theme declares. Parsing never throws; it returns the
 * manifest it could build and a list of errors a theme author can act on.
 */
import { isPmError } from '../errors/errors.js';
import { CSP_DIRECTIVES, checkCspSource } from './injection.js';
import type { CspSources } from './injection.js';
import { normalizeFsPath } from './readonly-fs.js';

/** One template a theme offers, as declared in `theme.json`. */
export interface TemplateDef {
  /** Unique in the theme: `home`, `post`, `404`. */
  name: string;
  /** Path of the eta file, relative to the theme folder. */
  file: string;
  /** JSON Schema of the template's data, relative to the theme folder. */
  schema?: string;
  /** Sample data (JSON) for previews and `check()`. */
  sample?: string;
  description: string;
  /** What people call it ("Blog index", "Résumé"); `title` in theme.json, else made from the name. */
  title: string;
  screenshot?: string;
}

/**
 * A theme's `theme.json`.
 *
 * @example
 * { "id": "daybreak", "name": "Daybreak", "version": "1.0.0", "styles": ["assets/style.css"],
 *   "templates": [{ "name": "home", "file": "templates/home.eta", "schema": "schemas/home.json" }],
 *   "notFound": "404" }
 */
export interface ThemeManifest {
  id: string;
  name: string;
  description: string;
  version: string;
  author: string;
  license: string;
  screenshot?: string;
  /** Stylesheets (theme-relative) linked by `it.pm.head()` on every page. */
  styles: string[];
  /** Scripts (theme-relative) loaded by `it.pm.bodyEnd()` on every page. */
  scripts: string[];
  templates: TemplateDef[];
  /** The template used for 404 pages. */
  notFound?: string;
  /** Extra CSP sources the theme needs (a font host, `'unsafe-inline'` styles, …). */
  csp?: CspSources;
  /**
   * Which template fills each page a plugin renders: `{ "blog.post": "post", "blog.index": "blog-index" }`.
   * A plugin falls back to its own defaults for roles the theme does not name.
   */
  fills: Record<string, string>;
}

export const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export interface ParsedManifest {
  /** Undefined when theme.json is missing or unusable: the whole theme is broken. */
  manifest?: ThemeManifest;
  errors: string[];
  /** Templates declared so badly they cannot be used, by name (when a name could be read). */
  badTemplates: Map<string, string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkPath(v: unknown, where: string, errors: string[]): string | undefined {
  if (typeof v !== 'string' || v === '') {
    errors.push(`theme.json: ${where} must be a path (a non-empty string)`);
    return undefined;
  }
  try {
    const p = normalizeFsPath(v);
    if (p === '') throw new Error('it names the theme folder itself');
    return p;
  } catch (e) {
    errors.push(`theme.json: ${where} ${JSON.stringify(v)} is not a usable path: ${isPmError(e) ? String(e.params.reason) : (e as Error).message}`);
    return undefined;
  }
}

/** `blog-index` → `Blog index`, for a template whose theme.json gives no title. */
export function titleFromName(name: string): string {
  const words = name.replace(/[-_.]+/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : name;
}

function optString(obj: Record<string, unknown>, key: string, errors: string[], fallback = ''): string {
  const v = obj[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string') {
    errors.push(`theme.json: "${key}" must be a string`);
    return fallback;
  }
  return v;
}

function pathList(obj: Record<string, unknown>, key: string, errors: string[]): string[] {
  const v = obj[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    errors.push(`theme.json: "${key}" must be a list of paths`);
    return [];
  }
  return v.flatMap((p, i) => checkPath(p, `${key}[${i}]`, errors) ?? []);
}

function parseCsp(v: unknown, errors: string[]): CspSources | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) {
    errors.push('theme.json: "csp" must be an object of directive → list of sources');
    return undefined;
  }
  const out: CspSources = {};
  for (const [dir, sources] of Object.entries(v)) {
    if (!(CSP_DIRECTIVES as readonly string[]).includes(dir)) {
      errors.push(`theme.json: csp.${dir} is not a directive a theme may extend (${CSP_DIRECTIVES.join(', ')})`);
      continue;
    }
    if (!Array.isArray(sources) || sources.some((s) => typeof s !== 'string' || checkCspSource(s))) {
      errors.push(`theme.json: csp.${dir} must be a list of single CSP sources without spaces, ";" or ","`);
      continue;
    }
    out[dir as keyof CspSources] = sources as string[];
  }
  return out;
}

/** Parses and checks `theme.json` of the folder `folderId`. */
export function parseManifest(text: string, folderId: string): ParsedManifest {
  const errors: string[] = [];
  const badTemplates = new Map<string, string>();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { errors: [`theme.json is not valid JSON: ${(e as Error).message}`], badTemplates };
  }
  if (!isObject(raw)) return { errors: ['theme.json must hold a JSON object'], badTemplates };

  if (raw.id !== undefined && raw.id !== folderId) {
    errors.push(`theme.json: "id" is ${JSON.stringify(raw.id)} but the folder is ${JSON.stringify(folderId)}; they must match`);
  }
  const templates: TemplateDef[] = [];
  if (!Array.isArray(raw.templates)) {
    errors.push('theme.json: "templates" must be a list of { "name", "file" } objects');
  } else {
    raw.templates.forEach((t: unknown, i: number) => {
      const where = `templates[${i}]`;
      if (!isObject(t)) {
        errors.push(`theme.json: ${where} must be an object`);
        return;
      }
      if (typeof t.name !== 'string' || !TEMPLATE_NAME.test(t.name)) {
        errors.push(`theme.json: ${where}.name must be a name of letters, digits, "-", "_" or "." (got ${JSON.stringify(t.name)})`);
        return;
      }
      const name = t.name;
      if (templates.some((x) => x.name === name) || badTemplates.has(name)) {
        errors.push(`theme.json: template "${name}" is declared twice`);
        return;
      }
      const mine: string[] = [];
      const file = checkPath(t.file, `${where}.file`, mine);
      const schema = t.schema === undefined ? undefined : checkPath(t.schema, `${where}.schema`, mine);
      const sample = t.sample === undefined ? undefined : checkPath(t.sample, `${where}.sample`, mine);
      const screenshot = t.screenshot === undefined ? undefined : checkPath(t.screenshot, `${where}.screenshot`, mine);
      const description = optString(t, 'description', mine);
      const title = optString(t, 'title', mine) || titleFromName(name);
      errors.push(...mine);
      if (file === undefined || (t.schema !== undefined && schema === undefined) || (t.sample !== undefined && sample === undefined)) {
        badTemplates.set(name, mine.join('; '));
        return;
      }
      templates.push({ name, file, schema, sample, description, title, screenshot });
    });
  }

  const manifest: ThemeManifest = {
    id: folderId,
    name: optString(raw, 'name', errors, folderId) || folderId,
    description: optString(raw, 'description', errors),
    version: optString(raw, 'version', errors),
    author: optString(raw, 'author', errors),
    license: optString(raw, 'license', errors),
    screenshot: raw.screenshot === undefined ? undefined : checkPath(raw.screenshot, '"screenshot"', errors),
    styles: pathList(raw, 'styles', errors),
    scripts: pathList(raw, 'scripts', errors),
    templates,
    csp: parseCsp(raw.csp, errors),
    fills: {},
  };
  if (raw.fills !== undefined) {
    if (!isObject(raw.fills)) errors.push('theme.json: "fills" must be an object of role → template name');
    else {
      for (const [role, name] of Object.entries(raw.fills)) {
        if (typeof name !== 'string' || !(templates.some((t) => t.name === name) || badTemplates.has(name))) {
          errors.push(`theme.json: fills.${role} must name one of the theme's templates (got ${JSON.stringify(name)})`);
        } else manifest.fills[role] = name;
      }
    }
  }
  if (raw.notFound !== undefined) {
    if (typeof raw.notFound !== 'string' || !(templates.some((t) => t.name === raw.notFound) || badTemplates.has(raw.notFound))) {
      errors.push(`theme.json: "notFound" must name one of the theme's templates (got ${JSON.stringify(raw.notFound)})`);
    } else {
      manifest.notFound = raw.notFound;
    }
  }
  return { manifest, errors, badTemplates };
}
