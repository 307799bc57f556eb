#!/usr/bin/env node
/**
 * dist/pagemanager.cjs, written by `npm run build` from this file: starts the one-file bundle
 * beside it (pagemanager-bundle.cjs) with a V8 code cache. Compiling 3 MiB of JavaScript is
 * the largest single cost of a start (about 170 ms here); with the cache V8 reuses what an
 * earlier start compiled. The cache is written once, a few seconds after a start without one
 * (or at exit, whichever comes first), so it also holds the functions the start ran. It sits in
 * dist/.code-cache/ (or the system's temporary folder when dist/ cannot be written), keyed by
 * the Node version and the bundle's size and time; V8 itself refuses a cache that does not
 * match, and then the bundle is compiled as without one and the cache written again.
 */
'use strict';
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const vm = require('node:vm');

const file = join(__dirname, 'pagemanager-bundle.cjs');
const source = readFileSync(file, 'utf8');
const st = statSync(file);
const name = `pagemanager-${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}.bin`;
const dirs = [join(__dirname, '.code-cache'), join(tmpdir(), 'pagemanager-code-cache')];

let cachedData;
for (const d of dirs) {
  try {
    cachedData = readFileSync(join(d, name));
    break;
  } catch {
    // Not there: the next folder, or no cache.
  }
}

const script = new vm.Script(Module.wrap(source), {
  filename: file,
  cachedData,
  // import() inside the bundle (a user's .mjs plugin) goes to Node's own loader, as in a module of its own.
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});

if (cachedData === undefined || script.cachedDataRejected) {
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
        mkdirSync(d, { recursive: true });
        const tmp = join(d, `${name}.${process.pid}.tmp`);
        writeFileSync(tmp, data);
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

const m = new Module(file, module);
m.filename = file;
m.paths = Module._nodeModulePaths(__dirname);
m.loaded = true;
script.runInThisContext().call(m.exports, m.exports, Module.createRequire(file), m, file, __dirname);
