import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERRORS, PmError } from '../../src/errors/errors.js';

test('every error code is documented in docs/errors.md with its status', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  for (const [code, def] of Object.entries(ERRORS)) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\``));
    assert.ok(row, `${code} is missing from docs/errors.md`);
    assert.match(row, new RegExp(`\\| ${def.status} \\|`), `${code}: the documented status differs from ${def.status}`);
  }
});

test('a PmError fills its message and serialises to code and message only', () => {
  const e = new PmError('PM_ERR_FORBIDDEN', { action: 'manage users' }, { cause: new Error('secret detail') });
  assert.equal(e.message, 'You do not have permission to manage users.');
  assert.equal(e.status, 403);
  assert.deepEqual(JSON.parse(JSON.stringify(e)), { code: 'PM_ERR_FORBIDDEN', message: 'You do not have permission to manage users.' });
});
