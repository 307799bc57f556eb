/**
 * The blog's rules, once, for the dashboard, the JSON API and the scheduler:
 * who may write which post, what a post may hold, unique slugs, scheduling,
 * and which pages re-render when a post changes (fan-out.ts).
 */
import { ulid } from 'ulid';
import { PmError } from '../../src/plugins/plugin.js';
import type { PluginServer, User } from '../../src/plugins/plugin.js';
import type { FanOut, FanOutResult } from './fan-out.js';
import { postPath } from './paths.js';
import { checkPost, deriveExcerpt, plainText, validationError, type PostInput, type PostStatus } from './post-input.js';
import type { Post, PostStore } from './post-store.js';
import type { PostSearch } from './search.js';
import type { PostHistory, PostRevision, TrashedPost } from './post-history.js';

export const PUBLISH_JOB = 'blog.publish';

/** The lock (`server.db.withLock`) a site's post writes and their fan-outs hold. */
export const fanOutLockKey = (siteId: string): string => `pm-blog-fan-out:${siteId}`;

export interface PostService {
  create(actor: User, input: PostInput): Promise<{ post: Post; fanOut: FanOutResult }>;
  /** Changes the fields given; the others keep their stored values. */
  update(actor: User, postId: string, input: PostInput): Promise<{ post: Post; fanOut: FanOutResult }>;
  remove(actor: User, postId: string): Promise<{ fanOut: FanOutResult }>;
  /** A post the actor may see in the dashboard (authors: their own). */
  get(actor: User, postId: string): Promise<Post>;
  list(actor: User, o: { status?: PostStatus; tag?: string; authorId?: string; q?: string; limit: number; offset: number }): Promise<{ posts: Post[]; total: number }>;
  /** The checked post as it would be saved, without saving (previews). */
  draft(actor: User, input: PostInput, postId?: string): Promise<Post>;
  /** The scheduler's door: publishes a post whose time has come. */
  publishDue(postId: string): Promise<FanOutResult | undefined>;
  /** Renders a published post's own page again and nothing else (its comments changed); false for any other post. */
  rerenderOne(postId: string): Promise<boolean>;
  /** Every stored page of the blog in these languages (a menu they show changed), in turn with post writes. */
  rerenderLanguages(siteId: string, langcodes: ReadonlySet<string>): Promise<FanOutResult>;
  mayEdit(actor: User, post: Post): boolean;
  /** Earlier versions of a post, newest first. */
  revisions(actor: User, postId: string): Promise<PostRevision[]>;
  /** Puts a revision's content back (its status stays); the replaced version becomes a revision. */
  restoreRevision(actor: User, postId: string, revisionId: string): Promise<{ post: Post; fanOut: FanOutResult }>;
  /** Deleted posts the actor may bring back, newest first. */
  trash(actor: User): Promise<TrashedPost[]>;
  /** Brings a deleted post back with its id and address (a scheduled one whose time passed comes back as a draft). */
  restoreTrash(actor: User, trashId: string): Promise<{ post: Post; fanOut: FanOutResult }>;
}

