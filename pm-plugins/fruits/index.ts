/**
 * The example plugin: copy this folder to start your own.
 *
 * It shows the three things most plugins do: its own table (migrations
 * written with the schema builder and the typed column helpers, declared in
 * `tables`),
 * a page rendered with the site's theme, and a pseudoroute — a route no
 * visitor reaches by its own path, only through a URL that a user aliased
 * to it. After `pagemanager serve`, alias a URL to it from the URL dashboard
 * (or the API): `/my-fruits` → `/pm-fruits`, and `/my-fruits` shows this list.
 * It also declares an error code of its own: `/apple` aliased to
 * `/pm-fruits/apple` answers one fruit, `/pm-fruits/kumquat` PM_ERR_FRUIT_NOT_FOUND.
 */
import type { Plugin } from '../../src/plugins/plugin.js';

type Fruit = { name: string; colour: string };

/** The plugin's tables as Kysely checks queries against them. */
type FruitTables = { pm_fruit: Fruit };

const plugin: Plugin = {
  name: 'fruits',
  // Documented in docs/errors.md like the core's; thrown with server.error().
  errors: { PM_ERR_FRUIT_NOT_FOUND: { status: 404, message: 'There is no fruit called {name}.' } },
  tables: ['pm_fruit'],
  async init(server) {
    await server.migrate([
      {
        version: 1,
        name: 'create pm_fruit',
        // As it shipped, with plain TEXT columns (ordered by the server's locale on PostgreSQL); version 2 fixes that.
        up: () => `CREATE TABLE pm_fruit (name TEXT PRIMARY KEY, colour TEXT NOT NULL);
                   INSERT INTO pm_fruit (name, colour) VALUES ('apple', 'red'), ('banana', 'yellow'), ('fig', 'purple');`,
      },
      {
        version: 2,
        name: 'pm_fruit byte-ordered text',
        up: (m) =>
          m.rebuildTable('pm_fruit', ['name', 'colour'], (t) =>
            t.addColumn('name', m.column.text, (c) => c.notNull().primaryKey()).addColumn('colour', m.column.text, (c) => c.notNull()),
          ),
      },
    ]);
  },
  routes(router, server) {
    router.get(
      '/pm-fruits',
      async (request, reply) => {
        const fruits = await server.kysely.withTables<FruitTables>().selectFrom('pm_fruit').select(['name', 'colour']).orderBy('name').execute();
        // A small snippet, cached until a page of the site changes (it says it depends on every page).
        // A snippet that shows one page's data names that page instead: `{ pages: [{ langcode, urlPath }] }`.
        const list = await server.components.get(
          request.pm.site.siteId,
          'fruits:list',
          () => fruits.map((f) => `* **${f.name}** — ${f.colour}`).join('\n'),
          { site: true },
        );
        const data = { title: 'Fruits', body: `Served by the example plugin at ${request.pm.url.urlPath}.\n\n${list}` };
        const site = request.pm.site;
        await server.themes.serveTemplate(reply, request, server.themes.list()[0]?.id ?? 'daybreak', 'about', data, {
          site: { title: site.title, description: site.description, langcode: request.pm.url.langcode || site.defaultLocale },
          page: { urlPath: request.pm.url.urlPath, url: request.pm.link(request.pm.url.urlPath) },
          url: request.pm.link,
        });
        return reply;
      },
      { pseudoroute: true, description: 'The example plugin’s fruit list (alias a URL to it)' },
    );
    router.get(
      '/pm-fruits/:name',
      async (request) => {
        const { name } = request.params as { name: string };
        const fruit = await server.kysely.withTables<FruitTables>().selectFrom('pm_fruit').select(['name', 'colour']).where('name', '=', name).executeTakeFirst();
        if (!fruit) throw server.error('PM_ERR_FRUIT_NOT_FOUND', { name });
        return fruit;
      },
      { pseudoroute: true, description: 'One fruit as JSON (alias a URL such as /apple to /pm-fruits/apple)' },
    );
  },
};

export default plugin;
