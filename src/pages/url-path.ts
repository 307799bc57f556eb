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
export function encodeUrlPath(urlPath: string): string {
  return urlPath.split('/').map((s) => encodeURIComponent(s)).join('/');
}
