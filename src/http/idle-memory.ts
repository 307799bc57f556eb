/**
 * Gives memory back while the server is idle. A start (and any burst of requests) grows V8's
 * young generation to its maximum, 16 MiB here, and V8 shrinks it again only in a full
 * collection that finds the allocation rate low over its last 5 s, which an idle process never
 * runs by itself: measured on the bundle, idle RSS stayed at ~100 MiB for as long as it ran, and
 * fell to ~81 MiB after two collections a few seconds apart (the young generation 16 → 2 MiB).
 *
 * So every `everyMs` (5 s) the collector looks at how many requests arrived: none since the
 * last look, and it runs a full collection, at most twice per quiet spell (the second is the
 * one that sees the low rate). A request starts a new spell. The cost is one collection (10–30
 * ms of one core) per quiet spell; a busy server never pays it.
 */
export interface IdleCollector {
  stop(): void;
}

export function startIdleCollector(opts: {
  /** A number that changes whenever a request arrives. */
  activity: () => number;
  /** A full collection (page-cache.ts: fullCollection), or null where it cannot be had. */
  collect: (() => void) | null;
  everyMs?: number;
}): IdleCollector {
  const collect = opts.collect;
  if (!collect) return { stop() {} };
  let seen = opts.activity();
  let collected = 0;
  const timer = setInterval(() => {
    const now = opts.activity();
    if (now !== seen) {
      seen = now;
      collected = 0;
      return;
    }
    if (collected >= 2) return;
    collected++;
    collect();
  }, opts.everyMs ?? 5000).unref();
  return { stop: () => clearInterval(timer) };
}
