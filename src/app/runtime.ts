/**
 * What differs between running from a checkout (`npm start`, `node dist/…`)
 * and running as the single executable: where the shipped files (built-in
 * themes, locales.txt, the plugins' stylesheets and scripts) are read from,
 * where better-sqlite3's addon comes from, the version, and the default data
 * folder. Decided once, on first use (not at import).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDirFS } from '../themes/dir-fs.js';
import type { ReadonlyFS } from '../themes/readonly-fs.js';
import { findProjectRoot } from './paths.js';
import { createSeaRuntime, isSea } from './sea-runtime.js';

export interface Runtime {
  readonly kind: 'source' | 'binary';
  readonly version: string;
  /** A folder of the files pagemanager ships, as a ReadonlyFS: `pm-themes`, `pm-plugins/dashboard`, or `''` (locales.txt). */
  files(folder?: string): ReadonlyFS;
  /** better-sqlite3's addon to hand it as `nativeBinding`, or undefined to let it find its own. */
  sqliteAddon(dataDir: string): object | undefined;
  /** The data folder when neither --dir nor PM_DIR names one (relative paths are from the working folder). */
  defaultDataDir(): string;
}

function createSourceRuntime(): Runtime {
  const root = findProjectRoot();
  return {
    kind: 'source',
    version: (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
    files: (folder = '') => createDirFS(join(root, folder)),
    sqliteAddon: () => undefined,
    defaultDataDir: () => 'pagemanager-data',
  };
}

let current: Runtime | undefined;

/** The runtime this process is: the source tree's or the single executable's. */
export function runtime(): Runtime {
  return (current ??= isSea() ? createSeaRuntime() : createSourceRuntime());
}
