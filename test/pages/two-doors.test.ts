// One rule, two doors: each rule about addresses and users is tried through
// the dashboard's form and through the JSON API, and both must give the
// same answer (the same refusal, beside the same field, nothing stored; or
// the same success). The rules live once, in src/pages/address-service.ts
// and src/users/user-service.ts; these cases include the drift bugs found
// when the doors each had their own copy (marked "drift:").
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Response } from 'light-my-request';
import { decode, shownErrors, startHarness, type Client, type Harness } from '../dashboard/dashboard-harness.js';

let h: Harness;
let root: Client;
let ada: Client;
let rootToken = '';
let adaToken = '';

function api(token: string, method: string, url: string, body?: unknown): Promise<Response> {
  return h.app.http.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
}

const stored = (path: string) => h.app.pages.get(h.siteId, '', path);
const errorsOf = (r: Response) => shownErrors(decode(r.body));

/** The dashboard refused with `message` shown on the page, the API with `code` and the same message under `field`. */
function sameRefusal(dash: Response, apiAnswer: Response, o: { field: string; code: string; status?: number; message?: RegExp }): void {
  const body = apiAnswer.json() as { code: string; fields?: Record<string, string> };
  assert.equal(apiAnswer.statusCode, o.status ?? 422, JSON.stringify(body));
  assert.equal(body.code, o.code);
  const message = body.fields?.[o.field];
  assert.ok(message, `the API names the field ${o.field}: ${JSON.stringify(body)}`);
  if (o.message) assert.match(message, o.message);
  assert.ok(dash.statusCode >= 400, `the dashboard refused too (${dash.statusCode})`);
  assert.ok(errorsOf(dash).includes(message), `the dashboard shows the same sentence: ${errorsOf(dash).join(' | ')} / ${message}`);
}

before(async () => {
  h = await startHarness();
  await h.user('root', 'root passphrase', 'superadmin');
  const adaUser = await h.user('ada', 'ada passphrase', 'admin');
  const rootUser = (await h.app.users.list(h.siteId)).find((u) => u.username === 'root')!;
  root = await h.loggedIn('root', 'root passphrase');
  ada = await h.loggedIn('ada', 'ada passphrase');
  rootToken = (await h.app.users.createToken(rootUser, 'doors')).token;
  adaToken = (await h.app.users.createToken(adaUser, 'doors')).token;
  await h.app.pages.set(h.siteId, '', '/about', '<h1>About</h1>');
});
after(() => h.close());

