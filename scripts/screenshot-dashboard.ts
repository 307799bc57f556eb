/**
 * Photographs every dashboard page in Chromium, on a throwaway site with a
 * little content, at desktop (1280 wide) and phone (360 wide) sizes:
 *   test-output/screenshots/dashboard/{page}.png and {page}-mobile.png (git-ignored)
 *
 * Usage: node --import tsx scripts/screenshot-dashboard.ts [--out DIR] [--no-mobile]
 * Needs Chromium at /usr/bin/chromium (or PM_CHROMIUM); `apt-get install -y chromium` provides it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createApp } from '../src/app/create-app.js';
import { loadConfig } from '../src/config/load-config.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CHROMIUM = process.env.PM_CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = 'correct horse battery';

const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-mobile': { type: 'boolean' } } });
const out = resolve(values.out ?? join(ROOT, 'test-output/screenshots/dashboard'));

/** Name → path, in the order a person meets them. */
const PAGES: [string, string][] = [
  ['login', '/pm/login'],
  ['home', '/pm/'],
  ['urls', '/pm/urls'],
  ['urls-search', '/pm/urls?q=about'],
  ['new-choose', '/pm/urls/new'],
  ['new-form', '/pm/urls/new?theme=daybreak&template=contact'],
  ['edit', '/pm/urls/edit?path=/about'],
  ['rename', '/pm/urls/rename?path=/about'],
  ['delete', '/pm/urls/delete?path=/about'],
  ['delete-refused', '/pm/urls/delete?path=/pm/urls'],
  ['redirect', '/pm/urls/edit?path=/studio'],
  ['alias', '/pm/urls/alias?target=/pm-url-dashboard'],
  ['themes', '/pm/themes'],
  ['users', '/pm/users'],
  ['user-delete', '/pm/users/delete?user={sam}'],
  ['profile', '/pm/profile'],
  ['settings', '/pm/settings'],
];

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium, or set PM_CHROMIUM`);
  mkdirSync(out, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'pm-shots-'));
  const app = await createApp(loadConfig({ dir, mode: 'singlesite', addr: '127.0.0.1:0', open: false }, {}), { logger: false });
  try {
    const siteId = app.sites.primary().siteId;
    await app.siteService.update(siteId, { title: 'Fern & Kiln', description: 'Hand-thrown stoneware from a harbourside studio.' });
    const ada = await app.stores.users.create({ siteId, username: 'ada', name: 'Ada Lovelace', email: 'ada@example.com', role: 'superadmin' });
    await app.stores.passwords.set(ada.userId, PASSWORD);
    await app.stores.users.create({ siteId, username: 'maya', name: 'Maya Lindqvist', role: 'admin' });
    const sam = await app.stores.users.create({ siteId, username: 'sam', name: 'Sam Okafor', role: 'editor' });
    const about = await app.themes.getTemplate('daybreak', 'about');
    await app.templates.save({ siteId, langcode: '', urlPath: '/about', themeId: 'daybreak', templateName: 'about', data: about.sample });
    const contact = await app.themes.getTemplate('daybreak', 'contact');
    await app.templates.save({ siteId, langcode: '', urlPath: '/contact', themeId: 'daybreak', templateName: 'contact', data: contact.sample });
    await app.pages.redirect(siteId, '', '/studio', '/about', 301);
    await app.pages.alias(siteId, '', '/about-us', '/about');
    const { url } = await app.listen();

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
    try {
      const desktop = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      const page = await desktop.newPage();
      await page.goto(new URL('/pm/login', url).href);
      await page.screenshot({ path: join(out, 'login.png') });
      await page.fill('#f-username', 'ada');
      await page.fill('#f-password', PASSWORD);
      await Promise.all([page.waitForURL(/\/pm\/$/), page.click('button[type=submit]')]);
      const state = await desktop.storageState();
      const sizes: [string, { width: number; height: number }][] = [['', { width: 1280, height: 860 }]];
      if (!values['no-mobile']) sizes.push(['-mobile', { width: 360, height: 740 }]);
      for (const [suffix, viewport] of sizes) {
        const ctx = await browser.newContext({ viewport, storageState: state });
        const p = await ctx.newPage();
        for (const [name, path] of PAGES) {
          if (name === 'login') continue;
          await p.goto(new URL(path.replace('{sam}', sam.userId), url).href);
          // Lazy images below the fold load only when scrolled to.
          await p.evaluate(async () => {
            for (const img of Array.from(document.images)) img.loading = 'eager';
            await Promise.all(Array.from(document.images).map((img) => (img.complete ? null : new Promise((r) => img.addEventListener('load', r, { once: true })))));
          });
          await p.screenshot({ path: join(out, `${name}${suffix}.png`), fullPage: true });
          console.log(`${name}${suffix}.png`);
        }
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`screenshots in ${out}`);
}

await main();
