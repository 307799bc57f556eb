/**
 * The dashboard's Posts section: the list (filter by status, tag, author;
 * search; paged) and the editor. Preview works without JavaScript (the
 * Preview button renders the text beside the form); with JavaScript the
 * preview follows the typing (blog-editor.js). A refused save shows the
 * form again with what was typed and the errors beside the fields.
 */
import { isPmError } from '../../src/plugins/plugin.js';
import type { PluginRouter, PluginServer, PmReply, PmRequest, User } from '../../src/plugins/plugin.js';
import { sendAsset } from '../../src/plugins/plugin.js';
import { checkbox, hidden, input, select, str, strs, textarea } from '../../src/plugins/plugin.js';
import { html, qs, raw, timeAgo, word, type SafeHtml } from '../../src/plugins/plugin.js';
import type { Notice } from '../../src/plugins/plugin.js';
import { editorAsset } from './editor-asset.js';
import type { Blog } from './index.js';
import { postPath, sitePrefix } from './paths.js';
import { slugify, STATUSES, type PostInput, type PostStatus } from './post-input.js';
import type { Post } from './post-store.js';

const PAGE = 20;
/** The cover field, drawn by the JSON Schema forms as any theme's image field is (`format: "image"`). */
const COVER_SCHEMA = {
  type: 'object',
  properties: { cover: { type: 'string', format: 'image', title: 'Cover image', description: 'A picture from the library, or an https:// address.', maxLength: 1000 } },
};
const STATUS_LABEL: Record<PostStatus, string> = { draft: 'Draft', scheduled: 'Scheduled', published: 'Published' };
const STATUS_BADGE: Record<PostStatus, string> = { draft: 'badge', scheduled: 'badge badge-redirect', published: 'badge badge-ok' };

interface EditorState {
  postId?: string;
  values: PostInput;
  errors?: Record<string, string>;
  notice?: Notice;
  status?: number;
  preview?: string;
}

/** `2026-12-24T09:00` for a datetime-local field, in UTC. */
const localValue = (v: PostInput['publishAt']): string => {
  if (v === null || v === undefined || v === '') return '';
  const t = typeof v === 'number' ? v : Date.parse(String(v));
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 16) : String(v);
};

