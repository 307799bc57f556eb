import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { PmError } from '../errors/errors.js';
import { runtime } from '../app/runtime.js';
import { checkPassword } from '../users/password-policy.js';
import { loadConfig, type ConfigFlags } from '../config/load-config.js';
import { ROLES } from '../users/permissions.js';
import { USERNAME_PATTERN } from '../users/user-service.js';
import type { Role, Site, Stores } from '../store/types.js';
import { promptHidden, readStdinLine } from './prompt.js';

// The server and the stores are imported when a command runs, so that --help,
// --version and a mistyped flag answer without loading them (about 3x faster).
const openData = async (...a: Parameters<typeof import('../app/open-data.js').openData>) => (await import('../app/open-data.js')).openData(...a);

type Values = Record<string, string | boolean | undefined>;

export interface Command {
  summary: string;
  help: string;
  options: ParseArgsConfig['options'];
  /** String options that may also stand alone, with the value they then take (`--trust-proxy` → 1). */
  optionalValues?: Record<string, string>;
  /** Takes arguments that are not flags (`restore FILE`). */
  positionals?: boolean;
  /** Resolves with the exit code; -1 means "keep running" (serve). */
  run(values: Values, positionals?: string[]): Promise<number>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function configOf(values: Values, extra: ConfigFlags = {}) {
  // Maintenance commands never open a browser and work in any mode.
  return loadConfig({ dir: str(values.dir), dsn: str(values.dsn), ...extra, open: false }, process.env, process.cwd(), runtime().defaultDataDir());
}

async function withData<T>(values: Values, fn: (d: { stores: Stores; primary: Site }) => Promise<T>): Promise<T> {
  const config = configOf(values, { mode: 'singlesite', addr: '127.0.0.1:0' });
  const data = await openData(config);
  try {
    return await fn(data);
  } finally {
    await data.close();
  }
}

async function findSite(stores: Stores, primary: Site, siteRef: string | undefined): Promise<Site> {
  if (!siteRef) return primary;
  const all = await stores.sites.list();
  const s = all.find((x) => x.siteId === siteRef || x.domain === siteRef || x.subdomain === siteRef || x.tildePrefix === siteRef.replace(/^~/, ''));
  if (!s) throw new PmError('PM_ERR_NOT_FOUND', { what: `site "${siteRef}" (see pagemanager list-sites)` });
  return s;
}

/** Asks twice on a terminal, or reads one line with --password-stdin. */
async function readNewPassword(values: Values, userInputs: readonly string[]): Promise<string> {
  let pw: string;
  if (values['password-stdin']) {
    pw = await readStdinLine();
  } else if (process.stdin.isTTY) {
    pw = await promptHidden('New password: ');
    const again = await promptHidden('Repeat it: ');
    if (pw !== again) throw new PmError('PM_ERR_BAD_REQUEST', { detail: 'the two passwords differ; nothing was changed' });
  } else {
    throw new PmError('PM_ERR_BAD_REQUEST', { detail: 'standard input is not a terminal; pass --password-stdin to read the password from it' });
  }
  checkPassword(pw, userInputs);
  return pw;
}

export const COMMANDS: Record<string, Command> = {
  serve: {
    summary: 'run the server (the default command)',
    help: `Usage: pagemanager serve [options]

Runs the server. In offline mode (the default) it listens on loopback only,
logs every request in as the site's superadmin, and opens your browser.

Options:
  --mode MODE        offline | singlesite | multisite   (PM_MODE; default offline)
  --addr HOST:PORT   where to listen                   (PM_ADDR; default 127.0.0.1:7070)
  --dir DIR          the data folder                   (PM_DIR; default ./pagemanager-data; the executable: beside itself, else ~/pagemanager-data)
  --dsn DSN          postgres://… or a SQLite file     (PM_DSN; default DIR/pagemanager.db)
  --cache-mb N       page cache size in MiB, 0 = off   (PM_CACHE_MB; default 64)
  --base-domain D    multisite: sites live at SUB.D    (PM_BASE_DOMAIN)
  --trust-proxy [N|A] behind N proxies (alone: 1), or the proxies' addresses A, comma-
                     separated; X-Forwarded-* from anyone else is ignored (PM_TRUST_PROXY)
  --allowed-hosts H  singlesite: the host names served, comma-separated (PM_ALLOWED_HOSTS; default any)
  --strict-themes    refuse to start if a theme has errors
  --shutdown-timeout S  on SIGTERM, seconds responses in flight get before the rest are closed
                     (PM_SHUTDOWN_TIMEOUT; default 10)
  --no-open          do not open the browser (also when CI is set or stdout is not a terminal)
  --debug            show stack traces
Settings may also live in DIR/config.toml; flags win over the environment,
which wins over config.toml.`,
    options: {
      mode: { type: 'string' },
      addr: { type: 'string' },
      'cache-mb': { type: 'string' },
      'base-domain': { type: 'string' },
      'trust-proxy': { type: 'string' },
      'allowed-hosts': { type: 'string' },
      'strict-themes': { type: 'boolean' },
      'shutdown-timeout': { type: 'string' },
      'no-open': { type: 'boolean' },
    },
    optionalValues: { 'trust-proxy': '1' },
    async run(values) {
      const config = loadConfig({
        mode: str(values.mode),
        addr: str(values.addr),
        dir: str(values.dir),
        dsn: str(values.dsn),
        cacheMb: str(values['cache-mb']),
        baseDomain: str(values['base-domain']),
        trustProxy: str(values['trust-proxy']),
        allowedHosts: str(values['allowed-hosts']),
        strictThemes: values['strict-themes'] === true ? true : undefined,
        shutdownTimeout: str(values['shutdown-timeout']),
        debug: values.debug === true ? true : undefined,
        open: values['no-open'] ? false : undefined,
      }, process.env, process.cwd(), runtime().defaultDataDir());
      // Without a terminal (output piped), no browser: except the single executable, which is double-clicked without one.
      if (!process.stdout.isTTY && runtime().kind !== 'binary') config.open = false;
      const { serve } = await import('./serve.js');
      return serve(config);
    },
  },
  'create-user': {
    summary: 'create a user (asks for a password on a terminal)',
    help: `Usage: pagemanager create-user --username NAME [--name "Full Name"] [--email E] [--role ROLE] [--site SITE] [--password-stdin]

Creates a user on the primary site (or --site: an id, domain, subdomain or ~tilde).
ROLE is superadmin, admin, editor or author (default editor). On a terminal it asks for
a password; --password-stdin reads it from standard input instead.`,
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      site: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
    async run(values) {
      const username = str(values.username)?.trim();
      if (!username) throw new PmError('PM_ERR_BAD_REQUEST', { detail: '--username is required' });
      if (!USERNAME_PATTERN.test(username)) {
        throw new PmError('PM_ERR_BAD_REQUEST', { detail: 'a username is 1-64 letters, digits, and . _ @ -, starting with a letter or digit' });
      }
      const role = (str(values.role) ?? 'editor') as Role;
      if (!ROLES.includes(role)) throw new PmError('PM_ERR_BAD_REQUEST', { detail: `unknown role "${role}"; use ${ROLES.join(', ')}` });
      const wantsPassword = values['password-stdin'] === true || process.stdin.isTTY;
      const password = wantsPassword ? await readNewPassword(values, [username, str(values.name) ?? '']) : undefined;
      return withData(values, async ({ stores, primary }) => {
        const site = await findSite(stores, primary, str(values.site));
        if (await stores.users.getByUsername(site.siteId, username)) {
          throw new PmError('PM_ERR_CONFLICT', { what: `a user named "${username}"` });
        }
        const user = await stores.users.create({ siteId: site.siteId, username, name: str(values.name) ?? username, email: str(values.email) ?? '', role });
        if (password) await stores.passwords.set(user.userId, password);
        process.stdout.write(`Created ${role} "${username}"${password ? '' : ' without a password; set one with: pagemanager reset-password --user ' + username}.\n`);
        return 0;
      });
    },
  },
  'reset-password': {
    summary: "set a user's password and end their sessions",
    help: `Usage: pagemanager reset-password --user NAME [--site SITE] [--password-stdin]

Asks twice for the new password (without echo), or reads one line from standard
input with --password-stdin. Passwords shorter than 8 characters or too easy to
guess (zxcvbn: common passwords, keyboard walks, dates, the username) are refused,
with advice. Every session of the user ends at once.`,
    options: { user: { type: 'string' }, site: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    async run(values) {
      const username = str(values.user);
      if (!username) throw new PmError('PM_ERR_BAD_REQUEST', { detail: '--user is required' });
      return withData(values, async ({ stores, primary }) => {
        const site = await findSite(stores, primary, str(values.site));
        const user = await stores.users.getByUsername(site.siteId, username);
        if (!user) throw new PmError('PM_ERR_USER_NOT_FOUND', { username });
        const password = await readNewPassword(values, [user.username, user.name]);
        await stores.passwords.set(user.userId, password);
        const config = configOf(values);
        const { createAuth } = await import('../http/auth.js');
        const auth = createAuth({ stores, db: stores.db, secretKey: config.secretKey, ttlMs: config.sessionTtlMs });
        await auth.revokeUser(user.userId);
        process.stdout.write(`The password of "${username}" was changed and their sessions were ended.\n`);
        return 0;
      });
    },
  },
  'create-site': {
    summary: 'add a site (multisite): by domain, subdomain or ~tilde prefix',
    help: `Usage: pagemanager create-site (--domain D | --subdomain S | --tilde T) [--title TITLE]

Adds a site for multisite mode. Exactly one of --domain, --subdomain, --tilde.`,
    options: { domain: { type: 'string' }, subdomain: { type: 'string' }, tilde: { type: 'string' }, title: { type: 'string' } },
    async run(values) {
      const given = (['domain', 'subdomain', 'tilde'] as const).filter((k) => str(values[k]));
      if (given.length !== 1) throw new PmError('PM_ERR_BAD_REQUEST', { detail: 'give exactly one of --domain, --subdomain, --tilde' });
      const raw = str(values[given[0]])!.trim().toLowerCase().replace(/^~/, '');
      if (!/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(raw) || (given[0] !== 'domain' && raw.includes('.'))) {
        throw new PmError('PM_ERR_BAD_REQUEST', { detail: `"${raw}" is not a valid ${given[0]}` });
      }
      return withData(values, async ({ stores }) => {
        const input = given[0] === 'domain' ? { domain: raw } : given[0] === 'subdomain' ? { subdomain: raw } : { tildePrefix: raw };
        const site = await stores.sites.create({ ...input, title: str(values.title) });
        process.stdout.write(`Created site ${site.siteId} (${given[0]} ${given[0] === 'tilde' ? '~' : ''}${raw}).\n`);
        return 0;
      });
    },
  },
  'install-theme': {
    summary: 'copy a theme folder into the database (served from there by every instance)',
    help: `Usage: pagemanager install-theme --from FOLDER

Copies a theme folder (the one holding theme.json) into the pm_theme_file table,
replacing an earlier copy of the same theme. Every instance on the same database
serves it after a reload (dashboard → Themes → Reload) or a restart. A folder of
the same name in DIR/pm-themes/ still wins over it.`,
    options: { from: { type: 'string' } },
    async run(values) {
      const from = str(values.from);
      if (!from) throw new PmError('PM_ERR_BAD_REQUEST', { detail: '--from is required' });
      const folder = resolve(from);
      if (!existsSync(join(folder, 'theme.json'))) throw new PmError('PM_ERR_BAD_REQUEST', { detail: `${folder} has no theme.json` });
      const config = configOf(values, { mode: 'singlesite', addr: '127.0.0.1:0' });
      const data = await openData(config);
      const [{ THEMES_DB_ROOT }, { createThemeFileStore }, { createDirFS }, { readFolderFiles }] = await Promise.all([
        import('../app/create-app.js'),
        import('../store/theme-file-store.js'),
        import('../themes/dir-fs.js'),
        import('../themes/read-folder.js'),
      ]);
      try {
        const files = await readFolderFiles(createDirFS(dirname(folder)), basename(folder));
        const n = await createThemeFileStore(data.db, THEMES_DB_ROOT).replaceFolder(basename(folder), files);
        process.stdout.write(`Installed theme ${basename(folder)} (${n} files) into the database.\n`);
        return 0;
      } finally {
        await data.close();
      }
    },
  },
  backup: {
    summary: 'write one archive of everything: tables, uploads, your themes and plugins, config.toml',
    help: `Usage: pagemanager backup [--out FILE]

Writes a gzip-compressed tar of every table the core and the plugins own (read in one
snapshot while the server keeps serving), the uploads (folder or bucket), the data
folder's pm-themes/ and pm-plugins/, config.toml (which holds no secrets) and a
manifest with the program version, each schema version, counts and checksums. The
format is independent of the database: restore it onto SQLite or PostgreSQL.

  --out FILE   where to write (default: pagemanager-backup-YYYYMMDD-HHMMSS.tar.gz here);
               "-" writes to standard output`,
    options: { out: { type: 'string' } },
    async run(values) {
      const { runBackup } = await import('../backup/backup-command.js');
      return runBackup(configOf(values, { mode: 'singlesite', addr: '127.0.0.1:0' }), str(values.out));
    },
  },
  restore: {
    summary: 'restore a backup onto an empty data folder or database',
    help: `Usage: pagemanager restore FILE [--dir DIR | --dsn DSN]

Checks the whole archive first (every checksum, the format, the schema versions) and
refuses a damaged one, one made by a newer pagemanager, or a target that already holds
a site, before writing anything. Then creates the schema, loads every table, copies the
uploads, themes, plugins and config.toml, and says what it restored. The target may be
the other database: a SQLite backup restores onto PostgreSQL and back.`,
    options: {},
    positionals: true,
    async run(values, positionals = []) {
      const file = positionals[0];
      if (!file) throw new PmError('PM_ERR_BAD_REQUEST', { detail: 'name the backup file: pagemanager restore FILE' });
      const { runRestore } = await import('../backup/backup-command.js');
      return runRestore(configOf(values, { mode: 'singlesite', addr: '127.0.0.1:0' }), resolve(file));
    },
  },
  'migrate-db': {
    summary: 'move a site to another database (a backup and a restore in one)',
    help: `Usage: pagemanager migrate-db --to DSN

Backs up the site into a temporary archive and restores it onto the empty
database (or SQLite file) that --to names; the uploads stay where they are. Stop
the server first; start it again pointed at the new database.`,
    options: { to: { type: 'string' } },
    async run(values) {
      const to = str(values.to);
      if (!to) throw new PmError('PM_ERR_BAD_REQUEST', { detail: '--to is required (postgres://… or a SQLite file)' });
      const { runMigrateDb } = await import('../backup/backup-command.js');
      return runMigrateDb(configOf(values, { mode: 'singlesite', addr: '127.0.0.1:0' }), configOf({ ...values, dsn: to }, { mode: 'singlesite', addr: '127.0.0.1:0' }));
    },
  },
  'export-static': {
    summary: 'write a site as plain files for any static host',
    help: `Usage: pagemanager export-static --out FOLDER [--site SITE] [--host HOST]

Writes every public page of a site as files: /about becomes about/index.html, theme
assets and uploads are copied, a content redirect becomes a copy of the page it shows,
and URL redirects go into _redirects (Netlify, Cloudflare Pages) plus a small HTML page
that forwards. Hidden pages and the dashboard are left out. The pages are fetched
through the same request path as a visitor's, so they are byte for byte what is served.

  --out FOLDER   where to write (created; files already there are overwritten)
  --site SITE    multisite: the site's id, domain, subdomain or ~tilde (default: the primary)
  --host HOST    the host name links are resolved against (default: the site's own)`,
    options: { out: { type: 'string' }, site: { type: 'string' }, host: { type: 'string' } },
    async run(values) {
      const outDir = str(values.out);
      if (!outDir) throw new PmError('PM_ERR_BAD_REQUEST', { detail: '--out is required (the folder to write the site into)' });
      const loaded = configOf(values, { addr: '127.0.0.1:0' });
      // Exported pages are what an anonymous visitor sees: never offline mode's automatic login.
      const config = { ...loaded, mode: loaded.mode === 'offline' ? ('singlesite' as const) : loaded.mode };
      if (!/^postgres(ql)?:/.test(config.dsn) && !existsSync(config.dsn)) {
        throw new PmError('PM_ERR_BAD_REQUEST', { detail: `there is no site in ${config.dir} (no ${basename(config.dsn)}); pass --dir or --dsn` });
      }
      const [{ createApp }, { exportStatic }] = await Promise.all([import('../app/create-app.js'), import('../export/static-export.js')]);
      const app = await createApp(config, { logger: false });
      try {
        const site = await findSite(app.stores, app.sites.primary(), str(values.site));
        const host =
          str(values.host) ??
          site.domain ??
          (site.subdomain && config.baseDomain ? `${site.subdomain}.${config.baseDomain}` : config.allowedHosts[0] ?? 'localhost');
        const tty = process.stderr.isTTY;
        const r = await exportStatic(app, {
          site,
          host,
          outDir,
          onProgress: tty ? (done, queued) => void (done % 25 === 0 && process.stderr.write(`\r${done} of ${queued} addresses…`)) : undefined,
        });
        if (tty) process.stderr.write('\r\x1b[K');
        process.stdout.write(`Exported ${r.pages} pages, ${r.redirects} redirects and ${r.assets} files (${(r.bytes / 1024).toFixed(0)} KiB) to ${resolve(outDir)}.\n`);
        if (r.formsClosed) process.stdout.write(`  ${r.formsClosed} forms that post to the site were taken out (a static host takes no posts)\n`);
        for (const s of r.skipped.slice(0, 20)) process.stdout.write(`  left out ${s.url} (it answers ${s.status})\n`);
        if (r.skipped.length > 20) process.stdout.write(`  … and ${r.skipped.length - 20} more left out\n`);
        return 0;
      } finally {
        await app.close();
      }
    },
  },
  'list-sites': {
    summary: 'list the sites',
    help: 'Usage: pagemanager list-sites\n\nPrints one line per site: id, address, title; the primary site is marked with *.',
    options: {},
    async run(values) {
      return withData(values, async ({ stores }) => {
        for (const s of await stores.sites.list()) {
          const where = s.domain ?? (s.subdomain ? `${s.subdomain}.*` : s.tildePrefix ? `/~${s.tildePrefix}` : '(default host)');
          process.stdout.write(`${s.isPrimary ? '*' : ' '} ${s.siteId}  ${where}  ${s.title}\n`);
        }
        return 0;
      });
    },
  },
};
