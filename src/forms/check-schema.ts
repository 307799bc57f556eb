import { createAjv, draftOf } from './create-form-validator.js';
import { fieldKind, isPlainObject, resolveSchema } from './schema-walk.js';
import type { JsonSchema } from './types.js';

/** Distinct $refs followed along one path before the walk stops. */
const MAX_DEPTH = 16;

/**
 * Problems with a schema that a theme or plugin ships, in words for its author; empty when the
 * schema is fine. Covers invalid JSON Schema, unknown formats and keywords (typos such as
 * `maxlength`; `x-…` keywords are allowed), `$ref`s that point nowhere, a root that is not an
 * object, property names a form cannot carry, and fields the form cannot show.
 *
 * @example
 * const problems = checkSchema(schema);
 * if (problems.length) throw new PmError('PM_ERR_THEME_BROKEN', { themeId, detail: problems.join('; ') });
 */
export function checkSchema(schema: unknown): string[] {
  if (!isPlainObject(schema)) return ['The schema must be a JSON object.'];
  const s = schema as JsonSchema;
  const problems: string[] = [];
  const warnings: string[] = [];
  const ajv = createAjv(draftOf(s), {
    allErrors: true,
    strict: 'log',
    strictTypes: false,
    strictTuples: false,
    logger: { log: () => {}, warn: (...args: unknown[]) => void warnings.push(args.map(String).join(' ')), error: () => {} },
  });
  const metaValid = ajv.validateSchema(s);
  if (!metaValid) {
    // The meta-schema's anyOf branches restate one mistake several ways; the first says it best.
    const seen = new Set<string>();
    for (const err of ajv.errors ?? []) {
      const at = err.instancePath || '(root)';
      if (seen.has(at)) continue;
      seen.add(at);
      const allowed = (err.params as { allowedValues?: unknown[] }).allowedValues;
      problems.push(`${at}: ${err.message ?? 'is invalid'}${allowed ? ` (${allowed.join(', ')})` : ''}.`);
    }
    return problems;
  }
  try {
    ajv.compile(s);
  } catch (e) {
    problems.push(e instanceof Error ? e.message : String(e));
    return problems;
  }
  for (const w of warnings) {
    if (/unknown keyword: "(x-[^"]*|enumNames)"/.test(w)) continue;
    problems.push(w.replace(/^strict mode: /, ''));
  }
  walk(s, s, '', new Set(), problems, true);
  return problems;
}

function walk(raw: JsonSchema, root: JsonSchema, at: string, refs: ReadonlySet<string>, problems: string[], isRoot = false): void {
  // A recursive schema is fine; one pass through each $ref is enough to check it.
  if (typeof raw.$ref === 'string') {
    if (refs.has(raw.$ref) || refs.size >= MAX_DEPTH) return;
    refs = new Set([...refs, raw.$ref]);
  }
  let schema: JsonSchema;
  try {
    schema = resolveSchema(raw, root);
  } catch (e) {
    problems.push(`${at || '(root)'}: ${(e as Error).message}`);
    return;
  }
  const kind = fieldKind(schema);
  if (isRoot && kind !== 'object') {
    problems.push('The schema must have "type": "object" at its root to be shown as a form.');
    return;
  }
  if (kind === 'unsupported') {
    problems.push(`${at}: the form cannot show this field (give it a type: string, number, integer, boolean, object, or an array with one "items" schema).`);
    return;
  }
  if (kind === 'object') {
    for (const [key, prop] of Object.entries(schema.properties ?? {})) {
      const path = `${at}/properties/${key}`;
      if (/[[\].]/.test(key) || key === '__proto__') {
        problems.push(`${path}: a property name in a form cannot contain "[", "]" or ".".`);
      } else if (key.startsWith('_pm') || key.startsWith('_csrf')) {
        problems.push(`${path}: names starting with "_pm" or "_csrf" are reserved for the form itself.`);
      } else {
        walk(prop, root, path, refs, problems);
      }
    }
  } else if (kind === 'array' && isPlainObject(schema.items)) {
    walk(schema.items, root, `${at}/items`, refs, problems);
  }
}
