/**
 * The media library: uploads (pictures and PDFs), their responsive variants,
 * the files served under /pm-uploads/, a library in the dashboard, the JSON
 * API and per-site storage quotas. Built on the plugin API only; the files
 * live in `server.uploads` (a folder or an S3-compatible bucket). See README.md.
 */
import type { Plugin, PluginServer } from '../../src/plugins/plugin.js';
import { createAltCheck } from './alt-check.js';
import { mediaApiRoutes, mediaSettingsRoutes } from './api-routes.js';
import { libraryRoutes } from './library.js';
import { createMediaService, type MediaService } from './media-service.js';
import { createMediaStore, MEDIA_TABLES, mediaMigrations } from './media-store.js';
import { configureSharp, createQueue } from './processor.js';
import { createUploadServer } from './serve.js';

const MB = 1024 * 1024;

function num(v: unknown, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v > 0)) throw new Error(`[plugins.media] ${name} must be a positive number, not ${JSON.stringify(v)}`);
  return v;
}

interface State {
  media: MediaService;
  files: ReturnType<typeof createUploadServer>;
}
/** Per app (tests run several in one process): init and routes get the same server object. */
const states = new WeakMap<PluginServer, State>();
const running = new Set<MediaService>();

const plugin: Plugin = {
  name: 'media',
  dependsOn: ['dashboard'],
  tables: MEDIA_TABLES,
  async init(server: PluginServer) {
    const c = server.config;
    const limits = {
      maxBytes: Math.round(num(c.maxUploadMb, 25, 'maxUploadMb') * MB),
      maxPixels: Math.round(num(c.maxMegapixels, 50, 'maxMegapixels') * 1e6),
      defaultQuotaBytes: c.defaultQuotaMb === undefined ? null : Math.round(num(c.defaultQuotaMb, 0, 'defaultQuotaMb') * MB),
    };
    configureSharp({ threads: Math.round(num(c.threads, 1, 'threads')) });
    await server.migrate(mediaMigrations());
    const store = createMediaStore(server);
    const m = createMediaService({ server, store, storage: server.uploads, limits, queue: createQueue(Math.round(num(c.concurrency, 1, 'concurrency'))) });
    const files = createUploadServer({ storage: server.uploads, store, media: m, cacheBytes: Math.round(num(c.cacheMb, 64, 'cacheMb') * MB) });
    m.onChange((x) => files.forget(x.mediaId));
    states.set(server, { media: m, files });
    running.add(m);
    server.themes.setImageResolver((urls) => m.resolve(urls));
    // A picture is used in a page only with a description: every save of a page or a post is checked.
    server.saveChecks.add(createAltCheck(server, (ids) => store.getMany(ids)));
    server.events.on('page.changed', (ch) => {
      m.track(m.indexPage(ch.siteId, ch.langcode, ch.urlPath).catch((e) => server.log.warn('could not record which files a page uses', { urlPath: ch.urlPath, error: (e as Error).message })));
    });
    await m.resume();
  },
  async routes(router, server) {
    const { media: m, files } = states.get(server) as State;
    router.route({ method: ['GET', 'HEAD'], url: '/pm-uploads/*', handler: (request, reply) => files.handle(request, reply), description: 'Uploaded files' });
    mediaApiRoutes(router, m, () => server.sites.list(), (id) => files.forget(id));
    mediaSettingsRoutes(router, m);
    await libraryRoutes(router, server, m, (id) => files.forget(id));
  },
  async close() {
    // Processing under way finishes (its files and quota stay consistent); a stop during it resumes at the next start.
    for (const m of running) await m.idle();
  },
};

export default plugin;
