/**
 * Renders every template of every built-in theme with its sample data and
 * photographs it in Chromium:
 *   - desktop, 1280×800 viewport → pm-themes/{id}/screenshots/{template}.png (committed;
 *     the dashboard shows them when a template is picked, the README uses them)
 *   - mobile, 390 wide, full page → test-output/themes/{id}-{template}-mobile.png (git-ignored)
 *
 * Pages go through the real themes manager and are served, with the theme's assets, from a
 * local HTTP server, so the browser loads CSS exactly as it will in production.
 *
 * Usage: node --import tsx scripts/screenshot-themes.ts [--theme daybreak] [--template home] [--no-mobile] [--no-desktop] [--minimal]
 * Needs Chromium at /usr/bin/chromium (or PM_CHROMIUM); `apt-get install -y chromium` provides it.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDirFS } from '../src/themes/dir-fs.js';
import { createThemesManager } from '../src/themes/themes-manager.js';
import type { ThemesManager } from '../src/themes/themes-manager.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const BUILTIN_THEMES_DIR = join(ROOT, 'pm-themes');

/** What a theme's `samples/preview.json` holds: the site around the samples, and the caller data some templates need. */
export interface ThemePreview {
  site: { title: string; description: string; langcode: string };
  /** Template name → the URL path the sample page lives at (for the current-page marker in the menu). */
  pages?: Record<string, string>;
  /** Template name → `it.extra` (the blog index gets its posts here). */
  extra?: Record<string, Record<string, unknown>>;
}

export interface SamplePage {
  themeId: string;
  template: string;
  urlPath: string;
  data: unknown;
  html: string;
}

export interface SampleRenderer {
  manager: ThemesManager;
  themeIds(): string[];
  templateNames(themeId: string): string[];
  /** The template with its sample. `minimal`: only the fields its schema requires, and no caller data (empty states). */
  render(themeId: string, template: string, opts?: { minimal?: boolean }): Promise<SamplePage>;
}

function requiredOnly(sample: unknown, schema: unknown): unknown {
  if (!sample || typeof sample !== 'object') return sample;
  const required = new Set<string>(((schema as { required?: string[] }).required ?? []).concat('nav'));
  return Object.fromEntries(Object.entries(sample).filter(([k]) => required.has(k)));
}

/** How the screenshots (and the browser checks in the themes test) start Chromium. */
export const CHROMIUM_OPTIONS = {
  executablePath: process.env.PM_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
};

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** The built-in themes, loaded through the themes manager, rendering their own samples. */
export async function createSampleRenderer(themesDir = BUILTIN_THEMES_DIR): Promise<SampleRenderer> {
  const manager = createThemesManager({ fs: createDirFS(themesDir) });
  await manager.load();
  const previews = new Map<string, ThemePreview>();
  for (const t of manager.list()) {
    try {
      previews.set(t.id, await readJson<ThemePreview>(join(themesDir, t.id, 'samples', 'preview.json')));
    } catch {
      previews.set(t.id, { site: { title: t.name, description: t.description, langcode: 'en' } });
    }
  }
  return {
    manager,
    themeIds: () => manager.list().map((t) => t.id),
    templateNames: (themeId) => manager.list().find((t) => t.id === themeId)?.templates.map((t) => t.name) ?? [],
    async render(themeId, template, opts = {}) {
      const preview = previews.get(themeId) as ThemePreview;
      const config = await manager.getTemplate(themeId, template);
      const data = opts.minimal ? requiredOnly(config.sample, config.schema) : config.sample;
      const urlPath = preview.pages?.[template] ?? `/${template}`;
      const { html } = await manager.render(themeId, template, data, {
        site: preview.site,
        page: { urlPath, url: `http://localhost${urlPath}` },
        extra: opts.minimal ? {} : (preview.extra?.[template] ?? {}),
      });
      return { themeId, template, urlPath, data, html };
    },
  };
}

