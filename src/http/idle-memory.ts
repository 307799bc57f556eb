/**
 * Gives memory back while the server is idle. A start (and any burst of requests) grows V8's
 * young generation to its maximum, 16 MiB here, and V8 shrinks it again only in a full
 * collection that finds the allocation rate low over its last 5 s, which an idle process never
 * runs by itself: measured on the bundle, idle RSS stayed at ~100 MiB for as long as it ran, and
 * fell to ~78 MiB after two collections a few seconds apart (the young generation 16 → 2 MiB).
 *
 * So every `everyMs` (1 s) the collector looks at how many requests arrived, and counts the
 * looks in a row that saw none: at the counts in `atQuietTicks` (60 and 66: a minute into a
 * quiet spell, and once more 6 s later, the one that sees the low rate: V8 judges the rate over
 * the last 5 s, so the gap is a little longer than that) it runs a full collection.
 * Each is V8's memory-reducing ("last resort") collection (page-cache.ts:
 * memoryReducingCollection), which on Node 24 (the binary's) shrinks the young generation at
 * once; before Node 24 it is a plain one, and there the second collection is the one that
 * shrinks it. A request starts a new spell. The cost is two collections (10–30 ms
 * of one core each) per quiet spell; a busy server never pays it.
 *
 * Why a minute and not a few seconds (it was 2 s and 8 s): the seconds after such a collection
 * serve slower. Measured on 10,000 cached pages, wrk -c50 in 3 s loads with 6 s lulls, 8 rounds
 * (server pinned to one core): 100 µs of server CPU per request and a p99 of 106–195 ms, against
 * 75 µs and 16–53 ms for the same server without the collector. A site whose requests come a few
 * seconds apart paid that over and over; one quiet for a minute is idle, and pays it once.
 */
export interface IdleCollector {
  stop(): void;
}

export function startIdleCollector(opts: {
  /** A number that changes whenever a request arrives. */
  activity: () => number;
  /** A full collection (page-cache.ts: memoryReducingCollection), or null where it cannot be had. */
  collect: (() => void) | null;
  everyMs?: number;
  atQuietTicks?: readonly number[];
}): IdleCollector {
  const collect = opts.collect;
  if (!collect) return { stop() {} };
  const at = opts.atQuietTicks ?? [60, 66];
  const last = Math.max(...at);
  let seen = opts.activity();
  let quiet = 0;
  const timer = setInterval(() => {
    const now = opts.activity();
    if (now !== seen) {
      seen = now;
      quiet = 0;
      return;
    }
    if (quiet > last) return;
    quiet++;
    if (at.includes(quiet)) collect();
  }, opts.everyMs ?? 1000).unref();
  return { stop: () => clearInterval(timer) };
}
