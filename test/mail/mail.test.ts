/**
 * Mail through a real SMTP server started here (smtp-server): what arrives, the outbox when the
 * server is down or not configured, the test-mail button, and that the password is in no log line.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import type { MailSender } from '../../pm-plugins/mail/index.js';
import type { Plugin } from '../../src/plugins/plugin.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const PASSWORD = 'smtp-secret-Zq81x';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

function startSmtp(): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'site@example.com' && auth.password === PASSWORD) cb(null, { user: 'site' });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (raw += c));
      stream.on('end', () => {
        received.push({ from: String(session.envelope.mailFrom && session.envelope.mailFrom.address), to: session.envelope.rcptTo.map((r) => r.address), raw });
        cb();
      });
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.server.address() as AddressInfo).port;
      resolve({ port, received, close: () => new Promise<void>((r) => server.close(() => r())) });
    });
  });
}

const logLines: string[] = [];
const logStream = new Writable({
  write(chunk, _enc, cb) {
    logLines.push(String(chunk));
    cb();
  },
});

async function appWith(mailToml: string | undefined): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'pm-mail-'));
  mkdirSync(dir, { recursive: true });
  if (mailToml) writeFileSync(join(dir, 'config.toml'), `[plugins.mail]\n${mailToml}\n[plugins.backups]\nevery_hours = 0\n`);
  return startTestApp({}, { dir, logger: { level: 'debug', stream: logStream } });
}

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('mail', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  before(async () => {
    process.env.PM_TEST_SMTP_PASSWORD = PASSWORD;
    smtp = await startSmtp();
  });
  after(async () => {
    await smtp.close();
    delete process.env.PM_TEST_SMTP_PASSWORD;
    const all = logLines.join('');
    assert.ok(all.length > 0, 'the app logged something');
    assert.ok(!all.includes(PASSWORD), 'the SMTP password appears in a log line');
  });

  const settings = (port: number) =>
    `host = "127.0.0.1"\nport = ${port}\nsecurity = "none"\nuser = "site@example.com"\npassword_env = "PM_TEST_SMTP_PASSWORD"\nfrom = "Fern & Kiln <site@example.com>"`;

  test('the test-mail button sends a mail with text and HTML parts through the configured server', async () => {
    const t = await appWith(settings(smtp.port));
    try {
      await t.user('root', 'root passphrase here', 'superadmin');
      const cookie = await t.login('root', 'root passphrase here');
      const page = await t.app.http.inject({ url: '/pm/mail', headers: { cookie } });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /127\.0\.0\.1:\d+/);
      assert.match(page.body, /PM_TEST_SMTP_PASSWORD<\/code> \(set\)/);
      assert.ok(!page.body.includes(PASSWORD));
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const before = smtp.received.length;
      const res = await t.app.http.inject({
        method: 'POST',
        url: '/pm/mail/test',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrf, to: 'maya@example.org' }).toString(),
      });
      assert.equal(res.statusCode, 303, res.body);
      const got = await until(() => smtp.received[before]);
      assert.deepEqual(got.to, ['maya@example.org']);
      assert.equal(got.from, 'site@example.com');
      assert.match(got.raw, /^Subject: A test mail from /m);
      assert.match(got.raw, /^From: "Fern & Kiln" <site@example\.com>/m);
      assert.match(got.raw, /Content-Type: multipart\/alternative/);
      assert.match(got.raw, /Content-Type: text\/plain/);
      assert.match(got.raw, /Content-Type: text\/html/);
      const sent = await until(async () => (await t.app.http.inject({ url: '/pm/mail', headers: { cookie } })).body.match(/badge-ok">Sent/));
      assert.ok(sent);
    } finally {
      await t.close();
    }
  });

  test('without settings, mail waits in the outbox (shown, not lost) and goes out once settings exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-mail-wait-'));
    let t = await startTestApp({}, { dir, logger: { level: 'debug', stream: logStream } });
    try {
      await t.user('root', 'root passphrase here', 'superadmin');
      const cookie = await t.login('root', 'root passphrase here');
      const page = await t.app.http.inject({ url: '/pm/mail', headers: { cookie } });
      assert.match(page.body, /No mail server is set, so mail waits here/);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const r = await t.app.http.inject({ method: 'POST', url: '/pm/mail/test', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${encodeURIComponent(csrf)}&to=ada%40example.org` });
      assert.equal(r.statusCode, 303);
      const after = await t.app.http.inject({ url: '/pm/mail', headers: { cookie } });
      assert.match(after.body, /Waiting for settings/);
      assert.match(after.body, /ada@example\.org/);
    } finally {
      await t.close();
    }
    const before = smtp.received.length;
    writeFileSync(join(dir, 'config.toml'), `[plugins.mail]\n${settings(smtp.port)}\n`);
    t = await startTestApp({}, { dir, logger: { level: 'debug', stream: logStream } });
    try {
      const got = await until(() => smtp.received.slice(before).find((m) => m.to.includes('ada@example.org')));
      assert.match(got.raw, /test mail/);
    } finally {
      await t.close();
    }
  });

  test('a mail server that is down loses nothing: the failure is shown, and a later attempt delivers', async () => {
    const down = await startSmtp();
    const port = down.port;
    await down.close();
    const t = await appWith(settings(port));
    try {
      await t.user('root', 'root passphrase here', 'superadmin');
      const cookie = await t.login('root', 'root passphrase here');
      const csrf = /name="_csrf" value="([^"]+)"/.exec((await t.app.http.inject({ url: '/pm/mail', headers: { cookie } })).body)![1]!;
      await t.app.http.inject({ method: 'POST', url: '/pm/mail/test', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${encodeURIComponent(csrf)}&to=sam%40example.org` });
      const failed = await until(async () => {
        const b = (await t.app.http.inject({ url: '/pm/mail', headers: { cookie } })).body;
        return /1 attempt: /.test(b) ? b : undefined;
      });
      assert.match(failed, /ECONNREFUSED|connect/);
      // The server comes back on the same port; the scheduler's retry delivers.
      const back = await startSmtpOn(port);
      try {
        const got = await until(() => back.received.find((m) => m.to.includes('sam@example.org')), 20_000);
        assert.ok(got);
      } finally {
        await back.close();
      }
    } finally {
      await t.close();
    }
  });

  test('another plugin sends through the plugin API (dependsOn mail, server.use)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-mail-use-'));
    writeFileSync(join(dir, 'config.toml'), `[plugins.mail]\n${settings(smtp.port)}\nnotify = "owner@example.org"\n`);
    const notifier: Plugin = {
      name: 'notifier',
      dependsOn: ['mail'],
      routes(router, server) {
        router.get('/notify-test', async (request) => {
          const mail = server.use<MailSender>('mail');
          const sent = await mail.notifyOwner({ siteId: request.pm.site.siteId, subject: 'Something happened', text: 'Details inside.' });
          return { queued: sent.length };
        });
      },
    };
    const t = await startTestApp({}, { dir, extraPlugins: [notifier], logger: { level: 'debug', stream: logStream } });
    try {
      const before = smtp.received.length;
      const r = await t.app.http.inject('/notify-test');
      assert.deepEqual(r.json(), { queued: 1 });
      const got = await until(() => smtp.received.slice(before).find((m) => m.to.includes('owner@example.org')));
      assert.match(got.raw, /^Subject: Something happened/m);
    } finally {
      await t.close();
    }
  });

  test('bad settings stop the start with a message naming the setting; a password in config.toml is refused', async () => {
    await assert.rejects(appWith('host = "127.0.0.1"\nport = "x"\nfrom = "a@b.example"'), /\[plugins\.mail\] port must be a port number/);
    await assert.rejects(appWith('host = "127.0.0.1"\nfrom = "a@b.example"\npassword = "hunter2"'), /\[plugins\.mail\] password must not be in config\.toml/);
    await assert.rejects(appWith('host = "127.0.0.1"\nfrom = "nobody"'), /\[plugins\.mail\] from must be an address/);
  });
});

/** Like startSmtp, on a given port (the "server came back" case). */
async function startSmtpOn(port: number): Promise<{ received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth: (auth, _s, cb) => (auth.password === PASSWORD ? cb(null, { user: 'site' }) : cb(new Error('bad'))),
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        received.push({ from: '', to: session.envelope.rcptTo.map((r) => r.address), raw });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { received, close: () => new Promise<void>((r) => server.close(() => r())) };
}
