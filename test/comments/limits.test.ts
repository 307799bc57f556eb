/**
 * Limits and the automatic shut-off: per IP address, per page, the site-wide rate and the size
 * cap; the shut-off re-renders the pages once (not per comment), stores nothing more, tells the
 * owner (dashboard and mail) and reopens after the cool-down (the job) or by hand. Spam goes to
 * the spam folder and the purge job deletes it after a week; comments close N days after a page
 * first showed them.
 */
import assert from 'node:assert/strict';
import { sql } from '../../src/store/kysely.js';
import { changed, forEachComments, type Fixture } from './comments-fixture.js';

const body = (i: number) => `Comment number ${i}: the part about WAL mode fixed my locking errors, thank you.`;

async function withOwner(f: Fixture): Promise<void> {
  const u = await f.t.user('owner', 'owner passphrase 1', 'superadmin');
  await f.t.app.stores.users.update(u.userId, { email: 'owner@example.com' });
}

forEachComments('at most N comments per IP address per hour; another address still posts', async (f) => {
  assert.ok((await f.service.saveSettings(f.siteId, { per_ip_per_hour: 2, min_dwell_seconds: 1 })).ok);
  for (let i = 0; i < 2; i++) assert.equal((await f.post({ name: 'Ana', body: body(i) })).statusCode, 303);
  const before = await f.snapshot();
  const r = await f.post({ name: 'Ana', body: body(3) });
  assert.equal(r.statusCode, 429);
  assert.match(r.body, /Too many comments from your address/);
  assert.match(r.body, /Comment number 3/, 'the text comes back');
  assert.equal(await f.count(), 2);
  assert.deepEqual(changed(before, await f.snapshot()), []);
  assert.equal((await f.post({ name: 'Ben', body: body(4) }, { ip: '198.51.100.9' })).statusCode, 303);
});

forEachComments('at most N comments per page per hour; another page still takes them', async (f) => {
  assert.ok((await f.service.saveSettings(f.siteId, { per_page_per_hour: 2, min_dwell_seconds: 1 })).ok);
  for (let i = 0; i < 2; i++) assert.equal((await f.post({ name: `P${i}`, body: body(i) }, { ip: `198.51.100.${10 + i}` })).statusCode, 303);
  const r = await f.post({ name: 'P3', body: body(3) }, { ip: '198.51.100.20', accept: 'application/json' });
  assert.equal(r.statusCode, 429);
  assert.equal(JSON.parse(r.body).code, 'PM_ERR_COMMENT_RATE');
  assert.match(JSON.parse(r.body).message, /on this page/);
  assert.equal(await f.count(), 2);
  assert.equal((await f.post({ name: 'P4', body: body(4) }, { page: '/other', ip: '198.51.100.21' })).statusCode, 303);
});

