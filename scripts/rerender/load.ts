/**
 * The visitor side of measure-rerender: keeps `--concurrency` keep-alive GET
 * loops on `--paths` (comma-separated) at `--base` until stdin closes, then
 * prints one JSON line: requests answered, errors, non-200s, latency percentiles.
 */
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { base: { type: 'string' }, paths: { type: 'string' }, concurrency: { type: 'string', default: '4' } } });
const base = new URL(String(values.base));
const paths = String(values.paths).split(',');
const agent = new Agent({ keepAlive: true, maxSockets: Number(values.concurrency) });
let stop = false;
const lat: { at: number; ms: number }[] = [];
let errors = 0;
let non200 = 0;

function get(path: string): Promise<void> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = request({ host: base.hostname, port: base.port, path, agent, headers: { 'accept-encoding': 'gzip' } }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) non200++;
        lat.push({ at: Date.now(), ms: performance.now() - t0 });
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end();
  });
}

async function loop(k: number): Promise<void> {
  for (let i = k; !stop; i++) await get(paths[i % paths.length]);
}

process.stdin.resume();
process.stdin.on('end', () => (stop = true));
process.stdin.on('data', (d) => {
  if (String(d).includes('stop')) stop = true;
});
const loops = Array.from({ length: Number(values.concurrency) }, (_, k) => loop(k));
await Promise.all(loops);
const sorted = lat.map((l) => l.ms).sort((a, b) => a - b);
const pct = (p: number) => (sorted.length ? Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(1)) : null);
// The longest time with no answer at all: what a visitor would notice as "the site hung".
const ends = lat.map((l) => l.at).sort((a, b) => a - b);
let gap = 0;
for (let i = 1; i < ends.length; i++) gap = Math.max(gap, ends[i] - ends[i - 1]);
process.stdout.write(JSON.stringify({ answered: lat.length, errors, non200, p50: pct(50), p99: pct(99), max: pct(100), longestSilenceMs: gap }) + '\n');
agent.destroy();
