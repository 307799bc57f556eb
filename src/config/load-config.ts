import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { PmError } from '../errors/errors.js';
import { parseTrustProxy, type TrustProxy } from './trust-proxy-setting.js';

export type { TrustProxy };
export type Mode = 'offline' | 'singlesite' | 'multisite';
export const MODES: readonly Mode[] = ['offline', 'singlesite', 'multisite'];

export interface Config {
  mode: Mode;
  host: string;
  port: number;
  /** The data folder, absolute. */
  dir: string;
  /** A `postgres://` DSN, or `sqlite:PATH` / a file path. */
  dsn: string;
  /** Open the browser once the port answers. */
  open: boolean;
  /** Page cache budget in MiB; 0 disables the cache. */
  cacheMb: number;
  /**
   * Which proxies' X-Forwarded-For/-Proto/-Host are believed: false (none), a number of hops
   * (the proxies in front of this server; the bare flag and `true` mean 1), or the proxies'
   * addresses and CIDR ranges. See src/http/trust-proxy.ts.
   */
  trustProxy: TrustProxy;
  /** Check every theme at start and refuse to start on any error. */
  strictThemes: boolean;
  /** On SIGTERM/SIGINT, how long responses in flight may take before the remaining connections are closed. */
  shutdownTimeoutMs: number;
  /** multisite: the domain whose subdomains are sites (`alice.example.com`). */
  baseDomain: string;
  /**
   * singlesite: the host names this server answers for (behind a proxy, the public names).
   * Empty means any. Loopback names are always answered; offline mode answers loopback names only.
   */
  allowedHosts: string[];
  /** The theme that renders the 404 page and is offered first. */
  theme: string;
  /** Signs session cookies when set (PM_SECRET_KEY); never logged. */
  secretKey: string | undefined;
  sessionTtlMs: number;
  debug: boolean;
  /** `[plugins.NAME]` sections of config.toml. */
  plugins: Record<string, Record<string, unknown>>;
}

/** What flags may set; undefined means "not given". */
export type ConfigFlags = Partial<{
  mode: string;
  addr: string;
  dir: string;
  dsn: string;
  open: boolean;
  cacheMb: string | number;
  trustProxy: boolean | string | number;
  shutdownTimeout: string | number;
  strictThemes: boolean;
  baseDomain: string;
  allowedHosts: string;
  debug: boolean;
}>;

const DEFAULT_PORT = 7070;

