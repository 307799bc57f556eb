/**
 * Native addons inside the single executable. The SEA's own `require` loads
 * only Node's built-in modules, so an addon the build put in as assets
 * (better-sqlite3's, sharp's with its libvips) is written once to a cache
 * folder named by the files' hashes (two versions never collide, a second
 * start writes nothing) and loaded with `process.dlopen`. Files keep their
 * relative layout, so sharp's addon finds libvips through its rpath.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir, constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';

/** One addon as the build lists it in pm-bundle.json. */
export interface NativeEntry {
  /** Every file to lay out: the asset's key, its path in the cache folder, its sha256 (hex). */
  files: { asset: string; path: string; sha256: string }[];
  /** Which of those paths is the addon to load. */
  main: string;
}

interface Sea {
  getRawAsset(key: string): ArrayBuffer;
  getAsset(key: string, encoding: 'utf8'): string;
}

const seaModule = (): Sea => createRequire(import.meta.url)('node:sea') as Sea;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function layOutAndLoad(dir: string, entry: NativeEntry, sea: Sea): object {
  for (const f of entry.files) {
    const file = join(dir, f.path);
    if (existsSync(file) && sha256(readFileSync(file)) === f.sha256) continue;
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Written beside and renamed: a second process starting at the same moment never loads half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, new Uint8Array(sea.getRawAsset(f.asset)), { mode: 0o700 });
    renameSync(tmp, file);
  }
  const mod = { exports: {} as object };
  process.dlopen(mod, join(dir, entry.main), osConstants.dlopen.RTLD_NOW);
  return mod.exports;
}

const loaded = new Map<string, object>();

/**
 * Loads addon `name` from the bundle: from the temporary folder, else from the
 * `fallbackDirs` (a `noexec` /tmp refuses to map the file as code).
 */
export function loadNativeFromBundle(name: string, fallbackDirs: string[] = []): object {
  const done = loaded.get(name);
  if (done) return done;
  const sea = seaModule();
  const index = JSON.parse(sea.getAsset('pm-bundle.json', 'utf8')) as { native: Record<string, NativeEntry> };
  const entry = index.native[name];
  if (!entry) throw new Error(`this build of pagemanager carries no ${name} addon`);
  const key = sha256(Buffer.from(entry.files.map((f) => f.sha256).join(','))).slice(0, 16);
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  const bases = [join(tmpdir(), `pagemanager-${uid}`), ...fallbackDirs, join(homedir(), '.cache', 'pagemanager')];
  const failures: string[] = [];
  for (const base of bases) {
    try {
      const exports = layOutAndLoad(join(base, `${name}-${key}`), entry, sea);
      loaded.set(name, exports);
      return exports;
    } catch (e) {
      failures.push(`${base}: ${(e as Error).message}`);
    }
  }
  throw new Error(`cannot load the ${name} addon from any of its folders (${failures.join('; ')})`);
}
