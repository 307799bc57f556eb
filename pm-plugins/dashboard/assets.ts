/**
 * The dashboard's stylesheet and scripts, built once at start from the files
 * pagemanager ships (so the single executable serves them too): the CSS is the
 * forms' default look followed by ours, so both kinds of form match.
 */
import { createHash } from 'node:crypto';
import type { PluginServer, PmReply, PmRequest } from '../../src/plugins/api.js';

export interface Asset {
  body: string;
  type: string;
  etag: string;
  /** A short content hash for `?v=` in links, so a changed file is fetched again. */
  version: string;
}

export interface DashboardAssets {
  css: Asset;
  js: Asset;
  forms: Asset;
}

function asset(body: string, type: string): Asset {
  const hash = createHash('sha256').update(body).digest('base64url');
  return { body, type, etag: `"${hash.slice(0, 22)}"`, version: hash.slice(0, 10) };
}

export async function dashboardAssets(server: Pick<PluginServer, 'forms' | 'shippedFiles'>): Promise<DashboardAssets> {
  const read = async (name: string) => (await server.shippedFiles.readFile(`pm-plugins/dashboard/${name}`)).toString('utf8');
  return {
    css: asset(`${server.forms.styles}\n${await read('dashboard.css')}`, 'text/css; charset=utf-8'),
    js: asset(await read('dashboard.js'), 'text/javascript; charset=utf-8'),
    forms: asset(server.forms.script, 'text/javascript; charset=utf-8'),
  };
}

/** Sends an asset, or 304 when the browser already has this version. */
export function sendAsset(request: PmRequest, reply: PmReply, a: Asset): PmReply {
  reply.header('etag', a.etag);
  if (request.headers['if-none-match'] === a.etag) return reply.code(304).send();
  return reply.type(a.type).send(a.body);
}
