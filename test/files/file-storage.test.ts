import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDirStorage, createS3Storage, createUploadStorage, type FileStorage } from '../../src/files/index.js';
import { startS3rver, type TestS3 } from '../helpers/s3rver.js';
import { fileStorageContract } from './file-storage.contract.js';

describe('FileStorage: a folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pm-files-'));
  let fs: FileStorage;
  before(() => void (fs = createDirStorage(join(dir, 'pm-uploads'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  fileStorageContract(() => fs);

  it('leaves no temporary file behind after a write', async () => {
    await fs.put('t/file.txt', Buffer.from('x'));
    assert.deepEqual(readdirSync(join(dir, 'pm-uploads/t')), ['file.txt']);
  });
});

describe('FileStorage: an S3-compatible bucket (s3rver)', () => {
  let s3: TestS3;
  let fs: FileStorage;
  before(async () => {
    s3 = await startS3rver();
    fs = createUploadStorage('/nonexistent', s3.env);
  });
  after(async () => {
    await fs?.close();
    await s3?.close();
  });
  fileStorageContract(() => fs);

  it('keeps its files under the prefix, apart from other prefixes in the bucket', async () => {
    assert.equal(fs.kind, 's3');
    const other = createS3Storage({ bucket: s3.bucket, endpoint: s3.endpoint, prefix: 'pm-backups/', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await other.put('p/file.txt', Buffer.from('backup'));
    await fs.put('p/file.txt', Buffer.from('upload'));
    assert.equal((await other.get('p/file.txt'))?.toString(), 'backup');
    assert.equal((await fs.get('p/file.txt'))?.toString(), 'upload');
    await other.close();
  });
});

describe('createUploadStorage', () => {
  it('is the data folder’s pm-uploads/ without PM_S3_BUCKET', () => {
    const fs = createUploadStorage('/srv/data', {});
    assert.equal(fs.kind, 'folder');
    assert.equal(fs.location, join('/srv/data', 'pm-uploads'));
  });
  it('refuses a PM_S3_FORCE_PATH_STYLE that is not true or false', () => {
    assert.throws(() => createUploadStorage('/srv', { PM_S3_BUCKET: 'b', PM_S3_FORCE_PATH_STYLE: 'maybe' }), /PM_S3_FORCE_PATH_STYLE must be true or false/);
  });
});
