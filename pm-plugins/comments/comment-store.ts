/**
 * The comments' tables and every query on them, through Kysely (parameters
 * only). A *thread* is the comments of one stored page: `post:{postId}` for a
 * blog post (it keeps its comments when its address changes), or
 * `page:{langcode}:{urlPath}` for a template page.
 *
 * - `pm_comment`: one row per comment, with its status (`published`, `held`,
 *   `spam`), the points the spam rules gave it and why, and its size in bytes.
 * - `pm_comment_thread`: one row per page that showed the component: where it
 *   is (to re-render it), when it was first shown (auto-close counts from
 *   there) and its own mode (`default`, `publish`, `hold`, `closed`).
 * - `pm_comment_site`: per site, the settings changed in the dashboard (JSON),
 *   the automatic shut-off (until when, why) and the bytes all its comments take.
 * - `pm_comment_nonce`: tokens already used (replay protection), until they expire.
 */
import type { Migration, PluginServer } from '../../src/plugins/plugin.js';

export const COMMENT_TABLES = ['pm_comment', 'pm_comment_thread', 'pm_comment_site', 'pm_comment_nonce'] as const;

export type CommentStatus = 'published' | 'held' | 'spam';
export type ThreadMode = 'default' | 'publish' | 'hold' | 'closed';

export interface Comment {
  commentId: string;
  siteId: string;
  threadKey: string;
  parentId: string | null;
  name: string;
  website: string;
  email: string;
  body: string;
  status: CommentStatus;
  points: number;
  reasons: { rule: string; points: number }[];
  notifyReplies: boolean;
  sizeBytes: number;
  createdAt: number;
  updatedAt: number;
}

export interface Thread {
  siteId: string;
  threadKey: string;
  kind: 'page' | 'post';
  langcode: string;
  urlPath: string;
  postId: string | null;
  mode: ThreadMode;
  firstShownAt: number;
}

export interface SiteState {
  settings: Record<string, unknown>;
  closedUntil: number | null;
  closedReason: string;
  storedBytes: number;
}

type CommentTables = {
  pm_comment: {
    comment_id: string;
    site_id: string;
    thread_key: string;
    parent_id: string | null;
    name: string;
    website: string;
    email: string;
    body: string;
    body_hash: string;
    status: string;
    points: number;
    reasons: string;
    ip_hash: string;
    notify_replies: number;
    size_bytes: number;
    created_at: number;
    updated_at: number;
  };
  pm_comment_thread: { site_id: string; thread_key: string; kind: string; langcode: string; url_path: string; post_id: string | null; mode: string; first_shown_at: number };
  pm_comment_site: { site_id: string; settings: string; closed_until: number | null; closed_reason: string; stored_bytes: number };
  pm_comment_nonce: { nonce: string; site_id: string; expires_at: number };
};

