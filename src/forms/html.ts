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
