/** Password hashes and session ids: the formats other parts (and old databases) rely on. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SCRYPT, dummyHash, hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from '../../src/store/password-hash.js';
import { hashSessionId, newSessionId } from '../../src/store/session-id.js';
import { FAST_SCRYPT } from '../helpers/dialects.js';

test('hashPassword uses OWASP scrypt parameters and a self-describing format', async () => {
  assert.deepEqual({ ...DEFAULT_SCRYPT }, { N: 131072, r: 8, p: 1, keyLen: 32, saltLen: 16 });
  const stored = await hashPassword('hunter2');
  assert.match(stored, /^scrypt\$v=1\$n=131072,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.equal(await verifyPassword('hunter2', stored), true);
  assert.equal(await verifyPassword('hunter3', stored), false);
  assert.equal(needsRehash(stored), false);
  assert.notEqual(await hashPassword('hunter2'), stored, 'a fresh salt every time');
});

test('verify reads the parameters from the stored hash, so they can be raised later', async () => {
  const weak = await hashPassword('pw', FAST_SCRYPT);
  assert.match(weak, /n=1024,r=8,p=1/);
  assert.equal(await verifyPassword('pw', weak), true);
  assert.equal(needsRehash(weak), true, 'below the defaults');
  assert.equal(needsRehash(weak, FAST_SCRYPT), false);
  assert.equal(needsRehash('not a hash'), true);
});

test('passwords are compared after Unicode normalisation', async () => {
  const stored = await hashPassword('caf\u00e9', FAST_SCRYPT);
  assert.equal(await verifyPassword('cafe\u0301', stored), true);
});

test('a stored value that is not a hash, or asks for absurd parameters, is an error rather than a silent false', async () => {
  await assert.rejects(verifyPassword('pw', 'plaintext-password'), /not in a format pagemanager understands/);
  const huge = (await hashPassword('pw', FAST_SCRYPT)).replace('n=1024', `n=${2 ** 30}`);
  await assert.rejects(verifyPassword('pw', huge), /not in a format/);
});

test('verifyAgainstDummy returns false after doing the work of a real verification', async () => {
  assert.match(dummyHash(), /^scrypt\$v=1\$n=131072,r=8,p=1\$/);
  const stored = await hashPassword('pw');
  let t = performance.now();
  assert.equal(await verifyPassword('wrong', stored), false);
  const real = performance.now() - t;
  t = performance.now();
  assert.equal(await verifyAgainstDummy('wrong'), false);
  const dummy = performance.now() - t;
  assert.ok(dummy > real * 0.3, `a missing user took ${dummy.toFixed(0)} ms, a wrong password ${real.toFixed(0)} ms`);
  assert.equal(await verifyAgainstDummy(''), false);
});

test('session ids are 32 random bytes in base64url; the stored form is their blake2b-512 hex', () => {
  const ids = new Set(Array.from({ length: 100 }, newSessionId));
  assert.equal(ids.size, 100);
  for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{43}$/);
  // RFC 7693 test vector.
  assert.equal(
    hashSessionId('abc'),
    'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
  );
});