export const commentMigrations: Migration[] = [
  {
    version: 1,
    name: 'comments, threads, site state, used tokens',
    up: async ({ schema, column }) => {
      await schema
        .createTable('pm_comment')
        .addColumn('comment_id', column.text, (c) => c.primaryKey())
        .addColumn('site_id', column.text, (c) => c.notNull().references('pm_site.site_id').onDelete('cascade'))
        .addColumn('thread_key', column.text, (c) => c.notNull())
        .addColumn('parent_id', column.text)
        .addColumn('name', column.text, (c) => c.notNull())
        .addColumn('website', column.text, (c) => c.notNull().defaultTo(''))
        .addColumn('email', column.text, (c) => c.notNull().defaultTo(''))
        .addColumn('body', column.text, (c) => c.notNull())
        .addColumn('body_hash', column.text, (c) => c.notNull())
        .addColumn('status', column.text, (c) => c.notNull())
        .addColumn('points', column.integer, (c) => c.notNull().defaultTo(0))
        .addColumn('reasons', column.text, (c) => c.notNull().defaultTo('[]'))
        .addColumn('ip_hash', column.text, (c) => c.notNull())
        .addColumn('notify_replies', column.integer, (c) => c.notNull().defaultTo(0))
        .addColumn('size_bytes', column.integer, (c) => c.notNull())
        .addColumn('created_at', column.bigint, (c) => c.notNull())
        .addColumn('updated_at', column.bigint, (c) => c.notNull())
        .execute();
      await schema.createIndex('pm_comment_thread_list').on('pm_comment').columns(['site_id', 'thread_key', 'status', 'created_at']).execute();
      await schema.createIndex('pm_comment_site_status').on('pm_comment').columns(['site_id', 'status', 'created_at']).execute();
      await schema.createIndex('pm_comment_site_time').on('pm_comment').columns(['site_id', 'created_at']).execute();
      await schema.createIndex('pm_comment_ip').on('pm_comment').columns(['site_id', 'ip_hash', 'created_at']).execute();
      await schema.createIndex('pm_comment_body').on('pm_comment').columns(['site_id', 'body_hash']).execute();
      await schema.createIndex('pm_comment_parent').on('pm_comment').columns(['parent_id']).execute();
      await schema
        .createTable('pm_comment_thread')
        .addColumn('site_id', column.text, (c) => c.notNull().references('pm_site.site_id').onDelete('cascade'))
        .addColumn('thread_key', column.text, (c) => c.notNull())
        .addColumn('kind', column.text, (c) => c.notNull())
        .addColumn('langcode', column.text, (c) => c.notNull())
        .addColumn('url_path', column.text, (c) => c.notNull())
        .addColumn('post_id', column.text)
        .addColumn('mode', column.text, (c) => c.notNull().defaultTo('default'))
        .addColumn('first_shown_at', column.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('pm_comment_thread_pk', ['site_id', 'thread_key'])
        .execute();
      await schema
        .createTable('pm_comment_site')
        .addColumn('site_id', column.text, (c) => c.primaryKey().references('pm_site.site_id').onDelete('cascade'))
        .addColumn('settings', column.text, (c) => c.notNull().defaultTo('{}'))
        .addColumn('closed_until', column.bigint)
        .addColumn('closed_reason', column.text, (c) => c.notNull().defaultTo(''))
        .addColumn('stored_bytes', column.bigint, (c) => c.notNull().defaultTo(0))
        .execute();
      await schema
        .createTable('pm_comment_nonce')
        .addColumn('nonce', column.text, (c) => c.primaryKey())
        .addColumn('site_id', column.text, (c) => c.notNull())
        .addColumn('expires_at', column.bigint, (c) => c.notNull())
        .execute();
      await schema.createIndex('pm_comment_nonce_expiry').on('pm_comment_nonce').columns(['expires_at']).execute();
    },
  },
];

type Row = CommentTables['pm_comment'];

const fromRow = (r: Row): Comment => ({
  commentId: r.comment_id,
  siteId: r.site_id,
  threadKey: r.thread_key,
  parentId: r.parent_id,
  name: r.name,
  website: r.website,
  email: r.email,
  body: r.body,
  status: r.status as CommentStatus,
  points: Number(r.points),
  reasons: safeJson(r.reasons, []),
  notifyReplies: Number(r.notify_replies) === 1,
  sizeBytes: Number(r.size_bytes),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

function safeJson<T>(s: string, dflt: T): T {
  try {
    return JSON.parse(s) as T;
  } catch {
    return dflt;
  }
}

const threadFromRow = (r: CommentTables['pm_comment_thread']): Thread => ({
  siteId: r.site_id,
  threadKey: r.thread_key,
  kind: r.kind === 'post' ? 'post' : 'page',
  langcode: r.langcode,
  urlPath: r.url_path,
  postId: r.post_id,
  mode: (['publish', 'hold', 'closed'].includes(r.mode) ? r.mode : 'default') as ThreadMode,
  firstShownAt: Number(r.first_shown_at),
});

/** A comment as inserted: a stored Comment less `updatedAt` (the insert sets it to `createdAt`), plus the two hashes the store keeps but does not return. */
export interface NewComment extends Omit<Comment, 'updatedAt'> {
  bodyHash: string;
  ipHash: string;
}

export function createCommentStore(server: PluginServer) {
  const { db, sql } = server;
  const k = server.kysely.withTables<CommentTables>();

  const ensureSite = (siteId: string) =>
    k.insertInto('pm_comment_site').values({ site_id: siteId, settings: '{}', closed_until: null, closed_reason: '', stored_bytes: 0 }).onConflict((oc) => oc.column('site_id').doNothing()).execute();

  return {
    async get(commentId: string): Promise<Comment | undefined> {
      const r = await k.selectFrom('pm_comment').selectAll().where('comment_id', '=', commentId).executeTakeFirst();
      return r && fromRow(r);
    },
    /** A thread's comments in one status, oldest first (how a page shows them). */
    async inThread(siteId: string, threadKey: string, status: CommentStatus, limit = 1000): Promise<Comment[]> {
      const rows = await k
        .selectFrom('pm_comment')
        .selectAll()
        .where('site_id', '=', siteId)
        .where('thread_key', '=', threadKey)
        .where('status', '=', status)
        .orderBy('created_at', 'asc')
        .orderBy('comment_id', 'asc')
        .limit(limit)
        .execute();
      return rows.map(fromRow);
    },
    /** The site's comments in a status, newest first (the moderation queue, the spam folder). */
    async list(o: { siteId: string; status?: CommentStatus; threadKey?: string; limit?: number; offset?: number }): Promise<Comment[]> {
      let q = k.selectFrom('pm_comment').selectAll().where('site_id', '=', o.siteId);
      if (o.status) q = q.where('status', '=', o.status);
      if (o.threadKey) q = q.where('thread_key', '=', o.threadKey);
      const rows = await q.orderBy('created_at', 'desc').orderBy('comment_id', 'desc').limit(Math.min(o.limit ?? 50, 500)).offset(Math.max(0, o.offset ?? 0)).execute();
      return rows.map(fromRow);
    },
    async counts(siteId: string): Promise<Record<CommentStatus, number>> {
      const rows = await k.selectFrom('pm_comment').select(['status', (e) => e.fn.countAll<number>().as('n')]).where('site_id', '=', siteId).groupBy('status').execute();
      const out: Record<CommentStatus, number> = { published: 0, held: 0, spam: 0 };
      for (const r of rows) if (r.status in out) out[r.status as CommentStatus] = Number(r.n);
      return out;
    },
    /**
     * Stores a comment if its bytes keep the site's comments within `capBytes`: the counter and
     * the row in one transaction, the counter checked in its UPDATE, so two posts cannot both pass.
     */
    async insert(c: NewComment, limits: { capBytes: number; rate?: { since: number; max: number } }): Promise<'stored' | 'cap' | 'rate'> {
      await ensureSite(c.siteId);
      const overRate = new Error('over the rate');
      try {
        return await db.transaction(async (tx) => {
          const t = tx.kysely.withTables<CommentTables>();
          // The site's row is locked from here to the commit (PostgreSQL; SQLite has one writer), so
          // the count below sees every comment stored before this one: concurrent posts cannot all
          // pass the rate together.
          const r = await tx.run(
            t
              .updateTable('pm_comment_site')
              .set({ stored_bytes: sql`stored_bytes + ${c.sizeBytes}` })
              .where('site_id', '=', c.siteId)
              .where(sql<boolean>`stored_bytes + ${c.sizeBytes} <= ${limits.capBytes}`),
          );
          if (r.changes !== 1) return 'cap' as const;
          if (limits.rate) {
            const n = await tx.get(t.selectFrom('pm_comment').select((e) => e.fn.countAll<number>().as('n')).where('site_id', '=', c.siteId).where('created_at', '>=', limits.rate.since));
            // Thrown to roll the byte counter back.
            if (Number(n?.n ?? 0) >= limits.rate.max) throw overRate;
          }
          await t
            .insertInto('pm_comment')
            .values({
              comment_id: c.commentId,
              site_id: c.siteId,
              thread_key: c.threadKey,
              parent_id: c.parentId,
              name: c.name,
              website: c.website,
              email: c.email,
              body: c.body,
              body_hash: c.bodyHash,
              status: c.status,
              points: Math.round(c.points),
              reasons: JSON.stringify(c.reasons),
              ip_hash: c.ipHash,
              notify_replies: c.notifyReplies ? 1 : 0,
              size_bytes: c.sizeBytes,
              created_at: c.createdAt,
              updated_at: c.createdAt,
            })
            .execute();
          return 'stored' as const;
        });
      } catch (e) {
        if (e === overRate) return 'rate';
        throw e;
      }
    },
    async setStatus(siteId: string, commentIds: string[], status: CommentStatus): Promise<Comment[]> {
      if (!commentIds.length) return [];
      await k.updateTable('pm_comment').set({ status, updated_at: Date.now() }).where('site_id', '=', siteId).where('comment_id', 'in', commentIds).execute();
      return (await k.selectFrom('pm_comment').selectAll().where('site_id', '=', siteId).where('comment_id', 'in', commentIds).execute()).map(fromRow);
    },
    async update(siteId: string, commentId: string, patch: { name?: string; website?: string; body?: string; bodyHash?: string; sizeBytes?: number }): Promise<Comment | undefined> {
      const before = await this.get(commentId);
      if (!before || before.siteId !== siteId) return undefined;
      const set: Partial<Row> = { updated_at: Date.now() };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.website !== undefined) set.website = patch.website;
      if (patch.body !== undefined) set.body = patch.body;
      if (patch.bodyHash !== undefined) set.body_hash = patch.bodyHash;
      if (patch.sizeBytes !== undefined) set.size_bytes = patch.sizeBytes;
      await db.transaction(async (tx) => {
        const t = tx.kysely.withTables<CommentTables>();
        await t.updateTable('pm_comment').set(set).where('comment_id', '=', commentId).execute();
        if (patch.sizeBytes !== undefined) await t.updateTable('pm_comment_site').set({ stored_bytes: sql`stored_bytes + ${patch.sizeBytes - before.sizeBytes}` }).where('site_id', '=', siteId).execute();
      });
      return this.get(commentId);
    },
    /** Deletes comments (and replies to them) and gives their bytes back; returns what went. */
    async remove(siteId: string, commentIds: string[]): Promise<Comment[]> {
      if (!commentIds.length) return [];
      return db.transaction(async (tx) => {
        const t = tx.kysely.withTables<CommentTables>();
        const rows = await t
          .selectFrom('pm_comment')
          .selectAll()
          .where('site_id', '=', siteId)
          .where((e) => e.or([e('comment_id', 'in', commentIds), e('parent_id', 'in', commentIds)]))
          .execute();
        if (!rows.length) return [];
        const ids = rows.map((r) => r.comment_id);
        await t.deleteFrom('pm_comment').where('site_id', '=', siteId).where('comment_id', 'in', ids).execute();
        const bytes = rows.reduce((n, r) => n + Number(r.size_bytes), 0);
        await t
          .updateTable('pm_comment_site')
          .set({ stored_bytes: sql`CASE WHEN stored_bytes > ${bytes} THEN stored_bytes - ${bytes} ELSE 0 END` })
          .where('site_id', '=', siteId)
          .execute();
        return rows.map(fromRow);
      });
    },
    /** Spam older than `before` goes (the spam folder keeps a week); returns how many per site. */
    async purgeSpam(before: number): Promise<number> {
      const rows = await k.selectFrom('pm_comment').select(['site_id', 'comment_id']).where('status', '=', 'spam').where('created_at', '<', before).limit(5000).execute();
      const bySite = new Map<string, string[]>();
      for (const r of rows) (bySite.get(r.site_id) ?? bySite.set(r.site_id, []).get(r.site_id)!).push(r.comment_id);
      let n = 0;
      for (const [siteId, ids] of bySite) for (let i = 0; i < ids.length; i += 500) n += (await this.remove(siteId, ids.slice(i, i + 500))).length;
      return n;
    },
    async countSince(o: { siteId: string; since: number; ipHash?: string; threadKey?: string }): Promise<number> {
      let q = k.selectFrom('pm_comment').select((e) => e.fn.countAll<number>().as('n')).where('site_id', '=', o.siteId).where('created_at', '>=', o.since);
      if (o.ipHash) q = q.where('ip_hash', '=', o.ipHash);
      if (o.threadKey) q = q.where('thread_key', '=', o.threadKey);
      return Number((await q.executeTakeFirst())?.n ?? 0);
    },
    async bodySeen(siteId: string, bodyHash: string): Promise<boolean> {
      return !!(await k.selectFrom('pm_comment').select('comment_id').where('site_id', '=', siteId).where('body_hash', '=', bodyHash).limit(1).executeTakeFirst());
    },
    async setNotify(commentId: string, on: boolean): Promise<boolean> {
      const r = await db.run(k.updateTable('pm_comment').set({ notify_replies: on ? 1 : 0 }).where('comment_id', '=', commentId));
      return r.changes === 1;
    },

    // Threads.
    async thread(siteId: string, threadKey: string): Promise<Thread | undefined> {
      const r = await k.selectFrom('pm_comment_thread').selectAll().where('site_id', '=', siteId).where('thread_key', '=', threadKey).executeTakeFirst();
      return r && threadFromRow(r);
    },
    /** Records (or moves) where a thread is shown; its first time shown stays. */
    async touchThread(t: Omit<Thread, 'mode' | 'firstShownAt'>, now: number): Promise<Thread> {
      await k
        .insertInto('pm_comment_thread')
        .values({ site_id: t.siteId, thread_key: t.threadKey, kind: t.kind, langcode: t.langcode, url_path: t.urlPath, post_id: t.postId, mode: 'default', first_shown_at: now })
        .onConflict((oc) => oc.columns(['site_id', 'thread_key']).doUpdateSet({ langcode: t.langcode, url_path: t.urlPath }))
        .execute();
      return (await this.thread(t.siteId, t.threadKey))!;
    },
    async threads(siteId: string, limit = 500): Promise<Thread[]> {
      return (await k.selectFrom('pm_comment_thread').selectAll().where('site_id', '=', siteId).orderBy('first_shown_at', 'desc').limit(limit).execute()).map(threadFromRow);
    },
    async setThreadMode(siteId: string, threadKey: string, mode: ThreadMode): Promise<boolean> {
      const r = await db.run(k.updateTable('pm_comment_thread').set({ mode }).where('site_id', '=', siteId).where('thread_key', '=', threadKey));
      return r.changes === 1;
    },

    // The site's state.
    async site(siteId: string): Promise<SiteState> {
      await ensureSite(siteId);
      const r = (await k.selectFrom('pm_comment_site').selectAll().where('site_id', '=', siteId).executeTakeFirst())!;
      return { settings: safeJson(r.settings, {}), closedUntil: r.closed_until === null ? null : Number(r.closed_until), closedReason: r.closed_reason, storedBytes: Number(r.stored_bytes) };
    },
    async saveSettings(siteId: string, settings: Record<string, unknown>): Promise<void> {
      await ensureSite(siteId);
      await k.updateTable('pm_comment_site').set({ settings: JSON.stringify(settings) }).where('site_id', '=', siteId).execute();
    },
    /** Closes commenting until `until`, only if it is open now: true for the one caller that closed it. */
    async close(siteId: string, until: number, reason: string, now: number): Promise<boolean> {
      await ensureSite(siteId);
      const r = await db.run(
        k
          .updateTable('pm_comment_site')
          .set({ closed_until: until, closed_reason: reason })
          .where('site_id', '=', siteId)
          .where((e) => e.or([e('closed_until', 'is', null), e('closed_until', '<=', now)])),
      );
      return r.changes === 1;
    },
    /** Reopens; true when it was closed. */
    async reopen(siteId: string): Promise<boolean> {
      const r = await db.run(k.updateTable('pm_comment_site').set({ closed_until: null, closed_reason: '' }).where('site_id', '=', siteId).where('closed_until', 'is not', null));
      return r.changes === 1;
    },

    // Used tokens.
    /** Records a token as used; false when it already was (a replay). */
    async useNonce(siteId: string, nonce: string, expiresAt: number): Promise<boolean> {
      const r = await db.run(k.insertInto('pm_comment_nonce').values({ nonce, site_id: siteId, expires_at: expiresAt }).onConflict((oc) => oc.column('nonce').doNothing()));
      return r.changes === 1;
    },
    async forgetNonce(nonce: string): Promise<void> {
      await k.deleteFrom('pm_comment_nonce').where('nonce', '=', nonce).execute();
    },
    async purgeNonces(now: number): Promise<number> {
      const r = await db.run(k.deleteFrom('pm_comment_nonce').where('expires_at', '<', now));
      return r.changes;
    },
  };
}

export type CommentStore = ReturnType<typeof createCommentStore>;
