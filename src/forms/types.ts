/**
 * A JSON Schema as a theme or plugin writes it. Structural and loose on purpose: schemas come
 * from JSON files, so every keyword is optional and unknown keywords (`x-…`) are allowed.
 */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  type?: JsonSchemaType | JsonSchemaType[];
  title?: string;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  readOnly?: boolean;
  // strings
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  // numbers
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  // objects
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  // arrays
  items?: JsonSchema | JsonSchema[];
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  // composition
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  /** Form widget override: `"radio"`, `"select"`, `"textarea"` or `"hidden"`. */
  'x-widget'?: 'radio' | 'select' | 'textarea' | 'hidden' | (string & {});
  /** Labels for `enum` values, in the same order. (`enumNames` is accepted too.) */
  'x-enum-labels'?: string[];
  enumNames?: string[];
  /** Message shown when `pattern` does not match, instead of the generic one. */
  'x-pattern-message'?: string;
  /** Visible rows of a textarea. */
  'x-rows'?: number;
  /** Label of an array's Add button (default: "Add " + the item title). */
  'x-add-label'?: string;
  [keyword: string]: unknown;
}

export type JsonSchemaType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/**
 * Messages for people, keyed by the field's bracket path (`title`, `author[name]`,
 * `items[0][caption]`). The empty path `""` holds errors about the form as a whole.
 */
export type FieldErrors = Record<string, string[]>;

/** A urlencoded body as @fastify/formbody parses it: repeated names become arrays. */
export type FormBody = Record<string, string | string[] | undefined>;

export type ValidationResult = { ok: true } | { ok: false; errors: FieldErrors };
