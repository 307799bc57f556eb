import type { Ajv, Options, ValidateFunction } from 'ajv';
import type { Ajv2019 } from 'ajv/dist/2019.js';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { PmError } from '../errors/errors.js';
import type { JsonSchema, ValidationResult } from './types.js';
import { requireAjv } from './lazy-libs.js';
import { toFieldErrors } from './validation-messages.js';

type AjvInstance = Ajv | Ajv2019 | Ajv2020;
export type Draft = '07' | '2019' | '2020';

const HEX_COLOR = /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

/** Which draft a schema is written in; draft-07 unless `$schema` says 2019-09 or 2020-12. */
export function draftOf(schema: JsonSchema): Draft {
  const s = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (s.includes('2020-12')) return '2020';
  if (s.includes('2019-09')) return '2019';
  return '07';
}

const IMAGE_ADDRESS = /^(\/(?![/\\])|https?:\/\/)[^\s\u0000-\u001f<>"]*$/i;

/** The formats whose values are links a visitor may follow. */
export const LINK_FORMATS = ['uri', 'uri-reference', 'url', 'iri', 'iri-reference'] as const;

/** Says why a link may not be stored (a scheme such as javascript:), or undefined when it may. */
export type LinkChecker = (value: string) => string | undefined;

type FormatDef = RegExp | ((s: string) => boolean) | { validate?: RegExp | ((s: string) => boolean) } | boolean | string | undefined;
function passes(def: FormatDef, value: string): boolean {
  if (def === undefined || def === true) return true;
  if (def instanceof RegExp) return def.test(value);
  if (typeof def === 'function') return def(value);
  if (typeof def === 'object' && def) return passes(def.validate as FormatDef, value);
  return typeof def === 'string' ? new RegExp(def).test(value) : false;
}

/** An ajv instance with the standard formats and the form-only ones (markdown, textarea, color). */
export function createAjv(draft: Draft, options: Options, checkLink?: LinkChecker): AjvInstance {
  // Loaded here, with the first schema, not at start (lazy-libs.ts).
  const { Ajv, Ajv2019, Ajv2020, addFormats } = requireAjv();
  const ajv = draft === '2020' ? new Ajv2020(options) : draft === '2019' ? new Ajv2019(options) : new Ajv(options);
  addFormats(ajv as Ajv);
  ajv.addFormat('markdown', true);
  ajv.addFormat('textarea', true);
  ajv.addFormat('color', HEX_COLOR);
  // A picture: a site path (an upload, a theme asset) or an http(s) address; never javascript:, data: or //host.
  ajv.addFormat('image', { type: 'string', validate: (s: string) => IMAGE_ADDRESS.test(s) && (checkLink?.(s) ?? undefined) === undefined });
  if (checkLink) {
    for (const name of LINK_FORMATS) {
      const base = (ajv.formats as Record<string, FormatDef>)[name];
      ajv.addFormat(name, { type: 'string', validate: (s: string) => passes(base, s) && checkLink(s) === undefined });
    }
  }
  return ajv;
}

export interface FormValidator {
  /** Validates data against a schema; errors are keyed by bracket path with messages for people. */
  validate(schema: JsonSchema, data: unknown): ValidationResult;
}

/**
 * A validator that compiles each schema once. With `checkLink`, link fields
 * (`format: uri`, `uri-reference`, …) also pass through it, and its message is
 * the one shown beside the field. Compiled functions are kept in a WeakMap keyed by
 * the schema object, so keep and reuse the schema object (a theme's parsed `schema.json`).
 * A schema that does not compile throws PM_ERR_INTERNAL; run `checkSchema` when loading a theme
 * to report it properly.
 *
 * @example
 * const forms = createFormValidator();
 * const result = forms.validate(schema, parseFormBody(schema, body));
 * if (!result.ok) html = renderForm(schema, data, { errors: result.errors });
 */
export function createFormValidator(opts: { checkLink?: LinkChecker } = {}): FormValidator {
  const instances = new Map<Draft, AjvInstance>();
  const compiled = new WeakMap<object, ValidateFunction>();

  const ajvFor = (draft: Draft): AjvInstance => {
    let ajv = instances.get(draft);
    if (!ajv) {
      // strict off: themes may carry x-… keywords that ajv does not know.
      ajv = createAjv(draft, { allErrors: true, verbose: true, strict: false, logger: false }, opts.checkLink);
      instances.set(draft, ajv);
    }
    return ajv;
  };

  const compile = (schema: JsonSchema): ValidateFunction => {
    let fn = compiled.get(schema);
    if (!fn) {
      const ajv = ajvFor(draftOf(schema));
      try {
        fn = ajv.compile(schema);
      } catch (cause) {
        throw new PmError('PM_ERR_INTERNAL', {}, { cause });
      }
      // ajv keeps its own strong cache of compiled schemas and their $ids; dropping the entry
      // leaves the WeakMap as the only holder (a theme's schema can be collected once it is
      // unloaded) and lets another schema reuse the same $id.
      ajv.removeSchema(schema);
      compiled.set(schema, fn);
    }
    return fn;
  };

  return {
    validate(schema, data) {
      const fn = compile(schema);
      if (fn(data)) return { ok: true };
      return { ok: false, errors: toFieldErrors(fn.errors ?? [], opts.checkLink) };
    },
  };
}

/**
 * Validates once. Pass a validator from `createFormValidator()` to reuse compiled schemas;
 * without one, the schema is compiled for this call only.
 */
export function validateData(schema: JsonSchema, data: unknown, validator: FormValidator = createFormValidator()): ValidationResult {
  return validator.validate(schema, data);
}
