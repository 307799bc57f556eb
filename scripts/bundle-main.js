/**
 * The esbuild options both builds share for bundling src/cli/main.ts into one
 * CommonJS file: dist/pagemanager.cjs (npm run build) and the single
 * executable's main (npm run build:binary). CommonJS because SEA mains must be;
 * `import.meta.url` is defined from __filename, so the code's own paths
 * resolve from the bundle's location.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Options for esbuild's build(); `extra` (outfile, external, plugins) is laid over them. */
export function mainBundleOptions(root, nodeMajor, extra) {
  return {
    entryPoints: [join(root, 'src', 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${nodeMajor}`,
    minify: true,
    keepNames: true,
    legalComments: 'none',
    charset: 'ascii',
    define: { 'import.meta.url': '__pm_import_meta_url' },
    banner: { js: 'const __pm_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    logLevel: 'warning',
    ...extra,
  };
}

/**
 * Rewrites a bundle as pure ASCII. esbuild's `charset: 'ascii'` escapes string literals but leaves
 * template literals and regular expressions as written (an arrow, a curly quote in the dashboard's
 * HTML), and a single character above U+00FF makes V8 hold the whole 3-4 MiB source as UTF-16,
 * twice the memory for as long as the program runs. Each such UTF-16 unit becomes `\uXXXX`,
 * which means the same character in a string, a template literal (its cooked value: nothing here
 * reads `.raw`), a regular expression and an identifier alike (`\’` loses its backslash first).
 */
export function asciiOnly(file) {
  const text = readFileSync(file, 'utf8');
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    // `\’` (an escape of the character itself) would turn into an escaped backslash: drop that backslash.
    let b = 0;
    while (text.charCodeAt(i - 1 - b) === 92) b++;
    out += text.slice(last, b % 2 ? i - 1 : i) + '\\u' + c.toString(16).padStart(4, '0');
    last = i + 1;
  }
  if (last > 0) writeFileSync(file, out + text.slice(last));
}
