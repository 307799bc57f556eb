import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFormValidator, FORM_SCRIPT, FORM_STYLES, parseFormBody, renderForm } from '../../src/forms/index.js';
import type { JsonSchema } from '../../src/forms/index.js';

const schema: JsonSchema = {
  type: 'object',
  required: ['cover'],
  properties: {
    cover: { type: 'string', title: 'Cover picture', format: 'image', maxLength: 1000 },
    gallery: { type: 'array', items: { type: 'object', properties: { src: { type: 'string', title: 'Picture', format: 'image' } } } },
  },
};

test('an image field shows a thumbnail, the address and a library picker instead of a bare text box', () => {
  const html = renderForm(schema, { cover: '/pm-uploads/01J00000000000000000000000/sunset.jpg' });
  assert.match(html, /<div class="pm-field pm-field-image">/);
  assert.match(html, /<img src="\/pm-uploads\/01J00000000000000000000000\/sunset\.jpg" alt="" data-pm-image-preview>/);
  assert.match(html, /<input type="text" id="pm-f-cover" name="cover" value="\/pm-uploads\/01J00000000000000000000000\/sunset\.jpg" required maxlength="1000" placeholder="\/pm-uploads\/…" inputmode="url" data-pm-image-input/);
  assert.match(html, /<button type="button" class="pm-btn" data-pm-image-choose>Choose from library \/ upload<\/button>/);
  // Without JavaScript the buttons stay hidden and the text box does the job.
  assert.match(html, /data-pm-image-buttons hidden>/);
  const empty = renderForm(schema, {});
  assert.match(empty, /<img alt="" hidden data-pm-image-preview>/);
  // Inside array templates too, so an added item gets the picker.
  assert.match(empty, /<template[\s\S]*data-pm-image[\s\S]*<\/template>/);
});

test('an image field takes a site path or an http(s) address and refuses scripts and other hosts’ protocol-relative links', () => {
  const v = createFormValidator();
  for (const ok of ['/pm-uploads/01J/x.jpg', '/pm-themes/daybreak/assets/a.svg', 'https://example.com/a.png']) {
    assert.deepEqual(v.validate(schema, { cover: ok }), { ok: true }, ok);
  }
  for (const bad of ['javascript:alert(1)', 'data:image/png;base64,AAAA', '//evil.example/x.png', 'photo.jpg', '/a b.jpg']) {
    const r = v.validate(schema, { cover: bad });
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.match(r.errors.cover[0], /address of a picture/);
  }
  assert.equal((parseFormBody(schema, { cover: '/pm-uploads/01J/x.jpg' }) as { cover?: string }).cover, '/pm-uploads/01J/x.jpg');
});

test('the form script and styles carry the picker', () => {
  assert.match(FORM_SCRIPT, /\/pm\/api\/media/);
  assert.match(FORM_SCRIPT, /showModal/);
  assert.match(FORM_STYLES, /\.pm-picker-grid/);
});

test('with imageLibrary, an image field links to the library for choosing without JavaScript, in a new tab', () => {
  const html = renderForm(schema, {}, { imageLibrary: '/~shop/pm/media?pick=1' });
  assert.match(html, /<a class="pm-btn pm-btn-quiet pm-image-library" href="\/~shop\/pm\/media\?pick=1" target="_blank" rel="noopener" data-pm-image-library>Choose from the library ↗<\/a>/);
  assert.doesNotMatch(renderForm(schema, {}), /data-pm-image-library/, 'no link where there is no library');
  assert.match(FORM_STYLES, /\[data-pm-image-buttons\]\[hidden\]\{display:none\}/, 'the script-only buttons stay hidden without script');
});

test('an error naming a record’s dashboard page links to it, beside the form; other addresses stay text', () => {
  const html = renderForm(schema, { cover: 'x' }, {
    errors: { cover: ['Describe <it> at /pm/media/01J00000000000000000000000, then save.'], 'gallery[0][src]': ['/pm/assets is not a page.'] },
  });
  assert.match(html, /Describe &lt;it&gt; at <a href="\/pm\/media\/01J00000000000000000000000" target="_blank" rel="noopener">\/pm\/media\/01J00000000000000000000000<\/a>, then save\./);
  assert.match(html, /\/pm\/assets is not a page\./);
  assert.doesNotMatch(html, /<a href="\/pm\/assets/);
});
