/**
 * The media library in the dashboard: /pm/media (upload, search, filter, the
 * grid, the quota) and /pm/media/:id (details, where it is used, alt text,
 * replace, delete). Every page works without JavaScript; media.js adds drag
 * and drop and one description field per chosen file.
 */
import { createHash } from 'node:crypto';
import { isPmError, PmError } from '../../src/plugins/plugin.js';
import type { PluginRouter, PluginServer, PmReply, PmRequest } from '../../src/plugins/plugin.js';
import { checkbox, hidden, input, select, str } from '../../src/plugins/plugin.js';
import { html, qs, type SafeHtml } from '../../src/plugins/plugin.js';
import type { DashboardShell, Notice } from '../../src/plugins/plugin.js';
import type { Media } from './media-store.js';
import { formatBytes } from '../../src/plugins/plugin.js';
import type { MediaService, Usage } from './media-service.js';
import { altGuess } from './sniff.js';

import { readUpload } from './upload-input.js';

const PAGE_SIZE = 48;
const ACCEPT = 'image/jpeg,image/png,image/webp,image/avif,image/gif,image/svg+xml,application/pdf,.jpg,.jpeg,.png,.webp,.avif,.gif,.svg,.pdf';

async function asset(server: PluginServer, name: string, type: string) {
  const body = (await server.shippedFiles.readFile(`pm-plugins/media/${name}`)).toString('utf8');
  const hash = createHash('sha256').update(body).digest('base64url');
  return { body, type, etag: `"${hash.slice(0, 22)}"`, version: hash.slice(0, 10) };
}

