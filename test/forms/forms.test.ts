import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPmError } from '../../src/errors/errors.js';
import { applyFormOp, FORM_SCRIPT, FORM_STYLES, parseFormBody, renderForm } from '../../src/forms/index.js';
import type { JsonSchema } from '../../src/forms/index.js';
import { fullData, post, tree } from './fixtures.js';
import { attrsOf, control, controls, elementById, labelFor, stripTemplates, submit, text } from './html-helpers.js';

describe('renderForm: what the user sees', () => {
  it('labels a text field with its title, marks it required and shows its help text', () => {
    const html = renderForm(post, {});
    const title = control(html, 'title');
    assert.equal(title.attrs.type, 'text');
    assert.equal(title.attrs.id, 'pm-f-title');
    assert.ok('required' in title.attrs);
    assert.equal(title.attrs.maxlength, '80');
    assert.match(labelFor(html, 'pm-f-title')!, /^Title <span class="pm-required" aria-hidden="true">\*<\/span>$/);
    assert.equal(text(elementById(html, 'pm-f-title-help')!), 'Shown in the browser tab.');
    assert.equal(title.attrs['aria-describedby'], 'pm-f-title-help');
  });

  it('falls back to a humanised key when there is no title', () => {
    const html = renderForm(post, {});
    assert.equal(text(labelFor(html, 'pm-f-publishedOn')!), 'Published on');
    assert.equal(text(labelFor(html, 'pm-f-author-twitterHandle')!), 'Twitter handle');
    assert.ok(!('required' in control(html, 'email').attrs), 'optional fields are not required');
  });

  it('gives every visible control an id and a label pointing at it', () => {
    const html = renderForm(post, fullData);
    const visible = controls(html).map(attrsOf).filter((a) => a.type !== 'hidden' && a.type !== 'submit');
    assert.ok(visible.length > 20);
    for (const a of visible) {
      assert.ok(a.id, `control ${a.name} has an id`);
      assert.ok(labelFor(html, a.id), `control ${a.name} (#${a.id}) has a label`);
    }
    const ids = [...stripTemplates(html).matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  });

  it('picks the widget from type and format', () => {
    const html = renderForm(post, fullData);
    const body = control(html, 'body');
    assert.match(body.tag, /^<textarea/);
    assert.equal(body.attrs.class, 'pm-markdown');
    assert.equal(body.inner, '# Hi\n\nSome *text*.');
    assert.match(control(html, 'summary').tag, /^<textarea/);
    assert.match(control(html, 'notes').tag, /^<textarea/, 'a long maxLength gets a textarea');
    assert.equal(control(html, 'email').attrs.type, 'email');
    assert.equal(control(html, 'website').attrs.type, 'url');
    assert.equal(control(html, 'publishedOn').attrs.type, 'date');
    assert.deepEqual([control(html, 'accent').attrs.type, control(html, 'accent').attrs.value], ['color', '#112233']);
    const views = control(html, 'views').attrs;
    assert.deepEqual([views.type, views.min, views.max, views.step, views.value], ['number', '0', '1000000', '1', '42']);
    const rating = control(html, 'rating').attrs;
    assert.deepEqual([rating.type, rating.step, rating.value], ['number', '0.5', '4.5']);
  });

  it('renders a boolean as a checkbox with a hidden false before it', () => {
    const on = renderForm(post, { featured: true });
    assert.match(on, /<input type="hidden" name="featured" value="false"><input type="checkbox" id="pm-f-featured" name="featured" value="true" checked>/);
    assert.equal(text(labelFor(on, 'pm-f-featured')!), 'Featured on the home page');
    const off = renderForm(post, { featured: false });
    assert.ok(!('checked' in control(off, 'featured').attrs));
  });

  it('renders short enums as radio buttons and long ones as a select, with labels and the current choice', () => {
    const html = renderForm(post, { category: 'review', priority: 3 });
    const layout = elementById(html, 'pm-f-layout')!;
    assert.match(layout, /^<fieldset/);
    assert.match(layout, /<legend>Layout<\/legend>/);
    assert.deepEqual([labelFor(html, 'pm-f-layout-0'), labelFor(html, 'pm-f-layout-1'), labelFor(html, 'pm-f-layout-none')], ['Wide', 'Narrow', 'None']);
    assert.match(layout, /id="pm-f-layout-0" name="layout" value="wide" checked/, 'the default is chosen when data has none');
    const category = control(html, 'category');
    assert.match(category.tag, /^<select/);
    assert.match(category.inner!, /<option value="review" selected>review<\/option>/);
    assert.match(category.inner!, /^<option value="">—<\/option>/, 'an optional select can be emptied');
    assert.match(html, /id="pm-f-priority-2" name="priority" value="3" checked/);
  });

  it('honours x-widget and oneOf/const choices', () => {
    const schema: JsonSchema = {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'string', 'x-widget': 'select', oneOf: [{ const: 's', title: 'Small' }, { const: 'l', title: 'Large' }] },
        colour: { type: 'string', 'x-widget': 'radio', enum: ['a', 'b', 'c', 'd', 'e', 'f'] },
      },
    };
    const html = renderForm(schema, {});
    const size = control(html, 'size');
    assert.match(size.tag, /^<select[^>]*required/);
    assert.match(size.inner!, /<option value="" selected>Choose…<\/option><option value="s">Small<\/option><option value="l">Large<\/option>/);
    assert.equal((html.match(/type="radio"/g) ?? []).length, 7);
  });

  it('carries x-widget "hidden" values without showing them, and parses them back', () => {
    const schema: JsonSchema = { type: 'object', properties: { id: { type: 'integer', 'x-widget': 'hidden' }, slug: { type: 'string', 'x-widget': 'hidden' } } };
    const html = renderForm(schema, { id: 7, slug: 'a"b' });
    assert.equal(html, '<input type="hidden" id="pm-f-id" name="id" value="7"><input type="hidden" id="pm-f-slug" name="slug" value="a&quot;b">');
    assert.deepEqual(parseFormBody(schema, submit(html)), { id: 7, slug: 'a"b' });
  });

  it('keeps readOnly values through a submit although their controls are disabled', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        locked: { type: 'boolean', readOnly: true },
        plan: { type: 'string', enum: ['a', 'b', 'c', 'd', 'e'], readOnly: true },
        size: { type: 'string', enum: ['s', 'm'], readOnly: true },
        name: { type: 'string', readOnly: true },
      },
    };
    const data = { locked: true, plan: 'c', size: 'm', name: 'fixed' };
    const html = renderForm(schema, data);
    assert.ok('disabled' in attrsOf(/<input type="checkbox"[^>]*>/.exec(html)![0]));
    assert.ok('readonly' in control(html, 'name').attrs);
    assert.deepEqual(parseFormBody(schema, submit(html)), data);
  });

  it('groups a nested object in a fieldset with a legend and bracket names', () => {
    const html = renderForm(post, { author: { name: 'Ann' } });
    const author = elementById(html, 'pm-f-author')!;
    assert.match(author, /^<fieldset class="pm-fieldset pm-object" id="pm-f-author"><legend>Author <span class="pm-required"/);
    assert.equal(control(html, 'author[name]').attrs.value, 'Ann');
    assert.ok('required' in control(html, 'author[name]').attrs);
    assert.equal(control(html, 'author[twitterHandle]').attrs.pattern, '^@\\w+$');
  });

  it('widens an unanchored pattern so the browser agrees with JSON Schema', () => {
    const html = renderForm({ type: 'object', properties: { code: { type: 'string', pattern: '[0-9]' } } }, {});
    assert.equal(control(html, 'code').attrs.pattern, '.*(?:[0-9]).*');
  });

  it('renders an array of strings with numbered items, move and remove buttons, Add and a template', () => {
    const html = renderForm(post, { tags: ['a', 'b & c'] });
    assert.equal(control(html, 'tags[0]').attrs.value, 'a');
    assert.equal(control(html, 'tags[1]').attrs.value, 'b & c');
    assert.equal(text(labelFor(html, 'pm-f-tags-1')!), 'Tag 2');
    const buttons = controls(html).map(attrsOf).filter((a) => a.name === '_pm_form_op' && /tags/.test(a.value));
    const byValue = Object.fromEntries(buttons.map((b) => [b.value, b]));
    assert.deepEqual(Object.keys(byValue).sort(), ['add:tags', 'down:tags.0', 'down:tags.1', 'remove:tags.0', 'remove:tags.1', 'up:tags.0', 'up:tags.1']);
    assert.ok('disabled' in byValue['up:tags.0'] && 'disabled' in byValue['down:tags.1']);
    assert.ok(!('disabled' in byValue['down:tags.0']) && !('disabled' in byValue['up:tags.1']));
    for (const b of buttons) assert.equal(b.type, 'submit'), assert.ok('formnovalidate' in b);
    assert.match(html, /<button type="submit" name="_pm_form_op" value="add:tags" formnovalidate class="pm-op pm-op-add">Add Tag<\/button>/);
    assert.match(html, /<template class="pm-array-template"><div class="pm-array-item" data-pm-item data-pm-name="tags\[__new__\]"/);
  });

  it('disables Add at maxItems', () => {
    const html = renderForm(post, { tags: ['1', '2', '3', '4', '5'] });
    assert.match(html, /value="add:tags" formnovalidate class="pm-op pm-op-add" disabled>/);
  });

  it('renders an array of objects with a fieldset per item, through $ref', () => {
    const html = renderForm(post, { images: fullData.images });
    const first = elementById(html, 'pm-f-images-0')!;
    assert.match(first, /^<fieldset class="pm-array-item"[^>]*><legend>Image <span data-pm-n>1<\/span><\/legend>/);
    assert.equal(control(html, 'images[0][src]').attrs.value, 'https://example.com/1.png');
    assert.equal(control(html, 'images[0][src]').attrs.type, 'url');
    assert.equal(text(labelFor(html, 'pm-f-images-1-src')!), 'Image URL *');
    assert.equal(control(html, 'images[1][caption]').attrs.value, '');
    assert.match(html, /value="remove:images\.1"/);
  });

  it('resolves $defs and lets keywords beside $ref override the definition', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: { home: { $ref: '#/$defs/url', title: 'Home page' }, blog: { $ref: '#/$defs/url' } },
      $defs: { url: { type: 'string', format: 'uri', title: 'Address' } },
    };
    const html = renderForm(schema, {});
    assert.equal(text(labelFor(html, 'pm-f-home')!), 'Home page');
    assert.equal(text(labelFor(html, 'pm-f-blog')!), 'Address');
    assert.equal(control(html, 'blog').attrs.type, 'url');
  });

  it('fills defaults only where the data has no value', () => {
    const schema: JsonSchema = { type: 'object', properties: { a: { type: 'string', default: 'A' }, n: { type: 'integer', default: 3 }, b: { type: 'boolean', default: true } } };
    const empty = renderForm(schema, {});
    assert.deepEqual([control(empty, 'a').attrs.value, control(empty, 'n').attrs.value, 'checked' in control(empty, 'b').attrs], ['A', '3', true]);
    const given = renderForm(schema, { a: 'mine', n: 0, b: false });
    assert.deepEqual([control(given, 'a').attrs.value, control(given, 'n').attrs.value, 'checked' in control(given, 'b').attrs], ['mine', '0', false]);
    const cleared = renderForm(schema, {}, { errors: { a: ['Required.'] } });
    assert.equal(control(cleared, 'a').attrs.value, '', 'a field the user emptied is not refilled with its default');
  });

  it('escapes values, schema text and error messages', () => {
    const evil = '"><script>alert(1)</script>';
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        t: { type: 'string', title: '<b>T</b>', description: '<i>d</i>' },
        long: { type: 'string', format: 'markdown' },
        pick: { type: 'string', enum: ['<x>', 'y'], 'x-enum-labels': ['<img src=x onerror=alert(1)>', 'y'] },
      },
    };
    const html = renderForm(schema, { t: evil, long: `</textarea>${evil}`, pick: '<x>' }, { errors: { t: [evil], '<bad>': ['<oops>'] } });
    assert.doesNotMatch(html, /<script|<img|<b>|<i>|<x>|<bad>|<oops>/);
    assert.equal(control(html, 't').attrs.value, evil);
    assert.equal(control(html, 'long').inner, '&lt;/textarea&gt;&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    assert.match(html, /<label for="pm-f-t">&lt;b&gt;T&lt;\/b&gt;<\/label>/);
  });

  it('shows errors beside their fields, keeps what the user typed and points the field at the message', () => {
    const data = { title: 'x'.repeat(90), views: '12abc', author: {}, images: [{ caption: 'no src' }] };
    const errors = { title: ['Must be at most 80 characters.'], views: ['Must be a whole number.'], 'author[name]': ['Required.'], 'images[0][src]': ['Required.'] };
    const html = renderForm(post, data, { errors });
    const title = control(html, 'title').attrs;
    assert.equal(title.value, 'x'.repeat(90));
    assert.equal(title['aria-invalid'], 'true');
    assert.equal(title['aria-describedby'], 'pm-f-title-help pm-f-title-error');
    assert.equal(text(elementById(html, 'pm-f-title-error')!), 'Must be at most 80 characters.');
    assert.match(elementById(html, 'pm-f-title-error')!, /^<p class="pm-field-error"/);
    const views = control(html, 'views').attrs;
    assert.deepEqual([views.type, views.inputmode, views.value], ['text', 'numeric', '12abc'], 'a number input would hide the typo; a text input keeps it');
    assert.equal(text(elementById(html, 'pm-f-author-name-error')!), 'Required.');
    assert.equal(control(html, 'images[0][caption]').attrs.value, 'no src');
    assert.equal(control(html, 'images[0][src]').attrs['aria-describedby'], 'pm-f-images-0-src-error');
    assert.doesNotMatch(html, /pm-form-errors/, 'every error found its field');
  });

  it('puts errors that belong to no field at the top of the form', () => {
    const html = renderForm(post, {}, { errors: { '': ['Must be a group of fields.'], extra: ['Is not a field of this form.'] } });
    assert.match(html, /^<div class="pm-form-errors" id="pm-f--form-errors" role="alert">/);
    assert.match(html, /<p class="pm-field-error">Must be a group of fields\.<\/p><p class="pm-field-error">extra: Is not a field of this form\.<\/p>/);
  });

  it('shows a list error on the list', () => {
    const schema: JsonSchema = { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' }, minItems: 2 } } };
    const html = renderForm(schema, { tags: ['a'] }, { errors: { tags: ['Must have at least 2 items.'] } });
    assert.match(elementById(html, 'pm-f-tags')!, /^<fieldset class="pm-fieldset pm-array pm-field-invalid" id="pm-f-tags" aria-describedby="pm-f-tags-error"/);
    assert.equal(text(elementById(html, 'pm-f-tags-error')!), 'Must have at least 2 items.');
  });

  it('renders a recursive schema as deep as the data goes, with a bounded number of templates', () => {
    const html = renderForm(tree, { label: 'root', children: [{ label: 'a', children: [{ label: 'a1' }] }] });
    assert.equal(control(html, 'children[0][children][0][label]').attrs.value, 'a1');
    const templates = (html.match(/<template\b/g) ?? []).length;
    assert.ok(templates > 0 && templates < 40, `${templates} templates`);
  });

  it('uses the id prefix for every id', () => {
    const html = renderForm(post, fullData, { idPrefix: 'post' });
    const ids = [...html.matchAll(/\s(?:id|for|data-pm-id)="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(ids.every((id) => id.startsWith('post-')), ids.find((id) => !id.startsWith('post-')));
  });

  it('refuses a schema that is not an object, or a $ref that points nowhere, with PM_ERR_INTERNAL', () => {
    assert.throws(() => renderForm({ type: 'string' }, 'x'), (e) => isPmError(e, 'PM_ERR_INTERNAL') && /type "object"/.test(String((e as Error).cause)));
    assert.throws(() => renderForm({ type: 'object', properties: { a: { $ref: '#/$defs/missing' } } }, {}), (e) => isPmError(e, 'PM_ERR_INTERNAL') && /points to nothing/.test(String((e as Error).cause)));
  });
});

describe('parseFormBody', () => {
  it('round-trips: data → form → what the browser sends → the same data', () => {
    const html = renderForm(post, fullData);
    assert.deepEqual(parseFormBody(post, submit(html)), fullData);
  });

  it('round-trips a form left blank to the defaults and nothing else', () => {
    const html = renderForm(post, {});
    assert.deepEqual(parseFormBody(post, submit(html)), { accent: '#336699', featured: false, layout: 'wide', author: {} });
  });

  it('coerces numbers, and keeps text that is not a number for validation to report', () => {
    const data = parseFormBody(post, { views: ' 12 ', rating: '4.5', priority: '3' }) as Record<string, unknown>;
    assert.deepEqual([data.views, data.rating, data.priority], [12, 4.5, 3]);
    const bad = parseFormBody(post, { views: '12abc', rating: '0x10', priority: '7' }) as Record<string, unknown>;
    assert.deepEqual([bad.views, bad.rating, bad.priority], ['12abc', '0x10', '7']);
  });

  it('reads checkboxes: the box wins over the hidden false; nothing sent is false', () => {
    assert.equal((parseFormBody(post, { featured: ['false', 'true'] }) as Record<string, unknown>).featured, true);
    assert.equal((parseFormBody(post, { featured: 'false' }) as Record<string, unknown>).featured, false);
    assert.equal((parseFormBody(post, {}) as Record<string, unknown>).featured, false);
  });

  it('leaves out empty text, blank optional groups, and names it does not know', () => {
    const data = parseFormBody(post, {
      title: '',
      email: '',
      views: '',
      category: '',
      'author[name]': '',
      'author[twitterHandle]': '',
      unknown: 'x',
      'author[unknown]': 'x',
      _pm_form_op: 'add:tags',
      _csrf: 'token',
      'tags[0': 'malformed',
    });
    assert.deepEqual(data, { featured: false, author: {} });
  });

  it('orders array items by index, closes gaps and drops blank strings', () => {
    const data = parseFormBody(post, { 'tags[5]': 'five', 'tags[0]': 'zero', 'tags[2]': '', 'tags[10]': 'ten', 'tags[x]': 'no', 'tags[01]': 'no' }) as Record<string, unknown>;
    assert.deepEqual(data.tags, ['zero', 'five', 'ten']);
    const images = parseFormBody(post, { 'images[3][src]': 'b', 'images[1][caption]': 'a' }) as Record<string, unknown>;
    assert.deepEqual(images.images, [{ caption: 'a' }, { src: 'b' }], 'an item object is kept even when partly blank');
    assert.deepEqual((parseFormBody(post, { tags: ['x', 'y'] }) as Record<string, unknown>).tags, ['x', 'y'], 'repeated names work too');
  });

  it('maps enum values back to their JSON type and normalises line breaks', () => {
    const schema: JsonSchema = { type: 'object', properties: { n: { enum: [1, 2] }, b: { enum: [true, false] }, t: { type: 'string' } } };
    assert.deepEqual(parseFormBody(schema, { n: '2', b: 'false', t: 'a\r\nb\rc' }), { n: 2, b: false, t: 'a\nb\nc' });
  });
});

describe('applyFormOp (array buttons without JavaScript)', () => {
  const data = { title: 'T', tags: ['a', 'b', 'c'], images: [{ src: '1' }, { src: '2' }] };

  it('adds, removes and moves items, leaving the input untouched', () => {
    assert.deepEqual((applyFormOp(post, data, 'add:tags') as typeof data).tags, ['a', 'b', 'c', '']);
    assert.deepEqual((applyFormOp(post, data, 'remove:tags.1') as typeof data).tags, ['a', 'c']);
    assert.deepEqual((applyFormOp(post, data, 'up:tags.2') as typeof data).tags, ['a', 'c', 'b']);
    assert.deepEqual((applyFormOp(post, data, 'down:tags.0') as typeof data).tags, ['b', 'a', 'c']);
    assert.deepEqual((applyFormOp(post, data, 'down:images.0') as typeof data).images, [{ src: '2' }, { src: '1' }]);
    assert.deepEqual(data.tags, ['a', 'b', 'c']);
  });

  it('changes nothing at the edges (first up, last down, a removed item clicked twice) or past maxItems', () => {
    assert.deepEqual(applyFormOp(post, data, 'up:tags.0'), data);
    assert.deepEqual(applyFormOp(post, data, 'down:tags.2'), data);
    assert.deepEqual(applyFormOp(post, data, 'remove:tags.9'), data);
    const full = { tags: ['1', '2', '3', '4', '5'] };
    assert.deepEqual(applyFormOp(post, full, 'add:tags'), full);
  });

  it('works on nested lists and creates missing containers, with item defaults', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        sections: {
          type: 'array',
          items: { type: 'object', properties: { heading: { type: 'string', default: 'New section' }, links: { type: 'array', items: { type: 'string', format: 'uri' } } } },
        },
      },
    };
    const one = applyFormOp(schema, {}, 'add:sections');
    assert.deepEqual(one, { sections: [{ heading: 'New section' }] });
    const two = applyFormOp(schema, one, 'add:sections.0.links');
    assert.deepEqual(two, { sections: [{ heading: 'New section', links: [''] }] });
    assert.deepEqual(applyFormOp(schema, { sections: [{ links: ['a', 'b'] }] }, 'remove:sections[0][links][0]'), { sections: [{ links: ['b'] }] });
  });

  it('refuses an operation that is malformed or names no list, with PM_ERR_BAD_REQUEST', () => {
    const cases: [string, RegExp][] = [
      ['explode:tags', /is not one of add, remove, up or down/],
      ['add:', /is not one of/],
      ['add:tags..x', /malformed path/],
      ['remove:tags', /does not end with an item number/],
      ['add:title', /does not name a list/],
      ['add:secret', /names a field this form does not have/],
      ['add:__proto__', /names a field this form does not have/],
      ['remove:tags.-1', /does not end with an item number/],
    ];
    for (const [op, message] of cases) {
      assert.throws(() => applyFormOp(post, data, op), (e) => isPmError(e, 'PM_ERR_BAD_REQUEST') && message.test(e.message), op);
    }
  });

  it('lets a no-JavaScript user add an image and see the new blank item', () => {
    const before = renderForm(post, fullData);
    const body = { ...submit(before), _pm_form_op: 'add:images' };
    const data = applyFormOp(post, parseFormBody(post, body), String(body._pm_form_op));
    const after = renderForm(post, data);
    assert.equal(control(after, 'images[2][src]').attrs.value, '');
    assert.equal(control(after, 'title').attrs.value, 'Hello & welcome', 'the rest of the form keeps what was typed');
    assert.match(after, /value="remove:images\.2"/);
  });
});

describe('FORM_SCRIPT and FORM_STYLES', () => {
  it('are a parseable script and a stylesheet for the pm- classes', () => {
    assert.doesNotThrow(() => new Function(FORM_SCRIPT));
    for (const cls of ['.pm-field-error', '.pm-required', '.pm-markdown', '.pm-array-item', '.pm-sr-only']) assert.ok(FORM_STYLES.includes(cls), cls);
  });
});

it('a long web address or email stays a one-line field; long plain text gets a textarea', () => {
  const html = renderForm(
    {
      type: 'object',
      properties: {
        photo: { type: 'string', format: 'uri-reference', maxLength: 1000 },
        site: { type: 'string', format: 'uri', maxLength: 1000 },
        note: { type: 'string', maxLength: 1000 },
      },
    },
    {},
  );
  assert.match(html, /<input[^>]*name="photo"/);
  assert.match(html, /<input[^>]*type="url"[^>]*name="site"|<input[^>]*name="site"[^>]*type="url"/);
  assert.match(html, /<textarea[^>]*name="note"/);
});
