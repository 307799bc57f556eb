/**
 * Sending mail: SMTP settings from `[plugins.mail]` (the password from an environment variable,
 * never from the file and never in a log line), a persistent outbox, and a job per mail, retried
 * with the scheduler's backoff. Without settings, mail waits in the outbox, shown in the
 * dashboard, and goes out once settings exist.
 */
import type { PluginServer } from '../../src/plugins/plugin.js';
import { createOutbox, type OutboxMail } from './outbox.js';

export const SEND_JOB = 'mail.send';
const MAX_ATTEMPTS = 8;

export interface SmtpSettings {
  host: string;
  port: number;
  /** `tls`: TLS from the first byte (465); `starttls`: upgrade required (587); `none`: plain (a local relay). */
  security: 'tls' | 'starttls' | 'none';
  user: string;
  /** The name of the environment variable holding the password (its value is never stored or shown). */
  passwordEnv: string;
  hasPassword: boolean;
  from: string;
  /** Where notifications for the owner go; empty: the site's superadmins who have an email. */
  notify: string;
  allowInvalidCert: boolean;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  siteId?: string;
  headers?: Record<string, string>;
}

export interface MailService {
  readonly settings: SmtpSettings | undefined;
  /** Puts a mail in the outbox and schedules its sending; resolves once it is stored. */
  send(m: MailMessage): Promise<OutboxMail>;
  /** A notification for the people who run the site. */
  notifyOwner(m: Omit<MailMessage, 'to'> & { siteId: string }): Promise<OutboxMail[]>;
  readonly outbox: ReturnType<typeof createOutbox>;
  /** Sends again what failed or waited (after the settings were fixed). */
  retry(mailId: string): Promise<boolean>;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** Reads and checks `[plugins.mail]`; undefined when no host is set. Throws a message naming the setting. */
export function readSmtpSettings(config: Record<string, unknown>, env: NodeJS.ProcessEnv): SmtpSettings | undefined {
  const bad = (key: string, why: string) => new Error(`[plugins.mail] ${key} ${why}`);
  const host = config.host === undefined ? '' : String(config.host).trim();
  if (!host) return undefined;
  if (!/^[A-Za-z0-9.-]+$/.test(host) && !/^\[[0-9a-fA-F:]+\]$/.test(host)) throw bad('host', `must be a host name, not ${JSON.stringify(config.host)}`);
  const security = String(config.security ?? 'starttls');
  if (!['tls', 'starttls', 'none'].includes(security)) throw bad('security', `must be "tls", "starttls" or "none", not ${JSON.stringify(config.security)}`);
  const port = Number(config.port ?? (security === 'tls' ? 465 : 587));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad('port', `must be a port number, not ${JSON.stringify(config.port)}`);
  if ('password' in config) throw bad('password', 'must not be in config.toml: put it in an environment variable and name it with password_env');
  const passwordEnv = String(config.password_env ?? 'PM_SMTP_PASSWORD');
  if (!/^[A-Z_][A-Z0-9_]*$/.test(passwordEnv)) throw bad('password_env', `must be the name of an environment variable, not ${JSON.stringify(config.password_env)}`);
  const from = String(config.from ?? '').trim();
  const fromAddr = /<([^>]+)>\s*$/.exec(from)?.[1] ?? from;
  if (!EMAIL.test(fromAddr)) throw bad('from', `must be an address such as "Fern & Kiln <hello@example.com>", not ${JSON.stringify(config.from ?? '')}`);
  const notify = String(config.notify ?? '').trim();
  if (notify && !notify.split(',').every((a) => EMAIL.test(a.trim()))) throw bad('notify', `must be one or more addresses separated by commas, not ${JSON.stringify(config.notify)}`);
  return {
    host,
    port,
    security: security as SmtpSettings['security'],
    user: String(config.user ?? ''),
    passwordEnv,
    hasPassword: Boolean(env[passwordEnv]),
    from,
    notify,
    allowInvalidCert: config.allow_invalid_cert === true,
  };
}

export function createMailService(server: PluginServer, env: NodeJS.ProcessEnv = process.env): MailService {
  const settings = readSmtpSettings(server.config, env);
  const outbox = createOutbox(server);
  let transport: Promise<import('nodemailer').Transporter> | undefined;

  function transporter(s: SmtpSettings): Promise<import('nodemailer').Transporter> {
    // nodemailer is loaded on the first mail, not at start.
    transport ??= import('nodemailer').then((nm) =>
      nm.createTransport({
        host: s.host,
        port: s.port,
        secure: s.security === 'tls',
        requireTLS: s.security === 'starttls',
        ignoreTLS: s.security === 'none',
        auth: s.user ? { user: s.user, pass: env[s.passwordEnv] ?? '' } : undefined,
        tls: { rejectUnauthorized: !s.allowInvalidCert },
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
        logger: false,
        debug: false,
      }),
    );
    return transport;
  }

  server.jobs.define(SEND_JOB, async (job) => {
    const mail = await outbox.get(job.key);
    if (!mail || mail.status === 'sent') return;
    if (!settings) {
      await outbox.setStatus(mail.mailId, 'waiting');
      return;
    }
    try {
      const t = await transporter(settings);
      await t.sendMail({ from: settings.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html ?? undefined, headers: mail.headers });
      await outbox.markSent(mail.mailId);
    } catch (e) {
      const last = job.attempts + 1 >= MAX_ATTEMPTS;
      // Only the server's answer: nodemailer's errors carry the command and response, never the password.
      const why = (e as Error).message.split('\n')[0] ?? 'unknown error';
      await outbox.markAttempt(mail.mailId, why, last ? 'failed' : 'pending');
      server.log.warn(`mail to ${mail.to.replace(/^[^@]{0,2}/, '**')} not sent (attempt ${job.attempts + 1} of ${MAX_ATTEMPTS}): ${why}`);
      if (!last) throw e;
    }
  });

  const schedule = (mailId: string, runAt = Date.now()) => server.jobs.schedule({ kind: SEND_JOB, key: mailId, runAt, maxAttempts: MAX_ATTEMPTS });

  return {
    settings,
    outbox,
    async send(m) {
      const to = m.to.trim();
      if (!EMAIL.test(to)) throw new Error(`"${to}" is not an email address`);
      if (/[\r\n]/.test(m.subject)) throw new Error('a subject is one line');
      const mail = await outbox.add({ siteId: m.siteId, to, subject: m.subject.slice(0, 300), text: m.text, html: m.html, headers: m.headers, status: settings ? 'pending' : 'waiting' });
      if (settings) await schedule(mail.mailId);
      return mail;
    },
    async notifyOwner(m) {
      const to = settings?.notify
        ? settings.notify.split(',').map((a) => a.trim())
        : (await server.users.list(m.siteId)).filter((u) => u.role === 'superadmin' && EMAIL.test(u.email ?? '')).map((u) => u.email!);
      const out: OutboxMail[] = [];
      for (const addr of to) out.push(await this.send({ ...m, to: addr }));
      return out;
    },
    async retry(mailId) {
      const mail = await outbox.get(mailId);
      if (!mail || mail.status === 'sent' || !settings) return false;
      await outbox.setStatus(mailId, 'pending');
      await schedule(mailId);
      return true;
    },
  };
}

/** What waited for settings goes out once they exist (called at start). */
export async function releaseWaiting(mail: MailService): Promise<number> {
  if (!mail.settings) return 0;
  let n = 0;
  for (const m of await mail.outbox.list({ status: 'waiting', limit: 500 })) if (await mail.retry(m.mailId)) n++;
  return n;
}
