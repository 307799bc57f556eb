/** What every store factory may be given, and small helpers the stores share. */
import { monotonicFactory } from 'ulid';
import { isPmError, PmError } from '../errors/errors.js';
import { DEFAULT_SCRYPT, type ScryptParams } from './password-hash.js';

export interface StoreOptions {
  /** Clock in milliseconds; tests pass a fixed one. */
  now?: () => number;
  /** New ids; ULIDs by default. */
  newId?: () => string;
  /** Password hashing parameters; tests lower them to keep hashing fast. */
  scrypt?: ScryptParams;
}

export type ResolvedStoreOptions = Required<StoreOptions>;

export function resolveStoreOptions(opts: StoreOptions = {}): ResolvedStoreOptions {
  return {
    now: opts.now ?? Date.now,
    // Monotonic, so ids made in the same millisecond still sort in creation order.
    newId: opts.newId ?? monotonicFactory(),
    scrypt: opts.scrypt ?? DEFAULT_SCRYPT,
  };
}

/** Re-labels a PM_ERR_CONFLICT from the database with a message a person understands. */
export function relabelConflict(e: unknown, what: string): unknown {
  return isPmError(e, 'PM_ERR_CONFLICT') ? new PmError('PM_ERR_CONFLICT', { what }, { cause: e }) : e;
}

/** Trimmed non-empty text, or PM_ERR_VALIDATION naming the field. */
export function requireText(value: unknown, field: string, label: string): string {
  const s = typeof value === 'string' ? value.trim() : '';
  if (!s) throw new PmError('PM_ERR_VALIDATION', {}, { fields: { [field]: `${label} is required.` } });
  return s;
}

export function notFound(what: string): PmError {
  return new PmError('PM_ERR_NOT_FOUND', { what });
}

export function parseJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
