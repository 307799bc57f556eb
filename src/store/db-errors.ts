/**
 * Builders for the PmErrors both dialects raise, so a unique violation reads
 * the same whichever database is behind it. The driver's error is kept as
 * `cause` (it goes to the log, never to a client).
 */
import { PmError } from '../errors/errors.js';

/** `pm_site.domain` for one column, `pm_page(site_id, langcode, url_path)` for several. */
export function describeKey(table: string | undefined, columns: readonly string[]): string {
  const t = table ?? 'a row';
  if (columns.length === 0) return t;
  if (columns.length === 1) return `${t}.${columns[0]}`;
  return `${t}(${columns.join(', ')})`;
}

export function conflictError(what: string, cause: unknown): PmError {
  return new PmError('PM_ERR_CONFLICT', { what }, { cause });
}

export function foreignKeyError(what: string, cause: unknown): PmError {
  return new PmError('PM_ERR_FOREIGN_KEY', { what }, { cause });
}

/**
 * `detail` is what a client may read; `privateDetail`, when given, is the same for the operator
 * (the CLI and the log), with what clients must not see, such as the database file's path.
 */
export function unavailableError(detail: string, cause: unknown, privateDetail?: string): PmError {
  const privateMessage = privateDetail === undefined ? undefined : new PmError('PM_ERR_DB_UNAVAILABLE', { detail: privateDetail }).message;
  return new PmError('PM_ERR_DB_UNAVAILABLE', { detail }, { cause, privateMessage });
}
