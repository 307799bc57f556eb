import { isIP } from 'node:net';
import { PmError } from '../errors/errors.js';

/** false: no proxy; a number: that many proxies in front (hops); a list: the proxies' addresses or CIDR ranges. */
export type TrustProxy = false | number | string[];

/** Names @fastify/proxy-addr knows for common ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `--trust-proxy` / PM_TRUST_PROXY / trust_proxy → a TrustProxy.
 * The bare flag, `true`, `yes`, `on` mean one proxy (one hop): the common case of nginx or
 * Caddy on the same machine. `true` never means "trust every X-Forwarded-For entry", which
 * would let a client forge its address (a fresh login budget per forged entry).
 */
export function parseTrustProxy(v: unknown): TrustProxy {
  if (v === undefined || v === null || v === false || v === '') return false;
  if (v === true) return 1;
  if (typeof v === 'number') return hops(v, String(v));
  const items = Array.isArray(v) ? v.map(String) : String(v).split(',');
  if (items.length === 1) {
    const one = items[0]!.trim().toLowerCase();
    if (['false', 'no', 'off', '0'].includes(one)) return false;
    if (['true', 'yes', 'on'].includes(one)) return 1;
    if (/^\d+$/.test(one)) return hops(Number(one), one);
  }
  const out: string[] = [];
  for (const raw of items) {
    const a = raw.trim().toLowerCase();
    if (!a) continue;
    if (!NAMED_RANGES.has(a) && !isAddressOrRange(a)) {
      throw new PmError('PM_ERR_CONFIG', {
        detail: `trust-proxy "${raw.trim()}" is neither a number of proxies nor an IP address or range (for example 1, or 10.0.0.2, or 10.0.0.0/8,::1)`,
      });
    }
    out.push(a);
  }
  return out.length ? out : false;
}

function hops(n: number, raw: string): number | false {
  if (!Number.isInteger(n) || n < 0 || n > 20) {
    throw new PmError('PM_ERR_CONFIG', { detail: `trust-proxy "${raw}" is not a number of proxies between 0 and 20` });
  }
  return n === 0 ? false : n;
}

function isAddressOrRange(a: string): boolean {
  const [addr, bits, more] = a.split('/');
  if (more !== undefined || !addr) return false;
  const family = isIP(addr);
  if (!family) return false;
  if (bits === undefined) return true;
  if (!/^\d+$/.test(bits)) return family === 4 && isIP(bits) === 4; // 10.0.0.0/255.0.0.0
  return Number(bits) <= (family === 4 ? 32 : 128);
}
