/**
 * The `Db` contract under the stores: transactions, locks, error mapping,
 * migrations, listen/notify, and what a user sees when the database cannot be
 * opened. Runs for every dialect, like store-contract.test.ts.
 */
import { sql } from '../../src/store/kysely.js';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { isPmError, type ErrorCode } from '../../src/errors/errors.js';
import { coreMigrations } from '../../src/store/core-migrations.js';
import { createStores } from '../../src/store/create-stores.js';
import type { Db, Queryable } from '../../src/store/db.js';
import { migrate, type Migration } from '../../src/store/migrate.js';
import { prepare } from '../../src/store/query.js';
import { openDb } from '../../src/store/open-db.js';
import { createSqliteDb } from '../../src/store/sqlite/sqlite-db.js';
import { DIALECTS, POSTGRES_URL, type TestDatabase } from '../helpers/dialects.js';

async function rejectsWith(p: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isPmError(e), `expected a PmError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

function nextMessage(db: Db, channel: string, timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let unsubscribe: (() => Promise<void>) | undefined;
    const timer = setTimeout(() => {
      void unsubscribe?.();
      resolve(undefined);
    }, timeoutMs);
    db.listen(channel, (payload) => {
      clearTimeout(timer);
      void unsubscribe?.();
      resolve(payload);
    }).then((u) => (unsubscribe = u), reject);
  });
}

/**
 * Opens `path` with openDb, as an unprivileged user when we are root (root
 * can write to any folder, so a read-only folder would not stop it).
 */
function openAsUnprivileged(path: string): Promise<{ code?: string; message: string }> {
  const code = `import(${JSON.stringify(pathToFileURL(join(process.cwd(), 'src/store/open-db.ts')).href)})
    .then((m) => m.openDb(${JSON.stringify(path)}))
    .then(() => console.log(JSON.stringify({ message: 'opened' })), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })))`;
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534, env: { ...process.env, HOME: tmpdir() } } : {};
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '-e', code], { cwd: process.cwd(), ...asNobody }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as { code?: string; message: string });
    });
  });
}

const T_MIGRATIONS: Migration[] = [
  { version: 1, name: 'things', up: (d) => `CREATE TABLE pm_test_thing (id ${d.types.text} NOT NULL PRIMARY KEY, at ${d.types.bigint} NOT NULL)` },
  { version: 2, name: 'thing blobs', up: (d) => `ALTER TABLE pm_test_thing ADD COLUMN body ${d.types.blob}` },
];

for (const dialect of DIALECTS) {
  describe(`db contract [${dialect.name}]`, { skip: dialect.skip }, () => {
    let t: TestDatabase;
    let db: Db;
    before(async () => {
      t = await dialect.openEmpty();
      db = t.db;
      await migrate(db, coreMigrations);
      await db.execScript(`CREATE TABLE pm_tx_test (id INTEGER NOT NULL PRIMARY KEY, label ${db.dialect.types.text} NOT NULL UNIQUE)`);
    });
    after(async () => {
      await t?.cleanup();
    });

    test('dialect flags and column types', () => {
      const d = db.dialect;
      assert.equal(d.name, dialect.name);
      assert.equal(d.supportsReturning, true);
      if (dialect.name === 'sqlite') {
        assert.deepEqual({ ...d.types }, { bigint: 'INTEGER', blob: 'BLOB', text: 'TEXT' });
        assert.equal(d.singleWriter, true);
        assert.equal(d.crossProcessNotify, false);
      } else {
        assert.deepEqual({ ...d.types }, { bigint: 'BIGINT', blob: 'BYTEA', text: 'TEXT COLLATE "C"' });
        assert.equal(d.singleWriter, false);
        assert.equal(d.crossProcessNotify, true);
      }
    });

    test('all/get/run, RETURNING, numbers and booleans as parameters', async () => {
      assert.deepEqual(await db.all(sql`SELECT 1 AS one`), [{ one: 1 }]);
      const r = await db.get<{ id: number }>(sql`INSERT INTO pm_tx_test (id, label) VALUES (${100}, ${'returning'}) RETURNING id`);
      assert.deepEqual(r, { id: 100 });
      assert.deepEqual(await db.run(sql`UPDATE pm_tx_test SET label = ${'returned'} WHERE id = ${100}`), { changes: 1 });
      assert.deepEqual(await db.run(sql`UPDATE pm_tx_test SET label = ${'x'} WHERE id = ${-1}`), { changes: 0 });
      const count = await db.get<{ n: unknown }>(sql`SELECT COUNT(*) AS n FROM pm_tx_test WHERE id > ${true}`);
      assert.equal(typeof count!.n, 'number', 'COUNT(*) comes back as a number on both dialects');
      assert.equal(await db.get(sql`SELECT 1 AS x FROM pm_tx_test WHERE id = ${-5}`), undefined);
    });

    test('SQL is compiled per dialect, never rewritten: a ? inside a literal, and a JSON operator on PostgreSQL', async () => {
      // The placeholder rewriting this replaced turned the literal '?' into '$1' and broke on PostgreSQL's ? operators.
      assert.deepEqual(await db.get(sql`SELECT '?' AS mark, 'a ? b ?? c' AS text, ${'value'} AS v`), { mark: '?', text: 'a ? b ?? c', v: 'value' });
      await db.run(db.kysely.insertInto('pm_tx_test' as never).values({ id: 300, label: 'what? really?' } as never));
      const found = await db.kysely
        .selectFrom('pm_tx_test' as never)
        .select(sql<string>`label`.as('label'))
        .where(sql<boolean>`label = 'what? really?' AND id = ${300}`)
        .execute();
      assert.deepEqual(found, [{ label: 'what? really?' }]);
      if (db.dialect.name === 'postgres') {
        const json = await db.get<{ has: boolean; any: boolean; all: boolean; v: string }>(
          sql`SELECT ${'{"a": 1, "b": "?"}'}::jsonb ? 'a' AS has, ${'{"a": 1}'}::jsonb ?| array['x', 'a'] AS any, ${'{"a": 1}'}::jsonb ?& array['a', 'b'] AS all, ${'{"b": "?"}'}::jsonb ->> 'b' AS v`,
        );
        assert.deepEqual(json, { has: true, any: true, all: false, v: '?' });
      } else {
        assert.deepEqual(await db.get(sql`SELECT json_extract(${'{"b": "?"}'}, '$.b') AS v`), { v: '?' });
      }
    });

    test('prepare(): compiled once, run with new values; Kysely transactions are refused with a pointer to db.transaction', async () => {
      const byId = prepare(db.kysely, 1, (id) => db.kysely.selectFrom('pm_tx_test' as never).select(sql<string>`label`.as('label')).where(sql.ref('id'), '=', id));
      await db.run(sql`INSERT INTO pm_tx_test (id, label) VALUES (${301}, ${'prepared'})`);
      assert.deepEqual(await db.get(byId(301)), { label: 'prepared' });
      assert.equal(await db.get(byId(-301)), undefined);
      await assert.rejects(db.kysely.transaction().execute(async () => {}), /use db\.transaction/);
    });

    test('a transaction commits when its callback resolves and rolls back when it throws', async () => {
      const result = await db.transaction(async (tx) => {
        await tx.run(sql`INSERT INTO pm_tx_test (id, label) VALUES (${1}, ${'committed'})`);
        return 'done';
      });
      assert.equal(result, 'done');
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.run(sql`INSERT INTO pm_tx_test (id, label) VALUES (${2}, ${'rolled back'})`);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual(await db.all(sql`SELECT label FROM pm_tx_test WHERE id IN (1, 2) ORDER BY id`), [{ label: 'committed' }]);
    });

    test('nobody outside a transaction sees it half done', async () => {
      const seen: number[] = [];
      const tx = db.transaction(async (q) => {
        await q.run(sql`INSERT INTO pm_tx_test (id, label) VALUES (${10}, ${'first half'})`);
        await sleep(50);
        await q.run(sql`INSERT INTO pm_tx_test (id, label) VALUES (${11}, ${'second half'})`);
      });
      await sleep(10);
      const r = await db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM pm_tx_test WHERE id IN (10, 11)`);
      seen.push(Number(r!.n));
      await tx;
      // SQLite: the read waited for the commit (2). PostgreSQL: it read the committed state before (0).
      assert.ok(seen[0] === 0 || seen[0] === 2, `saw ${seen[0]} of 2 rows`);
      if (db.dialect.singleWriter) assert.equal(seen[0], 2);
    });

    test('a transaction object cannot be used after it finished', async () => {
      let leaked: Queryable | undefined;
      await db.transaction(async (tx) => {
        leaked = tx;
      });
      await assert.rejects(leaked!.run(sql`DELETE FROM pm_tx_test`), /already finished/);
    });

    test('on a single-writer database, using the root Db inside its own transaction fails instead of hanging', { skip: dialect.name !== 'sqlite' && 'only SQLite serialises transactions in-process' }, async () => {
      await assert.rejects(
        db.transaction(async () => {
          await db.get(sql`SELECT 1 AS x`);
        }),
        /Use the `tx` passed to the callback/,
      );
      assert.deepEqual(await db.get(sql`SELECT 1 AS x`), { x: 1 }, 'the Db still works afterwards');
    });

    test('exclusive() runs one holder of a name at a time', async () => {
      const events: string[] = [];
      const hold = (label: string): Promise<void> =>
        db.exclusive('pm_test_lock', async (tx) => {
          events.push(`${label} in`);
          await tx.get(sql`SELECT 1 AS x`);
          await sleep(30);
          events.push(`${label} out`);
        });
      await Promise.all([hold('a'), hold('b'), hold('c')]);
      for (let i = 0; i < events.length; i += 2) assert.equal(events[i]!.split(' ')[0], events[i + 1]!.split(' ')[0], events.join(', '));
    });

    test('unique and foreign key violations become PM_ERR_CONFLICT and PM_ERR_FOREIGN_KEY, naming the key, with the cause kept', async () => {
      await db.run(sql`INSERT INTO pm_tx_test (id, label) VALUES (${20}, ${'unique label'})`);
      await assert.rejects(db.run(sql`INSERT INTO pm_tx_test (id, label) VALUES (${21}, ${'unique label'})`), (e: unknown) => {
        assert.ok(isPmError(e, 'PM_ERR_CONFLICT'), String(e));
        assert.equal(e.message, 'pm_tx_test.label already exists.');
        assert.ok(e.cause, 'the driver error is kept as cause');
        return true;
      });
      await rejectsWith(db.run(sql`INSERT INTO pm_tx_test (id, label) VALUES (${20}, ${'other'})`), 'PM_ERR_CONFLICT', /^pm_tx_test\.id already exists/);
      const site = await createStores(db).sites.ensurePrimary();
      await db.run(sql`INSERT INTO pm_locale (site_id, langcode) VALUES (${site.siteId}, ${'xx'})`);
      await rejectsWith(db.run(sql`INSERT INTO pm_locale (site_id, langcode) VALUES (${site.siteId}, ${'xx'})`), 'PM_ERR_CONFLICT', /^pm_locale\(site_id, langcode\) already exists/);
      await rejectsWith(db.run(sql`INSERT INTO pm_locale (site_id, langcode) VALUES (${'nope'}, ${'xx'})`), 'PM_ERR_FOREIGN_KEY', /refers to something that does not exist/);
      await rejectsWith(
        db.transaction((tx) => tx.run(sql`INSERT INTO pm_locale (site_id, langcode) VALUES (${'nope'}, ${'yy'})`)),
        'PM_ERR_FOREIGN_KEY',
      );
    });

    test('listen/notify within one Db; unsubscribing stops delivery', async () => {
      const got: string[] = [];
      const unsubscribe = await db.listen('pm_test_channel', (p) => got.push(p));
      const waiting = nextMessage(db, 'pm_test_channel');
      await db.notify('pm_test_channel', 'hello "quoted" ünïcode');
      assert.equal(await waiting, 'hello "quoted" ünïcode');
      assert.deepEqual(got, ['hello "quoted" ünïcode']);
      await unsubscribe();
      await db.notify('pm_test_channel', 'after');
      await sleep(100);
      assert.deepEqual(got, ['hello "quoted" ünïcode']);
    });

    test('notify reaches another connection exactly when crossProcessNotify says so', async () => {
      const other = await t.openAnother();
      const waiting = nextMessage(other, 'pm-cache invalidate', db.dialect.crossProcessNotify ? 3000 : 300);
      await sleep(50);
      await db.notify('pm-cache invalidate', '{"urlPath":"/x"}');
      assert.equal(await waiting, db.dialect.crossProcessNotify ? '{"urlPath":"/x"}' : undefined);
    });

    test('migrations: a second run applies nothing; namespaces keep lists apart', async () => {
      assert.deepEqual(await migrate(db, coreMigrations), { applied: [] });
      assert.deepEqual(await migrate(db, T_MIGRATIONS, 'pm-test'), { applied: ['pm-test/1 things', 'pm-test/2 thing blobs'] });
      assert.deepEqual(await migrate(db, T_MIGRATIONS, 'pm-test'), { applied: [] });
      await db.run(sql`INSERT INTO pm_test_thing (id, at, body) VALUES (${'a'}, ${Date.now()}, ${Buffer.from([0, 1, 2, 255])})`);
      const row = await db.get<{ at: unknown; body: Buffer }>(sql`SELECT at, body FROM pm_test_thing`);
      assert.equal(typeof row!.at, 'number');
      assert.deepEqual([...row!.body], [0, 1, 2, 255]);
      const recorded = await db.all<{ namespace: string; version: number }>(sql`SELECT namespace, version FROM pm_migration ORDER BY namespace, version`);
      assert.deepEqual(recorded.map((r) => `${r.namespace}/${r.version}`), [...coreMigrations.map((m) => `core/${m.version}`), 'pm-test/1', 'pm-test/2']);
    });

    test('migrations: a list run under the wrong namespace, a bad list, or a newer database are refused clearly', async () => {
      await rejectsWith(migrate(db, [{ version: 1, name: 'blog posts', up: () => 'SELECT 1' }, ...coreMigrations.slice(1)]), 'PM_ERR_CONFIG', /recorded as "core schema" but the list calls it "blog posts"/);
      await rejectsWith(migrate(db, [T_MIGRATIONS[1]!, T_MIGRATIONS[0]!], 'pm-test2'), 'PM_ERR_CONFIG', /increasing positive integer versions/);
      await rejectsWith(migrate(db, [], 'bad namespace!'), 'PM_ERR_CONFIG', /namespace/);
      const newest = coreMigrations[coreMigrations.length - 1]!;
      await rejectsWith(migrate(db, coreMigrations.slice(0, -1)), 'PM_ERR_CONFIG', new RegExp(`core migration ${newest.version} \\(${newest.name}\\), which this version of pagemanager does not know`));
    });

    test('migrations: a failing migration applies nothing of its run and names itself', async () => {
      const failing: Migration[] = [
        { version: 1, name: 'ok table', up: () => 'CREATE TABLE pm_fail_ok (id INTEGER)' },
        { version: 2, name: 'broken', up: () => 'CREATE TABLE pm_fail_bad (id INTEGER' },
      ];
      await rejectsWith(migrate(db, failing, 'pm-fail'), 'PM_ERR_CONFIG', /pm-fail migration 2 \(broken\) failed/);
      assert.deepEqual(await db.all(sql`SELECT version FROM pm_migration WHERE namespace = 'pm-fail'`), []);
      await assert.rejects(db.all(sql`SELECT * FROM pm_fail_ok`), 'the first migration of the run was rolled back too');
    });

    test('concurrent migrate() calls on one Db apply the list once', async () => {
      const list: Migration[] = [{ version: 1, name: 'once', up: () => 'CREATE TABLE pm_once (id INTEGER)' }];
      const results = await Promise.all([migrate(db, list, 'pm-once'), migrate(db, list, 'pm-once'), migrate(db, list, 'pm-once')]);
      assert.deepEqual(results.map((r) => r.applied.length).sort(), [0, 0, 1]);
    });
  });
}

