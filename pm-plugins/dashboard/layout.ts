/**
 * The dashboard shell: one HTML layout (sidebar, notices, title) that every
 * dashboard page, and any plugin that adds one, renders into. Everything put
 * into it goes through `html`, which escapes.
 *
 * @example
 * const shell = await createDashboardShell(server);
 * router.get('/pm/hello', (request, reply) =>
 *   shell.page(request, reply, { title: 'Hello', nav: 'home', body: html`<p>Hi ${request.pm.session?.name}</p>` }),
 *   { permission: 'url-dashboard' });
 */
import { DEFAULT_URL_DASHBOARD_ALIAS, html, type DashboardShell, type HomeStat, type NavKey, type Notice, type PageOptions, type PageRecord, type Permission, type PluginServer, type PmReply, type PmRequest, type SafeHtml, type User } from '../../src/plugins/plugin.js';
import type { DashboardAssets } from './assets.js';

export type { Notice } from '../../src/plugins/plugin.js';

const FLASH_COOKIE = 'pm_flash';
/** The dashboard's tab icon (served at /pm/assets/favicon.svg: a file, not a data: URL, which the XSS suite rightly flags). */
export const FAVICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2e5bce"/><path d="M10 7h9l5 5v13H10z" fill="#fff"/><path d="M19 7v5h5" fill="#cfdaf7"/></svg>';
const NAV_CACHE_MS = 10_000;

