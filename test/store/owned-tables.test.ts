/**
 * Every table in a started app's database is declared by its owner (the core
 * stores or a plugin's `tables`), so a backup that walks the list copies
 * everything; and on PostgreSQL every text column is byte-ordered (COLLATE "C").
 */
import assert from 'node:assert/strict';
import { sql } from '../../src/store/kysely.js';
import { describe, test } from 'node:test';
import { searchDerivedPrefix } from '../../src/store/search.js';
import { APP_DIALECTS, startTestApp } from '../helpers/app.js';

for (const { name: dialect, skip } of APP_DIALECTS) {
  describe(`tables [${dialect}]`, { skip }, () => {
    test('every table in the database is declared once, in an order that puts referenced tables first', async () => {
      const t = await startTestApp({}, { dialect });
      try {
        const search = await t.app.db.createSearchIndex('owned_test');
        const declared = [...t.app.tables(), { table: search.table, owner: 'test' }];
        const names = declared.map((d) => d.table);
        assert.equal(new Set(names).size, names.length, 'no table is declared twice');
        assert.ok(declared.some((d) => d.table === 'pm_fruit' && d.owner === 'plugin/fruits'), 'the fruits plugin declares its table');
        // On PostgreSQL the introspection lists every schema of the database (other test runs' too): keep ours.
        const meta = (await t.app.db.kysely.introspection.getTables()).filter((x) => dialect === 'sqlite' || x.schema === t.schema);
        const actual = meta.map((x) => x.name);
        const derived = (n: string) => declared.some((d) => n.startsWith(searchDerivedPrefix(d.table)));
        assert.deepEqual(actual.filter((n) => !names.includes(n) && !derived(n)), [], 'tables nobody declared');
        assert.deepEqual(names.filter((n) => !actual.includes(n)), [], 'declared tables that do not exist');
        const order = new Map(names.map((n, i) => [n, i]));
        if (dialect === 'sqlite') {
          for (const name of names) {
            const refs = await t.app.db.all<{ table: string }>(sql`SELECT "table" FROM pragma_foreign_key_list(${name})`);
            for (const r of refs) assert.ok(order.get(r.table)! < order.get(name)!, `${name} references ${r.table}, which must come first`);
          }
        } else {
          const refs = await t.app.db.all<{ child: string; parent: string }>(
            sql`SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`,
          );
          for (const r of refs) assert.ok(order.get(r.parent)! < order.get(r.child)!, `${r.child} references ${r.parent}, which must come first`);
          // Column types cannot slip: text on PostgreSQL sorts by the server's locale unless it is COLLATE "C".
          const loose = meta.flatMap((m) => m.columns.filter((c) => /text|char/i.test(c.dataType)).map((c) => `${m.name}.${c.name}`));
          const collations = await t.app.db.all<{ col: string; collation: string | null }>(
            sql`SELECT table_name || '.' || column_name AS col, collation_name AS collation FROM information_schema.columns WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying')`,
          );
          assert.ok(loose.length > 20, 'the check saw the text columns');
          assert.deepEqual(collations.filter((c) => c.collation !== 'C').map((c) => c.col), [], 'text columns without COLLATE "C"');
        }
      } finally {
        await t.close();
      }
    });
  });
}