export function createPostService(o: { server: PluginServer; store: PostStore; fanOut: FanOut; search: PostSearch; history: PostHistory; onChange: (siteId: string) => Promise<void> }): PostService {
  const { server, store, fanOut, search, history } = o;
  // A site's writes and fan-outs run one at a time across every instance on the database, so
  // two saves never render over each other's pages: the second renders what the first stored.
  const serial = <T>(siteId: string, fn: () => Promise<T>): Promise<T> => server.db.withLock(fanOutLockKey(siteId), fn);

  const manages = (actor: User) => server.can(actor.role, 'posts.manage');
  const mayEdit = (actor: User, p: Post) => p.siteId === actor.siteId && (manages(actor) || p.authorIds.includes(actor.userId));

  function requireWriter(actor: User): void {
    if (!server.can(actor.role, 'posts.write')) throw new PmError('PM_ERR_FORBIDDEN', { action: 'write posts' });
  }

  async function load(actor: User, postId: string): Promise<Post> {
    const p = await store.get(postId);
    if (!p || p.siteId !== actor.siteId) throw new PmError('PM_ERR_NOT_FOUND', { what: 'that post' });
    if (!mayEdit(actor, p)) throw new PmError('PM_ERR_FORBIDDEN', { action: 'change a post someone else wrote' });
    return p;
  }

  /** Merges, checks and resolves everything about a post before anything is stored. */
  async function prepare(actor: User, input: PostInput, existing?: Post): Promise<Post> {
    const site = server.sites.list().find((s) => s.siteId === actor.siteId)!;
    const merged: PostInput = existing
      ? {
          title: existing.title, slug: existing.slug, body: existing.body, excerpt: existing.excerpt, cover: existing.cover, coverAlt: existing.coverAlt,
          tags: existing.tags, authorIds: existing.authorIds, status: existing.status, publishAt: existing.publishAt, seoTitle: existing.seoTitle,
          seoDescription: existing.seoDescription, noindex: existing.noindex, langcode: existing.langcode,
          ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
        }
      : { authorIds: [actor.userId], ...input };
    // A post that stays published keeps its date unless a new one is given.
    if (existing && input.publishAt === undefined && merged.status !== existing.status && merged.status !== 'scheduled') merged.publishAt = null;
    if (typeof merged.langcode === 'string' && merged.langcode.toLowerCase() === site.defaultLocale) merged.langcode = '';
    const checked = checkPost(merged, { now: Date.now(), locales: server.locales, enabled: site.enabledLocales });
    if (!checked.ok) throw validationError(checked.errors);
    const f = checked.fields;
    const errors: Record<string, string> = {};
    // Plugins' checks (pictures need a description) once the post is a page, or will be; a draft is not one yet.
    if (f.status !== 'draft') {
      const refused = await server.saveChecks.run({ siteId: site.siteId, langcode: f.langcode, kind: 'post', urlPath: existing ? postPath(existing.slug) : undefined, data: { cover: f.cover, coverAlt: f.coverAlt, excerpt: f.excerpt, body: f.body } });
      for (const [field, messages] of Object.entries(refused)) errors[field] = messages.join(' ');
    }
    for (const id of f.authorIds) {
      const u = await server.users.find(id);
      if (!u || u.siteId !== site.siteId) errors.authorIds = `There is no user ${id} on this site.`;
    }
    if (!manages(actor) && !f.authorIds.includes(actor.userId)) errors.authorIds = 'You can only write posts you are an author of: keep yourself among the authors.';
    if (existing && existing.langcode !== f.langcode) errors.langcode = 'A post keeps its language; make a translation instead.';
    let group = existing?.translationGroup;
    if (!existing && input.translationOf) {
      const of = await store.get(input.translationOf);
      if (!of || of.siteId !== site.siteId) errors.translationOf = 'There is no such post to translate.';
      else if ((await store.translations(of.translationGroup)).some((t) => t.langcode === f.langcode)) errors.translationOf = 'That post already has a translation in this language.';
      else group = of.translationGroup;
    }
    if (Object.keys(errors).length) throw validationError(errors);
    const same = await store.getBySlug(site.siteId, f.langcode, f.slug);
    if (same && same.postId !== existing?.postId) {
      throw new PmError('PM_ERR_CONFLICT', { what: `A post with the slug “${f.slug}”` }, { fields: { slug: `Another post (“${same.title}”) already has this slug; pick another.` } });
    }
    if (f.status === 'published') {
      const path = postPath(f.slug);
      const page = await server.pages.get(site.siteId, f.langcode, path);
      const ours = existing && existing.status === 'published' && postPath(existing.slug) === path;
      if (page && page.kind !== 'redirect' && !ours) {
        throw new PmError('PM_ERR_CONFLICT', { what: `A page at ${path}` }, { fields: { slug: `The address ${path} already has a page of its own; pick another slug or remove that page first.` } });
      }
    }
    // Over the site's storage quota: refused before anything is stored (its pages are then counted, not refused halfway).
    const textBytes = (p: { title: string; body: string; excerpt: string }) => Buffer.byteLength(p.title + p.body + p.excerpt, 'utf8');
    await server.usage.check(site.siteId, () => textBytes(f) - (existing ? textBytes(existing) : 0));
    const now = Date.now();
    const postId = existing?.postId ?? ulid();
    const text = plainText(server.renderMarkdown(f.body));
    const words = text.split(/\s+/).filter(Boolean).length;
    return { ...f, postId, siteId: site.siteId, translationGroup: group ?? postId, words, summary: deriveExcerpt(text), createdAt: existing?.createdAt ?? now, updatedAt: now };
  }

  async function schedule(p: Post): Promise<void> {
    if (p.status === 'scheduled' && p.publishAt) await server.jobs.schedule({ kind: PUBLISH_JOB, key: p.postId, runAt: p.publishAt, siteId: p.siteId, payload: { postId: p.postId } });
    else await server.jobs.cancel(PUBLISH_JOB, p.postId);
  }

  async function after(p: Post | undefined, siteId: string, postId: string): Promise<void> {
    if (p && p.status === 'published') await search.index(p);
    else await search.remove(postId);
    await o.onChange(siteId);
  }

  return {
    mayEdit,
    async create(actor, input) {
      requireWriter(actor);
      return serial(actor.siteId, async () => {
        const p = await prepare(actor, input);
        await store.insert(p);
        await schedule(p);
        const r = await fanOut.apply(new Map(), await fanOut.footprint(p));
        await after(p, p.siteId, p.postId);
        return { post: (await store.get(p.postId))!, fanOut: r };
      });
    },
    async update(actor, postId, input) {
      requireWriter(actor);
      return serial(actor.siteId, async () => {
        const existing = await load(actor, postId);
        const p = await prepare(actor, input, existing);
        const before = await fanOut.footprint(existing);
        await history.keep(existing, p);
        await store.update(p);
        await schedule(p);
        // What other pages show of a post: its title, address, date, and whether it is out.
        const linksChanged = (['title', 'slug', 'publishAt', 'status'] as const).some((k) => existing[k] !== p[k]);
        const r = await fanOut.apply(before, await fanOut.footprint(p), linksChanged);
        await after(p, p.siteId, p.postId);
        return { post: (await store.get(p.postId))!, fanOut: r };
      });
    },
    async remove(actor, postId) {
      requireWriter(actor);
      return serial(actor.siteId, async () => {
        const existing = await load(actor, postId);
        const before = await fanOut.footprint(existing);
        await history.trash(existing);
        await store.delete(postId);
        await server.jobs.cancel(PUBLISH_JOB, postId);
        const r = await fanOut.apply(before, new Map());
        await after(undefined, existing.siteId, postId);
        return { fanOut: r };
      });
    },
    async get(actor, postId) {
      const p = await store.get(postId);
      if (!p || p.siteId !== actor.siteId) throw new PmError('PM_ERR_NOT_FOUND', { what: 'that post' });
      if (!mayEdit(actor, p)) throw new PmError('PM_ERR_FORBIDDEN', { action: 'open a post someone else wrote' });
      return p;
    },
    async list(actor, q) {
      if (!server.can(actor.role, 'posts.write')) throw new PmError('PM_ERR_FORBIDDEN', { action: 'see the posts' });
      // An author sees only their own posts.
      const authorId = manages(actor) ? q.authorId : actor.userId;
      return store.list({ siteId: actor.siteId, ...q, authorId });
    },
    async draft(actor, input, postId) {
      requireWriter(actor);
      const existing = postId ? await load(actor, postId) : undefined;
      // A preview never fails on a slug or an address taken: it shows the text.
      const p = await prepare(actor, { ...input, status: 'draft', publishAt: input.publishAt ?? existing?.publishAt ?? null, slug: input.slug || existing?.slug || undefined }, existing).catch(async (e) => {
        if (e instanceof PmError && e.code === 'PM_ERR_CONFLICT') return prepare(actor, { ...input, status: 'draft', slug: `preview-${ulid().toLowerCase()}` }, existing);
        throw e;
      });
      return p;
    },
    async revisions(actor, postId) {
      await load(actor, postId);
      return history.revisions(postId);
    },
    async restoreRevision(actor, postId, revisionId) {
      await load(actor, postId);
      const rev = await history.revision(postId, revisionId);
      if (!rev) throw new PmError('PM_ERR_NOT_FOUND', { what: 'that revision' });
      return this.update(actor, postId, rev.data);
    },
    async trash(actor) {
      requireWriter(actor);
      return (await history.trashed(actor.siteId)).filter((t) => mayEdit(actor, t.post));
    },
    async restoreTrash(actor, trashId) {
      requireWriter(actor);
      const entry = (await history.trashed(actor.siteId)).find((t) => t.trashId === trashId);
      if (!entry) throw new PmError('PM_ERR_NOT_FOUND', { what: 'that post in the trash' });
      if (!mayEdit(actor, entry.post)) throw new PmError('PM_ERR_FORBIDDEN', { action: 'restore a post someone else wrote' });
      return serial(actor.siteId, async () => {
        const old = entry.post;
        const due = old.status === 'scheduled' && (old.publishAt ?? 0) <= Date.now();
        const { postId: _id, siteId: _s, translationGroup: _g, words: _w, summary: _m, createdAt: _c, updatedAt: _u, ...fields } = old;
        const p = await prepare(actor, { ...fields, status: due ? 'draft' : old.status, publishAt: due ? null : old.publishAt });
        const group = (await store.translations(old.translationGroup)).length ? old.translationGroup : old.postId;
        const back: Post = { ...p, postId: old.postId, createdAt: old.createdAt, translationGroup: group };
        await store.insert(back);
        await history.untrash(trashId);
        await schedule(back);
        const r = await fanOut.apply(new Map(), await fanOut.footprint(back));
        await after(back, back.siteId, back.postId);
        return { post: (await store.get(back.postId))!, fanOut: r };
      });
    },
    async rerenderLanguages(siteId, langcodes) {
      return serial(siteId, () => fanOut.all(siteId, langcodes));
    },
    async rerenderOne(postId) {
      // Its own page only (a comment changed on it): nothing it shows elsewhere changed.
      const site = (await store.get(postId))?.siteId;
      return site ? serial(site, () => fanOut.one(postId)) : fanOut.one(postId);
    },
    async publishDue(postId) {
      const site = (await store.get(postId))?.siteId;
      if (!site) return undefined;
      return serial(site, async () => {
        const p = await store.get(postId);
        if (!p || p.status === 'draft') return undefined;
        // A retry after a failed fan-out finds the post already published and renders its pages again.
        if (p.status === 'scheduled') await store.publishScheduled(postId, Date.now());
        const now = await store.get(postId);
        if (!now || now.status !== 'published') return undefined;
        const r = await fanOut.apply(new Map(), await fanOut.footprint(now));
        await after(now, now.siteId, postId);
        server.log.info('published a scheduled post', { postId, path: postPath(now.slug), ms: Math.round(r.ms) });
        return r;
      });
    },
  };
}
