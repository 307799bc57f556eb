/**
 * Posting a comment as a visitor without JavaScript: the stored page's form, the check step, a
 * 303 back to the page at the comment (or at "awaiting approval"); the page that changed is
 * exactly that one. Replies (one level), the email never shown, the body limit, closed pages,
 * comments on a blog post, and the mail: held comment to the owner, reply to the commenter
 * with a one-click unsubscribe link.
 */
import assert from 'node:assert/strict';
import { changed, forEachComments, formOf, tokenOf } from './comments-fixture.js';

const GOOD = { name: 'Ana Lima', body: 'Thanks, the part about *WAL mode* fixed my locking errors.' };

forEachComments('a comment is published: 303 to it, and only its page is rendered again', async (f) => {
  const before = await f.snapshot();
  const r = await f.post({ ...GOOD, email: 'ana@example.com', website: 'ana.example.org' });
  assert.equal(r.statusCode, 303, r.body.slice(0, 400));
  const id = (await f.service.list({ siteId: f.siteId }))[0]!.commentId;
  assert.equal(r.headers.location, `/hello#comment-${id}`);
  assert.deepEqual(changed(before, await f.snapshot()), [':/hello'], 'only /hello changed');
  const page = await f.visit('/hello');
  assert.equal(page.headers['x-pm-cache'] !== undefined, true, 'served by the page store');
  assert.match(page.body, new RegExp(`id="comment-${id}"`));
  assert.match(page.body, /<em>WAL mode<\/em>/);
  assert.match(page.body, /1 comment</);
  assert.match(page.body, /href="http:\/\/ana\.example\.org\/" rel="nofollow ugc noopener"/);
  assert.doesNotMatch(page.body, /ana@example\.com/, 'the email is never shown');
  assert.doesNotMatch((await f.visit('/other')).body, /Ana Lima/);
});

forEachComments('held for approval: 303 to the notice, the page is unchanged, the owner gets a mail', async (f) => {
  await f.t.user('owner', 'owner passphrase 1', 'superadmin').then((u) => f.t.app.stores.users.update(u.userId, { email: 'owner@example.com' }));
  const ok = await f.service.saveSettings(f.siteId, { moderation: 'hold', min_dwell_seconds: 1 });
  assert.ok(ok.ok);
  const before = await f.snapshot();
  const r = await f.post(GOOD);
  assert.equal(r.statusCode, 303);
  assert.equal(r.headers.location, '/hello#comment-held');
  assert.deepEqual(changed(before, await f.snapshot()), [], 'a held comment changes no page');
  assert.match(await f.stored('/hello'), /id="comment-held"[^>]*hidden>Thank you! Your comment is awaiting approval/);
  assert.equal(await f.count('held'), 1);
  const mails = await f.mails();
  assert.equal(mails.length, 1);
  assert.equal(mails[0]!.to_addr, 'owner@example.com');
  assert.match(mails[0]!.subject, /waits for approval/);
  assert.match(mails[0]!.text_body, /Ana Lima commented on/);
  // A second held comment soon after joins the queue without a second mail.
  assert.equal((await f.post({ name: 'Ben', body: 'Another thought on checkpoints and WAL files.' }, { ip: '198.51.100.5' })).statusCode, 303);
  assert.equal(await f.count('held'), 2);
  assert.equal((await f.mails()).length, 1, 'one mail for a burst of held comments');
  // Approved: now the page shows it, and only that page changed.
  const mid = await f.snapshot();
  await f.service.approve(f.siteId, [(await f.service.list({ siteId: f.siteId, status: 'held' })).find((c) => c.name === 'Ana Lima')!.commentId]);
  assert.deepEqual(changed(mid, await f.snapshot()), [':/hello']);
  assert.match((await f.visit('/hello')).body, /Ana Lima/);
});