export interface PreviewServer {
  server: Server;
  origin: string;
  /** Serves `page.html` at `page.urlPath` from now on. */
  show(page: SamplePage): void;
  close(): Promise<void>;
}

/** Serves one rendered page at a time, and every theme asset the way the server does. */
export async function startPreviewServer(manager: ThemesManager): Promise<PreviewServer> {
  let current: SamplePage | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const asset = /^\/pm-themes\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (asset) {
      manager
        .serveAsset(decodeURIComponent(asset[1] as string), decodeURIComponent(asset[2] as string), undefined, url.searchParams.get('v') ?? undefined)
        .then((r) => {
          res.writeHead(r.status, r.headers);
          res.end(r.body);
        })
        .catch(() => {
          res.writeHead(400);
          res.end();
        });
      return;
    }
    if (current && url.pathname === current.urlPath) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(current.html);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    show: (page) => void (current = page),
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      theme: { type: 'string', multiple: true },
      template: { type: 'string', multiple: true },
      'no-mobile': { type: 'boolean', default: false },
      'no-desktop': { type: 'boolean', default: false },
      // Also shoots each template with only its required fields (empty states), into test-output.
      minimal: { type: 'boolean', default: false },
    },
  });
  const { chromium } = await import('playwright-core');
  const renderer = await createSampleRenderer();
  const problems = await renderer.manager.check();
  for (const p of problems) console.warn(`theme ${p.themeId}:\n  ${p.errors.join('\n  ')}`);

  const preview = await startPreviewServer(renderer.manager);
  const mobileDir = join(ROOT, 'test-output', 'themes');
  await mkdir(mobileDir, { recursive: true });
  const browser = await chromium.launch(CHROMIUM_OPTIONS);
  /** Browser errors, failed requests and layout problems; any of them fails the run. */
  const consoleErrors: string[] = [];
  try {
    const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const mobile = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    // The narrowest phone the themes promise to support: nothing may scroll sideways.
    const narrow = await browser.newPage({ viewport: { width: 360, height: 740 } });
    for (const page of [desktop, mobile]) {
      page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
      page.on('requestfailed', (r) => consoleErrors.push(`failed: ${r.url()}`));
    }
    for (const themeId of renderer.themeIds()) {
      if (values.theme && !values.theme.includes(themeId)) continue;
      const shotDir = join(BUILTIN_THEMES_DIR, themeId, 'screenshots');
      await mkdir(shotDir, { recursive: true });
      for (const template of renderer.templateNames(themeId)) {
        if (values.template && !values.template.includes(template)) continue;
        for (const minimal of values.minimal ? [false, true] : [false]) {
          const sample = await renderer.render(themeId, template, { minimal });
          preview.show(sample);
          const target = preview.origin + sample.urlPath;
          const name = `${themeId}-${template}${minimal ? '-minimal' : ''}`;
          if (!values['no-desktop']) {
            await desktop.goto(target, { waitUntil: 'networkidle' });
            await desktop.screenshot({ path: minimal ? join(mobileDir, `${name}-desktop.png`) : join(shotDir, `${template}.png`) });
          }
          if (!values['no-mobile']) {
            await mobile.goto(target, { waitUntil: 'networkidle' });
            // Lazy images below the fold load only once scrolled to.
            await mobile.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
            await mobile.waitForLoadState('networkidle');
            await mobile.evaluate(() => window.scrollTo(0, 0));
            await mobile.screenshot({ path: join(mobileDir, `${name}-mobile.png`), fullPage: true });
          }
          await narrow.goto(target, { waitUntil: 'networkidle' });
          const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          if (overflow > 0) consoleErrors.push(`${name}: scrolls sideways by ${overflow}px at 360px wide`);
          console.log(name);
        }
      }
    }
  } finally {
    await browser.close();
    await preview.close();
  }
  if (consoleErrors.length) {
    console.error(`problems:\n  ${[...new Set(consoleErrors)].join('\n  ')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

