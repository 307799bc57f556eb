/**
 * Posts through the JSON API, documented in docs/api.md ("Posts"). A thin
 * door: input is read and checked for shape here, the rules are the post
 * service's.
 */
import { PmError } from '../../src/plugins/plugin.js';
import type { PluginRouter, PluginServer, PmRequest, User } from '../../src/plugins/plugin.js';
import { intParam, queryParam, readBody, resolveLangcode, type BodySchema } from '../../src/plugins/plugin.js';
import type { Blog } from './index.js';
import { postPath, sitePrefix } from './paths.js';
import { STATUSES, type PostInput, type PostStatus } from './post-input.js';
import type { Post } from './post-store.js';

const STR = { type: 'string' };
const POST_FIELDS: BodySchema['properties'] = {
  title: STR,
  slug: STR,
  body: STR,
  excerpt: STR,
  cover: STR,
  coverAlt: STR,
  tags: { type: 'array', items: STR },
  authorIds: { type: 'array', items: STR },
  status: { type: 'string', enum: [...STATUSES] },
  publishAt: { type: ['string', 'integer', 'null'] },
  seoTitle: STR,
  seoDescription: STR,
  noindex: { type: 'boolean' },
  langcode: STR,
  translationOf: { type: ['string', 'null'] },
};
const CREATE_BODY: BodySchema = { type: 'object', properties: POST_FIELDS, required: ['title'] };
const PATCH_BODY: BodySchema = { type: 'object', properties: POST_FIELDS, minProperties: 1 };
const HOME_BODY: BodySchema = { type: 'object', properties: { home: { type: 'boolean' }, langcode: STR }, required: ['home'] };

