/**
 * wrk as the load generator, when it is installed (Debian: `apt-get install wrk`):
 * one thread in C takes far less CPU than autocannon, which on a 2-core machine
 * leaves the server more of its own. Each connection walks a shuffle of the URL
 * list (a Lua script reads it from a file); same result shape as autocannon's.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, machineCpuSeconds } from './cpu.js';
import type { LoadResult, LoadTask } from './load-worker.js';

export function wrkInstalled(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // wrk --version prints its version and exits 1.
    return (e as { status?: number }).status === 1;
  }
}

const SCRIPT = `
local paths = {}
for line in io.lines(os.getenv("PM_WRK_PATHS")) do paths[#paths + 1] = line end
-- One thread, one Lua state: the connections take the next URL of one shuffle, from a random start.
local i
request = function()
  if i == nil then i = math.random(#paths) end
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("PMRESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write, e.timeout))
end
`;

export async function runWrk(t: LoadTask): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pm-wrk-'));
  try {
    const order = t.paths.slice();
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    writeFileSync(join(dir, 'paths.txt'), order.join('\n') + '\n');
    writeFileSync(join(dir, 'bench.lua'), SCRIPT);
    const headers = Object.entries(t.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const args = ['-t1', `-c${t.connections}`, `-d${Math.max(1, Math.round(t.durationSec))}s`, '--timeout', '10s', '-s', join(dir, 'bench.lua'), ...headers, `http://127.0.0.1:${t.port}/`];
    const wall0 = performance.now();
    const server0 = cpuSeconds(t.serverPid);
    const machine0 = machineCpuSeconds();
    const child = spawn('wrk', args, { env: { ...process.env, PM_WRK_PATHS: join(dir, 'paths.txt') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    // wrk's own CPU, read while it runs (its /proc entry goes when it exits).
    let wrkCpu = 0;
    const poll = setInterval(() => (wrkCpu = cpuSeconds(child.pid!) ?? wrkCpu), 100);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearInterval(poll);
    const wallMs = performance.now() - wall0;
    const server1 = cpuSeconds(t.serverPid);
    const machine1 = machineCpuSeconds();
    const m = /PMRESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(out);
    if (code !== 0 || !m) throw new Error(`wrk exited with ${code}: ${err || out}`);
    const [requests, durationUs, p50, p99, non2xx, errors, timeouts] = m.slice(1).map(Number);
    const cpuShare = wrkCpu / (wallMs / 1000);
    const serverCpu = server0 === undefined || server1 === undefined ? undefined : (server1 - server0) / (wallMs / 1000);
    const otherCpu = serverCpu === undefined || !machine0 || !machine1 ? undefined : Math.max(0, (machine1.busy - machine0.busy) / (wallMs / 1000) - serverCpu - cpuShare);
    return {
      id: t.id,
      reqPerSec: requests / (durationUs / 1e6),
      total: requests,
      wallSec: wallMs / 1000,
      // wrk reports µs; the table shows ms like autocannon's.
      p50: Math.round(p50 / 100) / 10,
      p99: Math.round(p99 / 100) / 10,
      non2xx,
      errors,
      timeouts,
      cpuShare,
      serverCpu,
      otherCpu,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
