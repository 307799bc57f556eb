/**
 * Typed schema helpers: how a table and its columns are declared, for the
 * core and for plugins. A migration gets a `MigrationContext` and builds its
 * DDL with Kysely's schema builder and these column types, so a column means
 * the same on both dialects:
 *
 * | helper | SQLite | PostgreSQL | for |
 * |---|---|---|---|
 * | `column.text` | TEXT | TEXT COLLATE "C" | ids, names, paths, JSON: compared byte by byte on both |
 * | `column.bigint` | INTEGER | BIGINT | millisecond timestamps, counters |
 * | `column.integer` | INTEGER | INTEGER | small numbers, booleans as 0/1 |
 * | `column.blob` | BLOB | BYTEA | bytes (gzipped HTML, files) |
 *
 * Plain `'text'` is not byte-ordered on PostgreSQL (it sorts by the server's
 * locale): use `column.text`. A test walks every table after start-up and
 * fails on a text column without the "C" collation.
 *
 * @example
 *   // in a plugin's init:
 *   await server.migrate([{ version: 1, name: 'create pm_fruit', up: async ({ schema, column }) => {
 *     await schema.createTable('pm_fruit')
 *       .addColumn('name', column.text, (c) => c.primaryKey())
 *       .addColumn('colour', column.text, (c) => c.notNull())
 *       .addColumn('created_at', column.bigint, (c) => c.notNull())
 *       .execute();
 *   } }]);
 */
import type { CreateTableBuilder, Expression, Kysely, SchemaModule } from 'kysely';
import { sql } from './kysely.js';
import type { Dialect, Queryable } from './db.js';

export interface ColumnTypes {
  /** Byte-ordered text (`COLLATE "C"` on PostgreSQL). */
  readonly text: Expression<unknown>;
  /** 64-bit integer. */
  readonly bigint: Expression<unknown>;
  /** 32-bit integer; also booleans stored as 0/1. */
  readonly integer: Expression<unknown>;
  /** Bytes. */
  readonly blob: Expression<unknown>;
}

export function columnTypes(d: Dialect): ColumnTypes {
  return {
    text: sql.raw(d.types.text),
    bigint: sql.raw(d.types.bigint),
    integer: sql.raw('INTEGER'),
    blob: sql.raw(d.types.blob),
  };
}

/**
 * What a migration's `up` receives. It is also the `Dialect` (so an old-style
 * `up: (d) => \`CREATE TABLE … ${d.types.text}\`` returning SQL text still runs).
 */
export interface MigrationContext extends Dialect {
  /** The migration's transaction: run statements here (`db.kysely`, `db.run(sql\`…\`)`). */
  readonly db: Queryable;
  /** Kysely's schema builder on that transaction: `schema.createTable(…)…execute()`. */
  readonly schema: SchemaModule;
  /** Column types that mean the same on both dialects. */
  readonly column: ColumnTypes;
  /** Kysely's `sql` tag, for what the builder lacks (a plugin outside this repository cannot import kysely itself). */
  readonly sql: typeof sql;
  /** `rebuildTable` below, bound to this migration. */
  rebuildTable(table: string, columns: readonly string[], create: (t: CreateTableBuilder<string, never>) => CreateTableBuilder<string, any>): Promise<void>;
}

export function migrationContext(d: Dialect, tx: Queryable): MigrationContext {
  const m: MigrationContext = {
    ...d,
    db: tx,
    schema: tx.kysely.schema,
    column: columnTypes(d),
    sql,
    rebuildTable: (table, columns, create) => rebuildTable(m, table, columns, create),
  };
  return m;
}

/**
 * Changes a table's column types the way both dialects allow (SQLite cannot
 * alter a column): creates the table anew under a temporary name with
 * `create`, copies `columns` over, drops the old table and renames the new
 * one. Recreate the table's other indexes afterwards.
 *
 * @example
 *   up: (m) => rebuildTable(m, 'pm_fruit', ['name', 'colour'], (t) =>
 *     t.addColumn('name', m.column.text, (c) => c.primaryKey()).addColumn('colour', m.column.text, (c) => c.notNull()))
 */
export async function rebuildTable(
  m: MigrationContext,
  table: string,
  columns: readonly string[],
  create: (t: CreateTableBuilder<string, never>) => CreateTableBuilder<string, any>,
): Promise<void> {
  const temp = `${table}_rebuild`;
  const k = m.db.kysely as unknown as Kysely<any>;
  await create(m.schema.createTable(temp)).execute();
  await k.insertInto(temp).columns(columns as string[]).expression(k.selectFrom(table).select(columns as string[])).execute();
  await m.schema.dropTable(table).execute();
  await m.schema.alterTable(temp).renameTo(table).execute();
}
