/**
 * docs/api.md is runnable: every curl example in it is sent, in order, to a
 * real app (all built-in plugins, SQLite in a temp folder) with a
 * superadmin's API token, and must answer 2xx. Values the docs capture with
 * `NAME=$(curl … | jq -r .x)` feed the later examples, as in a shell.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ERRORS } from '../../src/errors/errors.js';
import { findProjectRoot } from '../../src/app/paths.js';

const PROJECT_ROOT = findProjectRoot();
import type { PluginServer, RouteInfo } from '../../src/plugins/api.js';
import { routeMatches } from '../../src/pages/address-service.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { cameraJpeg, multipart, PDF, png } from '../media/fixtures.js';
import { jqPath, parseCurl, shellCommands, type CurlExample } from './curl-examples.js';
import { COMMENT_ERRORS } from '../../pm-plugins/comments/index.js';
import { postComment, writeCommentsConfig } from '../comments/post-comment.js';

const DOCS = readFileSync(join(PROJECT_ROOT, 'docs/api.md'), 'utf8');
const commands = shellCommands(DOCS).filter((c) => /^(\w+=\$\()?curl /.test(c.command));

describe('docs/api.md examples', () => {
  let t: TestApp;
  let probe: PluginServer;
  const vars: Record<string, string> = {};
  const ran: CurlExample[] = [];
  /** The files the examples send with `-F file=@NAME`, made here. */
  const files: Record<string, Buffer> = {};

  let dir: string;

  before(async () => {
    // A comment waiting in the queue for the Comments examples, posted through a page's form
    // (no dwell time in this test's config.toml).
    dir = mkdtempSync(join(tmpdir(), 'pm-api-docs-'));
    writeCommentsConfig(dir);
    t = await startTestApp({}, { dir, extraPlugins: [{ name: 'docs-probe', init: (s) => void (probe = s) }] });
    await t.app.templates.save({ siteId: t.siteId, langcode: '', urlPath: '/guestbook', themeId: 'daybreak', templateName: 'post', data: { title: 'Guestbook', body: 'Say hello.' } });
    const posted = await postComment(t.app, '/guestbook', { name: 'Kim', website: 'https://kim.example', body: 'Great post, thanks for sharing' });
    assert.equal(posted.status, 303, 'a comment for the Comments examples');
    const maya = await t.user('maya', 'a long passphrase', 'superadmin');
    vars.PM_TOKEN = (await t.app.users.createToken(maya, 'docs')).token;
    files['sunset.jpg'] = await cameraJpeg(1200, 800);
    files['sunset-cropped.jpg'] = await cameraJpeg(800, 800);
    files['logo.png'] = await png(400, 200);
    files['menu.pdf'] = PDF;
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has examples to run', () => {
    assert.ok(commands.length >= 25, `only ${commands.length} curl examples found`);
  });

  for (const [i, c] of commands.entries()) {
    it(`example ${i + 1} (${c.heading}): ${c.command.slice(0, 90)}`, async () => {
      const ex = parseCurl(c.command, c.heading, vars);
      assert.ok(ex, `not a curl command: ${c.command}`);
      assert.equal(ex.headers.authorization, `Bearer ${vars.PM_TOKEN}`, 'every example authenticates with $PM_TOKEN');
      const mp = ex.form
        ? multipart(ex.form.map((f) => {
            if (f.file === undefined) return { name: f.name, value: f.value ?? '' };
            const body = files[f.file];
            assert.ok(body, `the docs test has no file ${f.file} for: ${ex.source}`);
            return { name: f.name, filename: f.file, body };
          }))
        : undefined;
      const res = await t.app.http.inject({
        method: ex.method as 'GET',
        url: ex.url,
        headers: { host: ex.host, ...ex.headers, ...mp?.headers },
        payload: mp?.payload ?? ex.body,
      });
      assert.ok(res.statusCode >= 200 && res.statusCode < 300, `${ex.method} ${ex.url} answered ${res.statusCode} ${res.body}\n  from: ${ex.source}`);
      if (ex.capture) vars[ex.capture.name] = jqPath(res.json(), ex.capture.path);
      ran.push(ex);
    });
  }

  it('documents every route of the admin-api plugin, and every other plugin’s /pm/api/ routes (blog, media), with an example', () => {
    const routes: RouteInfo[] = probe.routes().filter((r) => r.plugin === 'admin-api' || r.url.startsWith('/pm/api/'));
    assert.ok(routes.length > 20);
    const missing = routes.filter(
      (r) => !ran.some((ex) => ex.method === r.method && routeMatches(r.url, new URL(ex.url, 'http://x').pathname)),
    );
    assert.deepEqual(missing.map((r) => `${r.method} ${r.url}`), []);
  });

  it('names only error codes that exist, and every code the plugin throws', () => {
    const documented = new Set(DOCS.match(/PM_ERR_[A-Z_]+/g));
    for (const code of documented) assert.ok(code in ERRORS || code in COMMENT_ERRORS, `docs/api.md names ${code}, which is not in src/errors/errors.ts (or a plugin's declared errors)`);
    const dir = join(PROJECT_ROOT, 'pm-plugins/admin-api');
    const files = readdirSync(dir).filter((n) => n.endsWith('.ts')).map((n) => join(dir, n));
    // The blog's API door and the rules it answers with; the media plugin's, all of it.
    files.push(...['api-routes.ts', 'post-service.ts', 'post-input.ts'].map((n) => join(PROJECT_ROOT, 'pm-plugins/blog', n)));
    const media = join(PROJECT_ROOT, 'pm-plugins/media');
    files.push(...readdirSync(media).filter((n) => n.endsWith('.ts')).map((n) => join(media, n)));
    // The comments' moderation API and what it answers with.
    files.push(...['moderation-api.ts', 'moderation-actions.ts'].map((n) => join(PROJECT_ROOT, 'pm-plugins/comments', n)));
    for (const f of files) {
      for (const code of readFileSync(f, 'utf8').match(/PM_ERR_[A-Z_]+/g) ?? []) {
        assert.ok(documented.has(code), `${f} throws ${code}, which docs/api.md does not mention`);
      }
    }
  });
});
