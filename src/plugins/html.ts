/**
 * HTML with escaping by default: every value put into an `html` template is
 * escaped unless it is itself `html` (or `raw()`, for trusted markup such as
 * the forms renderer's output).
 *
 * @example
 * html`<p>Hello ${user.name}</p>`          // escaped
 * html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export { escapeHtml as esc } from '../html/escape-html.js';
import { escapeHtml as esc } from '../html/escape-html.js';

/** Marks trusted markup (already escaped or produced by a renderer that escapes). */
export function raw(s: string): SafeHtml {
  return new SafeHtml(s);
}

type Value = SafeHtml | string | number | boolean | null | undefined | Value[];

function part(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(part).join('');
  return esc(v);
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** A `?a=1&b=2` query string from the defined values. */
export function qs(params: Record<string, string | number | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** "just now", "5 minutes ago", "3 days ago", then the date. */
export function timeAgo(ms: number | null | undefined, now = Date.now()): string {
  if (!ms) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'} ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} hour${h === 1 ? '' : 's'} ago`;
  const d = Math.round(h / 24);
  if (d < 14) return `${d} day${d === 1 ? '' : 's'} ago`;
  return new Date(ms).toISOString().slice(0, 10);
}

/** The singular or plural of a word for a count. */
export function word(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}
