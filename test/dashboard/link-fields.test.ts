import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decode, inputValue, startHarness, type Client, type Harness } from './dashboard-harness.js';

const PASSWORD = 'correct horse battery';
const HOME = { _pm_mode: 'new', _pm_theme: 'daybreak', _pm_template: 'home', heading: 'Hello' };

/** URL fields of every template form accept http:, https:, mailto:, tel: and site-relative links only. */
describe('link fields of template forms', () => {
  let h: Harness;
  let ada: Client;

  before(async () => {
    h = await startHarness();
    await h.user('ada', PASSWORD, 'superadmin');
    ada = await h.loggedIn('ada', PASSWORD);
  });
  after(() => h.close());

  test('the page editor refuses javascript: and data: beside the field, keeps the input, stores nothing', async () => {
    for (const bad of ['javascript:alert(document.cookie)', ' JAVASCRIPT:alert(1)', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', 'vbscript:x']) {
      const r = await ada.post('/pm/urls/save', { ...HOME, _pm_path: '/landing', ctaLabel: 'Go', ctaUrl: bad });
      assert.equal(r.statusCode, 422, bad);
      const beside = /id="pm-f-ctaUrl-error"[^>]*>([^<]*)/.exec(r.body)?.[1] ?? '';
      assert.match(decode(beside), /are not allowed\. Use a path on this site/, bad);
      assert.equal(decode(inputValue(r.body, 'ctaUrl') ?? ''), bad, 'what was typed comes back');
      assert.equal(await h.app.templates.get(h.siteId, '', '/landing'), undefined);
      assert.equal((await h.app.http.inject({ url: '/landing' })).statusCode, 404);
    }
  });

  test('allowed links save: https, http, mailto, tel, a path, a fragment', async () => {
    for (const [i, ok] of ['https://example.com/', 'http://example.com/x', 'mailto:hi@example.com', 'tel:+33123456', '/about', '#contact'].entries()) {
      const r = await ada.post('/pm/urls/save', { ...HOME, _pm_path: `/ok-${i}`, ctaLabel: 'Go', ctaUrl: ok });
      assert.equal(r.statusCode, 303, ok);
      assert.match((await h.app.http.inject({ url: `/ok-${i}` })).body, new RegExp(`href="${ok.replace(/[.+?/]/g, '\\$&')}"`));
    }
  });

  test('a nested link field (a gallery image, a section link) is checked too, and an existing page keeps its data', async () => {
    const before = await h.app.templates.get(h.siteId, '', '/ok-0');
    const r = await h.app.templates.save({ siteId: h.siteId, langcode: '', urlPath: '/ok-0', themeId: 'daybreak', templateName: 'home', data: { heading: 'Hi', sections: [{ heading: 'A', linkLabel: 'x', linkUrl: 'javascript:alert(1)' }] } });
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(String(r.errors['sections[0][linkUrl]']), /javascript: are not allowed/);
    assert.deepEqual(await h.app.templates.get(h.siteId, '', '/ok-0'), before);
  });

  test('the JSON API answers 422 with the message for the field', async () => {
    const ada = await h.app.stores.users.getByUsername(h.siteId, 'ada');
    const { token } = await h.app.users.createToken(ada!, 'test');
    const r = await h.app.http.inject({
      method: 'PUT',
      url: '/pm/api/template-urls?url=/api-page',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      payload: JSON.stringify({ themeId: 'daybreak', templateName: 'home', data: { heading: 'Hi', ctaUrl: 'data:text/html,<b>x</b>' } }),
    });
    assert.equal(r.statusCode, 422, r.body);
    const body = r.json() as { code: string; fields: Record<string, string> };
    assert.equal(body.code, 'PM_ERR_VALIDATION');
    assert.match(Object.entries(body.fields).map(([k, v]) => `${k}: ${v}`).join('\n'), /data\[ctaUrl\]: Links starting with data: are not allowed/);
    assert.equal(await h.app.templates.get(h.siteId, '', '/api-page'), undefined);
  });
});
