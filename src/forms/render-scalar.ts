import { attrs, escapeHtml } from './html.js';
import { labelHtml, REQUIRED_MARK, shownValue } from './render-context.js';
import type { FieldFrame } from './render-context.js';
import { enumOptions, primaryType } from './schema-walk.js';
import type { JsonSchema } from './types.js';

/** Plain strings (no format: a URL or an email stays one line) longer than this get a textarea. */
const LONG_TEXT = 200;
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const HEX_COLOR = /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** `x-widget: "hidden"`: a value the form carries but does not show (an id, a version). */
export function renderHidden(frame: FieldFrame, schema: JsonSchema, value: unknown): string {
  return `<input${attrs({ type: 'hidden', id: frame.id, name: frame.name, value: text(shownValue(frame, schema, value)) })}>`;
}

function wrap(kind: string, frame: FieldFrame, inner: string): string {
  return `<div class="pm-field pm-field-${kind}${frame.messages.length ? ' pm-field-invalid' : ''}">${inner}</div>`;
}

/**
 * JSON Schema patterns match anywhere in the string; the HTML `pattern` attribute must match
 * the whole value. Unanchored patterns are widened so the browser agrees with the server.
 */
function htmlPattern(pattern: string): string {
  return pattern.startsWith('^') && pattern.endsWith('$') && !pattern.endsWith('\\$') ? pattern : `.*(?:${pattern}).*`;
}

/**
 * `format: "image"`: the picture's address in a text box, a thumbnail of it, and (with the
 * form script) a "Choose from library / upload" button that opens the media library in a dialog.
 * Without the script, a "Choose from the library" link (when the form was given `imageLibrary`)
 * opens the library beside the form, where each picture's address can be copied.
 */
function renderImage(frame: FieldFrame, schema: JsonSchema, shown: string): string {
  const input = `<input${attrs({ type: 'text', id: frame.id, name: frame.name, value: shown, required: frame.required, readonly: schema.readOnly === true, maxlength: schema.maxLength, placeholder: '/pm-uploads/…', inputmode: 'url', 'data-pm-image-input': true, ...frame.aria })}>`;
  const src = shown && /^(\/(?![/\\])|https?:\/\/)/i.test(shown) ? shown : undefined;
  const thumb = `<span class="pm-image-thumb"><img${attrs({ src, alt: '', hidden: !src, 'data-pm-image-preview': true })}></span>`;
  const buttons = `<span class="pm-image-buttons" data-pm-image-buttons hidden><button type="button" class="pm-btn" data-pm-image-choose>Choose from library / upload</button> <button type="button" class="pm-btn pm-btn-quiet" data-pm-image-clear>Remove</button></span>`;
  const library = frame.imageLibrary
    ? `<a${attrs({ class: 'pm-btn pm-btn-quiet pm-image-library', href: frame.imageLibrary, target: '_blank', rel: 'noopener', 'data-pm-image-library': true })}>Choose from the library ↗</a><span class="pm-help pm-image-library-help" data-pm-image-library>It opens in a new tab: copy a picture’s address into this box.</span>`
    : '';
  return wrap('image', frame, labelHtml(frame) + frame.helpHtml + `<div class="pm-image" data-pm-image>${thumb}<span class="pm-image-controls">${input}${buttons}${library}</span></div>` + frame.errorHtml);
}

export function renderString(frame: FieldFrame, schema: JsonSchema, value: unknown): string {
  const shown = text(shownValue(frame, schema, value));
  const widget = schema['x-widget'];
  const format = schema.format;
  if (format === 'image' && widget === undefined) return renderImage(frame, schema, shown);
  const common = {
    id: frame.id,
    name: frame.name,
    required: frame.required,
    readonly: schema.readOnly === true,
    minlength: schema.minLength,
    maxlength: schema.maxLength,
    placeholder: typeof schema.examples?.[0] === 'string' ? schema.examples[0] : undefined,
    ...frame.aria,
  };
  let control: string;
  if (widget === 'textarea' || format === 'textarea' || format === 'markdown' || (widget === undefined && format === undefined && (schema.maxLength ?? 0) > LONG_TEXT)) {
    const markdown = format === 'markdown';
    const rows = schema['x-rows'] ?? (markdown ? 12 : 5);
    control = `<textarea${attrs({ ...common, rows, class: markdown ? 'pm-markdown' : undefined, spellcheck: markdown ? 'true' : undefined })}>${escapeHtml(shown)}</textarea>`;
  } else {
    let type = 'text';
    if (format === 'email') type = 'email';
    else if (format === 'uri' || format === 'url' || format === 'iri') type = 'url';
    // A browser blanks a date or colour input holding a value it cannot parse; a plain text input keeps what the user typed.
    else if (format === 'date' && (shown === '' || DATE.test(shown))) type = 'date';
    else if (format === 'color' && (shown === '' || HEX_COLOR.test(shown))) type = 'color';
    let val = shown;
    if (type === 'color' && shown.length === 4) val = '#' + [...shown.slice(1)].map((c) => c + c).join('');
    control = `<input${attrs({
      type,
      ...common,
      value: type === 'color' && val === '' ? undefined : val,
      pattern: schema.pattern ? htmlPattern(schema.pattern) : undefined,
    })}>`;
  }
  return wrap(format === 'markdown' ? 'markdown' : 'string', frame, labelHtml(frame) + frame.helpHtml + control + frame.errorHtml);
}

