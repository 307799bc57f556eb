// The plugin API as a plugin outside this repository sees it: a plain .mjs
// file in a temporary data folder's pm-plugins/ that imports
// `pagemanager/plugin`, declares its own error code, depends on the
// dashboard, and uses services (users, addresses) rather than stores.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Plugin } from '../../src/plugins/api.js';
import { startTestApp } from '../helpers/app.js';

const OUTSIDE_PLUGIN = `
import { html, isPmError, PmError } from 'pagemanager/plugin';

export default {
  name: 'visitors',
  dependsOn: ['dashboard'],
  errors: { PM_ERR_VISITORS_CLOSED: { status: 423, message: 'The visitors book is closed until {when}.' } },
  routes(router, server) {
    const shell = server.use('dashboard');
    router.get('/pm/visitors', async (request, reply) => {
      const users = await server.users.list(request.pm.site.siteId);
      return shell.page(request, reply, { title: 'Visitors', body: html\`<p>\${users.length} users; <b>\${'<not bold>'}</b></p>\` });
    }, { permission: 'users.manage' });
    router.get('/visitors/closed', async () => { throw server.error('PM_ERR_VISITORS_CLOSED', { when: 'Monday' }); });
    router.get('/visitors/core-error', async () => { throw new PmError('PM_ERR_FORBIDDEN', { action: 'sign the book' }); });
    router.get('/visitors/check', async (request) => {
      try {
        return { path: server.addresses.checkPath(String(request.query.path)) };
      } catch (e) {
        if (isPmError(e, 'PM_ERR_PATH_INVALID')) return { refused: e.fields.path };
        throw e;
      }
    });
  },
};
`;

function dataFolderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pm-plugin-api-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('the plugin API, from a plugin outside the repository', () => {
  test('a plain .mjs plugin imports pagemanager/plugin, renders a dashboard page, throws its own and the core’s errors, uses services', async () => {
    const dir = dataFolderWith({ 'pm-plugins/visitors/index.mjs': OUTSIDE_PLUGIN });
    const t = await startTestApp({}, { dir });
    try {
      await t.user('ada', 'ada passphrase', 'admin');
      const cookie = await t.login('ada', 'ada passphrase');
      const page = await t.app.http.inject({ url: '/pm/visitors', headers: { cookie } });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<h1>Visitors<\/h1>/, 'the dashboard shell rendered it');
      assert.match(page.body, /1 users; <b>&lt;not bold&gt;<\/b>/, 'html escapes what it is given');
      assert.equal(page.headers['cache-control'], 'no-store');

      const closed = await t.app.http.inject({ url: '/visitors/closed', headers: { accept: 'application/json' } });
      assert.equal(closed.statusCode, 423);
      assert.deepEqual(closed.json(), { code: 'PM_ERR_VISITORS_CLOSED', message: 'The visitors book is closed until Monday.' });
      const closedPage = await t.app.http.inject('/visitors/closed');
      assert.match(closedPage.body, /The visitors book is closed until Monday\./);

      // The plugin's PmError is the core's own class: the error renderer knows its status.
      const core = await t.app.http.inject({ url: '/visitors/core-error', headers: { accept: 'application/json' } });
      assert.equal(core.statusCode, 403);
      assert.equal(core.json().code, 'PM_ERR_FORBIDDEN');

      assert.deepEqual((await t.app.http.inject('/visitors/check?path=about/')).json(), { path: '/about' });
      assert.deepEqual((await t.app.http.inject('/visitors/check?path=/pm-themes/x')).json(), { refused: 'Addresses under /pm-themes/ are reserved for theme files.' });
    } finally {
      await t.close();
    }
  });

  test('a dependency nobody provides stops the start, naming the plugin and what it needs', async () => {
    const dir = dataFolderWith({ 'pm-plugins/needy/index.mjs': "export default { name: 'needy', dependsOn: ['guestbook'] };" });
    await assert.rejects(startTestApp({}, { dir }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'PM_ERR_PLUGIN_INIT');
      assert.match(e.message, /needy/);
      assert.match(e.message, /depends on "guestbook", which no plugin provides/);
      return true;
    });
  });

  test('depending on a plugin turned off in config.toml says so', async () => {
    const dir = dataFolderWith({
      'pm-plugins/extra/index.mjs': "export default { name: 'extra', dependsOn: ['dashboard'] };",
      'config.toml': '[plugins.dashboard]\nenabled = false\n',
    });
    // The first plugin in load order that needs it is named (media, url-dashboard and extra all do).
    await assert.rejects(startTestApp({}, { dir }), /failed to start: it depends on "dashboard", which no plugin provides \(the plugin dashboard is turned off in config\.toml\)/);
  });

  test('load order follows dependencies, not the order plugins are listed in', async () => {
    const order: string[] = [];
    const reader: Plugin = {
      name: 'reader',
      dependsOn: ['greetings'],
      init(server) {
        order.push('reader');
        const greet = server.use<(who: string) => string>('greetings');
        assert.equal(greet('Ada'), 'Hello, Ada');
      },
    };
    const writer: Plugin = {
      name: 'writer',
      provides: ['greetings'],
      init(server) {
        order.push('writer');
        server.provide('greetings', (who: string) => `Hello, ${who}`);
      },
    };
    const t = await startTestApp({}, { extraPlugins: [reader, writer] });
    await t.close();
    assert.deepEqual(order, ['writer', 'reader']);
  });

  const refusals: { name: string; plugins: Plugin[]; message: RegExp }[] = [
    { name: 'a cycle', plugins: [{ name: 'a', dependsOn: ['b'] }, { name: 'b', dependsOn: ['a'] }], message: /go round in a circle: a → b → a/ },
    { name: 'two providers of one name', plugins: [{ name: 'a', provides: ['x'] }, { name: 'b', provides: ['x'] }], message: /provides "x", which the plugin a provides already/ },
    { name: 'a core error code', plugins: [{ name: 'a', errors: { PM_ERR_FORBIDDEN: { status: 403, message: 'no' } } }], message: /PM_ERR_FORBIDDEN is one of pagemanager's own/ },
    { name: 'a code without a status', plugins: [{ name: 'a', errors: { PM_ERR_A_THING: { status: 200, message: 'x' } } }], message: /needs a status from 400 to 599/ },
    { name: 'using what it did not declare', plugins: [{ name: 'a', init: (s) => void s.use('dashboard') }], message: /uses "dashboard" without naming it in dependsOn/ },
    { name: 'throwing a code it did not declare', plugins: [{ name: 'a', init: (s) => void s.error('PM_ERR_NOPE') }], message: /PM_ERR_NOPE, which is not in its errors list/ },
  ];
  for (const r of refusals) {
    test(`a plugin declaring ${r.name} stops the start with a message`, async () => {
      await assert.rejects(startTestApp({}, { extraPlugins: r.plugins }), (e: Error & { code?: string }) => e.code === 'PM_ERR_PLUGIN_INIT' && r.message.test(e.message));
    });
  }
});
