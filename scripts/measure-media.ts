/**
 * Media figures for the closing note of issue 14:
 *  1. upload-to-ready time of a 12-megapixel JPEG (4000×3000, photo-like noise, ~2.9 MB);
 *  2. the p99 latency of page requests, alone, while one such photo is processed, and while 10 are;
 *  3. bytes per second served for a cached picture, against a bare node:http server
 *     sending the same bytes with the same headers.
 *
 *   node --import tsx scripts/measure-media.ts [--seconds 10] [--connections 10]
 *
 * The server runs in this process (SQLite in a temporary folder, a real port, the
 * default media settings: one file processed at a time, one libvips thread); the load
 * comes from autocannon in a separate process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app/create-app.js';
import { loadConfig } from '../src/config/load-config.js';
import { photoJpeg } from '../test/media/fixtures.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '10' }, only: { type: 'string' } } });
const ONLY = values.only; // 'ready', 'load' or 'serve': one part alone
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

const dir = mkdtempSync(join(tmpdir(), 'pm-measure-media-'));
const app = await createApp(loadConfig({ dir, mode: 'singlesite', addr: '127.0.0.1:0', open: false }, {}), { logger: false });
const siteId = app.sites.primary().siteId;
const user = await app.stores.users.create({ siteId, username: 'bench', name: 'Bench', role: 'superadmin' });
const { token } = await app.users.createToken(user, 'bench');
const { url } = await app.listen();
const auth = { authorization: `Bearer ${token}` };

interface Cannon { latency: { p50: number; p99: number; max: number }; requests: { average: number; total: number }; throughput: { average: number }; non2xx: number; errors: number }
function cannon(target: string, seconds: number): Promise<Cannon> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [autocannonBin, '-j', '-c', String(CONNECTIONS), '-d', String(seconds), target], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', () => {
      try {
        resolve(JSON.parse(out) as Cannon);
      } catch (e) {
        reject(e);
      }
    });
  });
}

async function upload(body: Buffer, name: string, wait: boolean): Promise<{ mediaId: string; status: string; url: string; variants: { url: string; format: string; width: number; bytes: number }[] }> {
  const fd = new FormData();
  fd.append('alt', 'bench');
  fd.append('file', new Blob([new Uint8Array(body)], { type: 'image/jpeg' }), name);
  const r = await fetch(new URL(`/pm/api/media${wait ? '?wait=true' : ''}`, url), { method: 'POST', body: fd, headers: auth });
  if (!r.ok) throw new Error(`upload answered ${r.status}: ${await r.text()}`);
  return r.json() as never;
}
async function status(id: string): Promise<string> {
  const r = await fetch(new URL(`/pm/api/media/${id}`, url), { headers: auth });
  return ((await r.json()) as { status: string }).status;
}
const ms = (n: number) => `${n.toFixed(0)} ms`;

/**
 * Bytes per second for binary bodies. autocannon's own parser slows down on binary bodies
 * (a 102 KB JPEG: ~7 MB/s, the same length of one repeated byte: ~40 MB/s, against the same
 * bare server), so the picture throughput is measured by this small keep-alive client in its
 * own process instead.
 */
const BLAST = `
import { Agent, request } from 'node:http';
const [target, seconds, connections] = process.argv.slice(1);
const agent = new Agent({ keepAlive: true, maxSockets: Number(connections) });
const end = Date.now() + Number(seconds) * 1000;
let bytes = 0, requests = 0, errors = 0;
const lat = [];
function one() {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = request(target, { agent }, (res) => {
      res.on('data', (d) => (bytes += d.length));
      res.on('end', () => { requests++; lat.push(performance.now() - t0); resolve(); });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end();
  });
}
async function loop() { while (Date.now() < end) await one(); }
const t = Date.now();
await Promise.all(Array.from({ length: Number(connections) }, loop));
const s = (Date.now() - t) / 1000;
lat.sort((a, b) => a - b);
console.log(JSON.stringify({ bytesPerSec: bytes / s, reqPerSec: requests / s, p99: lat[Math.floor(lat.length * 0.99)] ?? 0, errors }));
agent.destroy();
`;
function blast(target: string, seconds: number): Promise<{ bytesPerSec: number; reqPerSec: number; p99: number; errors: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', BLAST, target, String(seconds), String(CONNECTIONS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', () => {
      try {
        resolve(JSON.parse(out));
      } catch (e) {
        reject(e);
      }
    });
  });
}

