/**
 * The one error renderer: every error a request can end in (thrown before
 * Fastify is involved, thrown by a route or a hook, or a 404 whose theme
 * cannot render its page) becomes the same answer here: JSON
 * `{ code, message, fields? }` for API calls, else a plain self-contained page.
 */
import { createHash } from 'node:crypto';
import { isPmError, PmError } from '../errors/errors.js';
import { escapeHtml as esc } from '../html/escape-html.js';

/** Maps anything thrown to the public error: a PmError, or PM_ERR_INTERNAL. */
export function toPublicError(err: unknown): PmError {
  if (isPmError(err)) return err;
  const e = err as { code?: string; statusCode?: number; message?: string; validation?: unknown };
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new PmError('PM_ERR_PAYLOAD_TOO_LARGE', { limit: 'allowed' }, { cause: err });
  if (e?.statusCode === 429) return new PmError('PM_ERR_RATE_LIMITED', { retryAfter: 60 }, { cause: err });
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return new PmError('PM_ERR_BAD_REQUEST', { detail: e.message ?? 'The request is malformed.' }, { cause: err });
  }
  return new PmError('PM_ERR_INTERNAL', {}, { cause: err });
}

const ERROR_STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f6f5f2;color:#222}main{max-width:34rem;padding:2rem}h1{font-size:1.6rem;margin:0 0 .5rem}code{color:#666;font-size:.85rem}a{color:#0b57d0}';

/** The CSP of the error page: nothing but its own inline style, by hash. */
export const ERROR_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(ERROR_STYLE).digest('base64')}'; base-uri 'none'; frame-ancestors 'none'`;

/** A plain, self-contained error page (no theme: the theme may be what broke). */
export function errorPageHtml(status: number, title: string, message: string, code?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>
<style>${ERROR_STYLE}</style></head>
<body><main><h1>${esc(title)}</h1><p>${esc(message)}</p>${code ? `<p><code>${esc(code)} · ${status}</code></p>` : ''}<p><a href="/">Go to the home page</a></p></main></body></html>`;
}

export const STATUS_TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Please log in',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'Conflict',
  413: 'Too large',
  422: 'Please check the form',
  429: 'Slow down',
  500: 'Server error',
  503: 'Unavailable',
};

export function wantsJson(accept: string | undefined, url: string): boolean {
  return url.startsWith('/pm/api/') || (!!accept && accept.includes('application/json') && !accept.includes('text/html'));
}

export interface ErrorAnswer {
  /** The public error (a PmError, or PM_ERR_INTERNAL for anything else); log its cause when status ≥ 500. */
  error: PmError;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What the client gets for `err`, by what it accepts and where it asked. */
export function renderError(err: unknown, request: { accept: string | undefined; url: string }): ErrorAnswer {
  const e = toPublicError(err);
  const headers: Record<string, string> = {};
  if (e.code === 'PM_ERR_RATE_LIMITED') headers['retry-after'] = String(e.params.retryAfter ?? 60);
  if (wantsJson(request.accept, request.url)) {
    headers['content-type'] = 'application/json; charset=utf-8';
    return { error: e, status: e.status, headers, body: JSON.stringify(e.toJSON()) };
  }
  headers['content-type'] = 'text/html; charset=utf-8';
  headers['content-security-policy'] = ERROR_PAGE_CSP;
  return { error: e, status: e.status, headers, body: errorPageHtml(e.status, STATUS_TITLES[e.status] ?? 'Error', e.message, e.code) };
}
