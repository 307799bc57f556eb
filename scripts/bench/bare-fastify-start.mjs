// The start-up baseline for scripts/measure-startup.ts: bare Fastify, plain
// JavaScript (no tsx), answering GET / once it listens. Argv: PORT.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', (request, reply) => reply.type('text/html; charset=utf-8').send('<!doctype html><title>bare</title><p>bare Fastify</p>'));
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
