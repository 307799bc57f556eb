import { esc, sha256Base64 } from './injection.js';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Please log in',
  403: 'Forbidden',
  404: 'Page not found',
  413: 'Too large',
  422: 'Some fields need attention',
  429: 'Too many requests',
  500: 'Something went wrong',
  503: 'Service unavailable',
};

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:12vh 1.5rem;color:#222;background:#fafafa}' +
  'main{max-width:36rem;margin:0 auto}h1{font-size:1.6rem;margin:0 0 .5rem}p{margin:0 0 1rem;white-space:pre-wrap}' +
  '.code{color:#888;font-size:.9rem}@media(prefers-color-scheme:dark){body{color:#ddd;background:#161616}}';

/**
 * A plain, self-contained HTML page for an error, using no theme: what a
 * visitor sees when the theme itself is broken. The only style is inline and
 * allowed by its hash, so the page needs nothing else from the server.
 */
export function renderErrorPage(status: number, message: string): { html: string; headers: Record<string, string> } {
  const title = TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'Error');
  const html =
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<meta name="robots" content="noindex"><title>${esc(title)}</title><style>${STYLE}</style></head>\n` +
    `<body><main><h1>${esc(title)}</h1><p>${esc(message)}</p><p class="code">Error ${esc(status)}</p></main></body></html>\n`;
  return {
    html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; style-src 'sha256-${sha256Base64(STYLE)}'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'`,
      'cache-control': 'no-store',
    },
  };
}
