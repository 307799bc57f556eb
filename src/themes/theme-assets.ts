/**
 * Serving a theme's public files under `/pm-themes/{themeId}/{path}`.
 * A theme's templates, schemas, samples and theme.json are its source, not
 * its assets, and are never served.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { normalizeFsPath } from './readonly-fs.js';
import type { ReadonlyFS } from './readonly-fs.js';

export interface AssetResponse {
  status: 200 | 304 | 404;
  body?: Buffer;
  headers: Record<string, string>;
}

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.eot': 'application/vnd.ms-fontobject',
  '.pdf': 'application/pdf',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
};

export function contentTypeOf(path: string): string {
  return TYPES[posix.extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** The fingerprint `asset()` puts in `?v=`: the first 10 hex digits of the file's sha256. */
export function fingerprintOf(hexSha256: string): string {
  return hexSha256.slice(0, 10);
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** True for a theme-relative path that is part of the theme's source, not a public asset. */
export function isPrivateThemePath(clean: string): boolean {
  const segs = clean.split('/');
  if (clean === 'theme.json') return true;
  if (['schemas', 'samples', 'templates'].includes(segs[0] ?? '')) return true;
  if (clean.toLowerCase().endsWith('.eta')) return true;
  // Dotfiles (.git, .env, .DS_Store) are never meant for visitors.
  return segs.some((s) => s.startsWith('.'));
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

const NOT_FOUND: AssetResponse = { status: 404, body: Buffer.from('Not found'), headers: { 'content-type': 'text/plain; charset=utf-8' } };

/**
 * Answers GET `/pm-themes/{themeId}/{path}` from `fs` (whose root holds the
 * theme folders). `path` goes through `normalizeFsPath` first, so a bad path
 * throws PM_ERR_PATH_INVALID before any file system call.
 */
export async function serveThemeAsset(fs: ReadonlyFS, themeId: string, path: string, ifNoneMatch?: string, v?: string): Promise<AssetResponse> {
  const clean = normalizeFsPath(path);
  const id = normalizeFsPath(themeId);
  if (id === '' || id.includes('/') || clean === '' || isPrivateThemePath(clean)) return { ...NOT_FOUND };
  const full = `${id}/${clean}`;
  const st = await fs.stat(full);
  if (!st || st.isDir) return { ...NOT_FOUND };
  let data: Buffer;
  try {
    data = await fs.readFile(full);
  } catch {
    return { ...NOT_FOUND }; // removed between stat and read
  }
  const hex = sha256Hex(data);
  const etag = `"${hex.slice(0, 16)}"`;
  const cacheControl = v !== undefined && v === fingerprintOf(hex) ? 'public, max-age=31536000, immutable' : 'public, max-age=300';
  const headers: Record<string, string> = { etag, 'cache-control': cacheControl };
  if (etagMatches(ifNoneMatch, etag)) return { status: 304, headers };
  const type = contentTypeOf(clean);
  headers['content-type'] = type;
  headers['content-length'] = String(data.length);
  headers['x-content-type-options'] = 'nosniff';
  // An SVG opened directly is a document that could run script; keep it inert.
  if (type === 'image/svg+xml') headers['content-security-policy'] = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
  return { status: 200, body: data, headers };
}
