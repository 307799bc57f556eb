import type { JsonSchema, JsonSchemaType } from './types.js';

/** What a form shows for one schema node. */
export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'object' | 'array' | 'unsupported';

export interface EnumOption {
  value: unknown;
  label: string;
}

/** A path into the data: property names and array indices. */
export type DataPath = (string | number)[];

const MAX_REF_HOPS = 32;

export class SchemaRefError extends Error {}

/**
 * Follows local `$ref`s (`#/definitions/x`, `#/$defs/x`, any `#/…` pointer) against the root
 * schema. Keywords written beside a `$ref` win over the target's, so a field can reuse a
 * definition under its own title.
 */
export function resolveSchema(schema: JsonSchema | boolean | undefined, root: JsonSchema): JsonSchema {
  if (schema === undefined || schema === true) return {};
  if (schema === false) return { not: {} };
  let current: JsonSchema = schema;
  for (let hops = 0; typeof current.$ref === 'string'; hops++) {
    if (hops >= MAX_REF_HOPS) throw new SchemaRefError(`$ref ${schema.$ref} loops without end`);
    const { $ref, ...siblings } = current;
    const target = lookupPointer(root, $ref);
    if (target === undefined) throw new SchemaRefError(`$ref ${$ref} points to nothing in this schema`);
    current = { ...target, ...siblings };
  }
  return current;
}

function lookupPointer(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== null && typeof node === 'object' ? (node as JsonSchema) : undefined;
}

/** The one type a form field is built for: `["string", "null"]` is a string field. */
export function primaryType(schema: JsonSchema): JsonSchemaType | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null') ?? schema.type[0];
  if (schema.type) return schema.type;
  if (schema.enum) {
    if (schema.enum.length && schema.enum.every((v) => typeof v === 'number')) return 'number';
    if (schema.enum.length && schema.enum.every((v) => typeof v === 'boolean')) return 'boolean';
    return 'string';
  }
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

/** Enum choices with labels, from `enum` (+ `x-enum-labels`/`enumNames`) or a `oneOf` of `const`s. */
export function enumOptions(schema: JsonSchema): EnumOption[] | undefined {
  if (Array.isArray(schema.enum)) {
    const labels = schema['x-enum-labels'] ?? schema.enumNames;
    return schema.enum.map((value, i) => ({ value, label: labels?.[i] ?? String(value) }));
  }
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(alternatives) && alternatives.length && alternatives.every((s) => s && typeof s === 'object' && 'const' in s)) {
    return alternatives.map((s) => ({ value: s.const, label: s.title ?? String(s.const) }));
  }
  return undefined;
}

export function fieldKind(schema: JsonSchema): FieldKind {
  if (enumOptions(schema)) return 'enum';
  const type = primaryType(schema);
  switch (type) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
    case 'object':
      return type;
    case 'array':
      return schema.items && !Array.isArray(schema.items) ? 'array' : 'unsupported';
    default:
      return 'unsupported';
  }
}

/** The schema of an array's items, resolved. */
export function itemSchema(schema: JsonSchema, root: JsonSchema): JsonSchema {
  return resolveSchema(Array.isArray(schema.items) ? undefined : schema.items, root);
}

/** `authorName` → "Author name", `first_name` → "First name". */
export function humanise(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim()
    .split(/\s+/);
  const text = words.map((w, i) => (i > 0 && /^[A-Z][a-z]+$/.test(w) ? w.toLowerCase() : w)).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function isRequired(parent: JsonSchema, key: string): boolean {
  return Array.isArray(parent.required) && parent.required.includes(key);
}

/** `["items", 0, "caption"]` → `items[0][caption]`, the name a form field carries. */
export function bracketPath(path: DataPath): string {
  return path.map((seg, i) => (i === 0 ? String(seg) : `[${seg}]`)).join('');
}

/** `["items", 0, "caption"]` → `items.0.caption`, the path a form operation names. */
export function dotPath(path: DataPath): string {
  return path.join('.');
}

/**
 * Splits a field name or operation path into segments: `items[0][caption]`, `items.0.caption`
 * and `items[0].caption` all give `["items", "0", "caption"]`. Returns undefined when malformed.
 */
export function splitPath(path: string): string[] | undefined {
  const segments: string[] = [];
  const re = /([^.[\]]+)|\[([^[\]]*)\]|(\.)/gy;
  let expectSegment = true;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(path)) !== null) {
    consumed = re.lastIndex;
    if (m[3] !== undefined) {
      if (expectSegment) return undefined;
      expectSegment = true;
    } else if (m[1] !== undefined) {
      if (!expectSegment) return undefined;
      segments.push(m[1]);
      expectSegment = false;
    } else {
      if (segments.length === 0) return undefined;
      segments.push(m[2]);
      expectSegment = false;
    }
  }
  if (consumed !== path.length || expectSegment || segments.length === 0) return undefined;
  return segments;
}

/** An array index segment: digits only, no leading zeros, within a sane range. */
export function parseIndex(segment: string): number | undefined {
  if (!/^(0|[1-9]\d{0,5})$/.test(segment)) return undefined;
  return Number(segment);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The value a freshly added array item starts with: the item schema's `default`, or for an
 * object the defaults of its properties, or an empty value the form shows as a blank field.
 */
export function newItemValue(schema: JsonSchema, root: JsonSchema): unknown {
  if (schema.default !== undefined) return structuredClone(schema.default);
  const kind = fieldKind(schema);
  if (kind === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, prop] of Object.entries(schema.properties ?? {})) {
      const resolved = resolveSchema(prop, root);
      if (resolved.default !== undefined) out[key] = structuredClone(resolved.default);
    }
    return out;
  }
  if (kind === 'array') return [];
  if (kind === 'boolean') return false;
  return '';
}
