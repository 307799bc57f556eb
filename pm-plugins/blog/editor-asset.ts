/** The editor's script, read once at start from the shipped files and served with an ETag under /pm/assets/. */
import { createHash } from 'node:crypto';
import type { PluginServer } from '../../src/plugins/plugin.js';
import type { Asset } from '../../src/plugins/plugin.js';

export async function editorAsset(server: Pick<PluginServer, 'shippedFiles'>): Promise<Asset> {
  const body = (await server.shippedFiles.readFile('pm-plugins/blog/blog-editor.js')).toString('utf8');
  const hash = createHash('sha256').update(body).digest('base64url');
  return { body, type: 'text/javascript; charset=utf-8', etag: `"${hash.slice(0, 22)}"`, version: hash.slice(0, 10) };
}
