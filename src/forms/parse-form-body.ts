import { enumOptions, fieldKind, isRequired, itemSchema, parseIndex, resolveSchema } from './schema-walk.js';
import type { FormBody, JsonSchema } from './types.js';

/** The submitted names, as a tree: `items[0][caption]` lives at items → 0 → caption. */
interface BodyNode {
  value?: string | string[];
  children: Map<string, BodyNode>;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE_VALUES = new Set(['true', 'on', '1']);

/** `author[name]` → ["author", "name"]; undefined for names a form of ours never writes. */
function splitName(name: string): string[] | undefined {
  const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name);
  if (!m) return undefined;
  const rest = m[2] ? m[2].slice(1, -1).split('][') : [];
  return [m[1], ...rest];
}

function buildTree(body: FormBody): BodyNode {
  const root: BodyNode = { children: new Map() };
  for (const [name, value] of Object.entries(body)) {
    if (value === undefined || name.startsWith('_pm') || name.startsWith('_csrf')) continue;
    const segments = splitName(name);
    if (!segments) continue;
    let node = root;
    for (const seg of segments) {
      let next = node.children.get(seg);
      if (!next) node.children.set(seg, (next = { children: new Map() }));
      node = next;
    }
    node.value = value;
  }
  return root;
}

function lastValue(node: BodyNode | undefined): string | undefined {
  const v = node?.value;
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/**
 * Turns a flat urlencoded body back into nested JSON following the schema. Numbers are
 * coerced, but text that is not a number is kept as it was typed so validation can say so;
 * empty text is left out so `required` reports it; an unchecked box is false; array items
 * come back in index order with gaps closed. Names the schema does not know, and names
 * starting with `_pm` or `_csrf`, are ignored.
 */
export function parseFormBody(schema: JsonSchema, body: FormBody): unknown {
  const root = resolveSchema(schema, schema);
  return readObject(root, schema, buildTree(body ?? {}));
}

function readObject(schema: JsonSchema, root: JsonSchema, node: BodyNode | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (key === '__proto__') continue;
    const v = readValue(resolveSchema(prop, root), root, node?.children.get(key), isRequired(schema, key));
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function readValue(schema: JsonSchema, root: JsonSchema, node: BodyNode | undefined, required: boolean): unknown {
  switch (fieldKind(schema)) {
    case 'object': {
      const obj = readObject(schema, root, node);
      // A group the user left blank is absent unless the schema requires it.
      return Object.keys(obj).length || required ? obj : undefined;
    }
    case 'array': {
      const list = readArray(itemSchema(schema, root), root, node);
      return list.length || required ? list : undefined;
    }
    case 'boolean':
      return TRUE_VALUES.has(lastValue(node) ?? '');
    case 'number':
    case 'integer': {
      const raw = lastValue(node)?.trim();
      if (!raw) return undefined;
      return NUMERIC.test(raw) ? Number(raw) : raw;
    }
    case 'enum': {
      const raw = lastValue(node);
      if (raw === undefined || raw === '') return undefined;
      const match = enumOptions(schema)?.find((o) => String(o.value) === raw);
      return match ? match.value : raw;
    }
    case 'string': {
      const raw = lastValue(node);
      if (raw === undefined || raw === '') return undefined;
      // Browsers send textarea line breaks as CRLF; stored text uses LF.
      return raw.replace(/\r\n?/g, '\n');
    }
    default:
      return undefined;
  }
}

function readArray(items: JsonSchema, root: JsonSchema, node: BodyNode | undefined): unknown[] {
  if (!node) return [];
  const out: unknown[] = [];
  // `tags=a&tags=b` (repeated name, no index) is accepted too.
  if (node.value !== undefined && node.children.size === 0) {
    for (const v of Array.isArray(node.value) ? node.value : [node.value]) {
      const item = readValue(items, root, { value: v, children: new Map() }, false);
      if (item !== undefined) out.push(item);
    }
    return out;
  }
  const indexed: [number, BodyNode][] = [];
  for (const [seg, child] of node.children) {
    const i = parseIndex(seg);
    if (i !== undefined) indexed.push([i, child]);
  }
  indexed.sort((a, b) => a[0] - b[0]);
  for (const [, child] of indexed) {
    // An item object whose fields are all blank is still an item the user added.
    const item = readValue(items, root, child, fieldKind(items) === 'object' || fieldKind(items) === 'array');
    if (item !== undefined) out.push(item);
  }
  return out;
}