describe('several connections to one PostgreSQL database (as several processes would have)', { skip: !POSTGRES_URL && 'PM_TEST_POSTGRES_URL is not set; set it to run the PostgreSQL tests' }, () => {
  const pg = DIALECTS.find((d) => d.name === 'postgres')!;

  test('two migrate() at once on a fresh schema: applied once', async () => {
    const t = await pg.openEmpty();
    try {
      const others = await Promise.all([t.openAnother(), t.openAnother(), t.openAnother()]);
      const results = await Promise.all([t.db, ...others].map((d) => migrate(d, coreMigrations)));
      assert.deepEqual(results.map((r) => r.applied.length).sort(), [0, 0, 0, coreMigrations.length]);
      assert.deepEqual(await t.db.all(sql`SELECT namespace, version FROM pm_migration ORDER BY version`), coreMigrations.map((m) => ({ namespace: 'core', version: m.version })));
    } finally {
      await t.cleanup();
    }
  });

  test('two ensurePrimary() at once on separate connections: exactly one primary', async () => {
    const t = await pg.openEmpty();
    try {
      await migrate(t.db, coreMigrations);
      const dbs = [t.db, ...(await Promise.all([t.openAnother(), t.openAnother(), t.openAnother()]))];
      const sites = await Promise.all(dbs.map((d) => createStores(d).sites.ensurePrimary()));
      assert.equal(new Set(sites.map((s) => s.siteId)).size, 1, 'every connection got the same primary site');
      assert.deepEqual(await t.db.all(sql`SELECT COUNT(*) AS n FROM pm_site WHERE is_primary = 1`), [{ n: 1 }]);
      assert.deepEqual(await t.db.all(sql`SELECT COUNT(*) AS n FROM pm_locale`), [{ n: 1 }]);
    } finally {
      await t.cleanup();
    }
  });

  test('exclusive() with one name excludes holders on other connections', async () => {
    const t = await pg.openEmpty();
    try {
      const other = await t.openAnother();
      const events: string[] = [];
      const hold = (d: Db, label: string): Promise<void> =>
        d.exclusive('pm_test_cross', async () => {
          events.push(`${label} in`);
          await sleep(50);
          events.push(`${label} out`);
        });
      await Promise.all([hold(t.db, 'a'), hold(other, 'b')]);
      assert.ok(events.join() === 'a in,a out,b in,b out' || events.join() === 'b in,b out,a in,a out', events.join());
    } finally {
      await t.cleanup();
    }
  });

  test('the LISTEN connection reconnects after the server drops it', async () => {
    const t = await pg.openEmpty();
    try {
      const other = await t.openAnother();
      const got: string[] = [];
      await t.db.listen('pm_reconnect', (p) => got.push(p));
      assert.equal(t.db.isListening(), true);
      const killed = await other.all<{ ok: boolean }>(
        sql`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE query LIKE ${`%LISTEN "${t.schema}.pm_reconnect"%`} AND pid <> pg_backend_pid()`,
      );
      assert.equal(killed.length, 1, 'found the listening connection');
      const lostBy = Date.now() + 2000;
      while (t.db.isListening() && Date.now() < lostBy) await sleep(5);
      assert.equal(t.db.isListening(), false, 'the Db says it may be missing notifications');
      // Notifications sent while it is down are lost, so keep sending until one arrives.
      const deadline = Date.now() + 5000;
      while (!got.includes('back') && Date.now() < deadline) {
        await other.notify('pm_reconnect', 'back');
        await sleep(100);
      }
      // First the empty "you may have missed something" signal, then messages again.
      assert.equal(got[0], '');
      assert.ok(got.includes('back'));
      assert.equal(t.db.isListening(), true);
    } finally {
      await t.cleanup();
    }
  });

  test('a wrong database name → PM_ERR_DB_UNAVAILABLE naming it', async () => {
    const url = new URL(POSTGRES_URL!);
    url.pathname = '/pm_no_such_database';
    await rejectsWith(openDb(url.toString()), 'PM_ERR_DB_UNAVAILABLE', /database "pm_no_such_database" does not exist/);
  });

  test('a bad schema name is refused before connecting', async () => {
    await rejectsWith(openDb(POSTGRES_URL!, { schema: 'x"; DROP TABLE y; --' }), 'PM_ERR_CONFIG', /schema name/);
  });
});