forEachComments('replies are one level deep, and the commenter who asked hears of them (and can stop with one click)', async (f) => {
  assert.equal((await f.post({ ...GOOD, email: 'ana@example.com', notify: '1' })).statusCode, 303);
  const parent = (await f.service.list({ siteId: f.siteId }))[0]!;
  const reply = await f.post({ name: 'Ben', body: 'Same here, thank you for writing it up.', parent: parent.commentId }, { ip: '198.51.100.2' });
  assert.equal(reply.statusCode, 303);
  const r1 = (await f.service.list({ siteId: f.siteId }))[0]!;
  assert.equal(r1.parentId, parent.commentId);
  // The Reply button on the page opens the form with the reply set, no errors shown yet.
  const page1 = (await f.visit('/hello')).body;
  assert.match(page1, new RegExp(`<form class="comment__reply"[^>]*>.*name="parent" value="${parent.commentId}"`));
  const start = await f.check({ parent: parent.commentId, start: '1' });
  assert.equal(start.statusCode, 200);
  assert.match(start.body, /Reply to Ana Lima/);
  assert.doesNotMatch(start.body, /Enter your name|Write your comment\./);
  const deeper = await f.post({ name: 'Cy', body: 'Replying to the reply, which joins the same level.', parent: r1.commentId }, { ip: '198.51.100.3' });
  assert.equal(deeper.statusCode, 303);
  assert.equal((await f.service.list({ siteId: f.siteId }))[0]!.parentId, parent.commentId, 'a reply to a reply hangs under the first comment');
  const page = (await f.visit('/hello')).body;
  assert.match(page, /<ol class="comments__replies">[\s\S]*Ben[\s\S]*Cy[\s\S]*<\/ol>/);
  assert.match(page, /3 comments/);
  const mails = (await f.mails()).filter((m) => m.to_addr === 'ana@example.com');
  assert.equal(mails.length, 2, 'one mail per reply');
  assert.match(mails[0]!.subject, /Ben replied to your comment/);
  const link = /(http:\/\/[^\s]+\/pm-comments\/unsubscribe\?c=[^\s]+)/.exec(mails[0]!.text_body)![1]!;
  assert.match(JSON.parse(mails[0]!.headers)['List-Unsubscribe'], /pm-comments\/unsubscribe/);
  const url = new URL(link);
  const bad = await f.t.app.http.inject(`${url.pathname}?c=${url.searchParams.get('c')}&s=forged`);
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /unsubscribe link is not valid/);
  const gone = await f.t.app.http.inject(url.pathname + url.search);
  assert.equal(gone.statusCode, 200);
  assert.match(gone.body, /no more reply mails/);
  assert.equal((await f.service.get(f.siteId, parent.commentId))!.notifyReplies, false);
  assert.equal((await f.post({ name: 'Dee', body: 'One more reply after unsubscribing from them.', parent: parent.commentId }, { ip: '198.51.100.4' })).statusCode, 303);
  assert.equal((await f.mails()).filter((m) => m.to_addr === 'ana@example.com').length, 2, 'no mail after unsubscribing');
});

forEachComments('bad input comes back with the errors beside the fields; an oversized body is refused; nothing stored', async (f) => {
  const r = await f.post({ name: '', email: 'not-an-email', website: 'javascript:alert(1)', body: 'x'.repeat(5001) });
  assert.equal(r.statusCode, 422);
  assert.match(r.body, /Enter your name/);
  assert.match(r.body, /Enter an email address/);
  assert.match(r.body, /web address starting with http/);
  assert.match(r.body, /under 5000 characters/);
  const form = formOf((await f.visit('/hello')).body);
  const huge = await f.t.app.http.inject({ method: 'POST', url: '/pm-comments/post', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `form=${form}&name=a&body=${'y'.repeat(40_000)}` });
  assert.equal(huge.statusCode, 413);
  const junk = await f.t.app.http.inject({ method: 'POST', url: '/pm-comments/post', headers: { 'content-type': 'application/json' }, payload: '[1,2,3]' });
  assert.equal(junk.statusCode, 400);
  assert.equal(await f.count(), 0);
});

