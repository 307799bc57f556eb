import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { TrustProxy } from '../config/load-config.js';

/** `(address, hop) => trusted?`, as Fastify's `trustProxy` and proxy-addr take it. hop 0 is the socket's peer. */
export type TrustFn = (address: string | undefined, hop: number) => boolean;

/**
 * The trust function for a setting. With a number N, the N nearest hops are the proxies and
 * the address before them is the client, however many entries a client put in front of
 * X-Forwarded-For. (Fastify's own number handling trusts nothing, so it gets this function.)
 * With addresses, only those peers are believed.
 */
export function trustFunction(tp: TrustProxy): TrustFn | undefined {
  if (tp === false) return undefined;
  if (typeof tp === 'number') return (_a, hop) => hop < tp;
  const compiled = proxyAddr.compile(tp);
  return (a, hop) => a !== undefined && compiled(a, hop);
}

/** Whether the socket's peer is a trusted proxy, so its X-Forwarded-Host/-Proto may be believed. */
export function fromTrustedProxy(req: IncomingMessage, trust: TrustFn | undefined): boolean {
  return trust !== undefined && trust(req.socket?.remoteAddress, 0);
}
