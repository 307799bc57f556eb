/**
 * The backup archive on the wire: a gzip-compressed tar (readable by any `tar xzf`), written
 * entry by entry to a stream, so an archive is never built in memory. Every entry's SHA-256 is
 * computed as it is written and listed in `manifest.json`, the last entry; a reader checks every
 * entry against it before anything is restored.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip, type Gzip } from 'node:zlib';
import { Header, Parser, Pax } from 'tar';

export interface ArchiveEntryInfo {
  path: string;
  size: number;
  sha256: string;
}

const BLOCK = 512;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export interface ArchiveWriter {
  /** Adds one entry; waits while the output is busy (back-pressure). */
  add(path: string, data: Buffer): Promise<ArchiveEntryInfo>;
  /** Writes the end-of-archive blocks and waits until everything reached `out`. */
  finish(): Promise<void>;
  /** Bytes handed to gzip so far (uncompressed). */
  readonly bytesIn: number;
}

export function createArchiveWriter(out: Writable): ArchiveWriter {
  const gzip: Gzip = createGzip({ level: 6 });
  const done = pipeline(gzip, out);
  let bytesIn = 0;
  let failed: unknown;
  done.catch((e) => (failed = e));

  const write = (chunk: Buffer) =>
    new Promise<void>((resolve, reject) => {
      if (failed) return reject(failed);
      bytesIn += chunk.length;
      if (gzip.write(chunk)) return resolve();
      const onDrain = () => {
        gzip.off('error', onError);
        resolve();
      };
      const onError = (e: Error) => {
        gzip.off('drain', onDrain);
        reject(e);
      };
      gzip.once('drain', onDrain);
      gzip.once('error', onError);
    });

  return {
    get bytesIn() {
      return bytesIn;
    },
    async add(path, data) {
      const mtime = new Date(0);
      const header = new Header({ path, mode: 0o644, size: data.length, mtime, type: 'File', uid: 0, gid: 0, uname: '', gname: '' });
      if (header.encode()) await write(new Pax({ path, size: data.length, mtime }).encode());
      await write(header.block!);
      await write(data);
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad) await write(Buffer.alloc(pad));
      return { path, size: data.length, sha256: sha256(data) };
    },
    async finish() {
      await write(Buffer.alloc(BLOCK * 2));
      gzip.end();
      await done;
    },
  };
}

/** One pass over an archive file: each regular entry's path and bytes, in order. Damage of any kind rejects. */
export async function readArchive(file: string, onEntry: (path: string, data: Buffer) => void | Promise<void>): Promise<void> {
  const parser = new Parser({ strict: true });
  // Handlers run one after another, in archive order (restore inserts a table's parts in sequence).
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  parser.on('entry', (entry) => {
    const chunks: Buffer[] = [];
    entry.on('data', (c: Buffer) => chunks.push(c));
    entry.on('end', () => {
      if (entry.type !== 'File') return;
      const data = Buffer.concat(chunks);
      chain = chain.then(() => (failure ? undefined : onEntry(entry.path, data))).catch((e) => void (failure ??= e));
    });
  });
  parser.on('warn', (code: string, message: string) => void (failure ??= new Error(`${code}: ${message}`)));
  let sawEnd = false;
  parser.on('end', () => (sawEnd = true));
  await pipeline(createReadStream(file), createGunzip(), parser);
  await chain;
  if (failure) throw failure;
  if (!sawEnd) throw new Error('the archive ends early');
}

export { sha256 as sha256Hex };