export function apiRoutes(router: PluginRouter, server: PluginServer, blog: Blog): void {
  const { posts } = blog;
  const me = async (request: PmRequest): Promise<User> => {
    const u = await request.pm.user();
    if (!u) throw new PmError('PM_ERR_UNAUTHENTICATED');
    return u;
  };

  async function view(request: PmRequest, p: Post, findUser: (id: string) => ReturnType<PluginServer['users']['find']> = (id) => server.users.find(id)) {
    const site = request.pm.site;
    const authors = [];
    for (const id of p.authorIds) {
      const u = await findUser(id);
      authors.push({ userId: id, name: u?.name ?? '', username: u?.username ?? '' });
    }
    return {
      postId: p.postId,
      title: p.title,
      slug: p.slug,
      url: sitePrefix(site, p.langcode) + postPath(p.slug),
      langcode: p.langcode,
      status: p.status,
      publishAt: p.publishAt === null ? null : new Date(p.publishAt).toISOString(),
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      excerpt: p.excerpt,
      body: p.body,
      cover: p.cover,
      coverAlt: p.coverAlt,
      tags: p.tags,
      authors,
      seoTitle: p.seoTitle,
      seoDescription: p.seoDescription,
      noindex: p.noindex,
      translationGroup: p.translationGroup,
    };
  }

  const idOf = (request: PmRequest) => (request.params as { id: string }).id;

  router.get('/pm/api/posts', async (request) => {
    const status = queryParam(request, 'status');
    if (status && !STATUSES.includes(status as PostStatus)) throw new PmError('PM_ERR_BAD_REQUEST', { detail: `?status= must be one of ${STATUSES.join(', ')}.` });
    const limit = intParam(request, 'limit', 20, 1, 100);
    const offset = intParam(request, 'offset', 0, 0, 1_000_000);
    const r = await posts.list(await me(request), { status: status as PostStatus | undefined, tag: queryParam(request, 'tag') || undefined, authorId: queryParam(request, 'author') || undefined, q: queryParam(request, 'q')?.slice(0, 200) || undefined, limit, offset });
    return { posts: await Promise.all(r.posts.map((p) => view(request, p))), total: r.total, limit, offset };
  }, { permission: 'posts.write', description: 'Lists posts (JSON)' });

  router.post('/pm/api/posts', async (request, reply) => {
    const input = readBody<PostInput>(request, server, CREATE_BODY);
    const r = await posts.create(await me(request), input);
    return reply.code(201).send({ post: await view(request, r.post), rendered: r.fanOut.written });
  }, { permission: 'posts.write', description: 'Creates a post (JSON)' });

  router.post('/pm/api/posts/preview', async (request, reply) => {
    const input = readBody<PostInput & { postId?: string }>(request, server, { type: 'object', properties: { ...POST_FIELDS, postId: STR } });
    const { postId, ...rest } = input;
    const p = await posts.draft(await me(request), rest, postId);
    const r = await blog.renderer.post(p, { preview: true });
    return reply.send({ html: r.html });
  }, { permission: 'posts.write', description: 'Renders a post without saving it (JSON)' });

  router.get('/pm/api/posts/search', async (request) => {
    const q = (queryParam(request, 'q') ?? '').slice(0, 3000);
    const langcode = resolveLangcode(request, server, false, queryParam(request, 'langcode'));
    const hits = await blog.search.query(request.pm.site.siteId, langcode, q, intParam(request, 'limit', 20, 1, 100)).catch(() => []);
    // One read per author, not per author of every hit (a blog's posts share a few authors).
    const users = new Map<string, ReturnType<PluginServer['users']['find']>>();
    const findUser = (id: string) => users.get(id) ?? users.set(id, server.users.find(id)).get(id)!;
    return { results: await Promise.all(hits.map(async (h) => ({ post: await view(request, h.post, findUser), snippet: h.snippet }))) };
  }, { permission: 'url-dashboard', description: 'Searches published posts (JSON)' });

  router.put('/pm/api/blog/home', async (request) => {
    const body = readBody<{ home: boolean; langcode?: string }>(request, server, HOME_BODY);
    const langcode = resolveLangcode(request, server, true, body.langcode);
    await blog.setHome(request.pm.site.siteId, langcode, body.home);
    return { home: await blog.isHome(request.pm.site.siteId, langcode) };
  }, { permission: 'site.settings', description: 'Makes the blog index the home page, or not (JSON)' });

  router.get('/pm/api/posts/trash', async (request) => {
    const entries = await posts.trash(await me(request));
    return { trash: entries.map((t) => ({ trashId: t.trashId, postId: t.postId, title: t.title, status: t.post.status, deletedAt: t.deletedAt })) };
  }, { permission: 'posts.write', description: 'Deleted posts (JSON)' });

  router.post('/pm/api/posts/trash/:trashId/restore', async (request, reply) => {
    const r = await posts.restoreTrash(await me(request), (request.params as { trashId: string }).trashId);
    return reply.code(201).send({ post: await view(request, r.post), rendered: r.fanOut.written });
  }, { permission: 'posts.write', description: 'Brings a deleted post back (JSON)' });

  router.get('/pm/api/posts/:id/revisions', async (request) => {
    const revs = await posts.revisions(await me(request), idOf(request));
    return { revisions: revs.map((r) => ({ revisionId: r.revisionId, createdAt: r.createdAt, title: r.data.title, slug: r.data.slug })) };
  }, { permission: 'posts.write', description: 'Earlier versions of a post (JSON)' });

  router.post('/pm/api/posts/:id/revisions/:revisionId/restore', async (request) => {
    const p = request.params as { id: string; revisionId: string };
    const r = await posts.restoreRevision(await me(request), p.id, p.revisionId);
    return { post: await view(request, r.post), rendered: r.fanOut.written };
  }, { permission: 'posts.write', description: 'Puts an earlier version of a post back (JSON)' });

  router.get('/pm/api/posts/:id', async (request) => ({ post: await view(request, await posts.get(await me(request), idOf(request))) }), { permission: 'posts.write', description: 'One post (JSON)' });

  router.patch('/pm/api/posts/:id', async (request) => {
    const input = readBody<PostInput>(request, server, PATCH_BODY);
    const r = await posts.update(await me(request), idOf(request), input);
    return { post: await view(request, r.post), rendered: r.fanOut.written };
  }, { permission: 'posts.write', description: 'Changes a post (JSON)' });

  router.delete('/pm/api/posts/:id', async (request, reply) => {
    await posts.remove(await me(request), idOf(request));
    return reply.code(204).send();
  }, { permission: 'posts.write', description: 'Deletes a post (JSON)' });
}
