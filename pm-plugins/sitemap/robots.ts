/**
 * `/robots.txt`: the site's own text (edited at /pm/settings/robots), or a
 * default that keeps crawlers out of the dashboard. Either way it names the
 * sitemap: a `Sitemap:` line is added when the text has none.
 */
import type { Migration, PluginRouter, PluginServer, PmRequest } from '../../src/plugins/plugin.js';
import { textarea, str } from '../../src/plugins/plugin.js';
import { html } from '../../src/plugins/plugin.js';

export const robotsMigrations: Migration[] = [
  {
    version: 1,
    name: 'pm_sitemap_robots',
    up: ({ types: { text, bigint } }) => `CREATE TABLE pm_sitemap_robots (
  site_id ${text} NOT NULL PRIMARY KEY REFERENCES pm_site (site_id) ON DELETE CASCADE,
  body ${text} NOT NULL,
  updated_at ${bigint} NOT NULL
);`,
  },
];

const LIMIT = 20_000;
export const DEFAULT_ROBOTS = 'User-agent: *\nDisallow: /pm/\n';

export function robotsText(stored: string | undefined, sitemapUrl: string): string {
  const body = (stored ?? DEFAULT_ROBOTS).replace(/\r\n?/g, '\n').replace(/\n*$/, '\n');
  return /^\s*sitemap\s*:/im.test(body) ? body : `${body}\nSitemap: ${sitemapUrl}\n`;
}

export async function robotsRoutes(router: PluginRouter, server: PluginServer, sitemapUrl: (request: PmRequest) => string): Promise<void> {
  const shell = server.use('dashboard');
  const { sql } = server;
  const read = async (siteId: string) => (await server.db.get<{ body: string }>(sql`SELECT body FROM pm_sitemap_robots WHERE site_id = ${siteId}`))?.body;

  router.get('/robots.txt', async (request, reply) => reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(robotsText(await read(request.pm.site.siteId), sitemapUrl(request))), {
    description: 'robots.txt (names the sitemap)',
  });

  async function form(request: PmRequest, reply: Parameters<Parameters<PluginRouter['get']>[1]>[1], value: string, error?: string) {
    const L = request.pm.link;
    return shell.page(request, reply, {
      title: 'robots.txt',
      nav: 'settings',
      status: error ? 422 : 200,
      crumbs: [{ href: L('/pm/settings'), label: 'Site settings' }],
      lede: 'What search engines are asked to leave alone. The sitemap line is added for you when the text has none.',
      body: html`<section class="card"><form class="stack" method="post" action="${L('/pm/settings/robots')}" novalidate>${shell.csrf(request)}
${textarea({ name: 'body', label: 'robots.txt', value, rows: 10, error, help: html`Served at <a href="${L('/robots.txt')}">/robots.txt</a>. Empty: the default, which keeps crawlers out of /pm/.` })}
<div class="button-row"><button class="btn-primary" type="submit">Save</button></div>
</form></section>`,
    });
  }

  router.get('/pm/settings/robots', async (request, reply) => form(request, reply, (await read(request.pm.site.siteId)) ?? DEFAULT_ROBOTS), { permission: 'site.settings', description: 'Edit robots.txt' });

  router.post('/pm/settings/robots', async (request, reply) => {
    const body = str(request.body, 'body').replace(/\r\n?/g, '\n');
    if (body.length > LIMIT) return form(request, reply, body, `robots.txt is ${body.length} characters; the limit is ${LIMIT}.`);
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(body)) return form(request, reply, body, 'robots.txt must be plain text (it contains control characters).');
    const siteId = request.pm.site.siteId;
    if (!body.trim()) await server.db.run(sql`DELETE FROM pm_sitemap_robots WHERE site_id = ${siteId}`);
    else {
      await server.db.run(sql`INSERT INTO pm_sitemap_robots (site_id, body, updated_at) VALUES (${siteId}, ${body}, ${Date.now()}) ON CONFLICT (site_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`);
    }
    return shell.redirect(request, reply, request.pm.link('/pm/settings/robots'), { kind: 'ok', text: body.trim() ? 'robots.txt saved.' : 'robots.txt is back to the default.' });
  }, { permission: 'site.settings', description: 'Saves robots.txt' });
}