export async function libraryRoutes(router: PluginRouter, server: PluginServer, media: MediaService, forget: (id: string) => void): Promise<void> {
  const shell: DashboardShell = server.use('dashboard');
  const css = await asset(server, 'media.css', 'text/css; charset=utf-8');
  const js = await asset(server, 'media.js', 'text/javascript; charset=utf-8');
  for (const a of [css, js]) {
    router.get(`/pm/assets/media.${a === css ? 'css' : 'js'}`, (request, reply) => {
      reply.header('etag', a.etag).header('cache-control', 'public, max-age=0, must-revalidate');
      if (request.headers['if-none-match'] === a.etag) return reply.code(304).send();
      return reply.type(a.type).send(a.body);
    }, { description: 'The media library’s ' + (a === css ? 'stylesheet' : 'script') });
  }
  const head = (request: PmRequest) =>
    html`<link rel="stylesheet" href="${request.pm.link(`/pm/assets/media.css?v=${css.version}`)}"><script src="${request.pm.link(`/pm/assets/media.js?v=${js.version}`)}" defer></script>`;

  async function quotaLine(siteId: string): Promise<string> {
    const q = await media.quota(siteId);
    return q.limit === null ? `${formatBytes(q.used)} stored · no storage limit` : `${formatBytes(q.used)} of ${formatBytes(q.limit)} used`;
  }

  /** Used / allowed, and what counts: every part the site stores. */
  function storageCard(q: Usage, form: SafeHtml | string): SafeHtml {
    const pct = q.limit ? Math.min(100, Math.round((q.used / q.limit) * 100)) : 0;
    return html`<details class="card media-quota"${q.limit !== null && pct >= 90 ? ' open' : ''}><summary>Storage: ${q.limit === null ? html`${formatBytes(q.used)} stored, no limit` : html`${formatBytes(q.used)} of ${formatBytes(q.limit)} used (${pct}%)`}</summary>
${q.limit !== null ? html`<meter class="media-meter" min="0" max="${q.limit}" value="${Math.min(q.used, q.limit)}" high="${Math.round(q.limit * 0.9)}">${pct}%</meter>` : ''}
<p class="help">What counts against the quota:</p>
<dl class="media-parts">${q.parts.map((p) => html`<dt>${p.label}</dt><dd>${formatBytes(p.bytes)}</dd>`)}</dl>
<p class="help">An upload that would pass the quota is refused; pages and posts are counted but never refused.</p>
${form}</details>`;
  }

  /** For choosing without JavaScript (`?pick=1`, opened beside a form): the address to copy into its image field. */
  function pickBox(m: Media): SafeHtml | string {
    if (m.kind !== 'image' || m.status === 'failed') return '';
    const id = `pick-${m.mediaId}`;
    return html`<label class="media-pick" for="${id}">Address to copy<input id="${id}" type="text" readonly value="${media.urlOf(m)}"></label>`;
  }

  function tile(request: PmRequest, m: Media, pick = false): SafeHtml {
    const thumb = media.thumbUrl(m);
    const href = request.pm.link(`/pm/media/${m.mediaId}`);
    const what = m.kind === 'image' ? `${m.width}×${m.height}` : 'PDF';
    const badge = m.status === 'ready' ? '' : html` <span class="badge ${m.status === 'failed' ? 'badge-error' : ''}">${m.status === 'failed' ? 'Failed' : 'Processing…'}</span>`;
    return html`<li class="media-tile">
<a href="${href}" class="media-thumb">${thumb ? html`<img src="${request.pm.link(thumb)}" alt="" loading="lazy" width="200" height="150">` : html`<span class="media-doc">${m.kind === 'image' ? (m.status === 'failed' ? '!' : '…') : 'PDF'}</span>`}</a>
<div class="media-caption"><a href="${href}" class="media-name">${m.name}</a>${badge}
<span class="sub">${what} · ${formatBytes(m.bytes)}${m.alt ? '' : html` · <span class="media-noalt">no description</span>`}</span>${pick ? pickBox(m) : ''}</div>
</li>`;
  }

  async function showLibrary(request: PmRequest, reply: PmReply, o: { notice?: Notice; status?: number; alt?: string } = {}): Promise<PmReply> {
    const q = request.query as Record<string, string | undefined>;
    const search = (q.q ?? '').slice(0, 200);
    const pick = q.pick === '1';
    const type = pick ? 'image' : q.type === 'image' || q.type === 'document' ? q.type : '';
    // A page number past what exists shows an empty page; one that is not a whole number (1e309) the first.
    const asked = Number(q.page ?? 1);
    const page = Number.isInteger(asked) && asked >= 1 ? Math.min(asked, 100_000) : 1;
    const siteId = request.pm.site.siteId;
    const { items, total } = await media.list(siteId, { q: search, kind: type || undefined, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    const L = request.pm.link;
    const svgOn = (await media.settings(siteId)).allowSvg;
    const upload = html`<section class="card media-upload" aria-labelledby="upload-h">
<h2 id="upload-h">Upload</h2>
<form method="post" action="${L(`/pm/media/upload${qs({ _csrf: request.pm.csrfToken() })}`)}" enctype="multipart/form-data" data-media-upload>
<div class="media-drop" data-media-drop>
<label for="media-files" class="btn">Choose files</label>
<input id="media-files" type="file" name="file" multiple required accept="${ACCEPT}">
<p class="muted small" data-media-drop-hint>Pictures (JPEG, PNG, WebP, AVIF, GIF${svgOn ? ', SVG made safe' : ''}) and PDFs, up to ${formatBytes(media.limits.maxBytes)} each.</p>
</div>
<div data-media-alts></div>
<div data-media-alt-one>${input({ name: 'alt', label: 'Description (alt text)', value: o.alt ?? '', maxlength: 500, help: 'What the pictures show, for people who cannot see them. Leave it empty to start from each file’s name; you can change it later.' })}</div>
<div class="button-row"><button class="btn btn-primary" type="submit">Upload</button></div>
</form>
</section>`;
    const filters = html`<form class="media-filters" method="get" action="${L('/pm/media')}" role="search">
${input({ name: 'q', label: 'Search', type: 'search', value: search, placeholder: 'Name or description' })}
${pick ? hidden('pick', '1') : select({ name: 'type', label: 'Type', value: type, options: [{ value: '', label: 'All files' }, { value: 'image', label: 'Pictures' }, { value: 'document', label: 'PDFs' }] })}
<button class="btn" type="submit">Filter</button>
</form>`;
    const grid = items.length
      ? html`<ul class="media-grid">${items.map((m) => tile(request, m, pick))}</ul>`
      : html`<p class="empty">${search || type ? 'No file matches.' : 'No files yet. Upload pictures above and use them in your pages.'}</p>`;
    const more = total > page * PAGE_SIZE ? html`<p class="button-row"><a class="btn" href="${L(`/pm/media${qs({ q: search, type: pick ? undefined : type, pick: pick ? '1' : undefined, page: page + 1 })}`)}">Next page</a></p>` : '';
    const canQuota = await shell.can(request, 'users.manage-superadmins');
    const quota = await media.quota(siteId);
    const quotaForm = canQuota
      ? html`<form method="post" action="${L('/pm/media/quota')}">${shell.csrf(request)}
${input({ name: 'limitMb', label: 'Quota in MB', type: 'number', value: quota.limit === null ? '' : String(Math.round((quota.limit / 1024 / 1024) * 100) / 100), help: 'Files (with all their sizes), pages and posts count against it. Leave empty for no limit.' })}
<button class="btn" type="submit">Save quota</button></form>`
      : '';
    const settings = (await shell.can(request, 'site.settings'))
      ? html`<details class="card media-quota"><summary>Settings: SVG pictures ${svgOn ? 'taken, sanitised' : 'refused'}</summary>
<form method="post" action="${L('/pm/media/settings')}">${shell.csrf(request)}
${checkbox({ name: 'allowSvg', label: 'Take SVG pictures', checked: svgOn, help: 'An SVG can carry script and load other files. When this is on, each one is rebuilt without script, event handlers, embedded HTML or outside references, and refused when that cannot be done; it is served with a policy that lets it run and load nothing.' })}
<button class="btn" type="submit">Save settings</button></form></details>`
      : '';
    return shell.page(request, reply, {
      title: 'Media',
      nav: 'media',
      status: o.status,
      notice: o.notice,
      lede: pick
        ? 'Choosing a picture: copy its address into the image field of the form you came from (still open in its tab), or upload one here first. Pictures without a description need one before a page shows them.'
        : `Pictures and PDFs for your pages. ${await quotaLine(siteId)}; ${total} file${total === 1 ? '' : 's'}${search || type ? ' match' : ''}.`,
      body: html`${head(request)}${upload}${filters}${grid}${more}${storageCard(quota, quotaForm)}${settings}`,
    });
  }

  router.get('/pm/media', (request, reply) => showLibrary(request, reply), { permission: 'url-dashboard', description: 'The media library' });

  router.post(
    '/pm/media/upload',
    async (request, reply) => {
      let up;
      try {
        up = await readUpload(request, reply, media.limits.maxBytes);
      } catch (e) {
        if (!isPmError(e)) throw e;
        return showLibrary(request, reply, { status: e.status, notice: { kind: 'error', text: e.message } });
      }
      const alts = up.fields.alt ?? [];
      if (!up.files.length) return showLibrary(request, reply, { status: 400, notice: { kind: 'error', text: 'Choose at least one file to upload.' } });
      const done: Media[] = [];
      const refused: string[] = [];
      for (const [i, f] of up.files.entries()) {
        // One description per file (the script adds them), or one for all.
        const alt = (alts.length === up.files.length ? alts[i] : alts[0]) ?? '';
        try {
          done.push(await media.upload({ siteId: request.pm.site.siteId, body: f.body, filename: f.filename, alt: alt.trim() || altGuess(f.filename ?? '') }));
        } catch (e) {
          if (!isPmError(e)) throw e;
          refused.push(e.message);
        }
      }
      if (!done.length) return showLibrary(request, reply, { status: 422, alt: alts[0], notice: { kind: 'error', text: refused.join(' ') } });
      const text = `Uploaded ${done.length} file${done.length === 1 ? '' : 's'}; ${done.length === 1 ? 'it is' : 'they are'} being prepared in every size.` + (refused.length ? ` Not uploaded: ${refused.join(' ')}` : '');
      return shell.redirect(request, reply, request.pm.link(done.length === 1 && !refused.length ? `/pm/media/${done[0].mediaId}` : '/pm/media'), { kind: refused.length ? 'warn' : 'ok', text });
    },
    { permission: 'pages.write', description: 'Upload files to the media library' },
  );

  router.post(
    '/pm/media/quota',
    async (request, reply) => {
      const raw = str(request.body, 'limitMb').trim();
      const mb = raw === '' ? null : Number(raw);
      if (mb !== null && (!Number.isFinite(mb) || mb < 0)) return showLibrary(request, reply, { status: 422, notice: { kind: 'error', text: 'The quota is a number of MB, or empty for no limit.' } });
      await media.setQuota(request.pm.site.siteId, mb === null ? null : Math.round(mb * 1024 * 1024));
      return shell.redirect(request, reply, request.pm.link('/pm/media'), { kind: 'ok', text: `Storage quota saved: ${mb === null ? 'no limit' : formatBytes(Math.round(mb * 1024 * 1024))}.` });
    },
    { permission: 'users.manage-superadmins', description: 'Set the site’s storage quota' },
  );

  router.post(
    '/pm/media/settings',
    async (request, reply) => {
      const allowSvg = str(request.body, 'allowSvg') === '1';
      await media.setSettings(request.pm.site.siteId, { allowSvg });
      return shell.redirect(request, reply, request.pm.link('/pm/media'), { kind: 'ok', text: allowSvg ? 'SVG pictures are now taken, sanitised.' : 'SVG pictures are now refused.' });
    },
    { permission: 'site.settings', description: 'Media settings (SVG pictures taken or not)' },
  );

  async function showDetails(request: PmRequest, reply: PmReply, o: { notice?: Notice; status?: number } = {}): Promise<PmReply> {
    const m = await media.get(request.pm.site.siteId, (request.params as { id: string }).id);
    const uses = await media.uses(m.mediaId);
    const L = request.pm.link;
    const full = m.variants.find((v) => v.name === 'full');
    const url = media.urlOf(m);
    const preview =
      m.kind === 'image' && full && m.variants.length
        ? html`<img class="media-preview" src="${L(media.thumbUrl(m) && m.width > 1024 ? media.variantUrl(m, m.variants.find((v) => v.name === 'w1024' && v.format === 'webp') ?? full) : media.variantUrl(m, full))}" alt="${m.alt}" width="${m.width}" height="${m.height}">`
        : html`<p class="media-doc media-doc-large">${m.kind === 'image' ? (m.status === 'failed' ? 'This picture could not be processed.' : 'Being prepared…') : 'PDF document'}</p>`;
    const used = uses.length
      ? html`<ul>${uses.map((u) => html`<li><a href="${shell.siteHref(request, u.langcode, u.urlPath)}">${u.langcode ? `/${u.langcode}` : ''}${u.urlPath}</a></li>`)}</ul>`
      : html`<p class="muted">Not used on any page.</p>`;
    const status = m.status === 'ready' ? 'Ready' : m.status === 'processing' ? 'Being prepared in every size…' : `Failed: ${m.error}`;
    const body = html`${head(request)}<div class="media-details">
<div class="media-details-preview card">${preview}</div>
<div>
<section class="card"><h2>About this file</h2>
<dl class="media-facts">
<dt>Address</dt><dd><code id="media-url">${url}</code> <button type="button" class="btn btn-small" data-copy="media-url">Copy</button></dd>
<dt>Type</dt><dd>${m.mime}</dd>
${m.kind === 'image' ? html`<dt>Size</dt><dd>${m.width}×${m.height} pixels</dd>` : ''}
<dt>Stored</dt><dd>${formatBytes(m.bytes)}${m.variants.length > 1 ? ` in ${m.variants.length} sizes and formats` : ''}</dd>
<dt>Status</dt><dd>${status}${m.status === 'ready' && m.error ? html`<br><span class="sub">The last replacement failed: ${m.error}</span>` : ''}</dd>
</dl>
<h3>Used on</h3>${used}
</section>
<section class="card"><h2>Description</h2>
<form method="post" action="${L(`/pm/media/${m.mediaId}/alt`)}">${shell.csrf(request)}
${input({ name: 'alt', label: 'Description (alt text)', value: m.alt, maxlength: 500, help: 'What the picture shows, for people who cannot see it. Pages that show it without their own description use this one.' })}
<button class="btn btn-primary" type="submit">Save description</button></form>
</section>
<section class="card"><h2>Replace</h2>
<form method="post" action="${L(`/pm/media/${m.mediaId}/replace${qs({ _csrf: request.pm.csrfToken() })}`)}" enctype="multipart/form-data">
<div class="pm-field"><label for="media-replace">A new ${m.kind === 'image' ? 'picture' : 'PDF'}</label><p class="pm-help" id="media-replace-help">Pages that show this file show the new one; the address stays the same.</p>
<input id="media-replace" type="file" name="file" required accept="${ACCEPT}" aria-describedby="media-replace-help"></div>
<button class="btn" type="submit">Replace</button></form>
</section>
<section class="card"><h2>Delete</h2>
<form method="post" action="${L(`/pm/media/${m.mediaId}/delete`)}">${shell.csrf(request)}
<p class="muted small">${uses.length ? 'It cannot be deleted while pages show it.' : 'The file and all its sizes are removed.'}</p>
<button class="btn btn-danger" type="submit">Delete this file</button></form>
</section>
</div></div>`;
    return shell.page(request, reply, { title: m.name, nav: 'media', crumbs: [{ href: L('/pm/media'), label: 'Media' }], status: o.status, notice: o.notice, body });
  }

  router.get('/pm/media/:id', (request, reply) => showDetails(request, reply), { permission: 'url-dashboard', description: 'One file of the media library' });

  router.post(
    '/pm/media/:id/alt',
    async (request, reply) => {
      let m;
      try {
        m = await media.setAlt(request.pm.site.siteId, (request.params as { id: string }).id, str(request.body, 'alt'));
      } catch (e) {
        if (!isPmError(e, 'PM_ERR_VALIDATION')) throw e;
        return showDetails(request, reply, { status: 422, notice: { kind: 'error', text: e.fields?.alt ?? e.message } });
      }
      return shell.redirect(request, reply, request.pm.link(`/pm/media/${m.mediaId}`), { kind: 'ok', text: 'Description saved.' });
    },
    { permission: 'pages.write' },
  );

  router.post(
    '/pm/media/:id/replace',
    async (request, reply) => {
      const id = (request.params as { id: string }).id;
      try {
        const up = await readUpload(request, reply, media.limits.maxBytes);
        if (up.files.length !== 1) throw new PmError('PM_ERR_BAD_REQUEST', { detail: 'Choose one file to replace this one with.' });
        await media.replace(request.pm.site.siteId, id, up.files[0].body, up.files[0].filename);
        forget(id);
      } catch (e) {
        if (!isPmError(e) || e.code === 'PM_ERR_NOT_FOUND') throw e;
        return showDetails(request, reply, { status: e.status, notice: { kind: 'error', text: e.message } });
      }
      return shell.redirect(request, reply, request.pm.link(`/pm/media/${id}`), { kind: 'ok', text: 'Replaced. The pages that show it follow once every size is ready.' });
    },
    { permission: 'pages.write' },
  );

  router.post(
    '/pm/media/:id/delete',
    async (request, reply) => {
      const id = (request.params as { id: string }).id;
      try {
        const m = await media.get(request.pm.site.siteId, id);
        await media.remove(request.pm.site.siteId, id);
        forget(id);
        return shell.redirect(request, reply, request.pm.link('/pm/media'), { kind: 'ok', text: `Deleted ${m.name}.` });
      } catch (e) {
        if (!isPmError(e, 'PM_ERR_MEDIA_IN_USE')) throw e;
        return showDetails(request, reply, { status: 409, notice: { kind: 'error', text: e.message } });
      }
    },
    { permission: 'pages.write' },
  );
}
