/**
 * The automatic shut-off: commenting closes for the whole site when too many comments arrive
 * within the window (the rate) or when the site's comments would pass the cap (the size; the
 * store keeps the byte counter, raised in the insert's own transaction). Closing is one
 * conditional UPDATE of `pm_comment_site` (exactly one request wins and does the work: every
 * page with comments rendered once, the owner mailed, the reopen job scheduled); reopening,
 * by the job after the cool-down or by hand, renders the pages once more. The comment service
 * calls these where its rules say so.
 */
import type { PluginServer, Site } from '../../src/plugins/plugin.js';
import type { CommentSettings } from './comment-settings.js';
import type { CommentStore } from './comment-store.js';
import type { MailLike } from './comment-mail.js';

export const REOPEN_JOB = 'comments.reopen';

export interface ShutOffState {
  closed: boolean;
  until: number | null;
  reason: string;
  storedBytes: number;
  capBytes: number;
}

export interface ShutOff {
  /** More than `shutoffMax` comments across the site within the window, counting from `t`. */
  overRate(siteId: string, s: CommentSettings, t: number): Promise<boolean>;
  /** Closes commenting for the site (once: a second caller while it is closed does nothing). */
  close(siteId: string, reason: 'rate' | 'size', s: CommentSettings): Promise<void>;
  /** By hand: false when it was not closed. */
  reopen(siteId: string): Promise<boolean>;
  /** The reopen job: reopens when the cool-down is over, or schedules itself again. */
  reopenDue(siteId: string): Promise<void>;
  /** As the dashboard shows it. */
  state(siteId: string, s: CommentSettings): Promise<ShutOffState>;
}

export function createShutOff(o: {
  server: PluginServer;
  store: CommentStore;
  mail?: MailLike;
  now: () => number;
  site: (siteId: string) => Site;
  /** Renders every page with comments once. */
  refreshSite: (siteId: string) => Promise<void>;
}): ShutOff {
  const { server, store, now, site, refreshSite } = o;

  async function overRate(siteId: string, s: CommentSettings, t: number): Promise<boolean> {
    return (await store.countSince({ siteId, since: t - s.shutoffWindowMinutes * 60_000 })) >= s.shutoffMax;
  }

  async function close(siteId: string, reason: 'rate' | 'size', s: CommentSettings): Promise<void> {
    const t = now();
    const until = t + s.cooldownMinutes * 60_000;
    if (!(await store.close(siteId, until, reason, t))) return;
    server.log.warn('comments shut off', { siteId, reason, until: new Date(until).toISOString() });
    await server.jobs.schedule({ kind: REOPEN_JOB, key: siteId, runAt: until, siteId, payload: { siteId } });
    await refreshSite(siteId);
    const why =
      reason === 'rate'
        ? `More than ${s.shutoffMax} comments arrived within ${s.shutoffWindowMinutes} minutes.`
        : `The comments of the site take more than ${Math.round(s.capBytes / 1024)} KiB, the cap set for them.`;
    const title = site(siteId).title;
    await o.mail
      ?.notifyOwner({
        siteId,
        subject: `Comments on ${title} are closed for a while`,
        text: `${why}\n\nCommenting on ${title} closed by itself at ${new Date(t).toISOString()} and reopens at ${new Date(until).toISOString()} (UTC). Visitors see "Comments are closed for a while"; nothing more is stored meanwhile.\n\nYou can reopen it earlier, or change the limits, in the dashboard: Comments → Settings.\n`,
      })
      .catch((e: Error) => server.log.error('mailing the owner about a comment shut-off failed', { err: e.message }));
  }

  async function reopen(siteId: string): Promise<boolean> {
    if (!(await store.reopen(siteId))) return false;
    await server.jobs.cancel(REOPEN_JOB, siteId).catch(() => false);
    server.log.info('comments reopened', { siteId });
    await refreshSite(siteId);
    return true;
  }
  async function reopenDue(siteId: string): Promise<void> {
    const st = await store.site(siteId);
    if (st.closedUntil === null) return;
    if (st.closedUntil > now()) {
      await server.jobs.schedule({ kind: REOPEN_JOB, key: siteId, runAt: st.closedUntil, siteId, payload: { siteId } });
      return;
    }
    if (await store.reopen(siteId)) await refreshSite(siteId);
  }
  async function state(siteId: string, s: CommentSettings): Promise<ShutOffState> {
    const st = await store.site(siteId);
    return { closed: st.closedUntil !== null && st.closedUntil > now(), until: st.closedUntil, reason: st.closedReason, storedBytes: st.storedBytes, capBytes: s.capBytes };
  }

  return { overRate, close, reopen, reopenDue, state };
}
