import { escapeHtml } from '../html/escape-html.js';

/** Escapes text for use in HTML text and in quoted attribute values alike (the one escaper, src/html/). */
export { escapeHtml };

export type AttrValue = string | number | boolean | undefined | null;

/** ` name="value"` pairs; `true` writes a bare attribute, `false`/null/undefined leave it out. */
export function attrs(map: Record<string, AttrValue>): string {
  let out = '';
  for (const [name, value] of Object.entries(map)) {
    if (value === undefined || value === null || value === false) continue;
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(value)}"`;
  }
  return out;
}

/**
 * An error message as HTML: escaped, with any dashboard address of one record in it
 * (`/pm/media/01J…`, or `/~shop/pm/posts/01J…` on a `~tilde` site: a section, then a ULID) made a
 * link that opens beside the form, so following it loses nothing of what was typed. Other
 * addresses (often what the user typed) stay text.
 */
export function errorTextHtml(text: string): string {
  return escapeHtml(text).replace(/(^|[\s(])((?:\/~[a-z0-9-]+)?\/pm\/[a-z0-9-]+\/[0-9A-HJKMNP-TV-Z]{26})(?![A-Za-z0-9/_-])/g, '$1<a href="$2" target="_blank" rel="noopener">$2</a>');
}
