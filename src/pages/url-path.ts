import { PmError } from '../errors/errors.js';

/**
 * The one canonical form of a page's URL path: starts with `/`, no trailing
 * slash (except `/` itself), no `.`/`..` segments, no empty segments, no query
 * or fragment, no control characters. Percent-encoding is decoded so `/caf%C3%A9`
 * and `/café` are the same page.
 */
export function normalizeUrlPath(input: string): string {
  const fail = (reason: string): never => {
    throw new PmError('PM_ERR_PATH_INVALID', { path: JSON.stringify(input), reason });
  };
  if (typeof input !== 'string' || input.length === 0) fail('it is empty');
  if (input.length > 1024) fail('it is longer than 1024 characters');
  let p = input.trim();
  if (/[?#]/.test(p)) fail('a page path has no query string or fragment');
  try {
    p = decodeURIComponent(p);
  } catch {
    fail('it has broken percent-encoding');
  }
  if (/[\u0000-\u001f\u007f\\]/.test(p)) fail('it contains control characters or a backslash');
  if (!p.startsWith('/')) p = '/' + p;
  if (p === '/') return p;
  const segments = p.split('/').slice(1);
  if (segments[segments.length - 1] === '') segments.pop();
  for (const s of segments) {
    if (s === '') fail('it has an empty segment (//)');
    if (s === '.' || s === '..') fail('it has a . or .. segment');
  }
  return '/' + segments.join('/');
}

/** The path as it goes on the wire (each segment percent-encoded). */
export function encodePath(urlPath: string): string {
  return urlPath.split('/').map((s) => encodeURIComponent(s)).join('/');
}

/**
 * A redirect target as it may go in a `Location` header: every character outside
 * printable ASCII percent-encoded as UTF-8 (`/café/∕x` → `/caf%C3%A9/%E2%88%95x`),
 * existing `%XX` escapes kept. Node refuses header values above U+00FF, so a target
 * stored raw would throw on every request for it. Never throws (a lone surrogate
 * becomes U+FFFD).
 */
export function encodeLocation(target: string): string {
  return target.replace(/[^\x21-\x7e]+/gu, (run) => {
    let out = '';
    for (const b of Buffer.from(run, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    return out;
  });
}
