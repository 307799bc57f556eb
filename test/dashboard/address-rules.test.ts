import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decode, inputValue, shownErrors, startHarness, type Client, type Harness } from './dashboard-harness.js';

const PASSWORD = 'correct horse battery';
const ABOUT = { _pm_mode: 'new', _pm_theme: 'daybreak', _pm_template: 'about', _pm_lang: '', body: 'Text.' };

/** Issue 11, "Addresses and links": normalised, reachable, no loops. */
describe('address rules', () => {
  let h: Harness;
  let ada: Client;
  const pageCount = async () => (await h.app.pages.list(h.siteId)).length;

  before(async () => {
    h = await startHarness();
    await h.user('ada', PASSWORD, 'superadmin');
    ada = await h.loggedIn('ada', PASSWORD);
    await h.app.siteService.update(h.siteId, { enabledLocales: ['en', 'fr'] });
  });
  after(() => h.close());

  test('an address that can never be reached (/fr/x in the default language while fr is enabled) is refused beside the field', async () => {
    const before = await pageCount();
    for (const path of ['/fr/x', '/FR/x', '/fr']) {
      const r = await ada.post('/pm/urls/save', { ...ABOUT, _pm_path: path, title: 'X' });
      assert.equal(r.statusCode, 422, path);
      const beside = decode(/id="f-_pm_path-error">([^<]*)/.exec(r.body)?.[1] ?? '');
      assert.match(beside, /Nobody could ever reach \/fr(\/x)?: addresses starting with \/fr\/ are the fr versions of pages\. Save it in fr as/, path);
      assert.equal(inputValue(r.body, '_pm_path'), path, 'what was typed comes back');
    }
    const redirect = await ada.post('/pm/urls/redirect', { path: '/fr/old', lang: '', target: '/', status: '301' });
    assert.equal(redirect.statusCode, 422);
    assert.ok(shownErrors(redirect.body).some((e) => /Nobody could ever reach \/fr\/old/.test(decode(e))), shownErrors(redirect.body).join(' | '));
    assert.equal(await pageCount(), before, 'nothing stored');
    // The same address in French is fine, and so is /fr... in French (it is /fr/fr/...).
    assert.equal((await ada.post('/pm/urls/save', { ...ABOUT, _pm_lang: 'fr', _pm_path: '/x', title: 'X' })).statusCode, 303);
  });

  test('spaces are refused with the address to use instead; capitals are saved in lower case', async () => {
    const r = await ada.post('/pm/urls/save', { ...ABOUT, _pm_path: '/About Us', title: 'About' });
    assert.equal(r.statusCode, 422);
    assert.match(decode(/id="f-_pm_path-error">([^<]*)/.exec(r.body)?.[1] ?? ''), /An address cannot contain spaces; use - between words instead, such as \/about-us\./);
    assert.equal(await h.app.templates.get(h.siteId, '', '/About Us'), undefined);
    const ok = await ada.post('/pm/urls/save', { ...ABOUT, _pm_path: '/About-Us', title: 'About' });
    assert.equal(ok.statusCode, 303);
    assert.match(decode((await ada.get(String(ok.headers.location))).body), /Saved\. The page is live at \/about-us\./);
    assert.ok(await h.app.templates.get(h.siteId, '', '/about-us'));
  });

  test('a redirect loop is refused with the loop named; a chain is refused with where to point instead', async () => {
    assert.equal((await ada.post('/pm/urls/redirect', { path: '/a', lang: '', target: '/b', status: '301' })).statusCode, 303);
    const before = await h.app.pages.get(h.siteId, '', '/b');
    const loop = await ada.post('/pm/urls/redirect', { path: '/b', lang: '', target: '/a', status: '301' });
    assert.equal(loop.statusCode, 422);
    assert.ok(shownErrors(loop.body).some((e) => decode(e).includes('That would make a loop that never ends: /b → /a → /b.')), shownErrors(loop.body).join(' | '));
    assert.equal(await h.app.pages.get(h.siteId, '', '/b'), before, 'nothing stored at /b');
    const chain = await ada.post('/pm/urls/redirect', { path: '/c', lang: '', target: '/a', status: '301' });
    assert.equal(chain.statusCode, 422);
    assert.ok(shownErrors(chain.body).some((e) => decode(e).includes('/a is itself a redirect, to /b; point /c straight there instead.')), shownErrors(chain.body).join(' | '));
    assert.equal(await h.app.pages.get(h.siteId, '', '/c'), undefined);
    // Through the JSON API the same rule, the same words.
    const api = await h.app.http.inject({ method: 'PUT', url: '/pm/api/redirects?url=/b', headers: { cookie: ada.cookieHeader(), 'x-csrf-token': ada.csrf, 'content-type': 'application/json', accept: 'application/json' }, payload: JSON.stringify({ target: '/a', status: 301 }) });
    assert.equal(api.statusCode, 422, api.body);
    assert.match(api.body, /a loop that never ends: \/b → \/a → \/b/);
  });
});
