import type { ErrorObject } from 'ajv';
import type { FieldErrors } from './types.js';

const TYPE_MESSAGES: Record<string, string> = {
  string: 'Must be text.',
  number: 'Must be a number.',
  integer: 'Must be a whole number.',
  boolean: 'Must be yes or no.',
  object: 'Must be a group of fields.',
  array: 'Must be a list.',
  null: 'Must be empty.',
};

const FORMAT_MESSAGES: Record<string, string> = {
  email: 'Must be a valid email address.',
  image: 'Must be the address of a picture: choose one from the media library, or give an address starting with / or https://.',
  'idn-email': 'Must be a valid email address.',
  uri: 'Must be a valid URL, such as https://example.com/.',
  url: 'Must be a valid URL, such as https://example.com/.',
  iri: 'Must be a valid URL, such as https://example.com/.',
  'uri-reference': 'Must be a valid URL or path.',
  date: 'Must be a valid date (YYYY-MM-DD).',
  time: 'Must be a valid time (HH:MM:SS with a time zone).',
  'date-time': 'Must be a valid date and time (YYYY-MM-DDTHH:MM:SSZ).',
  color: 'Must be a colour such as #336699.',
  hostname: 'Must be a valid host name.',
  ipv4: 'Must be a valid IPv4 address.',
  ipv6: 'Must be a valid IPv6 address.',
  uuid: 'Must be a valid UUID.',
  regex: 'Must be a valid regular expression.',
};

const LINK_FORMAT_NAMES = new Set(['uri', 'uri-reference', 'url', 'iri', 'iri-reference']);

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

function list(values: unknown): string {
  return Array.isArray(values) ? values.map((v) => String(v)).join(', ') : '';
}

/** A message a person can act on, for one ajv error; undefined for errors that only restate others. */
function messageFor(err: ErrorObject, checkLink?: (value: string) => string | undefined): string | undefined {
  const p = err.params as Record<string, unknown>;
  const parent = (err.parentSchema ?? {}) as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
    case 'dependentRequired':
    case 'dependencies':
      return 'Required.';
    case 'type': {
      const types = String(p.type).split(',');
      const main = types.find((t) => t !== 'null') ?? types[0];
      return TYPE_MESSAGES[main] ?? `Must be of type ${main}.`;
    }
    case 'minLength':
      return p.limit === 1 ? 'Required.' : `Must be at least ${plural(Number(p.limit), 'character', 'characters')}.`;
    case 'maxLength':
      return `Must be at most ${plural(Number(p.limit), 'character', 'characters')}.`;
    case 'minimum':
      return `Must be at least ${p.limit}.`;
    case 'maximum':
      return `Must be at most ${p.limit}.`;
    case 'exclusiveMinimum':
      return `Must be more than ${p.limit}.`;
    case 'exclusiveMaximum':
      return `Must be less than ${p.limit}.`;
    case 'multipleOf':
      return `Must be a multiple of ${p.multipleOf}.`;
    case 'pattern':
      return typeof parent['x-pattern-message'] === 'string' ? parent['x-pattern-message'] : `Must match the pattern ${p.pattern}.`;
    case 'format':
      if (checkLink && typeof err.data === 'string' && LINK_FORMAT_NAMES.has(String(p.format))) {
        const why = checkLink(err.data);
        if (why) return why;
      }
      return FORMAT_MESSAGES[String(p.format)] ?? `Must be a valid ${p.format}.`;
    case 'enum':
      return `Must be one of: ${list(p.allowedValues)}.`;
    case 'const':
      return `Must be ${String(p.allowedValue)}.`;
    case 'minItems':
      return `Must have at least ${plural(Number(p.limit), 'item', 'items')}.`;
    case 'maxItems':
      return `Must have at most ${plural(Number(p.limit), 'item', 'items')}.`;
    case 'uniqueItems':
      return `Items ${Math.min(Number(p.i), Number(p.j)) + 1} and ${Math.max(Number(p.i), Number(p.j)) + 1} are the same; each item must be different.`;
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return 'Is not a field of this form.';
    case 'if':
      // The failing `then`/`else` keyword reports the actual problem.
      return undefined;
    default:
      return 'Is not valid.';
  }
}

/** `/items/0/caption` → `items[0][caption]`. */
export function pointerToBracket(pointer: string): string {
  if (!pointer) return '';
  const segments = pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return segments.map((s, i) => (i === 0 ? s : `[${s}]`)).join('');
}

function child(path: string, key: string): string {
  return path ? `${path}[${key}]` : key;
}

/** Ajv's errors, as messages for people keyed by the bracket path of the field they concern. */
export function toFieldErrors(errors: readonly ErrorObject[], checkLink?: (value: string) => string | undefined): FieldErrors {
  const out: FieldErrors = {};
  for (const err of errors) {
    const message = messageFor(err, checkLink);
    if (message === undefined) continue;
    let path = pointerToBracket(err.instancePath);
    const p = err.params as Record<string, unknown>;
    // A missing or unexpected property is the business of that property's field, not its parent's.
    if (typeof p.missingProperty === 'string') path = child(path, p.missingProperty);
    else if (typeof p.additionalProperty === 'string') path = child(path, p.additionalProperty);
    else if (typeof p.unevaluatedProperty === 'string') path = child(path, p.unevaluatedProperty);
    const messages = (out[path] ??= []);
    if (!messages.includes(message)) messages.push(message);
  }
  return out;
}
