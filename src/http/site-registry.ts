import type { Mode } from '../config/load-config.js';
import type { Site } from '../store/types.js';

/** Reads locales.txt: one code per line, `#` comments. */
export function parseLocales(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const l = line.trim().toLowerCase();
    if (l && !l.startsWith('#') && /^[a-z]{2,3}(-[a-z0-9]{2,8})?$/.test(l)) out.add(l);
  }
  return out;
}

export interface Resolved {
  site: Site;
  subdomain: string;
  tildePrefix: string;
  /** The path after the `~name` prefix. */
  path: string;
}

/**
 * The in-memory table of sites the request path resolves against: no
 * database call per request. It is replaced whenever a site changes.
 */
export interface SiteRegistry {
  resolve(domain: string, path: string): Resolved | undefined;
  primary(): Site;
  get(siteId: string): Site | undefined;
  all(): Site[];
  replace(sites: Site[]): void;
  /** Bumped by every `replace`: what was derived from the sites (the front handler's Host table) is stale. */
  readonly version: number;
}

export function createSiteRegistry(opts: { mode: Mode; baseDomain: string; sites: Site[] }): SiteRegistry {
  let byId = new Map<string, Site>();
  let byDomain = new Map<string, Site>();
  let bySub = new Map<string, Site>();
  let byTilde = new Map<string, Site>();
  let primarySite: Site | undefined;
  let version = 0;
  const base = opts.baseDomain;

  function replace(sites: Site[]): void {
    version++;
    byId = new Map(sites.map((s) => [s.siteId, s]));
    byDomain = new Map(sites.filter((s) => s.domain).map((s) => [s.domain!.toLowerCase(), s]));
    bySub = new Map(sites.filter((s) => s.subdomain).map((s) => [s.subdomain!.toLowerCase(), s]));
    byTilde = new Map(sites.filter((s) => s.tildePrefix).map((s) => [s.tildePrefix!, s]));
    primarySite = sites.find((s) => s.isPrimary);
  }
  replace(opts.sites);

  return {
    replace,
    get version() {
      return version;
    },
    all: () => [...byId.values()],
    get: (id) => byId.get(id),
    primary() {
      if (!primarySite) throw new Error('no primary site loaded');
      return primarySite;
    },
    resolve(domain, path) {
      const p = primarySite;
      if (!p) return undefined;
      if (opts.mode !== 'multisite') return { site: p, subdomain: '', tildePrefix: '', path };
      let site: Site | undefined = byDomain.get(domain);
      let subdomain = '';
      if (!site && base && domain.endsWith('.' + base)) {
        subdomain = domain.slice(0, -base.length - 1);
        site = bySub.get(subdomain);
        if (!site) return undefined;
      }
      if (!site) {
        // Hosts that are not a site's own: the base domain, or loopback when no base is set.
        const isHome = domain === base || domain === p.domain || (!base && (domain === 'localhost' || /^127\.|^\[?::1\]?$/.test(domain)));
        if (!isHome) return undefined;
        site = p;
      }
      if (path.startsWith('/~')) {
        const end = path.indexOf('/', 2);
        const name = decodeURIComponent(path.slice(2, end === -1 ? undefined : end));
        const t = site === p ? byTilde.get(name) : undefined;
        if (!t) return undefined;
        return { site: t, subdomain, tildePrefix: name, path: end === -1 ? '/' : path.slice(end) };
      }
      return { site, subdomain, tildePrefix: '', path };
    },
  };
}
