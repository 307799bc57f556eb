/**
 * pm_site_usage, the per-site byte counter the page and template-URL stores keep as they write:
 * the migration that makes it sets it from a scan of what a database already holds, on both
 * dialects; the stores then keep it equal to that scan.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { coreMigrations } from '../../src/store/core-migrations.js';
import { createStores } from '../../src/store/create-stores.js';
import { sql } from '../../src/store/kysely.js';
import { migrate } from '../../src/store/migrate.js';
import { DIALECTS } from '../helpers/dialects.js';

for (const dialect of DIALECTS) {
  describe(`site usage counter [${dialect.name}]`, { skip: dialect.skip }, () => {
    test('the migration backfills it from what is stored; writes keep it equal to a scan', async () => {
      const env = await dialect.openEmpty();
      try {
        const { db } = env;
        // A database from before the counter: pages and template data already there.
        await migrate(db, coreMigrations.slice(0, 1));
        const now = Date.now();
        for (const site of ['a', 'b']) {
          await db.run(sql`INSERT INTO pm_site (site_id, is_primary, created_at, updated_at) VALUES (${site}, ${site === 'a' ? 1 : 0}, ${now}, ${now})`);
        }
        const gz = gzipSync(Buffer.from('<h1>Été</h1>'.repeat(50)));
        await db.run(sql`INSERT INTO pm_page (site_id, langcode, url_path, kind, gz, updated_at) VALUES ('a', '', '/x', 'html', ${gz}, ${now})`);
        await db.run(sql`INSERT INTO pm_page (site_id, langcode, url_path, kind, redirect_url, updated_at) VALUES ('a', '', '/r', 'redirect', '/x', ${now})`);
        const data = JSON.stringify({ title: 'Été — 陶器' });
        await db.run(sql`INSERT INTO pm_template_url (site_id, langcode, url_path, theme_id, template_name, data, updated_at) VALUES ('a', '', '/x', 't', 'p', ${data}, ${now})`);
        await migrate(db, coreMigrations);

        const stores = createStores(db);
        const counted = async (site: string) => (await stores.usage.counted(site)).get('pages') ?? 0;
        assert.equal(await counted('a'), gz.length + Buffer.byteLength(data));
        assert.equal(await counted('b'), 0);

        await stores.templateUrls.upsert({ siteId: 'b', langcode: '', urlPath: '/y', themeId: 't', templateName: 'p', data: { s: 'ŝ'.repeat(10) }, updatedAt: now });
        await stores.pages.upsert({ siteId: 'b', langcode: '', urlPath: '/y', kind: 'html', gz, headers: {}, etag: null, redirectUrl: null, redirectStatus: null, contentUrl: null, hidden: false, pseudoroute: false, updatedAt: now });
        await stores.pages.upsert({ siteId: 'a', langcode: '', urlPath: '/x', kind: 'redirect', gz: null, headers: {}, etag: null, redirectUrl: '/y', redirectStatus: 301, contentUrl: null, hidden: false, pseudoroute: false, updatedAt: now });
        assert.equal(await stores.templateUrls.delete('a', '', '/x'), true);
        assert.equal(await stores.templateUrls.delete('a', '', '/nothing'), false);
        assert.equal(await counted('a'), 0);
        assert.equal(await counted('b'), gz.length + Buffer.byteLength(JSON.stringify({ s: 'ŝ'.repeat(10) })));

        // Deleting a site takes its counter with it.
        await db.run(sql`DELETE FROM pm_site WHERE site_id = 'b'`);
        assert.equal((await db.all(sql`SELECT * FROM pm_site_usage WHERE site_id = 'b'`)).length, 0);
      } finally {
        await env.cleanup();
      }
    });
  });
}
