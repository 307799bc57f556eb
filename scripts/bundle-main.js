/**
 * The esbuild options both builds share for bundling src/cli/main.ts into one
 * CommonJS file: dist/pagemanager.cjs (npm run build) and the single
 * executable's main (npm run build:binary). CommonJS because SEA mains must be;
 * `import.meta.url` is defined from __filename, so the code's own paths
 * resolve from the bundle's location.
 */
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
    define: { 'import.meta.url': '__pm_import_meta_url' },
    banner: { js: 'const __pm_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    logLevel: 'warning',
    ...extra,
  };
}
