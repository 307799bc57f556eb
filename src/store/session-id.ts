/**
 * Session ids: 32 random bytes, base64url. Only `hashSessionId(id)` is ever
 * stored, so a leaked database (or backup) holds no usable session.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { HashSessionId } from './types.js';

export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** blake2b-512 of the raw id, hex. Signed cookies use the same function so both agree. */
export const hashSessionId: HashSessionId = (sessionId) => createHash('blake2b512').update(sessionId, 'utf8').digest('hex');