/**
 * Precedence: flags, then `PM_*` environment, then `config.toml` in the data
 * folder, then defaults. The data folder itself comes from flags or env only,
 * since config.toml lives inside it, else `defaultDir` (the single executable
 * keeps its data beside itself or in the home folder).
 */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), defaultDir = 'pagemanager-data'): Config {
  const dirRaw = flags.dir ?? (env.PM_DIR || undefined) ?? defaultDir;
  const dir = isAbsolute(dirRaw) ? dirRaw : resolve(cwd, dirRaw);
  const toml = readToml(join(dir, 'config.toml'));

  const pick = <T>(flag: T | undefined, envName: string, tomlKey: string): T | string | undefined =>
    flag ?? (env[envName] !== undefined && env[envName] !== '' ? env[envName] : undefined) ?? (toml[tomlKey] as T | undefined);

  const mode = String(pick(flags.mode, 'PM_MODE', 'mode') ?? 'offline');
  if (!MODES.includes(mode as Mode)) {
    throw new PmError('PM_ERR_CONFIG', { detail: `unknown mode "${mode}"; use offline, singlesite or multisite` });
  }
  const defaultHost = mode === 'offline' ? '127.0.0.1' : '0.0.0.0';
  const addr = String(pick(flags.addr, 'PM_ADDR', 'addr') ?? `${defaultHost}:${DEFAULT_PORT}`);
  const { host, port } = parseAddr(addr, defaultHost);
  if (mode === 'offline' && !isLoopback(host)) {
    throw new PmError('PM_ERR_CONFIG', {
      detail: `offline mode listens on loopback only, and ${host} is not a loopback address; use --addr 127.0.0.1:${port}, or --mode singlesite to serve the network`,
    });
  }
  const dsnRaw = pick(flags.dsn, 'PM_DSN', 'dsn');
  const dsn = dsnRaw ? String(dsnRaw) : join(dir, 'pagemanager.db');

  const cacheMb = Number(pick(flags.cacheMb, 'PM_CACHE_MB', 'cache_mb') ?? 64);
  if (!Number.isFinite(cacheMb) || cacheMb < 0) {
    throw new PmError('PM_ERR_CONFIG', { detail: `cache size must be a number of MiB, 0 or more (got "${String(pick(flags.cacheMb, 'PM_CACHE_MB', 'cache_mb'))}")` });
  }
  const shutdownRaw = pick(flags.shutdownTimeout, 'PM_SHUTDOWN_TIMEOUT', 'shutdown_timeout') ?? 10;
  const shutdownSec = Number(shutdownRaw);
  if (!Number.isFinite(shutdownSec) || shutdownSec < 0 || shutdownSec > 3600) {
    throw new PmError('PM_ERR_CONFIG', { detail: `shutdown timeout must be a number of seconds between 0 and 3600 (got "${String(shutdownRaw)}")` });
  }
  const ttlHours = Number(env.PM_SESSION_TTL_HOURS ?? toml.session_ttl_hours ?? 24 * 14);
  const plugins = (typeof toml.plugins === 'object' && toml.plugins !== null ? toml.plugins : {}) as Record<string, Record<string, unknown>>;

  return {
    mode: mode as Mode,
    host,
    port,
    dir,
    dsn,
    open: flags.open ?? !(env.PM_NO_OPEN || env.CI),
    cacheMb,
    trustProxy: parseTrustProxy(pick(flags.trustProxy, 'PM_TRUST_PROXY', 'trust_proxy')),
    strictThemes: bool(pick(flags.strictThemes, 'PM_STRICT_THEMES', 'strict_themes')),
    shutdownTimeoutMs: Math.round(shutdownSec * 1000),
    baseDomain: String(pick(flags.baseDomain, 'PM_BASE_DOMAIN', 'base_domain') ?? '').toLowerCase(),
    allowedHosts: hostList(pick(flags.allowedHosts, 'PM_ALLOWED_HOSTS', 'allowed_hosts')),
    theme: String(pick(undefined, 'PM_THEME', 'theme') ?? 'daybreak'),
    secretKey: env.PM_SECRET_KEY || undefined,
    sessionTtlMs: ttlHours * 3600_000,
    debug: bool(pick(flags.debug, 'PM_DEBUG', 'debug')),
    plugins,
  };
}

declare const require: NodeJS.Require | undefined;
type SmolToml = typeof import('smol-toml');
let toml: SmolToml | undefined;
/**
 * smol-toml, loaded only when a config.toml exists (most data folders have none). Its CommonJS
 * build through `require`, as src/store/kysely.ts does: the binary's CommonJS bundle sees the
 * plain `require('smol-toml')` and bundles it; ES module runs (tsx, dist/) take createRequire.
 */
function parseToml(text: string): unknown {
  toml ??= (typeof require === 'function' ? require('smol-toml') : createRequire(import.meta.url)('smol-toml')) as SmolToml;
  return toml.parse(text);
}

function readToml(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (e) {
    throw new PmError('PM_ERR_CONFIG', { detail: `${path} is not valid TOML: ${(e as Error).message.split('\n')[0]}` });
  }
}

/** `a.example, b.example` or a TOML array → lowercased host names, ports removed. */
function hostList(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  const items = Array.isArray(v) ? v.map(String) : String(v).split(',');
  const out: string[] = [];
  for (const raw of items) {
    const h = raw.trim().toLowerCase();
    if (!h) continue;
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d+)?$/.test(h)) {
      throw new PmError('PM_ERR_CONFIG', { detail: `allowed host "${raw.trim()}" is not a host name (for example www.example.com)` });
    }
    out.push(h.replace(/:\d+$/, ''));
  }
  return out;
}

function bool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === undefined || v === null) return false;
  return ['1', 'true', 'yes', 'on'].includes(String(v).toLowerCase());
}

export function parseAddr(addr: string, defaultHost: string): { host: string; port: number } {
  let host = defaultHost;
  let portStr = addr;
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(addr) ?? /^([^:]*):(\d+)$/.exec(addr);
  if (m) {
    host = m[1] || defaultHost;
    portStr = m[2];
  } else if (!/^\d+$/.test(addr)) {
    throw new PmError('PM_ERR_CONFIG', { detail: `address "${addr}" is not HOST:PORT (for example 127.0.0.1:7070)` });
  }
  const port = Number(portStr);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new PmError('PM_ERR_CONFIG', { detail: `port ${portStr} is out of range (0-65535)` });
  }
  return { host, port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