forEachComments('shut-off on rate: pages say so (rendered once), nothing more is stored, the owner is told, the job reopens it', async (f) => {
  await withOwner(f);
  assert.ok((await f.service.saveSettings(f.siteId, { shutoff_max: 3, shutoff_window_minutes: 10, min_dwell_seconds: 1 })).ok);
  await f.visit('/other');
  for (let i = 0; i < 3; i++) assert.equal((await f.post({ name: `V${i}`, body: body(i) }, { ip: `198.51.100.${30 + i}` })).statusCode, 303);
  // Checked first, so the form ids are from before the shut-off.
  const steps = [];
  const { formOf } = await import('./comments-fixture.js');
  const oldForm = formOf((await f.visit('/hello')).body);
  const changes: string[] = [];
  f.t.app.events.on('page.changed', (c) => changes.push(`${c.langcode}:${c.urlPath}`));
  const r = await f.post({ name: 'V3', body: body(3) }, { ip: '198.51.100.40' });
  assert.equal(r.statusCode, 503);
  assert.match(r.body, /Comments are closed for a while/);
  assert.equal(await f.count(), 3, 'the fourth is not stored');
  assert.deepEqual([...changes].sort(), [':/hello', ':/other'], 'every page with comments rendered once');
  for (const p of ['/hello', '/other']) {
    const html = await f.stored(p);
    assert.match(html, /Comments are closed for a while/);
    assert.doesNotMatch(html, /Preview comment/);
  }
  for (let i = 0; i < 5; i++) steps.push(f.post({ name: `W${i}`, body: body(10 + i) }, { ip: `198.51.100.${50 + i}`, waitMs: 0, form: oldForm }));
  for (const s of await Promise.all(steps)) assert.equal(s.statusCode, 503, 'refused at the first step already');
  assert.equal(await f.count(), 3);
  assert.equal(changes.length, 2, 'no page rendered per refused comment');
  const mails = (await f.mails()).filter((m) => /closed for a while/.test(m.subject));
  assert.equal(mails.length, 1);
  assert.equal(mails[0]!.to_addr, 'owner@example.com');
  assert.match(mails[0]!.text_body, /More than 3 comments arrived within 10 minutes/);
  // The dashboard says so.
  const cookie = await f.t.login('owner', 'owner passphrase 1');
  const dash = await f.t.app.http.inject({ url: '/pm/comments/settings', headers: { cookie } });
  assert.equal(dash.statusCode, 200);
  assert.match(dash.body, /Comments are closed for a while/);
  assert.match(dash.body, /Reopen now/);
  // The cool-down passes: the reopen job runs.
  const job = await f.t.app.jobs.get('comments.reopen', f.siteId);
  assert.ok(job, 'a reopen job is scheduled');
  await f.t.app.db.run(sql`UPDATE pm_comment_site SET closed_until = ${Date.now() - 1000} WHERE site_id = ${f.siteId}`);
  await f.t.app.db.run(sql`UPDATE pm_job SET run_at = ${Date.now() - 1000} WHERE kind = 'comments.reopen'`);
  await f.t.app.db.run(sql`UPDATE pm_comment SET created_at = ${Date.now() - 3_600_000}`);
  changes.length = 0;
  assert.ok((await f.t.app.jobs.runDue()) >= 1);
  assert.deepEqual([...changes].sort(), [':/hello', ':/other'], 'rendered once more, open');
  assert.match(await f.stored('/hello'), /Preview comment/);
  assert.equal((await f.post({ name: 'Back', body: body(99) }, { ip: '198.51.100.99' })).statusCode, 303);
});

forEachComments('shut-off on size: the database stays under the cap; reopened by hand', async (f) => {
  await withOwner(f);
  assert.ok((await f.service.saveSettings(f.siteId, { cap_bytes: 2048, min_dwell_seconds: 1 })).ok);
  const long = (i: number) => `${i} ` + 'Long and thoughtful words about write-ahead logging. '.repeat(12);
  let stored = 0;
  let last;
  for (let i = 0; i < 5; i++) {
    last = await f.post({ name: `S${i}`, body: long(i) }, { ip: `198.51.100.${60 + i}` });
    if (last.statusCode === 303) stored++;
    else break;
  }
  assert.equal(last!.statusCode, 503, 'refused once the cap is reached');
  assert.ok(stored >= 1 && stored < 5);
  const state = await f.service.shutOffState(f.siteId);
  assert.equal(state.closed, true);
  assert.equal(state.reason, 'size');
  assert.ok(state.storedBytes <= 2048, `${state.storedBytes} bytes stored, cap 2048`);
  const real = await f.t.app.db.get<{ n: number }>(sql`SELECT SUM(size_bytes) AS n FROM pm_comment`);
  assert.equal(Number(real?.n), state.storedBytes, 'the counter is what the rows take');
  assert.equal(await f.count(), stored);
  assert.ok((await f.mails()).some((m) => /closed for a while/.test(m.subject) && /size|KiB/.test(m.text_body)));
  // Deleting comments gives room back; the owner reopens by hand.
  await f.service.remove(f.siteId, (await f.service.list({ siteId: f.siteId })).map((c) => c.commentId));
  assert.equal((await f.service.shutOffState(f.siteId)).storedBytes, 0);
  assert.equal(await f.service.reopen(f.siteId), true);
  assert.equal((await f.t.app.jobs.get('comments.reopen', f.siteId)), undefined, 'the reopen job is cancelled');
  assert.match(await f.stored('/hello'), /Preview comment/);
  assert.equal((await f.post({ name: 'Again', body: 'Short and sweet, thanks for the write-up.' }, { ip: '198.51.100.70' })).statusCode, 303);
});

