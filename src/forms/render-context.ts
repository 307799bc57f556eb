import { attrs, errorTextHtml, escapeHtml } from './html.js';
import { bracketPath, humanise } from './schema-walk.js';
import type { DataPath } from './schema-walk.js';
import type { FieldErrors, JsonSchema } from './types.js';

/** State of one renderForm call, passed down the tree. */
export interface RenderContext {
  root: JsonSchema;
  errors: FieldErrors;
  idPrefix: string;
  /** Bracket paths whose errors were shown beside a field; the rest go to the top of the form. */
  shown: Set<string>;
  /** How many `<template>`s we are inside; bounds recursive schemas. */
  templateDepth: number;
  /** The site's media library for choosing a picture without JavaScript (RenderFormOptions.imageLibrary). */
  imageLibrary?: string;
}

/** One field's names and the pieces every widget shares: help text, error, described-by. */
export interface FieldFrame {
  path: DataPath;
  name: string;
  id: string;
  label: string;
  required: boolean;
  messages: string[];
  helpHtml: string;
  errorHtml: string;
  /** Attributes for the control: aria-describedby and aria-invalid. */
  aria: { 'aria-describedby'?: string; 'aria-invalid'?: 'true' };
  imageLibrary?: string;
}

/** Keeps ids unambiguous: letters, digits and `_` stay; anything else becomes `.hex.`. */
function idSegment(segment: string | number): string {
  return String(segment).replace(/[^A-Za-z0-9_]/g, (c) => `.${c.charCodeAt(0).toString(16)}.`);
}

export function fieldId(ctx: RenderContext, path: DataPath): string {
  return [ctx.idPrefix, ...path.map(idSegment)].join('-');
}

export function frameFor(ctx: RenderContext, path: DataPath, schema: JsonSchema, required: boolean, label?: string): FieldFrame {
  const name = bracketPath(path);
  const id = fieldId(ctx, path);
  const messages = ctx.errors[name] ?? [];
  if (messages.length) ctx.shown.add(name);
  const describedBy: string[] = [];
  let helpHtml = '';
  if (typeof schema.description === 'string' && schema.description) {
    helpHtml = `<p class="pm-help" id="${escapeHtml(id)}-help">${escapeHtml(schema.description)}</p>`;
    describedBy.push(`${id}-help`);
  }
  let errorHtml = '';
  if (messages.length) {
    errorHtml = `<p class="pm-field-error" id="${escapeHtml(id)}-error">${messages.map(errorTextHtml).join(' ')}</p>`;
    describedBy.push(`${id}-error`);
  }
  const last = path[path.length - 1];
  return {
    path,
    name,
    id,
    label: label ?? (typeof schema.title === 'string' && schema.title ? escapeHtml(schema.title) : escapeHtml(humanise(String(last)))),
    required,
    messages,
    helpHtml,
    errorHtml,
    imageLibrary: ctx.imageLibrary,
    aria: {
      ...(describedBy.length ? { 'aria-describedby': describedBy.join(' ') } : {}),
      ...(messages.length ? { 'aria-invalid': 'true' as const } : {}),
    },
  };
}

export const REQUIRED_MARK = '<span class="pm-required" aria-hidden="true">*</span>';

export function labelHtml(frame: FieldFrame, forId = frame.id): string {
  return `<label${attrs({ for: forId })}>${frame.label}${frame.required ? ` ${REQUIRED_MARK}` : ''}</label>`;
}

/** The value to show: the data's, or the schema default when the data has none and no error is pending. */
export function shownValue(frame: FieldFrame, schema: JsonSchema, value: unknown): unknown {
  if (value !== undefined) return value;
  if (frame.messages.length) return undefined;
  return schema.default;
}
