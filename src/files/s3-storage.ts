import type * as S3 from '@aws-sdk/client-s3';
import { checkKey, checkPrefix, type FileStorage, type StoredFile } from './file-storage.js';

export interface S3StorageOptions {
  bucket: string;
  /** Key prefix inside the bucket, e.g. `pm-uploads/` ('' for none). */
  prefix?: string;
  /** For S3-compatible servers (MinIO, R2, …); AWS itself needs none. */
  endpoint?: string;
  region?: string;
  /** `http://endpoint/bucket/key` instead of `http://bucket.endpoint/key`; most non-AWS servers want it. */
  forcePathStyle?: boolean;
  /** Default: the SDK's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

function missing(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404;
}

/** An S3-compatible bucket as a FileStorage. A PUT is atomic on S3: readers see the old object or the new one. */
export function createS3Storage(o: S3StorageOptions): FileStorage {
  // The AWS SDK is large (about 0.5 s and 20 MiB to load): it is imported on the first call, not at start.
  let ready: Promise<{ sdk: typeof S3; client: S3.S3Client }> | undefined;
  const s3 = () =>
    (ready ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: o.region ?? 'us-east-1',
        endpoint: o.endpoint,
        forcePathStyle: o.forcePathStyle ?? o.endpoint !== undefined,
        credentials: o.credentials,
      }),
    })));
  const base = o.prefix ?? '';
  const Bucket = o.bucket;
  const full = (key: string) => base + checkKey(key);

  return {
    kind: 's3',
    location: `s3://${Bucket}/${base}`,
    async put(key, body, opts) {
      const { sdk, client } = await s3();
      await client.send(new sdk.PutObjectCommand({ Bucket, Key: full(key), Body: body, ContentType: opts?.contentType ?? 'application/octet-stream', ContentLength: body.length }));
    },
    async get(key, range) {
      try {
        const { sdk, client } = await s3();
        const r = await client.send(new sdk.GetObjectCommand({ Bucket, Key: full(key), Range: range ? `bytes=${range.start}-${range.end}` : undefined }));
        return r.Body ? Buffer.from(await r.Body.transformToByteArray()) : Buffer.alloc(0);
      } catch (e) {
        if (missing(e)) return undefined;
        // A range starting past the end: as the folder backend does, nothing.
        if ((e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 416) return Buffer.alloc(0);
        throw e;
      }
    },
    async stat(key) {
      try {
        const { sdk, client } = await s3();
        const r = await client.send(new sdk.HeadObjectCommand({ Bucket, Key: full(key) }));
        return { size: r.ContentLength ?? 0 };
      } catch (e) {
        if (missing(e)) return undefined;
        throw e;
      }
    },
    async delete(key) {
      const { sdk, client } = await s3();
      await client.send(new sdk.DeleteObjectCommand({ Bucket, Key: full(key) }));
    },
    async list(prefix) {
      checkPrefix(prefix);
      const out: StoredFile[] = [];
      let token: string | undefined;
      do {
        const { sdk, client } = await s3();
        const r = await client.send(new sdk.ListObjectsV2Command({ Bucket, Prefix: base + prefix, ContinuationToken: token }));
        for (const c of r.Contents ?? []) if (c.Key) out.push({ key: c.Key.slice(base.length), size: c.Size ?? 0 });
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async close() {
      if (ready) (await ready).client.destroy();
    },
  };
}
