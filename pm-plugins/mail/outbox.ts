/**
 * The outbox: every mail is a row first and is sent from there, by a job of the core scheduler,
 * so a mail server that is down (or not configured yet) loses nothing. Plain SQL with `?`
 * placeholders that both dialects run unchanged.
 */
import { ulid } from 'ulid';
import type { Migration, PluginServer } from '../../src/plugins/plugin.js';

export const mailMigrations: Migration[] = [
  {
    version: 1,
    name: 'outbox',
    up: ({ types: { text, bigint } }) => `
CREATE TABLE pm_mail_outbox (
  mail_id ${text} NOT NULL PRIMARY KEY,
  site_id ${text},
  to_addr ${text} NOT NULL,
  subject ${text} NOT NULL,
  text_body ${text} NOT NULL,
  html_body ${text},
  headers ${text} NOT NULL DEFAULT '{}',
  status ${text} NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error ${text},
  created_at ${bigint} NOT NULL,
  sent_at ${bigint}
);
CREATE INDEX pm_mail_outbox_status ON pm_mail_outbox (status, created_at);
`,
  },
];

/** `waiting`: no SMTP settings yet (kept, shown, sent once they exist); `failed`: gave up after retries. */
export type MailStatus = 'pending' | 'waiting' | 'sent' | 'failed';

export interface OutboxMail {
  mailId: string;
  siteId: string | null;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  headers: Record<string, string>;
  status: MailStatus;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
}

interface Row {
  mail_id: string;
  site_id: string | null;
  to_addr: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  headers: string;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

const fromRow = (r: Row): OutboxMail => ({
  mailId: r.mail_id,
  siteId: r.site_id,
  to: r.to_addr,
  subject: r.subject,
  text: r.text_body,
  html: r.html_body,
  headers: JSON.parse(r.headers || '{}') as Record<string, string>,
  status: r.status as MailStatus,
  attempts: Number(r.attempts),
  lastError: r.last_error,
  createdAt: Number(r.created_at),
  sentAt: r.sent_at === null ? null : Number(r.sent_at),
});

export function createOutbox(server: PluginServer) {
  const { db, sql } = server;
  return {
    async add(m: { siteId?: string; to: string; subject: string; text: string; html?: string; headers?: Record<string, string>; status: MailStatus }): Promise<OutboxMail> {
      const mailId = ulid();
      const now = Date.now();
      await db.run(sql`INSERT INTO pm_mail_outbox (mail_id, site_id, to_addr, subject, text_body, html_body, headers, status, attempts, created_at) VALUES (${mailId}, ${m.siteId ?? null}, ${m.to}, ${m.subject}, ${m.text}, ${m.html ?? null}, ${JSON.stringify(m.headers ?? {})}, ${m.status}, 0, ${now})`);
      return (await this.get(mailId))!;
    },
    async get(mailId: string): Promise<OutboxMail | undefined> {
      const r = await db.get<Row>(sql`SELECT * FROM pm_mail_outbox WHERE mail_id = ${mailId}`);
      return r && fromRow(r);
    },
    async list(opts: { status?: MailStatus; limit?: number } = {}): Promise<OutboxMail[]> {
      const limit = Math.min(500, opts.limit ?? 100);
      const rows = opts.status
        ? await db.all<Row>(sql`SELECT * FROM pm_mail_outbox WHERE status = ${opts.status} ORDER BY created_at DESC, mail_id DESC LIMIT ${limit}`)
        : await db.all<Row>(sql`SELECT * FROM pm_mail_outbox ORDER BY created_at DESC, mail_id DESC LIMIT ${limit}`);
      return rows.map(fromRow);
    },
    async counts(): Promise<Record<MailStatus, number>> {
      const rows = await db.all<{ status: string; n: number }>(sql`SELECT status, COUNT(*) AS n FROM pm_mail_outbox GROUP BY status`);
      const out: Record<MailStatus, number> = { pending: 0, waiting: 0, sent: 0, failed: 0 };
      for (const r of rows) if (r.status in out) out[r.status as MailStatus] = Number(r.n);
      return out;
    },
    async markSent(mailId: string): Promise<void> {
      await db.run(sql`UPDATE pm_mail_outbox SET status = 'sent', sent_at = ${Date.now()}, attempts = attempts + 1, last_error = NULL WHERE mail_id = ${mailId}`);
    },
    async markAttempt(mailId: string, error: string, status: MailStatus): Promise<void> {
      await db.run(sql`UPDATE pm_mail_outbox SET status = ${status}, attempts = attempts + 1, last_error = ${error.slice(0, 500)} WHERE mail_id = ${mailId}`);
    },
    async setStatus(mailId: string, status: MailStatus): Promise<void> {
      await db.run(sql`UPDATE pm_mail_outbox SET status = ${status} WHERE mail_id = ${mailId}`);
    },
    /** Sent mail older than `days` goes; the rest stays. */
    async prune(days: number): Promise<number> {
      const r = await db.run(sql`DELETE FROM pm_mail_outbox WHERE status = 'sent' AND sent_at < ${Date.now() - days * 86_400_000}`);
      return r.changes;
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
