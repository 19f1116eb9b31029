// The admin API's OpenAPI document: generated from the route schemas, valid OpenAPI, listing every admin
// route the gateway registers (so a route added later is documented or this test fails), and served to
// authenticated callers only.
import { randomBytes } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance, RouteOptions } from 'fastify';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../../gateway/app.ts';
import { openStore } from '../../../store/open-store.ts';
import type { TenantStore } from '../../../store/tenant-store.ts';
import { freePort } from '../../support/free-port.ts';
import { ADMIN_TOKEN, testEnv } from '../gateway-fixture.ts';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
}

let store: TenantStore;
let client: Client;
let fastify: FastifyInstance;
/** Every admin route the gateway registers, as `METHOD /path/{param}`. */
const adminRoutes: string[] = [];

beforeAll(async () => {
  store = await openStore({ secretKey: randomBytes(32) });
  // Never called: the document and the auth check need no Temporal.
  client = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}` }) });
  fastify = Fastify();
  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith('/admin/') || route.url === '/admin/openapi.json') return;
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') adminRoutes.push(`${method} ${route.url.replace(/:(\w+)/g, '{$1}')}`);
    }
  });
  await fastify.register(app, { env: testEnv(), store, temporal: { client, taskQueue: 'openapi' } });
  await fastify.ready();
});

afterAll(async () => {
  await fastify?.close();
  await store?.close();
});

const fetchDocument = async () => {
  const answer = await fastify.inject({
    url: '/admin/openapi.json',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(answer.statusCode).toBe(200);
  return answer.json<OpenApiDocument>();
};

describe('admin OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const document = await fetchDocument();
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every admin route, and nothing else', async () => {
    const document = await fetchDocument();
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(adminRoutes.length).toBeGreaterThanOrEqual(9);
    expect(documented.sort()).toEqual([...adminRoutes].sort());
  });

  it('describes bodies and answers from the route schemas', async () => {
    const { paths } = await fetchDocument();
    const markComplete = paths['/admin/tenants/{tenantId}/returns/{loopReturnId}/mark-complete']!.post!;
    expect(markComplete.requestBody).toMatchObject({
      content: {
        'application/json': {
          schema: { type: 'object', required: ['by', 'reason'], additionalProperties: false },
        },
      },
    });
    // An empty body means the defaults: optional where no field is required.
    expect(paths['/admin/tenants/{tenantId}/returns/{loopReturnId}/retry']!.post!.requestBody).toMatchObject({
      required: false,
    });
    expect(paths['/admin/invites']!.post!.requestBody).toMatchObject({ required: false });
    expect(markComplete.requestBody).toMatchObject({ required: true });
    expect(Object.keys(markComplete.responses).sort()).toEqual(['200', '400', '401', '404', '409', '503']);
    const tenants = paths['/admin/tenants']!.get!.responses['200'];
    expect(tenants).toMatchObject({
      content: {
        'application/json': {
          schema: {
            properties: { tenants: { items: { properties: { sweeperIntervalMs: { type: 'integer' } } } } },
          },
        },
      },
    });
    expect(paths['/admin/invites/{id}']!.delete!.responses['204']).not.toHaveProperty('content');
  });

  it('is served to authenticated callers only', async () => {
    const anonymous = await fastify.inject({ url: '/admin/openapi.json' });
    expect(anonymous.statusCode).toBe(401);
    const wrong = await fastify.inject({
      url: '/admin/openapi.json',
      headers: { authorization: 'Bearer not-the-admin-token-not-the-admin-token' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).not.toContain('"paths"');

    const off = Fastify();
    await off.register(app, {
      env: testEnv({ ADMIN_TOKEN: '' }),
      store,
      temporal: { client, taskQueue: 'openapi' },
    });
    expect((await off.inject({ url: '/admin/openapi.json' })).statusCode).toBe(404);
    await off.close();
  });
});
