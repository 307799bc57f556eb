import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPmError } from '../../src/errors/errors.js';
import { checkSchema, createFormValidator, parseFormBody, validateData } from '../../src/forms/index.js';
import type { JsonSchema } from '../../src/forms/index.js';
import { fullData, post, tree } from './fixtures.js';

describe('validateData', () => {
  const forms = createFormValidator();

  it('accepts good data', () => {
    assert.deepEqual(forms.validate(post, fullData), { ok: true });
  });

  it('says what is wrong, in words, at the path of each field', () => {
    const data = parseFormBody(post, {
      title: 'x'.repeat(81),
      email: 'not-an-email',
      website: 'not a url',
      publishedOn: '2024-13-45',
      accent: 'red',
      views: '3.5',
      rating: 'lots',
      category: 'gossip',
      'author[twitterHandle]': 'ann',
      'tags[0]': 'a',
      'images[0][caption]': 'missing src',
      'images[1][src]': 'https://example.com/x.png',
    });
    const result = forms.validate(post, data);
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && result.errors, {
      title: ['Must be at most 80 characters.'],
      email: ['Must be a valid email address.'],
      website: ['Must be a valid URL, such as https://example.com/.'],
      publishedOn: ['Must be a valid date (YYYY-MM-DD).'],
      accent: ['Must be a colour such as #336699.'],
      views: ['Must be a whole number.'],
      rating: ['Must be a number.'],
      category: ['Must be one of: news, howto, review, opinion, interview.'],
      'author[name]': ['Required.'],
      'author[twitterHandle]': ['Start with @.'],
      'images[0][src]': ['Required.'],
    });
  });

  it('reports a missing required top-level field and limits on numbers and lists', () => {
    const schema: JsonSchema = {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 3 },
        age: { type: 'integer', minimum: 18, maximum: 130 },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
      },
    };
    const r = validateData(schema, { age: 12, tags: [] }, forms);
    assert.deepEqual(!r.ok && r.errors, { name: ['Required.'], age: ['Must be at least 18.'], tags: ['Must have at least 1 item.'] });
    const r2 = validateData(schema, { name: 'Al', age: 200, tags: ['a', 'a'] });
    assert.deepEqual(!r2.ok && r2.errors, { name: ['Must be at least 3 characters.'], age: ['Must be at most 130.'], tags: ['Items 1 and 2 are the same; each item must be different.'] });
  });

  it('validates a recursive schema and names the nested field', () => {
    const r = forms.validate(tree, { label: 'root', children: [{ label: 'a', children: [{ children: [] }] }] });
    assert.deepEqual(r, { ok: false, errors: { 'children[0][children][0][label]': ['Required.'] } });
  });

  it('accepts the form-only formats markdown and textarea', () => {
    assert.deepEqual(forms.validate(post, { ...fullData, body: '<anything>', summary: '' }), { ok: true });
  });

  it('compiles each schema once and keeps separate schemas apart even when they share an $id', () => {
    const a: JsonSchema = { $id: 'https://example.com/s', type: 'object', properties: { x: { type: 'string' } } };
    const b: JsonSchema = { $id: 'https://example.com/s', type: 'object', properties: { x: { type: 'integer' } } };
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(forms.validate(a, { x: 's' }), { ok: true });
      assert.deepEqual(forms.validate(b, { x: 1 }), { ok: true });
      assert.equal(forms.validate(b, { x: 's' }).ok, false);
    }
  });

  it('understands draft 2020-12 schemas', () => {
    const s: JsonSchema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { a: { $ref: '#/$defs/n' } }, $defs: { n: { type: 'number' } } };
    assert.deepEqual(forms.validate(s, { a: 'x' }), { ok: false, errors: { a: ['Must be a number.'] } });
  });

  it('throws PM_ERR_INTERNAL for a schema that cannot compile', () => {
    assert.throws(() => forms.validate({ type: 'object', properties: { a: { $ref: '#/nowhere' } } }, {}), (e) => isPmError(e, 'PM_ERR_INTERNAL'));
  });
});

describe('checkSchema', () => {
  it('finds nothing wrong with a good schema, x- keywords included', () => {
    assert.deepEqual(checkSchema(post), []);
    assert.deepEqual(checkSchema({ type: 'object', properties: { a: { type: 'string', 'x-widget': 'textarea', enumNames: [] } } }), []);
  });

  it('accepts a recursive schema', () => {
    assert.deepEqual(checkSchema(tree), []);
  });

  it('reports what a theme author needs to fix', () => {
    const cases: [unknown, RegExp][] = [
      ['nope', /must be a JSON object/],
      [{ type: 'object', properties: { a: { type: 'strin' } } }, /\/properties\/a\/type: must be equal to one of the allowed values/],
      [{ type: 'object', properties: { a: { type: 'string', maxlength: 3 } } }, /unknown keyword: "maxlength"/],
      [{ type: 'object', properties: { a: { type: 'string', format: 'phone' } } }, /unknown format "phone"/],
      [{ type: 'object', properties: { a: { $ref: '#/$defs/missing' } } }, /can't resolve reference #\/\$defs\/missing/],
      [{ type: 'array', items: { type: 'string' } }, /"type": "object" at its root/],
      [{ type: 'object', properties: { 'a[b]': { type: 'string' } } }, /\/properties\/a\[b\]: a property name in a form cannot contain/],
      [{ type: 'object', properties: { _pm_x: { type: 'string' } } }, /reserved for the form itself/],
      [{ type: 'object', properties: { anything: {} } }, /\/properties\/anything: the form cannot show this field/],
    ];
    for (const [schema, expected] of cases) {
      const problems = checkSchema(schema);
      assert.ok(problems.some((p) => expected.test(p)), `${JSON.stringify(schema)} → ${JSON.stringify(problems)}`);
    }
  });
});
