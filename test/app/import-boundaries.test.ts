// Who may import whom (docs: /work/shared/DESIGN.md, "The parts"). Each rule
// reads the import specifiers of the files it covers, so a new file that
// crosses a boundary fails here, not in review.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The relative imports of a file, as project paths (`src/app/create-app.ts`). */
function relativeImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)).replace(/\.js$/, '.ts'));
}

test('src/errors/ and src/html/ are leaves: they import nothing', () => {
  for (const file of [...sources('src/errors'), ...sources('src/html')]) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    assert.doesNotMatch(text, /\bimport\s|\bfrom\s*['"]/, `${file} imports something`);
  }
});

test('store, themes, forms, config and pages do not import the composition root, the server or the plugins', () => {
  for (const dir of ['src/store', 'src/themes', 'src/forms', 'src/config', 'src/pages']) {
    for (const file of sources(dir)) {
      for (const target of relativeImports(file)) {
        assert.ok(!/^src\/(app|http|plugins|cli)\//.test(target), `${file} imports ${target}`);
      }
    }
  }
});

test('a file under pm-plugins/ imports from src/ only the plugin entry, and no other plugin’s files', () => {
  const problems: string[] = [];
  for (const file of sources('pm-plugins')) {
    const plugin = file.split('/')[1];
    for (const target of relativeImports(file)) {
      if (target === 'src/plugins/plugin.ts') continue;
      if (target.startsWith(`pm-plugins/${plugin}/`)) continue;
      problems.push(`${file} imports ${target}`);
    }
  }
  assert.deepEqual(problems, [], 'plugins reach pagemanager through src/plugins/plugin.ts (pagemanager/plugin) only');
});
