/**
 * `npm run build`: compiles src/ and pm-plugins/ to plain JavaScript in dist/
 * (or `--out DIR`, which must sit inside the project so the code finds
 * pm-themes/ and locales.txt above it), and copies the plugins' other files
 * (stylesheets, scripts) beside the compiled code. Then:
 *   node dist/src/cli/main.js serve
 * It also bundles src/cli/main.ts with esbuild into one CommonJS file,
 * dist/pagemanager-bundle.cjs, started by dist/pagemanager.cjs (a copy of
 * scripts/launcher.cjs, which keeps a V8 code cache of it), which starts faster
 * (one file to read, compiled once, instead of some 900 modules to resolve):
 *   node dist/pagemanager.cjs serve
 * The bundle leaves out only the packages with native addons (better-sqlite3,
 * sharp), which load from node_modules, and reads pm-themes/, locales.txt and
 * the plugins' files from the project folder above it, like the compiled code.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { asciiOnly, mainBundleOptions } from './bundle-main.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
const out = resolve(ROOT, values.out);
if (relative(ROOT, out).startsWith('..')) {
  console.error(`build: --out must be inside ${ROOT}, not ${out}`);
  process.exit(2);
}

// Only what tsc writes: dist/pagemanager (npm run build:binary) stays.
for (const sub of ['src', 'pm-plugins']) rmSync(join(out, sub), { recursive: true, force: true });
const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
try {
  execFileSync(tsc, ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out], { cwd: ROOT, stdio: 'inherit' });
} catch {
  console.error('build: tsc failed (see above)');
  process.exit(1);
}

/** Every file under `dir` that tsc does not handle. */
function* assets(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* assets(path);
    else if (!name.endsWith('.ts')) yield path;
  }
}
let copied = 0;
for (const file of assets(join(ROOT, 'pm-plugins'))) {
  cpSync(file, join(out, relative(ROOT, file)));
  copied++;
}
if (!existsSync(join(out, 'src', 'cli', 'main.js'))) {
  console.error(`build: ${join(out, 'src', 'cli', 'main.js')} was not written`);
  process.exit(1);
}
const bundle = join(out, 'pagemanager-bundle.cjs');
const launcher = join(out, 'pagemanager.cjs');
const { build } = await import('esbuild');
try {
  await build(
    mainBundleOptions(ROOT, process.versions.node.split('.')[0], {
      outfile: bundle,
      // Addons are found from their package's own files; pg's optional native driver is never used.
      external: ['better-sqlite3', 'sharp', 'pg-native'],
    }),
  );
} catch {
  console.error('build: esbuild failed to bundle src/cli/main.ts (see above)');
  process.exit(1);
}
asciiOnly(bundle);
cpSync(join(ROOT, 'scripts', 'launcher.cjs'), launcher);
// A code cache of an earlier bundle is never used again (its key holds the bundle's size and time).
rmSync(join(out, '.code-cache'), { recursive: true, force: true });
const rel = (p) => relative(process.cwd(), p);
console.log(`built ${relative(ROOT, out) || '.'}/ (and copied ${copied} plugin files); run: node ${rel(join(out, 'src', 'cli', 'main.js'))} serve`);
console.log(`bundled ${rel(bundle)} (${(statSync(bundle).size / 1024 / 1024).toFixed(1)} MiB); run: node ${rel(launcher)} serve`);
