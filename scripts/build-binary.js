/**
 * `npm run build:binary`: dist/pagemanager, one file that runs without Node.js
 * installed (a Node single executable application).
 *
 *   1. A Node for the executable: by default Node 24 (an LTS) from the npm
 *      registry's node-<platform>-<arch> package, which also carries its headers;
 *      `--node PATH` uses another one (`--node "$(which node)"` builds on the Node
 *      running this script, with the better-sqlite3 addon already in node_modules).
 *   2. better-sqlite3's addon compiled against that Node (node-gyp --nodedir).
 *   3. src/cli/main.ts bundled by esbuild into one CommonJS file (SEA mains are
 *      CommonJS; import.meta.url is defined from __filename).
 *   4. The shipped files (pm-themes/, locales.txt, the built-in plugins' non-code
 *      files) and the addon as SEA assets, listed in pm-bundle.json.
 *   5. The main: scripts/launcher.cjs, which runs the bundle (the asset pm-main.cjs)
 *      with a V8 code cache in the user's cache folder.
 *   6. The blob injected into a copy of that Node with postject; the size printed.
 *
 * Steps 1 and 2 are cached in node_modules/.cache/pagemanager-binary/.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { cachedAddon, cachedNode, NODE_VERSION, ROOT } from './binary-node.js';
import { asciiOnly, mainBundleOptions } from './bundle-main.js';

const { values } = parseArgs({ options: { node: { type: 'string' }, out: { type: 'string', default: 'dist/pagemanager' } } });
const out = resolve(ROOT, values.out);
const work = join(dirname(out), '.binary-build');
const started = Date.now();
const say = (msg) => console.log(`build:binary: ${msg} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** The Node binary and its headers folder (undefined: the running Node's own addon build is used). */
function nodeForBinary() {
  if (values.node) {
    const node = resolve(values.node);
    return { node, version: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim().slice(1), nodedir: undefined };
  }
  const { name, dir, home, node } = cachedNode();
  if (!existsSync(node)) {
    say(`fetching Node ${NODE_VERSION} (${name}) from the npm registry`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
    run('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', `${name}@${NODE_VERSION}`], { cwd: dir });
  }
  return { node, version: NODE_VERSION, nodedir: home };
}