forEachComments('a page whose comments are closed shows so, and refuses a comment', async (f) => {
  const step = await f.check(GOOD);
  await f.service.setThreadMode(f.siteId, 'page::/hello', 'closed');
  assert.match(await f.stored('/hello'), /Comments are closed\./);
  assert.doesNotMatch(await f.stored('/hello'), /Preview comment/);
  await new Promise((r) => setTimeout(r, 1100));
  const r = await f.send({ ...GOOD, form: formOf(step.body), token: tokenOf(step.body) });
  assert.equal(r.statusCode, 403);
  assert.match(r.body, /Comments are closed on this page/);
  assert.equal(await f.count(), 0);
  // Held per page while the site publishes.
  await f.service.setThreadMode(f.siteId, 'page::/other', 'hold');
  assert.equal((await f.post(GOOD, { page: '/other' })).headers.location, '/other#comment-held');
});

forEachComments('comments on a blog post: only the post page is rendered again', async (f) => {
  const editor = await f.t.user('edith', 'edith passphrase 1', 'editor');
  const token = (await f.t.app.users.createToken(editor, 'test')).token;
  const mk = async (title: string) => {
    const r = await f.t.app.http.inject({ method: 'POST', url: '/pm/api/posts', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ title, body: 'Hi', status: 'published' }) });
    assert.equal(r.statusCode, 201, r.body);
    return JSON.parse(r.body).post as { postId: string; slug: string };
  };
  await mk('Older post');
  const post = await mk('Newest post');
  const before = await f.snapshot();
  const r = await f.post(GOOD, { page: `/blog/${post.slug}` });
  assert.equal(r.statusCode, 303, r.body.slice(0, 300));
  assert.match(String(r.headers.location), new RegExp(`^/blog/${post.slug}#comment-`));
  assert.deepEqual(changed(before, await f.snapshot()), [`:/blog/${post.slug}`], 'not the index, not the neighbour');
  assert.match((await f.visit(`/blog/${post.slug}`)).body, /Ana Lima/);
});

forEachComments('comments sent at the same moment are all on the page, with fewer renders than comments', async (f) => {
  const steps = await Promise.all(Array.from({ length: 8 }, (_, i) => f.check({ name: `Reader ${i}`, body: `Comment ${i} about checkpoints, sent at the same moment as the others.` }, { ip: `198.51.100.${100 + i}` })));
  await new Promise((r) => setTimeout(r, 1100));
  const renders: string[] = [];
  const l = (c: { urlPath: string }) => renders.push(c.urlPath);
  f.t.app.events.on('page.changed', l);
  const sent = await Promise.all(
    steps.map((s, i) => f.send({ name: `Reader ${i}`, body: `Comment ${i} about checkpoints, sent at the same moment as the others.`, form: formOf(s.body), token: tokenOf(s.body) }, { ip: `198.51.100.${100 + i}` })),
  );
  f.t.app.events.off('page.changed', l);
  assert.deepEqual(sent.map((r) => r.statusCode), Array(8).fill(303));
  const page = (await f.visit('/hello')).body;
  for (let i = 0; i < 8; i++) assert.match(page, new RegExp(`Comment ${i} about checkpoints`), `comment ${i} is on the page each visitor was sent back to`);
  console.log(`8 comments at once: ${renders.length} renders of /hello`);
  assert.ok(renders.length <= 8 && renders.every((p) => p === '/hello'));
});

forEachComments('a page in another language: the form, the redirect and the thread keep its prefix', async (f) => {
  await f.t.app.siteService.update(f.siteId, { enabledLocales: ['en', 'fr'] });
  const saved = await f.t.app.templates.save({ siteId: f.siteId, langcode: 'fr', urlPath: '/bonjour', themeId: 'daybreak', templateName: 'post', data: { title: 'Bonjour', body: 'Texte.' } });
  assert.ok(saved.ok);
  const page = await f.visit('/fr/bonjour');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /action="\/fr\/pm-comments\/check"/);
  const r = await f.post({ name: 'Amélie', body: 'Merci pour cet article, la partie sur le journal WAL m’a beaucoup aidée.' }, { page: '/fr/bonjour' });
  assert.equal(r.statusCode, 303, r.body.slice(0, 300));
  assert.match(String(r.headers.location), /^\/fr\/bonjour#comment-/);
  assert.match((await f.visit('/fr/bonjour')).body, /Amélie/);
  assert.doesNotMatch((await f.visit('/hello')).body, /Amélie/);
});
