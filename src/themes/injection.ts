/**
 * What a page gets besides its template's output: stylesheets in `<head>`,
 * scripts before `</body>`, and the Content-Security-Policy that allows
 * exactly those. Plugins, the theme and the caller of one render each add
 * to the lists; the CSP is built from what was actually injected.
 */
import { createHash } from 'node:crypto';

/** A script to inject: a URL (`src`) or code (`inline`), one of the two. */
export interface ScriptAsset {
  src?: string;
  inline?: string;
}

export type CspDirective = 'script-src' | 'style-src' | 'img-src' | 'connect-src' | 'frame-src' | 'font-src';
export type CspSources = Partial<Record<CspDirective, string[]>>;

/** Styles, scripts and CSP sources from one contributor (a plugin, the theme, one render). */
export interface AssetSet {
  styles?: string[];
  scripts?: ScriptAsset[];
  cspSources?: CspSources;
}

export const CSP_DIRECTIVES: readonly CspDirective[] = ['script-src', 'style-src', 'img-src', 'connect-src', 'frame-src', 'font-src'];

/** Escapes text for HTML content and double-quoted attributes (the one escaper, src/html/). */
export { escapeHtml as esc } from '../html/escape-html.js';
import { escapeHtml as esc } from '../html/escape-html.js';

export function sha256Base64(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

/**
 * Checks one CSP source expression. Sources end up inside a response header,
 * so anything that could end a directive (`;`, `,`) or the header is refused.
 */
export function checkCspSource(source: string): string | undefined {
  if (typeof source !== 'string' || source === '') return 'it is empty';
  if (/[\s;,\u0000-\u001f\u007f]/.test(source)) return 'it contains a space, ";", "," or a control character';
  return undefined;
}

export function assertAssetSet(set: AssetSet, who: string): void {
  for (const s of set.scripts ?? []) {
    if ((s.src === undefined) === (s.inline === undefined)) throw new Error(`${who}: a script needs exactly one of "src" and "inline"`);
  }
  for (const [dir, sources] of Object.entries(set.cspSources ?? {})) {
    if (!CSP_DIRECTIVES.includes(dir as CspDirective)) throw new Error(`${who}: unknown CSP directive "${dir}" (use one of ${CSP_DIRECTIVES.join(', ')})`);
    for (const src of sources ?? []) {
      const why = checkCspSource(src);
      if (why) throw new Error(`${who}: CSP source ${JSON.stringify(src)} for ${dir} is not allowed: ${why}`);
    }
  }
}

/** `https://cdn.example.com` for an absolute http(s) URL; undefined for a same-origin path. */
function originOf(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url) && !url.startsWith('//')) return undefined;
  try {
    const u = new URL(url, 'https://same-origin.invalid');
    return url.startsWith('//') ? `${u.protocol}//${u.host}` : u.origin;
  } catch {
    return undefined;
  }
}

/** `</script` inside inline code would end the element early; `<\/script` is the same JS. */
function safeInline(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

export interface Injection {
  head: string;
  bodyEnd: string;
  csp: string;
}

/**
 * Builds the `<head>` additions, the end-of-body scripts and the CSP for one
 * response. With a nonce (a response rendered per request) inline scripts
 * carry it; without one (a page rendered once and stored) each inline
 * script's sha256 goes into the CSP, so a stored page never reuses a nonce.
 */
export function buildInjection(sets: AssetSet[], nonce: string | undefined): Injection {
  if (nonce !== undefined && !/^[A-Za-z0-9+/_=-]{8,}$/.test(nonce)) throw new Error('a CSP nonce must be at least 8 base64 characters');
  const styles: string[] = [];
  const scripts: ScriptAsset[] = [];
  const extra: Record<CspDirective, string[]> = { 'script-src': [], 'style-src': [], 'img-src': [], 'connect-src': [], 'frame-src': [], 'font-src': [] };
  for (const set of sets) {
    for (const s of set.styles ?? []) if (!styles.includes(s)) styles.push(s);
    for (const s of set.scripts ?? []) scripts.push(s);
    for (const d of CSP_DIRECTIVES) extra[d].push(...(set.cspSources?.[d] ?? []));
  }

  const nonceAttr = nonce ? ` nonce="${esc(nonce)}"` : '';
  const head = styles.map((href) => `<link rel="stylesheet" href="${esc(href)}">`).join('\n');
  const body: string[] = [];
  for (const s of scripts) {
    if (s.src !== undefined) {
      body.push(`<script src="${esc(s.src)}"${nonceAttr}></script>`);
      const o = originOf(s.src);
      if (o) extra['script-src'].push(o);
    } else {
      const code = safeInline(s.inline ?? '');
      body.push(`<script${nonceAttr}>${code}</script>`);
      if (!nonce) extra['script-src'].push(`'sha256-${sha256Base64(code)}'`);
    }
  }
  for (const href of styles) {
    const o = originOf(href);
    if (o) extra['style-src'].push(o);
  }
  if (nonce) extra['script-src'].push(`'nonce-${nonce}'`);

  const list = (base: string[], more: string[]): string => [...new Set([...base, ...more])].join(' ');
  const directives = [
    "default-src 'self'",
    `script-src ${list(["'self'"], extra['script-src'])}`,
    `style-src ${list(["'self'"], extra['style-src'])}`,
    `img-src ${list(["'self'", 'data:', 'https:'], extra['img-src'])}`,
  ];
  for (const d of ['connect-src', 'frame-src', 'font-src'] as const) {
    if (extra[d].length) directives.push(`${d} ${list(["'self'"], extra[d])}`);
  }
  directives.push("object-src 'none'", "base-uri 'self'", "frame-ancestors 'self'");
  return { head, bodyEnd: body.join('\n'), csp: directives.join('; ') };
}
