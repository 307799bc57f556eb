/**
 * One promise chain per site: `run(siteId, fn)` starts `fn` once every
 * earlier `run` on that site has settled. The address service owns one, so
 * a check and the write it allows cannot interleave with another such write
 * in this process.
 */
export interface SiteLocks {
  run<T>(siteId: string, fn: () => Promise<T>): Promise<T>;
}

export function createSiteLocks(): SiteLocks {
  const tails = new Map<string, Promise<void>>();
  return {
    async run(siteId, fn) {
      const before = tails.get(siteId) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const tail = before.then(() => mine);
      tails.set(siteId, tail);
      await before;
      try {
        return await fn();
      } finally {
        release();
        if (tails.get(siteId) === tail) tails.delete(siteId);
      }
    },
  };
}
