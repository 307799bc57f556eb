/**
 * `pagemanager backup`: one archive with everything a site needs to come back on another machine
 * or the other database. The format (docs/backup.md) is independent of the database: each table
 * is JSON lines of its rows, in parts of a bounded size, read inside one snapshot so the tables
 * agree with each other while the server keeps serving and writing.
 */
import { sql } from '../store/kysely.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Writable } from 'node:stream';
import type { FileStorage } from '../files/index.js';
import type { Db, Queryable } from '../store/db.js';
import { createArchiveWriter, type ArchiveEntryInfo } from './archive.js';

export const BACKUP_FORMAT = 'pagemanager-backup';
export const BACKUP_FORMAT_VERSION = 1;
/** A table part is cut once its JSON lines pass this many bytes. */
const PART_BYTES = 4 * 1024 * 1024;
const PAGE_ROWS = 500;

export interface BackupTable {
  table: string;
  owner: string;
}

export interface TableManifest {
  table: string;
  owner: string;
  columns: string[];
  rows: number;
  parts: string[];
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  program: { name: 'pagemanager'; version: string };
  createdAt: string;
  sourceDialect: string;
  /** Namespace → the highest migration version applied ('core', a plugin's name, …). */
  schema: Record<string, number>;
  tables: TableManifest[];
  entries: ArchiveEntryInfo[];
  files: { uploads: number; themes: number; plugins: number; config: boolean };
}

export interface BackupProgress {
  phase: 'tables' | 'files';
  done: number;
  total: number;
  label: string;
}

/** A value as JSON: Buffers (BLOB/BYTEA) as `{"$b": base64}`; everything else is JSON already. */
export function encodeValue(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return { $b: v.toString('base64') };
  if (v instanceof Uint8Array) return { $b: Buffer.from(v).toString('base64') };
  if (typeof v === 'bigint') return Number(v);
  return v;
}

export function decodeValue(v: unknown): unknown {
  if (v && typeof v === 'object' && '$b' in (v as Record<string, unknown>)) return Buffer.from(String((v as { $b: string }).$b), 'base64');
  return v;
}

/** Files under a folder of the data folder, as archive paths under `prefix`. Symbolic links are not followed. */
function listFolder(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(relative(root, p).split(sep).join('/'));
    }
  };
  walk(root);
  return out;
}

/**
 * Reads every table inside one snapshot (PostgreSQL: a repeatable-read, read-only transaction;
 * SQLite: one read transaction, which does not block the writer in WAL mode).
 */
async function inSnapshot<T>(db: Db, fn: (q: Queryable) => Promise<T>): Promise<T> {
  return db.snapshot(fn);
}

export async function writeBackup(opts: {
  db: Db;
  tables: readonly BackupTable[];
  uploads: FileStorage;
  dataDir: string;
  programVersion: string;
  out: Writable;
  onProgress?: (p: BackupProgress) => void;
}): Promise<BackupManifest> {
  const { db, tables } = opts;
  const archive = createArchiveWriter(opts.out);
  const entries: ArchiveEntryInfo[] = [];
  const tableManifests: TableManifest[] = [];
  const add = async (path: string, data: Buffer) => entries.push(await archive.add(path, data));

  const schema = await inSnapshot(db, async (q) => {
    const existing = new Set<string>();
    for (const t of tables) {
      // A declared table that is missing (a plugin turned off before it ever migrated) has no rows to keep.
      try {
        await q.all(sql`SELECT 1 FROM ${sql.table(t.table)} WHERE 1 = 0`);
        existing.add(t.table);
      } catch {
        /* not there */
      }
    }
    let i = 0;
    for (const t of tables) {
      opts.onProgress?.({ phase: 'tables', done: i++, total: tables.length, label: t.table });
      if (!existing.has(t.table)) continue;
      const tm: TableManifest = { table: t.table, owner: t.owner, columns: [], rows: 0, parts: [] };
      let lines: string[] = [];
      let size = 0;
      const flush = async () => {
        if (!lines.length) return;
        const path = `tables/${t.table}/${String(tm.parts.length + 1).padStart(5, '0')}.jsonl`;
        await add(path, Buffer.from(lines.join('\n') + '\n', 'utf8'));
        tm.parts.push(path);
        lines = [];
        size = 0;
      };
      // Paged in a stable order inside the snapshot; ORDER BY every column (not only a key) keeps
      // this generic for plugin tables, and the snapshot keeps OFFSET from skipping or repeating rows.
      const first = await q.all<Record<string, unknown>>(sql`SELECT * FROM ${sql.table(t.table)} LIMIT 1`);
      tm.columns = first.length ? Object.keys(first[0]!) : [];
      const orderBy = tm.columns.map((_c, n) => String(n + 1)).join(', ');
      for (let offset = 0; first.length; offset += PAGE_ROWS) {
        const rows = await q.all<Record<string, unknown>>(sql`SELECT * FROM ${sql.table(t.table)} ORDER BY ${sql.raw(orderBy)} LIMIT ${PAGE_ROWS} OFFSET ${offset}`);
        for (const r of rows) {
          const line = JSON.stringify(tm.columns.map((c) => encodeValue(r[c])));
          lines.push(line);
          size += line.length + 1;
          tm.rows++;
          if (size >= PART_BYTES) await flush();
        }
        if (rows.length < PAGE_ROWS) break;
      }
      await flush();
      tableManifests.push(tm);
    }
    const migrations = existing.has('pm_migration') ? await q.all<{ namespace: string; version: number }>(sql`SELECT namespace, MAX(version) AS version FROM pm_migration GROUP BY namespace`) : [];
    return Object.fromEntries(migrations.map((m) => [m.namespace, Number(m.version)]));
  });

  // Files: uploads from their storage (a folder or a bucket), the user's themes and plugins, config.toml.
  const uploads = await opts.uploads.list('');
  const themes = listFolder(join(opts.dataDir, 'pm-themes'));
  const plugins = listFolder(join(opts.dataDir, 'pm-plugins'));
  const total = uploads.length + themes.length + plugins.length;
  let done = 0;
  for (const f of uploads) {
    opts.onProgress?.({ phase: 'files', done: done++, total, label: f.key });
    const body = await opts.uploads.get(f.key);
    if (body) await add(`files/uploads/${f.key}`, body);
  }
  for (const [dir, list] of [['pm-themes', themes], ['pm-plugins', plugins]] as const) {
    for (const rel of list) {
      opts.onProgress?.({ phase: 'files', done: done++, total, label: `${dir}/${rel}` });
      await add(`files/${dir}/${rel}`, readFileSync(join(opts.dataDir, dir, rel)));
    }
  }
  const configPath = join(opts.dataDir, 'config.toml');
  const hasConfig = existsSync(configPath);
  // config.toml holds no secrets by design: PM_SECRET_KEY, SMTP and S3 credentials come from the environment.
  if (hasConfig) await add('files/config.toml', readFileSync(configPath));

  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    program: { name: 'pagemanager', version: opts.programVersion },
    createdAt: new Date().toISOString(),
    sourceDialect: db.dialect.name,
    schema,
    tables: tableManifests,
    entries,
    files: { uploads: uploads.length, themes: themes.length, plugins: plugins.length, config: hasConfig },
  };
  await archive.add('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
  await archive.finish();
  return manifest;
}
