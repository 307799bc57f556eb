/**
 * Reads one theme folder through the ReadonlyFS into memory: every file's
 * hash (for `asset()` fingerprints and change detection), the eta sources
 * (compiled here), the parsed theme.json, and every problem found on the way.
 * Loading never throws for a broken theme; the problems are its `errors`.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { isPmError } from '../errors/errors.js';
import { joinFsPath } from './readonly-fs.js';
import type { ReadonlyFS } from './readonly-fs.js';
import { sha256Hex } from './theme-assets.js';
import { createThemeEngine, shortError } from './theme-engine.js';
import type { ThemeEngine } from './theme-engine.js';
import { TEMPLATE_NAME, parseManifest } from './theme-manifest.js';
import type { ThemeManifest } from './theme-manifest.js';

export interface LoadedTheme {
  id: string;
  /** Undefined when theme.json is missing or unusable: nothing in the theme renders. */
  manifest?: ThemeManifest;
  errors: string[];
  /** Templates that cannot render, by name, with the reason. */
  brokenTemplates: Map<string, string>;
  /** sha256 (hex) of every file, by theme-relative path. */
  fileHashes: Map<string, string>;
  engine: ThemeEngine;
  /** Hash over every file's path and content: equal hashes, same theme. */
  contentHash: string;
}

/** How many files of a theme are read at once. */
const READ_CONCURRENCY = 16;

async function walk(fs: ReadonlyFS, dir: string, out: string[]): Promise<void> {
  for (const e of await fs.readDir(dir)) {
    if (e.name.startsWith('.')) continue; // .git, .DS_Store: never part of a theme
    const p = joinFsPath(dir, e.name);
    if (e.isDir) await walk(fs, p, out);
    else out.push(p);
  }
}

/** Literal `layout('…')`/`include('…')` targets, so a missing one is reported at load, not on a visitor's request. */
const REFERENCE = /\b(?:layout|include|includeAsync)\(\s*(['"`])([^'"`$]+)\1/g;

export async function loadTheme(fs: ReadonlyFS, id: string): Promise<LoadedTheme> {
  const errors: string[] = [];
  const brokenTemplates = new Map<string, string>();
  const fileHashes = new Map<string, string>();
  const sources = new Map<string, string>();
  let manifestText: string | undefined;

  if (!TEMPLATE_NAME.test(id)) errors.push(`the folder name ${JSON.stringify(id)} is not a usable theme id (letters, digits, "-", "_", ".")`);

  const files: string[] = [];
  try {
    await walk(fs, id, files);
  } catch (e) {
    errors.push(`the theme folder could not be read: ${isPmError(e) ? e.message : shortError(e)}`);
  }
  const prefix = id + '/';
  for (let i = 0; i < files.length; i += READ_CONCURRENCY) {
    await Promise.all(
      files.slice(i, i + READ_CONCURRENCY).map(async (full) => {
        const rel = full.slice(prefix.length);
        try {
          const data = await fs.readFile(full);
          fileHashes.set(rel, sha256Hex(data));
          if (rel === 'theme.json') manifestText = data.toString('utf8');
          else if (rel.endsWith('.eta')) sources.set(rel, data.toString('utf8'));
        } catch (e) {
          errors.push(`${rel} could not be read: ${isPmError(e) ? e.message : shortError(e)}`);
        }
      }),
    );
  }

  let manifest: ThemeManifest | undefined;
  if (manifestText === undefined) {
    errors.push('theme.json is missing');
  } else {
    const parsed = parseManifest(manifestText, id);
    manifest = parsed.manifest;
    errors.push(...parsed.errors);
    for (const [name, why] of parsed.badTemplates) brokenTemplates.set(name, why);
  }

  const engine = createThemeEngine(sources);
  const compileErrors = engine.compileAll();
  for (const [file, why] of [...compileErrors].sort()) errors.push(`${file} does not compile: ${why}`);

  // References between eta files, checked without rendering.
  const missingRefs = new Map<string, string>();
  for (const [file, src] of sources) {
    for (const m of src.matchAll(REFERENCE)) {
      const target = m[2] as string;
      let p = target + (posix.extname(target) ? '' : '.eta');
      p = p.startsWith('/') ? p.replace(/^\/+/, '') : posix.join(posix.dirname(file), p);
      p = posix.normalize(p);
      if (!sources.has(p)) {
        const outside = p === '..' || p.startsWith('../');
        const why = `${file} uses ${JSON.stringify(target)}, ${outside ? 'which is outside the theme folder' : `but ${p} is not in the theme`}`;
        errors.push(why);
        missingRefs.set(file, why);
      }
    }
  }

  if (manifest) {
    const need = (path: string | undefined, what: string): void => {
      if (path !== undefined && !fileHashes.has(path)) errors.push(`${what} ${path} is missing`);
    };
    need(manifest.screenshot, 'the screenshot');
    for (const s of manifest.styles) need(s, 'the stylesheet');
    for (const s of manifest.scripts) need(s, 'the script');
    for (const t of manifest.templates) {
      const where = `template "${t.name}":`;
      if (!t.file.endsWith('.eta')) {
        brokenTemplates.set(t.name, `${t.file} is not an .eta file`);
        errors.push(`${where} ${t.file} is not an .eta file`);
      } else if (!sources.has(t.file)) {
        brokenTemplates.set(t.name, `${t.file} is missing`);
        errors.push(`${where} ${t.file} is missing`);
      } else if (compileErrors.has(t.file)) {
        brokenTemplates.set(t.name, `${t.file} does not compile: ${compileErrors.get(t.file)}`);
      } else if (missingRefs.has(t.file)) {
        brokenTemplates.set(t.name, missingRefs.get(t.file) as string);
      }
      need(t.schema, `${where} the schema`);
      need(t.sample, `${where} the sample`);
      need(t.screenshot, `${where} the screenshot`);
    }
  }

  const h = createHash('sha256');
  for (const [p, hash] of [...fileHashes].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(`${p}\0${hash}\n`);
  return { id, manifest, errors, brokenTemplates, fileHashes, engine, contentHash: h.digest('hex') };
}

/** Loads every folder at the root of `fs` as a theme. A missing root means no themes. */
export async function loadThemes(fs: ReadonlyFS): Promise<Map<string, LoadedTheme>> {
  let entries;
  try {
    entries = await fs.readDir('');
  } catch (e) {
    if (isPmError(e, 'PM_ERR_NOT_FOUND')) return new Map();
    throw e;
  }
  const ids = entries.filter((e) => e.isDir && !e.name.startsWith('.')).map((e) => e.name);
  const themes = await Promise.all(ids.map((id) => loadTheme(fs, id)));
  return new Map(themes.map((t) => [t.id, t]));
}
