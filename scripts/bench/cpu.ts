/** CPU accounting from /proc (Linux); undefined elsewhere. */
import { readFileSync } from 'node:fs';

/** CPU seconds (user + system) a process has used so far, from /proc; undefined where there is none. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted after the ")" that ends the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds the whole machine spent so far in processes (user, nice, system) and stolen by the
 * hypervisor, from /proc/stat; interrupt time (the loopback network stack) is left out.
 */
export function machineCpuSeconds(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const n = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user).
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: (n[0] + n[1] + n[2] + n[7]) / 100, total: total / 100 };
  } catch {
    return undefined;
  }
}
