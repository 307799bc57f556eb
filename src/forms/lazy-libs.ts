/**
 * Libraries loaded on their first use instead of at start: sanitize-html and ajv
 * (about a quarter of a second and 30 MiB of a start that serves stored pages and
 * renders nothing), and Fastify's own schema compilers (no route of ours declares a
 * Fastify schema). All are CommonJS, so they load synchronously here and every
 * caller keeps its synchronous API.
 *
 * The single executable's build replaces this file with plain `require` calls
 * that esbuild bundles (scripts/build-binary.js): there is no node_modules
 * beside the binary for `createRequire` to look in.
 */
import { createRequire } from 'node:module';
import type SanitizeHtml from 'sanitize-html';
import type * as AjvModule from 'ajv';
import type * as Ajv2019Module from 'ajv/dist/2019.js';
import type * as Ajv2020Module from 'ajv/dist/2020.js';
import type AjvFormats from 'ajv-formats';

const load = createRequire(import.meta.url);

let sanitizeHtml: typeof SanitizeHtml | undefined;
/** sanitize-html's default export. */
export function requireSanitizeHtml(): typeof SanitizeHtml {
  return (sanitizeHtml ??= load('sanitize-html') as typeof SanitizeHtml);
}

export interface AjvLibs {
  Ajv: typeof AjvModule.Ajv;
  Ajv2019: typeof Ajv2019Module.Ajv2019;
  Ajv2020: typeof Ajv2020Module.Ajv2020;
  addFormats: typeof AjvFormats.default;
}
let ajv: AjvLibs | undefined;
/** ajv's three drafts and ajv-formats. */
export function requireAjv(): AjvLibs {
  return (ajv ??= {
    Ajv: (load('ajv') as typeof AjvModule).Ajv,
    Ajv2019: (load('ajv/dist/2019.js') as typeof Ajv2019Module).Ajv2019,
    Ajv2020: (load('ajv/dist/2020.js') as typeof Ajv2020Module).Ajv2020,
    addFormats: (load('ajv-formats') as { default: typeof AjvFormats.default }).default,
  });
}

type CompilerFactory = (...args: unknown[]) => unknown;
/** Fastify's dependencies, found from Fastify itself (they are its, not ours). */
const fromFastify = () => createRequire(load.resolve('fastify'));
let fastifyCompilers: { validator: CompilerFactory; serializer: CompilerFactory } | undefined;
/**
 * Fastify's own schema compilers (ajv and fast-json-stringify, about 100 modules), which
 * Fastify otherwise loads when the server is made. No route of ours declares a Fastify schema
 * (request bodies are checked by src/plugins/request-input.ts), so they load only if one does.
 */
export function requireFastifyCompilers(): { validator: CompilerFactory; serializer: CompilerFactory } {
  return (fastifyCompilers ??= {
    validator: (fromFastify()('@fastify/ajv-compiler') as () => CompilerFactory)(),
    serializer: (fromFastify()('@fastify/fast-json-stringify-compiler') as () => CompilerFactory)(),
  });
}