export function renderNumber(frame: FieldFrame, schema: JsonSchema, value: unknown): string {
  const shown = text(shownValue(frame, schema, value));
  const integer = primaryType(schema) === 'integer';
  // A number input cannot show "12abc"; the user's text is kept visible so they can fix it.
  const numeric = shown === '' || NUMERIC.test(shown.trim());
  const control = `<input${attrs({
    type: numeric ? 'number' : 'text',
    inputmode: numeric ? undefined : integer ? 'numeric' : 'decimal',
    id: frame.id,
    name: frame.name,
    value: shown,
    required: frame.required,
    readonly: schema.readOnly === true,
    min: numeric ? (schema.minimum ?? schema.exclusiveMinimum) : undefined,
    max: numeric ? (schema.maximum ?? schema.exclusiveMaximum) : undefined,
    step: numeric ? (schema.multipleOf ?? (integer ? 1 : 'any')) : undefined,
    ...frame.aria,
  })}>`;
  return wrap(integer ? 'integer' : 'number', frame, labelHtml(frame) + frame.helpHtml + control + frame.errorHtml);
}

/** A checkbox plus a hidden "false" before it: an unchecked box sends nothing, the hidden input still says false. */
export function renderBoolean(frame: FieldFrame, schema: JsonSchema, value: unknown): string {
  const shown = shownValue(frame, schema, value);
  const checked = shown === true || shown === 'true';
  const readOnly = schema.readOnly === true;
  const inner =
    `<input${attrs({ type: 'hidden', name: frame.name, value: readOnly ? String(checked) : 'false' })}>` +
    `<input${attrs({ type: 'checkbox', id: frame.id, name: readOnly ? undefined : frame.name, value: 'true', checked, disabled: readOnly, ...frame.aria })}>` +
    ` <label${attrs({ for: frame.id })}>${frame.label}</label>`;
  return wrap('boolean', frame, `<div class="pm-check">${inner}</div>` + frame.helpHtml + frame.errorHtml);
}

export function renderEnum(frame: FieldFrame, schema: JsonSchema, value: unknown): string {
  const options = enumOptions(schema) ?? [];
  const shown = shownValue(frame, schema, value);
  const current = shown === undefined || shown === null || shown === '' ? undefined : String(shown);
  const widget = schema['x-widget'];
  const readOnly = schema.readOnly === true;
  // Disabled controls are not submitted, so a read-only choice travels in a hidden input.
  const keep = readOnly ? `<input${attrs({ type: 'hidden', name: frame.name, value: current ?? '' })}>` : '';
  if (widget === 'radio' || (widget !== 'select' && options.length <= 4)) {
    const choices = options.map((o, i) => ({ value: String(o.value), label: o.label, id: `${frame.id}-${i}` }));
    // An optional choice needs a way back to "nothing chosen", which radios alone do not offer.
    if (!frame.required) choices.push({ value: '', label: 'None', id: `${frame.id}-none` });
    const radios = choices
      .map((c) => {
        const checked = c.value === '' ? current === undefined : c.value === current;
        return `<div class="pm-check">` +
          `<input${attrs({ type: 'radio', id: c.id, name: readOnly ? undefined : frame.name, value: c.value, checked, required: frame.required && c.value !== '', disabled: readOnly, ...frame.aria })}>` +
          ` <label${attrs({ for: c.id })}>${escapeHtml(c.label)}</label></div>`;
      })
      .join('');
    return `<fieldset${attrs({
      class: `pm-field pm-field-radio${frame.messages.length ? ' pm-field-invalid' : ''}`,
      id: frame.id,
      'aria-describedby': frame.aria['aria-describedby'],
    })}><legend>${frame.label}${frame.required ? ` ${REQUIRED_MARK}` : ''}</legend>${frame.helpHtml}${radios}${keep}${frame.errorHtml}</fieldset>`;
  }
  let opts = '';
  if (!frame.required || current === undefined) {
    opts += `<option value=""${current === undefined ? ' selected' : ''}>${frame.required ? 'Choose…' : '—'}</option>`;
  }
  for (const o of options) {
    const v = String(o.value);
    opts += `<option${attrs({ value: v, selected: v === current })}>${escapeHtml(o.label)}</option>`;
  }
  const control = `<select${attrs({ id: frame.id, name: readOnly ? undefined : frame.name, required: frame.required, disabled: readOnly, ...frame.aria })}>${opts}</select>` + keep;
  return wrap('select', frame, labelHtml(frame) + frame.helpHtml + control + frame.errorHtml);
}
