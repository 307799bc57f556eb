/**
 * `pagemanager restore`: checks a whole archive first (every entry against the manifest's
 * SHA-256, the format, the schema versions), and only then writes: onto an empty data folder or
 * database, whichever dialect it is. A damaged archive, one from a newer pagemanager, or a target
 * that already holds a site is refused before anything is written.
 */
import { rebuildSiteUsage } from '../store/site-usage.js';
import { sql } from '../store/kysely.js';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { PmError } from '../errors/errors.js';
import type { FileStorage } from '../files/index.js';
import type { Db } from '../store/db.js';
import { readArchive, sha256Hex } from './archive.js';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, decodeValue, type BackupManifest } from './backup.js';

const damaged = (detail: string) => new PmError('PM_ERR_BACKUP_INVALID', { detail });

/** Pass one: reads the archive through, checks every entry, returns the manifest. Writes nothing. */
export async function verifyArchive(file: string): Promise<BackupManifest> {
  if (!existsSync(file)) throw new PmError('PM_ERR_BAD_REQUEST', { detail: `there is no file ${file}` });
  const seen = new Map<string, { size: number; sha256: string }>();
  let manifestText: string | undefined;
  try {
    await readArchive(file, (path, data) => {
      if (path === 'manifest.json') manifestText = data.toString('utf8');
      else seen.set(path, { size: data.length, sha256: sha256Hex(data) });
    });
  } catch (e) {
    throw damaged(`it cannot be read to the end (${(e as Error).message.split('\n')[0]}); it may be truncated`);
  }
  if (manifestText === undefined) throw damaged('it has no manifest.json; it is not a pagemanager backup, or it is cut short');
  let m: BackupManifest;
  try {
    m = JSON.parse(manifestText) as BackupManifest;
  } catch {
    throw damaged('its manifest.json is not valid JSON');
  }
  if (m.format !== BACKUP_FORMAT) throw damaged('its manifest does not describe a pagemanager backup');
  if (typeof m.formatVersion !== 'number' || m.formatVersion > BACKUP_FORMAT_VERSION) {
    throw new PmError('PM_ERR_BACKUP_NEWER', { what: `archive format ${m.formatVersion}`, known: String(BACKUP_FORMAT_VERSION), version: m.program?.version ?? 'a newer version' });
  }
  const listed = new Set<string>();
  for (const e of m.entries ?? []) {
    listed.add(e.path);
    const got = seen.get(e.path);
    if (!got) throw damaged(`${e.path} is listed in the manifest but missing`);
    if (got.size !== e.size || got.sha256 !== e.sha256) throw damaged(`${e.path} does not match its checksum`);
  }
  for (const path of seen.keys()) if (!listed.has(path)) throw damaged(`${path} is in the archive but not in its manifest`);
  for (const t of m.tables ?? []) for (const p of t.parts) if (!listed.has(p)) throw damaged(`${p} of ${t.table} is missing`);
  return m;
}

/** Refuses a backup whose schema is newer than this program's (namespace → highest known version). */
export function checkSchema(m: BackupManifest, known: Record<string, number>): void {
  for (const [ns, version] of Object.entries(m.schema ?? {})) {
    const mine = known[ns];
    if (mine === undefined) continue; // a plugin this installation does not have: its tables are restored, it migrates when installed
    if (version > mine) {
      throw new PmError('PM_ERR_BACKUP_NEWER', { what: `the ${ns} schema version ${version}`, known: String(mine), version: m.program?.version ?? 'a newer version' });
    }
  }
}

export interface RestoreReport {
  tables: { table: string; rows: number }[];
  files: { uploads: number; themes: number; plugins: number; config: boolean };
}

const BATCH_ROWS = 200;

/**
 * Pass two: the rows, into a database whose schema this program has just created (its migrations
 * ran, so the schema is its own and the target's pm_migration says so). Whatever first start put
 * there (the primary site, a welcome page) is replaced, all in one transaction.
 */
export async function restoreArchive(opts: {
  file: string;
  manifest: BackupManifest;
  db: Db;
  uploads: FileStorage;
  dataDir: string;
  /** migrate-db: the files stay where they are; only the tables move. */
  tablesOnly?: boolean;
}): Promise<RestoreReport> {
  const { manifest, db } = opts;
  const tables = manifest.tables.filter((t) => t.table !== 'pm_migration');
  const byPart = new Map<string, (typeof tables)[number]>();
  for (const t of tables) for (const p of t.parts) byPart.set(p, t);
  const report: RestoreReport = { tables: tables.map((t) => ({ table: t.table, rows: 0 })), files: { uploads: 0, themes: 0, plugins: 0, config: false } };
  const count = new Map(report.tables.map((r) => [r.table, r]));
  const dataDir = resolve(opts.dataDir);

  const writeDataFile = (rel: string, data: Buffer) => {
    const target = join(dataDir, rel);
    if (relative(dataDir, target).startsWith('..' + sep) || rel.split('/').some((s) => s === '..' || s === '')) throw damaged(`${rel} would be written outside the data folder`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
  };

  await db.transaction(async (q) => {
    for (const t of [...tables].reverse()) {
      try {
        await q.run(sql`DELETE FROM ${sql.table(t.table)}`);
      } catch (e) {
        throw new PmError('PM_ERR_BACKUP_INVALID', { detail: `the table ${t.table} (${t.owner}) does not exist here; install the plugin that owns it before restoring` }, { cause: e });
      }
    }
    await readArchive(opts.file, async (path, data) => {
      const t = byPart.get(path);
      if (t) {
        const rows = data.toString('utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as unknown[]).map(decodeValue));
        const cols = sql.join(t.columns.map((c) => sql.ref(c)));
        for (let i = 0; i < rows.length; i += BATCH_ROWS) {
          const batch = rows.slice(i, i + BATCH_ROWS);
          await q.run(sql`INSERT INTO ${sql.table(t.table)} (${cols}) VALUES ${sql.join(batch.map((r) => sql`(${sql.join(r)})`))}`);
        }
        count.get(t.table)!.rows += rows.length;
        return;
      }
      if (opts.tablesOnly) return;
      if (path.startsWith('files/uploads/')) {
        await opts.uploads.put(path.slice('files/uploads/'.length), data);
        report.files.uploads++;
      } else if (path.startsWith('files/pm-themes/') || path.startsWith('files/pm-plugins/')) {
        writeDataFile(path.slice('files/'.length), data);
        if (path.startsWith('files/pm-themes/')) report.files.themes++;
        else report.files.plugins++;
      } else if (path === 'files/config.toml') {
        if (!existsSync(join(dataDir, 'config.toml'))) writeDataFile('config.toml', data);
        report.files.config = true;
      }
    });
    // The per-site byte counters are derived: set again from what was just restored (an archive
    // from before pm_site_usage, or one whose counters the target's first start had moved).
    await rebuildSiteUsage(q);
  });
  return report;
}
