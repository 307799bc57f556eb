import { PmError } from '../errors/errors.js';
import { attrs, errorTextHtml, escapeHtml } from './html.js';
import { fieldId, frameFor, REQUIRED_MARK, shownValue } from './render-context.js';
import type { RenderContext } from './render-context.js';
import { renderBoolean, renderEnum, renderHidden, renderNumber, renderString } from './render-scalar.js';
import { bracketPath, dotPath, fieldKind, isPlainObject, isRequired, itemSchema, newItemValue, resolveSchema, SchemaRefError } from './schema-walk.js';
import type { DataPath } from './schema-walk.js';
import type { FieldErrors, JsonSchema } from './types.js';

export interface RenderFormOptions {
  /** Messages to show beside fields, keyed by bracket path (from `validateData`). */
  errors?: FieldErrors;
  /** Prefix of every id in the form (default `pm-f`); set it when a page holds two forms. */
  idPrefix?: string;
  /**
   * The site's media library in its choosing mode (`/pm/media?pick=1`, with the site's prefix): image
   * fields link to it, opening beside the form, so a picture can be chosen without JavaScript.
   */
  imageLibrary?: string;
}

/** Beyond this many nested `<template>`s (recursive schemas), Add falls back to a server round trip. */
const MAX_TEMPLATE_DEPTH = 3;
/** Index written into an array item's `<template>`; the form script replaces it. */
const NEW_INDEX = '__new__';

/**
 * Renders the fields of a form for an object schema: labels, inputs, help text and errors.
 * The caller writes the `<form>` element, the CSRF input and the submit buttons, and includes
 * `FORM_SCRIPT`/`FORM_STYLES` if it wants client-side array editing and the default look.
 *
 * @example
 * const html = `<form method="post">${renderForm(schema, data, { errors })}<button>Save</button></form>`;
 */
export function renderForm(schema: JsonSchema, data: unknown, opts: RenderFormOptions = {}): string {
  const ctx: RenderContext = {
    root: schema,
    errors: opts.errors ?? {},
    idPrefix: opts.idPrefix ?? 'pm-f',
    shown: new Set(),
    templateDepth: 0,
    imageLibrary: opts.imageLibrary,
  };
  let root: JsonSchema;
  try {
    root = resolveSchema(schema, schema);
  } catch (cause) {
    throw brokenSchema(cause);
  }
  if (fieldKind(root) !== 'object') {
    throw brokenSchema(new Error('renderForm needs a schema with type "object" at its root'));
  }
  let fields: string;
  try {
    fields = renderProperties(ctx, root, [], isPlainObject(data) ? data : root.default);
  } catch (cause) {
    throw cause instanceof SchemaRefError ? brokenSchema(cause) : cause;
  }
  return formErrors(ctx) + fields;
}

function brokenSchema(cause: unknown): PmError {
  return new PmError('PM_ERR_INTERNAL', {}, { cause });
}

/** Errors that no field claimed (the form as a whole, unknown fields) go on top of the form. */
function formErrors(ctx: RenderContext): string {
  const rest = Object.entries(ctx.errors).filter(([path, messages]) => !ctx.shown.has(path) && messages?.length);
  if (!rest.length) return '';
  const lines = rest
    .map(([path, messages]) => `<p class="pm-field-error">${path ? `${escapeHtml(path)}: ` : ''}${messages.map(errorTextHtml).join(' ')}</p>`)
    .join('');
  return `<div${attrs({ class: 'pm-form-errors', id: `${ctx.idPrefix}--form-errors`, role: 'alert' })}>${lines}</div>`;
}

function renderProperties(ctx: RenderContext, schema: JsonSchema, path: DataPath, value: unknown): string {
  const obj = isPlainObject(value) ? value : {};
  let out = '';
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    out += renderNode(ctx, resolveSchema(prop, ctx.root), [...path, key], Object.hasOwn(obj, key) ? obj[key] : undefined, isRequired(schema, key));
  }
  return out;
}

function renderNode(ctx: RenderContext, schema: JsonSchema, path: DataPath, value: unknown, required: boolean, label?: string): string {
  const frame = frameFor(ctx, path, schema, required, label);
  const kind = fieldKind(schema);
  if (schema['x-widget'] === 'hidden' && kind !== 'object' && kind !== 'array' && kind !== 'unsupported') return renderHidden(frame, schema, value);
  switch (kind) {
    case 'string':
      return renderString(frame, schema, value);
    case 'number':
    case 'integer':
      return renderNumber(frame, schema, value);
    case 'boolean':
      return renderBoolean(frame, schema, value);
    case 'enum':
      return renderEnum(frame, schema, value);
    case 'object':
      return (
        `<fieldset${attrs({ class: `pm-fieldset pm-object${frame.messages.length ? ' pm-field-invalid' : ''}`, id: frame.id, 'aria-describedby': frame.aria['aria-describedby'] })}>` +
        `<legend>${frame.label}${required ? ` ${REQUIRED_MARK}` : ''}</legend>${frame.helpHtml}${frame.errorHtml}` +
        renderProperties(ctx, schema, path, shownValue(frame, schema, value)) +
        `</fieldset>`
      );
    case 'array':
      return renderArray(ctx, schema, path, value, required);
    default:
      // The form cannot edit this value (checkSchema reports it); leaving it out keeps the page usable.
      return '';
  }
}

