/**
 * "Alt text is required before a picture is used in a page": a save check
 * (`server.saveChecks`) that finds the uploads a page's data or a post shows
 * as pictures, and refuses the save, beside the field, for each one that has
 * no description in the library, with a link to give it one.
 *
 * A picture counts as described when the use gives its own words: an `alt`
 * beside it (`{ src, alt }`), a `<field>Alt` sibling (the blog's `coverAlt`),
 * the text of a markdown image `![words](…)` or an `alt` on an `<img>`. A link
 * to a file (`[price list](/pm-uploads/…pdf)`) is not a picture.
 */
import type { ContentToSave, FieldErrors, PluginServer } from '../../src/plugins/plugin.js';
import type { Media } from './media-store.js';

const ID = '[0-9A-HJKMNP-TV-Z]{26}';
const WHOLE = new RegExp(`^\\s*/pm-uploads/(${ID})/\\S*\\s*$`);
const MARKDOWN_IMAGE = new RegExp(`!\\[([^\\]]*)\\]\\(\\s*<?/pm-uploads/(${ID})/`, 'g');
const IMG_TAG = /<img\b[^>]*>/gi;
const IMG_SRC = new RegExp(`\\ssrc\\s*=\\s*["']?/pm-uploads/(${ID})/`, 'i');
const IMG_ALT = /\salt\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/i;

interface Use {
  path: string;
  mediaId: string;
}

const said = (v: unknown) => typeof v === 'string' && v.trim() !== '';

/** Every use of an upload as a picture without words of its own, with the field path it is in. */
export function undescribedUses(data: unknown): Use[] {
  const out: Use[] = [];
  const visit = (v: unknown, path: string, parent: Record<string, unknown> | undefined, key: string) => {
    if (typeof v === 'string') {
      const whole = WHOLE.exec(v);
      if (whole) {
        if (!(parent && (said(parent.alt) || said(parent[`${key}Alt`]) || said(parent[`${key}_alt`])))) out.push({ path, mediaId: whole[1] });
        return;
      }
      if (!v.includes('/pm-uploads/')) return;
      for (const m of v.matchAll(MARKDOWN_IMAGE)) if (!said(m[1])) out.push({ path, mediaId: m[2] });
      for (const [tag] of v.matchAll(IMG_TAG)) {
        const src = IMG_SRC.exec(tag);
        const alt = IMG_ALT.exec(tag);
        if (src && !(alt && said(alt[2] ?? alt[3] ?? alt[4]))) out.push({ path, mediaId: src[1] });
      }
      return;
    }
    if (Array.isArray(v)) return v.forEach((x, i) => visit(x, `${path}[${i}]`, undefined, String(i)));
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) visit(x, path ? `${path}[${k}]` : k, v as Record<string, unknown>, k);
    }
  };
  visit(data, '', undefined, '');
  return out;
}

export function createAltCheck(server: PluginServer, getMany: (ids: string[]) => Promise<Media[]>) {
  return async (c: ContentToSave): Promise<FieldErrors | undefined> => {
    const uses = undescribedUses(c.data);
    if (!uses.length) return undefined;
    const found = new Map((await getMany([...new Set(uses.map((u) => u.mediaId))])).map((m) => [m.mediaId, m]));
    const site = server.sites.list().find((s) => s.siteId === c.siteId);
    const base = site?.tildePrefix ? `/~${site.tildePrefix}` : '';
    const errors: FieldErrors = {};
    for (const u of uses) {
      const m = found.get(u.mediaId);
      // Another site's file or one that is gone is not this check's business; a PDF shows no picture.
      if (!m || m.siteId !== c.siteId || m.kind !== 'image' || m.alt.trim()) continue;
      const text = `The picture “${m.name}” has no description (alt text) yet, and a page shows a picture only with one. Describe it at ${base}/pm/media/${m.mediaId} (or give this use its own description), then save again; what you typed here is kept.`;
      if (!(errors[u.path] ??= []).includes(text)) errors[u.path].push(text);
    }
    return Object.keys(errors).length ? errors : undefined;
  };
}
