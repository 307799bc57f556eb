/**
 * A real app on a temporary SQLite folder, and a small "browser" for it: a
 * cookie jar, the CSRF token of the last page seen, and urlencoded posts —
 * all through `app.http.inject`, the same request path as a socket.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Response } from 'light-my-request';
import type { App } from '../../src/app/create-app.js';
import type { Role, User } from '../../src/store/types.js';
import { startTestApp } from '../helpers/app.js';
import type { DialectName } from '../helpers/dialects.js';

export interface Harness {
  app: App;
  dir: string;
  siteId: string;
  user(username: string, password: string, role?: Role): Promise<User>;
  /** A fresh visitor with an empty cookie jar. */
  client(): Client;
  /** A visitor already logged in (through the login form). */
  loggedIn(username: string, password: string): Promise<Client>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  mode?: 'offline' | 'singlesite';
  /** Files written into the data folder before the app starts (user themes, config.toml). */
  files?: Record<string, string>;
  /** The database (SQLite by default; PostgreSQL in a schema of its own, see startTestApp). */
  dialect?: DialectName;
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'pm-dash-'));
  for (const [path, text] of Object.entries(o.files ?? {})) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const t = await startTestApp({ mode: o.mode ?? 'singlesite' }, { dir, dialect: o.dialect });
  const { app, siteId } = t;
  const h: Harness = {
    app,
    dir,
    siteId,
    async user(username, password, role = 'editor') {
      const u = await app.stores.users.create({ siteId, username, role, name: username[0].toUpperCase() + username.slice(1) });
      await app.stores.passwords.set(u.userId, password);
      return u;
    },
    client: () => new Client(app),
    async loggedIn(username, password) {
      const c = new Client(app);
      await c.get('/pm/login');
      const r = await c.post('/pm/login', { username, password });
      if (r.statusCode !== 303) throw new Error(`login of ${username} failed: ${r.statusCode} ${r.body.slice(0, 200)}`);
      // The CSRF token is bound to the session: take the one a logged-in page carries.
      await c.get('/pm/profile');
      return c;
    },
    async close() {
      try {
        await t.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return h;
}

export class Client {
  readonly cookies = new Map<string, string>();
  /** The `_csrf` of the last HTML page that had one. */
  csrf = '';

  constructor(private readonly app: App) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(r: Response): Response {
    const set = r.headers['set-cookie'];
    for (const line of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const m = /name="_csrf" value="([^"]+)"/.exec(r.body);
    if (m) this.csrf = m[1];
    return r;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.remember(await this.app.http.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader(), accept: 'text/html', ...headers } }));
  }

  /**
   * Posts a form. The CSRF token of the last page is added unless `csrf: false`;
   * a client that has seen no page yet fetches /pm/profile (or /pm/login) for one.
   */
  async post(url: string, fields: Record<string, string | string[]>, o: { csrf?: boolean } = {}): Promise<Response> {
    if (o.csrf !== false && !this.csrf) await this.get(this.cookies.size ? '/pm/profile' : '/pm/login');
    const body = new URLSearchParams();
    if (o.csrf !== false) body.append('_csrf', this.csrf);
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    return this.remember(
      await this.app.http.inject({
        method: 'POST',
        url,
        headers: { cookie: this.cookieHeader(), accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      }),
    );
  }
}

/** The texts of the errors shown beside fields and in notices. */
export function shownErrors(body: string): string[] {
  return [...body.matchAll(/class="(?:pm-field-error|notice notice-error)"[^>]*>(?:<p>)?([^<]+)/g)].map((m) => m[1].trim());
}

/** The value of an input by name in the HTML. */
export function inputValue(body: string, name: string): string | undefined {
  const re = new RegExp(`<input[^>]*name="${name.replace(/[[\]]/g, '\\$&')}"[^>]*>`);
  const tag = re.exec(body)?.[0];
  if (!tag) return undefined;
  return /value="([^"]*)"/.exec(tag)?.[1];
}

export function decode(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&(lt|gt|quot);/g, (_, n: string) => ({ lt: '<', gt: '>', quot: '"' })[n as 'lt']!)
    .replace(/&amp;/g, '&');
}
