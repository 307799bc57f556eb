import type { LoadResult } from './load-worker.js';

export interface Row {
  key: string;
  label: string;
  /** Minimum req/s as a share of the reference variant. */
  target?: number;
  /** The variant the ratios are to: (a) unless said (a post page is compared to bare Fastify serving the same post bytes). */
  ref?: string;
  rounds: LoadResult[];
}

export interface Summary {
  key: string;
  label: string;
  target?: number;
  ref: string;
  /** The best round: the one least disturbed by other work on the machine. */
  reqPerSec: number;
  p99: number;
  p50: number;
  allReqPerSec: number[];
  /** Server CPU per request over all rounds, in microseconds. */
  serverUsPerReq?: number;
  serverCpu?: number;
  loadgenCpu: number;
  otherCpu?: number;
  bad: number;
  ratio?: number;
  /** (a)'s server CPU per request divided by this one's: the ratio when the server alone is the limit. */
  costRatio?: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function summarize(rows: Row[]): Summary[] {
  const out: Summary[] = rows
    .filter((r) => r.rounds.length)
    .map((r) => {
      const best = r.rounds.reduce((a, b) => (b.reqPerSec > a.reqPerSec ? b : a));
      const total = r.rounds.reduce((n, x) => n + x.total, 0);
      const serverSec = r.rounds.every((x) => x.serverCpu !== undefined) ? r.rounds.reduce((n, x) => n + x.serverCpu! * x.wallSec, 0) : undefined;
      const others = r.rounds.map((x) => x.otherCpu).filter((x): x is number => x !== undefined);
      return {
        key: r.key,
        label: r.label,
        target: r.target,
        ref: r.ref ?? 'a',
        reqPerSec: best.reqPerSec,
        p99: best.p99,
        p50: best.p50,
        allReqPerSec: r.rounds.map((x) => x.reqPerSec),
        serverUsPerReq: serverSec === undefined || total === 0 ? undefined : (serverSec / total) * 1e6,
        serverCpu: r.rounds.every((x) => x.serverCpu !== undefined) ? mean(r.rounds.map((x) => x.serverCpu!)) : undefined,
        loadgenCpu: mean(r.rounds.map((x) => x.cpuShare)),
        otherCpu: others.length ? mean(others) : undefined,
        bad: r.rounds.reduce((n, x) => n + x.non2xx + x.errors, 0),
      };
    });
  for (const s of out) {
    const a = out.find((x) => x.key === s.ref);
    if (!a) continue;
    s.ratio = s.reqPerSec / a.reqPerSec;
    if (a.serverUsPerReq !== undefined && s.serverUsPerReq !== undefined) s.costRatio = a.serverUsPerReq / s.serverUsPerReq;
  }
  return out;
}

function table(head: string[], body: string[][], right: Set<number>): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const pct = (x: number | undefined) => (x === undefined ? '-' : `${Math.round(x * 100)}%`);
const verdict = (x: number | undefined, target: number | undefined) => (x === undefined || target === undefined ? '' : x >= target ? 'PASS' : 'MISS');

/** req/s, p99 and the ratio to (a), with each target from the issue and PASS/MISS; then the CPU cost view. */
export function formatTable(summaries: Summary[]): string {
  const body = summaries.map((s) => [
    `(${s.key}) ${s.label}${s.ref === 'a' ? '' : ` [vs (${s.ref})]`}`,
    Math.round(s.reqPerSec).toLocaleString('en-US'),
    s.p50.toFixed(0),
    s.p99.toFixed(0),
    s.ratio === undefined ? '-' : s.ratio.toFixed(2),
    s.target === undefined ? '' : `≥ ${s.target.toFixed(2)}`,
    verdict(s.ratio, s.target),
    s.serverUsPerReq === undefined ? '-' : s.serverUsPerReq.toFixed(0),
    s.costRatio === undefined ? '-' : s.costRatio.toFixed(2),
    verdict(s.costRatio, s.target),
    s.allReqPerSec.map((x) => Math.round(x)).join(' / '),
    pct(s.serverCpu),
    pct(s.loadgenCpu),
    pct(s.otherCpu),
    String(s.bad),
  ]);
  const head = ['variant', 'req/s', 'p50 ms', 'p99 ms', 'vs (a)', 'target', '', 'server µs/req', 'cost vs (a)', '', 'req/s per round', 'server CPU', 'loadgen CPU', 'other CPU', 'bad'];
  const note = summaries.some((s) => s.ratio === undefined) ? '\n(ratios need the reference variant in the run: (a), or the one in [brackets])' : '';
  return table(head, body, new Set([1, 2, 3, 4, 7, 8, 11, 12, 13, 14])) + note;
}