forEachComments('spam goes to the spam folder, never shown, and the purge job deletes it after a week', async (f) => {
  const before = await f.snapshot();
  const r = await f.post({ name: 'Cheap Pills 4U', website: 'http://pills.example.top', body: 'buy viagra cheap casino loans http://a.example.top http://b.example.top http://c.example.top' });
  assert.equal(r.statusCode, 303);
  assert.equal(r.headers.location, '/hello#comment-held', 'told the same as a held comment');
  assert.equal(await f.count('spam'), 1);
  assert.deepEqual(changed(before, await f.snapshot()), [], 'no page shows it');
  const spam = (await f.service.list({ siteId: f.siteId, status: 'spam' }))[0]!;
  assert.ok(spam.points < 0 && spam.reasons.length > 0, 'points and reasons kept for the folder');
  assert.ok(await f.t.app.jobs.get('comments.purge', 'all'), 'the purge job is scheduled');
  assert.deepEqual(await f.service.purge(), { spam: 0, nonces: 0 }, 'a fresh spam comment stays');
  await f.t.app.db.run(sql`UPDATE pm_comment SET created_at = ${Date.now() - 8 * 86_400_000}`);
  await f.t.app.db.run(sql`UPDATE pm_comment_nonce SET expires_at = ${Date.now() - 1000}`);
  const purged = await f.service.purge();
  assert.equal(purged.spam, 1);
  assert.equal(purged.nonces, 1);
  assert.equal(await f.count(), 0);
});

forEachComments('comments close by themselves N days after a page first showed them', async (f) => {
  assert.ok((await f.service.saveSettings(f.siteId, { auto_close_days: 3, min_dwell_seconds: 1 })).ok);
  await f.t.app.templates.save({ siteId: f.siteId, langcode: '', urlPath: '/hello', themeId: 'daybreak', templateName: 'post', data: { title: 'Hello', body: 'Edited.' } });
  const job = await f.t.app.jobs.get('comments.autoclose', `${f.siteId}:page::/hello`);
  assert.ok(job, 'a job closes it on time');
  const thread = (await f.service.thread(f.siteId, 'page::/hello'))!;
  assert.ok(Math.abs(job.runAt - (thread.firstShownAt + 3 * 86_400_000)) < 1000);
  const step = await f.check({ name: 'Ana', body: body(1) });
  await f.t.app.db.run(sql`UPDATE pm_comment_thread SET first_shown_at = ${Date.now() - 4 * 86_400_000} WHERE thread_key = 'page::/hello'`);
  await f.t.app.db.run(sql`UPDATE pm_job SET run_at = ${Date.now() - 1000} WHERE kind = 'comments.autoclose'`);
  await f.t.app.jobs.runDue();
  assert.match(await f.stored('/hello'), /Comments are closed\./);
  await new Promise((r) => setTimeout(r, 1100));
  const { formOf, tokenOf } = await import('./comments-fixture.js');
  const r = await f.send({ name: 'Ana', body: body(1), form: formOf(step.body), token: tokenOf(step.body) });
  assert.equal(r.statusCode, 403);
  assert.equal(await f.count(), 0);
});

forEachComments('settings out of range are refused, each named, and nothing changes', async (f) => {
  const r = await f.service.saveSettings(f.siteId, { moderation: 'maybe', per_ip_per_hour: '0', cap_bytes: 'lots' });
  assert.equal(r.ok, false);
  assert.deepEqual(Object.keys((r as { errors: object }).errors).sort(), ['cap_bytes', 'moderation', 'per_ip_per_hour']);
  assert.equal((await f.service.settings(f.siteId)).perIpPerHour, 6);
});