/** The shell as the dashboard's own pages use it: what it provides to other plugins, plus its assets. */
export interface Shell extends DashboardShell {
  readonly assets: DashboardAssets;
  /** The figures plugins added with addHomeStat, for this user (the home page shows them). */
  homeStats(request: PmRequest): Promise<HomeStat[]>;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function parseNotice(value: string | undefined): Notice | undefined {
  if (!value) return undefined;
  try {
    const n = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Notice;
    if (!n || typeof n.text !== 'string' || !['ok', 'error', 'info', 'warn'].includes(n.kind)) return undefined;
    // Only links inside the site survive the round trip through the browser.
    const link = n.link && typeof n.link.href === 'string' && /^\/(?![/\\])/.test(n.link.href) ? { href: n.link.href, label: String(n.link.label) } : undefined;
    return { kind: n.kind, text: n.text.slice(0, 500), link };
  } catch {
    return undefined;
  }
}

export function renderNotice(n: Notice | undefined): SafeHtml {
  if (!n) return html``;
  const role = n.kind === 'error' ? 'alert' : 'status';
  return html`<div class="notice notice-${n.kind}" role="${role}"><p>${n.text}${n.link ? html` <a href="${n.link.href}">${n.link.label}</a>` : ''}</p></div>`;
}

const ROLE_LABELS: Record<User['role'], string> = { superadmin: 'Superadmin', admin: 'Admin', editor: 'Editor', author: 'Author' };
export const roleLabel = (r: User['role']) => ROLE_LABELS[r] ?? r;

export function createDashboardShell(server: PluginServer, assets: DashboardAssets): Shell {
  const navCache = new Map<string, { at: number; entries: Promise<PageRecord[]> }>();
  server.events.on('page.changed', (c) => navCache.delete(c.siteId));

  const urlDashboardEntries = (siteId: string) => server.addresses.urlDashboardEntries(siteId);
  const siteHref = (request: PmRequest, langcode: string, urlPath: string) =>
    server.addresses.siteHref({ tildePrefix: request.pm.url.tildePrefix || null }, langcode, urlPath);

  async function urlDashboardHref(request: PmRequest): Promise<string> {
    const siteId = request.pm.site.siteId;
    let c = navCache.get(siteId);
    if (!c || Date.now() - c.at > NAV_CACHE_MS) {
      c = { at: Date.now(), entries: urlDashboardEntries(siteId) };
      navCache.set(siteId, c);
      c.entries.catch(() => navCache.delete(siteId));
    }
    const entries = await c.entries;
    const best =
      entries.find((e) => e.langcode === '' && e.urlPath === DEFAULT_URL_DASHBOARD_ALIAS) ?? entries.find((e) => e.langcode === '') ?? entries[0];
    return best ? siteHref(request, best.langcode, best.urlPath) : request.pm.link(DEFAULT_URL_DASHBOARD_ALIAS);
  }

  function flash(request: PmRequest, reply: PmReply, notice: Notice): void {
    const value = Buffer.from(JSON.stringify(notice)).toString('base64url');
    reply.header('set-cookie', `${FLASH_COOKIE}=${value}; Path=/; Max-Age=120; HttpOnly; SameSite=Lax${request.pm.secure ? '; Secure' : ''}`);
  }

  function takeFlash(request: PmRequest, reply: PmReply): Notice | undefined {
    const value = readCookie(request.headers.cookie, FLASH_COOKIE);
    if (value === undefined) return undefined;
    reply.header('set-cookie', `${FLASH_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${request.pm.secure ? '; Secure' : ''}`);
    return parseNotice(value);
  }

  function document(request: PmRequest, o: { title: string; bodyClass?: string; body: SafeHtml }): string {
    const siteTitle = request.pm.site.title || 'pagemanager';
    return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${o.title === siteTitle ? `Dashboard · ${siteTitle}` : `${o.title} · ${siteTitle}`}</title>
<link rel="icon" href="${request.pm.link('/pm/assets/favicon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${request.pm.link(`/pm/assets/dashboard.css?v=${assets.css.version}`)}">
<script src="${request.pm.link(`/pm/assets/dashboard.js?v=${assets.js.version}`)}" defer></script>
</head>
<body${o.bodyClass ? html` class="${o.bodyClass}"` : ''}>
${o.body}
</body>
</html>
`.value;
  }

  let postsRoute: boolean | undefined;
  const hasPosts = () => (postsRoute ??= server.routes().some((r) => r.method === 'GET' && r.url === '/pm/posts'));

  const can = async (request: PmRequest, permission: Permission) => server.can((await request.pm.user())?.role, permission);

  async function page(request: PmRequest, reply: PmReply, o: PageOptions): Promise<PmReply> {
    const L = request.pm.link;
    const user = await request.pm.user();
    const role = user?.role;
    const items: { key: NavKey; label: string; href: string; permission: Permission }[] = [
      { key: 'home', label: 'Home', href: L('/pm/'), permission: 'url-dashboard' },
      { key: 'urls', label: 'Pages & URLs', href: await urlDashboardHref(request), permission: 'url-dashboard' },
      // Shown when a plugin (the blog) serves the Posts page.
      ...(hasPosts() ? [{ key: 'posts' as const, label: 'Posts', href: L('/pm/posts'), permission: 'posts.write' as const }] : []),
      // The comments plugin's moderation queue, when it is loaded.
      ...(server.routes().some((r) => r.method === 'GET' && r.url === '/pm/comments') ? [{ key: 'comments' as const, label: 'Comments', href: L('/pm/comments'), permission: 'comments.moderate' as const }] : []),
      // The media plugin's library, when it is loaded.
      ...(server.routes().some((r) => r.url === '/pm/media') ? [{ key: 'media' as const, label: 'Media', href: L('/pm/media'), permission: 'url-dashboard' as const }] : []),
      { key: 'menus', label: 'Menus', href: L('/pm/menus'), permission: 'menus.manage' },
      { key: 'themes', label: 'Themes', href: L('/pm/themes'), permission: 'themes.manage' },
      { key: 'users', label: 'Users', href: L('/pm/users'), permission: 'users.manage' },
      { key: 'settings', label: 'Site settings', href: L('/pm/settings'), permission: 'site.settings' },
      // The backups plugin's page, when it is loaded; a backup is the whole installation's, so the main site's only.
      ...(request.pm.site.isPrimary && server.routes().some((r) => r.url === '/pm/backups') ? [{ key: 'backups' as const, label: 'Backups', href: L('/pm/backups'), permission: 'site.backup' as const }] : []),
      { key: 'profile', label: 'Your profile', href: L('/pm/profile'), permission: 'url-dashboard' },
    ];
    const nav = items
      .filter((i) => server.can(role, i.permission))
      .map((i) => html`<a href="${i.href}"${i.key === o.nav ? html` aria-current="page"` : ''}>${i.label}</a>`);
    const notice = o.notice ?? takeFlash(request, reply);
    const offline = server.mode === 'offline';
    const foot = html`<div class="side-foot">
<span class="who">${user?.name || user?.username || ''}</span>
${role ? html`<span class="role">${roleLabel(role)}${offline ? ' · offline mode' : ''}</span>` : ''}
<a class="view-site" href="${siteHref(request, '', '/')}">View site ↗</a>
${
  offline
    ? html`<form class="inline-form" method="post" action="${L('/pm/stop')}">${csrfInput(request)}<button class="btn-link" type="submit">Stop pagemanager</button></form>`
    : html`<form class="inline-form" method="post" action="${L('/pm/logout')}">${csrfInput(request)}<button class="btn-link" type="submit">Log out</button></form>`
}
</div>`;
    const head = html`<div class="page-head"><div>
${o.crumbs?.length ? html`<p class="crumbs">${o.crumbs.map((c, i) => html`${i ? ' / ' : ''}<a href="${c.href}">${c.label}</a>`)}</p>` : ''}
<h1>${o.title}</h1></div>
${o.actions ? html`<div class="button-row">${o.actions}</div>` : ''}
${o.lede ? html`<p class="lede">${o.lede}</p>` : ''}
</div>`;
    const body = html`<a class="skip" href="#main">Skip to content</a>
<div class="frame">
<aside class="side">
<a class="brand" href="${L('/pm/')}"><span class="brand-site">${request.pm.site.title || 'Your site'}</span><span class="brand-app">pagemanager</span></a>
<nav class="nav" aria-label="Dashboard">${nav}</nav>
${foot}
</aside>
<main id="main">
${renderNotice(notice)}
${head}
${o.body}
</main>
</div>
${o.formsScript ? html`<script src="${L(`/pm/assets/forms.js?v=${assets.forms.version}`)}" defer></script>` : ''}`;
    // The dashboard's headers (no-store, no framing, its CSP) come from the server, for /pm/ and `dashboard` routes.
    reply
      .code(o.status ?? 200)
      .type('text/html; charset=utf-8');
    return reply.send(document(request, { title: o.title, body }));
  }

  function csrfInput(request: PmRequest): SafeHtml {
    return html`<input type="hidden" name="_csrf" value="${request.pm.csrfToken()}">`;
  }

  async function errorPage(request: PmRequest, reply: PmReply, e: { status: number; code: string; message: string; params: Record<string, string | number> }): Promise<PmReply> {
    const who = typeof e.params.who === 'string' ? e.params.who : '';
    const title = e.status === 403 ? 'You cannot do that here' : e.status === 404 ? 'Nothing here' : 'That did not work';
    return page(request, reply, {
      title,
      status: e.status,
      notice: { kind: 'error', text: e.message },
      body: html`<section class="card">${who ? html`<p><strong>${who}</strong> Ask an admin of this site if you need it.</p>` : ''}
<p><a class="btn" href="${request.pm.link('/pm/')}">Back to the dashboard</a></p><p class="muted small">Error ${e.status} · ${e.code}</p></section>`,
    });
  }

  const homeStatFns: ((request: PmRequest) => Promise<HomeStat | undefined>)[] = [];
  async function homeStats(request: PmRequest): Promise<HomeStat[]> {
    const out = await Promise.all(
      homeStatFns.map((f) =>
        f(request).catch((e: unknown) => {
          server.log.warn('a dashboard home figure failed', { err: String(e) });
          return undefined;
        }),
      ),
    );
    return out.filter((s): s is HomeStat => !!s && Number.isFinite(s.count));
  }

  return {
    assets,
    homeStats,
    addHomeStat: (f) => void homeStatFns.push(f),
    page,
    errorPage,
    document,
    redirect(request, reply, href, notice) {
      if (notice) flash(request, reply, notice);
      return reply.redirect(href, 303);
    },
    flash,
    takeFlash,
    csrf: csrfInput,
    siteHref,
    urlDashboardHref,
    can,
  };
}
