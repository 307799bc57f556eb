/**
 * Where pagemanager's own files are when it runs from a checkout or an
 * installed package: `src/` (through tsx, `npm start`) or `dist/src/` (after
 * `npm run build`). The single executable has no such folder; it reads its
 * files from the bundle (see runtime.ts). Nothing here runs at import time.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder above `from` that holds package.json and pm-themes/: the checkout or the installed package. */
export function findProjectRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'pm-themes'))) return dir;
    if (dirname(dir) === dir) throw new Error(`pagemanager cannot find its own files (package.json and pm-themes/) above ${from}`);
  }
}
