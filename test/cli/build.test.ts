/**
 * `npm run build` gives plain JavaScript that runs without tsx: the README's
 * `node dist/src/cli/main.js serve` must serve the same site as `npm start`,
 * and so must the one-file bundle, `node dist/pagemanager.cjs serve`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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
  assert.match(built.stdout, /bundled test-output\/build-\w+\/pagemanager-bundle\.cjs \(\d+\.\d MiB\); run: node test-output\/build-\w+\/pagemanager\.cjs serve/);
  const bundle = join(ROOT, out, 'pagemanager.cjs');
  assert.doesNotMatch(readFileSync(join(ROOT, out, 'pagemanager-bundle.cjs'), 'latin1'), /[^\x00-\x7f]/, 'the bundle is ASCII only');
  const cacheDir = join(ROOT, out, '.code-cache');
  assert.equal(existsSync(cacheDir), false, 'no code cache before the first start');
  const dataDir = tempDir(t);
  // Twice: the first start compiles the bundle and writes its code cache, the second starts from
  // it (V8 accepts it: a refused cache would be written again, with a new time).
  let writtenAt: number | undefined;
  for (const round of ['without a code cache', 'from the code cache']) {
    const bundled = await startServer(['serve', '--no-open', '--dir', dataDir, '--addr', `127.0.0.1:${await freePort()}`], { t, entry: bundle });
    const page = await httpGet(bundled.url);
    assert.equal(page.status, 200, round);
    assert.match(page.body, /Your site is ready/, `the welcome page, from the bundle, ${round}`);
    assert.equal((await httpGet(new URL('/pm/assets/dashboard.css', bundled.url).href)).status, 200, "the dashboard's stylesheet, read from the project folder");
    const urls = await httpGet(new URL('/pm/urls', bundled.url).href);
    assert.equal(urls.status, 200);
    // The bundle is pure ASCII (V8 then holds its source in half the memory); what it shows is not.
    assert.match(urls.body, /Open ↗/, 'non-ASCII text of a template literal, as written in the source');
    assert.doesNotMatch(urls.body, /\\u2197/);
    assert.equal((await bundled.stop('SIGTERM')).code, 0);
    const cached = readdirSync(cacheDir);
    assert.equal(cached.length, 1, `one code cache after a start ${round}: ${cached.join(', ')}`);
    const mtime = statSync(join(cacheDir, cached[0])).mtimeMs;
    if (writtenAt !== undefined) assert.equal(mtime, writtenAt, 'the second start used the cache as it was, without writing it again');
    writtenAt = mtime;
    assert.match(cached[0], new RegExp(`^pagemanager-${process.version.replace(/\./g, '\\.')}-${process.arch}-\\d+-\\d+\\.bin$`));
  }
});

test('npm run build refuses an output folder outside the project', async () => {
  await assert.rejects(run(process.execPath, ['scripts/build.js', '--out', '/tmp/pm-build-elsewhere'], { cwd: ROOT }), (e: Error & { code?: number; stderr?: string }) => {
    assert.equal(e.code, 2);
    assert.match(e.stderr ?? '', /--out must be inside/);
    return true;
  });
});
