import { PmError } from '../errors/errors.js';
import { fieldKind, isPlainObject, itemSchema, newItemValue, parseIndex, resolveSchema, splitPath } from './schema-walk.js';
import type { JsonSchema } from './types.js';

const OP = /^(add|remove|up|down):(.+)$/;

function badOp(op: string, why: string): PmError {
  return new PmError('PM_ERR_BAD_REQUEST', { detail: `The form operation "${op.slice(0, 100)}" ${why}.` });
}

/**
 * Applies what an array button asked for when the browser had no JavaScript: the form posts
 * `_pm_form_op` = `add:items`, `remove:items.2`, `up:items.2` or `down:items.2` (nested paths
 * such as `add:sections.0.items` too); the server parses the body, applies the operation and
 * shows the form again. Returns new data; the input is not modified. Out-of-range indices
 * (a double click) change nothing; an operation that names no list in the schema is a
 * PM_ERR_BAD_REQUEST.
 *
 * @example
 * if (typeof body._pm_form_op === 'string') {
 *   const data = applyFormOp(schema, parseFormBody(schema, body), body._pm_form_op);
 *   return reply.type('text/html').send(page(renderForm(schema, data)));
 * }
 */
export function applyFormOp(schema: JsonSchema, data: unknown, op: string): unknown {
  const m = OP.exec(String(op));
  if (!m) throw badOp(op, 'is not one of add, remove, up or down');
  const kind = m[1] as 'add' | 'remove' | 'up' | 'down';
  const segments = splitPath(m[2]);
  if (!segments) throw badOp(op, 'has a malformed path');
  let index: number | undefined;
  if (kind !== 'add') {
    index = parseIndex(segments.pop() ?? '');
    if (index === undefined || segments.length === 0) throw badOp(op, 'does not end with an item number');
  }

  // Check the path against the schema first, so a tampered form cannot reach anything else.
  const root = resolveSchema(schema, schema);
  const schemas: JsonSchema[] = [root];
  let current = root;
  for (const seg of segments) {
    const k = fieldKind(current);
    if (k === 'object' && current.properties && Object.hasOwn(current.properties, seg) && seg !== '__proto__') {
      current = resolveSchema(current.properties[seg], root);
    } else if (k === 'array' && parseIndex(seg) !== undefined) {
      current = itemSchema(current, root);
    } else {
      throw badOp(op, 'names a field this form does not have');
    }
    schemas.push(current);
  }
  if (fieldKind(current) !== 'array') throw badOp(op, 'does not name a list');

  const result: Record<string, unknown> = isPlainObject(data) ? structuredClone(data) : {};
  let container: Record<string, unknown> | unknown[] = result;
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i];
    const key: string | number = Array.isArray(container) ? Number(seg) : seg;
    let next = (container as Record<string | number, unknown>)[key];
    if (next === undefined && kind === 'add' && !Array.isArray(container)) {
      next = fieldKind(schemas[i + 1]) === 'array' ? [] : {};
      (container as Record<string, unknown>)[seg] = next;
    }
    if (!isPlainObject(next) && !Array.isArray(next)) return result;
    container = next as Record<string, unknown> | unknown[];
  }
  const lastSeg = segments[segments.length - 1];
  const lastKey: string | number = Array.isArray(container) ? Number(lastSeg) : lastSeg;
  let list = (container as Record<string | number, unknown>)[lastKey];
  if (!Array.isArray(list)) {
    if (kind !== 'add' || list !== undefined) return result;
    list = [];
    (container as Record<string | number, unknown>)[lastKey] = list;
  }
  const arr = list as unknown[];
  const i = index ?? 0;
  switch (kind) {
    case 'add':
      if (current.maxItems === undefined || arr.length < current.maxItems) arr.push(newItemValue(itemSchema(current, root), root));
      break;
    case 'remove':
      if (i < arr.length) arr.splice(i, 1);
      break;
    case 'up':
      if (i > 0 && i < arr.length) [arr[i - 1], arr[i]] = [arr[i], arr[i - 1]];
      break;
    case 'down':
      if (i + 1 < arr.length) [arr[i], arr[i + 1]] = [arr[i + 1], arr[i]];
      break;
  }
  return result;
}
