/**
 * A real S3-compatible server for tests (s3rver, files in a temporary folder),
 * on a loopback port chosen by the system. Stopped and removed by `close()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** The environment that points pagemanager at this bucket. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startS3rver(bucket = 'pm-test'): Promise<TestS3> {
  const S3rver = require('s3rver') as new (o: object) => { run(): Promise<{ port: number }>; close(): Promise<void> };
  const dir = mkdtempSync(join(tmpdir(), 'pm-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    env: { PM_S3_BUCKET: bucket, PM_S3_ENDPOINT: endpoint, PM_S3_FORCE_PATH_STYLE: 'true', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
