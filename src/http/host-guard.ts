import type { IncomingMessage } from 'node:http';
import type { Mode } from '../config/load-config.js';
import { fromTrustedProxy, type TrustFn } from './trust-proxy.js';

/**
 * Which Host names a server answers for, and whether a state-changing request
 * comes from the site it is sent to. The first stops DNS rebinding: a page on
 * evil.example that rebinds its name to 127.0.0.1 reaches the socket, but its
 * requests say `Host: evil.example`, and offline mode (where every request is the
 * superadmin) answers loopback names only.
 */
export interface HostGuard {
  /** `domain` is the Host header's name, lowercased, without the port (`[::1]` keeps its brackets). */
  allows(domain: string): boolean;
  /** For a state-changing request: the foreign origin it came from, or undefined when it is same-origin or unknown. */
  foreignOrigin(req: IncomingMessage): string | undefined;
}

/** `localhost`, `127.x.y.z` and `[::1]`: names no outside DNS answer can give a page. */
export function isLoopbackName(domain: string): boolean {
  return domain === 'localhost' || domain === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(domain);
}

/** The Host header's name part, lowercased: `Example.com:8080` → `example.com`, `[::1]:7070` → `[::1]`. */
export function hostName(host: string): string {
  const colon = host.startsWith('[') ? host.indexOf(']:') + 1 : host.lastIndexOf(':');
  return (colon > 0 ? host.slice(0, colon) : host).toLowerCase();
}

/** `host[:port]` with the scheme's default port dropped, so `example.com:443` and `https://example.com` agree. */
function canonicalHost(host: string, scheme: string): string {
  const h = host.toLowerCase();
  if (scheme === 'https:' && h.endsWith(':443')) return h.slice(0, -4);
  if (scheme === 'http:' && h.endsWith(':80')) return h.slice(0, -3);
  return h;
}

export function createHostGuard(opts: { mode: Mode; allowedHosts: readonly string[]; trust?: TrustFn }): HostGuard {
  const allowed = new Set(opts.allowedHosts.map((h) => h.toLowerCase()));
  const allows =
    opts.mode === 'offline'
      ? isLoopbackName
      : opts.mode === 'singlesite' && allowed.size > 0
        ? (d: string) => allowed.has(d) || isLoopbackName(d)
        : // multisite: the site registry decides (a host no site claims is a 404 with no session).
          () => true;

  return {
    allows,
    foreignOrigin(req) {
      const origin = req.headers.origin;
      const referer = origin === undefined ? req.headers.referer : undefined;
      const claimed = origin ?? referer;
      if (claimed === undefined || claimed === '') return undefined;
      let u: URL;
      try {
        u = new URL(claimed);
      } catch {
        return String(claimed).slice(0, 100);
      }
      // `Origin: null` (sandboxed frames, file: pages) is another site too.
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return String(claimed).slice(0, 100);
      const from = canonicalHost(u.host, u.protocol);
      const hosts = [req.headers.host ?? ''];
      const fwd = req.headers['x-forwarded-host'];
      // The proxy's own entry is the last one (as Fastify reads it); only a trusted peer's counts.
      if (typeof fwd === 'string' && fromTrustedProxy(req, opts.trust)) hosts.push(fwd.slice(fwd.lastIndexOf(',') + 1).trim());
      return hosts.some((h) => canonicalHost(h, u.protocol) === from) ? undefined : u.origin;
    },
  };
}
