/**
 * One eta instance per theme. Eta reads files synchronously, so the theme's
 * `.eta` sources are read through the ReadonlyFS when the theme loads and
 * eta's `readFile`/`resolvePath` only look them up in memory: a template can
 * never reach the disk, and `layout('./layout')` or `include('/partials/x')`
 * resolve inside the theme folder. Compiled templates are cached on the
 * instance, which a reload replaces.
 */
import { posix } from 'node:path';
import { Eta } from 'eta/core';
import { isPmError } from '../errors/errors.js';
import { normalizeFsPath } from './readonly-fs.js';

export interface ThemeEngine {
  /** Compiles every source; returns the errors by file. Fills the cache. */
  compileAll(): Map<string, string>;
  /** Renders the template at `file` (theme-relative). Throws with a readable message. */
  render(file: string, it: object): string;
}

/** Eta's messages for bad syntax carry the whole generated function; keep the human part. */
/**
 * A template error without the template's source lines (Eta quotes them around the failing
 * line): `templates/home.eta:48: Cannot read properties of null (reading 'image')`. For clients;
 * the whole of it (shortError) goes to the log.
 */
export function publicTemplateError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const lines = msg.split('\n').map((l) => l.trim()).filter((l) => l && !/^(>>\s*)?\d+\s*\|/.test(l) && !/^=+$/.test(l));
  const text = lines.join(': ');
  return text.length > 300 ? text.slice(0, 300) + '…' : text;
}

export function shortError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const cut = msg.split(/\n=+\n/)[0] ?? msg;
  const text = cut.replace(/\n{2,}/g, '\n').trim();
  return text.length > 600 ? text.slice(0, 600) + '…' : text;
}

export function createThemeEngine(sources: ReadonlyMap<string, string>): ThemeEngine {
  const eta = new Eta({ autoEscape: true, cache: true, debug: true, defaultExtension: '.eta', varName: 'it', useWith: false });

  eta.resolvePath = function resolvePath(template: string, options?: { filepath?: string }): string {
    let p = template + (posix.extname(template) ? '' : '.eta');
    if (p.startsWith('/')) p = p.replace(/^\/+/, '');
    else if (options?.filepath) p = posix.join(posix.dirname(options.filepath), p);
    p = posix.normalize(p);
    if (p === '..' || p.startsWith('../')) throw new Error(`Template '${template}' is outside the theme folder`);
    try {
      p = normalizeFsPath(p);
    } catch (e) {
      throw new Error(`Template '${template}' is not a usable path: ${isPmError(e) ? String(e.params.reason) : String(e)}`);
    }
    if (!sources.has(p)) throw new Error(`Template '${template}' was not found in the theme (looked for ${p})`);
    return p;
  };
  eta.readFile = function readFile(path: string): string {
    const src = sources.get(path);
    if (src === undefined) throw new Error(`Template file ${path} was not found in the theme`);
    return src;
  };

  return {
    compileAll() {
      const errors = new Map<string, string>();
      for (const [file, src] of sources) {
        try {
          eta.templatesSync.define(file, eta.compile(src, { async: false, filepath: file }));
        } catch (e) {
          errors.set(file, shortError(e));
        }
      }
      return errors;
    },
    render(file, it) {
      return eta.render(file, it);
    },
  };
}
