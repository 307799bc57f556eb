/**
 * The single executable's side of runtime.ts. `npm run build:binary` puts the
 * shipped files into the executable as SEA assets, with `pm-bundle.json`
 * listing them, and the native addons as more assets (see sea-native.ts).
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createEmbeddedFS } from '../themes/embedded-fs.js';
import type { Runtime } from './runtime.js';
import { loadNativeFromBundle, type NativeEntry } from './sea-native.js';

/** What the build writes as the `pm-bundle.json` asset. */
export interface BundleIndex {
  version: string;
  builtAtMs: number;
  /** Every shipped file: path → size (each is an asset under its path). */
  files: Record<string, number>;
  /** The native addons: better-sqlite3's (`sqlite`), sharp's with libvips (`sharp`). */
  native: Record<string, NativeEntry>;
}

interface Sea {
  isSea(): boolean;
  getRawAsset(key: string): ArrayBuffer;
  getAsset(key: string, encoding: 'utf8'): string;
}

/** node:sea, where this Node has it (20.12 and later). */
function sea(): Sea | undefined {
  try {
    return createRequire(import.meta.url)('node:sea') as Sea;
  } catch {
    return undefined;
  }
}

export function isSea(): boolean {
  return sea()?.isSea() ?? false;
}

export function createSeaRuntime(): Runtime {
  const s = sea()!;
  const index = JSON.parse(s.getAsset('pm-bundle.json', 'utf8')) as BundleIndex;
  const source = { files: index.files, builtAtMs: index.builtAtMs, read: (p: string) => s.getRawAsset(p) };
  return {
    kind: 'binary',
    version: index.version,
    files: (folder = '') => createEmbeddedFS(source, folder),
    // The data folder is the fallback for a noexec /tmp.
    sqliteAddon: (dataDir) => loadNativeFromBundle('sqlite', [join(dataDir, '.pm-native')]),
    defaultDataDir() {
      // Beside the executable when that folder can be written (a USB stick, a Downloads folder), else in the home folder.
      const beside = dirname(process.execPath);
      if (existsSync(join(beside, 'pagemanager-data'))) return join(beside, 'pagemanager-data');
      try {
        accessSync(beside, constants.W_OK);
        return join(beside, 'pagemanager-data');
      } catch {
        return join(homedir(), 'pagemanager-data');
      }
    },
  };
}
