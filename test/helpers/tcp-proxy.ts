/**
 * A TCP proxy the test controls, in front of PostgreSQL: pass bytes through,
 * act as a stopped server (drop every connection, refuse new ones), or stall
 * (accept and hold every byte, answer nothing), as an outage or a hung
 * server would look to pagemanager; or pass bytes late (`delay`), as a far
 * away database would.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'down' | 'stall';

export interface TcpProxy {
  readonly port: number;
  /** A copy of `url` pointing at the proxy. */
  urlFor(url: string): string;
  set(mode: ProxyMode): void;
  /** Every chunk, each way, passes `ms` late (in order: equal timers fire in the order they were set). */
  delay(ms: number): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass';
  let latency = 0;
  const pairs = new Set<{ client: Socket; upstream: Socket; held: [Socket, Buffer][] }>();

  const server = createServer((client) => {
    if (mode === 'down') return void client.destroy();
    const upstream = connect(targetPort, targetHost);
    const pair = { client, upstream, held: [] as [Socket, Buffer][] };
    pairs.add(pair);
    const forward = (to: Socket) => (chunk: Buffer) => {
      if (mode === 'stall') pair.held.push([to, chunk]);
      else if (latency > 0) setTimeout(() => to.destroyed || to.write(chunk), latency);
      else to.write(chunk);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    urlFor(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    set(next) {
      mode = next;
      if (next === 'down') for (const p of [...pairs]) (p.client.destroy(), p.upstream.destroy());
      if (next === 'pass') {
        for (const p of pairs) {
          for (const [to, chunk] of p.held) to.write(chunk);
          p.held.length = 0;
        }
      }
    },
    delay(ms) {
      latency = ms;
    },
    async close() {
      for (const p of [...pairs]) (p.client.destroy(), p.upstream.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
