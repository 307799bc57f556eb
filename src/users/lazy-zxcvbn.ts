/**
 * zxcvbn (@zxcvbn-ts/core and its common-password dictionaries), loaded on the first password
 * check instead of at start: the dictionaries are ~20 MiB of a server's idle memory and ~0.3 s of
 * its start, for something only a password change or a new user needs. Both packages are
 * CommonJS, so they load synchronously here and `checkPassword` stays synchronous.
 *
 * The single executable's build replaces this file with plain `require` calls that esbuild
 * bundles (scripts/build-binary.js), as it does for src/forms/lazy-libs.ts.
 */
import { createRequire } from 'node:module';
import type * as Core from '@zxcvbn-ts/core';
import type * as LanguageCommon from '@zxcvbn-ts/language-common';

const load = createRequire(import.meta.url);

export interface ZxcvbnLibs {
  ZxcvbnFactory: typeof Core.ZxcvbnFactory;
  dictionary: typeof LanguageCommon.dictionary;
  adjacencyGraphs: typeof LanguageCommon.adjacencyGraphs;
}

let libs: ZxcvbnLibs | undefined;
export function requireZxcvbn(): ZxcvbnLibs {
  if (libs) return libs;
  const core = load('@zxcvbn-ts/core') as typeof Core;
  const lang = load('@zxcvbn-ts/language-common') as typeof LanguageCommon;
  return (libs = { ZxcvbnFactory: core.ZxcvbnFactory, dictionary: lang.dictionary, adjacencyGraphs: lang.adjacencyGraphs });
}
