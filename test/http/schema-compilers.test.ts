// Fastify's schema compilers load on first use (LAZY_SCHEMA_CONTROLLER): a route that declares
// a schema is still validated and serialized as with Fastify's defaults.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { LAZY_SCHEMA_CONTROLLER } from '../../src/http/create-server.js';

test('a route with a body and a response schema: a bad body is a 400 naming the field, a good one is served through the response schema', async (t) => {
  const app = Fastify({ schemaController: LAZY_SCHEMA_CONTROLLER });
  t.after(() => app.close());
  app.post(
    '/x',
    {
      schema: {
        body: { type: 'object', required: ['title'], properties: { title: { type: 'string', minLength: 1 } } },
        response: { 200: { type: 'object', properties: { title: { type: 'string' } } } },
      },
    },
    async (request) => ({ title: (request.body as { title: string }).title, secret: 'not in the schema' }),
  );
  const bad = await app.inject({ method: 'POST', url: '/x', payload: { name: 'no title' } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().message, /title/);
  const good = await app.inject({ method: 'POST', url: '/x', payload: { title: 'Hello' } });
  assert.equal(good.statusCode, 200);
  assert.deepEqual(good.json(), { title: 'Hello' }, 'the response schema drops what it does not list');
});
