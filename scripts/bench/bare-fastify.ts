/** Variant (a): bare Fastify answering from a Map of gzipped pages. Argv: BIN INDEX. */
import Fastify from 'fastify';
import { announce, loadBarePages } from './bare-data.js';

const pages = loadBarePages(process.argv[2], process.argv[3]);
const app = Fastify({ logger: false });
app.get('/*', (request, reply) => {
  const p = pages.get(request.url);
  if (!p) return reply.code(404).send('not found');
  reply.header('content-type', 'text/html; charset=utf-8');
  reply.header('content-encoding', 'gzip');
  reply.header('etag', p.etag);
  return reply.send(p.gz);
});
await app.listen({ host: '127.0.0.1', port: 0 });
const addr = app.server.address();
announce(typeof addr === 'object' && addr ? addr.port : 0);
