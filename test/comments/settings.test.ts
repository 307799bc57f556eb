/**
 * Comments → Settings in the dashboard, through HTTP as an admin would: the site's settings (a
 * bad value comes back beside its field and changes nothing), a page's own mode, reopening after
 * a shut-off by hand; someone without the site-settings permission is refused.
 */
import assert from 'node:assert/strict';
import { forEachComments, type Fixture } from './comments-fixture.js';

async function admin(f: Fixture): Promise<{ cookie: string; csrf: string; form(fields: Record<string, string>, url: string): Promise<import('light-my-request').Response> }> {
  await f.t.user('ada', 'ada passphrase 12', 'admin');
  const cookie = await f.t.login('ada', 'ada passphrase 12');
  const page = await f.t.app.http.inject({ url: '/pm/comments/settings', headers: { cookie } });
  assert.equal(page.statusCode, 200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  return {
    cookie,
    csrf,
    form: (fields, url) =>
      f.t.app.http.inject({ method: 'POST', url, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:80' }, payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString() }),
  };
}

forEachComments('the settings page saves good values and sends bad ones back beside their fields', async (f) => {
  const a = await admin(f);
  const bad = await a.form({ moderation: 'hold', per_ip_per_hour: '0', cap_bytes: 'lots' }, '/pm/comments/settings');
  assert.equal(bad.statusCode, 422, bad.body.slice(0, 300));
  assert.match(bad.body, /Enter a whole number from 1 to 10000/);
  assert.match(bad.body, /value="lots"/, 'the input comes back');
  assert.equal((await f.service.settings(f.siteId)).moderation, 'publish', 'nothing changed');
  const ok = await a.form({ moderation: 'hold', per_ip_per_hour: '4', auto_close_days: '30' }, '/pm/comments/settings');
  assert.equal(ok.statusCode, 303);
  const s = await f.service.settings(f.siteId);
  assert.equal(s.moderation, 'hold');
  assert.equal(s.perIpPerHour, 4);
  assert.equal(s.autoCloseDays, 30);
  assert.equal(s.minDwellSeconds, 1, 'a value the form did not send keeps its own');
});

forEachComments('a page can close its comments from the settings page; a shut-off is reopened by hand', async (f) => {
  const a = await admin(f);
  const list = await f.t.app.http.inject({ url: '/pm/comments/settings', headers: { cookie: a.cookie } });
  assert.match(list.body, /href="\/hello"/, 'the pages that show comments are listed');
  const r = await a.form({ thread: 'page::/hello', mode: 'closed' }, '/pm/comments/thread');
  assert.equal(r.statusCode, 303);
  assert.match(await f.stored('/hello'), /Comments are closed\./);
  assert.doesNotMatch(await f.stored('/other'), /Comments are closed/);
  const wrong = await a.form({ thread: 'page::/hello', mode: 'sometimes' }, '/pm/comments/thread');
  assert.equal(wrong.statusCode, 422);
  // A shut-off, then Reopen now.
  assert.ok((await f.service.saveSettings(f.siteId, { shutoff_max: 1, min_dwell_seconds: 1 })).ok);
  assert.equal((await f.post({ name: 'One', body: 'First comment on the other page, thanks.' }, { page: '/other' })).statusCode, 303);
  assert.equal((await f.post({ name: 'Two', body: 'Second comment on the other page, thanks.' }, { page: '/other', ip: '198.51.100.2' })).statusCode, 503);
  assert.match(await f.stored('/other'), /Comments are closed for a while/);
  const reopen = await a.form({}, '/pm/comments/reopen');
  assert.equal(reopen.statusCode, 303);
  assert.equal((await f.service.shutOffState(f.siteId)).closed, false);
  assert.doesNotMatch(await f.stored('/other'), /closed for a while/);
});

forEachComments('without the site-settings permission the settings are refused', async (f) => {
  await f.t.user('ed', 'ed passphrase 123', 'editor');
  const cookie = await f.t.login('ed', 'ed passphrase 123');
  const r = await f.t.app.http.inject({ url: '/pm/comments/settings', headers: { cookie } });
  assert.equal(r.statusCode, 403);
  const anon = await f.t.app.http.inject({ url: '/pm/comments/settings', headers: { accept: 'application/json' } });
  assert.equal(anon.statusCode, 401);
});