/** better-sqlite3's addon for that Node. */
function sqliteAddon(target) {
  const { source: bs, version: bsVersion, dir, addon } = cachedAddon(target.version);
  if (!target.nodedir && target.version === process.versions.node) return join(bs, 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(addon)) return addon;
  if (!target.nodedir) throw new Error(`--node ${values.node} is Node ${target.version}, not the Node running this build (${process.versions.node}); leave --node out to build on Node ${NODE_VERSION}`);
  say(`compiling better-sqlite3 ${bsVersion} for Node ${target.version} (about a minute)`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(bs, dir, { recursive: true, filter: (src) => !src.startsWith(join(bs, 'build')) });
  // npm carries node-gyp; run it under the target Node so the addon's ABI is that Node's.
  const npmCli = process.env.npm_execpath && existsSync(process.env.npm_execpath) ? process.env.npm_execpath : execFileSync('node', ['-p', "require.resolve('npm/bin/npm-cli.js', { paths: [require('path').dirname(require('fs').realpathSync(require('child_process').execFileSync('which', ['npm'], { encoding: 'utf8' }).trim()))] })"], { encoding: 'utf8' }).trim();
  const gyp = join(dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  // npm's own settings (an npmrc's nodedir=/usr, say) reach node-gyp as npm_config_* and would beat --nodedir.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)));
  try {
    execFileSync(target.node, [gyp, 'rebuild', '--release', `--nodedir=${target.nodedir}`, '-j', '2'], { cwd: dir, env, stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    process.stderr.write(`${e.stdout ?? ''}${e.stderr ?? ''}`);
    throw new Error('compiling better-sqlite3 failed (see above); node-gyp needs python3, make and a C++ compiler');
  }
  return addon;
}

/** Every file under `dir` (relative to ROOT, POSIX), skipping what `skip` says. */
function* filesUnder(dir, skip = () => false) {
  for (const name of readdirSync(join(ROOT, dir)).sort()) {
    const rel = `${dir}/${name}`;
    if (skip(rel)) continue;
    if (statSync(join(ROOT, rel)).isDirectory()) yield* filesUnder(rel, skip);
    else yield rel;
  }
}

const target = nodeForBinary();
const addon = sqliteAddon(target);
say(`Node ${target.version}, better-sqlite3 addon ready`);

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const { build } = await import('esbuild');
const major = target.version.split('.')[0];
await build(mainBundleOptions(ROOT, major, {
  outfile: join(work, 'main.cjs'),
  // pg's optional native driver is never used; better-sqlite3's addon arrives through nativeBinding.
  external: ['pg-native'],
  plugins: [
    {
      // src/forms/lazy-libs.ts loads sanitize-html, ajv and Fastify's schema compilers on first use through createRequire, which finds
      // nothing beside the binary; in the bundle plain require() calls do it (esbuild runs a bundled
      // CommonJS module's body only when it is first required, so they stay lazy).
      name: 'lazy-libs-bundled',
      setup(b) {
        b.onLoad({ filter: /[\\/]src[\\/]forms[\\/]lazy-libs\.ts$/ }, () => ({
          contents: `let s, a;
export function requireSanitizeHtml() { return (s ??= require('sanitize-html')); }
export function requireAjv() {
  return (a ??= { Ajv: require('ajv').Ajv, Ajv2019: require('ajv/dist/2019.js').Ajv2019, Ajv2020: require('ajv/dist/2020.js').Ajv2020, addFormats: require('ajv-formats').default });
}
let f;
export function requireFastifyCompilers() {
  return (f ??= { validator: require('@fastify/ajv-compiler')(), serializer: require('@fastify/fast-json-stringify-compiler')() });
}`,
          loader: 'js',
          resolveDir: ROOT,
        }));
        // The same for src/users/lazy-zxcvbn.ts (the password estimator's dictionaries).
        b.onLoad({ filter: /[\\/]src[\\/]users[\\/]lazy-zxcvbn\.ts$/ }, () => ({
          contents: `let z;
export function requireZxcvbn() {
  if (z) return z;
  const core = require('@zxcvbn-ts/core'), lang = require('@zxcvbn-ts/language-common');
  return (z = { ZxcvbnFactory: core.ZxcvbnFactory, dictionary: lang.dictionary, adjacencyGraphs: lang.adjacencyGraphs });
}`,
          loader: 'js',
          resolveDir: ROOT,
        }));
      },
    },
    {
      // sharp finds its addon with require('@img/sharp-<platform>/sharp.node'), which the SEA cannot do;
      // in the bundle it comes from the assets instead (sea-native.ts), libvips laid out beside it.
      name: 'sharp-from-assets',
      setup(b) {
        const loader = JSON.stringify(join(ROOT, 'src', 'app', 'sea-native.ts'));
        b.onLoad({ filter: /[\\/]sharp[\\/]dist[\\/]sharp\.mjs$/ }, () => ({
          contents: `import { loadNativeFromBundle } from ${loader};\nexport default loadNativeFromBundle('sharp');`,
          loader: 'js',
          resolveDir: ROOT,
        }));
        b.onLoad({ filter: /[\\/]sharp[\\/]dist[\\/]sharp\.cjs$/ }, () => ({
          contents: `module.exports = require(${loader}).loadNativeFromBundle('sharp');`,
          loader: 'js',
          resolveDir: ROOT,
        }));
      },
    },
  ],
}));
asciiOnly(join(work, 'main.cjs'));
say(`bundled ${(statSync(join(work, 'main.cjs')).size / 1024 / 1024).toFixed(1)} MiB of JavaScript`);

const shipped = [
  ...filesUnder('pm-themes'),
  'locales.txt',
  ...filesUnder('pm-plugins', (rel) => rel.endsWith('.ts') || rel.endsWith('.md')),
];
const assets = {};
const files = {};
for (const rel of shipped) {
  assets[rel] = join(ROOT, rel);
  files[rel] = statSync(join(ROOT, rel)).size;
}
/** A native addon's files as assets: [path in its cache folder, file on disk]. */
function nativeEntry(name, list, main) {
  const entry = { files: [], main };
  for (const [path, file] of list) {
    const asset = `native/${name}/${path}`;
    assets[asset] = file;
    entry.files.push({ asset, path, sha256: createHash('sha256').update(readFileSync(file)).digest('hex') });
  }
  return entry;
}
const img = join(ROOT, 'node_modules', '@img');
const platform = `${process.platform}-${process.arch}`;
const sharpAddon = readdirSync(join(img, `sharp-${platform}`, 'lib')).find((n) => n.endsWith('.node'));
const libvips = readdirSync(join(img, `sharp-libvips-${platform}`, 'lib')).filter((n) => n.startsWith('libvips'));
const native = {
  sqlite: nativeEntry('sqlite', [['better_sqlite3.node', addon]], 'better_sqlite3.node'),
  // sharp's addon looks for libvips at $ORIGIN/../../sharp-libvips-<platform>/lib (its rpath).
  sharp: nativeEntry(
    'sharp',
    [
      [`@img/sharp-${platform}/lib/${sharpAddon}`, join(img, `sharp-${platform}`, 'lib', sharpAddon)],
      ...libvips.map((n) => [`@img/sharp-libvips-${platform}/lib/${n}`, join(img, `sharp-libvips-${platform}`, 'lib', n)]),
    ],
    `@img/sharp-${platform}/lib/${sharpAddon}`,
  ),
};
const index = { version: pkg.version, builtAtMs: Date.now(), files, native };
writeFileSync(join(work, 'pm-bundle.json'), JSON.stringify(index));
assets['pm-bundle.json'] = join(work, 'pm-bundle.json');
// The main is scripts/launcher.cjs, which compiles the bundle (an asset) with a V8 code cache
// kept in the user's cache folder: the functions a start runs are compiled once, not every start.
assets['pm-main.cjs'] = join(work, 'main.cjs');
copyFileSync(join(ROOT, 'scripts', 'launcher.cjs'), join(work, 'launcher.cjs'));
writeFileSync(
  join(work, 'sea-config.json'),
  JSON.stringify({ main: join(work, 'launcher.cjs'), output: join(work, 'sea.blob'), disableExperimentalSEAWarning: true, useCodeCache: true, assets }, null, 2),
);
execFileSync(target.node, ['--experimental-sea-config', join(work, 'sea-config.json')], { stdio: 'pipe' });
say(`${shipped.length} shipped files and the better-sqlite3 and sharp addons in the blob`);

rmSync(out, { force: true });
copyFileSync(target.node, out);
chmodSync(out, 0o755);
const postject = join(ROOT, 'node_modules', 'postject', 'dist', 'cli.js');
// postject warns about ELF note sections it does not need to touch; only its errors matter.
execFileSync(process.execPath, [postject, out, 'NODE_SEA_BLOB', join(work, 'sea.blob'), '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: ['ignore', 'ignore', 'pipe'] });
rmSync(work, { recursive: true, force: true });

const bytes = readFileSync(out);
const mib = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
say(`wrote ${relative(process.cwd(), out)}: ${mib(bytes.length)} (${mib(gzipSync(bytes, { level: 6 }).length)} gzipped), Node ${target.version}`);
