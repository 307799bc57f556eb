/**
 * `npm run build` gives plain JavaScript that runs without tsx: the README's
 * `node dist/src/cli/main.js serve` must serve the same site as `npm start`,
 * and so must the one-file bundle, `node dist/pagemanager.cjs serve`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT, freePort, httpGet, startServer, tempDir } from './cli-helpers.js';

const run = promisify(execFile);

test('npm run build compiles to JavaScript that serves the site without tsx', async (t) => {
  const out = join('test-output', `build-${randomBytes(4).toString('hex')}`);
  t.after(() => rmSync(join(ROOT, out), { recursive: true, force: true }));
  const built = await run(process.execPath, ['scripts/build.js', '--out', out], { cwd: ROOT });
  assert.match(built.stdout, /built test-output\/build-\w+\/ \(and copied \d+ plugin files\)/);

  const entry = join(ROOT, out, 'src', 'cli', 'main.js');
  const version = await run(process.execPath, [entry, '--version'], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } });
  assert.match(version.stdout, /^pagemanager \d+\.\d+\.\d+/);

  const server = await startServer(['serve', '--no-open', '--dir', tempDir(t), '--addr', `127.0.0.1:${await freePort()}`], { t, entry });
  const home = await httpGet(server.url);
  assert.equal(home.status, 200);
  assert.match(home.body, /Your site is ready/, 'the welcome page, rendered by the built-in theme');
  const css = await httpGet(new URL('/pm/assets/dashboard.css', server.url).href);
  assert.equal(css.status, 200, 'the dashboard plugin loaded from the build, with its stylesheet copied beside it');
  assert.equal((await httpGet(new URL('/pm/urls', server.url).href)).status, 200, 'the URL dashboard plugin too');
  assert.equal((await server.stop('SIGTERM')).code, 0);

  // The one-file bundle beside it serves the same site from the same data folder.
  assert.match(built.stdout, /bundled test-output\/build-\w+\/pagemanager\.cjs \(\d+\.\d MiB\)/);
  const bundle = join(ROOT, out, 'pagemanager.cjs');
  const bundled = await startServer(['serve', '--no-open', '--dir', tempDir(t), '--addr', `127.0.0.1:${await freePort()}`], { t, entry: bundle });
  const page = await httpGet(bundled.url);
  assert.equal(page.status, 200);
  assert.match(page.body, /Your site is ready/, 'the welcome page, from the bundle');
  assert.equal((await httpGet(new URL('/pm/assets/dashboard.css', bundled.url).href)).status, 200, "the dashboard's stylesheet, read from the project folder");
  assert.equal((await httpGet(new URL('/pm/urls', bundled.url).href)).status, 200);
  assert.equal((await bundled.stop('SIGTERM')).code, 0);
});

test('npm run build refuses an output folder outside the project', async () => {
  await assert.rejects(run(process.execPath, ['scripts/build.js', '--out', '/tmp/pm-build-elsewhere'], { cwd: ROOT }), (e: Error & { code?: number; stderr?: string }) => {
    assert.equal(e.code, 2);
    assert.match(e.stderr ?? '', /--out must be inside/);
    return true;
  });
});
