import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Response } from 'light-my-request';
import type { App } from '../app/create-app.js';
import type { Site } from '../store/types.js';

/**
 * A site as plain files for any static host: what an anonymous visitor sees, fetched through
 * the app's own request path (so theme assets, uploads, sitemaps and feeds come out exactly as
 * served), starting from every stored page and following every same-site link and asset.
 *
 * - `/` → `index.html`, `/about` → `about/index.html` (served at `/about` and `/about/` by
 *   static hosts), an asset or feed → the file of its path (a `?v=` query is dropped).
 * - A content redirect becomes a copy of the page it shows; a URL redirect becomes a line of
 *   `_redirects` (Netlify, Cloudflare Pages) and a small HTML page that forwards (GitHub Pages).
 * - Hidden pages, the dashboard (`/pm/…`) and anything that does not answer 200 are left out.
 * - A form that posts to the site (a comment form) cannot work on a static host: it is replaced
 *   by its plugin's notice (closeForms). Everything else is byte for byte what a visitor gets.
 */
export interface StaticExportResult {
  pages: number;
  redirects: number;
  assets: number;
  bytes: number;
  /** Forms that post to the site, taken out of the copy (see closeForms). */
  formsClosed: number;
  skipped: { url: string; status: number }[];
}

const MAX_URLS = 200_000;

