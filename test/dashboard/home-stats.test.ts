// The dashboard home's hook for plugins (shell.addHomeStat): a plugin's figure shows beside the
// pages count, for the users it chooses, and a figure that throws leaves the home working.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Plugin } from '../../src/plugins/api.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const counter: Plugin = {
  name: 'home-counter',
  dependsOn: ['dashboard'],
  routes(_router, server) {
    const shell = server.use('dashboard');
    shell.addHomeStat(async (request) =>
      (await shell.can(request, 'comments.moderate')) ? { count: 3, label: 'things <waiting>', href: request.pm.link('/pm/things'), attention: true } : undefined,
    );
    shell.addHomeStat(async () => {
      throw new Error('broken figure');
    });
  },
};

describe('dashboard home: figures from plugins', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({}, { extraPlugins: [counter] });
    await t.user('eve', 'a long passphrase', 'editor');
    await t.user('abe', 'a long passphrase', 'author');
  });
  after(() => t?.close());

  test('an editor sees the figure, escaped, drawing the eye', async () => {
    const res = await t.app.http.inject({ url: '/pm/', headers: { cookie: await t.login('eve', 'a long passphrase') } });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<a class="stat stat-attention" href="\/pm\/things"><b>3<\/b><span>things &lt;waiting&gt;<\/span><\/a>/);
  });

  test('an author, whom the plugin leaves out, sees the home without it', async () => {
    const res = await t.app.http.inject({ url: '/pm/', headers: { cookie: await t.login('abe', 'a long passphrase') } });
    assert.equal(res.statusCode, 200);
    assert.doesNotMatch(res.body, /things/);
    assert.match(res.body, /class="stats"/);
  });
});
