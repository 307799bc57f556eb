/**
 * Where pagemanager's own files are, whether this code runs from `src/`
 * (through tsx, `npm start`) or from `dist/src/` (after `npm run build`).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The nearest folder above this file that holds package.json and pm-themes/: the checkout or the installed package. */
function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'pm-themes'))) return dir;
    if (dirname(dir) === dir) throw new Error(`pagemanager cannot find its own files (package.json and pm-themes/) above ${from}`);
  }
}

/** The project root (where package.json, pm-themes/ and locales.txt ship). */
export const PROJECT_ROOT = findProjectRoot(HERE);

/** The built-in plugins beside the running code: pm-plugins/ from src/, dist/pm-plugins/ (compiled) from dist/. */
export const BUILTIN_PLUGINS_DIR = join(HERE, '..', '..', 'pm-plugins');
