import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decode, inputValue, shownErrors, startHarness, type Client, type Harness } from './dashboard-harness.js';

const PASSWORD = 'correct horse battery';

describe('logging in and out (singlesite)', () => {
  let h: Harness;
  const logins: string[] = [];
  before(async () => {
    h = await startHarness();
    await h.user('ada', PASSWORD, 'superadmin');
    h.app.events.on('user.login', ({ userId }) => logins.push(userId));
  });
  after(() => h.close());

  interface Case {
    name: string;
    method: 'GET' | 'POST';
    url: string;
    body?: Record<string, string>;
    csrf?: boolean;
    status: number;
    text?: RegExp;
    location?: string | RegExp;
    /** Checked on the response and the client after the request. */
    effect?: (c: Client, r: Awaited<ReturnType<Client['get']>>) => void | Promise<void>;
  }
  const cases: Case[] = [
    { name: 'an anonymous visitor of /pm/ is sent to the login page', method: 'GET', url: '/pm/', status: 303, location: '/pm/login?next=%2Fpm%2F' },
    { name: 'the URL dashboard sends to the login page too', method: 'GET', url: '/pm/urls', status: 303, location: /^\/pm\/login\?next=/ },
    { name: 'the login page is a plain form', method: 'GET', url: '/pm/login', status: 200, text: /<h1>Log in<\/h1>[\s\S]*name="username"[\s\S]*name="password"/ },
    {
      name: 'a wrong password is refused, the username kept',
      method: 'POST',
      url: '/pm/login',
      body: { username: 'ada', password: 'nope' },
      status: 401,
      text: /Wrong username or password\./,
      effect: (c, r) => {
        assert.equal(inputValue(r.body, 'username'), 'ada');
        assert.equal([...c.cookies.keys()].some((k) => k.startsWith('pm_session_')), false);
      },
    },
    { name: 'an unknown user gets the very same message', method: 'POST', url: '/pm/login', body: { username: 'nobody', password: 'nope' }, status: 401, text: /Wrong username or password\./ },
    {
      name: 'empty fields are named',
      method: 'POST',
      url: '/pm/login',
      body: { username: 'ada', password: '' },
      status: 422,
      effect: (_c, r) => assert.ok(shownErrors(r.body).includes('Enter your password.'), shownErrors(r.body).join(' | ')),
    },
    { name: 'a login without the CSRF token is refused', method: 'POST', url: '/pm/login', body: { username: 'ada', password: PASSWORD }, csrf: false, status: 403, text: /PM_ERR_CSRF/ },
    {
      name: 'the right password opens a session and goes to next',
      method: 'POST',
      url: '/pm/login',
      body: { username: 'ada', password: PASSWORD, next: '/pm/themes' },
      status: 303,
      location: '/pm/themes',
      effect: (c) => {
        assert.ok([...c.cookies.keys()].some((k) => k === `pm_session_${h.siteId}`));
        assert.equal(logins.length, 1, 'user.login was emitted once');
      },
    },
    { name: 'logged in, the dashboard opens', method: 'GET', url: '/pm/', status: 200, text: /Pages &amp; URLs/ },
    { name: 'logged in, the login page goes to the dashboard', method: 'GET', url: '/pm/login', status: 303, location: '/pm/' },
    {
      name: 'logout clears the session cookie',
      method: 'POST',
      url: '/pm/logout',
      body: {},
      status: 303,
      location: '/pm/login',
      effect: (c, r) => {
        const set = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
        assert.ok(set.some((s) => s.startsWith(`pm_session_${h.siteId}=;`) && /Max-Age=0/i.test(s)), set.join('\n'));
        assert.equal(c.cookies.has(`pm_session_${h.siteId}`), false);
      },
    },
    { name: 'after logout the dashboard asks for a login again', method: 'GET', url: '/pm/', status: 303, location: /^\/pm\/login/ },
    { name: 'the login page says you logged out', method: 'GET', url: '/pm/login', status: 200, text: /You have logged out\./ },
  ];

  // One visitor walks through the table in order, as a person would.
  let c: Client;
  before(() => {
    c = h.client();
  });
  for (const k of cases) {
    test(k.name, async () => {
      if (k.method === 'POST' && k.csrf !== false && !c.csrf) await c.get('/pm/login');
      const r = k.method === 'GET' ? await c.get(k.url) : await c.post(k.url, k.body ?? {}, { csrf: k.csrf });
      assert.equal(r.statusCode, k.status, r.body.slice(0, 300));
      if (k.text) assert.match(r.body, k.text);
      if (k.location !== undefined) {
        if (typeof k.location === 'string') assert.equal(r.headers.location, k.location);
        else assert.match(String(r.headers.location), k.location);
      }
      await k.effect?.(c, r);
    });
  }

  test('an old session cookie stops working after logout', async () => {
    const v = h.client();
    await v.get('/pm/login');
    await v.post('/pm/login', { username: 'ada', password: PASSWORD });
    const stolen = new Map(v.cookies);
    await v.get('/pm/');
    assert.equal((await v.post('/pm/logout', {})).statusCode, 303);
    const thief = h.client();
    for (const [k, val] of stolen) thief.cookies.set(k, val);
    assert.equal((await thief.get('/pm/')).statusCode, 303);
  });

  test('next must stay on the site', async () => {
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const v = h.client();
      await v.get('/pm/login');
      const r = await v.post('/pm/login', { username: 'ada', password: PASSWORD, next });
      assert.equal(r.statusCode, 303);
      assert.equal(r.headers.location, '/pm/', `next=${next}`);
    }
  });

  test('after login, the URL dashboard opens at its alias, not its hidden route', async () => {
    const v = h.client();
    const first = await v.get('/pm/urls');
    const next = decodeURIComponent(String(first.headers.location).split('next=')[1]);
    await v.get(String(first.headers.location));
    const r = await v.post('/pm/login', { username: 'ada', password: PASSWORD, next });
    assert.equal(r.headers.location, '/pm/urls');
    assert.equal((await v.get('/pm/urls')).statusCode, 200);
  });
});

