/**
 * Backups from inside the running server: the dashboard's "Download a backup" and the scheduled
 * backups kept N deep. The snapshot is read on a connection of its own, so the server's own
 * connection (SQLite has one) keeps answering while an archive is written.
 */
import { createWriteStream, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { FileStorage } from '../files/index.js';
import type { Db } from '../store/db.js';
import type { BackupManifest, BackupProgress } from './backup.js';
import { listBackupTables } from './tables.js';

export interface StoredBackup {
  name: string;
  size: number;
  createdAt: number;
}

export interface BackupStatus {
  at: number;
  ok: boolean;
  name?: string;
  size?: number;
  error?: string;
}

export interface BackupService {
  /** Streams a whole-site archive to `out`. */
  write(out: Writable, onProgress?: (p: BackupProgress) => void): Promise<BackupManifest>;
  /** Writes a backup into the backups storage and keeps the newest `keep`; records the result. */
  runStored(keep: number): Promise<BackupStatus>;
  /** The stored backups, newest first. */
  list(): Promise<StoredBackup[]>;
  /** A stored backup's bytes, or undefined. Names are checked: only what list() gives. */
  read(name: string): Promise<Buffer | undefined>;
  lastStatus(): Promise<BackupStatus | undefined>;
  /** Where stored backups go, for people: a folder or s3://bucket/prefix. */
  readonly location: string;
}

const NAME = /^pagemanager-backup-\d{8}-\d{6}(-\d+)?\.tar\.gz$/;
const STATUS_KEY = 'last-backup.json';

export function createBackupService(opts: {
  db: Db;
  /** Opens a second connection to the same database for the snapshot; undefined: use `db`. */
  openSnapshotDb?: () => Promise<Db>;
  /** The declared tables and their owners (`app.tables()`). */
  declaredTables: () => readonly import('../store/core-tables.js').OwnedTable[];
  uploads: FileStorage;
  /** Where stored backups go (the data folder's pm-backups/, or the bucket). */
  storage: FileStorage;
  dataDir: string;
  programVersion: string;
}): BackupService {
  const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

  async function write(out: Writable, onProgress?: (p: BackupProgress) => void): Promise<BackupManifest> {
    const db = opts.openSnapshotDb ? await opts.openSnapshotDb() : opts.db;
    try {
      const tables = await listBackupTables(db, opts.declaredTables());
      // Loaded with the first backup: the archive library (tar) is not worth its start time and memory before.
      const { writeBackup } = await import('./backup.js');
      return await writeBackup({ db, tables, uploads: opts.uploads, dataDir: opts.dataDir, programVersion: opts.programVersion, out, onProgress });
    } finally {
      if (db !== opts.db) await db.close();
    }
  }

  async function list(): Promise<StoredBackup[]> {
    const files = await opts.storage.list('');
    return files
      .filter((f) => NAME.test(f.key))
      .map((f) => {
        const m = /(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(f.key)!;
        return { name: f.key, size: f.size, createdAt: Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) };
      })
      .sort((a, b) => b.name.localeCompare(a.name));
  }

  async function record(s: BackupStatus): Promise<BackupStatus> {
    await opts.storage.put(STATUS_KEY, Buffer.from(JSON.stringify(s)), { contentType: 'application/json' });
    return s;
  }

  return {
    location: opts.storage.location,
    write,
    list,
    async read(name) {
      if (!NAME.test(name)) return undefined;
      return opts.storage.get(name);
    },
    async lastStatus() {
      const b = await opts.storage.get(STATUS_KEY);
      if (!b) return undefined;
      try {
        return JSON.parse(b.toString('utf8')) as BackupStatus;
      } catch {
        return undefined;
      }
    },
    async runStored(keep) {
      let name = `pagemanager-backup-${stamp()}.tar.gz`;
      if ((await opts.storage.stat(name)) !== undefined) name = name.replace('.tar.gz', `-${Date.now() % 1000}.tar.gz`);
      // Written to a file first (streamed), then stored: the storage takes whole files only.
      const tmpDir = join(opts.dataDir, 'pm-backups', '.partial');
      mkdirSync(tmpDir, { recursive: true });
      const tmp = join(tmpDir, name);
      try {
        await write(createWriteStream(tmp));
        await opts.storage.put(name, readFileSync(tmp), { contentType: 'application/gzip' });
        const size = statSync(tmp).size;
        for (const old of (await list()).slice(Math.max(1, keep))) await opts.storage.delete(old.name);
        return await record({ at: Date.now(), ok: true, name, size });
      } catch (e) {
        return await record({ at: Date.now(), ok: false, error: (e as Error).message.split('\n')[0]!.slice(0, 300) });
      } finally {
        rmSync(tmp, { force: true });
      }
    },
  };
}

