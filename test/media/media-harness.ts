import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AppOptions } from '../../src/app/create-app.js';
import type { ConfigFlags } from '../../src/config/load-config.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { multipart } from './fixtures.js';
import type { DialectName } from '../helpers/dialects.js';

export interface MediaApp extends TestApp {
  token: string;
  /** POST /pm/api/media with one file (and ?wait=true unless told otherwise). */
  upload(filename: string, body: Buffer, o?: { alt?: string; wait?: boolean }): Promise<{ status: number; json: any }>;
  get(url: string, headers?: Record<string, string>): ReturnType<TestApp['app']['http']['inject']>;
  api(method: string, url: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** Every file under the data folder's pm-uploads/. */
  storedFiles(): string[];
  /** Waits until no file is being processed and every page change is indexed. */
  settled(): Promise<void>;
}

export function walk(dir: string): string[] {
  let out: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    out = statSync(p).isDirectory() ? out.concat(walk(p)) : out.concat(p);
  }
  return out;
}

export async function startMediaApp(flags: ConfigFlags = {}, opts: AppOptions & { env?: NodeJS.ProcessEnv; dir?: string; username?: string; dialect?: DialectName } = {}): Promise<MediaApp> {
  const t = await startTestApp(flags, opts);
  const maya = await t.user(opts.username ?? 'maya', 'a long passphrase', 'superadmin');
  const { token } = await t.app.users.createToken(maya, 'tests');
  const auth = { authorization: `Bearer ${token}`, host: '127.0.0.1' };
  const parse = (body: string) => {
    try {
      return JSON.parse(body);
    } catch {
      return body;
    }
  };
  return {
    ...t,
    token,
    async upload(filename, body, o = {}) {
      const mp = multipart([...(o.alt !== undefined ? [{ name: 'alt', value: o.alt }] : []), { name: 'file', filename, body }]);
      const r = await t.app.http.inject({ method: 'POST', url: `/pm/api/media${o.wait === false ? '' : '?wait=true'}`, headers: { ...mp.headers, ...auth }, payload: mp.payload });
      return { status: r.statusCode, json: parse(r.body) };
    },
    get: (url, headers = {}) => t.app.http.inject({ url, headers: { host: '127.0.0.1', ...headers } }),
    async api(method, url, body) {
      const r = await t.app.http.inject({
        method: method as 'GET',
        url,
        headers: { ...auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        payload: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.statusCode, json: parse(r.body) };
    },
    storedFiles: () => walk(join(t.dir, 'pm-uploads')),
    // The plugin's close() waits for exactly that (and leaves it running).
    settled: async () => void (await t.app.plugins.find((p) => p.name === 'media')?.close?.()),
  };
}
