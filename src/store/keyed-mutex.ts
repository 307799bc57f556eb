/**
 * One promise chain per key: `run(key, fn)` starts `fn` once every earlier
 * `run` on that key has settled. The in-process half of `Db.withLock`: a
 * process takes its own turn here first, so it holds at most one database
 * lock (a pooled connection, a lease row) per key, however many of its
 * requests wait. Not reentrant: `run(k)` inside `run(k)` waits for itself.
 */
export interface KeyedMutex {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export function createKeyedMutex(): KeyedMutex {
  const tails = new Map<string, Promise<void>>();
  return {
    async run(key, fn) {
      const before = tails.get(key) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const tail = before.then(() => mine);
      tails.set(key, tail);
      await before;
      try {
        return await fn();
      } finally {
        release();
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}
