/**
 * Which stored page shows a thread, and rendering it again after a change: the thread's
 * snippet is dropped from the components cache and its one page re-rendered. Re-renders of
 * one thread are coalesced, so a burst of comments on a page costs two renders, not one each.
 * The comment service decides what to refresh; this file only does it.
 */
import type { PluginServer } from '../../src/plugins/plugin.js';
import type { CommentStore } from './comment-store.js';

/** The components-cache key of a thread's HTML on one page. */
export const cacheKey = (threadKey: string, langcode: string, urlPath: string) => `comments:${threadKey}@${langcode}:${urlPath}`;

export interface ThreadRefresh {
  /** Renders the thread's page again (coalesced with the renders already asked for). */
  refresh(siteId: string, threadKey: string): Promise<void>;
  /** Each thread once; a failure is logged, never thrown (the change it follows is stored). */
  refreshAll(siteId: string, threadKeys: Iterable<string>): Promise<void>;
  /** Every page with the comments component (a shut-off, a reopening): once each. */
  refreshSite(siteId: string): Promise<void>;
}

export function createThreadRefresh(o: { server: PluginServer; store: CommentStore }): ThreadRefresh {
  const { server, store } = o;

  /**
   * Re-renders of one thread, coalesced: while one runs, every caller after it shares ONE more,
   * which starts when the first ends and so shows everything stored before it was asked for.
   * A burst of comments on a page costs two renders, not one per comment.
   */
  const renders = new Map<string, { running: Promise<void>; begun: boolean; queued?: Promise<void> }>();
  function refresh(siteId: string, threadKey: string): Promise<void> {
    const id = `${siteId}\0${threadKey}`;
    const st = renders.get(id);
    // A render starts after the requests already received (setImmediate): on SQLite every query
    // returns at once, so one started now would run before the rest of a burst is even stored.
    const start = (): { running: Promise<void>; begun: boolean } => {
      const entry = { running: Promise.resolve(), begun: false };
      const p: Promise<void> = new Promise<void>((r) => setImmediate(r))
        .then(() => {
          entry.begun = true;
          return renderThread(siteId, threadKey);
        })
        .finally(() => {
          const now2 = renders.get(id);
          if (now2 && now2.running === p && !now2.queued) renders.delete(id);
        });
      entry.running = p;
      return entry;
    };
    if (!st) {
      const e = start();
      renders.set(id, e);
      return e.running;
    }
    if (!st.begun) return st.running;
    if (!st.queued) {
      st.queued = st.running
        .catch(() => undefined)
        .then(() => {
          const next = start();
          renders.set(id, next);
          return next.running;
        });
    }
    return st.queued;
  }

  /** Drops the thread's snippet and renders its one page again. */
  async function renderThread(siteId: string, threadKey: string): Promise<void> {
    const t = await store.thread(siteId, threadKey);
    if (!t) return;
    server.components.delete(siteId, cacheKey(threadKey, t.langcode, t.urlPath));
    await server.rerenderPage({ siteId, langcode: t.langcode, urlPath: t.urlPath, kind: t.kind, postId: t.postId ?? undefined });
  }
  async function refreshAll(siteId: string, threadKeys: Iterable<string>): Promise<void> {
    for (const k of new Set(threadKeys)) {
      try {
        await refresh(siteId, k);
      } catch (e) {
        server.log.error('re-rendering a page after a comment change failed', { siteId, threadKey: k, err: (e as Error).message });
      }
    }
  }
  async function refreshSite(siteId: string): Promise<void> {
    await refreshAll(siteId, (await store.threads(siteId, 100_000)).map((t) => t.threadKey));
  }

  return { refresh, refreshAll, refreshSite };
}