export async function dashboardRoutes(router: PluginRouter, server: PluginServer, blog: Blog): Promise<void> {
  const shell = server.use('dashboard');
  const asset = await editorAsset(server);
  const { posts } = blog;
  const me = async (request: PmRequest): Promise<User> => (await request.pm.user())!;
  const manages = (u: User) => server.can(u.role, 'posts.manage');

  router.get('/pm/assets/blog-editor.js', (request, reply) => sendAsset(request, reply, asset), { description: 'Live preview in the post editor' });

  router.get('/pm/posts', async (request, reply) => {
    const L = request.pm.link;
    const user = await me(request);
    const q = request.query as Record<string, string | undefined>;
    const status = STATUSES.includes(q.status as PostStatus) ? (q.status as PostStatus) : undefined;
    const tag = q.tag ? slugify(String(q.tag)) : undefined;
    const author = typeof q.author === 'string' && q.author ? q.author : undefined;
    const search = typeof q.q === 'string' ? q.q.slice(0, 200) : '';
    const page = Math.max(1, Math.min(100_000, Number.parseInt(String(q.page ?? '1'), 10) || 1));
    const r = await posts.list(user, { status, tag, authorId: author, q: search || undefined, limit: PAGE, offset: (page - 1) * PAGE });
    const users = await server.users.list(request.pm.site.siteId);
    const nameOf = (id: string) => users.find((u) => u.userId === id)?.name || users.find((u) => u.userId === id)?.username || id;
    const here = { status, tag, author, q: search || undefined };
    const filterLinks = html`<nav class="filters" aria-label="Status">${[undefined, ...STATUSES].map(
      (s) => html`<a href="${L('/pm/posts' + qs({ ...here, status: s, page: undefined }))}"${s === status ? html` aria-current="page"` : ''}>${s ? STATUS_LABEL[s] : 'All'}</a>`,
    )}<a href="${L('/pm/posts/trash')}">Trash</a></nav>`;
    const form = html`<form class="card filter-form" method="get" action="${L('/pm/posts')}" role="search">
${status ? hidden('status', status) : ''}
<div class="filter-row">
${input({ name: 'q', label: 'Search titles', type: 'search', value: search })}
${input({ name: 'tag', label: 'Tag', value: q.tag ?? '' })}
${manages(user) ? select({ name: 'author', label: 'Author', value: author ?? '', options: [{ value: '', label: 'Anyone' }, ...users.map((u) => ({ value: u.userId, label: u.name || u.username }))] }) : ''}
<div class="pm-field"><span class="label" aria-hidden="true">&nbsp;</span><button class="btn" type="submit">Filter</button></div>
</div></form>`;
    const row = (p: Post) => html`<tr>
<td><a class="url" href="${L(`/pm/posts/${p.postId}`)}">${p.title}</a><span class="sub">${sitePrefix(request.pm.site, p.langcode)}${postPath(p.slug)}</span></td>
<td><span class="${STATUS_BADGE[p.status]}">${STATUS_LABEL[p.status]}</span>${p.status !== 'draft' && p.publishAt ? html`<span class="sub">${new Date(p.publishAt).toISOString().slice(0, 16).replace('T', ' ')} UTC</span>` : ''}</td>
<td>${p.authorIds.map(nameOf).join(', ')}</td>
<td>${p.tags.join(', ')}</td>
<td><span class="sub">${timeAgo(p.updatedAt)}</span></td>
</tr>`;
    const pages = Math.max(1, Math.ceil(r.total / PAGE));
    const pager = pages > 1 ? html`<nav class="button-row pager" aria-label="Pages">${page > 1 ? html`<a class="btn" href="${L('/pm/posts' + qs({ ...here, page: page - 1 }))}" rel="prev">← Newer</a>` : ''}<span class="muted">Page ${page} of ${pages}</span>${page < pages ? html`<a class="btn" href="${L('/pm/posts' + qs({ ...here, page: page + 1 }))}" rel="next">Older →</a>` : ''}</nav>` : '';
    const table = r.posts.length
      ? html`<div class="table-wrap"><table class="post-table"><thead><tr><th scope="col">Title</th><th scope="col">Status</th><th scope="col">Authors</th><th scope="col">Tags</th><th scope="col">Changed</th></tr></thead><tbody>${r.posts.map(row)}</tbody></table></div>${pager}`
      : html`<div class="card empty">${r.total === 0 && !status && !tag && !author && !search ? html`No posts yet. <a href="${L('/pm/posts/new')}">Write the first one</a>.` : 'No post matches these filters.'}</div>`;
    const isHome = await blog.isHome(request.pm.site.siteId, '');
    const home = server.can(user.role, 'site.settings')
      ? html`<form class="inline-form" method="post" action="${L('/pm/posts/home')}">${shell.csrf(request)}${hidden('home', isHome ? '0' : '1')}<button class="btn" type="submit">${isHome ? 'Stop using the blog as the home page' : 'Use the blog as the home page'}</button></form>`
      : '';
    return shell.page(request, reply, {
      title: 'Posts',
      nav: 'posts',
      lede: `${r.total} ${word(r.total, 'post')}${status || tag || author || search ? ' match' + (r.total === 1 ? 'es' : '') : ''}. Published posts are at ${sitePrefix(request.pm.site, '')}/blog.`,
      actions: html`<a class="btn btn-primary" href="${L('/pm/posts/new')}">New post</a>${home}`,
      body: html`${filterLinks}${form}${table}`,
    });
  }, { permission: 'posts.write', description: 'The list of posts' });

  /**
   * The cover is an image field of the JSON Schema forms: a thumbnail, "Choose from library /
   * upload" with JavaScript, a link to the library (opening beside the form) without.
   */
  function coverField(request: PmRequest, value: string, error: string | undefined): SafeHtml {
    const imageLibrary = server.routes().some((r) => r.url === '/pm/media') ? request.pm.link('/pm/media?pick=1') : undefined;
    return raw(server.forms.render(COVER_SCHEMA as never, { cover: value }, { idPrefix: 'f', errors: error ? { cover: [error] } : {}, imageLibrary }));
  }

  async function editor(request: PmRequest, reply: PmReply, s: EditorState): Promise<PmReply> {
    const L = request.pm.link;
    const user = await me(request);
    const site = request.pm.site;
    const v = s.values;
    const e = s.errors ?? {};
    const users = await server.users.list(site.siteId);
    const writers = users.filter((u) => server.can(u.role, 'posts.write'));
    const chosen = new Set(v.authorIds ?? [user.userId]);
    const action = L(s.postId ? `/pm/posts/${s.postId}` : '/pm/posts/new');
    const authors = manages(user)
      ? html`<fieldset class="pm-field${e.authorIds ? ' has-error' : ''}"><legend>Authors</legend>${writers.map((u) => checkbox({ name: 'authorIds', value: u.userId, label: u.name || u.username, checked: chosen.has(u.userId), id: `author-${u.userId}` }))}${e.authorIds ? html`<p class="pm-field-error">${e.authorIds}</p>` : ''}</fieldset>`
      : html`${[...chosen].map((id) => hidden('authorIds', id))}<p class="muted small">You are the author of this post.</p>${e.authorIds ? html`<p class="pm-field-error">${e.authorIds}</p>` : ''}`;
    const langs = [site.defaultLocale, ...site.enabledLocales.filter((l) => l !== site.defaultLocale)];
    const lang = langs.length > 1 && !s.postId
      ? select({ name: 'langcode', label: 'Language', value: v.langcode || site.defaultLocale, options: langs.map((l) => ({ value: l, label: l })), error: e.langcode })
      : hidden('langcode', v.langcode ?? '');
    const statusField = select({ name: 'status', label: 'Status', value: v.status ?? 'draft', options: STATUSES.map((x) => ({ value: x, label: STATUS_LABEL[x] })), error: e.status, help: 'Draft: not on the site yet. Scheduled: published by itself at the time below. Published: on the site now.' });
    const dateId = 'f-publishAt';
    const dateField = html`<div class="pm-field${e.publishAt ? ' has-error' : ''}"><label for="${dateId}">Publish date and time (UTC)</label><p class="pm-help" id="${dateId}-help">Needed for a scheduled post; a published post keeps the time it went out.</p><input id="${dateId}" name="publishAt" type="datetime-local" value="${localValue(v.publishAt)}" aria-describedby="${dateId}-help${e.publishAt ? ` ${dateId}-error` : ''}"${e.publishAt ? html` aria-invalid="true"` : ''}>${e.publishAt ? html`<p class="pm-field-error" id="${dateId}-error">${e.publishAt}</p>` : ''}</div>`;
    const previewHtml = s.preview ?? server.renderMarkdown(v.body ?? '');
    const revisions = s.postId ? await posts.revisions(user, s.postId) : [];
    const body = html`<form method="post" action="${action}" novalidate class="post-editor" data-preview-url="${L('/pm/posts/preview-body')}">
<button class="pm-sr-only" type="submit" name="_action" value="save" tabindex="-1" aria-hidden="true">Save</button>
${shell.csrf(request)}
<div class="editor-grid"><div>
<section class="card">
${input({ name: 'title', label: 'Title', value: v.title ?? '', required: true, error: e.title, maxlength: 200 })}
${input({ name: 'slug', label: 'Slug', value: v.slug ?? '', error: e.slug, help: 'The end of the address: /blog/your-slug. Leave it empty to make it from the title.' })}
${textarea({ name: 'body', label: 'Text (Markdown)', value: v.body ?? '', rows: 18, error: e.body, help: '**bold**, _italic_, [a link](https://…), # Heading, - lists, > quotes.' })}
</section>
<section class="card"><h2>Preview</h2><div class="post-preview prose" id="post-preview" aria-live="polite">${raw(previewHtml)}</div></section>
<section class="card"><h2>Listing and search engines</h2>
${textarea({ name: 'excerpt', label: 'Excerpt', value: v.excerpt ?? '', rows: 3, error: e.excerpt, help: 'Shown in lists and feeds. Empty: the first sentences of the text.' })}
${coverField(request, v.cover ?? '', e.cover)}
${input({ name: 'coverAlt', label: 'Cover description', value: v.coverAlt ?? '', error: e.coverAlt, help: 'What the picture shows, for people who cannot see it.' })}
${input({ name: 'seoTitle', label: 'Search engine title', value: v.seoTitle ?? '', error: e.seoTitle })}
${textarea({ name: 'seoDescription', label: 'Search engine description', value: v.seoDescription ?? '', rows: 2, error: e.seoDescription })}
${checkbox({ name: 'noindex', label: 'Keep this post out of search engines and the sitemap', checked: !!v.noindex })}
</section>
</div><div>
<section class="card">
${statusField}
${dateField}
${input({ name: 'tags', label: 'Tags', value: (v.tags ?? []).join(', '), error: e.tags, help: 'Separated by commas.' })}
${lang}
${authors}
</section>
<div class="button-row sticky-actions">
<button class="btn-primary" type="submit" name="_action" value="save">${s.postId ? 'Save changes' : 'Save post'}</button>
<button type="submit" name="_action" value="preview">Preview</button>
${s.postId ? html`<a class="btn" href="${L(`/pm/posts/${s.postId}/preview`)}" target="_blank" rel="noopener">Preview this draft ↗</a>` : ''}
</div>
${s.postId ? html`<p class="small"><a href="${L(`/pm/posts/${s.postId}/delete`)}">Delete this post…</a></p>` : ''}
</div></div>
</form>
${revisions.length ? html`<section class="card"><h2>Earlier versions</h2><ul class="revision-list">${revisions.map(
      (r) => html`<li><span>${timeAgo(r.createdAt)} · ${r.data.title}</span> <form class="inline-form" method="post" action="${L(`/pm/posts/${s.postId}/revisions/${r.revisionId}/restore`)}">${shell.csrf(request)}<button class="btn" type="submit">Restore</button></form></li>`,
    )}</ul></section>` : ''}
<script src="${L(`/pm/assets/blog-editor.js?v=${asset.version}`)}" defer></script>`;
    return shell.page(request, reply, {
      title: s.postId ? `Edit “${v.title || 'Untitled'}”` : 'New post',
      nav: 'posts',
      status: s.status,
      notice: s.notice,
      crumbs: [{ href: L('/pm/posts'), label: 'Posts' }],
      formsScript: true,
      body,
    });
  }

  /** The form's fields as a post input (checkbox lists, commas for tags). */
  function formInput(b: unknown): PostInput {
    return {
      title: str(b, 'title'),
      slug: str(b, 'slug').trim(),
      body: str(b, 'body'),
      excerpt: str(b, 'excerpt'),
      cover: str(b, 'cover').trim(),
      coverAlt: str(b, 'coverAlt'),
      tags: str(b, 'tags').split(','),
      authorIds: strs(b, 'authorIds'),
      status: str(b, 'status') || 'draft',
      publishAt: str(b, 'publishAt') || null,
      seoTitle: str(b, 'seoTitle'),
      seoDescription: str(b, 'seoDescription'),
      noindex: str(b, 'noindex') === '1',
      langcode: str(b, 'langcode'),
    };
  }

  async function save(request: PmRequest, reply: PmReply, postId?: string): Promise<PmReply> {
    const L = request.pm.link;
    const user = await me(request);
    const values = formInput(request.body);
    const tags = (values.tags ?? []).map((t) => t.trim()).filter(Boolean);
    const shown = { ...values, tags };
    if (str(request.body, '_action') === 'preview') {
      return editor(request, reply, { postId, values: shown, notice: { kind: 'info', text: 'This is a preview; nothing is saved yet.' } });
    }
    try {
      const r = postId ? await posts.update(user, postId, values) : await posts.create(user, values);
      const p = r.post;
      const text = p.status === 'published' ? 'Saved and published.' : p.status === 'scheduled' ? `Saved. It will be published at ${new Date(p.publishAt!).toISOString().slice(0, 16).replace('T', ' ')} UTC.` : 'Saved as a draft.';
      const link = p.status === 'published' ? { href: sitePrefix(request.pm.site, p.langcode) + postPath(p.slug), label: 'View it' } : { href: L(`/pm/posts/${p.postId}/preview`), label: 'Preview it' };
      return shell.redirect(request, reply, L(`/pm/posts/${p.postId}`), { kind: 'ok', text, link });
    } catch (err) {
      if (isPmError(err, 'PM_ERR_VALIDATION') || isPmError(err, 'PM_ERR_CONFLICT')) {
        return editor(request, reply, { postId, values: shown, errors: err.fields ?? {}, status: err.status, notice: { kind: 'error', text: err.code === 'PM_ERR_CONFLICT' ? err.message : 'The post was not saved: see the fields marked below.' } });
      }
      throw err;
    }
  }

  const fromPost = (p: Post): PostInput => ({ ...p, publishAt: p.publishAt });

  router.get('/pm/posts/new', (request, reply) => editor(request, reply, { values: {} }), { permission: 'posts.write', description: 'Write a new post' });
  router.post('/pm/posts/new', (request, reply) => save(request, reply), { permission: 'posts.write', description: 'Saves a new post' });

  router.post('/pm/posts/preview-body', async (request, reply) => {
    // The live preview's fragment: sanitised by renderMarkdown, inserted by blog-editor.js.
    return reply.type('text/html; charset=utf-8').send(server.renderMarkdown(str(request.body, 'body').slice(0, 200_000)));
  }, { permission: 'posts.write', description: 'The editor’s live preview (an HTML fragment)' });

  router.post('/pm/posts/home', async (request, reply) => {
    const on = str(request.body, 'home') === '1';
    await blog.setHome(request.pm.site.siteId, '', on);
    return shell.redirect(request, reply, request.pm.link('/pm/posts'), { kind: 'ok', text: on ? 'The blog is now the home page; /blog redirects to /.' : 'The blog is back at /blog; give / a page of its own in the URL dashboard.' });
  }, { permission: 'site.settings', description: 'Makes the blog the home page, or not' });

  router.get('/pm/posts/trash', async (request, reply) => {
    const L = request.pm.link;
    const entries = await posts.trash(await me(request));
    const rows = entries.map(
      (t) => html`<tr><td><span class="url">${t.title}</span><span class="sub">${STATUS_LABEL[t.post.status]}</span></td><td><span class="sub">deleted ${timeAgo(t.deletedAt)}</span></td>
<td class="actions"><form class="inline-form" method="post" action="${L(`/pm/posts/trash/${t.trashId}/restore`)}">${shell.csrf(request)}<button class="btn" type="submit">Restore</button></form></td></tr>`,
    );
    const days = (await server.history.settings(request.pm.site.siteId)).trashDays;
    return shell.page(request, reply, {
      title: 'Deleted posts',
      nav: 'posts',
      crumbs: [{ href: L('/pm/posts'), label: 'Posts' }],
      lede: `Deleted posts wait here for ${days} ${word(days, 'day')}; restoring one brings it back at its address.`,
      body: entries.length
        ? html`<div class="table-wrap"><table><thead><tr><th scope="col">Title</th><th scope="col">Deleted</th><th scope="col"><span class="pm-sr-only">Actions</span></th></tr></thead><tbody>${rows}</tbody></table></div>`
        : html`<div class="card empty">The trash is empty.</div>`,
    });
  }, { permission: 'posts.write', description: 'Deleted posts' });

  async function restoring(request: PmRequest, reply: PmReply, f: () => Promise<{ post: Post }>, back: string): Promise<PmReply> {
    try {
      const { post } = await f();
      return shell.redirect(request, reply, request.pm.link(`/pm/posts/${post.postId}`), { kind: 'ok', text: `Restored “${post.title}”.` });
    } catch (err) {
      if (isPmError(err, 'PM_ERR_VALIDATION') || isPmError(err, 'PM_ERR_CONFLICT')) {
        const why = err.fields ? Object.values(err.fields).join(' ') : err.message;
        return shell.redirect(request, reply, back, { kind: 'error', text: `It could not be restored: ${why}` });
      }
      throw err;
    }
  }

  router.post('/pm/posts/trash/:trashId/restore', async (request, reply) =>
    restoring(request, reply, async () => posts.restoreTrash(await me(request), (request.params as { trashId: string }).trashId), request.pm.link('/pm/posts/trash')),
  { permission: 'posts.write', description: 'Brings a deleted post back' });

  router.post('/pm/posts/:id/revisions/:revisionId/restore', async (request, reply) => {
    const p = request.params as { id: string; revisionId: string };
    return restoring(request, reply, async () => posts.restoreRevision(await me(request), p.id, p.revisionId), request.pm.link(`/pm/posts/${p.id}`));
  }, { permission: 'posts.write', description: 'Puts an earlier version of a post back' });

  router.get('/pm/posts/:id', async (request, reply) => {
    const p = await posts.get(await me(request), (request.params as { id: string }).id);
    return editor(request, reply, { postId: p.postId, values: fromPost(p) });
  }, { permission: 'posts.write', description: 'Edit a post' });
  router.post('/pm/posts/:id', (request, reply) => save(request, reply, (request.params as { id: string }).id), { permission: 'posts.write', description: 'Saves a post' });

  router.get('/pm/posts/:id/delete', async (request, reply) => {
    const L = request.pm.link;
    const p = await posts.get(await me(request), (request.params as { id: string }).id);
    return shell.page(request, reply, {
      title: `Delete “${p.title}”?`,
      nav: 'posts',
      crumbs: [{ href: L('/pm/posts'), label: 'Posts' }],
      body: html`<section class="card"><p>The post ${p.status === 'published' ? 'leaves the site at once, and its address answers “not found”' : 'is removed'}. It waits in the <a href="${L('/pm/posts/trash')}">trash</a> for a while, from where you can bring it back.</p>
<form method="post" action="${L(`/pm/posts/${p.postId}/delete`)}" class="button-row">${shell.csrf(request)}<button class="btn-danger" type="submit">Delete the post</button><a class="btn" href="${L(`/pm/posts/${p.postId}`)}">Keep it</a></form></section>`,
    });
  }, { permission: 'posts.write', description: 'Confirm deleting a post' });

  router.post('/pm/posts/:id/delete', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const user = await me(request);
    const p = await posts.get(user, id);
    await posts.remove(user, id);
    return shell.redirect(request, reply, request.pm.link('/pm/posts'), { kind: 'ok', text: `Deleted “${p.title}”.` });
  }, { permission: 'posts.write', description: 'Deletes a post' });

}
