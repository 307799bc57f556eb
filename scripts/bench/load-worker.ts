/**
 * The load generator, in its own process (forked with IPC by scripts/bench.ts):
 * autocannon against 127.0.0.1 only, each run bounded by its duration.
 */
import { createRequire } from 'node:module';
import { cpuSeconds, machineCpuSeconds } from './cpu.js';
import { runWrk } from './wrk.js';

export interface LoadTask {
  id: number;
  port: number;
  /** The server's pid, for its CPU use during the run. */
  serverPid: number;
  paths: string[];
  /**
   * sweep: each connection walks the list from its own offset, so all of it is asked for early (fills a cache);
   * random: each connection walks its own shuffle of the list.
   */
  order: 'sweep' | 'random';
  connections: number;
  /** Upper bound; the run ends sooner when every connection has made `perConnection` requests. */
  durationSec: number;
  perConnection?: number;
  headers: Record<string, string>;
  /** Which load generator: wrk (when installed) or autocannon. Sweeps (perConnection) always use autocannon. */
  generator?: 'wrk' | 'autocannon';
}

export interface LoadResult {
  id: number;
  reqPerSec: number;
  total: number;
  wallSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU the load generator itself used, in cores. */
  cpuShare: number;
  /** CPU the server used, in cores. */
  serverCpu?: number;
  /** CPU everything else on the machine used meanwhile (other people's work), in cores. */
  otherCpu?: number;
  error?: string;
}

interface AutocannonRequest {
  method: string;
  path: string;
}
interface AutocannonClient {
  setRequests(requests: AutocannonRequest[]): void;
}
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
  maxConnectionRequests?: number;
  headers: Record<string, string>;
  setupClient: (client: AutocannonClient) => void;
  timeout: number;
}) => Promise<AutocannonResult> & { on(event: 'start', listener: () => void): void };

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as Autocannon;
// autocannon appends every response body to a string (a utf8 decode of each gzipped page) for
// callbacks this benchmark does not use; on 2 cores that is a sizeable share of the CPU the server
// could have had. Status codes, bytes and latencies are counted elsewhere and stay exact.
(require('autocannon/lib/pipelinedRequestsQueue.js') as { prototype: { addBody(data: unknown): void } }).prototype.addBody = () => {};

async function run(t: LoadTask): Promise<LoadResult> {
  // Each connection cycles through its own fixed slice of prebuilt requests (one shuffle of the
  // list cut into `connections` pieces, or the list in order for a sweep): every URL is asked for
  // equally often, and autocannon only indexes into the slice. A per-request setupRequest would
  // rebuild the request every time, CPU taken from the server on a 2-core machine.
  const order = t.paths.slice();
  if (t.order === 'random') {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
  const stride = Math.ceil(order.length / t.connections);
  let clientNo = 0;
  const sliceFor = (k: number): string[] => {
    const s = order.slice(k * stride, (k + 1) * stride);
    return s.length ? s : [order[k % order.length]];
  };
  let cpu0 = process.cpuUsage();
  let wall0 = performance.now();
  let server0 = cpuSeconds(t.serverPid);
  let machine0 = machineCpuSeconds();
  const running = autocannon({
    url: `http://127.0.0.1:${t.port}`,
    connections: t.connections,
    pipelining: 1,
    duration: t.durationSec,
    maxConnectionRequests: t.perConnection,
    headers: t.headers,
    timeout: 10,
    setupClient: (client) => client.setRequests(sliceFor(clientNo++).map((path) => ({ method: 'GET', path }))),
  });
  // Building the request lists happens before 'start' and is not load.
  running.on('start', () => {
    cpu0 = process.cpuUsage();
    wall0 = performance.now();
    server0 = cpuSeconds(t.serverPid);
    machine0 = machineCpuSeconds();
  });
  const r = await running;
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  const server1 = cpuSeconds(t.serverPid);
  const machine1 = machineCpuSeconds();
  const cpuShare = (cpu.user + cpu.system) / 1000 / wallMs;
  const serverCpu = server0 === undefined || server1 === undefined ? undefined : (server1 - server0) / (wallMs / 1000);
  const otherCpu =
    serverCpu === undefined || !machine0 || !machine1 ? undefined : Math.max(0, (machine1.busy - machine0.busy) / (wallMs / 1000) - serverCpu - cpuShare);
  return {
    id: t.id,
    reqPerSec: r.requests.average,
    total: r.requests.total,
    wallSec: wallMs / 1000,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    cpuShare,
    serverCpu,
    otherCpu,
  };
}

process.on('message', (t: LoadTask) => {
  (t.generator === 'wrk' && t.perConnection === undefined ? runWrk(t) : run(t)).then(
    (r) => process.send?.(r),
    (e: Error) => process.send?.({ id: t.id, error: e.message } as Partial<LoadResult>),
  );
});
process.on('disconnect', () => process.exit(0));
