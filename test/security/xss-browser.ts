/**
 * Chromium for the stored-XSS corpus: one browser, one page, and a check that
 * nothing a user wrote runs or could run.
 *
 * The context bypasses CSP on purpose: the policy is checked as a header on
 * every response, and the rendering underneath it must be safe on its own
 * (escaping and sanitising are the first wall, the CSP the second). So a
 * vector that only the CSP stops is still a failure here.
 *
 * What counts as "runs": a dialog (alert/confirm/prompt), a console message
 * with PWNED, an uncaught page error, `window.__pwned` in any frame, a frame
 * that navigated away. What counts as "could run" (the DOM audit, since a
 * `javascript:` link only runs when clicked): any `on*` attribute, a
 * `javascript:`/`vbscript:` (or, outside images, `data:`) URL in a URL
 * attribute, a script that is not the app's own file, iframe/object/embed/
 * base/meta-refresh elements, template code that was evaluated (`EVALED`).
 */
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import type { Plugin } from '../../src/plugins/api.js';
import { chromiumSkip, launchChromium } from '../browser/chromium.js';

export { CHROMIUM } from '../browser/chromium.js';
/** The describe's skip (test/browser/chromium.ts): a message without Chromium, unless CI is set. */
export const BROWSER_SKIP = chromiumSkip('XSS corpus');

/** A test plugin: GET /xss-harness?u=/a&u=/b frames each same-origin URL, so one load renders many pages. */
export const harnessPlugin: Plugin = {
  name: 'xss-harness',
  routes(router) {
    router.get('/xss-harness', async (request, reply) => {
      const q = request.query as { u?: string | string[] };
      const urls = (Array.isArray(q.u) ? q.u : q.u ? [q.u] : []).filter((u) => u.startsWith('/') && !u.startsWith('//'));
      const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      return reply.type('text/html; charset=utf-8').send(`<!doctype html><title>harness</title>${urls.map((u) => `<iframe src="${esc(u)}" width="800" height="400"></iframe>`).join('')}`);
    });
  },
};

/**
 * Runs in every frame: what could run there (see the file comment). A string, not a
 * function, because tsx's compiled helpers (`__name`) do not exist inside the page.
 */
const AUDIT = String.raw`(() => {
  const bad = [];
  if (window.__pwned) bad.push('window.__pwned is set');
  if (document.documentElement.outerHTML.includes('EVALED')) bad.push('template code was evaluated (EVALED in the page)');
  const urlAttrs = new Set(['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'poster', 'background', 'codebase', 'lowsrc', 'dynsrc', 'ping']);
  const show = (el) => el.outerHTML.slice(0, 160);
  for (const el of Array.from(document.querySelectorAll('*'))) {
    const tag = el.localName.toLowerCase();
    for (const a of Array.from(el.attributes)) {
      const n = a.name.toLowerCase();
      if (n.startsWith('on')) bad.push('event handler attribute ' + n + ': ' + show(el));
      if (n === 'srcdoc') bad.push('srcdoc: ' + show(el));
      if (urlAttrs.has(n)) {
        let protocol = '';
        try { protocol = new URL(a.value, document.baseURI).protocol; } catch { continue; }
        if (protocol === 'javascript:' || protocol === 'vbscript:') bad.push(protocol + ' URL in ' + n + ': ' + show(el));
        // An image as data: is inert (pictures, the dashboard's own icon); a data: document is not.
        if (protocol === 'data:' && tag !== 'img' && tag !== 'source' && !(tag === 'link' && /^\s*data:image\//i.test(a.value))) bad.push('data: URL in ' + n + ': ' + show(el));
      }
    }
    if (tag === 'script') {
      const src = el.getAttribute('src');
      const u = src ? new URL(src, document.baseURI) : undefined;
      const own = u && u.origin === location.origin && /^\/(pm\/assets|pm-themes)\//.test(u.pathname);
      if (!own) bad.push('script element: ' + show(el));
    }
    if (['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'portal'].includes(tag)) bad.push('<' + tag + '> element: ' + show(el));
    if (tag === 'meta' && /refresh/i.test(el.getAttribute('http-equiv') || '')) bad.push('meta refresh: ' + show(el));
  }
  return bad;
})()`;

