import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BUILTIN_PLUGINS } from '../../src/app/builtin-plugins.js';
import { ERRORS, PmError, type ErrorDef } from '../../src/errors/errors.js';

test('every error code, the built-in plugins’ own included, is documented in docs/errors.md with its status', async () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const declared: [string, ErrorDef][] = [];
  for (const b of BUILTIN_PLUGINS) declared.push(...Object.entries((await b.load()).default.errors ?? {}));
  assert.ok(declared.some(([code]) => code === 'PM_ERR_FRUIT_NOT_FOUND'), 'the plugins’ codes are part of the check');
  for (const [code, def] of [...Object.entries(ERRORS), ...declared]) {
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
