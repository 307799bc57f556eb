/**
 * What the dashboard plugin provides to other plugins (`provides: ['dashboard']`):
 * the shell every dashboard page renders into. A plugin that adds dashboard
 * pages says `dependsOn: ['dashboard']` and takes it with `server.use('dashboard')`.
 *
 * @example
 * const plugin: Plugin = {
 *   name: 'hello',
 *   dependsOn: ['dashboard'],
 *   routes(router, server) {
 *     const shell = server.use('dashboard');
 *     router.get('/pm/hello', (request, reply) =>
 *       shell.page(request, reply, { title: 'Hello', body: html`<p>Hi ${request.pm.session?.name}</p>` }),
 *       { permission: 'url-dashboard' });
 *   },
 * };
 */
import type { PmReply, PmRequest } from './api.js';
import type { SafeHtml } from './html.js';
import type { Permission } from '../users/permissions.js';

export type NavKey = 'home' | 'urls' | 'posts' | 'comments' | 'menus' | 'media' | 'themes' | 'users' | 'settings' | 'backups' | 'profile';

export interface Notice {
  kind: 'ok' | 'error' | 'info' | 'warn';
  text: string;
  link?: { href: string; label: string };
}

/** A figure on the dashboard home, beside the pages and users counts (a plugin's "3 comments waiting"). */
export interface HomeStat {
  count: number;
  /** What is counted, already in the right number: "comments waiting". */
  label: string;
  href: string;
  /** Draws the eye (something waits for the user). */
  attention?: boolean;
}

export interface PageOptions {
  title: string;
  /** The sidebar entry to highlight. */
  nav?: NavKey;
  body: SafeHtml;
  status?: number;
  /** One line under the title. */
  lede?: string;
  /** Links above the title, from the top down to the parent page. */
  crumbs?: { href: string; label: string }[];
  /** Buttons at the right of the title. */
  actions?: SafeHtml;
  notice?: Notice;
  /** Include the JSON Schema forms' script (array Add / Remove / Move without a round trip). */
  formsScript?: boolean;
}

export interface DashboardShell {
  /** Sends a dashboard page with the sidebar, the user's notices and the dashboard's response headers. */
  page(request: PmRequest, reply: PmReply, o: PageOptions): Promise<PmReply>;
  /** A whole HTML document without the sidebar (the login page). */
  document(request: PmRequest, o: { title: string; bodyClass?: string; body: SafeHtml }): string;
  /** 303 to a link inside the site (built with `request.pm.link` or `siteHref`), with a notice for the next page. */
  redirect(request: PmRequest, reply: PmReply, href: string, notice?: Notice): PmReply;
  flash(request: PmRequest, reply: PmReply, notice: Notice): void;
  /** The notice left by the previous response, cleared as it is read (the shell's page() does this itself). */
  takeFlash(request: PmRequest, reply: PmReply): Notice | undefined;
  /** The hidden `_csrf` input for a form. */
  csrf(request: PmRequest): SafeHtml;
  /** A visitor's link to a page of this site in a langcode ('' for the default). */
  siteHref(request: PmRequest, langcode: string, urlPath: string): string;
  /** Where the URL dashboard is reached on this site (its first alias, /pm/urls preferred). */
  urlDashboardHref(request: PmRequest): Promise<string>;
  can(request: PmRequest, permission: Permission): Promise<boolean>;
  /**
   * Adds a figure to the dashboard home. `stat` runs on every load of the home, for the user
   * asking: return undefined to show nothing (no permission, nothing to count). A throw shows nothing too.
   * @example
   * shell.addHomeStat(async (request) => (await shell.can(request, 'comments.moderate'))
   *   ? { count: await waiting(request.pm.site.siteId), label: 'comments waiting', href: request.pm.link('/pm/comments') }
   *   : undefined);
   */
  addHomeStat(stat: (request: PmRequest) => Promise<HomeStat | undefined>): void;
  /** A refusal (403, 404, 409…) inside the dashboard layout, in plain words; for `router.errorPage`. */
  errorPage(request: PmRequest, reply: PmReply, e: { status: number; code: string; message: string; params: Record<string, string | number> }): Promise<PmReply>;
}
