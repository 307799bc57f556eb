import { sql } from '../../src/store/kysely.js';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startTestApp } from '../helpers/app.js';

describe('plugins', () => {
  test('the example plugin: /my-fruits, aliased by a user, shows its handler', async () => {
    const t = await startTestApp();
    try {
      assert.equal((await t.app.http.inject('/pm-fruits')).statusCode, 404, 'a pseudoroute is not reachable directly');
      await t.app.pages.alias(t.siteId, '', '/my-fruits', '/pm-fruits', { pseudoroute: true });
      const r = await t.app.http.inject('/my-fruits');
      assert.equal(r.statusCode, 200);
      assert.match(r.body, /banana/);
      assert.match(r.body, /Served by the example plugin at \/my-fruits/);
      assert.match(String(r.headers['content-security-policy']), /nonce-/);
    } finally {
      await t.close();
    }
  });

  test("a user's plugin in the data folder is found and loaded", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-plug-'));
    mkdirSync(join(dir, 'pm-plugins', 'hello'), { recursive: true });
    writeFileSync(
      join(dir, 'pm-plugins', 'hello', 'index.js'),
      `export default { name: 'hello', init(server) { this.greeting = server.config.greeting ?? 'hi'; },
         routes(router) { router.get('/hello', async () => 'hello from a user plugin: ' + this.greeting); } };`,
    );
    writeFileSync(join(dir, 'config.toml'), '[plugins.hello]\ngreeting = "bonjour"\n');
    const t = await startTestApp({}, { dir });
    try {
      const r = await t.app.http.inject('/hello');
      assert.equal(r.body, 'hello from a user plugin: bonjour');
    } finally {
      await t.close();
    }
  });

  test('a plugin that throws in init stops the start with a message naming it', async () => {
    await assert.rejects(
      startTestApp({}, { extraPlugins: [{ name: 'broken-one', init: () => { throw new Error('no config'); } }] }),
      (e: Error & { code?: string }) => e.code === 'PM_ERR_PLUGIN_INIT' && /broken-one/.test(e.message) && /no config/.test(e.message),
    );
  });

  test('a user plugin file that does not export a plugin is named in the error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-plug-'));
    mkdirSync(join(dir, 'pm-plugins', 'empty'), { recursive: true });
    writeFileSync(join(dir, 'pm-plugins', 'empty', 'index.js'), 'export const x = 1;');
    await assert.rejects(startTestApp({}, { dir }), (e: Error) => /empty/.test(e.message) && /export default/.test(e.message));
  });

  test('a plugin snippet in the components cache is recomputed after a page of the site changes', async () => {
    const t = await startTestApp();
    try {
      await t.app.pages.alias(t.siteId, '', '/my-fruits', '/pm-fruits', { pseudoroute: true });
      assert.doesNotMatch((await t.app.http.inject('/my-fruits')).body, /kiwi/);
      await t.app.db.run(sql`INSERT INTO pm_fruit (name, colour) VALUES ('kiwi', 'green')`);
      assert.doesNotMatch((await t.app.http.inject('/my-fruits')).body, /kiwi/, 'the snippet is served from the components cache');
      await t.app.pages.set(t.siteId, '', '/anything', '<p>a write</p>');
      assert.match((await t.app.http.inject('/my-fruits')).body, /kiwi/);
    } finally {
      await t.close();
    }
  });
});