export interface Loaded {
  /** Each document's URL → its Content-Security-Policy header ('' when missing). */
  csp: Map<string, string>;
  /** What ran or could run, each with the URL it happened on. */
  findings: string[];
}

export interface XssBrowser {
  /** Loads one top-level URL and audits it. */
  visit(path: string): Promise<Loaded>;
  /** Loads many same-origin URLs at once (in frames of the harness page) and audits each. */
  visitFramed(paths: string[]): Promise<Loaded>;
  loads: () => number;
  /** Requests the pages made (documents, styles, images), by resource type. */
  requests: () => Record<string, number>;
  close(): Promise<void>;
}

export async function openXssBrowser(base: string, cookie: string): Promise<XssBrowser> {
  const browser: Browser = await launchChromium([
    // Nothing leaves the machine (a payload's https://evil.example fails at once); no request interception, which is slow.
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  ]);
  const context: BrowserContext = await browser.newContext({ bypassCSP: true, viewport: { width: 1000, height: 700 } });
  const host = new URL(base);
  const [name, value] = [cookie.slice(0, cookie.indexOf('=')), cookie.slice(cookie.indexOf('=') + 1)];
  await context.addCookies([{ name, value, domain: host.hostname, path: '/', httpOnly: true, sameSite: 'Lax' }]);
  const page: Page = await context.newPage();
  let current: string[] = [];
  const ran: string[] = [];
  const csp = new Map<string, string>();
  let loads = 0;
  const requests: Record<string, number> = {};
  page.on('request', (r) => {
    requests[r.resourceType()] = (requests[r.resourceType()] ?? 0) + 1;
  });
  page.on('dialog', (d) => {
    ran.push(`a ${d.type()} dialog opened ("${d.message()}") on ${d.page()?.url() ?? '?'} while loading ${current.join(' ')}`);
    void d.dismiss().catch(() => {});
  });
  page.on('console', (m) => {
    if (/PWNED/.test(m.text())) ran.push(`console: ${m.text()} on ${m.location().url}`);
  });
  page.on('pageerror', (e) => ran.push(`uncaught script error (something ran): ${e.message} while loading ${current.join(' ')}`));
  page.on('response', (r) => {
    if (r.request().resourceType() === 'document' && new URL(r.url()).origin === host.origin && !r.url().includes('/xss-harness')) {
      csp.set(new URL(r.url()).pathname + new URL(r.url()).search, r.headers()['content-security-policy'] ?? '');
    }
  });

  async function auditFrame(frame: Frame, expected: string): Promise<string[]> {
    const out: string[] = [];
    const at = new URL(frame.url());
    if (at.origin !== host.origin || at.pathname + at.search !== expected) out.push(`the frame navigated away, to ${frame.url()} (expected ${expected})`);
    try {
      out.push(...((await frame.evaluate(AUDIT)) as string[]));
    } catch (e) {
      out.push(`could not audit: ${(e as Error).message}`);
    }
    return out.map((f) => `${expected}: ${f}`);
  }

  const settle = () => page.waitForTimeout(30); // ontoggle, animation and focus events fire just after load

  return {
    async visit(path) {
      current = [path];
      csp.clear();
      ran.length = 0;
      loads++;
      const res = await page.goto(new URL(path, base).href, { waitUntil: 'load' });
      await settle();
      const findings = [...ran];
      if (!res) findings.push(`${path}: no response`);
      findings.push(...(await auditFrame(page.mainFrame(), new URL(path, base).pathname + new URL(path, base).search)));
      return { csp: new Map(csp), findings };
    },
    async visitFramed(paths) {
      current = paths;
      csp.clear();
      ran.length = 0;
      loads += paths.length;
      const q = paths.map((p) => 'u=' + encodeURIComponent(p)).join('&');
      await page.goto(new URL('/xss-harness?' + q, base).href, { waitUntil: 'load' });
      await settle();
      const findings = [...ran];
      const frames = page.mainFrame().childFrames();
      if (frames.length !== paths.length) findings.push(`harness: ${frames.length} frames for ${paths.length} pages (a page added or removed frames)`);
      for (const [i, f] of frames.entries()) findings.push(...(await auditFrame(f, paths[i] ?? '?')));
      return { csp: new Map(csp), findings };
    },
    loads: () => loads,
    requests: () => ({ ...requests }),
    async close() {
      await browser.close();
    },
  };
}
