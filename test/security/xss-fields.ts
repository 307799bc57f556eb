/**
 * Fills every string field of a template's JSON Schema with XSS vectors,
 * round after round, until every field has carried every vector that fits
 * in it (its maxLength), or the round budget ends.
 *
 * Free-text fields (plain, textarea, markdown) take as many vectors as fit,
 * each on its own line; fields with a format (links, email, dates) take one
 * per round, since a value there is one address. Arrays are filled with up
 * to ARRAY_ITEMS items, each item's fields fed from the same queue, so an
 * array field takes many vectors per round.
 */
export interface Vector {
  id: number;
  kind: string;
  payload: string;
}

interface SchemaNode {
  type?: string | string[];
  format?: string;
  maxLength?: number;
  maxItems?: number;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

/** A string field of the schema: its path with `[]` for array items. */
export interface Field {
  path: string;
  maxLength: number;
  format?: string;
  /** Vectors (indexes into the corpus) that fit, most relevant first. */
  queue: number[];
  next: number;
}

const ARRAY_ITEMS = 12;
const FREE_TEXT = new Set([undefined, 'markdown', 'textarea']);
const KIND_FIRST: Record<string, string[]> = { url: ['url', 'attr', 'md'], email: ['attr', 'html', 'break'], markdown: ['md', 'html', 'break'] };

export function stringFields(schema: SchemaNode, vectors: readonly Vector[]): Field[] {
  const out: Field[] = [];
  const walk = (n: SchemaNode, path: string) => {
    const type = Array.isArray(n.type) ? n.type[0] : n.type;
    if (type === 'object') for (const [k, v] of Object.entries(n.properties ?? {})) walk(v, path ? `${path}.${k}` : k);
    else if (type === 'array' && n.items) walk(n.items, `${path}[]`);
    else if (type === 'string' && !n.enum) {
      const maxLength = n.maxLength ?? 2000;
      const family = n.format && /uri|url|image/.test(n.format) ? 'url' : n.format === 'email' ? 'email' : n.format === 'markdown' ? 'markdown' : '';
      const first = KIND_FIRST[family] ?? [];
      const fit = vectors.map((v, i) => ({ v, i })).filter(({ v }) => v.payload.length <= maxLength);
      const rank = (k: string) => (first.includes(k) ? first.indexOf(k) : first.length);
      fit.sort((a, b) => rank(a.v.kind) - rank(b.v.kind) || a.i - b.i);
      out.push({ path, maxLength, format: n.format, queue: fit.map((x) => x.i), next: 0 });
    }
  };
  walk(schema, '');
  return out;
}

function arrayLength(schema: SchemaNode, arrayPath: string): number {
  let n: SchemaNode | undefined = schema;
  for (const part of arrayPath.split('.')) n = n?.properties?.[part.replace(/\[\]$/, '')];
  return Math.min(n?.maxItems ?? ARRAY_ITEMS, ARRAY_ITEMS);
}

/** The value of one slot this round: packed vectors for free text, one for a format field. */
function take(f: Field, vectors: readonly Vector[]): { value: string; used: number[] } {
  if (f.next >= f.queue.length) {
    // This field has seen every vector; keep feeding it from the start so it still carries some.
    f.next = 0;
  }
  const used: number[] = [];
  let value = '';
  while (f.next < f.queue.length) {
    const p = vectors[f.queue[f.next]].payload;
    const joined = value ? `${value}\n${p}` : p;
    if (joined.length > f.maxLength) break;
    value = joined;
    used.push(f.queue[f.next]);
    f.next++;
    if (!FREE_TEXT.has(f.format)) break;
  }
  return { value, used };
}

export interface RoundData {
  data: Record<string, unknown>;
  /** `data[sections][3][body]` (the API's field path) → the vectors in it. */
  slots: Map<string, { field: Field; used: number[] }>;
}

/** One round's data: every field filled, arrays with items, every slot's vectors recorded. */
export function roundData(schema: SchemaNode, fields: Field[], vectors: readonly Vector[]): RoundData {
  const data: Record<string, unknown> = {};
  const slots = new Map<string, { field: Field; used: number[] }>();
  for (const f of fields) {
    const parts = f.path.split('.');
    const fill = (obj: Record<string, unknown>, i: number, apiPath: string, schemaPath: string) => {
      const part = parts[i];
      const key = part.replace(/\[\]$/, '');
      const here = schemaPath ? `${schemaPath}.${part}` : part;
      if (part.endsWith('[]')) {
        const arr = (obj[key] ??= []) as unknown[];
        const n = arrayLength(schema, here);
        for (let k = 0; k < n; k++) {
          if (i === parts.length - 1) {
            const { value, used } = take(f, vectors);
            arr[k] = value;
            slots.set(`${apiPath}[${key}][${k}]`, { field: f, used });
          } else {
            const item = (arr[k] ??= {}) as Record<string, unknown>;
            fill(item, i + 1, `${apiPath}[${key}][${k}]`, here);
          }
        }
      } else if (i === parts.length - 1) {
        const { value, used } = take(f, vectors);
        obj[key] = value;
        slots.set(`${apiPath}[${key}]`, { field: f, used });
      } else {
        fill((obj[key] ??= {}) as Record<string, unknown>, i + 1, `${apiPath}[${key}]`, here);
      }
    };
    fill(data, 0, 'data', '');
  }
  return { data, slots };
}

/** A value each kind of field accepts, for a slot whose vectors were refused. */
export function benign(field: Field): string {
  if (field.format === 'email') return 'someone@example.com';
  if (field.format === 'date') return '2024-05-01';
  if (field.format === 'image') return '/pm-uploads/picture.png';
  if (field.format && /uri|url/.test(field.format)) return field.format === 'uri' ? 'https://example.com/' : '/';
  return 'plain text';
}

/** Sets the value at an API field path (`data[a][0][b]`) inside `data`. */
export function setAt(data: Record<string, unknown>, apiPath: string, value: string): void {
  const keys = [...apiPath.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]);
  let o = data as Record<string, unknown> | unknown[];
  for (const k of keys.slice(0, -1)) o = (o as Record<string, unknown>)[k] as Record<string, unknown>;
  (o as Record<string, unknown>)[keys[keys.length - 1]] = value;
}

/** True when every field has carried every vector in its queue at least once. */
export function allCovered(fields: Field[], seen: Map<string, Set<number>>): boolean {
  return fields.every((f) => (seen.get(f.path)?.size ?? 0) >= f.queue.length);
}
