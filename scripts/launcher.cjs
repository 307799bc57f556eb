#!/usr/bin/env node
/**
 * Starts the one-file bundle of src/cli/main.ts with a V8 code cache. Compiling 3-4 MiB of
 * JavaScript is the largest single cost of a start (about 170 ms on a 2-core machine); with the
 * cache V8 reuses what an earlier start compiled, the functions that start ran included.
 *
 * Two copies of this file: `npm run build` writes it as dist/pagemanager.cjs, beside the bundle
 * (dist/pagemanager-bundle.cjs); `npm run build:binary` makes it the single executable's main,
 * with the bundle as the asset pm-main.cjs.
 *
 * The cache is written once, a few seconds after a start without one (or at exit, whichever
 * comes first), keyed by the Node version and the bundle's build; V8 itself refuses a cache that
 * does not match, and the bundle is then compiled as without one and the cache written again.
 * It is read only from a folder that is ours alone (owned by this user, writable by no one
 * else): dist/.code-cache/ beside the bundle, else pagemanager-UID/code-cache in the temporary
 * folder, else ~/.cache/pagemanager/code-cache.
 */
'use strict';
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { homedir, tmpdir } = require('node:os');
const { join } = require('node:path');
const vm = require('node:vm');

const isSea = (() => {
  try {
    return require('node:sea').isSea();
  } catch {
    return false;
  }
})();
const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
const userDirs = [join(tmpdir(), `pagemanager-${uid ?? 'user'}`, 'code-cache'), join(homedir(), '.cache', 'pagemanager', 'code-cache')];

let source;
let filename;
let build;
let dirs;
if (isSea) {
  const sea = require('node:sea');
  source = sea.getAsset('pm-main.cjs', 'utf8');
  filename = __filename;
  build = `${JSON.parse(sea.getAsset('pm-bundle.json', 'utf8')).builtAtMs}-${source.length}`;
  dirs = userDirs;
} else {
  filename = join(__dirname, 'pagemanager-bundle.cjs');
  source = readFileSync(filename, 'utf8');
  const st = statSync(filename);
  build = `${st.size}-${Math.floor(st.mtimeMs)}`;
  dirs = [join(__dirname, '.code-cache'), ...userDirs];
}
const name = `pagemanager-${process.version}-${process.arch}-${build}.bin`;

/** A folder only this user can write to: what it holds is run as code. */
function ours(dir) {
  try {
    const st = statSync(dir);
    if (!st.isDirectory()) return false;
    return uid === undefined || (st.uid === uid && (st.mode & 0o022) === 0);
  } catch {
    return false;
  }
}

let cachedData;
for (const d of dirs) {
  if (!ours(d)) continue;
  try {
    cachedData = readFileSync(join(d, name));
    break;
  } catch {
    // Not there: the next folder, or no cache.
  }
}

const script = new vm.Script(Module.wrap(source), {
  filename,
  cachedData,
  // import() inside the bundle (a user's .mjs plugin) goes to Node's own loader, as in a module of its own.
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
const hadCache = cachedData !== undefined;
// V8 keeps its own copy of the wrapped source; the 3-4 MiB source and the cache read (about as
// much again) would otherwise live as long as this module's scope: for the whole run.
source = undefined;
cachedData = undefined;

if (!hadCache || script.cachedDataRejected) {
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // The cache is refused unless V8's flags are those of the start that reads it, and the page
    // cache turns on --expose-gc (src/pages/page-cache.ts): turned off again to write it.
    require('node:v8').setFlagsFromString('--no-expose-gc');
    const data = script.createCachedData();
    for (const d of dirs) {
      try {
        mkdirSync(d, { recursive: true, mode: 0o700 });
        if (!ours(d)) continue;
        const tmp = join(d, `${name}.${process.pid}.tmp`);
        writeFileSync(tmp, data, { mode: 0o600 });
        renameSync(tmp, join(d, name));
        return;
      } catch {
        // Not writable: the next folder; with none, every start compiles (as without a cache).
      }
    }
  };
  setTimeout(write, 4000).unref();
  process.once('exit', write);
}

const run = script.runInThisContext();
if (isSea) {
  // The executable's main as the bundle was before: the SEA's own require (built-in modules), module and paths.
  run.call(module.exports, module.exports, require, module, __filename, __dirname);
} else {
  const m = new Module(filename, module);
  m.filename = filename;
  m.paths = Module._nodeModulePaths(__dirname);
  m.loaded = true;
  run.call(m.exports, m.exports, Module.createRequire(filename), m, filename, __dirname);
}
