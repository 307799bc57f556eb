/**
 * Mail (pm-plugins/mail): SMTP settings in config.toml, a persistent outbox sent by the core job
 * scheduler with retries, and a dashboard page (/pm/mail) showing the settings (never the
 * password), what waits and what failed, and a "Send a test mail" button. See README.md.
 */
import { isPmError, PmError } from '../../src/plugins/plugin.js';
import type { Plugin, PmReply, PmRequest } from '../../src/plugins/plugin.js';
import { input, str } from '../../src/plugins/plugin.js';
import { html } from '../../src/plugins/plugin.js';
import type { DashboardShell } from '../../src/plugins/plugin.js';
import { createMailService, releaseWaiting, type MailService } from './mail-service.js';
import { mailMigrations } from './outbox.js';

/** Each app's service, made in init and used by its routes (a test process runs several apps). */
const services = new WeakMap<object, MailService>();

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const STATUS_LABEL = { pending: 'Sending', waiting: 'Waiting for settings', sent: 'Sent', failed: 'Failed' } as const;

/**
 * What the mail plugin offers the plugins that list `mail` in `dependsOn`:
 * @example
 * const mail = server.use<MailSender>('mail');
 * await mail.notifyOwner({ siteId, subject: 'A comment waits for approval', text: '…' });
 */
export interface MailSender {
  send: MailService['send'];
  notifyOwner: MailService['notifyOwner'];
}

const plugin: Plugin = {
  name: 'mail',
  provides: ['mail'],
  tables: ['pm_mail_outbox'],
  dependsOn: ['dashboard'],
  async init(server) {
    await server.migrate(mailMigrations);
    let service: MailService;
    try {
      service = createMailService(server);
    } catch (e) {
      throw new PmError('PM_ERR_CONFIG', { detail: (e as Error).message });
    }
    services.set(server, service);
    server.provide('mail', { send: (m) => service.send(m), notifyOwner: (m) => service.notifyOwner(m) } satisfies MailSender);
    const released = await releaseWaiting(service);
    if (released) server.log.info(`${released} mail(s) that waited for SMTP settings are being sent`);
  },
  async routes(router, server) {
    const mail = services.get(server)!;
    const shell: DashboardShell = server.use('dashboard');

    async function show(request: PmRequest, reply: PmReply, o: { to?: string; error?: string; status?: number } = {}): Promise<PmReply> {
      const L = request.pm.link;
      const s = mail.settings;
      const [list, counts, me] = await Promise.all([mail.outbox.list({ limit: 50 }), mail.outbox.counts(), request.pm.user()]);
      const settingsCard = s
        ? html`<dl class="facts"><dt>Server</dt><dd><code>${s.host}:${s.port}</code> (${s.security === 'tls' ? 'TLS' : s.security === 'starttls' ? 'STARTTLS required' : 'no encryption'})</dd>
<dt>Sign-in</dt><dd>${s.user ? html`<code>${s.user}</code>, password from <code>${s.passwordEnv}</code> ${s.hasPassword ? '(set)' : html`<strong>(not set)</strong>`}` : 'none'}</dd>
<dt>From</dt><dd>${s.from}</dd><dt>Notifications to</dt><dd>${s.notify || 'the superadmins’ addresses'}</dd></dl>`
        : html`<p>No mail server is set, so mail waits here and nothing is lost. Add to <code>config.toml</code>:</p>
<pre><code>[plugins.mail]
host = "smtp.example.com"
port = 587
security = "starttls"   # or "tls" (port 465), "none"
user = "hello@example.com"
password_env = "PM_SMTP_PASSWORD"   # the password lives in this environment variable
from = "My site &lt;hello@example.com&gt;"</code></pre><p>then restart pagemanager.</p>`;
      const rows = list.map(
        (m) => html`<tr><td>${when(m.createdAt)}</td><td>${m.to}</td><td>${m.subject}</td><td><span class="badge badge-${m.status === 'sent' ? 'ok' : m.status === 'failed' ? 'error' : 'warn'}">${STATUS_LABEL[m.status]}</span>${
          m.lastError ? html`<br><span class="muted small">${m.attempts} attempt${m.attempts === 1 ? '' : 's'}: ${m.lastError}</span>` : ''
        }</td><td>${
          m.status === 'failed' && s
            ? html`<form method="post" action="${L(`/pm/mail/retry/${m.mailId}`)}">${shell.csrf(request)}<button type="submit">Retry</button></form>`
            : ''
        }</td></tr>`,
      );
      return shell.page(request, reply, {
        title: 'Mail',
        nav: 'settings',
        status: o.status,
        notice: o.error ? { kind: 'error', text: o.error } : undefined,
        lede: `Mail the site sends: ${counts.pending} sending, ${counts.waiting} waiting for settings, ${counts.failed} failed, ${counts.sent} sent.`,
        body: html`<section class="card stack"><h2>Mail server</h2>${settingsCard}</section>
<section class="card stack"><h2>Send a test mail</h2>
<form class="stack" method="post" action="${L('/pm/mail/test')}" novalidate>${shell.csrf(request)}
${input({ name: 'to', label: 'To', type: 'email', value: o.to ?? me?.email ?? '', required: true, error: o.error })}
<div class="button-row"><button class="btn-primary" type="submit">Send a test mail</button></div></form></section>
<section class="card stack"><h2>Outbox</h2>${
          rows.length
            ? html`<div class="table-wrap"><table class="table"><thead><tr><th>Queued</th><th>To</th><th>Subject</th><th>Status</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>`
            : html`<p class="muted">Nothing sent yet.</p>`
        }</section>`,
      });
    }

    router.get('/pm/mail', (request, reply) => show(request, reply), { permission: 'site.settings', description: 'Mail: settings, outbox, test mail' });

    router.post(
      '/pm/mail/test',
      async (request, reply) => {
        const to = str(request.body, 'to').trim();
        try {
          const m = await mail.send({ to, siteId: request.pm.site.siteId, subject: `A test mail from ${request.pm.site.title}`, text: `This is a test mail from pagemanager.\n\nIf you can read it, ${request.pm.site.title} can send mail.\n`, html: `<p>This is a test mail from pagemanager.</p><p>If you can read it, <strong>${request.pm.site.title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</strong> can send mail.</p>` });
          return shell.redirect(request, reply, request.pm.link('/pm/mail'), {
            kind: mail.settings ? 'ok' : 'warn',
            text: mail.settings ? `The test mail to ${m.to} is on its way; its status is below.` : `The test mail to ${m.to} waits in the outbox until a mail server is set.`,
          });
        } catch (e) {
          if (isPmError(e)) throw e;
          return show(request, reply, { to, error: `Enter an email address such as you@example.com.`, status: 422 });
        }
      },
      { permission: 'site.settings', description: 'Send a test mail' },
    );

    router.post(
      '/pm/mail/retry/:mailId',
      async (request, reply) => {
        const { mailId } = request.params as { mailId: string };
        const ok = await mail.retry(mailId);
        if (!ok) throw new PmError('PM_ERR_NOT_FOUND', { what: `a mail to retry (${mailId.slice(0, 30)})` });
        return shell.redirect(request, reply, request.pm.link('/pm/mail'), { kind: 'ok', text: 'Sending it again.' });
      },
      { permission: 'site.settings', description: 'Retry a failed mail' },
    );
  },
};

export default plugin;
