/**
 * Password hashing with node:crypto scrypt. Hashes are self-describing —
 * `scrypt$v=1$n=131072,r=8,p=1$<salt b64>$<hash b64>` — and parsed on verify,
 * so the parameters can be raised later: `needsRehash()` says when a stored
 * hash is below the current ones, and the password store rehashes on the next
 * successful login.
 *
 * N=2^17, r=8, p=1 (OWASP) costs 128 MiB and roughly half a second per hash:
 * the login route must be rate limited, or a burst of attempts exhausts memory.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
  /** Bytes of derived key. */
  keyLen: number;
  saltLen: number;
}

export const DEFAULT_SCRYPT: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 17, r: 8, p: 1, keyLen: 32, saltLen: 16 });

/** Stored hashes asking for more than this are refused, so a tampered row cannot make a login take gigabytes. */
const LIMITS = { N: 2 ** 20, r: 32, p: 16, keyLen: 64 };

interface Parsed {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node's default maxmem (32 MiB) is below what N=2^17 asks for.
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.N * params.r + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, params.keyLen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function format(params: ScryptParams, salt: Buffer, hash: Buffer): string {
  const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');
  return `scrypt$v=1$n=${params.N},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

function parse(stored: string): Parsed | undefined {
  const m = /^scrypt\$v=1\$n=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(stored);
  if (!m) return undefined;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = Buffer.from(m[4]!, 'base64');
  const hash = Buffer.from(m[5]!, 'base64');
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > LIMITS.N || r < 1 || r > LIMITS.r || p < 1 || p > LIMITS.p || hash.length < 16 || hash.length > LIMITS.keyLen) return undefined;
  return { params: { N, r, p, keyLen: hash.length, saltLen: salt.length }, salt, hash };
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(params.saltLen);
  return format(params, salt, await derive(password, salt, params));
}

/** Constant-time comparison. Throws on a stored value that is not a hash this code wrote: that is data damage, not a wrong password. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) throw new Error('The stored password hash is not in a format pagemanager understands.');
  const candidate = await derive(password, parsed.salt, parsed.params);
  return timingSafeEqual(candidate, parsed.hash);
}

/** True when `stored` was made with weaker parameters than `params` (or cannot be read at all). */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  const p = parsed.params;
  return p.N < params.N || p.r < params.r || p.p < params.p || p.keyLen < params.keyLen || p.saltLen < params.saltLen;
}

/** A well-formed hash that no password matches (all-zero key), with the given parameters. */
export function dummyHash(params: ScryptParams = DEFAULT_SCRYPT): string {
  return format(params, Buffer.alloc(params.saltLen), Buffer.alloc(params.keyLen));
}

/**
 * Does the work of one verification and returns false, so that "no such user"
 * takes as long as "wrong password" and the difference cannot be timed.
 */
export async function verifyAgainstDummy(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<false> {
  await verifyPassword(password, dummyHash(params));
  return false;
}
