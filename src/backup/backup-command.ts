/** The CLI's doors onto backup and restore: files, progress on a terminal, one-line reports. */
import { sql } from '../store/kysely.js';
import { createWriteStream, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createApp, type App } from '../app/create-app.js';
import { runtime } from '../app/runtime.js';
import type { Config } from '../config/load-config.js';
import { PmError } from '../errors/errors.js';
import { writeBackup, type BackupProgress } from './backup.js';
import { checkSchema, restoreArchive, verifyArchive } from './restore.js';
import { listBackupTables } from './tables.js';

const isPostgres = (dsn: string) => /^postgres(ql)?:/.test(dsn);

/** A progress bar on a terminal (stderr), nothing otherwise. */
function progressBar(): ((p: BackupProgress) => void) & { clear(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  const fn = ((p: BackupProgress) => {
    if (!tty || Date.now() - last < 100) return;
    last = Date.now();
    const width = 24;
    const filled = p.total ? Math.round((p.done / p.total) * width) : 0;
    process.stderr.write(`\r${p.phase === 'tables' ? 'Tables' : 'Files '} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} ${p.label.slice(0, 40).padEnd(40)}`);
  }) as ((p: BackupProgress) => void) & { clear(): void };
  fn.clear = () => void (tty && process.stderr.write('\r\x1b[K'));
  return fn;
}

function requireSite(config: Config): void {
  if (!isPostgres(config.dsn) && !existsSync(config.dsn)) {
    throw new PmError('PM_ERR_BAD_REQUEST', { detail: `there is no site in ${config.dir} (no ${basename(config.dsn)}); pass --dir or --dsn` });
  }
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

async function openForMaintenance(config: Config): Promise<App> {
  // No job runs in a maintenance process, and nothing listens.
  return createApp(config, { logger: false, background: false });
}

/** Writes the archive (to FILE.partial, renamed when complete; removed on failure). Returns the path. */
export async function backupTo(app: App, config: Config, out: string | undefined, quiet = false): Promise<{ path: string | undefined; bytes: number; rows: number; tables: number; files: number }> {
  const toStdout = out === '-';
  const path = toStdout ? undefined : resolve(out ?? `pagemanager-backup-${stamp()}.tar.gz`);
  if (path && existsSync(path)) throw new PmError('PM_ERR_BAD_REQUEST', { detail: `${path} already exists; pick another --out` });
  const partial = path ? `${path}.partial` : undefined;
  const stream = partial ? createWriteStream(partial, { flags: 'wx' }) : process.stdout;
  const bar = quiet ? undefined : progressBar();
  try {
    const tables = await listBackupTables(app.db, app.tables());
    const manifest = await writeBackup({ db: app.db, tables, uploads: app.uploads, dataDir: config.dir, programVersion: runtime().version, out: stream, onProgress: bar });
    bar?.clear();
    if (partial && path) renameSync(partial, path);
    const bytes = path ? statSync(path).size : 0;
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
    return { path, bytes, rows, tables: manifest.tables.length, files: manifest.files.uploads + manifest.files.themes + manifest.files.plugins + (manifest.files.config ? 1 : 0) };
  } catch (e) {
    bar?.clear();
    if (partial) rmSync(partial, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new PmError('PM_ERR_BAD_REQUEST', { detail: `the disk is full; the partial backup was removed and the site is untouched` }, { cause: e });
    throw e;
  }
}

export async function runBackup(config: Config, out: string | undefined): Promise<number> {
  requireSite(config);
  const app = await openForMaintenance(config);
  try {
    const r = await backupTo(app, config, out);
    const where = r.path ? ` to ${r.path} (${(r.bytes / 1024 / 1024).toFixed(1)} MiB)` : '';
    process.stderr.write(`Backed up ${r.rows} rows of ${r.tables} tables and ${r.files} files${where}.\n`);
    return 0;
  } finally {
    await app.close();
  }
}

/** The target holds nothing yet: no database file or an empty database, and no uploads. */
async function requireEmptyTarget(config: Config, opts: { uploads: boolean } = { uploads: true }): Promise<void> {
  const uploads = join(config.dir, 'pm-uploads');
  if (opts.uploads && existsSync(uploads) && readdirSync(uploads).length) throw new PmError('PM_ERR_RESTORE_NOT_EMPTY', { what: `The data folder ${config.dir} (pm-uploads/)` });
  if (!isPostgres(config.dsn)) {
    if (existsSync(config.dsn)) throw new PmError('PM_ERR_RESTORE_NOT_EMPTY', { what: `The data folder ${config.dir} (${basename(config.dsn)})` });
    return;
  }
  const { openDb } = await import('../store/open-db.js');
  const db = await openDb(config.dsn);
  try {
    let sites = 0;
    try {
      sites = Number((await db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM pm_site`))?.n ?? 0);
    } catch {
      sites = 0; // no pm_site table: a fresh database
    }
    if (sites > 0) throw new PmError('PM_ERR_RESTORE_NOT_EMPTY', { what: 'The database' });
  } finally {
    await db.close();
  }
}

export async function runRestore(config: Config, file: string, quiet = false): Promise<number> {
  const manifest = await verifyArchive(file);
  await requireEmptyTarget(config);
  // What this program's schema is, learnt without touching the target: a throwaway in-memory start.
  const probeDir = join(tmpdir(), `pm-restore-probe-${process.pid}-${Date.now()}`);
  const probe = await createApp({ ...config, dir: probeDir, dsn: ':memory:' }, { logger: false, background: false });
  let known: Record<string, number>;
  try {
    known = await probe.schemaVersions();
  } finally {
    await probe.close();
    rmSync(probeDir, { recursive: true, force: true });
  }
  checkSchema(manifest, known);

  const app = await openForMaintenance(config);
  let report;
  try {
    report = await restoreArchive({ file, manifest, db: app.db, uploads: app.uploads, dataDir: config.dir });
  } finally {
    await app.close();
  }
  if (!quiet) {
    const rows = report.tables.reduce((n, t) => n + t.rows, 0);
    const f = report.files;
    process.stdout.write(
      `Restored ${rows} rows into ${report.tables.length} tables, ${f.uploads} uploads, ${f.themes} theme files and ${f.plugins} plugin files${f.config ? ' and config.toml' : ''} from a backup of ${manifest.createdAt} (pagemanager ${manifest.program.version}, ${manifest.sourceDialect}).\n`,
    );
    for (const t of report.tables) if (t.rows) process.stdout.write(`  ${t.table}: ${t.rows}\n`);
  }
  return 0;
}

export async function runMigrateDb(from: Config, to: Config): Promise<number> {
  requireSite(from);
  if (from.dsn === to.dsn) throw new PmError('PM_ERR_BAD_REQUEST', { detail: '--to names the database the site is already on' });
  await requireEmptyTarget(to, { uploads: false });
  const file = join(tmpdir(), `pm-migrate-${process.pid}-${Date.now()}.tar.gz`);
  try {
    const app = await openForMaintenance(from);
    try {
      await backupTo(app, from, file, true);
    } finally {
      await app.close();
    }
    // The uploads stay where they are (the same data folder); only the database moves.
    const manifest = await verifyArchive(file);
    const app2 = await openForMaintenance({ ...to, dir: from.dir });
    try {
      const report = await restoreArchive({ file, manifest, db: app2.db, uploads: app2.uploads, dataDir: from.dir, tablesOnly: true });
      const rows = report.tables.reduce((n, t) => n + t.rows, 0);
      process.stdout.write(`Moved ${rows} rows of ${report.tables.length} tables to ${to.dsn.replace(/\/\/[^@/]*@/, '//…@')}. Start the server with --dsn set to it.\n`);
    } finally {
      await app2.close();
    }
    return 0;
  } finally {
    rmSync(file, { force: true });
  }
}
