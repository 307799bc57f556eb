/**
 * Kysely's values, loaded from its CommonJS build. Its ES module build is
 * some 280 files, and under tsx (`npm start`, `npm test`) every ES module
 * import takes a round trip to the loader thread: measured at 2 to 3 s more
 * per process on a busy 2-core machine, against under a second for the same
 * library through `require`. Types come from 'kysely' as usual (`import type`).
 *
 * A bundler that outputs CommonJS (the single executable) sees the plain
 * `require('kysely')` and bundles it; ES module runs (tsx, dist/) take createRequire.
 */
import { createRequire } from 'node:module';

type KyselyModule = typeof import('kysely');

declare const require: NodeJS.Require | undefined;

const kysely: KyselyModule = typeof require === 'function' ? require('kysely') : createRequire(import.meta.url)('kysely');

export const { Kysely, sql, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } = kysely;
