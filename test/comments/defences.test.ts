/**
 * The form's defences, one rule per test: a filled honeypot, a too-fast "Send", a forged,
 * expired or replayed token. Each is refused with its code and a clear message, and nothing
 * is stored (no comment row, no stored page changed).
 */
import assert from 'node:assert/strict';
import { changed, forEachComments, formOf, tokenOf, tokens, type Fixture } from './comments-fixture.js';

const GOOD = { name: 'Ana Lima', body: 'Thanks, the part about WAL mode fixed my locking errors.' };

async function nothingStored(f: Fixture, before: Map<string, string>): Promise<void> {
  assert.equal(await f.count(), 0, 'no comment stored');
  assert.deepEqual(changed(before, await f.snapshot()), [], 'no stored page changed');
}

const codeOf = (body: string) => /PM_ERR_[A-Z_]+/.exec(body)?.[0];

forEachComments('a filled honeypot is refused at either step, nothing stored', async (f) => {
  const before = await f.snapshot();
  const r1 = await f.check({ ...GOOD, homepage: 'http://spam.example' });
  assert.equal(r1.statusCode, 400);
  assert.equal(codeOf(r1.body), 'PM_ERR_COMMENT_HONEYPOT');
  assert.match(r1.body, /a field that people leave empty/);
  const step = await f.check(GOOD);
  assert.equal(step.statusCode, 200);
  await new Promise((r) => setTimeout(r, 1100));
  const r2 = await f.send({ ...GOOD, form: formOf(step.body), token: tokenOf(step.body), homepage: 'x' }, { accept: 'application/json' });
  assert.equal(r2.statusCode, 400);
  assert.equal(JSON.parse(r2.body).code, 'PM_ERR_COMMENT_HONEYPOT');
  await nothingStored(f, before);
});

forEachComments('a "Send" sooner than the dwell time is refused, and the step comes back with the input', async (f) => {
  const before = await f.snapshot();
  const r = await f.post(GOOD, { waitMs: 0 });
  assert.equal(r.statusCode, 400);
  assert.match(r.body, /That was quick/);
  assert.match(r.body, /Ana Lima/, 'the name is kept');
  assert.match(r.body, /WAL mode fixed my locking errors/, 'the text is kept');
  assert.ok(tokenOf(r.body), 'with a token to send it again');
  await nothingStored(f, before);
  const json = await f.post(GOOD, { waitMs: 0, accept: 'application/json' });
  assert.equal(JSON.parse(json.body).code, 'PM_ERR_COMMENT_TOO_FAST');
  await nothingStored(f, before);
});

forEachComments('a forged form id or token is refused, nothing stored', async (f) => {
  const before = await f.snapshot();
  const page = await f.visit('/hello');
  const form = formOf(page.body);
  const [payload, sig] = form.split('.');
  const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), u: '/other' })).toString('base64url') + '.' + sig;
  for (const bad of [tampered, 'nonsense', '', form.slice(0, -2) + 'xx']) {
    const r = await f.check(GOOD, { form: bad });
    assert.equal(r.statusCode, 400, bad.slice(0, 30));
    assert.equal(codeOf(r.body), 'PM_ERR_COMMENT_TOKEN_FORGED');
    assert.match(r.body, /did not come from a page of this site/);
  }
  // Step two: no token, a token signed with another key, a token for another page, a form id passed off as a token.
  const other = formOf((await f.visit('/other')).body);
  const wrongThread = tokens.visitToken(f.siteId, 'page::/other', Date.now() - 5000);
  const otherKey = (await import('../../pm-plugins/comments/comment-token.js')).createTokens('another secret').visitToken(f.siteId, 'page::/hello', Date.now() - 5000);
  for (const token of ['', otherKey, wrongThread, form]) {
    const r = await f.send({ ...GOOD, form, token }, { accept: 'application/json' });
    assert.equal(r.statusCode, 400);
    assert.equal(JSON.parse(r.body).code, 'PM_ERR_COMMENT_TOKEN_FORGED');
  }
  // The other page's form with this page's token.
  const r = await f.send({ ...GOOD, form: other, token: tokens.visitToken(f.siteId, 'page::/hello', Date.now() - 5000) }, { accept: 'application/json' });
  assert.equal(JSON.parse(r.body).code, 'PM_ERR_COMMENT_TOKEN_FORGED');
  await nothingStored(f, before);
});

forEachComments('an expired token is refused with the input kept and a fresh token, nothing stored', async (f) => {
  const before = await f.snapshot();
  const form = formOf((await f.visit('/hello')).body);
  const old = tokens.visitToken(f.siteId, 'page::/hello', Date.now() - 121 * 60_000);
  const r = await f.send({ ...GOOD, form, token: old });
  assert.equal(r.statusCode, 400);
  assert.match(r.body, /open for more than 120 minutes/);
  assert.match(r.body, /Ana Lima/);
  const fresh = tokenOf(r.body);
  assert.ok(fresh && fresh !== old);
  await nothingStored(f, before);
  // The fresh one works once the dwell time has passed.
  await new Promise((res) => setTimeout(res, 1100));
  const ok = await f.send({ ...GOOD, form: formOf(r.body), token: fresh });
  assert.equal(ok.statusCode, 303, ok.body.slice(0, 300));
  assert.equal(await f.count(), 1);
});

forEachComments('a token sent twice stores one comment; the replay is refused', async (f) => {
  const step = await f.check(GOOD);
  await new Promise((r) => setTimeout(r, 1100));
  const fields = { ...GOOD, form: formOf(step.body), token: tokenOf(step.body) };
  const first = await f.send(fields);
  assert.equal(first.statusCode, 303);
  const before = await f.snapshot();
  const again = await f.send(fields);
  assert.equal(again.statusCode, 409);
  assert.equal(codeOf(again.body), 'PM_ERR_COMMENT_TOKEN_REPLAYED');
  assert.match(again.body, /already sent once/);
  const other = await f.send({ ...fields, body: 'A different text with the same token.' }, { accept: 'application/json' });
  assert.equal(JSON.parse(other.body).code, 'PM_ERR_COMMENT_TOKEN_REPLAYED');
  assert.equal(await f.count(), 1, 'one comment');
  assert.deepEqual(changed(before, await f.snapshot()), []);
});

forEachComments('a refused comment gives its token back: fixed and sent again, it is stored', async (f) => {
  const step = await f.check({ ...GOOD, body: '' });
  assert.equal(step.statusCode, 422, 'the check step says what is missing');
  assert.match(step.body, /Write your comment/);
  await new Promise((r) => setTimeout(r, 1100));
  const fields = { ...GOOD, body: '', form: formOf(step.body), token: tokenOf(step.body) };
  const bad = await f.send(fields);
  assert.equal(bad.statusCode, 422);
  assert.match(bad.body, /Write your comment/);
  assert.equal(await f.count(), 0);
  const good = await f.send({ ...fields, body: GOOD.body });
  assert.equal(good.statusCode, 303);
  assert.equal(await f.count(), 1);
});
