/**
 * Where a page's links lead on its own site. A page made from a template's
 * sample links to the addresses where the theme's other samples live (/about,
 * /contact, …); until those pages exist, the dashboard offers to create each
 * one (the page editor lists them with a "Create" button). This is the one
 * place that decides which of a page's links lead nowhere.
 */
import type { AddressService, RouteRef } from './address-service.js';
import { NEVER_PAGES, routeMatches } from './address-service.js';
import { normalizeUrlPath } from './url-path.js';

export interface LinkTargets {
  /**
   * The site-relative addresses the data links to (link fields and Markdown
   * links), in the order they first appear, without query or fragment;
   * theme files and uploads left out.
   */
  internalLinks(data: unknown): string[];
  /** Those of `data`'s links, in `langcode`, that nothing answers: no page, redirect, alias or route. */
  missing(siteId: string, langcode: string, data: unknown): Promise<string[]>;
}

const MARKDOWN_LINK = /\]\((\/[^)\s]*)[^)]*\)/g;

function collect(v: unknown, out: string[]): void {
  if (typeof v === 'string') {
    if (v.startsWith('/') && !v.startsWith('//') && !/\s/.test(v)) out.push(v);
    for (const m of v.matchAll(MARKDOWN_LINK)) out.push(m[1]);
  } else if (Array.isArray(v)) for (const x of v) collect(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) collect(x, out);
}

export function createLinkTargets(deps: { addresses: Pick<AddressService, 'occupant'>; routes: () => readonly RouteRef[] }): LinkTargets {
  function internalLinks(data: unknown): string[] {
    const raw: string[] = [];
    collect(data, raw);
    const out = new Set<string>();
    for (const r of raw) {
      const bare = r.replace(/[?#].*$/, '') || '/';
      if (NEVER_PAGES.some((n) => bare === n.prefix || bare.startsWith(n.prefix + '/'))) continue;
      try {
        out.add(normalizeUrlPath(bare).toLowerCase());
      } catch {
        // Not an address the page store could hold; the form's own checks speak for it.
      }
    }
    return [...out];
  }

  return {
    internalLinks,
    async missing(siteId, langcode, data) {
      const gone: string[] = [];
      for (const path of internalLinks(data)) {
        if (deps.routes().some((r) => (r.method === 'GET' || r.method === 'HEAD') && !r.pseudoroute && routeMatches(r.url, path))) continue;
        if (await deps.addresses.occupant(siteId, langcode, path)) continue;
        // A language without its own page at the address shows the default's.
        if (langcode !== '' && (await deps.addresses.occupant(siteId, '', path))) continue;
        gone.push(path);
      }
      return gone;
    },
  };
}