function renderArray(ctx: RenderContext, schema: JsonSchema, path: DataPath, value: unknown, required: boolean): string {
  const frame = frameFor(ctx, path, schema, required);
  const shown = shownValue(frame, schema, value);
  const list = Array.isArray(shown) ? shown : [];
  const items = itemSchema(schema, ctx.root);
  const itemTitle = typeof items.title === 'string' && items.title ? items.title : 'Item';
  const atMax = schema.maxItems !== undefined && list.length >= schema.maxItems;
  const body = list.map((v, i) => renderItem(ctx, items, itemTitle, path, i, list.length, v)).join('');

  let template = '';
  if (ctx.templateDepth < MAX_TEMPLATE_DEPTH) {
    // The template is a blank item; its errors and ids must not touch the live form.
    const inner: RenderContext = { ...ctx, errors: {}, shown: new Set(), templateDepth: ctx.templateDepth + 1 };
    template = `<template class="pm-array-template">${renderItem(inner, items, itemTitle, path, NEW_INDEX, 0, newItemValue(items, ctx.root))}</template>`;
  }
  const addLabel = typeof schema['x-add-label'] === 'string' ? schema['x-add-label'] : `Add ${itemTitle.toLowerCase() === 'item' ? 'item' : itemTitle}`;
  return (
    `<fieldset${attrs({
      class: `pm-fieldset pm-array${frame.messages.length ? ' pm-field-invalid' : ''}`,
      id: frame.id,
      'aria-describedby': frame.aria['aria-describedby'],
      'data-pm-array': true,
      'data-pm-name': frame.name,
      'data-pm-id': frame.id,
      'data-pm-op': dotPath(path),
      'data-pm-max-items': schema.maxItems,
    })}>` +
    `<legend>${frame.label}${required ? ` ${REQUIRED_MARK}` : ''}</legend>${frame.helpHtml}${frame.errorHtml}` +
    `<div class="pm-array-items">${body}</div>${template}` +
    `<button${attrs({ type: 'submit', name: '_pm_form_op', value: `add:${dotPath(path)}`, formnovalidate: true, class: 'pm-op pm-op-add', disabled: atMax })}>${escapeHtml(addLabel)}</button>` +
    `</fieldset>`
  );
}

function renderItem(ctx: RenderContext, items: JsonSchema, itemTitle: string, arrayPath: DataPath, index: number | string, count: number, value: unknown): string {
  const path = [...arrayPath, index];
  const n = typeof index === 'number' ? String(index + 1) : '';
  const numbered = `${escapeHtml(itemTitle)} <span data-pm-n>${n}</span>`;
  const op = dotPath(path);
  const button = (kind: string, text: string, disabled: boolean): string =>
    `<button${attrs({ type: 'submit', name: '_pm_form_op', value: `${kind}:${op}`, formnovalidate: true, class: `pm-op pm-op-${kind}`, disabled })}>` +
    `${text}<span class="pm-sr-only"> ${numbered}</span></button>`;
  const controls =
    `<div class="pm-item-controls">` +
    button('up', 'Move up', index === 0 || typeof index !== 'number') +
    button('down', 'Move down', typeof index !== 'number' || index === count - 1) +
    button('remove', 'Remove', false) +
    `</div>`;
  const data = { 'data-pm-item': true, 'data-pm-name': bracketPath(path), 'data-pm-id': fieldId(ctx, path), 'data-pm-op': op };
  if (fieldKind(items) === 'object' || fieldKind(items) === 'array') {
    const frame = frameFor(ctx, path, items, false, numbered);
    const inner = fieldKind(items) === 'object' ? renderProperties(ctx, items, path, value ?? (frame.messages.length ? undefined : items.default)) : renderNode(ctx, items, path, value, false, numbered);
    return (
      `<fieldset${attrs({ class: `pm-array-item${frame.messages.length ? ' pm-field-invalid' : ''}`, id: fieldKind(items) === 'object' ? frame.id : undefined, 'aria-describedby': frame.aria['aria-describedby'], ...data })}>` +
      `<legend>${numbered}</legend>${fieldKind(items) === 'object' ? frame.helpHtml + frame.errorHtml : ''}${inner}${controls}</fieldset>`
    );
  }
  return `<div${attrs({ class: 'pm-array-item', ...data })}>${renderNode(ctx, items, path, value, false, numbered)}${controls}</div>`;
}
