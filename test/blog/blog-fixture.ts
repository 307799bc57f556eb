/**
 * A real app with every built-in plugin, on SQLite or (with
 * PM_TEST_POSTGRES_URL) on PostgreSQL in a schema of its own, with an
 * editor, an author and a second author, and helpers to call the posts API
 * and visit pages as a visitor would.
 */
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import type { Response } from 'light-my-request';
import { openDb } from '../../src/store/open-db.js';
import type { User } from '../../src/store/types.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DIALECTS, POSTGRES_URL, type DialectName } from '../helpers/dialects.js';

export interface BlogFixture {
  t: TestApp;
  dialect: DialectName;
  siteId: string;
  users: { editor: User; author: User; other: User };
  tokens: { editor: string; author: string; other: string };
  api(as: keyof BlogFixture['tokens'], method: string, url: string, body?: unknown): Promise<Response>;
  visit(url: string, headers?: Record<string, string>): Promise<Response>;
  /** Every page.changed event's `langcode:path` while `fn` runs. */
  changes(fn: () => Promise<unknown>): Promise<string[]>;
}

export async function startBlogFixture(dialect: DialectName, opts: { schema?: string; dir?: string; flags?: Record<string, unknown>; logLines?: string[] } = {}): Promise<BlogFixture & { close(): Promise<void>; schema?: string }> {
  const schema = dialect === 'postgres' ? (opts.schema ?? `pm_blog_${process.pid}_${randomBytes(4).toString('hex')}`) : undefined;
  const t = await startTestApp({ ...(dialect === 'postgres' ? { dsn: POSTGRES_URL } : {}), ...(opts.flags ?? {}) } as never, {
    dbSchema: schema,
    dir: opts.dir,
    // Log lines collected for tests that count what the server did (as JSON text, one per entry).
    ...(opts.logLines ? { logger: { level: 'info', stream: { write: (line: string) => void opts.logLines!.push(line) } } } : {}),
  });
  const siteId = t.siteId;
  const existing = async (name: string, role: User['role']) => (await t.app.stores.users.getByUsername(siteId, name)) ?? t.user(name, `${name} passphrase`, role);
  const users = { editor: await existing('edith', 'editor'), author: await existing('arthur', 'author'), other: await existing('olive', 'author') };
  const tokens = {
    editor: (await t.app.users.createToken(users.editor, 'test')).token,
    author: (await t.app.users.createToken(users.author, 'test')).token,
    other: (await t.app.users.createToken(users.other, 'test')).token,
  };
  return {
    t,
    dialect,
    schema,
    siteId,
    users,
    tokens,
    api: (as, method, url, body) =>
      t.app.http.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${tokens[as]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: body === undefined ? undefined : JSON.stringify(body) }),
    visit: (url, headers = {}) => t.app.http.inject({ method: 'GET', url, headers }),
    async changes(fn) {
      const seen: string[] = [];
      const l = (c: { langcode: string; urlPath: string }) => seen.push(`${c.langcode}:${c.urlPath}`);
      t.app.events.on('page.changed', l);
      try {
        await fn();
      } finally {
        t.app.events.off('page.changed', l);
      }
      return [...new Set(seen)].sort();
    },
    async close() {
      await t.close();
      if (schema && !opts.schema) await dropSchema(schema);
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const db = await openDb(POSTGRES_URL!, { schema });
  try {
    await db.execScript(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await db.close();
  }
}

/** One test per dialect, each with a fresh blog fixture. */
export function forEachBlog(name: string, fn: (f: BlogFixture, t: TestContext) => Promise<void>): void {
  for (const d of DIALECTS) {
    test(`${name} [${d.name}]`, { skip: d.skip }, async (tc) => {
      const f = await startBlogFixture(d.name);
      try {
        await fn(f, tc);
      } finally {
        await f.close();
      }
    });
  }
}
