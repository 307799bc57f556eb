/**
 * The moderation queue through both doors, on SQLite and PostgreSQL: comments posted through the
 * real public form (post-comment.ts) on a site that holds everything for approval, then listed,
 * approved, unpublished, marked as spam, edited and deleted from the dashboard's forms and from
 * the JSON API, one at a time and in bulk. Each action is done once through each door and the
 * answers must agree; a change re-renders only the page its comment is on; refusals (no
 * permission, no CSRF token, bad input, a comment that is gone) change nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { APP_DIALECTS } from '../helpers/app.js';
import { startHarness, type Client, type Harness } from '../dashboard/dashboard-harness.js';
import { COMMENTS_TEST_CONFIG, postComment } from './post-comment.js';

const PASSWORD = 'a long passphrase';
const HAM = [
  'Thanks, the part about the kiln door fixed the cracking I kept getting.',
  'Does this work with a gas kiln too? Mine has no flue to speak of.',
  'We fired ours for four days last spring; the ash glaze came out green on the shoulder.',
  'Which clay body did you use for the tall jars in the second photo?',
];
const SPAMMY = { name: 'Kim', website: 'http://kim-deals.xyz', body: 'Great post, thanks for sharing' };
const SPAM = { name: 'Cheap Viagra Online', website: 'http://rx-cheap-meds.top', body: 'Buy viagra online http://rx-cheap-meds.top/viagra http://rx-cheap-meds.top/cialis http://rx-cheap-meds.top/x' };

interface ApiComment {
  commentId: string;
  status: string;
  suspectedSpam: boolean;
  name: string;
  body: string;
  page: { url: string } | null;
}

for (const { name: dialect, skip } of APP_DIALECTS) {
  describe(`comment moderation [${dialect}]`, { skip }, () => {
    let h: Harness;
    let token: string;
    let editor: Client;
    let author: Client;
    let postA: string;
    let postB: string;

    const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) => {
      const r = await h.app.http.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, payload: body ? JSON.stringify(body) : undefined });
      return { status: r.statusCode, json: r.body ? (r.json() as Record<string, unknown>) : {} };
    };
    const list = async (status = 'held') => ((await api('GET', `/pm/api/comments?status=${status}&limit=100`)).json.comments as ApiComment[]);
    const byBody = async (text: string) => {
      for (const s of ['held', 'spam', 'published']) {
        const c = (await list(s)).find((x) => x.body === text);
        if (c) return c;
      }
      return undefined;
    };
    /** Every stored page's etag and time, to see which a change re-rendered. */
    const snapshot = async () => new Map((await h.app.stores.pages.list(h.siteId)).map((p) => [`${p.langcode}:${p.urlPath}`, `${p.etag}:${p.updatedAt}`]));
    const changedSince = async (before: Map<string, string>) => [...(await snapshot())].filter(([k, v]) => before.get(k) !== v).map(([k]) => k);
    const pageHtml = async (path: string) => {
      const r = await h.app.http.inject({ url: path });
      return r.body;
    };
    const newPost = async (title: string) => {
      const r = await api('POST', '/pm/api/posts', { title, body: `About ${title}.`, status: 'published' });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      return (r.json.post as { url: string }).url;
    };

    before(async () => {
      h = await startHarness({ dialect, files: { 'config.toml': COMMENTS_TEST_CONFIG + 'moderation = "hold"\n' } });
      const admin = await h.user('maya', PASSWORD, 'admin');
      token = (await h.app.users.createToken(admin, 'moderation test')).token;
      await h.user('eve', PASSWORD, 'editor');
      await h.user('abe', PASSWORD, 'author');
      postA = await newPost('Firing the anagama');
      postB = await newPost('Ash glazes');
      for (const body of HAM) assert.equal((await postComment(h.app, postA, { name: 'Reader', body })).status, 303);
      assert.equal((await postComment(h.app, postB, { name: 'Other reader', body: 'A comment on the other post, waiting.' })).status, 303);
      assert.equal((await postComment(h.app, postA, SPAMMY)).status, 303);
      assert.equal((await postComment(h.app, postA, SPAM)).status, 303);
      editor = await h.loggedIn('eve', PASSWORD);
      author = await h.loggedIn('abe', PASSWORD);
    });
    after(() => h?.close());

    test('the queue lists what waits, suspected spam marked; the spam folder what the rules caught; both doors agree', async () => {
      const held = await list('held');
      assert.deepEqual(held.map((c) => c.body).sort(), [...HAM, 'A comment on the other post, waiting.', SPAMMY.body].sort());
      assert.equal(held.find((c) => c.body === SPAMMY.body)?.suspectedSpam, true);
      assert.equal(held.find((c) => c.body === HAM[0])?.suspectedSpam, false);
      const spam = await list('spam');
      assert.deepEqual(spam.map((c) => c.name), [SPAM.name]);
      // The dashboard shows the same comments, in the same order, in the same tabs.
      const page = await editor.get('/pm/comments');
      assert.equal(page.statusCode, 200);
      assert.deepEqual([...page.body.matchAll(/<tr id="comment-([0-9A-Z]{26})"/g)].map((m) => m[1]), held.map((c) => c.commentId));
      assert.match(page.body, /Suspected spam/);
      assert.match(page.body, /Waiting <span class="count">6<\/span>/);
      const folder = await editor.get('/pm/comments?status=spam');
      assert.deepEqual([...folder.body.matchAll(/<tr id="comment-([0-9A-Z]{26})"/g)].map((m) => m[1]), spam.map((c) => c.commentId));
      // Nothing waiting is on the public page.
      assert.doesNotMatch(await pageHtml(postA), /kiln door/);
    });

    test('the dashboard home says how many wait', async () => {
      const home = await editor.get('/pm/');
      assert.match(home.body, /<a class="stat stat-attention" href="\/pm\/comments"><b>6<\/b><span>comments waiting<\/span><\/a>/);
      assert.match(home.body, /<a href="\/pm\/comments"[^>]*>Comments<\/a>/, 'the sidebar has the Comments entry');
    });

    test('approve, one through each door: the comment is shown, only its page is re-rendered, the answers agree', async () => {
      const [one, two] = [await byBody(HAM[0]), await byBody(HAM[1])];
      let before = await snapshot();
      await editor.get('/pm/comments');
      const r = await editor.post('/pm/comments/moderate', { action: `approve:${one!.commentId}`, back: 'held' });
      assert.equal(r.statusCode, 303);
      assert.equal(r.headers.location, '/pm/comments');
      assert.deepEqual(await changedSince(before), [`:${postA}`], 'only the post the comment is on');
      assert.match(await pageHtml(postA), /kiln door/);
      const notice = await editor.get('/pm/comments');
      assert.match(notice.body, /Approved 1 comment: shown on the site\./);

      before = await snapshot();
      const j = await api('POST', '/pm/api/comments/moderate', { action: 'approve', ids: [two!.commentId] });
      assert.equal(j.status, 200);
      assert.deepEqual(j.json.changed, [{ commentId: two!.commentId, status: 'published' }]);
      assert.deepEqual(await changedSince(before), [`:${postA}`]);
      assert.equal((await byBody(HAM[0]))!.status, (await byBody(HAM[1]))!.status, 'both doors: published');
      assert.deepEqual((j.json.counts as Record<string, number>).published, 2);
    });

    test('bulk: spam and delete several at once, through each door, with the same result', async () => {
      const [a, b] = [await byBody(HAM[2]), await byBody(HAM[3])];
      await editor.get('/pm/comments');
      const r = await editor.post('/pm/comments/moderate', { action: 'spam', ids: [a!.commentId, b!.commentId], back: 'held' });
      assert.equal(r.statusCode, 303);
      assert.deepEqual([(await byBody(HAM[2]))!.status, (await byBody(HAM[3]))!.status], ['spam', 'spam']);
      // Back again through the API ("not spam"), then both deleted through the dashboard's spam folder.
      const j = await api('POST', '/pm/api/comments/moderate', { action: 'hold', ids: [a!.commentId, b!.commentId] });
      assert.deepEqual((j.json.changed as { status: string }[]).map((c) => c.status), ['held', 'held']);
      const before = await snapshot();
      await editor.get('/pm/comments');
      const d = await editor.post('/pm/comments/moderate', { action: 'delete', ids: [a!.commentId, b!.commentId], back: 'held' });
      assert.equal(d.statusCode, 303);
      assert.deepEqual(await changedSince(before), [], 'deleting held comments re-renders nothing: the page never showed them');
      assert.equal(await byBody(HAM[2]), undefined);
      assert.equal((await api('GET', `/pm/api/comments/${a!.commentId}`)).status, 404);
    });

    test('unpublish and delete a shown comment: the page drops it', async () => {
      const one = await byBody(HAM[0]);
      const j = await api('POST', '/pm/api/comments/moderate', { action: 'hold', ids: [one!.commentId] });
      assert.equal(j.status, 200);
      assert.doesNotMatch(await pageHtml(postA), /kiln door/);
      await api('POST', '/pm/api/comments/moderate', { action: 'approve', ids: [one!.commentId] });
      assert.match(await pageHtml(postA), /kiln door/);
      await editor.get('/pm/comments?status=published');
      const before = await snapshot();
      const r = await editor.post('/pm/comments/moderate', { action: `delete:${one!.commentId}`, back: 'published' });
      assert.equal(r.headers.location, '/pm/comments?status=published');
      assert.deepEqual(await changedSince(before), [`:${postA}`]);
      assert.doesNotMatch(await pageHtml(postA), /kiln door/);
    });

    test('edit: a bad edit comes back with the input and the error and stores nothing; a good one shows on the page', async () => {
      const c = (await byBody(HAM[1]))!;
      const form = await editor.get(`/pm/comments/${c.commentId}/edit`);
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /gas kiln/);
      const bad = await editor.post(`/pm/comments/${c.commentId}/edit`, { name: '', website: 'javascript:alert(1)', body: 'Changed text that must not be kept' });
      assert.equal(bad.statusCode, 422);
      assert.match(bad.body, /Changed text that must not be kept/, 'the input is kept');
      assert.match(bad.body, /class="pm-field-error"/);
      assert.equal((await byBody(HAM[1]))!.name, 'Reader', 'nothing stored');
      const before = await snapshot();
      const ok = await editor.post(`/pm/comments/${c.commentId}/edit`, { name: 'Reader (edited)', website: '', body: 'Does this work with a **gas** kiln too?', back: 'published' });
      assert.equal(ok.statusCode, 303);
      assert.deepEqual(await changedSince(before), [`:${postA}`]);
      assert.match(await pageHtml(postA), /<strong>gas<\/strong> kiln/);
      // The API edits the same way, and refuses the same way.
      const j = await api('PATCH', `/pm/api/comments/${c.commentId}`, { name: '' });
      assert.equal(j.status, 422);
      assert.equal(j.json.code, 'PM_ERR_COMMENT_INVALID');
      assert.ok((j.json.fields as Record<string, string>).name);
      const j2 = await api('PATCH', `/pm/api/comments/${c.commentId}`, { body: 'Edited through the API.' });
      assert.equal(j2.status, 200);
      assert.equal((j2.json.comment as ApiComment).body, 'Edited through the API.');
      assert.match(await pageHtml(postA), /Edited through the API\./);
    });

    test('who may moderate: editors and admins; an author, a visitor and a forged form may not, and nothing changes', async () => {
      const waiting = (await byBody('A comment on the other post, waiting.'))!;
      assert.equal((await author.get('/pm/comments')).statusCode, 403);
      const a = await author.post('/pm/comments/moderate', { action: `approve:${waiting.commentId}` });
      assert.equal(a.statusCode, 403);
      assert.doesNotMatch((await author.get('/pm/')).body, /comments waiting/);
      const anon = await h.app.http.inject({ url: '/pm/api/comments' });
      assert.equal(anon.statusCode, 401);
      const visitor = h.client();
      const v = await visitor.get('/pm/comments');
      assert.equal(v.statusCode, 303, 'a visitor is sent to log in');
      // The editor's own session, without the CSRF token.
      const forged = await editor.post('/pm/comments/moderate', { action: `approve:${waiting.commentId}` }, { csrf: false });
      assert.equal(forged.statusCode, 403);
      const cookieApi = await h.app.http.inject({ method: 'POST', url: '/pm/api/comments/moderate', headers: { cookie: editor.cookieHeader(), 'content-type': 'application/json' }, payload: JSON.stringify({ action: 'approve', ids: [waiting.commentId] }) });
      assert.equal(cookieApi.statusCode, 403);
      assert.equal(cookieApi.json().code, 'PM_ERR_CSRF');
      assert.equal((await byBody('A comment on the other post, waiting.'))!.status, 'held', 'still waiting');
    });

    test('bad input: clear errors, nothing changed', async () => {
      const waiting = (await byBody('A comment on the other post, waiting.'))!;
      const cases: [body: unknown, status: number, code: string][] = [
        [{ action: 'publish', ids: [waiting.commentId] }, 422, 'PM_ERR_VALIDATION'],
        [{ action: 'approve', ids: [] }, 422, 'PM_ERR_VALIDATION'],
        [{ action: 'approve', ids: ['not-an-id'] }, 422, 'PM_ERR_VALIDATION'],
        [{ action: 'approve', ids: Array.from({ length: 501 }, () => waiting.commentId) }, 422, 'PM_ERR_VALIDATION'],
        [{ action: 'approve', ids: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'] }, 404, 'PM_ERR_COMMENT_NOT_FOUND'],
        [{ action: 'approve', ids: [waiting.commentId], extra: 1 }, 422, 'PM_ERR_VALIDATION'],
      ];
      for (const [body, status, code] of cases) {
        const r = await api('POST', '/pm/api/comments/moderate', body);
        assert.equal(r.status, status, JSON.stringify(body).slice(0, 80));
        assert.equal(r.json.code, code);
      }
      assert.equal((await api('GET', '/pm/api/comments?status=deleted')).status, 400);
      assert.equal((await api('GET', '/pm/api/comments/01ARZ3NDEKTSV4RRFFQ69G5FAV')).json.code, 'PM_ERR_COMMENT_NOT_FOUND');
      // The dashboard says it in words and goes back to the list.
      await editor.get('/pm/comments');
      const none = await editor.post('/pm/comments/moderate', { action: 'approve', back: 'held' });
      assert.equal(none.statusCode, 303);
      assert.match((await editor.get('/pm/comments')).body, /Nothing changed: choose at least one comment\./);
      const gone = await editor.post('/pm/comments/moderate', { action: 'approve:01ARZ3NDEKTSV4RRFFQ69G5FAV' });
      assert.equal(gone.statusCode, 404);
      assert.match(gone.body, /There is no such comment/);
      assert.equal((await editor.get('/pm/comments/01ARZ3NDEKTSV4RRFFQ69G5FAV/edit')).statusCode, 404);
      assert.equal((await editor.get('/pm/comments?status=nope')).statusCode, 400);
      assert.equal((await byBody('A comment on the other post, waiting.'))!.status, 'held');
    });

    test('a partly stale bulk action does what it can and says what was gone', async () => {
      const waiting = (await byBody('A comment on the other post, waiting.'))!;
      const before = await snapshot();
      const r = await api('POST', '/pm/api/comments/moderate', { action: 'approve', ids: [waiting.commentId, '01ARZ3NDEKTSV4RRFFQ69G5FAV'] });
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.missing, ['01ARZ3NDEKTSV4RRFFQ69G5FAV']);
      assert.deepEqual(await changedSince(before), [`:${postB}`], 'the other post only');
      const page = await h.app.stores.pages.get(h.siteId, '', postB);
      assert.match(gunzipSync(page!.gz!).toString(), /A comment on the other post/, 'the stored page shows it');
    });
  });
}

