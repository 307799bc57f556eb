/** better-sqlite3 errors → PmError. Anything not listed is returned unchanged. */
import { conflictError, describeKey, foreignKeyError, unavailableError } from '../db-errors.js';

function codeOf(e: unknown): string {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : '';
}

/** "UNIQUE constraint failed: pm_page.site_id, pm_page.url_path" → pm_page(site_id, url_path). */
function uniqueWhat(message: string): string {
  const list = message.split(': ').slice(1).join(': ');
  const parts = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) return 'This record';
  const table = parts[0]!.includes('.') ? parts[0]!.split('.')[0] : undefined;
  return describeKey(table, parts.map((p) => (p.includes('.') ? p.slice(p.indexOf('.') + 1) : p)));
}

export function mapSqliteError(e: unknown, path: string): unknown {
  const code = codeOf(e);
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return conflictError(uniqueWhat(message), e);
  // SQLite does not say which key failed; PostgreSQL does.
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return foreignKeyError('This record', e);
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED')
    return unavailableError('the database stayed locked by another process for more than 5 seconds', e, `the SQLite database ${path} stayed locked by another process for more than 5 seconds`);
  if (code.startsWith('SQLITE_READONLY')) return unavailableError('the database is read-only; nothing was saved', e, `the SQLite database ${path} is read-only; check the permissions of the file and its folder`);
  if (code === 'SQLITE_FULL') return unavailableError('the server’s disk is full; nothing was saved', e, `the disk holding ${path} is full`);
  if (code.startsWith('SQLITE_CANTOPEN')) return unavailableError('the database cannot be opened', e, `cannot open the SQLite database ${path}; check that its folder exists and is writable`);
  if (code.startsWith('SQLITE_IOERR')) return unavailableError(`an I/O error occurred (${code})`, e, `an I/O error occurred on ${path} (${code})`);
  if (code === 'SQLITE_NOTADB') return unavailableError('the database file is not a SQLite database', e, `${path} is not a SQLite database`);
  if (code === 'SQLITE_CORRUPT') return unavailableError('the database is damaged', e, `the SQLite database ${path} is damaged`);
  return e;
}

/** Errors thrown while opening: also the driver's own TypeErrors (missing folder). */
export function mapSqliteOpenError(e: unknown, path: string): unknown {
  const message = e instanceof Error ? e.message : String(e);
  if (/directory does not exist/i.test(message)) return unavailableError('the database cannot be opened: its folder does not exist', e, `cannot open the SQLite database ${path}: its folder does not exist`);
  const mapped = mapSqliteError(e, path);
  if (mapped !== e) return mapped;
  return unavailableError('the database cannot be opened', e, `cannot open the SQLite database ${path}: ${message}`);
}