describe('login rate limits', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.user('ada', PASSWORD, 'superadmin');
    await h.user('bob', PASSWORD, 'editor');
  });
  after(() => h.close());

  test('after five wrong passwords from one address, that address waits (429, Retry-After), even with the right password', async () => {
    const c = h.client();
    await c.get('/pm/login');
    for (let i = 0; i < 5; i++) assert.equal((await c.post('/pm/login', { username: 'bob', password: `wrong ${i}` })).statusCode, 401);
    const r = await c.post('/pm/login', { username: 'bob', password: PASSWORD });
    assert.equal(r.statusCode, 429);
    assert.match(decode(r.body), /Too many attempts\. Try again in \d+ seconds\./);
    assert.ok(Number(r.headers['retry-after']) > 0);
    assert.equal(inputValue(r.body, 'username'), 'bob');
  });

  test('more than 20 login posts a minute from one address are refused', async () => {
    const c = h.client();
    await c.get('/pm/login');
    // 6 were used by the test above (same IP, same app); a new username each time keeps the
    // per-(user, address) delay out of it, so what refuses here is the per-address limit.
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) statuses.push((await c.post('/pm/login', { username: `nobody${i}`, password: 'wrong' })).statusCode);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.equal(statuses.at(-1), 429);
    const r = await c.post('/pm/login', { username: 'ada', password: PASSWORD });
    assert.equal(r.statusCode, 429);
    assert.match(r.body, /Too many attempts/);
  });
});

describe('offline mode', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ mode: 'offline' });
  });
  after(() => h.close());

  test('the dashboard opens without a login, and the login page goes to it', async () => {
    const c = h.client();
    const home = await c.get('/pm/');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /offline mode/);
    assert.doesNotMatch(home.body, />Log out</);
    const login = await c.get('/pm/login');
    assert.equal(login.statusCode, 303);
    assert.equal(login.headers.location, '/pm/');
  });
});
