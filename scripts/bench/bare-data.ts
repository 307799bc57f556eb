import { readFileSync } from 'node:fs';
import type { BareIndex } from './seed.js';

export interface BarePage {
  gz: Buffer;
  etag: string;
  length: string;
}

/** URL → the gzipped bytes pm_page holds, loaded once at start. */
export function loadBarePages(bin: string, index: string): Map<string, BarePage> {
  const data = readFileSync(bin);
  const { entries } = JSON.parse(readFileSync(index, 'utf8')) as BareIndex;
  const map = new Map<string, BarePage>();
  for (const e of entries) {
    const gz = data.subarray(e.offset, e.offset + e.length);
    map.set(e.url, { gz, etag: e.etag, length: String(gz.length) });
  }
  return map;
}

/** Tells the parent which port was bound, and exits cleanly on SIGTERM (so --cpu-prof is written). */
export function announce(port: number): void {
  process.on('SIGTERM', () => process.exit(0));
  process.send?.({ port });
}
