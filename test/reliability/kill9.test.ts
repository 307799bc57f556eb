/**
 * kill -9 during acknowledged writes: a real `pagemanager serve` takes page
 * writes through the JSON API from several clients at once and is killed
 * with SIGKILL at a random moment (seeded, so a run can be repeated). After a
 * restart every write that was acknowledged (2xx) is there, byte for byte; a
 * write that was in flight is either all there or absent; SQLite's
 * `PRAGMA integrity_check` says ok. On SQLite always, on PostgreSQL when
 * PM_TEST_POSTGRES_URL is set.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { NO_POSTGRES, POSTGRES_URL, tempDir, tempPostgresDatabase } from '../cli/cli-helpers.js';
import { apiToken, call, putPage, seeded, serve } from './real-server.js';

const ROUNDS = 3;
const WRITERS = 6;
const SEED = Number(process.env.PM_TEST_SEED ?? 20261202);

for (const dialect of ['sqlite', 'postgres'] as const) {
  test(`kill -9 during acknowledged writes loses none of them [${dialect}]`, { skip: dialect === 'postgres' && !POSTGRES_URL ? NO_POSTGRES : false, timeout: 180_000 }, async (t) => {
    const rnd = seeded(SEED + (dialect === 'sqlite' ? 0 : 1));
    const dir = tempDir(t, 'pm-kill9-');
    const dsn = dialect === 'postgres' ? await tempPostgresDatabase(t, 'pm_kill9') : undefined;
    const acked = new Map<string, string>();
    const inFlight = new Map<string, string>();
    let token = '';
    let kills = 0;

    for (let round = 0; round <= ROUNDS; round++) {
      const server = await serve(dir, { dsn, t });
      token ||= await apiToken(server.base);
      // What the last life acknowledged is all there, exactly; what it had in flight is all or nothing.
      for (const [path, html] of acked) {
        const got = await call(server.base, 'GET', path);
        assert.equal(got.status, 200, `${path} was acknowledged before kill -9 and is gone (${got.status})`);
        assert.equal(got.body, html, `${path} changed across kill -9`);
      }
      for (const [path, html] of inFlight) {
        const got = await call(server.base, 'GET', path);
        assert.ok(got.status === 404 || got.body === html, `${path} was in flight: it must be all there or absent, got ${got.status} ${got.body.slice(0, 80)}`);
      }
      inFlight.clear();
      if (round === ROUNDS) {
        const stopped = await server.stop();
        assert.equal(stopped.code, 0, stopped.stderr);
        break;
      }

      let stop = false;
      let ackedThisRound = 0;
      let failure: unknown;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const path = `/k/${round}/${w}/${i}`;
          const html = `<!doctype html><title>${path}</title><p>${path}</p>` + `<p>${'x'.repeat(rnd.int(0, 20_000))}</p>`;
          inFlight.set(path, html);
          try {
            const res = await putPage(server.base, token, path, html, 10_000);
            assert.ok(res.status === 201 || res.status === 200, `${path}: ${res.status} ${res.body}`);
            acked.set(path, html);
            inFlight.delete(path);
            ackedThisRound++;
          } catch (e) {
            // After the kill the connection dies with the process; before it, it is a failure.
            if (!stop) failure = e;
            stop = true;
            return;
          }
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
      // Kill at a random moment once writes are flowing (a slow machine acknowledges them late).
      while (ackedThisRound < WRITERS && !failure) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, rnd.int(0, 600)));
      stop = true;
      server.child.kill('SIGKILL');
      kills++;
      const ended = await server.exited;
      assert.equal(ended.signal, 'SIGKILL');
      await Promise.all(writers);
      if (failure) throw failure;
    }
    assert.ok(acked.size >= ROUNDS * WRITERS, `only ${acked.size} writes were acknowledged`);
    if (dialect === 'sqlite') {
      const db = new Database(join(dir, 'pagemanager.db'), { readonly: true });
      try {
        assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      } finally {
        db.close();
      }
    }
    console.log(`# kill -9 [${dialect}]: ${kills} kills survived, ${acked.size} acknowledged writes all present`);
  });
}
