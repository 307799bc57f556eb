/**
 * Kysely over our own executor: the glue both dialects share. A `Queryable`
 * is built from a function that runs one compiled statement; its `kysely`
 * compiles with the dialect's compiler and, on `.execute()`, runs through that
 * same function, so a builder used on `tx` runs inside the transaction.
 */
import type { Compilable, CompiledQuery, DatabaseConnection, DatabaseIntrospector, DialectAdapter, Driver, Kysely, QueryCompiler } from 'kysely';
import { Kysely as KyselyClass } from './kysely.js';
import type { CoreTables } from './core-tables.js';
import type { Query, Queryable, RunResult, SqlQuery } from './db.js';

/** What a dialect gives Kysely: its adapter, compiler and introspector (no driver: the Db is the driver). */
export interface KyselyParts {
  adapter(): DialectAdapter;
  compiler(): QueryCompiler;
  introspector(k: Kysely<any>): DatabaseIntrospector;
}

export interface ExecResult {
  rows: unknown[];
  changes: number;
}

export type Executor = (q: SqlQuery) => Promise<ExecResult>;

const NO_KYSELY_TRANSACTIONS =
  "Kysely's own transactions bypass the Db's locking: use db.transaction(async (tx) => …) and build on tx.kysely.";

function createDriver(exec: Executor): Driver {
  const connection: DatabaseConnection = {
    async executeQuery<R>(cq: CompiledQuery) {
      const r = await exec(cq);
      return { rows: r.rows as R[], numAffectedRows: BigInt(r.changes) };
    },
    streamQuery() {
      throw new Error('Streaming queries are not supported by the pagemanager Db.');
    },
  };
  const refuse = async (): Promise<never> => {
    throw new Error(NO_KYSELY_TRANSACTIONS);
  };
  return {
    init: async () => {},
    acquireConnection: async () => connection,
    beginTransaction: refuse,
    commitTransaction: refuse,
    rollbackTransaction: refuse,
    releaseConnection: async () => {},
    destroy: async () => {},
  };
}

export function createKysely(parts: KyselyParts, exec: Executor): Kysely<CoreTables> {
  return new KyselyClass<CoreTables>({
    dialect: {
      createAdapter: () => parts.adapter(),
      createDriver: () => createDriver(exec),
      createQueryCompiler: () => parts.compiler(),
      createIntrospector: (k) => parts.introspector(k),
    },
  });
}

/** A builder, a `sql` template or a compiled query → SQL and parameters for this dialect. */
export function toSqlQuery(q: Query, kysely: Kysely<any>): SqlQuery {
  if (typeof (q as SqlQuery).sql === 'string') return q as SqlQuery;
  // Builders ignore the argument; a `sql` template needs it to know its dialect.
  return (q as { compile(k: Kysely<any>): CompiledQuery }).compile(kysely);
}

/**
 * A `Queryable` over `exec`. `guard` runs before every statement (a finished
 * transaction's `tx` refuses to run). The Kysely instance is made on first use
 * (a few µs), so a transaction that never builds a query does not pay for it.
 */
export function createQueryable(parts: KyselyParts, exec: Executor, execScript: (sql: string) => Promise<void>, guard?: () => void): Queryable {
  const run: Executor = guard ? (q) => (guard(), exec(q)) : exec;
  let kysely: Kysely<CoreTables> | undefined;
  const k = (): Kysely<CoreTables> => (kysely ??= createKysely(parts, run));
  return {
    get kysely() {
      return k();
    },
    all: async <R>(q: Query<R>) => (await run(toSqlQuery(q, k()))).rows as R[],
    get: async <R>(q: Query<R>) => (await run(toSqlQuery(q, k()))).rows[0] as R | undefined,
    run: async (q: Query): Promise<RunResult> => ({ changes: (await run(toSqlQuery(q, k()))).changes }),
    execScript: guard ? async (sql) => (guard(), execScript(sql)) : execScript,
  };
}

class Param {
  constructor(readonly index: number) {}
}

/**
 * Compiles a query once, for a path where even building it per call would
 * show (the request path's page read): `build` gets `arity` stand-ins to use
 * where the values go, and the returned function puts the real values in.
 *
 * @example
 *   const byId = prepare(db.kysely, 1, (id) => db.kysely.selectFrom('pm_user').selectAll().where('user_id', '=', id));
 *   const row = await db.get(byId(userId));
 */
export function prepare<R>(kysely: Kysely<any>, arity: number, build: (...params: any[]) => Compilable<R>): (...values: unknown[]) => SqlQuery {
  const marks = Array.from({ length: arity }, (_, i) => new Param(i));
  const compiled = toSqlQuery(build(...marks), kysely);
  const order = compiled.parameters.map((p) => (p instanceof Param ? p.index : -1));
  if (order.includes(-1)) throw new Error(`prepare: the query has a parameter that is not one of its ${arity} stand-ins: ${compiled.sql}`);
  const { sql } = compiled;
  if (order.length === arity && order.every((v, i) => v === i)) return (...values) => ({ sql, parameters: values });
  return (...values) => ({ sql, parameters: order.map((i) => values[i]) });
}