// 1. Upload to ready.
const photos = await Promise.all(Array.from({ length: ONLY === 'serve' || ONLY === 'ready' ? 3 : 10 }, () => photoJpeg(4000, 3000)));
console.log(`12-megapixel JPEGs: ${(photos[0].length / 1024 / 1024).toFixed(1)} MB each`);
const times: number[] = [];
let sample: Awaited<ReturnType<typeof upload>> | undefined;
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const m = await upload(photos[i], `photo-${i}.jpg`, true);
  times.push(performance.now() - t0);
  if (m.status !== 'ready') throw new Error(`not ready: ${m.status}`);
  sample = m;
}
times.sort((a, b) => a - b);
console.log(`1. upload to ready (4000×3000 JPEG, ${sample!.variants.length} variants): ${times.map(ms).join(', ')}; median ${ms(times[Math.floor(times.length / 2)])}`);

// 2. p99 of page requests alone, then while 10 uploads are processed.
if (!ONLY || ONLY === 'load') {
const page = new URL('/', url).href;
const alone = await cannon(page, SECONDS);
console.log(`2a. GET / alone: p50 ${alone.latency.p50} ms, p99 ${alone.latency.p99} ms, max ${alone.latency.max} ms, ${Math.round(alone.requests.average)} req/s`);
// One photo: the load runs while it is processed (2 s, shorter than its processing), and says whether it still was.
{
  const one = await upload(photos[0], 'one.jpg', false);
  const during = await cannon(page, 2);
  const still = (await status(one.mediaId)) === 'processing';
  console.log(`2c. GET / while one 4000×3000 JPEG is processed (2 s${still ? ', still processing at the end' : ', processing ended within the run'}): p50 ${during.latency.p50} ms, p99 ${during.latency.p99} ms, max ${during.latency.max} ms, ${Math.round(during.requests.average)} req/s, non-2xx ${during.non2xx}`);
  while ((await status(one.mediaId)) === 'processing') await new Promise((r) => setTimeout(r, 250));
}
const t0 = performance.now();
const accepted = [];
for (const [i, p] of photos.entries()) accepted.push(await upload(p, `load-${i}.jpg`, false));
const acceptMs = performance.now() - t0;
const loaded = cannon(page, SECONDS);
let allReady = 0;
const poll = (async () => {
  for (;;) {
    const s = await Promise.all(accepted.map((m) => status(m.mediaId)));
    if (s.every((x) => x !== 'processing')) return (allReady = performance.now() - t0);
    await new Promise((r) => setTimeout(r, 250));
  }
})();
const during = await loaded;
const stillProcessing = allReady === 0;
await poll;
console.log(`2b. 10 uploads accepted in ${ms(acceptMs)} (the requests return before processing); all 10 ready after ${ms(allReady)}${stillProcessing ? ' (processing outlasted the load run: every request measured ran during it)' : ''}`);
  console.log(`    GET / during: p50 ${during.latency.p50} ms, p99 ${during.latency.p99} ms, max ${during.latency.max} ms, ${Math.round(during.requests.average)} req/s, non-2xx ${during.non2xx}, errors ${during.errors}`);

}

// 3. A cached picture vs bare node:http sending the same bytes.
if (!ONLY || ONLY === 'serve') {
const variant = sample!.variants.find((v) => v.format === 'jpg' && v.width === 1024) ?? sample!.variants[0];
const imgUrl = new URL(variant.url, url).href;
const first = await fetch(imgUrl);
const bytes = Buffer.from(await first.arrayBuffer());
const headers: Record<string, string> = {};
for (const k of ['content-type', 'etag', 'cache-control', 'accept-ranges', 'x-content-type-options']) headers[k] = first.headers.get(k) ?? '';
const bare = createServer((_req, res) => {
  res.writeHead(200, { ...headers, 'content-length': bytes.length });
  res.end(bytes);
});
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
const bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}/`;
const raw = await blast(bareUrl, SECONDS);
bare.close();
const served = await blast(imgUrl, SECONDS);
const mbps = (c: { bytesPerSec: number; reqPerSec: number; p99: number }) => `${(c.bytesPerSec / 1024 / 1024).toFixed(0)} MB/s (${Math.round(c.reqPerSec)} req/s, p99 ${c.p99.toFixed(1)} ms)`;
  console.log(`3. a cached ${variant.width}px JPEG (${(bytes.length / 1024).toFixed(0)} KB): pagemanager ${mbps(served)}; bare node:http ${mbps(raw)}; ratio ${(served.bytesPerSec / raw.bytesPerSec).toFixed(2)}`);

}

await app.close();
rmSync(dir, { recursive: true, force: true });
