/**
 * Form fields for dashboard pages (any plugin's), with the same classes
 * (`pm-field`, `pm-help`, `pm-field-error`) as the JSON Schema forms so both
 * look alike. Errors sit under their field and are tied to it with
 * `aria-describedby`.
 */
import { html, raw, type SafeHtml } from './html.js';
import { errorTextHtml } from '../forms/html.js';

export interface FieldOptions {
  name: string;
  label: string;
  value?: string;
  type?: 'text' | 'password' | 'email' | 'url' | 'search' | 'number';
  error?: string;
  help?: string | SafeHtml;
  required?: boolean;
  autocomplete?: string;
  placeholder?: string;
  autofocus?: boolean;
  maxlength?: number;
  id?: string;
}

const idOf = (o: { id?: string; name: string }) => o.id ?? `f-${o.name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;

function describedBy(id: string, o: { help?: unknown; error?: string }): string | undefined {
  const ids = [o.help ? `${id}-help` : '', o.error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function attr(name: string, value: string | number | boolean | undefined): SafeHtml {
  if (value === undefined || value === false) return html``;
  if (value === true) return html` ${name}`;
  // The name is always one of ours; the value is escaped.
  return html` ${raw(name)}="${value}"`;
}
function wrap(id: string, o: FieldOptions | { label: string; help?: string | SafeHtml; error?: string; required?: boolean }, control: SafeHtml): SafeHtml {
  return html`<div class="pm-field${o.error ? ' has-error' : ''}">
<label for="${id}">${o.label}${o.required ? html` <span class="pm-required" aria-hidden="true">*</span>` : ''}</label>
${o.help ? html`<p class="pm-help" id="${id}-help">${o.help}</p>` : ''}
${control}
${o.error ? html`<p class="pm-field-error" id="${id}-error">${raw(errorTextHtml(o.error))}</p>` : ''}
</div>`;
}

export function input(o: FieldOptions): SafeHtml {
  const id = idOf(o);
  const control = html`<input id="${id}" name="${o.name}" type="${o.type ?? 'text'}"${attr('value', o.type === 'password' ? undefined : (o.value ?? ''))}${attr('required', o.required)}${attr('autocomplete', o.autocomplete)}${attr('placeholder', o.placeholder)}${attr('autofocus', o.autofocus)}${attr('maxlength', o.maxlength)}${attr('aria-describedby', describedBy(id, o))}${attr('aria-invalid', o.error ? 'true' : undefined)}>`;
  return wrap(id, o, control);
}

export function textarea(o: Omit<FieldOptions, 'type'> & { rows?: number }): SafeHtml {
  const id = idOf(o);
  const control = html`<textarea id="${id}" name="${o.name}" rows="${o.rows ?? 3}"${attr('required', o.required)}${attr('maxlength', o.maxlength)}${attr('aria-describedby', describedBy(id, o))}${attr('aria-invalid', o.error ? 'true' : undefined)}>${o.value ?? ''}</textarea>`;
  return wrap(id, o, control);
}

export function select(o: Omit<FieldOptions, 'type'> & { options: { value: string; label: string }[] }): SafeHtml {
  const id = idOf(o);
  const control = html`<select id="${id}" name="${o.name}"${attr('aria-describedby', describedBy(id, o))}${attr('aria-invalid', o.error ? 'true' : undefined)}>${o.options.map(
    (opt) => html`<option value="${opt.value}"${attr('selected', opt.value === o.value)}>${opt.label}</option>`,
  )}</select>`;
  return wrap(id, o, control);
}

export function checkbox(o: { name: string; label: string; checked?: boolean; value?: string; help?: string; id?: string }): SafeHtml {
  const id = idOf(o);
  return html`<div class="pm-field"><label class="check" for="${id}"><input type="checkbox" id="${id}" name="${o.name}" value="${o.value ?? '1'}"${attr('checked', o.checked)}${attr('aria-describedby', o.help ? `${id}-help` : undefined)}> ${o.label}</label>${o.help ? html`<p class="pm-help" id="${id}-help">${o.help}</p>` : ''}</div>`;
}

/** A read-only value shown where a field would be. */
export function fixed(label: string, value: string | SafeHtml, help?: string | SafeHtml): SafeHtml {
  return html`<div class="pm-field"><span class="label">${label}</span><span class="fixed-value">${value}</span>${help ? html`<p class="pm-help">${help}</p>` : ''}</div>`;
}

export function hidden(name: string, value: string): SafeHtml {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}

/** A string out of a urlencoded body (the first value when repeated), '' when absent. */
export function str(body: unknown, name: string): string {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s : '';
}

/** Every value of a repeated field. */
export function strs(body: unknown, name: string): string[] {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
}