describe('opening a database that cannot be reached', () => {
  test('PostgreSQL on a port nobody listens on → PM_ERR_DB_UNAVAILABLE, quickly', async () => {
    const started = Date.now();
    await rejectsWith(openDb('postgres://postgres@127.0.0.1:1/test'), 'PM_ERR_DB_UNAVAILABLE', /^The database cannot be reached: connection refused at 127\.0\.0\.1:1$/);
    assert.ok(Date.now() - started < 6000, `took ${Date.now() - started} ms`);
  });

  test('a server that accepts the connection but never answers → PM_ERR_DB_UNAVAILABLE after the 3 s connect timeout', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const started = Date.now();
    try {
      await rejectsWith(openDb(`postgres://postgres@127.0.0.1:${port}/test`), 'PM_ERR_DB_UNAVAILABLE', new RegExp(`no answer from 127\\.0\\.0\\.1:${port} in time`));
      const took = Date.now() - started;
      assert.ok(took >= 2500 && took < 6000, `took ${took} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  test('a PostgreSQL host that does not exist → PM_ERR_DB_UNAVAILABLE naming the host', async () => {
    await rejectsWith(openDb('postgresql://u:secret@pm-no-such-host.invalid:5432/db'), 'PM_ERR_DB_UNAVAILABLE', /pm-no-such-host\.invalid was not found/);
  });

  test('an unsupported database address → PM_ERR_CONFIG', async () => {
    await rejectsWith(openDb('mysql://root@localhost/db'), 'PM_ERR_CONFIG', /mysql:\/\/… is not supported/);
    await rejectsWith(openDb('sqlite:'), 'PM_ERR_CONFIG', /path is empty/);
  });

  describe('SQLite', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'pm-open-'));
    });
    after(() => {
      chmodSync(dir, 0o700);
      rmSync(dir, { recursive: true, force: true });
    });

    test('sqlite:PATH and a plain path both open, creating the missing folders', async () => {
      for (const dsn of [`sqlite:${join(dir, 'a', 'b', 'one.db')}`, join(dir, 'c', 'two.db')]) {
        const db = await openDb(dsn);
        assert.equal(db.dialect.name, 'sqlite');
        assert.deepEqual(await db.get(sql`PRAGMA journal_mode`), { journal_mode: 'wal' });
        assert.deepEqual(await db.get(sql`PRAGMA foreign_keys`), { foreign_keys: 1 });
        assert.deepEqual(await db.get(sql`PRAGMA busy_timeout`), { timeout: 5000 });
        assert.deepEqual(await db.get(sql`PRAGMA synchronous`), { synchronous: 1 });
        await db.close();
      }
    });

    test('a folder that cannot be created (a file is in the way) → PM_ERR_DB_UNAVAILABLE naming it', async () => {
      const file = join(dir, 'not-a-folder');
      writeFileSync(file, 'x');
      await rejectsWith(openDb(join(file, 'pm.db')), 'PM_ERR_DB_UNAVAILABLE', new RegExp(`cannot create the folder ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    });

    test('a file that is not a database → PM_ERR_DB_UNAVAILABLE', async () => {
      const file = join(dir, 'garbage.db');
      writeFileSync(file, 'this is not a database, just some text that is long enough to have a header'.repeat(10));
      await rejectsWith(openDb(file), 'PM_ERR_DB_UNAVAILABLE', /is not a SQLite database/);
    });

    test('createSqliteDb in a folder that does not exist → PM_ERR_DB_UNAVAILABLE', () => {
      assert.throws(() => createSqliteDb(join(dir, 'missing', 'pm.db')), (e: unknown) => isPmError(e, 'PM_ERR_DB_UNAVAILABLE') && /its folder does not exist/.test(e.message));
    });

    test('a folder that is not writable → PM_ERR_DB_UNAVAILABLE naming it', async () => {
      const ro = join(dir, 'read-only');
      mkdirSync(ro);
      chmodSync(dir, 0o755);
      chmodSync(ro, 0o555);
      try {
        const result = await openAsUnprivileged(join(ro, 'pm.db'));
        assert.equal(result.code, 'PM_ERR_DB_UNAVAILABLE', result.message);
        assert.match(result.message, /read-only is not writable, so the SQLite database .*pm\.db cannot be used/);
      } finally {
        chmodSync(ro, 0o755);
      }
    });
  });
});