describe('addresses: the URL dashboard and the API give the same answer', () => {
  const redirectRefusals: { name: string; path: string; target: string; message: RegExp }[] = [
    // drift: the API let /loop redirect to /loop/ (the same page: an endless loop); the dashboard refused it.
    { name: 'to itself with a trailing slash', path: '/loop', target: '/loop/', message: /would never end/ },
    // drift: neither door caught the percent-encoded form of its own address.
    { name: 'to itself percent-encoded', path: '/loop', target: '/lo%6Fp?x=1', message: /would never end/ },
    { name: 'with a line break', path: '/broken', target: '/a\nb', message: /control characters/ },
    // drift: the dashboard took a backslash inside a path (browsers read it as /); the API refused it.
    { name: 'with a backslash', path: '/slashed', target: '/a\\b', message: /backslash/ },
    // drift: the API took 2001 to 2048 characters, the dashboard stopped at 2000.
    { name: 'longer than 2000 characters', path: '/long', target: `/${'x'.repeat(2000)}`, message: /longer than 2000/ },
    { name: 'to javascript:', path: '/js', target: 'javascript:alert(1)', message: /Only http:\/\/ and https:\/\// },
  ];
  for (const c of redirectRefusals) {
    test(`a redirect ${c.name} is refused by both, nothing stored`, async () => {
      const dash = await root.post('/pm/urls/redirect', { path: c.path, lang: '', target: c.target, status: '301' });
      const viaApi = await api(rootToken, 'PUT', `/pm/api/redirects?url=${encodeURIComponent(c.path)}`, { target: c.target, status: 301 });
      if (c.target.length > 2000) {
        // The API's body schema stops it first (2048), with its own words, beside the same field.
        assert.ok(dash.statusCode === 422 && errorsOf(dash).some((e) => c.message.test(e)));
        assert.equal(viaApi.statusCode, 422);
        assert.ok(viaApi.json().fields.target);
      } else sameRefusal(dash, viaApi, { field: 'target', code: 'PM_ERR_VALIDATION', message: c.message });
      assert.equal(await stored(c.path), undefined);
    });
  }

  // drift: the API took a space in a target (it is percent-encoded on the way out); the dashboard refused it.
  test('a redirect with a space is accepted by both, and visitors get it percent-encoded', async () => {
    const dash = await root.post('/pm/urls/redirect', { path: '/spaced', lang: '', target: '/a b', status: '301' });
    assert.equal(dash.statusCode, 303, errorsOf(dash).join(' | '));
    const viaApi = await api(rootToken, 'PUT', '/pm/api/redirects?url=/spaced2', { target: 'https://example.com/a b', status: 301 });
    assert.equal(viaApi.statusCode, 201, viaApi.body);
    assert.equal((await h.app.http.inject('/spaced')).headers.location, '/a%20b');
    assert.equal((await h.app.http.inject('/spaced2')).headers.location, 'https://example.com/a%20b');
  });

  test('a redirect of 2001 characters the API’s schema lets through is refused by the rule', async () => {
    const target = `/${'y'.repeat(2010)}`;
    const viaApi = await api(rootToken, 'PUT', '/pm/api/redirects?url=/long2', { target });
    assert.equal(viaApi.statusCode, 422);
    assert.match(viaApi.json().fields.target, /longer than 2000 characters/);
    assert.equal(await stored('/long2'), undefined);
  });

  // drift: the API let an alias show a route with parameters (/pm-fruits/:name serves /pm-fruits/apple);
  // the dashboard said "Nothing is at /pm-fruits/apple".
  test('an alias to a route with parameters is accepted by both and serves it', async () => {
    const dash = await root.post('/pm/urls/alias', { path: '/apple', lang: '', target: '/pm-fruits/apple' });
    assert.equal(dash.statusCode, 303, errorsOf(dash).join(' | '));
    const viaApi = await api(rootToken, 'PUT', '/pm/api/aliases?url=/fig', { contentUrl: '/pm-fruits/fig' });
    assert.equal(viaApi.statusCode, 201, viaApi.body);
    assert.deepEqual(JSON.parse((await h.app.http.inject('/apple')).body), { name: 'apple', colour: 'red' });
    assert.deepEqual(JSON.parse((await h.app.http.inject('/fig')).body), { name: 'fig', colour: 'purple' });
    // The example plugin's own error code, through an alias to a fruit it does not have.
    await api(rootToken, 'PUT', '/pm/api/aliases?url=/kumquat', { contentUrl: '/pm-fruits/kumquat' });
    const none = await h.app.http.inject({ url: '/kumquat', headers: { accept: 'application/json' } });
    assert.equal(none.statusCode, 404);
    assert.deepEqual(none.json(), { code: 'PM_ERR_FRUIT_NOT_FOUND', message: 'There is no fruit called kumquat.' });
  });

  // drift: under /pm/ the dashboard compared route paths literally, so an alias at /pm/media/123 hid the
  // media plugin's /pm/media/:id page; the API matched the pattern and refused.
  test('an alias under /pm/ at a path a route pattern matches is refused by both', async () => {
    const dash = await root.post('/pm/urls/alias', { path: '/pm/media/123', lang: '', target: '/pm-url-dashboard' });
    const viaApi = await api(rootToken, 'PUT', '/pm/api/aliases?url=/pm/media/123', { contentUrl: '/pm-url-dashboard' });
    sameRefusal(dash, viaApi, { field: 'path', code: 'PM_ERR_PATH_INVALID', status: 400, message: /already a page of the media plugin/ });
    assert.equal(await stored('/pm/media/123'), undefined);
  });

  const pathRefusals: { name: string; path: string; message: RegExp }[] = [
    { name: 'under /pm-uploads/', path: '/pm-uploads/x', message: /reserved for uploaded files/ },
    { name: 'under /pm-themes/', path: '/pm-themes', message: /reserved for theme files/ },
    { name: 'under /pm/assets/', path: '/pm/assets/x.css', message: /never looked up as a page/ },
    { name: 'under /pm/ for a redirect', path: '/pm/old', message: /belong to the dashboard/ },
  ];
  for (const c of pathRefusals) {
    test(`a redirect at an address ${c.name} is refused by both with the same reason`, async () => {
      const dash = await root.post('/pm/urls/redirect', { path: c.path, lang: '', target: '/about', status: '301' });
      const viaApi = await api(rootToken, 'PUT', `/pm/api/redirects?url=${encodeURIComponent(c.path)}`, { target: '/about' });
      sameRefusal(dash, viaApi, { field: 'path', code: 'PM_ERR_PATH_INVALID', status: 400, message: c.message });
      assert.equal(await stored(c.path), undefined);
    });
  }

  test('an alias of a redirect (one hop only) is refused by both', async () => {
    await h.app.pages.redirect(h.siteId, '', '/shop', 'https://shop.example/', 302);
    const dash = await root.post('/pm/urls/alias', { path: '/store', lang: '', target: '/shop' });
    const viaApi = await api(rootToken, 'PUT', '/pm/api/aliases?url=/store', { contentUrl: '/shop' });
    // The API calls the field contentUrl, the form calls it target: the same sentence beside each.
    assert.equal(viaApi.statusCode, 422);
    assert.match(viaApi.json().fields.contentUrl, /is itself a redirect/);
    assert.ok(errorsOf(dash).includes(viaApi.json().fields.contentUrl), errorsOf(dash).join(' | '));
    assert.equal(await stored('/store'), undefined);
  });

  test('deleting the last way into the URL dashboard is refused by both, and it stays', async () => {
    const entries = await h.app.addresses.urlDashboardEntries(h.siteId);
    assert.deepEqual(entries.map((e) => e.urlPath), ['/pm/urls']);
    const dash = await root.post('/pm/urls/delete', { path: '/pm/urls', lang: '' });
    assert.equal(dash.statusCode, 409);
    const viaApi = await api(rootToken, 'DELETE', '/pm/api/pages?url=/pm/urls');
    assert.equal(viaApi.statusCode, 409);
    assert.equal(viaApi.json().code, 'PM_ERR_LAST_URL_DASHBOARD');
    assert.ok(errorsOf(dash).includes(viaApi.json().message), errorsOf(dash).join(' | '));
    assert.equal((await stored('/pm/urls'))?.contentUrl, '/pm-url-dashboard');
  });
});

describe('users: the Users page and the API give the same answer', () => {
  const newUser = (over: Record<string, string>) => ({ username: 'newbie', name: 'New', email: '', role: 'editor', password: 'a good long passphrase', ...over });
  const refusals: { name: string; input: Record<string, string>; field: string; code: string; status?: number; message: RegExp; as?: 'ada' }[] = [
    // drift: the API took any username without spaces (<b>, /, é); the dashboard only letters, digits, . _ -.
    { name: 'a username with markup', input: { username: '<b>bo</b>' }, field: 'username', code: 'PM_ERR_VALIDATION', message: /letters, digits/ },
    { name: 'a username with a slash', input: { username: 'a/b' }, field: 'username', code: 'PM_ERR_VALIDATION', message: /letters, digits/ },
    // drift: the API took an address without a dot in the domain (ada@localhost); the dashboard did not.
    { name: 'an email without a domain', input: { email: 'ada@localhost' }, field: 'email', code: 'PM_ERR_VALIDATION', message: /email address/ },
    // drift: the dashboard checked the name's length only in the browser (maxlength); the API at 200.
    { name: 'a name over 200 characters', input: { name: 'n'.repeat(201) }, field: 'name', code: 'PM_ERR_VALIDATION', message: /under 200/ },
    { name: 'a common password', input: { password: 'password123' }, field: 'password', code: 'PM_ERR_WEAK_PASSWORD', message: /too easy to guess/ },
    { name: 'a superadmin made by an admin', input: { role: 'superadmin' }, field: 'role', code: 'PM_ERR_FORBIDDEN', status: 403, message: /Only a superadmin/, as: 'ada' },
    { name: 'a taken username', input: { username: 'root' }, field: 'username', code: 'PM_ERR_CONFLICT', status: 409, message: /taken/ },
  ];
  for (const c of refusals) {
    test(`creating a user with ${c.name} is refused by both, nothing stored`, async () => {
      const before = (await h.app.users.list(h.siteId)).length;
      const client = c.as === 'ada' ? ada : root;
      const dash = await client.post('/pm/users', newUser(c.input));
      const viaApi = await api(c.as === 'ada' ? adaToken : rootToken, 'POST', '/pm/api/users', newUser(c.input));
      sameRefusal(dash, viaApi, { field: c.field, code: c.code, status: c.status, message: c.message });
      assert.equal((await h.app.users.list(h.siteId)).length, before);
    });
  }

  // drift: the CLI took user@example.com as a username, the dashboard refused it.
  test('a username that is an email address is accepted by both', async () => {
    const dash = await root.post('/pm/users', newUser({ username: 'grace@example.com' }));
    assert.equal(dash.statusCode, 303, errorsOf(dash).join(' | '));
    const viaApi = await api(rootToken, 'POST', '/pm/api/users', newUser({ username: 'linus@example.com' }));
    assert.equal(viaApi.statusCode, 201, viaApi.body);
  });

  // drift: the API named a token of only spaces "token"; the dashboard asked for a name.
  test('an API token named with spaces only is refused by both', async () => {
    const before = (await h.app.users.listTokens((await h.app.users.list(h.siteId)).find((u) => u.username === 'root')!.userId)).length;
    const dash = await root.post('/pm/profile/tokens', { name: '   ' });
    const viaApi = await api(rootToken, 'POST', '/pm/api/tokens', { name: '   ' });
    sameRefusal(dash, viaApi, { field: 'name', code: 'PM_ERR_VALIDATION', message: /Give the token a name/ });
    const rootId = (await h.app.users.list(h.siteId)).find((u) => u.username === 'root')!.userId;
    assert.equal((await h.app.users.listTokens(rootId)).length, before);
  });

  test('deleting yourself is refused by both', async () => {
    const me = (await h.app.users.list(h.siteId)).find((u) => u.username === 'root')!;
    const dash = await root.post('/pm/users/delete', { userId: me.userId });
    const viaApi = await api(rootToken, 'DELETE', `/pm/api/users/${me.userId}`);
    assert.equal(viaApi.statusCode, 409);
    assert.equal(viaApi.json().code, 'PM_ERR_DELETE_SELF');
    assert.equal(dash.statusCode, 409);
    assert.ok(errorsOf(dash).includes(viaApi.json().message));
    assert.ok(await h.app.users.get(h.siteId, me.userId));
  });
});
