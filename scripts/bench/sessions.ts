/**
 * Logged-in cookies for variants (e) and (f). The preferred way is the real
 * login route; while the dashboard has none, the session is opened the way the
 * route would open it: a stored session id, or `auth.login` in a process with
 * the same PM_SECRET_KEY (which signs the cookie).
 */
import { createApp } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { httpRequest } from './http-get.js';
import { BENCH_USER } from './seed.js';

export interface BenchCookie {
  /** `pm_session_{siteId}=VALUE`, ready for a Cookie header. */
  header: string;
  how: string;
}

function sessionValue(setCookie: string | string[] | undefined, name: string): string | undefined {
  for (const c of [setCookie ?? []].flat()) {
    if (c.startsWith(name + '=')) {
      const v = c.slice(name.length + 1).split(';')[0];
      if (v) return v;
    }
  }
  return undefined;
}

/** POST /pm/login with the hidden fields of the login form (the CSRF token among them). */
async function loginOverHttp(port: number, cookieName: string): Promise<{ value?: string; why: string }> {
  const form = await httpRequest(port, '/pm/login', { headers: { accept: 'text/html' } });
  if (form.status !== 200) return { why: `GET /pm/login answered ${form.status}` };
  const html = form.body.toString('utf8');
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const tag = m[0];
    if (!/type\s*=\s*"?hidden/i.test(tag)) continue;
    const name = /name\s*=\s*"([^"]*)"/i.exec(tag)?.[1];
    const value = /value\s*=\s*"([^"]*)"/i.exec(tag)?.[1];
    if (name) fields.set(name, (value ?? '').replace(/&amp;/g, '&').replace(/&quot;/g, '"'));
  }
  fields.set('username', BENCH_USER.username);
  fields.set('password', BENCH_USER.password);
  const cookies = [form.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]).join('; ');
  const res = await httpRequest(port, '/pm/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...(cookies ? { cookie: cookies } : {}) },
    body: fields.toString(),
  });
  const value = sessionValue(res.headers['set-cookie'], cookieName);
  return value ? { value, why: 'POST /pm/login' } : { why: `POST /pm/login answered ${res.status} without a session cookie` };
}

export async function benchCookie(opts: { port: number; dir: string; siteId: string; secretKey: string | undefined }): Promise<BenchCookie> {
  const name = `pm_session_${opts.siteId}`;
  const http = await loginOverHttp(opts.port, name);
  if (http.value) return { header: `${name}=${http.value}`, how: 'logged in over HTTP (POST /pm/login)' };

  const env = opts.secretKey ? { PM_SECRET_KEY: opts.secretKey } : {};
  const app = await createApp(loadConfig({ dir: opts.dir, mode: 'singlesite', addr: '127.0.0.1:0', open: false }, env), { logger: false });
  try {
    if (opts.secretKey) {
      const r = await app.auth.login({ siteId: opts.siteId, username: BENCH_USER.username, password: BENCH_USER.password, ip: '127.0.0.1', secure: false });
      const value = sessionValue(r.setCookie, name);
      if (!value) throw new Error(`auth.login gave no ${name} cookie: ${r.setCookie}`);
      return { header: `${name}=${value}`, how: `signed cookie from app.auth.login (${http.why})` };
    }
    const user = await app.stores.users.getByUsername(opts.siteId, BENCH_USER.username);
    if (!user) throw new Error('the bench user is missing');
    const { sessionId } = await app.stores.sessions.create({ userId: user.userId, siteId: opts.siteId, ttlMs: 3600_000 });
    return { header: `${name}=${sessionId}`, how: `stored session from sessions.create (${http.why})` };
  } finally {
    await app.close();
  }
}
