/**
 * Issue figures for themes and templates, on a real SQLite data folder:
 *  - the time from saving a template's data to the new page being served (median of 100 saves);
 *  - the time to re-render 1,000 pages after a theme reload.
 * Run: node --import tsx scripts/measure-templates.ts
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app/create-app.js';
import { findProjectRoot } from '../src/app/paths.js';

const PROJECT_ROOT = findProjectRoot();
import { loadConfig } from '../src/config/load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'pm-measure-'));
// A copy of the built-in theme in the data folder, so the script can change it and reload.
cpSync(join(PROJECT_ROOT, 'pm-themes', 'daybreak'), join(dir, 'pm-themes', 'daybreak-copy'), { recursive: true });
const manifestPath = join(dir, 'pm-themes', 'daybreak-copy', 'theme.json');
writeFileSync(manifestPath, readFileSync(manifestPath, 'utf8').replace('"id": "daybreak"', '"id": "daybreak-copy"'));

const app = await createApp(loadConfig({ dir, mode: 'singlesite', addr: '127.0.0.1:0', open: false }, {}), { logger: false });
const siteId = app.sites.primary().siteId;
const themeId = 'daybreak-copy';
const sample = (await app.themes.getTemplate(themeId, 'about')).sample as Record<string, unknown>;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const saveTimes: number[] = [];
for (let i = 0; i < 100; i++) {
  const title = `Revision ${i}`;
  const t0 = process.hrtime.bigint();
  const r = await app.templates.save({ siteId, langcode: '', urlPath: '/about', themeId, templateName: 'about', data: { ...sample, title } });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const res = await app.http.inject('/about');
  if (!res.body.includes(title)) throw new Error('the new page was not served');
  saveTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
}

for (let i = 0; i < 1000; i++) {
  await app.templates.save({ siteId, langcode: '', urlPath: `/pages/p${i}`, themeId, templateName: 'about', data: { ...sample, title: `Page ${i}` } });
}
const tplPath = join(dir, 'pm-themes', themeId, 'templates', 'about.eta');
writeFileSync(tplPath, readFileSync(tplPath, 'utf8') + '\n<!-- changed -->\n');
const t1 = process.hrtime.bigint();
const reload = await app.themes.reload();
const rerenderMs = Number(process.hrtime.bigint() - t1) / 1e6;
const check = await app.http.inject('/pages/p999');
if (!check.body.includes('<!-- changed -->')) throw new Error('pages were not re-rendered');

console.log(`save → served, median of 100: ${median(saveTimes).toFixed(2)} ms (min ${Math.min(...saveTimes).toFixed(2)}, max ${Math.max(...saveTimes).toFixed(2)})`);
console.log(`theme reload re-rendering 1,001 pages (changed: ${reload.changed.join(', ')}): ${rerenderMs.toFixed(0)} ms (${(rerenderMs / 1001).toFixed(2)} ms a page)`);
await app.close();
rmSync(dir, { recursive: true, force: true });
