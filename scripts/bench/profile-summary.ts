/**
 * Where a V8 CPU profile (`node --cpu-prof`) spent its time: self time per
 * function and per file, and total (inclusive) time of the functions whose
 * name matches a pattern. FILE may be a folder: its largest profile (the main thread) is read.
 * --windows FILE keeps only samples inside the [start, end] µs intervals it lists (bench.ts
 * writes the measured rounds there), and --requests N turns times into µs per request. Usage:
 *   node --import tsx scripts/bench/profile-summary.ts FILE.cpuprofile|DIR [--top N] [--match REGEX] [--windows FILE] [--requests N]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, match: { type: 'string' }, windows: { type: 'string' }, requests: { type: 'string' } },
});
if (positionals.length !== 1) {
  process.stderr.write('usage: profile-summary.ts FILE.cpuprofile|DIR [--top N] [--match REGEX] [--windows FILE] [--requests N]\n');
  process.exit(2);
}
let file = positionals[0];
if (statSync(file).isDirectory()) {
  const profiles = readdirSync(file).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(file, f));
  if (!profiles.length) throw new Error(`no .cpuprofile in ${file}`);
  file = profiles.sort((a, b) => statSync(b).size - statSync(a).size)[0];
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const windows = values.windows ? (JSON.parse(readFileSync(values.windows, 'utf8')) as [number, number][]) : undefined;
const perRequest = values.requests ? Number(values.requests) : undefined;
const top = Number(values.top);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
let t = profile.startTime;
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i] ?? 0;
  if (windows && !windows.some(([a, b]) => t >= a && t <= b)) return;
  // The time up to the next sample is this sample's.
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
});
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

const shortUrl = (u: string) => u.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'nm/').replace(/^.*\/work\/main\//, '');
const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}${n.callFrame.url ? ':' + (n.callFrame.lineNumber + 1) : ''}`;

function add(m: Map<string, number>, k: string, v: number) {
  m.set(k, (m.get(k) ?? 0) + v);
}
const fnSelf = new Map<string, number>();
const fileSelf = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  add(fnSelf, label(n), us);
  add(fileSelf, shortUrl(n.callFrame.url) || `(${n.callFrame.functionName})`, us);
}

const busyUs = totalUs - [...selfUs].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
const fmt = (us: number) =>
  `${(us / 1000).toFixed(0).padStart(7)} ms ${((us / busyUs) * 100).toFixed(1).padStart(5)}%` + (perRequest ? ` ${(us / perRequest).toFixed(2).padStart(7)} µs/req` : '');
const print = (title: string, m: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of [...m].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${fmt(v)}  ${k}\n`);
};
process.stdout.write(`${file}\nsampled: ${(totalUs / 1000).toFixed(0)} ms, of which busy (not idle) ${(busyUs / 1000).toFixed(0)} ms${windows ? ` in ${windows.length} windows` : ''}; % are of busy time\n`);
print('self time by function', fnSelf);
print('self time by file', fileSelf);

if (values.match) {
  // Inclusive time: a sample counts once for each distinct matching frame on its stack.
  const re = new RegExp(values.match);
  const incl = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (re.test(l) && !seen.has(l)) {
        seen.add(l);
        add(incl, l, us);
      }
    }
  }
  print(`total (inclusive) time of frames matching /${values.match}/`, incl);
}
