import { join } from 'node:path';
import { PmError } from '../errors/errors.js';
import { createDirStorage } from './dir-storage.js';
import type { FileStorage } from './file-storage.js';
import { createS3Storage } from './s3-storage.js';

export { checkKey, type FileStorage, type StoredFile } from './file-storage.js';
export { createDirStorage } from './dir-storage.js';
export { createS3Storage, type S3StorageOptions } from './s3-storage.js';

/**
 * The uploads storage the settings ask for: `PM_S3_BUCKET` selects a bucket
 * (with `PM_S3_ENDPOINT`, `PM_S3_REGION`, `PM_S3_PREFIX`, `PM_S3_FORCE_PATH_STYLE`,
 * and the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), otherwise the data folder's `pm-uploads/`.
 */
export function createUploadStorage(dataDir: string, env: NodeJS.ProcessEnv, where: { folder: string; prefix: string } = { folder: 'pm-uploads', prefix: env.PM_S3_PREFIX ?? 'pm-uploads/' }): FileStorage {
  const bucket = env.PM_S3_BUCKET?.trim();
  if (!bucket) return createDirStorage(join(dataDir, where.folder));
  const pathStyle = env.PM_S3_FORCE_PATH_STYLE?.trim().toLowerCase();
  if (pathStyle !== undefined && pathStyle !== '' && !['true', 'false', '1', '0'].includes(pathStyle)) {
    throw new PmError('PM_ERR_CONFIG', { detail: `PM_S3_FORCE_PATH_STYLE must be true or false, not ${JSON.stringify(env.PM_S3_FORCE_PATH_STYLE)}` });
  }
  let prefix = where.prefix;
  if (prefix && !prefix.endsWith('/')) prefix += '/';
  return createS3Storage({
    bucket,
    prefix,
    endpoint: env.PM_S3_ENDPOINT?.trim() || undefined,
    region: env.PM_S3_REGION?.trim() || undefined,
    forcePathStyle: pathStyle ? pathStyle === 'true' || pathStyle === '1' : undefined,
    // Read from the environment given (not only process.env), so a test or a wrapper can pass its own.
    credentials: env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } : undefined,
  });
}

/** Where scheduled backups are kept: the data folder's `pm-backups/`, or `pm-backups/` in the same bucket as the uploads. */
export function createBackupStorage(dataDir: string, env: NodeJS.ProcessEnv): FileStorage {
  return createUploadStorage(dataDir, env, { folder: 'pm-backups', prefix: env.PM_S3_BACKUP_PREFIX ?? 'pm-backups/' });
}
