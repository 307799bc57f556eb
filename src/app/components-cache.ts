import type { ComponentsCache } from '../plugins/api.js';

/** Per-site HTML snippets, computed on a miss; the app clears a site's entries when one of its pages changes. */
export function createComponentsCache(): ComponentsCache {
  const bySite = new Map<string, Map<string, Promise<string>>>();
  return {
    get(siteId, key, compute) {
      let m = bySite.get(siteId);
      if (!m) bySite.set(siteId, (m = new Map()));
      let v = m.get(key);
      if (!v) {
        v = Promise.resolve().then(compute);
        m.set(key, v);
        // A failed computation is not remembered.
        v.catch(() => m!.delete(key));
      }
      return v;
    },
    invalidate(siteId) {
      if (siteId === undefined) bySite.clear();
      else bySite.delete(siteId);
    },
  };
}
