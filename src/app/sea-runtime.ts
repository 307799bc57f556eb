/**
 * The single executable's side of runtime.ts. `npm run build:binary` puts the
 * shipped files into the executable as SEA assets, with `pm-bundle.json`
 * listing them, and better-sqlite3's addon as one more asset. The SEA's own
 * `require` loads only Node's built-in modules, so the addon is written once to
 * a cache folder (keyed by its hash, so two versions never collide) and loaded
 * with `process.dlopen`; when the temporary folder is mounted `noexec`, the
 * data folder is the fallback.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir, constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { createEmbeddedFS } from '../themes/embedded-fs.js';
import type { Runtime } from './runtime.js';

/** What the build writes as the `pm-bundle.json` asset. */
export interface BundleIndex {
  version: string;
  builtAtMs: number;
  /** Every shipped file: path → size (each is an asset under its path). */
  files: Record<string, number>;
  /** better-sqlite3's addon: the asset's key and its sha256 (hex). */
  sqlite: { asset: string; sha256: string };
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

/** Writes the addon to `dir` (unless an identical copy is there) and loads it; throws if the folder cannot hold or run it. */
function loadAddonFrom(dir: string, bytes: Buffer, sha256: string): object {
  const file = join(dir, `better_sqlite3-${sha256.slice(0, 16)}.node`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const same = existsSync(file) && createHash('sha256').update(readFileSync(file)).digest('hex') === sha256;
  if (!same) {
    // Written beside and renamed: a second process starting at the same moment never loads half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes, { mode: 0o700 });
    renameSync(tmp, file);
  }
  const mod = { exports: {} as object };
  process.dlopen(mod, file, osConstants.dlopen.RTLD_NOW);
  return mod.exports;
}

export function createSeaRuntime(): Runtime {
  const s = sea()!;
  const index = JSON.parse(s.getAsset('pm-bundle.json', 'utf8')) as BundleIndex;
  const source = { files: index.files, builtAtMs: index.builtAtMs, read: (p: string) => s.getRawAsset(p) };
  let addon: object | undefined;
  return {
    kind: 'binary',
    version: index.version,
    files: (folder = '') => createEmbeddedFS(source, folder),
    sqliteAddon(dataDir) {
      if (addon) return addon;
      const bytes = Buffer.from(s.getRawAsset(index.sqlite.asset));
      const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
      const dirs = [join(tmpdir(), `pagemanager-${uid}`), join(dataDir, '.pm-native')];
      const failures: string[] = [];
      for (const dir of dirs) {
        try {
          return (addon = loadAddonFrom(dir, bytes, index.sqlite.sha256));
        } catch (e) {
          failures.push(`${dir}: ${(e as Error).message}`);
        }
      }
      throw new Error(`cannot load the SQLite driver from any of its folders (${failures.join('; ')})`);
    },
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
