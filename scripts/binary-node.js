/**
 * Where `npm run build:binary` keeps the Node the executable is built on and better-sqlite3's
 * addon compiled for it (node_modules/.cache/pagemanager-binary/). One place for those paths:
 * build-binary.js fills them, measure-startup.ts and .ci/run read them.
 *
 *   node scripts/binary-node.js node     the cached Node's executable
 *   node scripts/binary-node.js addon    better-sqlite3's addon built for it
 *
 * Each prints the path, or exits 1 with a line saying to run `npm run build:binary` first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = '24.22.3';
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'pagemanager-binary');

/** The registry's Node package for this platform, as build-binary.js installs it into the cache. */
export function cachedNode(version = NODE_VERSION) {
  const name = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  const dir = join(CACHE, `${name}-${version}`);
  const home = join(dir, 'node_modules', name);
  const node = join(home, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  return { name, dir, home, node, version };
}

/** better-sqlite3's folder copied and compiled for Node `nodeVersion`, and the addon inside it. */
export function cachedAddon(nodeVersion = NODE_VERSION) {
  const bs = join(ROOT, 'node_modules', 'better-sqlite3');
  const bsVersion = JSON.parse(readFileSync(join(bs, 'package.json'), 'utf8')).version;
  const dir = join(CACHE, `better-sqlite3-${bsVersion}-node-${nodeVersion}`);
  return { source: bs, version: bsVersion, dir, addon: join(dir, 'build', 'Release', 'better_sqlite3.node') };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const what = process.argv[2];
  const path = what === 'node' ? cachedNode().node : what === 'addon' ? cachedAddon().addon : undefined;
  if (path === undefined) {
    console.error('usage: node scripts/binary-node.js node|addon');
    process.exit(2);
  }
  if (!existsSync(path)) {
    console.error(`binary-node: ${path} is not there; run npm run build:binary first`);
    process.exit(1);
  }
  console.log(path);
}
