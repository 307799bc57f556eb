/**
 * Which plugins run, and in which order: the built-ins from a static list
 * (src/app/builtin-plugins.ts, so nothing is found by reading a folder of the
 * program), then the user's from the data folder's pm-plugins/; a user plugin
 * with a built-in's folder name replaces it. Load order follows `dependsOn`
 * (a dependency first), otherwise the list's order.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ERROR_CODE_PATTERN, ERRORS, PmError } from '../errors/errors.js';
import type { Plugin } from './api.js';

/** The specifier plugins import the API by. */
export const PLUGIN_ENTRY = 'pagemanager/plugin';
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

const ENTRY_NAMES = ['index.ts', 'index.js', 'index.mjs', 'index.cjs'];

export interface FoundPlugin {
  folder: string;
  /** The entry file of a plugin on disk (the data folder's pm-plugins/). */
  entry?: string;
  /** A built-in plugin's import, from the static list. */
  load?: () => Promise<{ default?: unknown }>;
  builtIn: boolean;
}

/**
 * The plugins to load: the built-in ones (a static list), then the data
 * folder's `pm-plugins/`. A user plugin with a built-in's folder name replaces it.
 */
export function discoverPlugins(builtIns: readonly { folder: string; load: () => Promise<{ default?: unknown }> }[], userDir: string): FoundPlugin[] {
  const found = new Map<string, FoundPlugin>();
  for (const b of builtIns) found.set(b.folder, { folder: b.folder, load: b.load, builtIn: true });
  if (existsSync(userDir)) {
    for (const name of readdirSync(userDir).sort()) {
      const folder = join(userDir, name);
      if (name.startsWith('.') || !statSync(folder).isDirectory()) continue;
      const entry = ENTRY_NAMES.map((e) => join(folder, e)).find((p) => existsSync(p));
      if (entry) found.set(name, { folder: name, entry, builtIn: false });
    }
  }
  return [...found.values()];
}

export async function importPlugin(p: FoundPlugin): Promise<Plugin> {
  if (p.entry) registerEntryHook();
  let mod: { default?: unknown };
  const from = p.entry ?? `the built-in ${p.folder}`;
  try {
    mod = p.load ? await p.load() : await import(pathToFileURL(p.entry!).href);
  } catch (e) {
    const msg = (e as Error).message;
    // A plain-JavaScript ESM plugin in a folder without package.json can be taken for CommonJS.
    const hint = /require\(\) ES Module|Cannot use import statement|ERR_REQUIRE/.test(msg) ? ' (name the file index.mjs, or add a package.json with {"type": "module"} to the plugin folder)' : '';
    throw new PmError('PM_ERR_PLUGIN_INIT', { plugin: p.folder, detail: `it could not be loaded from ${from}: ${msg}${hint}` }, { cause: e });
  }
  // A CommonJS plugin (index.cjs, module.exports = { name, … }) arrives as the default export.
  const plugin = mod.default as Plugin | undefined;
  if (!plugin || typeof plugin !== 'object' || typeof plugin.name !== 'string' || !plugin.name) {
    throw new PmError('PM_ERR_PLUGIN_INIT', { plugin: p.folder, detail: `${from} must export default { name, init?, routes? }` });
  }
  return plugin;
}

let entryHookRegistered = false;

/**
 * Lets a plugin outside this package (the data folder's pm-plugins/) import
 * `pagemanager/plugin`: a resolve hook maps the name to the entry this very
 * program runs, so the plugin shares its PmError class and everything else.
 * The hook is process-wide by nature, so it is registered once.
 */
function registerEntryHook(): void {
  if (entryHookRegistered) return;
  entryHookRegistered = true;
  const here = import.meta.url;
  const entry = new URL(here.endsWith('.ts') ? './plugin.ts' : './plugin.js', here).href;
  const hook = `let entry; export function initialize(d) { entry = d.entry; }
export async function resolve(specifier, context, next) {
  if (specifier === ${JSON.stringify(PLUGIN_ENTRY)}) return next(entry, context);
  return next(specifier, context);
}`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`, { data: { entry } });
}

const fail = (plugin: string, detail: string) => new PmError('PM_ERR_PLUGIN_INIT', { plugin, detail });

/** Checks what each plugin declares: its name, its error codes, what it provides and needs. */
function checkDeclarations(plugins: readonly Plugin[]): void {
  const codes = new Map<string, string>();
  for (const p of plugins) {
    if (!NAME_PATTERN.test(p.name)) throw fail(p.name, 'its name must be letters, digits, dashes and underscores');
    for (const list of ['provides', 'dependsOn'] as const) {
      const v = p[list];
      if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !x))) throw fail(p.name, `${list} must be a list of names`);
    }
    for (const [code, def] of Object.entries(p.errors ?? {})) {
      if (!ERROR_CODE_PATTERN.test(code)) throw fail(p.name, `its error code ${code} must look like PM_ERR_SOMETHING`);
      if (code in ERRORS) throw fail(p.name, `its error code ${code} is one of pagemanager's own`);
      const other = codes.get(code);
      if (other) throw fail(p.name, `its error code ${code} is already declared by the plugin ${other}`);
      if (!def || !Number.isInteger(def.status) || def.status < 400 || def.status > 599 || typeof def.message !== 'string' || !def.message) {
        throw fail(p.name, `its error code ${code} needs a status from 400 to 599 and a message`);
      }
      codes.set(code, p.name);
    }
  }
}

/**
 * The plugins in load order: each after what it depends on, otherwise in the
 * given order. A dependency nobody provides, two providers of one name, or a
 * cycle stop the start with PM_ERR_PLUGIN_INIT naming the plugin.
 * `disabled` names plugins turned off in config.toml, for a clearer message.
 */
export function orderPlugins(plugins: readonly Plugin[], disabled: ReadonlySet<string> = new Set()): Plugin[] {
  checkDeclarations(plugins);
  const byName = new Map<string, Plugin>();
  for (const p of plugins) {
    for (const name of [p.name, ...(p.provides ?? [])]) {
      const other = byName.get(name);
      if (other && other !== p) throw fail(p.name, `it provides "${name}", which the plugin ${other.name} provides already`);
      byName.set(name, p);
    }
  }
  const out: Plugin[] = [];
  const state = new Map<Plugin, 'visiting' | 'done'>();
  const visit = (p: Plugin, path: string[]) => {
    if (state.get(p) === 'done') return;
    if (state.get(p) === 'visiting') throw fail(p.name, `its dependencies go round in a circle: ${[...path, p.name].join(' → ')}`);
    state.set(p, 'visiting');
    for (const need of p.dependsOn ?? []) {
      const provider = byName.get(need);
      if (!provider) {
        throw fail(p.name, `it depends on "${need}", which no plugin provides${disabled.has(need) ? ` (the plugin ${need} is turned off in config.toml)` : ''}`);
      }
      if (provider !== p) visit(provider, [...path, p.name]);
    }
    state.set(p, 'done');
    out.push(p);
  };
  for (const p of plugins) visit(p, []);
  return out;
}