/** Same-site references in HTML (href, src, srcset, content of og:image) and CSS (url(...)). */
export function findReferences(body: string, isCss: boolean): string[] {
  const out: string[] = [];
  if (isCss) {
    for (const m of body.matchAll(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g)) out.push(m[2]!);
    for (const m of body.matchAll(/@import\s+(['"])([^'"]+)\1/g)) out.push(m[2]!);
    return out;
  }
  for (const m of body.matchAll(/\s(?:href|src|poster|data-src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  for (const m of body.matchAll(/\ssrcset\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)) {
    for (const part of (m[1] ?? m[2] ?? '').split(',')) out.push(part.trim().split(/\s+/)[0] ?? '');
  }
  for (const m of body.matchAll(/<meta[^>]+property=["']og:image["'][^>]*content=["']([^"']+)["']/gi)) out.push(m[1]!);
  return out.map(decodeEntities);
}

function decodeEntities(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"');
}

/** A reference → the path on this site it names, or undefined (another site, a fragment, mailto:, …). */
export function sitePath(ref: string, from: string, origin: string): string | undefined {
  if (!ref || ref.startsWith('#') || /^(mailto|tel|javascript|data):/i.test(ref)) return undefined;
  let u: URL;
  try {
    u = new URL(ref, origin + from);
  } catch {
    return undefined;
  }
  if (u.origin !== origin) return undefined;
  return u.pathname + (u.pathname.startsWith('/pm-themes/') || u.pathname.startsWith('/pm-uploads/') ? '' : u.search);
}

/** Where a URL path goes in the output folder. HTML pages become folders with an index.html. */
export function fileFor(urlPath: string, isHtml: boolean): string {
  const clean = decodeURIComponent(urlPath.split('?')[0]!).replace(/\/+$/, '');
  const segments = clean.split('/').filter(Boolean);
  if (segments.some((s) => s === '..' || s === '.' || s.includes('\\') || s.includes('\0'))) throw new Error(`unsafe path ${urlPath}`);
  if (isHtml) return join(...segments, 'index.html');
  return segments.length ? join(...segments) : 'index.html';
}

export interface FormNotice {
  prefix: string;
  text: string;
  className?: string;
}

const DEFAULT_NOTICE = { text: 'This form cannot be sent from this copy of the site.', className: 'pm-export-closed' };
const escText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A static host answers no POST: every form of `html` that posts to this site is taken out, and
 * the notice of the plugin whose route it posts to (`Plugin.staticExport.formNotices`) stands in
 * the place of the last such form of the page (once per page and plugin). A form that is the whole
 * content of a `<details>` (a reply disclosure) goes with it. Forms cannot nest in HTML, so a form ends at the first `</form>`;
 * the pages are the server's own output. GET forms (a search) and forms to other sites stay.
 */
export function closeForms(html: string, from: string, origin: string, notices: readonly FormNotice[]): { html: string; closed: number } {
  let closed = 0;
  const postsHere = (attrs: string): FormNotice | typeof DEFAULT_NOTICE | undefined => {
    if (!/\smethod\s*=\s*["']?post\b/i.test(attrs)) return undefined;
    const m = /\saction\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(attrs);
    const action = m ? decodeEntities(m[1] ?? m[2] ?? m[3] ?? '') : '';
    // No action: it posts to the page itself.
    const path = action ? sitePath(action, from, origin) : from;
    if (path === undefined) return undefined;
    return notices.find((n) => path.includes(n.prefix)) ?? DEFAULT_NOTICE;
  };
  // The lookaheads keep a match inside one details and one form (no backtracking into the next).
  let out = html.replace(/<details\b[^>]*>\s*<summary\b[^>]*>(?:(?!<\/?summary\b|<\/?details\b)[\s\S])*<\/summary>\s*<form\b([^>]*)>(?:(?!<\/form>)[\s\S])*<\/form>\s*<\/details>/gi, (m, attrs: string) => {
    if (!postsHere(attrs)) return m;
    closed++;
    return '';
  });
  // One notice per page and plugin, where its last form was (a thread's own form comes after its
  // comments' Reply buttons); the forms before it go without a word.
  const forms = [...out.matchAll(/<form\b([^>]*)>(?:(?!<\/form>)[\s\S])*<\/form>/gi)].map((m) => ({ at: m.index, end: m.index + m[0].length, notice: postsHere(m[1]!) }));
  const last = new Map<object, number>();
  forms.forEach((f, i) => f.notice && last.set(f.notice, i));
  let done = '';
  let from0 = 0;
  forms.forEach((f, i) => {
    if (!f.notice) return;
    closed++;
    done += out.slice(from0, f.at) + (last.get(f.notice) === i ? `<p class="${escAttr(f.notice.className ?? DEFAULT_NOTICE.className)}">${escText(f.notice.text)}</p>` : '');
    from0 = f.end;
  });
  out = done + out.slice(from0);
  return { html: out, closed };
}

function bodyOf(res: Response): Buffer {
  const raw = res.rawPayload;
  return res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

const escAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function redirectPage(location: string): string {
  const to = escAttr(location);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Moved</title><meta http-equiv="refresh" content="0; url=${to}"><link rel="canonical" href="${to}"><meta name="robots" content="noindex"></head><body><p>This page has moved to <a href="${to}">${to}</a>.</p></body></html>\n`;
}

export async function exportStatic(
  app: App,
  opts: { site: Site; host: string; outDir: string; onProgress?: (done: number, queued: number) => void },
): Promise<StaticExportResult> {
  const notices: FormNotice[] = app.plugins.flatMap((p) => Object.entries(p.staticExport?.formNotices ?? {}).map(([prefix, n]) => ({ prefix, ...n })));
  const out = resolve(opts.outDir);
  mkdirSync(out, { recursive: true });
  const origin = `http://${opts.host}`;
  const prefix = opts.site.tildePrefix ? `/~${opts.site.tildePrefix}` : '';
  const result: StaticExportResult = { pages: 0, redirects: 0, assets: 0, bytes: 0, formsClosed: 0, skipped: [] };
  const redirectLines: string[] = [];
  const seen = new Set<string>();
  const queue: string[] = [];
  const enqueue = (p: string | undefined) => {
    if (p === undefined || seen.has(p) || seen.size >= MAX_URLS) return;
    const bare = prefix && p.startsWith(prefix) ? p.slice(prefix.length) || '/' : p;
    if (bare === '/pm' || bare.startsWith('/pm/') || bare.startsWith('/pm-url-dashboard')) return;
    seen.add(p);
    queue.push(p);
  };

  const write = (file: string, bytes: Buffer | string) => {
    const target = join(out, file);
    // fileFor refuses `..`; this is the second lock on the door.
    if (relative(out, target).startsWith('..' + sep)) throw new Error(`refusing to write outside ${out}: ${file}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
    result.bytes += Buffer.byteLength(bytes);
  };

  // Seeds: every stored, visible page of every language, then what the plugins publish.
  const locales = ['', ...opts.site.enabledLocales.filter((l) => l !== opts.site.defaultLocale)];
  for (const rec of await app.pages.list(opts.site.siteId, { limit: MAX_URLS })) {
    if (rec.hidden || !locales.includes(rec.langcode)) continue;
    const path = prefix + (rec.langcode ? `/${rec.langcode}` : '') + (rec.urlPath === '/' && rec.langcode ? '' : rec.urlPath);
    enqueue(encodeURI(path || '/'));
  }
  for (const extra of ['/', '/sitemap.xml', '/robots.txt', '/feed.xml', '/rss.xml', '/atom.xml', '/favicon.ico']) enqueue(prefix + extra);

  const written = new Map<string, string>(); // file → the URL that wrote it
  for (let i = 0; i < queue.length; i++) {
    const url = queue[i]!;
    opts.onProgress?.(i, queue.length);
    const res = await app.http.inject({ method: 'GET', url, headers: { host: opts.host, 'accept-encoding': 'gzip' } });
    const bare = prefix && url.startsWith(prefix) ? url.slice(prefix.length) || '/' : url;
    if (res.statusCode >= 300 && res.statusCode < 400 && typeof res.headers.location === 'string') {
      const location = res.headers.location;
      const targetPath = sitePath(location, url, origin);
      // The canonical-slash redirect (/about/ → /about) is what static hosts do themselves.
      if (targetPath !== undefined && targetPath.replace(/\/+$/, '') === url.replace(/\/+$/, '')) continue;
      const shown = targetPath !== undefined && prefix && targetPath.startsWith(prefix) ? targetPath : location;
      redirectLines.push(`${url} ${shown} ${res.statusCode === 308 || res.statusCode === 301 ? 301 : 302}`);
      write(fileFor(url, true), redirectPage(shown));
      result.redirects++;
      enqueue(targetPath);
      continue;
    }
    if (res.statusCode !== 200) {
      // Optional seeds a site may not have are not worth reporting.
      if (!['/sitemap.xml', '/robots.txt', '/feed.xml', '/rss.xml', '/atom.xml', '/favicon.ico'].includes(bare)) result.skipped.push({ url, status: res.statusCode });
      continue;
    }
    const type = String(res.headers['content-type'] ?? '');
    const isHtml = type.startsWith('text/html');
    const isCss = type.startsWith('text/css');
    let body = bodyOf(res);
    const file = fileFor(url, isHtml && !/\.[a-z0-9]{1,5}$/i.test(url.split('?')[0]!));
    if (written.has(file)) continue;
    if (isHtml) {
      const c = closeForms(body.toString('utf8'), url, origin, notices);
      if (c.closed) {
        body = Buffer.from(c.html, 'utf8');
        result.formsClosed += c.closed;
      }
    }
    written.set(file, url);
    write(file, body);
    if (isHtml) result.pages++;
    else result.assets++;
    if (isHtml || isCss || type.includes('xml')) {
      const text = body.toString('utf8');
      const refs = type.includes('xml') && !isHtml ? [...text.matchAll(/<(?:loc|link)>([^<]+)<\/(?:loc|link)>|href="([^"]+)"/g)].map((m) => m[1] ?? m[2] ?? '') : findReferences(text, isCss);
      for (const ref of refs) enqueue(sitePath(decodeEntities(ref.trim()), url, origin));
    }
  }
  if (redirectLines.length) write('_redirects', redirectLines.join('\n') + '\n');
  write(
    '.pagemanager-export.json',
    JSON.stringify({ site: opts.site.siteId, host: opts.host, pages: result.pages, redirects: result.redirects, assets: result.assets, checksum: createHash('sha256').update([...written.keys()].sort().join('\n')).digest('hex') }, null, 2) + '\n',
  );
  return result;
}
