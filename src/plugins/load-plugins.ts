import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PmError } from '../errors/errors.js';
import type { Plugin } from './api.js';

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