for (const { name: dialect, skip } of APP_DIALECTS) {
  describe(`comment moderation during an automatic shut-off [${dialect}]`, { skip }, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ dialect, files: { 'config.toml': COMMENTS_TEST_CONFIG.replace('shutoff_max = 1000000', 'shutoff_max = 2') + 'moderation = "hold"\n' } });
      await h.user('maya', PASSWORD, 'admin');
      await h.app.templates.save({ siteId: h.siteId, langcode: '', urlPath: '/guestbook', themeId: 'daybreak', templateName: 'post', data: { title: 'Guestbook', body: 'Say hello.' } });
      for (const body of ['First of a flood, with enough words to pass.', 'Second of a flood, with enough words to pass.', 'Third of a flood, with enough words to pass.']) {
        await postComment(h.app, '/guestbook', { name: 'Flood', body });
      }
    });
    after(() => h?.close());

    test('the queue and the home say commenting is shut off, and an admin gets the way to reopen it', async () => {
      const maya = await h.loggedIn('maya', PASSWORD);
      const queue = await maya.get('/pm/comments');
      assert.match(queue.body, /class="notice notice-warn"[^>]*><p>Commenting closed by itself \(comments arrived faster than the limit\)/);
      assert.match(queue.body, /<a href="\/pm\/comments\/settings">Reopen it now<\/a>/);
      const home = await maya.get('/pm/');
      assert.match(home.body, /class="stat stat-attention"[^>]*><b>\d+<\/b><span>comments waiting · commenting shut off for a while<\/span>/);
    });
  });
}
