import { execFile, spawn } from 'node:child_process';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { createApp, type App } from '../app/create-app.js';
import { PmError } from '../errors/errors.js';
import type { Config } from '../config/load-config.js';

const PKG_NAME = 'pagemanager';

/** GET /pm/health on an address; resolves with what answered, or undefined if nothing did. */
export function probe(host: string, port: number, timeoutMs = 1000): Promise<{ pagemanager: boolean; server: string } | undefined> {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return new Promise((resolve) => {
    const req = request({ host: h, port, path: '/pm/health', timeout: timeoutMs, headers: { accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ pagemanager: body.includes(`"name":"${PKG_NAME}"`), server: String(res.headers.server ?? '') }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/**
 * The program a process runs, from its command line ("node", "nginx"): `ss` names the
 * thread holding the socket, which Node 24 calls "MainThread".
 */
function programName(pid: number): string | undefined {
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    return argv0 ? argv0.split('/').pop() || undefined : undefined;
  } catch {
    return undefined;
  }
}

/** The name of the process listening on a TCP port, where `ss` can tell. */
function listenerName(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('ss', ['-ltnpH', `sport = :${port}`], { timeout: 1000 }, (err, stdout) => {
      const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout ?? '');
      resolve(err || !m ? undefined : `${programName(Number(m[2])) ?? m[1]} (pid ${m[2]})`);
    });
  });
}

export function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => process.stderr.write(`Open ${url} in your browser.\n`));
    child.unref();
  } catch {
    process.stderr.write(`Open ${url} in your browser.\n`);
  }
}

/** Polls until the port answers (no fixed sleep), then opens the browser. */
async function openWhenReady(host: string, port: number, url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await probe(host, port, 500)) return openBrowser(url);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function serve(config: Config): Promise<number> {
  // A signal during start-up (the port may already answer: listenEarly) is kept and acted on
  // once the start has ended, so the database is never left half-opened or half-migrated.
  // A second signal, or a start that does not end within the shutdown timeout, exits at once.
  let stopDuringStart: string | undefined;
  let startGiveUp: NodeJS.Timeout | undefined;
  let app: App | undefined;
  /** Set once the start has ended well: from then on a stop is carried out at once. */
  let started = false;
  let stopping = false;
  const stop = (why: string) => (started ? stopRunning(why) : stopDuringStartUp(why));
  function stopDuringStartUp(why: string): void {
    if (stopDuringStart !== undefined) {
      process.stderr.write(`pagemanager: ${why} again during start-up; exiting without waiting\n`);
      process.exit(1);
    }
    stopDuringStart = why;
    process.stdout.write(`\n${why}: stopping once start-up has finished (up to ${config.shutdownTimeoutMs / 1000} s)…\n`);
    startGiveUp = setTimeout(() => {
      process.stderr.write(`pagemanager: start-up did not finish within ${config.shutdownTimeoutMs / 1000} s of ${why}; exiting\n`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
  }
  function stopRunning(why: string): void {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${why}: finishing requests in flight (up to ${config.shutdownTimeoutMs / 1000} s) and closing the database…\n`);
    // Stops accepting, lets responses in flight reach their readers, closes what still hangs at the deadline.
    app!.close({ drainMs: config.shutdownTimeoutMs }).then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`pagemanager: error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  }
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  let addr;
  try {
    app = await createApp(config, {
      logger: { level: config.debug ? 'debug' : 'warn', redact: ['req.headers.cookie', 'req.headers.authorization'] },
      onStopRequested: () => stop('The Stop button in the dashboard'),
      // Stored pages answer while the plugins load; see AppOptions.listenEarly for localhost.
      listenEarly: config.host !== 'localhost',
    });
    addr = await app.listen();
  } catch (e) {
    clearTimeout(startGiveUp);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    await app?.close();
    // Only a failure to listen means the port; createApp throws everything else as it is.
    const listenFailed = app !== undefined || (e as { listenFailed?: boolean }).listenFailed === true;
    if (listenFailed && (e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
      const url = `http://${config.host === '0.0.0.0' ? 'localhost' : shownHost}:${config.port}/`;
      const who = await probe(config.host, config.port);
      if (who?.pagemanager) {
        process.stdout.write(`pagemanager is already running at ${url}\n`);
        if (config.open) openBrowser(url);
        return 0;
      }
      const name = (await listenerName(config.port)) ?? (who?.server ? `a web server that calls itself "${who.server}"` : 'another program');
      throw new PmError('PM_ERR_CONFIG', { detail: `port ${config.port} on ${config.host} is in use by ${name}; stop it or pick another port with --addr` });
    }
    if (listenFailed && (e as NodeJS.ErrnoException).code === 'EACCES') {
      throw new PmError('PM_ERR_CONFIG', { detail: `not allowed to listen on port ${config.port}; ports below 1024 need privileges, pick another with --addr` });
    }
    throw e;
  }
  clearTimeout(startGiveUp);
  if (stopDuringStart !== undefined) {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    await app.close({ drainMs: config.shutdownTimeoutMs });
    process.stdout.write(`${stopDuringStart}: stopped\n`);
    return 0;
  }
  // From here a signal stops at once (also during the wait for the user count below).
  started = true;
  const where = config.dsn.startsWith('postgres') ? 'PostgreSQL' : config.dsn;
  // singlesite with nobody to log in: say how to make the first user, with the same --dir and --dsn.
  const primary = app.sites.primary();
  const noUser = config.mode === 'singlesite' && (await app.stores.users.count(primary.siteId)) === 0;
  const dirFlag = ` --dir ${JSON.stringify(config.dir)}`;
  // One write: whoever reads the first line (a test, a supervisor) has the rest in the same chunk.
  process.stdout.write(
    [
      `pagemanager is running at ${addr.url} (${config.mode} mode; data in ${config.dir}; database ${where})`,
      ...(config.mode === 'offline' ? ['Offline mode: only this computer can reach it, and you are logged in as the site admin.'] : []),
      config.mode === 'offline' ? 'Press Ctrl+C to stop, or use Stop pagemanager in the dashboard.' : 'Press Ctrl+C to stop.',
      ...(noUser
        ? [`No one can log in yet: this site has no user. Create the first one (it asks for a password) with:`, `  pagemanager create-user --username you --role superadmin${dirFlag}${config.dsn.startsWith('postgres') ? ' --dsn "$PM_DSN"' : ''}`]
        : []),
      '',
    ].join('\n'),
  );
  if (config.open) void openWhenReady(config.host, addr.port, addr.url);
  return -1;
}
