import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PmError } from '../errors/errors.js';
import type { Plugin } from './api.js';

const ENTRY_NAMES = ['index.ts', 'index.js', 'index.mjs'];

export interface FoundPlugin {
  folder: string;
  entry: string;
  builtIn: boolean;
}

/**
 * Finds plugin folders: the built-in `pm-plugins/`, then the data folder's
 * `pm-plugins/`. A user plugin with a built-in's folder name replaces it.
 */
export function discoverPlugins(builtInDir: string, userDir: string): FoundPlugin[] {
  const found = new Map<string, FoundPlugin>();
  for (const [dir, builtIn] of [[builtInDir, true], [userDir, false]] as const) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const folder = join(dir, name);
      if (name.startsWith('.') || !statSync(folder).isDirectory()) continue;
      const entry = ENTRY_NAMES.map((e) => join(folder, e)).find((p) => existsSync(p));
      if (entry) found.set(name, { folder: name, entry, builtIn });
    }
  }
  return [...found.values()];
}

export async function importPlugin(p: FoundPlugin): Promise<Plugin> {
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(p.entry).href);
  } catch (e) {
    const msg = (e as Error).message;
    // A plain-JavaScript ESM plugin in a folder without package.json can be taken for CommonJS.
    const hint = /require\(\) ES Module|Cannot use import statement|ERR_REQUIRE/.test(msg) ? ' (name the file index.mjs, or add a package.json with {"type": "module"} to the plugin folder)' : '';
    throw new PmError('PM_ERR_PLUGIN_INIT', { plugin: p.folder, detail: `it could not be loaded from ${p.entry}: ${msg}${hint}` }, { cause: e });
  }
  const plugin = mod.default as Plugin | undefined;
  if (!plugin || typeof plugin !== 'object' || typeof plugin.name !== 'string' || !plugin.name) {
    throw new PmError('PM_ERR_PLUGIN_INIT', { plugin: p.folder, detail: `${p.entry} must export default { name, init?, routes? }` });
  }
  return plugin;
}
