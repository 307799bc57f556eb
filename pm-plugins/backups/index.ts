/**
 * Backups in the dashboard (/pm/backups, superadmins): download one now (streamed as it is
 * written), and scheduled backups kept N deep in the data folder's pm-backups/ or the bucket,
 * with the last result shown. The archive and its checks are the core's (src/backup/,
 * docs/backup.md); this plugin is a door onto them.
 *
 * config.toml:
 *   [plugins.backups]
 *   every_hours = 24   # 0 turns scheduled backups off
 *   keep = 7           # how many stored backups to keep
 */
import { PmError } from '../../src/plugins/plugin.js';
import type { Plugin, PluginServer, PmReply, PmRequest } from '../../src/plugins/plugin.js';
import { html } from '../../src/plugins/plugin.js';
import type { DashboardShell } from '../../src/plugins/plugin.js';

const JOB = 'backups.scheduled';

function settings(server: PluginServer): { everyHours: number; keep: number } {
  const every = Number(server.config.every_hours ?? 24);
  const keep = Number(server.config.keep ?? 7);
  if (!Number.isFinite(every) || every < 0) throw new Error(`[plugins.backups] every_hours must be 0 or more hours, not ${JSON.stringify(server.config.every_hours)}`);
  if (!Number.isInteger(keep) || keep < 1 || keep > 1000) throw new Error(`[plugins.backups] keep must be a whole number from 1 to 1000, not ${JSON.stringify(server.config.keep)}`);
  return { everyHours: every, keep };
}

const mib = (n: number) => (n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KiB` : `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 2 : 1)} MiB`);
const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

const plugin: Plugin = {
  name: 'backups',
  dependsOn: ['dashboard'],
  async init(server) {
    const s = settings(server);
    server.jobs.define(JOB, async () => {
      const r = await server.backups.runStored(s.keep);
      if (!r.ok) server.log.error(`scheduled backup failed: ${r.error}`);
      if (s.everyHours > 0) await server.jobs.schedule({ kind: JOB, key: 'installation', runAt: Date.now() + s.everyHours * 3600_000 });
    });
    if (s.everyHours === 0) await server.jobs.cancel(JOB, 'installation');
    else if (!(await server.jobs.get(JOB, 'installation'))) {
      await server.jobs.schedule({ kind: JOB, key: 'installation', runAt: Date.now() + s.everyHours * 3600_000 });
    }
  },
  async routes(router, server) {
    const s = settings(server);
    const shell: DashboardShell = server.use('dashboard');

    /** A backup holds every site of the installation: only the primary site's superadmins may take one. */
    function installationOnly(request: PmRequest): void {
      if (!request.pm.site.isPrimary) throw new PmError('PM_ERR_FORBIDDEN', { action: 'back up the installation (only the main site’s superadmins can)' });
    }

    async function show(request: PmRequest, reply: PmReply): Promise<PmReply> {
      installationOnly(request);
      const L = request.pm.link;
      const [stored, last, job] = await Promise.all([server.backups.list(), server.backups.lastStatus(), server.jobs.get(JOB, 'installation')]);
      const schedule =
        s.everyHours > 0
          ? html`<p>Every ${s.everyHours} hours${job ? html`, next at ${when(job.runAt)}` : ''}; the newest ${s.keep} are kept in <code>${server.backups.location}</code>.</p>`
          : html`<p>Scheduled backups are off (<code>every_hours = 0</code>).</p>`;
      const lastLine = !last
        ? html`<p class="muted">No stored backup yet.</p>`
        : last.ok
          ? html`<p><span class="badge badge-ok">OK</span> Last backup ${when(last.at)}: ${last.name} (${mib(last.size ?? 0)}).</p>`
          : html`<p role="alert"><span class="badge badge-error">Failed</span> Last backup ${when(last.at)} failed: ${last.error}</p>`;
      return shell.page(request, reply, {
        title: 'Backups',
        nav: 'backups',
        lede: 'One archive holds the whole site: pages, posts, users, uploads, your themes and plugins. Restore it with pagemanager restore.',
        body: html`<section class="card stack"><h2>Download a backup</h2>
<p>Made now, while the site keeps serving. It holds every user’s password hash and tokens: keep it somewhere safe.</p>
<form method="post" action="${L('/pm/backups/download')}">${shell.csrf(request)}<button class="btn-primary" type="submit">Download a backup</button></form></section>
<section class="card stack"><h2>Scheduled backups</h2>${schedule}${lastLine}
<form method="post" action="${L('/pm/backups/run')}">${shell.csrf(request)}<button type="submit">Back up now</button></form>
${
  stored.length
    ? html`<div class="table-wrap"><table class="table"><thead><tr><th>Backup</th><th>Size</th><th></th></tr></thead><tbody>${stored.map(
        (b) => html`<tr><td>${when(b.createdAt)}<br><span class="muted small">${b.name}</span></td><td>${mib(b.size)}</td><td><a class="btn" href="${L(`/pm/backups/file/${b.name}`)}" download>Download</a></td></tr>`,
      )}</tbody></table></div>`
    : ''
}</section>
<p class="muted small">To restore: <code>pagemanager restore FILE --dir NEW-FOLDER</code> (or <code>--dsn postgres://…</code>) onto an empty folder or database.</p>`,
      });
    }

    router.get('/pm/backups', (request, reply) => show(request, reply), { permission: 'site.backup', description: 'Backups: download one, scheduled backups' });

    router.post(
      '/pm/backups/download',
      async (request, reply) => {
        installationOnly(request);
        const name = `pagemanager-backup-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}.tar.gz`;
        reply.hijack();
        reply.raw.writeHead(200, {
          'content-type': 'application/gzip',
          'content-disposition': `attachment; filename="${name}"`,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
        try {
          await server.backups.write(reply.raw);
        } catch (e) {
          // Headers are gone: the only honest signal left is a cut connection (the download fails, it is not a bad file).
          server.log.error('a backup download failed', { err: e });
          reply.raw.destroy();
        }
        return reply;
      },
      { permission: 'site.backup', description: 'Download a backup (streamed)' },
    );

    router.post(
      '/pm/backups/run',
      async (request, reply) => {
        installationOnly(request);
        const r = await server.backups.runStored(s.keep);
        return shell.redirect(request, reply, request.pm.link('/pm/backups'), r.ok ? { kind: 'ok', text: `Backed up: ${r.name} (${mib(r.size ?? 0)}).` } : { kind: 'error', text: `The backup failed: ${r.error}` });
      },
      { permission: 'site.backup', description: 'Store a backup now' },
    );

    router.get(
      '/pm/backups/file/:name',
      async (request, reply) => {
        installationOnly(request);
        const { name } = request.params as { name: string };
        const body = await server.backups.read(name);
        if (!body) return server.sendError(request, reply, new PmError('PM_ERR_NOT_FOUND', { what: `backup ${name}` }));
        return reply.header('content-type', 'application/gzip').header('content-disposition', `attachment; filename="${name}"`).send(body);
      },
      { permission: 'site.backup', description: 'A stored backup' },
    );
  },
};

export default plugin;
