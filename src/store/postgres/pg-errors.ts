/** node-postgres errors → PmError. Anything not listed is returned unchanged. */
import { isPmError } from '../../errors/errors.js';
import { conflictError, describeKey, foreignKeyError, unavailableError } from '../db-errors.js';

interface PgLikeError {
  code?: string;
  message?: string;
  table?: string;
  detail?: string;
  constraint?: string;
  address?: string;
  port?: number;
  hostname?: string;
  errors?: unknown[];
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** "Key (site_id, url_path)=(…) already exists." → ['site_id', 'url_path']; the values are not kept (they may be secret). */
function keyColumns(detail: string | undefined): string[] {
  const m = /^Key \((.*?)\)=/.exec(detail ?? '');
  return m ? m[1]!.split(',').map((s) => s.trim()) : [];
}

/** Where a network error says it tried, else the DSN's host:port. */
function whereOf(e: PgLikeError, target: string): string {
  const inner = (e.errors?.[0] ?? e) as PgLikeError;
  return inner.address ? `${inner.address}${inner.port ? `:${inner.port}` : ''}` : target;
}

/** `target` is "host:port" from the DSN, for messages; it never contains the password. */
export function mapPgError(err: unknown, target: string): unknown {
  if (isPmError(err) || typeof err !== 'object' || err === null) return err;
  const e = err as PgLikeError;
  const code = e.code ?? ((e.errors?.[0] as PgLikeError | undefined)?.code ?? '');
  const message = e.message ?? '';

  if (code === '23505') return conflictError(describeKey(e.table, keyColumns(e.detail)) || (e.constraint ?? 'This record'), err);
  if (code === '23503') return foreignKeyError(e.table ? describeKey(e.table, keyColumns(e.detail)) : 'This record', err);

  if (code === 'ECONNREFUSED') return unavailableError(`connection refused at ${whereOf(e, target)}`, err);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return unavailableError(`the host ${e.hostname ?? target} was not found`, err);
  if (message === 'Query read timeout' || (code === '57014' && /statement timeout/i.test(message))) {
    return unavailableError(`no answer from ${target} in time (query timeout)`, err);
  }
  if (code === 'ETIMEDOUT' || /timeout/i.test(message)) return unavailableError(`no answer from ${target} in time (connection timeout)`, err);
  if (NETWORK_CODES.has(code)) return unavailableError(`${code} talking to ${whereOf(e, target)}`, err);
  if (/^(08|28|57P0)/.test(code) || code === '3D000' || code === '53300' || /Connection terminated/i.test(message)) {
    return unavailableError(`${message} (${target})`, err);
  }
  return err;
}
