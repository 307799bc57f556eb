/**
 * A stylesheet or script a plugin serves itself (read once at start from
 * `server.shippedFiles` or its own files), with an ETag and a short content
 * hash for `?v=` in links, so a changed file is fetched again.
 *
 * @example
 * const js = makeAsset((await server.shippedFiles.readFile('pm-plugins/hello/hello.js')).toString('utf8'), 'text/javascript; charset=utf-8');
 * router.get('/pm/assets/hello.js', (request, reply) => sendAsset(request, reply, js));
 */
import { createHash } from 'node:crypto';
import type { PmReply, PmRequest } from './api.js';

export interface Asset {
  body: string;
  type: string;
  etag: string;
  /** A short content hash for `?v=` in links. */
  version: string;
}

export function makeAsset(body: string, type: string): Asset {
  const hash = createHash('sha256').update(body).digest('base64url');
  return { body, type, etag: `"${hash.slice(0, 22)}"`, version: hash.slice(0, 10) };
}

/** Sends an asset, or 304 when the browser already has this version. */
export function sendAsset(request: PmRequest, reply: PmReply, a: Asset): PmReply {
  reply.header('etag', a.etag);
  if (request.headers['if-none-match'] === a.etag) return reply.code(304).send();
  return reply.type(a.type).send(a.body);
}
