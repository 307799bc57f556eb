/**
 * What every FileStorage must do, run against each implementation
 * (file-storage.test.ts): the folder backend and a real S3-compatible server.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isPmError } from '../../src/errors/errors.js';
import type { FileStorage } from '../../src/files/index.js';

export function fileStorageContract(make: () => FileStorage): void {
  it('stores, reads back, replaces and deletes a file', async () => {
    const fs = make();
    assert.equal(await fs.get('a/one.txt'), undefined);
    assert.equal(await fs.stat('a/one.txt'), undefined);
    await fs.put('a/one.txt', Buffer.from('hello'), { contentType: 'text/plain' });
    assert.equal((await fs.get('a/one.txt'))?.toString(), 'hello');
    assert.deepEqual(await fs.stat('a/one.txt'), { size: 5 });
    await fs.put('a/one.txt', Buffer.from('hello again'));
    assert.equal((await fs.get('a/one.txt'))?.toString(), 'hello again');
    await fs.delete('a/one.txt');
    assert.equal(await fs.get('a/one.txt'), undefined);
    await fs.delete('a/one.txt'); // deleting twice is fine
  });

  it('reads byte ranges (inclusive), clipped at the end of the file', async () => {
    const fs = make();
    await fs.put('r/digits.bin', Buffer.from('0123456789'));
    assert.equal((await fs.get('r/digits.bin', { start: 2, end: 4 }))?.toString(), '234');
    assert.equal((await fs.get('r/digits.bin', { start: 8, end: 100 }))?.toString(), '89');
    assert.equal((await fs.get('r/missing.bin', { start: 0, end: 1 })), undefined);
  });

  it('keeps binary data and empty files exactly', async () => {
    const fs = make();
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await fs.put('b/all-bytes.bin', bytes);
    assert.deepEqual(await fs.get('b/all-bytes.bin'), bytes);
    await fs.put('b/empty.bin', Buffer.alloc(0));
    assert.deepEqual(await fs.stat('b/empty.bin'), { size: 0 });
  });

  it('lists by prefix, in key order, and nothing of other folders', async () => {
    const fs = make();
    await fs.put('l/x/2.txt', Buffer.from('22'));
    await fs.put('l/x/1.txt', Buffer.from('1'));
    await fs.put('l/xy/3.txt', Buffer.from('333'));
    await fs.put('l/z.txt', Buffer.from('z'));
    assert.deepEqual(await fs.list('l/x/'), [{ key: 'l/x/1.txt', size: 1 }, { key: 'l/x/2.txt', size: 2 }]);
    assert.deepEqual((await fs.list('l/')).map((f) => f.key), ['l/x/1.txt', 'l/x/2.txt', 'l/xy/3.txt', 'l/z.txt']);
    assert.deepEqual(await fs.list('nothing-here/'), []);
  });

  it('refuses keys that leave the storage or are not plain names, before any I/O', async () => {
    const fs = make();
    for (const key of ['../escape.txt', 'a/../../b', '/abs.txt', 'a//b', '', 'a/./b', 'sp ace.txt', 'caf\u00e9.jpg', 'a\\b', '.hidden']) {
      await assert.rejects(fs.put(key, Buffer.from('x')), (e) => isPmError(e, 'PM_ERR_PATH_INVALID'), `put ${JSON.stringify(key)}`);
      await assert.rejects(fs.get(key), (e) => isPmError(e, 'PM_ERR_PATH_INVALID'), `get ${JSON.stringify(key)}`);
    }
    await assert.rejects(fs.list('../'), (e) => isPmError(e, 'PM_ERR_PATH_INVALID'));
  });

  it('stores many writes at once without mixing them up', async () => {
    const fs = make();
    await Promise.all(Array.from({ length: 20 }, (_, i) => fs.put(`c/f${i}.txt`, Buffer.from(`file ${i}`.repeat(i + 1)))));
    for (let i = 0; i < 20; i++) assert.equal((await fs.get(`c/f${i}.txt`))?.toString(), `file ${i}`.repeat(i + 1));
  });
}
