import { LRUCache } from 'lru-cache';
import type { ComponentPage, ComponentProvider, ComponentsCache, ComponentDeps } from '../plugins/api.js';

/** What one entry costs: its HTML and its key, in bytes (UTF-8 of JS strings ≈ 2 bytes per char at worst, counted as stored). */
const sizeOf = (key: string, html: string) => Buffer.byteLength(html) + Buffer.byteLength(key) + 64;

const pageRef = (langcode: string, urlPath: string) => `${langcode}\0${urlPath}`;

/**
 * Per-site HTML snippets plugins compute on a miss (`get`), and the components
 * templates include as `it.components.NAME` (`provide` / `renderFor`).
 *
 * Entries are dropped by key: `delete(siteId, key)` by the plugin whose data
 * changed, or a page change for the entries that declared they depend on that
 * page (`dependsOn.pages`) or on every page of the site (`dependsOn.site`).
 * Nothing else is dropped by a page change. The whole cache is an LRU bounded
 * by bytes (the HTML plus its key); an evicted entry is computed again on the
 * next miss.
 */
export function createComponentsCache(opts: { maxBytes?: number } = {}): ComponentsCache & { pageChanged(siteId: string, langcode: string, urlPath: string): void; readonly bytes: number } {
  const maxBytes = Math.max(1024, opts.maxBytes ?? 16 * 1024 * 1024);
  // siteId\0key → what it depends on, to unindex it when it goes.
  const depsOf = new Map<string, { siteId: string; refs: string[]; site: boolean }>();
  // siteId → page ref → entry ids; siteId → entry ids depending on every page.
  const byPage = new Map<string, Map<string, Set<string>>>();
  const bySite = new Map<string, Set<string>>();
  // Computations in flight; one whose entry was dropped meanwhile is no longer here, and is not stored.
  const inflight = new Map<string, Promise<string>>();
  const providers = new Map<string, { render: ComponentProvider; shown?: (page: ComponentPage) => Promise<void> | void }>();
  // A record renderFor made → the names a template read from it.
  const reads = new WeakMap<object, Set<string>>();

  const unindex = (id: string) => {
    const d = depsOf.get(id);
    if (!d) return;
    depsOf.delete(id);
    const pages = byPage.get(d.siteId);
    for (const r of d.refs) {
      const set = pages?.get(r);
      set?.delete(id);
      if (set && set.size === 0) pages!.delete(r);
    }
    if (pages && pages.size === 0) byPage.delete(d.siteId);
    if (d.site) bySite.get(d.siteId)?.delete(id);
  };

  const lru = new LRUCache<string, string>({
    maxSize: maxBytes,
    sizeCalculation: (html, id) => sizeOf(id, html),
    // Evicted, replaced or deleted: its dependency index goes with it.
    dispose: (_v, id, reason) => {
      if (reason !== 'set') unindex(id);
    },
  });

  const drop = (id: string) => {
    inflight.delete(id);
    lru.delete(id);
    unindex(id);
  };

  const index = (id: string, siteId: string, deps: ComponentDeps | undefined) => {
    unindex(id);
    const refs = (deps?.pages ?? []).map((p) => pageRef(p.langcode, p.urlPath));
    const site = !!deps?.site;
    if (!refs.length && !site) return;
    depsOf.set(id, { siteId, refs, site });
    if (refs.length) {
      let pages = byPage.get(siteId);
      if (!pages) byPage.set(siteId, (pages = new Map()));
      for (const r of refs) {
        let set = pages.get(r);
        if (!set) pages.set(r, (set = new Set()));
        set.add(id);
      }
    }
    if (site) {
      let set = bySite.get(siteId);
      if (!set) bySite.set(siteId, (set = new Set()));
      set.add(id);
    }
  };

  const idOf = (siteId: string, key: string) => `${siteId}\0${key}`;

  return {
    get(siteId, key, compute, deps) {
      const id = idOf(siteId, key);
      const hit = lru.get(id);
      if (hit !== undefined) return Promise.resolve(hit);
      const running = inflight.get(id);
      if (running) return running;
      const p: Promise<string> = Promise.resolve()
        .then(compute)
        .then((html) => {
          const s = String(html);
          // Dropped while it was computing: the caller gets it, the cache does not keep it.
          if (inflight.get(id) === p) {
            lru.set(id, s);
            if (lru.has(id)) index(id, siteId, deps);
          }
          return s;
        })
        .finally(() => {
          if (inflight.get(id) === p) inflight.delete(id);
        });
      inflight.set(id, p);
      return p;
    },
    delete(siteId, key) {
      drop(idOf(siteId, key));
    },
    invalidate(siteId) {
      if (siteId === undefined) {
        for (const id of [...lru.keys(), ...inflight.keys()]) drop(id);
        return;
      }
      const prefix = `${siteId}\0`;
      for (const id of [...lru.keys(), ...inflight.keys()]) if (id.startsWith(prefix)) drop(id);
    },
    pageChanged(siteId, langcode, urlPath) {
      const ids = [...(byPage.get(siteId)?.get(pageRef(langcode, urlPath)) ?? []), ...(bySite.get(siteId) ?? [])];
      for (const id of ids) drop(id);
    },
    provide(name, provider, o = {}) {
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new Error(`a component name is letters, digits and underscores (got "${name}")`);
      if (providers.has(name)) throw new Error(`the component "${name}" is provided twice`);
      const entry = { render: provider, shown: o.shown };
      providers.set(name, entry);
      return () => void (providers.get(name) === entry && providers.delete(name));
    },
    async renderFor(page: ComponentPage) {
      const out: Record<string, string> = {};
      for (const [name, p] of providers) out[name] = String(await p.render(page));
      const read = new Set<string>();
      const tracked = new Proxy(out, {
        get(o, k) {
          if (typeof k === 'string' && k in o) read.add(k);
          return typeof k === 'string' ? o[k] : undefined;
        },
      });
      reads.set(tracked, read);
      return tracked;
    },
    async shown(page, record) {
      const read = record ? reads.get(record) : undefined;
      if (!read) return;
      for (const name of read) await providers.get(name)?.shown?.(page);
    },
    get bytes() {
      return lru.calculatedSize;
    },
  };
}
