/**
 * A full disk under SQLite: the data folder on a small tmpfs (mounted here,
 * so this needs root; skipped with a message where mounting is refused),
 * filled up while a real `pagemanager serve` takes page writes. The write
 * that does not fit gets a clear error, the process stays up and keeps
 * serving, nothing acknowledged before is lost (before and after a restart),
 * writes work again once there is room, and the database passes
 * `PRAGMA integrity_check`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { apiToken, call, putPage, serve } from './real-server.js';

const SIZE_MB = 32;

function mountTmpfs(): { dir: string; umount: () => void } | string {
  const dir = mkdtempSync(join(tmpdir(), 'pm-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE_MB}m`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return `disk-full test skipped: cannot mount a tmpfs here (${(r.stderr || r.error?.message || 'mount failed').trim()}); it needs root`;
  }
  return {
    dir,
    umount: () => {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const NOT_ROOT = process.getuid?.() === 0 ? false : 'disk-full test skipped: not root, so no tmpfs can be mounted';
if (NOT_ROOT) console.log(`# ${NOT_ROOT}`);

test('a full disk: a clear error, the server keeps serving, nothing stored is lost, writes resume with room', { skip: NOT_ROOT, timeout: 120_000 }, async (t) => {
  const mounted = mountTmpfs();
  if (typeof mounted === 'string') {
    console.log(`# ${mounted}`);
    return t.skip(mounted);
  }
  const { dir: mount, umount } = mounted;
  t.after(umount);
  const dir = join(mount, 'data');
  mkdirSync(dir);
  let server = await serve(dir, { t });
  const token = await apiToken(server.base);
  const acked = new Map<string, string>();
  const write = async (path: string, kb: number) => {
    const html = `<!doctype html><title>${path}</title><pre>${randomBytes(kb * 512).toString('hex')}</pre>`;
    const res = await putPage(server.base, token, path, html);
    if (res.status === 200 || res.status === 201) acked.set(path, html);
    return res;
  };
  for (let i = 0; i < 10; i++) assert.equal((await write(`/before/${i}`, 20)).status, 201);

  // Leave about 3 MB free, then write until a write does not fit.
  const free = () => { const s = statfsSync(mount); return s.bavail * s.bsize; };
  writeFileSync(join(mount, 'filler'), randomBytes(Math.max(0, free() - 3 * 1024 * 1024)));
  let refused: Awaited<ReturnType<typeof write>> | undefined;
  for (let i = 0; i < 200 && !refused; i++) {
    const res = await write(`/filling/${i}`, 200);
    if (res.status >= 400) refused = res;
  }
  assert.ok(refused, `no write was refused with ${free()} bytes free`);
  console.log(`# disk full: refused after ${acked.size} acknowledged writes with ${refused.status} ${refused.body}`);
  assert.equal(refused.status, 503, refused.body);
  const err = JSON.parse(refused.body) as { code: string; message: string };
  assert.equal(err.code, 'PM_ERR_DB_UNAVAILABLE');
  assert.match(err.message, /full/i, 'the message says the disk is full');

  // Still up, still serving, reads and small things alike; nothing acknowledged is gone.
  assert.equal(server.child.exitCode, null);
  assert.equal((await call(server.base, 'GET', '/pm/health')).status, 200);
  const checkAll = async () => {
    for (const [path, html] of acked) {
      const got = await call(server.base, 'GET', path);
      assert.equal(got.status, 200, `${path} was acknowledged and is gone (${got.status})`);
      assert.ok(got.body === html, `${path} changed`);
    }
  };
  await checkAll();
  const again = await write('/while-full', 400);
  assert.equal(again.status, 503, 'a second write while full is refused the same way');

  // Room again: writes work without a restart.
  rmSync(join(mount, 'filler'));
  const resumed = await write('/after-room', 20);
  assert.equal(resumed.status, 201, `after freeing space: ${resumed.status} ${resumed.body}`);

  const stopped = await server.stop();
  assert.equal(stopped.code, 0, stopped.stderr);
  server = await serve(dir, { t });
  await checkAll();
  assert.equal((await server.stop()).code, 0);
  const db = new Database(join(dir, 'pagemanager.db'), { readonly: true });
  try {
    assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
  } finally {
    db.close();
  }
});
